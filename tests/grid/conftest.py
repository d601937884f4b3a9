import pytest
from sqlalchemy import select

from grid import cases, workflow
from grid.models import CaseClass, ClassKind, GridCell


def class_id(session, kind="component", code="0103"):
    """A shipped minor class by its code (雨水井盖 by default: 公用设施, 72 hours)."""
    return session.scalar(
        select(CaseClass.id).where(CaseClass.kind == ClassKind(kind), CaseClass.code == code)
    )


def report(session, cast, **fields):
    """王阿姨 reports a loose drain cover by her home cell (随手拍)."""
    values = {
        "ref": "r1",
        "class_id": class_id(session),
        "title": "3号楼门口雨水井盖松动",
        "description": "踩上去会晃。",
        "address": "柳岸小区3号楼东侧",
        "lat": None,
        "lng": None,
    } | fields
    made = cases.report_problem(session, cast.wang_ayi, **values)
    session.flush()
    return made


def walk(session, actor, case, *moves):
    """Move a case by its services: each move is ``action`` or ``(action, MoveInput)``."""
    for move in moves:
        action, given = move if isinstance(move, tuple) else (move, defaults(session, actor, case, move))
        workflow.move(session, actor, case.id, action, given)
    session.flush()
    return case


def defaults(session, actor, case, action):
    """What a grid worker fills in for each step when the test does not care."""
    if action == "register":
        cell = session.get(GridCell, case.cell_id or case.suggested_cell_id)
        return workflow.MoveInput(cell_code=cell.code, class_id=case.class_id or class_id(session))
    if action == "dispatch":
        return workflow.MoveInput(assignee=actor.username)
    return workflow.MoveInput(note="处理说明")


@pytest.fixture
def reported(session, cast):
    return report(session, cast)
