"""Switching the language (中文 / English); remembered in a cookie, no account needed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web import auth
from web.forms import text
from web.htmx import redirect, safe_next
from web.i18n import LANG_COOKIE, LOCALES
from web.routing import route


def choose_language(request: Request, form: dict) -> Response:
    locale = text(form, "locale")
    response = redirect(request, safe_next(text(form, "next")))
    if locale in LOCALES:
        user = auth.current_user(request)
        if user is not None:
            user.locale = locale  # e-mails and SMS follow the language the person reads the site in
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            samesite="lax",
            path="/",
            secure=request.app.state.settings.secure_cookies,
        )
    return response


routes = [route("/i18n/language", choose_language, ["POST"], name="i18n.language")]
