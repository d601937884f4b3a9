"""Certificates of service (志愿服务记录证明): the volunteer applies, the team accepts, then issues.

What a certificate carries follows 《志愿服务记录与证明出具办法（试行）》(民政部令第67号, 2021) and
民发〔2015〕149号: the volunteer's identity (name, type and number of the identity document), the
service (each activity with its date and hours, and the total), the issuing organisation with its
seal, the date of issue and a certificate number. Only verified ledger lines go on it, and it keeps
them as they were at issue.

The ID number is asked for only here and kept in ``Identity`` (never in ``users``): it is shown whole on
the certificate only, masked everywhere else, and never written to an audit row, a log, an export or
the search index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock
from core.errors import N_, Conflict, FieldErrors, Invalid, Msgid, NotFound, PermissionDenied
from volunteers.access import can_lead_team, get_team, require_signed_in
from volunteers.models import (
    Certificate,
    CertificateStatus,
    HoursRecord,
    Identity,
    IdType,
    MemberRole,
    Membership,
    MemberStatus,
    Team,
    mask_id_number,
)

C = CertificateStatus
MOVES: dict[CertificateStatus, frozenset[CertificateStatus]] = {
    C.applied: frozenset({C.accepted, C.declined}),
    C.accepted: frozenset({C.issued, C.declined}),
    C.issued: frozenset(),
    C.declined: frozenset(),
}

define_kind(
    "volunteer_certificate_applied",
    N_("A volunteer asks my team for a certificate of service"),
    N_("%(name)s asks %(team)s for a certificate of service."),
    target="certificate",
)
define_kind(
    "volunteer_certificate_decided",
    N_("My certificate of service was issued or declined"),
    N_("%(team)s: %(answer)s"),
    target="certificate",
)
ISSUED = N_("your certificate of service is ready.")
DECLINED = N_("your application for a certificate of service was declined.")

RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643: ISO 7064 MOD 11-2
CHECK_CHARACTERS = "10X98765432"


def is_resident_id(number: str) -> bool:
    """An 18-character resident ID number (居民身份证号码) with a valid birth date and check character."""
    if not RESIDENT_ID.match(number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], WEIGHTS, strict=True))
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return CHECK_CHARACTERS[total % 11] == number[17]


def is_id_number(id_type: IdType, number: str) -> bool:
    """A well-formed number for the document: fully checked for a resident ID, by shape otherwise."""
    return is_resident_id(number) if id_type is IdType.resident_id else bool(OTHER_ID.match(number))


def _check_application(
    session: Session, person: User, team: Team, real_name: str, id_type: IdType, number: str
) -> None:
    errors = FieldErrors()
    if not real_name.strip() or len(real_name.strip()) > 40:
        errors.add("real_name", N_("Give your name as on your identity document."))
    if not is_id_number(id_type, number):
        errors.add("id_number", N_("This is not a valid number for the document chosen."))
    verified = exists().where(
        HoursRecord.user_id == person.id, HoursRecord.team_id == team.id, HoursRecord.verified_at.is_not(None)
    )
    if not session.scalar(select(verified)):
        errors.add("team", N_("You have no verified hours with %(team)s yet."), team=team.name)
    errors.raise_if_any()


def apply_for_certificate(
    session: Session,
    actor: User | None,
    *,
    team_id: int,
    real_name: str,
    id_type: IdType,
    id_number: str,
    purpose: str = "",
) -> Certificate:
    """Ask a team for a certificate of service (申请证明), giving the identity it will name."""
    person = require_signed_in(actor)
    team = get_team(session, team_id)
    number = id_number.strip().upper().replace(" ", "")
    _check_application(session, person, team, real_name, id_type, number)
    _store_identity(session, person.id, real_name.strip(), id_type, number)
    now = clock.now()
    certificate = Certificate(
        team_id=team.id, user_id=person.id, status=C.applied, applied_at=now, purpose=purpose.strip()[:200]
    )
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:  # the same person applied twice at once
        raise Invalid(
            "team", N_("You have applied to %(team)s already: wait for its answer."), team=team.name
        ) from None
    params = {"team": team.name, "name": person.name}
    notify(
        session,
        _leader_ids(session, team.id),
        "volunteer_certificate_applied",
        "certificate",
        certificate.id,
        params,
    )
    return certificate


def _store_identity(session: Session, user_id: int, real_name: str, id_type: IdType, number: str) -> None:
    identity = session.get(Identity, user_id) or Identity(user_id=user_id)
    identity.real_name, identity.id_type, identity.id_number, identity.updated_at = (
        real_name,
        id_type,
        number,
        clock.now(),
    )
    session.add(identity)


def _leader_ids(session: Session, team_id: int) -> list[int]:
    statement = select(Membership.user_id).where(
        Membership.team_id == team_id,
        Membership.role == MemberRole.leader,
        Membership.status == MemberStatus.active,
    )
    return list(session.scalars(statement))


def _led_certificate(session: Session, actor: User | None, certificate_id: int) -> tuple[Certificate, Team]:
    certificate = session.get(
        Certificate, certificate_id, with_for_update={"key_share": True}, populate_existing=True
    )
    if certificate is None:
        raise NotFound()
    team = get_team(session, certificate.team_id)
    if not can_lead_team(actor, team):
        raise PermissionDenied()
    return certificate, team


def _check_move(certificate: Certificate, to: CertificateStatus) -> None:
    if to not in MOVES[certificate.status]:
        raise Conflict(
            N_("This application is now: %(status)s. Reload the page."),
            status=Msgid(certificate.status.label),
        )


def _move(certificate: Certificate, to: CertificateStatus) -> None:
    _check_move(certificate, to)
    certificate.status = to


def accept_certificate(session: Session, actor: User | None, *, certificate_id: int) -> Certificate:
    """Accept an application (受理): the team will prepare the certificate. Its leaders; audited."""
    certificate, team = _led_certificate(session, actor, certificate_id)
    _move(certificate, C.accepted)
    certificate.decided_at, certificate.decided_by_id = clock.now(), actor.id if actor else None
    audit.record(session, actor, "certificate.accept", "certificate", certificate.id, team_id=team.id)
    return certificate


def decline_certificate(
    session: Session, actor: User | None, *, certificate_id: int, reason: str
) -> Certificate:
    """Decline an application, saying why; the volunteer is told."""
    certificate, team = _led_certificate(session, actor, certificate_id)
    if not reason.strip():
        raise Invalid("reason", N_("Say why the application is declined."))
    _move(certificate, C.declined)
    certificate.decline_reason = reason.strip()[:500]
    certificate.decided_at, certificate.decided_by_id = clock.now(), actor.id if actor else None
    audit.record(session, actor, "certificate.decline", "certificate", certificate.id, team_id=team.id)
    _tell(session, certificate, team, DECLINED)
    return certificate


def issue_certificate(session: Session, actor: User | None, *, certificate_id: int) -> Certificate:
    """Issue an accepted certificate (出具证明): numbered, with the verified service as it is now."""
    certificate, team = _led_certificate(session, actor, certificate_id)
    identity = session.get(Identity, certificate.user_id)
    if identity is None:  # an application always stores one; it can only be gone with the account
        raise NotFound()
    _check_move(certificate, C.issued)
    now = clock.now()
    lines = _verified_lines(session, certificate.user_id, team.id)  # read before the changes below
    certificate.activities = [{"date": d.isoformat(), "activity": a, "minutes": m} for d, a, m in lines]
    certificate.total_minutes = sum(m for _d, _a, m in lines)
    certificate.organisation, certificate.real_name = team.organisation, identity.real_name
    certificate.number = f"ZYFW-{clock.local(now).year}-{team.id:04d}-{certificate.id:06d}"
    certificate.issued_at, certificate.issued_by_id = now, actor.id if actor else None
    certificate.status = C.issued  # last: an issued certificate always has its number (CHECK)
    audit.record(
        session, actor, "certificate.issue", "certificate", certificate.id, number=certificate.number
    )
    _tell(session, certificate, team, ISSUED)
    return certificate


def _verified_lines(session: Session, user_id: int, team_id: int) -> list[tuple[date, str, int]]:
    statement = (
        select(HoursRecord.served_on, HoursRecord.activity, HoursRecord.minutes)
        .where(
            HoursRecord.user_id == user_id,
            HoursRecord.team_id == team_id,
            HoursRecord.verified_at.is_not(None),
        )
        .order_by(HoursRecord.served_on, HoursRecord.id)
    )
    return [(day, activity, minutes) for day, activity, minutes in session.execute(statement)]


def _tell(session: Session, certificate: Certificate, team: Team, answer: str) -> None:
    params = {"team": team.name, "answer": answer}
    notify(
        session, [certificate.user_id], "volunteer_certificate_decided", "certificate", certificate.id, params
    )


# --- what pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    served_on: date
    activity: str
    minutes: int


@dataclass(frozen=True)
class CertificateContents:
    """What the certificate says, the whole ID number included: for the certificate page only."""

    number: str
    issued_at: datetime
    organisation: str  # the issuer, whose seal the certificate carries
    team_name: str
    real_name: str
    id_type: IdType
    id_number: str
    activities: tuple[Activity, ...]
    total_minutes: int

    def __repr__(self) -> str:  # never the whole number in a log line or a traceback
        return f"CertificateContents(number={self.number!r}, id_number={mask_id_number(self.id_number)!r})"


def certificate_contents(session: Session, actor: User | None, *, certificate_id: int) -> CertificateContents:
    """An issued certificate, for the volunteer it names, its team's leaders and admins."""
    person = require_signed_in(actor)
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or certificate.status is not C.issued:
        raise NotFound()
    team = get_team(session, certificate.team_id)
    if certificate.user_id != person.id and not can_lead_team(person, team):
        raise PermissionDenied()
    identity = session.get(Identity, certificate.user_id)
    if identity is None or certificate.number is None or certificate.issued_at is None:
        raise NotFound()
    activities = tuple(
        Activity(date.fromisoformat(a["date"]), a["activity"], a["minutes"]) for a in certificate.activities
    )
    return CertificateContents(
        certificate.number, certificate.issued_at, certificate.organisation, team.name, certificate.real_name,
        identity.id_type, identity.id_number, activities, certificate.total_minutes,
    )  # fmt: skip


