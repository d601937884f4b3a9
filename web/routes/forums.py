"""共话家园 forums: boards, threads, replies, reactions, following (the forums feature)."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import StakeholderGroup, User
from accounts.users import find_user_by_username
from core.errors import N_, Invalid, NotFound
from core.pages import clamp
from deliberation.consultations import convening, listing
from deliberation.consultations.access import can_convene
from deliberation.forums import (
    boards,
    following,
    handoff,
    moderation,
    overview,
    people,
    posts,
    reactions,
    threads,
)
from deliberation.forums.access import can_moderate, can_reply
from deliberation.forums.models import FollowTarget, Stance
from grid import cases as grid_cases
from grid import taxonomy, workflow
from grid.models import CaseSource
from search.kinds import forums as search_forums
from web import auth
from web.demo import forums as demo_forums
from web.feature import Feature, HomeArea, Link, NavItem, ParticipationArea
from web.forms import Form, FormView, number, photos, text
from web.htmx import is_fragment_request, redirect, render
from web.request_db import db
from web.routes import forums_moderation
from web.routing import route
from web.urls import url_for

THREAD_FIELDS = ("title", "body")


# --- boards ---------------------------------------------------------------------------------------


def board_list(request: Request, form: Form) -> Response:
    found = boards.list_boards(db(request))
    themes = [b for b in found if b.cell_code is None]
    by_street = [
        (street, list(group))
        for street, group in groupby((b for b in found if b.cell_code), lambda b: b.street)
    ]
    viewer = auth.current_user(request)
    return render(
        request,
        "forums/index.html",
        {
            "themes": themes,
            "by_street": by_street,
            "queue_size": moderation.open_report_count(db(request)) if can_moderate(viewer) else 0,
        },
    )


def board_page(request: Request, form: Form) -> Response:
    session, viewer = db(request), auth.current_user(request)
    board = boards.board_by_slug(session, request.path_params["slug"])
    return render(
        request,
        "forums/board.html",
        {
            "board": board,
            "threads": threads.threads_of_board(
                session, board.id, page=clamp(number(request.query_params, "page"))
            ),
            "following": following.is_following(session, viewer, FollowTarget.board, board.id),
        },
        block="thread_list",
    )


# --- starting a thread ----------------------------------------------------------------------------


def new_thread_form(
    request: Request, form: Form, view: FormView | None = None, status: int = 200
) -> Response:
    auth.require_user(request)
    board = boards.board_by_slug(db(request), request.path_params["slug"])
    return render(
        request,
        "forums/new_thread.html",
        {"board": board, "form": view or FormView()},
        block="thread_form",
        status=status,
    )


def start_thread(request: Request, form: Form) -> Response:
    settings = request.app.state.settings
    chosen = photos(form)
    try:
        thread = threads.start_thread(
            db(request),
            auth.require_user(request),
            board_slug=request.path_params["slug"],
            title=text(form, "title"),
            body=text(form, "body", strip=False),
            photos=chosen,
            upload_dir=settings.upload_dir,
            max_photo_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return new_thread_form(
            request, form, FormView.from_form(form, *THREAD_FIELDS, error=error), status=422
        )
    return redirect(
        request, url_for(request, "forums.thread", thread_id=thread.id), N_("Your thread is posted.")
    )


# --- reading a thread -----------------------------------------------------------------------------


def thread_page(
    request: Request,
    form: Form,
    reply: FormView | None = None,
    status: int = 200,
    hand_off_view: FormView | None = None,
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    thread = threads.thread_view(session, request.path_params["thread_id"])
    consultation_id = convening.raising_thread(session, thread.id)
    case = None if consultation_id else grid_cases.case_for_source(session, CaseSource.forum, str(thread.id))
    view = "arguments" if request.query_params.get("view") == "arguments" else "conversation"
    pages = posts.pages_of(thread.post_count)
    page = min(clamp(number(request.query_params, "page")), pages)
    shown = posts.page_of_posts(session, viewer, thread.id, page) if view == "conversation" else []
    sides = posts.arguments(session, viewer, thread.id) if view == "arguments" else {}
    all_posts = shown or [p for side in sides.values() for p in side]
    return render(
        request,
        "forums/thread.html",
        {
            "thread": thread,
            "view": view,
            "posts": shown,
            "sides": sides,
            "stances": list(Stance),
            "page": page,
            "pages": pages,
            "photos": threads.photos_of(session, [p.id for p in all_posts if p.number == 1]),
            "participants": threads.participants(session, thread.id),
            "groups": list(StakeholderGroup),
            "following": following.is_following(session, viewer, FollowTarget.thread, thread.id),
            "may_reply": can_reply(viewer, thread),
            "moderator": can_moderate(viewer),
            "boards": boards.list_boards(session) if can_moderate(viewer) else [],
            "reply": reply or _reply_view(request, viewer),
            "consultation_id": consultation_id,
            "may_raise": can_convene(viewer),
            "case": case,
            "case_history": grid_cases.history(session, case.id) if case else [],
            "case_labels": workflow.STEP_LABELS,
            "may_hand_off": not consultation_id and case is None and handoff.can_hand_off(viewer),
            "categories": taxonomy.choices(session) if handoff.can_hand_off(viewer) else [],
            "hand_off": hand_off_view or FormView(),
        },
        block="posts",
        status=status,
    )


def hand_off(request: Request, form: Form) -> Response:
    thread_id = request.path_params["thread_id"]
    try:
        case = handoff.hand_off_thread(
            db(request),
            auth.require_user(request),
            thread_id,
            class_id=number(form, "category"),
            note=text(form, "note"),
        )
    except Invalid as error:
        view = FormView.from_form(form, "category", "note", error=error)
        return thread_page(request, form, status=422, hand_off_view=view)
    message = N_("Handed to the grid: the case is in its queue, and everyone in the thread follows it.")
    return redirect(request, url_for(request, "cases.detail", case_id=case.id), message)


def _reply_view(request: Request, viewer: object) -> FormView:
    reply_to = number(request.query_params, "reply_to")
    if reply_to is None:
        return FormView()
    quote = posts.quote_text(db(request), viewer, reply_to) if request.query_params.get("quote") else ""  # type: ignore[arg-type]
    return FormView(values={"reply_to": str(reply_to), "body": quote})


def new_posts(request: Request, form: Form) -> Response:
    """The live poll: the posts after the last one shown, or 204 while there are none."""
    session, viewer = db(request), auth.current_user(request)
    thread_id = request.path_params["thread_id"]
    after = number(request.query_params, "after") or 0
    found = posts.posts_after(session, viewer, thread_id, after)
    if not found:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    thread = threads.thread_view(session, thread_id)
    if not is_fragment_request(request):  # only the poll asks here; a person gets the thread's last page
        last = posts.pages_of(thread.post_count)
        return redirect(request, url_for(request, "forums.thread", thread_id=thread.id, query={"page": last}))
    context = {
        "thread": thread,
        "new": found,
        "after": found[-1].number,
        "photos": {},
        "moderator": can_moderate(viewer),
        "may_reply": can_reply(viewer, thread),
        "page": posts.pages_of(thread.post_count),
    }
    return render(request, "forums/thread.html", context, block="new_posts")


def post_link(request: Request, form: Form) -> Response:
    """A link straight to any post: its thread's page that holds it, at its anchor."""
    thread_id, page, number_ = posts.locate(db(request), request.path_params["post_id"])
    target = url_for(request, "forums.thread", thread_id=thread_id, query={"page": page if page > 1 else ""})
    return redirect(request, f"{target}#post-{number_}")


