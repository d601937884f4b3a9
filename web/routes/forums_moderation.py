"""Reports, the moderators' queue, hiding and restoring posts, locking, pinning and moving threads, and
the admins' page of theme boards (the forums feature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.errors import N_, Invalid
from deliberation.forums import boards, moderation, posts
from web import auth
from web.feature import MenuEntry
from web.forms import Form, FormView, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for


def queue(request: Request, form: Form) -> Response:
    items = moderation.report_queue(db(request), auth.current_user(request))
    return render(request, "forums/moderation.html", {"items": items}, block="queue", private=True)


def report_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    auth.require_user(request)
    post_id = request.path_params["post_id"]
    thread_id, _page, number = posts.locate(db(request), post_id)
    context = {"post_id": post_id, "thread_id": thread_id, "number": number, "form": view or FormView()}
    return render(request, "forums/report.html", context, block="report_form", status=status)


def report(request: Request, form: Form) -> Response:
    post_id = request.path_params["post_id"]
    try:
        moderation.report_post(db(request), auth.require_user(request), post_id, text(form, "reason"))
    except Invalid as error:
        return report_form(request, form, FormView.from_form(form, "reason", error=error), status=422)
    return redirect(
        request,
        url_for(request, "forums.post", post_id=post_id),
        N_("Thank you. A moderator will look at it."),
    )


def hide(request: Request, form: Form) -> Response:
    post_id = request.path_params["post_id"]
    try:
        moderation.hide_post(db(request), auth.current_user(request), post_id, text(form, "reason"))
    except Invalid as error:
        message = next(iter(error.errors.values()))
        raise Invalid("reason", message.key, **message.params) from None
    return redirect(request, url_for(request, "forums.post", post_id=post_id), N_("The post is hidden."))


def restore(request: Request, form: Form) -> Response:
    post_id = request.path_params["post_id"]
    moderation.restore_post(db(request), auth.current_user(request), post_id)
    return redirect(request, url_for(request, "forums.post", post_id=post_id), N_("The post is shown again."))


def dismiss(request: Request, form: Form) -> Response:
    moderation.dismiss_reports(db(request), auth.current_user(request), request.path_params["post_id"])
    return redirect(request, url_for(request, "forums.queue"), N_("The reports are closed."))


def lock(request: Request, form: Form) -> Response:
    thread_id = request.path_params["thread_id"]
    moderation.lock_thread(db(request), auth.current_user(request), thread_id, text(form, "locked") == "1")
    return redirect(request, url_for(request, "forums.thread", thread_id=thread_id), N_("Saved."))


def pin(request: Request, form: Form) -> Response:
    thread_id = request.path_params["thread_id"]
    moderation.pin_thread(db(request), auth.current_user(request), thread_id, text(form, "pinned") == "1")
    return redirect(request, url_for(request, "forums.thread", thread_id=thread_id), N_("Saved."))


def move(request: Request, form: Form) -> Response:
    thread_id = request.path_params["thread_id"]
    moderation.move_thread(db(request), auth.current_user(request), thread_id, text(form, "board"))
    return redirect(
        request, url_for(request, "forums.thread", thread_id=thread_id), N_("The thread is moved.")
    )


# --- admins: theme boards -------------------------------------------------------------------------


def board_admin(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    found = [b for b in boards.list_boards(db(request)) if b.cell_code is None]
    return render(
        request,
        "admin/forums.html",
        {"boards": found, "form": view or FormView()},
        status=status,
        private=True,
    )


def add_board(request: Request, form: Form) -> Response:
    try:
        boards.add_theme_board(
            db(request),
            auth.current_user(request),
            slug=text(form, "slug"),
            title=text(form, "title"),
            description=text(form, "description"),
        )
    except Invalid as error:
        return board_admin(
            request, form, FormView.from_form(form, "slug", "title", "description", error=error), 422
        )
    return redirect(request, url_for(request, "admin.forum_boards"), N_("Saved."))


routes = [
    route("/forums/moderation", queue, name="forums.queue"),
    route("/forums/posts/{post_id:id}/report", report_form, name="forums.report_form"),
    route(
        "/forums/posts/{post_id:id}/report",
        report,
        ["POST"],
        name="forums.report",
        limits=("rate.forum_report_per_user",),
    ),
    route("/forums/posts/{post_id:id}/hide", hide, ["POST"], name="forums.hide"),
    route("/forums/posts/{post_id:id}/restore", restore, ["POST"], name="forums.restore"),
    route("/forums/posts/{post_id:id}/dismiss", dismiss, ["POST"], name="forums.dismiss"),
    route("/forums/threads/{thread_id:id}/lock", lock, ["POST"], name="forums.lock"),
    route("/forums/threads/{thread_id:id}/pin", pin, ["POST"], name="forums.pin"),
    route("/forums/threads/{thread_id:id}/move", move, ["POST"], name="forums.move"),
    route("/admin/forums", board_admin, name="admin.forum_boards", admin=True),
    route("/admin/forums", add_board, ["POST"], name="admin.forum_board_add", admin=True),
]

admin_menu = [
    MenuEntry(
        "admin.forum_boards",
        N_("Forum boards"),
        N_("The city-wide theme boards of 共话家园; each grid cell has its own."),
    )
]
