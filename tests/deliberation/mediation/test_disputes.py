"""Applying, who sees a case, the chair's decision, referral and closing, over the savepoint session."""

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Notification
from accounts.notifications import KINDS
from core import audit, clock, files, jobs
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from deliberation.mediation import disputes
from deliberation.mediation.access import NOT_HERE, access_dispute
from deliberation.mediation.fields import today
from deliberation.mediation.follow_up import remind_follow_up
from deliberation.mediation.lifecycle import PARTY_NOTICE, WORK_NOTICE
from deliberation.mediation.models import (
    Action,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputeStatus,
    Outcome,
    Referral,
    Side,
)
from tests.deliberation.mediation.conftest import ACCOUNT, WANTED, accept, apply

S = DisputeStatus


def events(session, dispute):
    return list(
        session.scalars(
            select(DisputeEvent).where(DisputeEvent.dispute_id == dispute.id).order_by(DisputeEvent.id)
        )
    )


def told(session, dispute, kind):
    rows = session.scalars(
        select(Notification.user_id).where(
            Notification.target_kind == "dispute",
            Notification.target_id == str(dispute.id),
            Notification.kind == kind,
        )
    )
    return sorted(rows)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


# --- applying ---------------------------------------------------------------------------------------


def test_a_resident_applies_the_chair_is_asked_and_the_other_party_is_told(session, cast, applied):
    dispute = session.get(Dispute, applied.id)
    assert dispute.status is S.applied and dispute.outcome is None and dispute.mediator_id is None
    assert dispute.filed_year == clock.local(dispute.created_at).year
    sides = {
        p.side: p.user_id
        for p in session.scalars(select(DisputeParty).where(DisputeParty.dispute_id == dispute.id))
    }
    assert sides == {Side.applicant: cast.wang_ayi.id, Side.respondent: cast.li_shifu.id}
    assert [(e.action, e.from_status, e.to_status) for e in events(session, dispute)] == [
        (Action.apply, None, S.applied)
    ]
    assert told(session, dispute, WORK_NOTICE) == [cast.chen_weiyuan.id]
    assert told(session, dispute, PARTY_NOTICE) == [cast.li_shifu.id]  # never the applicant herself


def test_notifications_say_no_more_than_that_the_case_changed(session, cast, applied):
    """A bell, an e-mail or an SMS may be read over a shoulder: no kind, no name, no text of the case."""
    for kind in (PARTY_NOTICE, WORK_NOTICE):
        assert "%(" not in KINDS[kind].text and KINDS[kind].target == "dispute"
    params = session.scalars(
        select(Notification.params).where(
            Notification.target_kind == "dispute", Notification.target_id == str(applied.id)
        )
    )
    assert all(p == {} for p in params)


def test_an_outside_party_is_named_and_only_the_applicant_is_registered(session, cast):
    dispute = apply(session, cast, outside="  隔壁 烧烤店  王老板 ")
    parties = session.scalars(
        select(DisputeParty).where(DisputeParty.dispute_id == dispute.id).order_by(DisputeParty.id)
    ).all()
    assert [(p.user_id, p.outside_name) for p in parties] == [
        (cast.wang_ayi.id, ""),
        (None, "隔壁 烧烤店 王老板"),
    ]


def test_a_bad_application_names_every_field_and_saves_nothing(session, cast):
    before = (count(session, Dispute), count(session, Notification))
    bad = disputes.Application(kind="quarrel", account="吵", wanted="", respondent_username="wang_ayi")
    with pytest.raises(Invalid) as refused:
        disputes.apply_for_mediation(session, cast.wang_ayi, bad)
    assert set(refused.value.errors) == {"kind", "account", "wanted", "respondent_username"}
    assert refused.value.errors["respondent_username"].key == "The other party must be someone else."
    assert (count(session, Dispute), count(session, Notification)) == before


@pytest.mark.parametrize(
    ("username", "name", "field"),
    [
        ("", "", "respondent_username"),
        ("li_shifu", "李师傅", "respondent_name"),
        ("nobody_here", "", "respondent_username"),
    ],
)
def test_the_other_party_is_a_username_or_a_name_exactly(session, cast, username, name, field):
    application = disputes.Application(
        "noise", ACCOUNT, WANTED, respondent_username=username, respondent_name=name
    )
    with pytest.raises(Invalid) as refused:
        disputes.apply_for_mediation(session, cast.wang_ayi, application)
    assert list(refused.value.errors) == [field]