# --- writing --------------------------------------------------------------------------------------


def reply(request: Request, form: Form) -> Response:
    try:
        post = posts.post_reply(
            db(request),
            auth.require_user(request),
            thread_id=request.path_params["thread_id"],
            body=text(form, "body", strip=False),
            stance=text(form, "stance"),
            reply_to_id=number(form, "reply_to"),
        )
    except Invalid as error:
        return thread_page(
            request, form, FormView.from_form(form, "body", "stance", "reply_to", error=error), 422
        )
    return redirect(request, url_for(request, "forums.post", post_id=post.id), N_("Your reply is posted."))


def edit_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    post = posts.editable_post(db(request), auth.require_user(request), request.path_params["post_id"])
    return render(
        request,
        "forums/edit.html",
        {"post": post, "form": view or FormView(values={"body": post.body})},
        block="edit_form",
        status=status,
    )


def edit(request: Request, form: Form) -> Response:
    post_id = request.path_params["post_id"]
    try:
        posts.edit_post(db(request), auth.require_user(request), post_id, text(form, "body", strip=False))
    except Invalid as error:
        return edit_form(request, form, FormView.from_form(form, "body", error=error), status=422)
    return redirect(request, url_for(request, "forums.post", post_id=post_id), N_("Saved."))


def delete(request: Request, form: Form) -> Response:
    post = posts.delete_post(db(request), auth.require_user(request), request.path_params["post_id"])
    return redirect(request, url_for(request, "forums.post", post_id=post.id), N_("Your post is withdrawn."))