@dataclass(frozen=True)
class CertificateRow:
    """An application in a list; the identity masked."""

    id: int
    team_id: int
    team_name: str
    user_id: int
    real_name: str
    id_type: IdType | None
    masked_number: str
    status: CertificateStatus
    number: str | None
    applied_at: datetime


def _rows() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Certificate.id, Team.id, Team.name, Certificate.user_id, Identity.real_name, Identity.id_type,
            Identity.id_number, Certificate.status, Certificate.number, Certificate.applied_at,
        )
        .join(Team, Team.id == Certificate.team_id)
        .outerjoin(Identity, Identity.user_id == Certificate.user_id)
        .order_by(Certificate.applied_at.desc(), Certificate.id.desc())
    )  # fmt: skip


def _to_rows(session: Session, statement: Select[Any]) -> list[CertificateRow]:
    return [
        CertificateRow(
            cid, tid, team, uid, name or "", id_type, mask_id_number(number or ""), status, code, applied
        )
        for cid, tid, team, uid, name, id_type, number, status, code, applied in session.execute(statement)
    ]


def certificates_of(session: Session, actor: User | None) -> list[CertificateRow]:
    """The acting volunteer's applications and certificates, newest first."""
    person = require_signed_in(actor)
    return _to_rows(session, _rows().where(Certificate.user_id == person.id))