def test_a_visitor_cannot_apply(session, cast):
    with pytest.raises(PermissionDenied):
        disputes.apply_for_mediation(
            session, None, disputes.Application("noise", ACCOUNT, WANTED, "li_shifu")
        )


def test_attachments_are_kept_for_the_case_and_only_its_people_see_them(session, cast, settings):
    application = disputes.Application("noise", ACCOUNT, WANTED, respondent_username="li_shifu")
    dispute = disputes.apply_for_mediation(
        session,
        cast.wang_ayi,
        application,
        attachments=[disputes.Upload(io.BytesIO(b"noise diary: 4:05, 4:20, 4:45"), "记录.txt")],
        upload_dir=settings.upload_dir,
    )
    session.flush()
    [stored] = files.files_of(session, "dispute", dispute.id)
    assert files.is_private(stored)
    for person in (cast.wang_ayi, cast.li_shifu, cast.chen_weiyuan, cast.admin):
        assert files.access_file(session, person, stored.id) == stored
    for person in (None, cast.zhou_jiaoshou, cast.zhang_wangge, cast.sun_banzhu, cast.qian_zhuren):
        with pytest.raises(NotFound):
            files.access_file(session, person, stored.id)


def test_a_refused_attachment_refuses_the_application(session, cast, settings):
    application = disputes.Application("noise", ACCOUNT, WANTED, respondent_username="li_shifu")
    uploads = [disputes.Upload(io.BytesIO(b"<script>alert(1)</script>"), "photo.jpg")]
    with pytest.raises(Invalid) as refused:
        disputes.apply_for_mediation(
            session, cast.wang_ayi, application, attachments=uploads, upload_dir=settings.upload_dir
        )
    assert list(refused.value.errors) == ["attachments"] and count(session, Dispute) == 0


# --- who sees a case --------------------------------------------------------------------------------


def test_only_the_parties_the_mediator_the_chair_and_admins_see_a_case(session, cast, applied):
    accept(session, cast, applied)
    for person in (cast.wang_ayi, cast.li_shifu, cast.zhou_jiaoshou, cast.chen_weiyuan, cast.admin):
        assert access_dispute(session, person, applied.id).id == applied.id
    for person in (None, cast.zhao_kezhang, cast.qian_zhuren, cast.sun_banzhu, cast.zhang_wangge):
        with pytest.raises(NotFound) as hidden:
            access_dispute(session, person, applied.id)
        with pytest.raises(NotFound) as missing:
            access_dispute(session, person, applied.id + 1000)
        assert hidden.value.message == missing.value.message and hidden.value.message.key == NOT_HERE


def test_another_committee_member_does_not_see_a_case_they_do_not_mediate(session, cast, applied):
    with pytest.raises(NotFound):
        access_dispute(session, cast.zhou_jiaoshou, applied.id)  # not yet assigned: just a colleague


# --- the chair decides ------------------------------------------------------------------------------


def test_the_chair_accepts_and_assigns_a_mediator_who_is_told(session, cast, applied):
    accept(session, cast, applied)
    dispute = session.get(Dispute, applied.id)
    assert dispute.status is S.accepted and dispute.mediator_id == cast.zhou_jiaoshou.id
    assert events(session, dispute)[-1].action is Action.accept
    assert cast.zhou_jiaoshou.id in told(session, dispute, WORK_NOTICE)
    assert told(session, dispute, PARTY_NOTICE).count(cast.wang_ayi.id) == 1
    [entry] = audit.list_entries_for(session, "dispute", dispute.id)[0]
    assert (entry.action, entry.note, entry.details) == ("dispute.accept", "", {})  # nothing of the case


@pytest.mark.parametrize("mediator", [None, "wang_ayi", "admin"])
def test_accepting_without_a_committee_member_to_mediate_is_refused_and_changes_nothing(
    session, cast, applied, mediator
):
    chosen = getattr(cast, mediator).id if mediator else None
    with pytest.raises(Invalid) as refused:
        disputes.accept_case(session, cast.chen_weiyuan, applied.id, mediator_id=chosen)
    assert list(refused.value.errors) == ["mediator"]
    session.expire_all()
    assert session.get(Dispute, applied.id).status is S.applied and len(events(session, applied)) == 1


def test_a_party_who_sits_on_the_committee_cannot_mediate_their_own_dispute(session, cast):
    dispute = apply(session, cast, applicant=cast.zhou_jiaoshou)
    with pytest.raises(Invalid) as refused:
        disputes.accept_case(session, cast.chen_weiyuan, dispute.id, mediator_id=cast.zhou_jiaoshou.id)
    assert refused.value.errors["mediator"].key == "A party to the dispute cannot mediate it."


