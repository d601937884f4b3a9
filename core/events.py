"""Domain events: how a lower package tells a higher one what happened without importing it.

``publish(session, event)`` calls every subscriber registered for the event's type at once, inside the
caller's transaction, so what a subscriber writes commits or rolls back with its cause. Subscribers are
registered at process start (app factory, CLI and worker alike: ``web.wiring.setup()``).

``on_commit(session, fn)`` runs ``fn`` after the transaction commits and forgets it on rollback. It is
for wake-ups only (a worker waiting for jobs); anything that must not be lost is a job row.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

E = TypeVar("E")
Subscriber = Callable[[Session, Any], None]

_subscribers: dict[type, list[Subscriber]] = defaultdict(list)
_CALLBACKS = "gongzhi_on_commit"


def subscribe(event_type: type[E], subscriber: Callable[[Session, E], None]) -> None:
    """Call ``subscriber(session, event)`` for each ``event_type`` published; registering twice is a no-op."""
    if subscriber not in _subscribers[event_type]:
        _subscribers[event_type].append(subscriber)


def unsubscribe(event_type: type, subscriber: Subscriber) -> None:
    if subscriber in _subscribers[event_type]:
        _subscribers[event_type].remove(subscriber)


def publish(session: Session, event_obj: object) -> None:
    """Deliver ``event_obj`` to its subscribers now, in this transaction; their errors are the caller's."""
    for subscriber in list(_subscribers[type(event_obj)]):
        subscriber(session, event_obj)


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; drop it if it rolls back."""
    session.info.setdefault(_CALLBACKS, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    for callback in session.info.pop(_CALLBACKS, []):
        try:
            callback()
        except Exception:  # a wake-up that fails must not turn a committed write into an error
            log.exception("on_commit callback failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_callbacks(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(_CALLBACKS, None)