def history_page(request: Request, form: Form) -> Response:
    post, versions = posts.history(db(request), auth.current_user(request), request.path_params["post_id"])
    thread = threads.thread_view(db(request), post.thread_id)
    return render(request, "forums/history.html", {"post": post, "thread": thread, "versions": versions})


def react(request: Request, form: Form) -> Response:
    """有道理: toggled; htmx gets the button back, a plain form goes back to the post."""
    post_id = request.path_params["post_id"]
    reacted, count = reactions.toggle_reaction(db(request), auth.require_user(request), post_id)
    if not is_fragment_request(request):
        return redirect(request, url_for(request, "forums.post", post_id=post_id))
    context = {"post_id": post_id, "reacted": reacted, "count": count, "own": False}
    return render(request, "forums/reaction.html", context, block="reaction")


def follow_thread(request: Request, form: Form) -> Response:
    thread = threads.thread_view(db(request), request.path_params["thread_id"])
    _follow(request, form, FollowTarget.thread, thread.id)
    return redirect(request, url_for(request, "forums.thread", thread_id=thread.id), _followed(form))


def follow_board(request: Request, form: Form) -> Response:
    board = boards.board_by_slug(db(request), request.path_params["slug"])
    _follow(request, form, FollowTarget.board, board.id)
    return redirect(request, url_for(request, "forums.board", slug=board.slug), _followed(form))


def _follow(request: Request, form: Form, target: FollowTarget, target_id: int) -> None:
    user = auth.require_user(request)
    if text(form, "action") == "unfollow":
        following.unfollow(db(request), user, target, target_id)
    else:
        following.follow(db(request), user, target, target_id)


def _followed(form: Form) -> str:
    return N_("You no longer follow it.") if text(form, "action") == "unfollow" else N_("You follow it now.")


# --- a person's page ------------------------------------------------------------------------------


def person_page(request: Request, form: Form) -> Response:
    session = db(request)
    author = find_user_by_username(session, request.path_params["username"])
    if author is None:
        raise NotFound()
    return render(
        request,
        "forums/person.html",
        {
            "author": author,
            "started": people.threads_started(session, author),
            "contributions": people.contributions(
                session, auth.current_user(request), author, page=clamp(number(request.query_params, "page"))
            ),
        },
        block="contributions",
    )


