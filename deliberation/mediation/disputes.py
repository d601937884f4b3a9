"""Applying for mediation (申请调解), the chair's decision (受理 / 不予受理), referral (转介) and closing
(结案) with a follow-up day (回访).

Every service checks who acts and every field before it writes, and changes state only through
``lifecycle.advance`` on the dispute's locked row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from accounts.models import Role, User
from accounts.notifications import notify
from accounts.roles import committee_chair
from accounts.users import find_user_by_username
from core import audit, clock, files, jobs
from core.errors import N_, FieldErrors, Invalid, PermissionDenied
from deliberation.mediation import fields, lifecycle
from deliberation.mediation.access import FILE_OWNER, access_dispute, can_apply
from deliberation.mediation.lifecycle import WORK_NOTICE, Case
from deliberation.mediation.models import (
    Action,
    Dispute,
    DisputeKind,
    DisputeParty,
    DisputeStatus,
    Referral,
    Side,
)

ATTACHMENTS_MAX = 4
ACCOUNT_MIN, WANTED_MIN, NAME_MAX = 10, 5, 60
FOLLOW_UP_JOB = "mediation.follow_up"
FOLLOW_UP_HOUR = time(9, 0)  # the reminder arrives on the morning of the follow-up day


@dataclass(frozen=True)
class Upload:
    """A file as the web layer hands it over: its bytes and the name it came with."""

    file: BinaryIO
    name: str


@dataclass(frozen=True)
class Application:
    """What a resident fills in to ask for mediation."""

    kind: str
    account: str  # what happened
    wanted: str  # what they would like to achieve
    respondent_username: str = ""  # the other party, if they are on Gongzhi ...
    respondent_name: str = ""  # ... or their name, if not


def apply_for_mediation(
    session: Session,
    actor: User | None,
    application: Application,
    *,
    attachments: list[Upload] | None = None,
    upload_dir: Path | None = None,
    max_file_bytes: int = 10 * 1024 * 1024,
) -> Dispute:
    """Ask the committee to mediate (申请调解). The chair is asked to decide; the other party, if
    registered, is told a case concerns them. ``Invalid`` names every wrong field before any write."""
    if not can_apply(actor):
        raise PermissionDenied()
    assert actor is not None
    errors = FieldErrors()
    kind = _kind(errors, application.kind)
    other, outside_name = _respondent(session, errors, actor, application)
    account = fields.written(errors, "account", application.account, low=ACCOUNT_MIN, high=fields.LONG_MAX)
    wanted = fields.written(errors, "wanted", application.wanted, low=WANTED_MIN, high=fields.LONG_MAX)
    prepared = _prepare(errors, attachments or [], upload_dir, max_file_bytes)
    errors.raise_if_any()
    assert kind is not None
    case = _open_case(session, actor, kind, account, wanted, other, outside_name)
    for upload in prepared:
        assert upload_dir is not None  # _prepare refused files without a folder
        files.keep(
            session, upload_dir, upload, owner_kind=FILE_OWNER, owner_id=case.id, uploaded_by_id=actor.id
        )
    lifecycle.record(session, case, actor, Action.apply, None, DisputeStatus.applied)
    chair = committee_chair(session)
    if chair is not None and chair.id != actor.id:
        notify(session, [chair.id], WORK_NOTICE, lifecycle.TARGET, case.id)
    return case.dispute


def _open_case(
    session: Session,
    applicant: User,
    kind: DisputeKind,
    account: str,
    wanted: str,
    other: User | None,
    outside_name: str,
) -> Case:
    """The dispute row, filed now, with its two parties."""
    now = clock.now()
    dispute = Dispute(
        kind=kind,
        status=DisputeStatus.applied,
        filed_year=clock.local(now).year,
        applicant_id=applicant.id,
        account=account,
        wanted=wanted,
        created_at=now,
        changed_at=now,
    )
    session.add(dispute)
    session.flush()  # the parties, the files and the timeline name the dispute
    parties = [
        DisputeParty(dispute_id=dispute.id, side=Side.applicant, user_id=applicant.id),
        DisputeParty(
            dispute_id=dispute.id,
            side=Side.respondent,
            user_id=other.id if other else None,
            outside_name=outside_name,
        ),
    ]
    session.add_all(parties)
    return Case(dispute, parties)


def _kind(errors: FieldErrors, value: str) -> DisputeKind | None:
    try:
        return DisputeKind(value)
    except ValueError:
        errors.add("kind", N_("Choose what the dispute is about."))
        return None


def _respondent(
    session: Session, errors: FieldErrors, actor: User, application: Application
) -> tuple[User | None, str]:
    """The other party: a registered person by username, or a name; exactly one of the two."""
    username = application.respondent_username.strip().lstrip("@")
    name = " ".join(application.respondent_name.split())
    if username and name:
        errors.add("respondent_name", N_("Give their username or their name, not both."))
        return None, ""
    if not username and not name:
        errors.add(
            "respondent_username",
            N_("Say who the dispute is with: their username on Gongzhi, or their name."),
        )
        return None, ""
    if name:
        if len(name) > NAME_MAX:
            errors.add("respondent_name", N_("At most %(max)s characters."), max=NAME_MAX)
        return None, name
    other = find_user_by_username(session, username)
    if other is None or not other.is_active:
        errors.add(
            "respondent_username",
            N_("Nobody on Gongzhi has this username. If they are not on Gongzhi, write their name instead."),
        )
        return None, ""
    if other.id == actor.id:
        errors.add("respondent_username", N_("The other party must be someone else."))
    return other, ""


def _prepare(
    errors: FieldErrors, uploads: list[Upload], upload_dir: Path | None, max_bytes: int
) -> list[files.Prepared]:
    """Check every attachment before anything is written; the first problem is the field's message."""
    if len(uploads) > ATTACHMENTS_MAX:
        errors.add("attachments", N_("At most %(max)s files."), max=ATTACHMENTS_MAX)
        return []
    prepared = []
    for upload in uploads:
        try:
            checked = files.prepare(upload.file, name=upload.name, max_bytes=max_bytes)
        except Invalid as error:
            errors.errors.setdefault("attachments", error.errors["file"])
            continue
        if upload_dir is None:
            errors.add("attachments", N_("Files cannot be kept here."))
            continue
        prepared.append(checked)
    return prepared