def team_certificates(session: Session, actor: User | None, *, team_id: int) -> list[CertificateRow]:
    """A team's applications and certificates for its leaders, identities masked."""
    team = get_team(session, team_id)
    if not can_lead_team(actor, team):
        raise PermissionDenied()
    return _to_rows(session, _rows().where(Certificate.team_id == team.id))


@dataclass(frozen=True)
class MaskedIdentity:
    real_name: str
    id_type: IdType
    masked_number: str


def identity_of(session: Session, actor: User | None) -> MaskedIdentity | None:
    """The identity the acting volunteer gave last, masked (to show on the application form)."""
    person = require_signed_in(actor)
    identity = session.get(Identity, person.id)
    if identity is None:
        return None
    return MaskedIdentity(identity.real_name, identity.id_type, identity.masked_number)


def certificate_row(session: Session, actor: User | None, *, certificate_id: int) -> CertificateRow:
    """One application or certificate, identity masked: for its volunteer, the team's leaders, admins."""
    person = require_signed_in(actor)
    found = _to_rows(session, _rows().where(Certificate.id == certificate_id))
    if not found:
        raise NotFound()
    row = found[0]
    if row.user_id != person.id and not can_lead_team(person, get_team(session, row.team_id)):
        raise PermissionDenied()
    return row
