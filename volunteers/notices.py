"""What volunteers and leaders are told about shifts (通知): the notification kinds and their values.

Every kind here is about a shift (``target="shift"``); ``web`` links it to the shift's page. Times go
into the stored values as Asia/Shanghai wall-clock text, because a notification is rendered later,
perhaps by e-mail, and must read the same then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accounts.notifications import define_kind, notify
from core import clock
from core.errors import N_
from volunteers.models import Shift

for _name, _label, _text in (
    (
        "volunteer_offer",
        N_("A place on a shift is offered to me"),
        N_("A place on %(shift)s (%(when)s) is free for you. Accept it by %(until)s."),
    ),
    (
        "volunteer_offer_expired",
        N_("An offered place was not accepted in time"),
        N_("The place on %(shift)s offered to you was not accepted in time."),
    ),
    (
        "volunteer_back_on_waitlist",
        N_("A shift I signed up for has fewer places"),
        N_("%(shift)s now has fewer places: you are back on its waiting list."),
    ),
    (
        "volunteer_shift_changed",
        N_("A shift I signed up for has changed"),
        N_("%(shift)s has changed: now %(when)s at %(place)s."),
    ),
    (
        "volunteer_shift_cancelled",
        N_("A shift I signed up for is cancelled"),
        N_("%(shift)s (%(when)s) is cancelled."),
    ),
    (
        "volunteer_signup_removed",
        N_("A team leader took me off a shift"),
        N_("A team leader took you off %(shift)s (%(when)s)."),
    ),
    (
        "volunteer_signup_needs_approval",
        N_("A sign-up for a shift I lead needs my approval"),
        N_("%(name)s asks to sign up for %(shift)s (%(when)s)."),
    ),
    (
        "volunteer_signup_decided",
        N_("A leader answered my sign-up"),
        N_("%(shift)s (%(when)s): %(answer)s"),
    ),
    (
        "volunteer_reminder_eve",
        N_("Reminder the day before a shift"),
        N_("Tomorrow: %(shift)s at %(when)s, %(place)s. If you cannot come, cancel so someone else can."),
    ),
    (
        "volunteer_reminder_day",
        N_("Reminder on the day of a shift"),
        N_("Today: %(shift)s at %(when)s, %(place)s."),
    ),
    (
        "volunteer_attendance_due",
        N_("A shift I lead is over: who came?"),
        N_("%(shift)s (%(when)s) is over. Mark who came and who did not."),
    ),
):
    define_kind(_name, _label, _text, target="shift")

SIGNUP_ACCEPTED = N_("the leader accepted your sign-up.")
SIGNUP_REFUSED = N_("the leader did not accept your sign-up.")


def local_text(moment: datetime) -> str:
    """A UTC moment as Asia/Shanghai wall-clock text, for a notification's stored values."""
    return clock.local(moment).strftime("%Y-%m-%d %H:%M")


def shift_params(shift: Shift, **extra: Any) -> dict[str, Any]:
    """The values every shift notification's text uses: title, local time, place."""
    return {"shift": shift.title, "when": local_text(shift.starts_at), "place": shift.place, **extra}


def tell(session: Session, user_ids: Iterable[int], kind: str, shift: Shift, **extra: Any) -> None:
    """Notify ``user_ids`` about ``shift`` with the shift's title, time and place."""
    people = list(user_ids)
    if people:
        notify(session, people, kind, "shift", shift.id, shift_params(shift, **extra))