POSTING = ("rate.forum_post_per_user", "rate.forum_post_per_ip")
routes = [
    route("/forums/", board_list, name="forums.index"),
    route("/forums/boards/{slug}", board_page, name="forums.board"),
    route("/forums/boards/{slug}/new", new_thread_form, name="forums.new_thread"),
    route(
        "/forums/boards/{slug}/threads",
        start_thread,
        ["POST"],
        name="forums.start_thread",
        uploads=True,
        limits=("rate.forum_thread_per_user", "rate.forum_thread_per_ip"),
    ),
    route("/forums/boards/{slug}/follow", follow_board, ["POST"], name="forums.follow_board"),
    route("/forums/threads/{thread_id:id}", thread_page, name="forums.thread"),
    route("/forums/threads/{thread_id:id}/new", new_posts, name="forums.new_posts"),
    route("/forums/threads/{thread_id:id}/hand-off", hand_off, ["POST"], name="forums.hand_off"),
    route("/forums/threads/{thread_id:id}/posts", reply, ["POST"], name="forums.reply", limits=POSTING),
    route("/forums/threads/{thread_id:id}/follow", follow_thread, ["POST"], name="forums.follow_thread"),
    route("/forums/posts/{post_id:id}", post_link, name="forums.post"),
    route("/forums/posts/{post_id:id}/edit", edit_form, name="forums.edit_form"),
    route("/forums/posts/{post_id:id}/edit", edit, ["POST"], name="forums.edit", limits=POSTING),
    route("/forums/posts/{post_id:id}/delete", delete, ["POST"], name="forums.delete"),
    route("/forums/posts/{post_id:id}/history", history_page, name="forums.history"),
    route(
        "/forums/posts/{post_id:id}/reaction",
        react,
        ["POST"],
        name="forums.react",
        limits=("rate.forum_reaction_per_user",),
    ),
    route("/forums/people/{username}", person_page, name="forums.person"),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    """Her threads, with the consultation each became and the case each led to (handed over from the
    thread itself or from its consultation)."""
    joined = people.threads_joined(session, user.id)
    raised = listing.for_threads(session, [t.id for t in joined])
    handed = grid_cases.cases_for_sources(session, CaseSource.forum, [str(t.id) for t in joined])
    agreed = grid_cases.cases_for_sources(
        session, CaseSource.consultation, [str(c.id) for c in raised.values()]
    )
    for thread_id, consultation in raised.items():
        if str(consultation.id) in agreed:
            handed[str(thread_id)] = agreed[str(consultation.id)]
    return {"threads": joined, "consultations": raised, "cases": handed}


feature = Feature(
    name="forums",
    participation=ParticipationArea("forums", "forums/_participation.html", _participation),
    routes=[*routes, *forums_moderation.routes],
    models=["deliberation.forums.models"],
    registers=[
        "deliberation.forums.boards",
        "deliberation.forums.threads",
        "deliberation.forums.posts",
        "deliberation.forums.moderation",
        "deliberation.forums.people",
        "deliberation.forums.limits",
    ],
    links={"forum_thread": Link("forums.thread", "thread_id"), "forum_post": Link("forums.post", "post_id")},
    searchables=search_forums.SEARCHABLES,
    audit_labels={
        "forum_board.add": N_("Added a forum board"),
        "forum_post.hide": N_("Hid a forum post"),
        "forum_post.restore": N_("Showed a forum post again"),
        "forum_report.dismiss": N_("Dismissed reports of a forum post"),
        "forum_thread.lock": N_("Locked a forum thread"),
        "forum_thread.unlock": N_("Reopened a forum thread"),
        "thread.hand_off": N_("Handed a forum thread to the grid"),
        "forum_thread.pin": N_("Pinned a forum thread"),
        "forum_thread.unpin": N_("Unpinned a forum thread"),
        "forum_thread.move": N_("Moved a forum thread"),
    },
    admin_menu=forums_moderation.admin_menu,
    nav=NavItem("forums.index", N_("Forums")),
    home=HomeArea("forums", "forums/_home.html", overview.home_summary),
    demo=demo_forums.load,
)
