"""The job that sends a notification by e-mail or SMS, written in the reader's own language.

It lives in ``web`` because the translations do. Idempotent: a notification already delivered on a
channel is not sent again (a crash between sending and recording it can still send twice: at least once).
"""

from __future__ import annotations

from typing import Any

from accounts import notifications
from accounts.models import Notification
from core.db import run_write
from core.errors import N_
from core.jobs import JobContext, handler
from web.i18n import Catalogs, Translator


def render_text(translator: Translator, notification: Notification) -> str:
    """The notification's sentence in the reader's language (its values too, when they are msgids)."""
    kind = notifications.KINDS.get(notification.kind)
    params = {k: translator.text(v) if isinstance(v, str) else v for k, v in notification.params.items()}
    if kind is None:
        return translator.text(N_("You have a new notification."))
    return translator.text(kind.text, **params)


@handler(notifications.DELIVER_JOB, timeout=60, max_attempts=6)
def deliver(context: JobContext, payload: dict[str, Any]) -> None:
    channel_name = payload["channel"]
    with context.sessions.read() as session:
        found = notifications.get_for_delivery(session, payload["notification_id"])
    if found is None:
        return  # the person or the notification is gone: nothing to send
    notification, user = found
    already = notification.emailed_at if channel_name == "email" else notification.texted_at
    address = user.email if channel_name == "email" else user.phone
    if already is not None or not address:
        return
    catalogs: Catalogs = context.resources.get("catalogs") or Catalogs()
    translator = catalogs.for_locale(user.locale)
    body = render_text(translator, notification)
    links = context.resources["links"]
    link = links.absolute(
        context.resources.get("base_url", ""), notification.target_kind, notification.target_id
    )
    if link and channel_name == "email":
        body = f"{body}\n\n{link}"
    channel = context.resources["channels"][channel_name]
    channel.send(address, translator.text(N_("Gongzhi notification")), body)
    run_write(context.sessions, lambda s: notifications.mark_delivered(s, notification.id, channel_name))
