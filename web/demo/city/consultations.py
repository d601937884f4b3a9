"""The city's consultations, through the services: each raised from one of the city's threads by a
committee member and moved along its lifecycle. The first ones collect views (their merges follow);
the rest are spread over draft, collecting, deliberating, not agreed and closed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.users import find_user_by_username
from core import clock
from core.db import run_write
from deliberation.consultations import convening, lifecycle
from deliberation.forums.models import Thread
from grid.models import GridCell
from web.demo.city import CityContext

CONVENERS = ("chen_weiyuan", "zhou_jiaoshou", "wu_laoshi", "zheng_lao")
# the moves after convening, by where a consultation ends up
PATHS = (
    (),
    ("open",),
    ("open", "deliberate"),
    ("open", "deliberate", "disagree"),
    ("open", "deliberate", "disagree", "close"),
)
NOTES = {
    "open": "请居民、商户和相关部门在截止日期前发表意见。",
    "deliberate": "意见征集结束，进入议事。",
    "disagree": "各方分歧较大，暂未形成一致意见。",
    "close": "建议结合明年的改造计划再议。",
}


def load(ctx: CityContext) -> dict[str, int]:
    return run_write(ctx.sessions, lambda session: _consultations(session, ctx))


def _person(session: Session, username: str) -> User:
    user = find_user_by_username(session, username)
    if user is None:
        raise LookupError(f"the city is built on the demo: {username!r} is missing (run `gongzhi demo`)")
    return user


def _consultations(session: Session, ctx: CityContext) -> dict[str, int]:
    conveners = [_person(session, name) for name in CONVENERS]
    cells = list(session.scalars(select(GridCell.code).order_by(GridCell.code)))
    deadline = clock.now() + timedelta(days=14)
    moves = 0
    for n, thread_id in enumerate(ctx.threads[: ctx.scale.consultations]):
        title = session.scalar(select(Thread.title).where(Thread.id == thread_id))
        convener = conveners[n % len(conveners)]
        consultation = convening.convene(
            session,
            convener,
            title=f"{title}（第{n + 1}号议题）",
            question=f"{title}，该怎么办？请各方提出办法。",
            background="居民在论坛上反映了这个问题，群议委决定召集协商。",
            scope=cells[n % len(cells)],
            deadline=deadline,
            thread_id=thread_id,
        )
        session.flush()  # the moves name it by id
        path = PATHS[1] if n < ctx.scale.merges else PATHS[n % len(PATHS)]
        for action in path:
            lifecycle.move(session, convener, consultation.id, action, NOTES[action])
            moves += 1
        if n < ctx.scale.merges:
            ctx.merges.append(consultation.id)
    return {"consultations": min(len(ctx.threads), ctx.scale.consultations), "moves": moves}
