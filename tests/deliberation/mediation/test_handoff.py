"""转办网格 from a mediation: only the chair, only a summary every party agreed to share, only once, and
the case it becomes is for grid staff and admins alone."""

import pytest

from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from deliberation.mediation import agreements, handoff
from grid import cases
from grid.models import CaseSource, CaseState
from tests.grid.conftest import class_id

SUMMARY = "双方对营业时间说法不一，需要城管核实摊点许可。"


@pytest.fixture
def shared(session, cast, failed):
    for party in (cast.wang_ayi, cast.li_shifu):
        agreements.answer_consent(session, party, failed.id, consent=True)
    session.flush()
    return failed


def test_the_chair_hands_the_shared_summary_to_the_grid_as_a_staff_only_case(session, cast, shared):
    case = handoff.hand_off(
        session, cast.chen_weiyuan, shared.id, title="早点摊营业时间需核实", class_id=class_id(session)
    )
    assert (case.source, case.source_ref, case.state) == (
        CaseSource.mediation,
        str(shared.id),
        CaseState.reported,
    )
    assert case.staff_only and case.description == SUMMARY
    assert cases.follower_ids(session, case.id) == set()
    assert case.suggested_cell_id == cast.cell.id  # the applicant's home cell
    assert handoff.handed_case(session, shared.id).id == case.id
    assert case.id not in {c.id for c in cases.list_public(session).items}
    with pytest.raises(NotFound):
        cases.case_view(session, cast.wang_ayi, case.id)
    assert cases.case_view(session, cast.zhang_wangge, case.id).title == "早点摊营业时间需核实"


def test_it_goes_once_and_only_from_the_chair(session, cast, shared):
    with pytest.raises(PermissionDenied):
        handoff.hand_off(session, cast.zhou_jiaoshou, shared.id, title="早点摊营业时间", class_id=None)
    with pytest.raises(Invalid):
        handoff.hand_off(session, cast.chen_weiyuan, shared.id, title="摊", class_id=None)
    handoff.hand_off(session, cast.chen_weiyuan, shared.id, title="早点摊营业时间", class_id=None)
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.chen_weiyuan, shared.id, title="早点摊营业时间", class_id=None)


def test_without_every_party_agreeing_to_share_nothing_goes(session, cast, failed):
    agreements.answer_consent(session, cast.wang_ayi, failed.id, consent=True)
    agreements.answer_consent(session, cast.li_shifu, failed.id, consent=False)
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.chen_weiyuan, failed.id, title="早点摊营业时间", class_id=None)
    assert handoff.handed_case(session, failed.id) is None


def test_a_mediation_still_going_is_not_handed_over(session, cast, mediating):
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.chen_weiyuan, mediating.id, title="早点摊营业时间", class_id=None)