# --- the chair's decision -------------------------------------------------------------------------


def accept_case(session: Session, actor: User | None, dispute_id: int, *, mediator_id: int | None) -> Case:
    """Take up the case (受理) and assign a committee member, never one of the parties, to mediate."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.accept, case.capacities(actor))
    mediator = session.get(User, mediator_id) if mediator_id is not None else None
    if mediator is None or not mediator.is_active or not mediator.has_role(Role.committee_member):
        raise Invalid("mediator", N_("Choose the committee member who will mediate."))
    if mediator.id in case.party_ids:
        raise Invalid("mediator", N_("A party to the dispute cannot mediate it."))
    case.dispute.mediator_id = mediator.id
    lifecycle.advance(session, case, actor, Action.accept)
    # the audit log says only that the chair decided: the case itself stays on its private timeline
    audit.record(session, actor, "dispute.accept", "dispute", case.id)
    return case


def decline_case(session: Session, actor: User | None, dispute_id: int, *, reason: str) -> Case:
    """Decline to take up the case (不予受理), with the reason the parties read."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.decline, case.capacities(actor))
    errors = FieldErrors()
    reason = fields.written(errors, "reason", reason, low=5, high=fields.SHORT_MAX)
    errors.raise_if_any()
    case.dispute.decline_reason = reason
    lifecycle.advance(session, case, actor, Action.decline, reason)
    audit.record(session, actor, "dispute.decline", "dispute", case.id)  # minimal, as for accepting
    return case


# --- after mediation --------------------------------------------------------------------------------


def refer_case(
    session: Session, actor: User | None, dispute_id: int, *, referral: str, note: str = ""
) -> Case:
    """Refer a case mediation could not settle (转介): legal aid, the court, or the 12345 hotline."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.refer, case.capacities(actor))
    errors = FieldErrors()
    target = next((r for r in Referral if r.value == referral), None)
    if target is None:
        errors.add("referral", N_("Choose where the case goes."))
    note = fields.optional(errors, "referral_note", note, high=fields.SHORT_MAX)
    errors.raise_if_any()
    case.dispute.referral, case.dispute.referral_note = target, note
    lifecycle.advance(session, case, actor, Action.refer, note)
    return case


def close_case(
    session: Session, actor: User | None, dispute_id: int, *, follow_up_on: str, note: str = ""
) -> Case:
    """Close the case (结案) with the day the mediator checks back how things stand (回访); the
    mediator is reminded that morning."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.close, case.capacities(actor))
    errors = FieldErrors()
    follow_up = fields.coming_day(errors, "follow_up_on", follow_up_on)
    note = fields.optional(errors, "note", note, high=fields.SHORT_MAX)
    errors.raise_if_any()
    assert follow_up is not None
    case.dispute.follow_up_on = follow_up
    lifecycle.advance(session, case, actor, Action.close, note)
    remind_at = datetime.combine(follow_up, FOLLOW_UP_HOUR, tzinfo=clock.LOCAL_TZ)
    jobs.enqueue(
        session, FOLLOW_UP_JOB, {"dispute_id": case.id}, key=f"{FOLLOW_UP_JOB}:{case.id}", run_at=remind_at
    )
    return case
