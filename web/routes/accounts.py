"""Register, log in and out, the profile, the password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts import logins, profile
from accounts.login import LockedOut, authenticate
from accounts.logins import NewLogin
from accounts.models import StakeholderGroup
from core.errors import N_, Invalid, Message
from grid import cells, residents, roster
from web import auth, csrf
from web.demo import accounts as demo_accounts
from web.feature import Feature, Link, MenuEntry
from web.forms import Form, FormView, text
from web.htmx import redirect, render, safe_next
from web.request_db import db, reading
from web.routes import admin_users
from web.routing import route
from web.session import client_ip
from web.urls import url_for

REGISTER_FIELDS = ("username", "display_name", "group", "home_cell")


def _signed_in(request: Request, response: Response, login: NewLogin) -> Response:
    """Set the new login's cookie, and a new CSRF cookie: the token is bound to the login."""
    auth.log_in(request, response, login)
    return _fresh_csrf(request, response)


def _fresh_csrf(request: Request, response: Response) -> Response:
    """A new CSRF cookie whenever the login changes hands (the next page issues it)."""
    response.delete_cookie(csrf.cookie_name(request), path="/")
    return response


# --- registration ---------------------------------------------------------------------------------


def _register_page(request: Request, form: FormView, status: int = 200) -> Response:
    session = db(request)
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "groups": [StakeholderGroup.resident, StakeholderGroup.served],
            "cells": cells.cell_choices(session),
        },
        block="register_form",
        status=status,
    )


def register_form(request: Request, form: Form) -> Response:
    return _register_page(request, FormView(values={"group": StakeholderGroup.resident.value}))


