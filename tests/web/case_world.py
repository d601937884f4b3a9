"""The grid case queue's part of the authorization matrix's world: a case in each state a row needs.

王阿姨 reports every public case by the cast's cell, which 张网格长 leads; one case is a mediation's
(staff only), one waits for a decision on more time asked by 李网格员, who is no role of the matrix (a
leader never decides their own request), and one consultation is agreed, ready to hand to the grid.
Every state is made by calling services.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from deliberation.consultations import convening, lifecycle, resolutions
from grid import cases, deadlines, departments, roster
from grid.models import CaseClass, CaseSource, RosterRole
from tests.factories import make_user
from tests.grid.conftest import class_id, report, walk
from tests.people import Cast


def build(session: Session, hasher, cast: Cast) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Ids for the case rows: ``{reported}``, ``{staff_case}``, ``{dispatched}``, ``{waiting}``, …"""
    officer = make_user(session, hasher, "li_wangge")
    roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="li_wangge", role=RosterRole.responsible
    )
    dispatched = walk(
        session, cast.zhang_wangge, report(session, cast, ref="m-dispatched"), "register", "dispatch"
    )
    waiting = walk(session, officer, report(session, cast, ref="m-waiting"), "register", "dispatch")
    deadlines.ask_for_time(
        session, officer, waiting.id, due_at=waiting.due_at + timedelta(days=2), reason="等配件"
    )
    handled = walk(
        session, cast.zhang_wangge, report(session, cast, ref="m-handled"), "register", "dispatch", "handle"
    )
    staff_case = cases.open_case(
        session,
        None,
        cases.Opening(
            source=CaseSource.mediation,
            source_ref="m-1",
            title="调解未成：噪音",
            cell_id=cast.cell.id,
            staff_only=True,
        ),
    )
    department = departments.save_department(
        session, cast.admin, department_id=None, name="街道城管科", contact="010-1234", class_ids=[]
    )
    major = session.scalar(select(CaseClass.id).where(CaseClass.code == "01", CaseClass.parent_id.is_(None)))
    session.flush()
    return {
        "reported": report(session, cast, ref="m-reported").id,
        "staff_case": staff_case.id,
        "dispatched": dispatched.id,
        "waiting": waiting.id,
        "handled": handled.id,
        "case_class": class_id(session),
        "event_class": class_id(session, "event", "0502"),
        "major_class": major,
        "department": department.id,
        "agreed_consultation": agreed_consultation(session, cast),  # not "agreed": the dispute's
    }


def agreed_consultation(session: Session, cast: Cast) -> int:
    """A consultation 周教授 convened whose resolution the committee adopted: ready for 转办."""
    consultation = convening.convene(
        session, cast.zhou_jiaoshou, title="银河路口摊点试点", question="要不要试点？", scope=cast.cell.code
    )
    session.flush()
    for action in ("open", "deliberate"):
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, action, "")
    resolutions.draft_resolution(session, cast.zhou_jiaoshou, consultation.id, "在银河路口试点三个摊位。")
    resolutions.open_vote(session, cast.zhou_jiaoshou, consultation.id)
    for member in (cast.zhou_jiaoshou, cast.chen_weiyuan):
        resolutions.cast_vote(session, member, consultation.id, "for")
    resolutions.close_vote(session, cast.chen_weiyuan, consultation.id)
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "agree", "")
    session.flush()
    return consultation.id
