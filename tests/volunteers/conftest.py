"""The volunteers' cast and a clock the tests move by hand.

The crew adds two team leaders to the named cast: 刘队长 leads the 柳岸 team, 吴队长 the 桂花 team,
and a few more residents sign up when a shift needs a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.passwords import Hasher
from core import clock
from tests.factories import make_team, make_user
from tests.people import Cast
from volunteers.models import Team

START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Asia/Shanghai


class Clock:
    """``core.clock.now`` under the test's hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture
def frozen(monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    held = Clock(START)
    monkeypatch.setattr(clock, "now", lambda: held.now)
    return held


@dataclass
class Crew:
    cast: Cast
    liu: User  # 刘队长, leads the team
    wu: User  # 吴队长, leads another team
    team: Team
    other_team: Team
    session: Session
    hasher: Hasher
    extra: list[User] = field(default_factory=list)

    def residents(self, count: int) -> list[User]:
        """``count`` residents besides the cast, made on first use."""
        while len(self.extra) < count:
            number = len(self.extra) + 1
            self.extra.append(
                make_user(self.session, self.hasher, f"zhiyuan{number:03d}", display_name=f"志愿者{number}")
            )
        return self.extra[:count]


@pytest.fixture
def crew(session, hasher, cast, frozen) -> Crew:  # type: ignore[no-untyped-def]
    liu, team = cast.liu_duizhang, cast.team  # the cast's team leader and his team
    wu = make_user(session, hasher, "wu_duizhang", display_name="吴队长")
    other = make_team(session, cast.admin, wu, name="桂花社区志愿服务队")
    session.flush()
    return Crew(cast, liu, wu, team, other, session, hasher)