def register(request: Request, form: Form) -> Response:
    """Registration manages its own transactions (``residents.sign_up``): argon2 runs between them."""
    try:
        result = residents.sign_up(
            request.app.state.sessions,
            request.app.state.hasher,
            username=text(form, "username"),
            password=text(form, "password", strip=False),
            password_again=text(form, "password_again", strip=False),
            display_name=text(form, "display_name"),
            group=text(form, "group"),
            home_cell_code=text(form, "home_cell"),
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except Invalid as error:
        with reading(request):
            return _register_page(request, FormView.from_form(form, *REGISTER_FIELDS, error=error), 422)
    response = redirect(request, url_for(request, "accounts.me"), N_("Welcome! Your account is ready."))
    return _signed_in(request, response, result.login)


# --- login and logout -----------------------------------------------------------------------------


def _login_page(
    request: Request, form: FormView, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    with reading(request):  # the login post manages its own transactions
        return render(
            request, "accounts/login.html", {"form": form}, block="login_form", status=status, headers=headers
        )


def login_form(request: Request, form: Form) -> Response:
    return _login_page(request, FormView(values={"next": safe_next(request.query_params.get("next"), "")}))


def login(request: Request, form: Form) -> Response:
    view = FormView.from_form(form, "username", "next")
    username, password = text(form, "username"), text(form, "password", strip=False)
    if not username or not password:
        view.errors["password"] = Message(N_("Enter your username and password."))
        return _login_page(request, view, status=422)
    try:
        result = authenticate(
            request.app.state.sessions,
            request.app.state.hasher,
            username,
            password,
            client_ip(request),
            request.headers.get("user-agent", ""),
        )
    except LockedOut as error:
        view.errors["password"] = error.message
        return _login_page(request, view, status=429, headers={"Retry-After": str(error.retry_after)})
    except Invalid as error:
        view.errors = dict(error.errors)
        return _login_page(request, view, status=422)
    response = redirect(request, safe_next(text(form, "next"), url_for(request, "accounts.me")))
    return _signed_in(request, response, result.login)


def logout(request: Request, form: Form) -> Response:
    response = redirect(request, url_for(request, "home"), N_("You are logged out."))
    auth.log_out(request, response)
    return _fresh_csrf(request, response)


def logout_everywhere(request: Request, form: Form) -> Response:
    user = auth.require_user(request)
    login_id = auth.current_login_id(request)
    assert login_id is not None  # a logged-in request has its login
    logins.end_other_logins(db(request), user, login_id)
    return redirect(request, url_for(request, "accounts.me"), N_("Your other logins have ended."))


def end_device(request: Request, form: Form) -> Response:
    """Log one of one's own devices out from the list on the profile page."""
    user = auth.require_user(request)
    logins.end_device(db(request), user, request.path_params["login_id"])
    return redirect(request, url_for(request, "accounts.me"), N_("That device is logged out."))


# --- profile --------------------------------------------------------------------------------------


def me(request: Request, form: Form, home_form: FormView | None = None, status: int = 200) -> Response:
    user = auth.require_user(request)
    session = db(request)
    home = residents.home_cell(session, user.id)
    return render(
        request,
        "accounts/me.html",
        {
            "home": home,
            "staff": roster.staff_of(session, home.id) if home else [],
            "posts": roster.posts_of(session, user.id),
            "cells": cells.cell_choices(session),
            "home_form": home_form or FormView(values={"home_cell": home.code if home else ""}),
            "devices": logins.devices_of(session, user.id),
            "this_login": auth.current_login_id(request),
        },
        block="home_cell",
        status=status,
        private=True,
    )


def move_home(request: Request, form: Form) -> Response:
    user = auth.require_user(request)
    try:
        residents.move_home(db(request), user, text(form, "home_cell"))
    except Invalid as error:
        return me(request, form, FormView.from_form(form, "home_cell", error=error), status=422)
    return redirect(request, url_for(request, "accounts.me"), N_("Your home grid cell is saved."))


def password_form(request: Request, form: Form) -> Response:
    auth.require_user(request)
    return render(
        request, "accounts/password.html", {"form": FormView()}, block="password_form", private=True
    )


def change_password(request: Request, form: Form) -> Response:
    with reading(request):
        user = auth.require_user(request)
        login_id = auth.current_login_id(request)
    try:
        profile.change_password(
            request.app.state.sessions,
            request.app.state.hasher,
            user.id,
            current=text(form, "current", strip=False),
            new=text(form, "new", strip=False),
            new_again=text(form, "new_again", strip=False),
            login_id=login_id,
            ip=client_ip(request),
        )
    except Invalid as error:
        with reading(request):
            return render(
                request,
                "accounts/password.html",
                {"form": FormView(errors=dict(error.errors))},
                block="password_form",
                status=422,
                private=True,
            )
    return redirect(
        request, url_for(request, "accounts.me"), N_("Your password is changed. Other logins have ended.")
    )


routes = [
    route("/accounts/register", register_form, name="accounts.register_form"),
    route(
        "/accounts/register",
        register,
        ["POST"],
        name="accounts.register",
        own_transactions=True,
        hashes=True,
        limits=("rate.register_per_ip",),
    ),
    route("/accounts/login", login_form, name="accounts.login_form"),
    route(
        "/accounts/login",
        login,
        ["POST"],
        name="accounts.login",
        own_transactions=True,
        hashes=True,
        limits=("rate.login_per_ip",),
    ),
    route("/accounts/logout", logout, ["POST"], name="accounts.logout"),
    route("/accounts/logout-everywhere", logout_everywhere, ["POST"], name="accounts.logout_everywhere"),
    route("/accounts/logins/{login_id:id}/end", end_device, ["POST"], name="accounts.end_device"),
    route("/accounts/me", me, name="accounts.me"),
    route("/accounts/me/home-cell", move_home, ["POST"], name="accounts.move_home"),
    route("/accounts/password", password_form, name="accounts.password_form"),
    route(
        "/accounts/password",
        change_password,
        ["POST"],
        name="accounts.change_password",
        own_transactions=True,
        hashes=True,
        limits=("rate.password_per_user",),
    ),
]


feature = Feature(
    name="accounts",
    routes=[*routes, *admin_users.routes],
    models=["accounts.models"],
    registers=["accounts.housekeeping"],
    links={"user": Link("accounts.me")},
    audit_labels={
        "account.activate": N_("Restored an account"),
        "account.suspend": N_("Suspended an account"),
        "account.end_other_logins": N_("Logged out on other devices"),
        "account.password_change": N_("Changed the password"),
        "role.grant": N_("Gave a role"),
        "role.revoke": N_("Took a role away"),
        "role.make_chair": N_("Made committee chair"),
        "group.set": N_("Changed the stakeholder group"),
    },
    admin_menu=[
        MenuEntry(
            "admin.users",
            N_("Users and roles"),
            N_(
                "Find people; make committee members, the chair, moderators and "
                "administrators; confirm government and community staff."
            ),
        )
    ],
    demo=demo_accounts.load,
)
