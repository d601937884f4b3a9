"""Switching the language (中文 / English); remembered in a cookie, no account needed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts import profile
from web import auth
from web.forms import Form, text
from web.htmx import redirect, safe_next
from web.i18n import LANG_COOKIE, LOCALES
from web.request_db import db
from web.routing import route


def choose_language(request: Request, form: Form) -> Response:
    locale = text(form, "locale")
    response = redirect(request, safe_next(text(form, "next")))
    if locale in LOCALES:
        user = auth.current_user(request)
        if user is not None:
            profile.set_locale(db(request), user, locale)
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
