"""A volunteer's own profile (志愿者信息) for the rules of shifts: date of birth and skills.

Both are optional and told by the volunteer; a shift with a minimum age or required skills asks for
them at sign-up. The ID number for a certificate is not here: see ``volunteers.certificates``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import N_, Invalid
from volunteers.access import require_signed_in
from volunteers.models import Profile, Skill, VolunteerSkill

OLDEST = 120


@dataclass(frozen=True)
class ProfileView:
    birth_date: date | None
    skills: frozenset[Skill]


def set_profile(
    session: Session, actor: User | None, *, birth_date: date | None, skills: Iterable[Skill]
) -> ProfileView:
    """Store the acting volunteer's date of birth and skills (replacing what was there)."""
    person = require_signed_in(actor)
    today = clock.local(clock.now()).date()
    if birth_date is not None and not (date(today.year - OLDEST, 1, 1) <= birth_date <= today):
        raise Invalid("birth_date", N_("Give a real date of birth."))
    profile = session.get(Profile, person.id) or Profile(user_id=person.id)
    profile.birth_date, profile.updated_at = birth_date, clock.now()
    session.add(profile)
    session.execute(delete(VolunteerSkill).where(VolunteerSkill.user_id == person.id))
    chosen = frozenset(skills)
    session.add_all(
        VolunteerSkill(user_id=person.id, skill=skill) for skill in sorted(chosen, key=lambda s: s.value)
    )
    return ProfileView(birth_date, chosen)


def profile_of(session: Session, user_id: int) -> ProfileView:
    """A volunteer's date of birth and skills (empty when never told)."""
    birth = session.scalar(select(Profile.birth_date).where(Profile.user_id == user_id))
    skills = frozenset(session.scalars(select(VolunteerSkill.skill).where(VolunteerSkill.user_id == user_id)))
    return ProfileView(birth, skills)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
