"""Meetings, the agreement each party confirms for themselves, failure and consent to share."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.errors import Conflict, Invalid, PermissionDenied
from deliberation.mediation import agreements, meetings
from deliberation.mediation.access import access_dispute
from deliberation.mediation.fields import today
from deliberation.mediation.models import (
    Action,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    MediationMeeting,
    Outcome,
)
from tests.deliberation.mediation.conftest import accept, apply, meet, propose, version

S = DisputeStatus


def timeline(session, dispute):
    rows = session.execute(
        select(DisputeEvent.action, DisputeEvent.to_status)
        .where(DisputeEvent.dispute_id == dispute.id)
        .order_by(DisputeEvent.id)
    )
    return [tuple(row) for row in rows]


def status(session, dispute):
    session.expire_all()
    return session.get(Dispute, dispute.id).status


def test_the_first_meeting_logged_starts_the_mediation(session, cast, applied):
    accept(session, cast, applied)
    meet(session, cast, applied)
    assert status(session, applied) is S.in_mediation
    meet(session, cast, applied)  # a second meeting keeps it there
    assert timeline(session, applied)[-2:] == [(Action.log_meeting, S.in_mediation)] * 2
    assert (
        len(session.scalars(select(MediationMeeting).where(MediationMeeting.dispute_id == applied.id)).all())
        == 2
    )


def test_a_meeting_needs_a_past_day_a_party_present_and_notes(session, cast, applied):
    accept(session, cast, applied)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as refused:
        meetings.log_meeting(
            session, cast.zhou_jiaoshou, applied.id, held_on=tomorrow, attended=["999"], notes=""
        )
    assert set(refused.value.errors) == {"held_on", "attended", "notes"}
    assert status(session, applied) is S.accepted


def test_only_the_mediator_logs_meetings_not_even_the_chair(session, cast, applied):
    accept(session, cast, applied)
    for person in (cast.chen_weiyuan, cast.wang_ayi):
        with pytest.raises(PermissionDenied):
            meetings.log_meeting(
                session, person, applied.id, held_on=today().isoformat(), attended=["1"], notes="我来记一下"
            )


def test_both_parties_confirm_and_the_app_records_the_agreement_once(session, cast, proposed):
    agreements.confirm_agreement(session, cast.wang_ayi, proposed.id, version=1)
    assert status(session, proposed) is S.in_mediation
    agreements.confirm_agreement(session, cast.wang_ayi, proposed.id, version=1)  # pressed twice
    agreements.confirm_agreement(session, cast.li_shifu, proposed.id, version=1)
    assert status(session, proposed) is S.agreed
    assert session.get(Dispute, proposed.id).outcome is Outcome.agreed
    assert timeline(session, proposed)[-3:] == [
        (Action.confirm, S.in_mediation),
        (Action.confirm, S.in_mediation),
        (Action.agree, S.agreed),
    ]
    [agree] = session.scalars(select(DisputeEvent).where(DisputeEvent.action == Action.agree)).all()
    assert agree.actor_id is None  # the app's own step


@pytest.mark.parametrize("who", ["zhou_jiaoshou", "chen_weiyuan", "admin"])
def test_nobody_confirms_for_the_parties(session, cast, proposed, who):
    with pytest.raises(PermissionDenied) as refused:
        agreements.confirm_agreement(session, getattr(cast, who), proposed.id, version=1)
    assert refused.value.message.key == "Only the parties confirm an agreement, each for themselves."
    case = access_dispute(session, cast.admin, proposed.id)
    assert [p.confirmed_version for p in case.parties] == [None, None]


def test_a_changed_agreement_is_not_confirmed_by_a_page_that_showed_the_old_one(session, cast, proposed):
    agreements.confirm_agreement(session, cast.wang_ayi, proposed.id, version=1)
    propose(session, cast, proposed, text="李师傅五点半以后再剁馅，剁馅时关上后门和窗。")
    assert version(session, cast, proposed) == 2
    with pytest.raises(Conflict) as refused:
        agreements.confirm_agreement(session, cast.li_shifu, proposed.id, version=1)
    assert refused.value.message.key == agreements.CHANGED
    agreements.confirm_agreement(session, cast.li_shifu, proposed.id, version=2)
    assert status(session, proposed) is S.in_mediation  # 王阿姨 confirmed the old text only
    agreements.confirm_agreement(session, cast.wang_ayi, proposed.id, version=2)
    assert status(session, proposed) is S.agreed


def test_nothing_to_confirm_before_a_proposal(session, cast, mediating):
    with pytest.raises(Conflict):
        agreements.confirm_agreement(session, cast.wang_ayi, mediating.id, version=0)


def test_with_an_outside_party_the_applicant_alone_confirms_in_the_app(session, cast):
    dispute = meet(session, cast, accept(session, cast, apply(session, cast, outside="3号楼502住户")))
    propose(session, cast, dispute)
    agreements.confirm_agreement(session, cast.wang_ayi, dispute.id, version=1)
    assert status(session, dispute) is S.agreed


def test_failure_keeps_a_summary_and_each_party_answers_about_sharing(session, cast):
    dispute = meet(session, cast, accept(session, cast, apply(session, cast, outside="楼下棋牌室")))
    case = access_dispute(session, cast.admin, dispute.id)
    outside = next(p for p in case.parties if p.user_id is None)
    with pytest.raises(Invalid):
        agreements.record_failure(session, cast.zhou_jiaoshou, dispute.id, summary="短")
    agreements.record_failure(
        session,
        cast.zhou_jiaoshou,
        dispute.id,
        summary="双方对营业时间说法不一，需要核实棋牌室的经营许可。",
        outside_consent=[str(outside.id)],
    )
    case = access_dispute(session, cast.admin, dispute.id)
    assert case.dispute.status is S.failed and case.dispute.outcome is Outcome.failed
    answers = {p.user_id: (p.share_consent, p.consent_recorded_by_id) for p in case.parties}
    assert answers == {cast.wang_ayi.id: (None, None), None: (True, cast.zhou_jiaoshou.id)}
    assert not agreements.summary_shareable(case)
    agreements.answer_consent(session, cast.wang_ayi, dispute.id, consent=True)
    assert agreements.summary_shareable(access_dispute(session, cast.admin, dispute.id))
    agreements.answer_consent(session, cast.wang_ayi, dispute.id, consent=False)  # a change of mind
    assert not agreements.summary_shareable(access_dispute(session, cast.admin, dispute.id))
    assert [a for a, _ in timeline(session, dispute)].count(Action.consent) == 2


def test_only_a_party_answers_for_themselves_about_sharing(session, cast, failed):
    for person in (cast.zhou_jiaoshou, cast.chen_weiyuan):
        with pytest.raises(PermissionDenied):
            agreements.answer_consent(session, person, failed.id, consent=True)


def test_an_agreed_case_has_no_summary_to_share(session, cast, proposed):
    for party in (cast.wang_ayi, cast.li_shifu):
        agreements.confirm_agreement(session, party, proposed.id, version=1)
    with pytest.raises(Conflict):
        agreements.answer_consent(session, cast.wang_ayi, proposed.id, consent=True)