@pytest.mark.parametrize("who", ["wang_ayi", "li_shifu", "admin"])
def test_only_the_chair_accepts(session, cast, applied, who):
    with pytest.raises(PermissionDenied):
        disputes.accept_case(session, getattr(cast, who), applied.id, mediator_id=cast.zhou_jiaoshou.id)
    assert session.get(Dispute, applied.id).mediator_id is None


def test_the_chair_declines_with_a_reason_and_the_case_is_final(session, cast, applied):
    with pytest.raises(Invalid):
        disputes.decline_case(session, cast.chen_weiyuan, applied.id, reason="  ")
    disputes.decline_case(
        session, cast.chen_weiyuan, applied.id, reason="属于合同纠纷，建议直接咨询法律援助。"
    )
    dispute = session.get(Dispute, applied.id)
    assert (dispute.status, dispute.outcome) == (S.declined, Outcome.declined)
    assert events(session, dispute)[-1].note == "属于合同纠纷，建议直接咨询法律援助。"
    with pytest.raises(Conflict):
        disputes.accept_case(session, cast.chen_weiyuan, applied.id, mediator_id=cast.zhou_jiaoshou.id)


# --- illegal moves change nothing -------------------------------------------------------------------


def test_a_party_cannot_close_a_case(session, cast, failed):
    for party in (cast.wang_ayi, cast.li_shifu):
        with pytest.raises(PermissionDenied) as refused:
            disputes.close_case(session, party, failed.id, follow_up_on=today().isoformat())
        assert refused.value.message.key == "Only the mediator or the committee chair closes a case."
    assert session.get(Dispute, failed.id).status is S.failed


def test_a_step_the_table_does_not_allow_from_here_is_refused_and_writes_nothing(session, cast, applied):
    before = (len(events(session, applied)), count(session, Notification))
    with pytest.raises(Conflict):
        disputes.close_case(session, cast.chen_weiyuan, applied.id, follow_up_on=today().isoformat())
    with pytest.raises(Conflict):
        disputes.refer_case(session, cast.chen_weiyuan, applied.id, referral="court")
    session.expire_all()
    assert session.get(Dispute, applied.id).status is S.applied
    assert (len(events(session, applied)), count(session, Notification)) == before


# --- referral and closing ---------------------------------------------------------------------------


def test_a_failed_case_is_referred_then_closed_with_a_follow_up_day(session, cast, failed):
    with pytest.raises(Invalid) as refused:
        disputes.refer_case(session, cast.zhou_jiaoshou, failed.id, referral="police")
    assert list(refused.value.errors) == ["referral"]
    disputes.refer_case(session, cast.zhou_jiaoshou, failed.id, referral="hotline", note="工单 20261201-0042")
    dispute = session.get(Dispute, failed.id)
    assert (dispute.status, dispute.outcome, dispute.referral) == (
        S.referred,
        Outcome.referred,
        Referral.hotline,
    )
    too_late = (today() + timedelta(days=400)).isoformat()
    with pytest.raises(Invalid) as refused:
        disputes.close_case(session, cast.chen_weiyuan, failed.id, follow_up_on=too_late)
    assert list(refused.value.errors) == ["follow_up_on"]
    visit = today() + timedelta(days=14)
    disputes.close_case(session, cast.chen_weiyuan, failed.id, follow_up_on=visit.isoformat())
    assert (dispute.status, dispute.outcome, dispute.follow_up_on) == (S.closed, Outcome.referred, visit)
    assert dispute.closed_at is not None
    [job] = session.scalars(select(jobs.Job).where(jobs.Job.kind == disputes.FOLLOW_UP_JOB)).all()
    assert clock.local(job.run_at) == datetime.combine(visit, disputes.FOLLOW_UP_HOUR, tzinfo=clock.LOCAL_TZ)


def test_the_follow_up_reminder_tells_the_mediator_once(session, cast, failed):
    disputes.close_case(session, cast.zhou_jiaoshou, failed.id, follow_up_on=today().isoformat())
    before = told(session, failed, WORK_NOTICE).count(cast.zhou_jiaoshou.id)
    assert remind_follow_up(session, failed.id) is True
    assert remind_follow_up(session, failed.id) is False  # the job ran again after a worker died
    assert told(session, failed, WORK_NOTICE).count(cast.zhou_jiaoshou.id) == before + 1
