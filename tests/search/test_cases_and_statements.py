"""Public cases and merge statements are found like discussions; a mediation's case, and a statement
the committee rejected, never are."""

from deliberation.consultations import convening, lifecycle
from deliberation.merging import statements
from grid import cases
from grid.models import CaseSource
from tests.grid.conftest import report
from tests.search.test_search import found


def test_a_public_case_is_found_and_a_mediations_is_not(session, cast, index, follow):
    report(session, cast, ref="s1", title="路灯不亮三天了", description="银河路北段晚上一片黑。")
    cases.open_case(
        session,
        None,
        cases.Opening(
            source=CaseSource.mediation,
            source_ref="9",
            title="路灯下的噪音纠纷",
            cell_id=cast.cell.id,
            staff_only=True,
        ),
    )
    follow()
    assert found(session, index, "路灯") == [("grid_case", "路灯不亮三天了")]
    assert found(session, index, "银河路北段") == [("grid_case", "路灯不亮三天了")]
    assert found(session, index, "噪音纠纷", actor=cast.admin) == []


def test_a_statement_is_found_until_the_committee_rejects_it(session, cast, index, follow):
    consultation = convening.convene(
        session, cast.zhou_jiaoshou, title="垃圾投放点开放时间", question="几点开？", scope=cast.cell.code
    )
    session.flush()
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "open", "")
    said = statements.write_statement(session, cast.li_shifu, consultation.id, "投放点早上六点到八点开放。")
    follow()
    assert ("merge_statement", "投放点早上六点到八点开放。") in found(session, index, "六点到八点")
    statements.moderate(session, cast.chen_weiyuan, consultation.id, said.id, "off_topic")
    follow()
    assert found(session, index, "六点到八点") == []
