"""Demo step of the case queue: cell centres, the departments, and cases in every state — one handed
over from the agreed consultation, one from a forum thread, residents' own reports — with the
followers' answers at 核查."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import clock
from deliberation.consultations import handoff as consultation_handoff
from deliberation.consultations.models import Consultation, State
from deliberation.forums import handoff as thread_handoff
from deliberation.forums.models import Thread
from grid import cases, cells, confirmations, departments, taxonomy, workflow
from grid.models import Case, CaseClass, ClassKind, Department, GridCell
from web.demo import DemoContext

# a fictional city's centre; cells are laid out west to east, north to south, about 450 m apart
ORIGIN_LAT, ORIGIN_LNG, STEP_LAT, STEP_LNG, PER_ROW = 33.9800, 118.2600, -0.0040, 0.0050, 8
CELL = "349901001001001"  # 柳岸社区第1网格, where most of the cast lives
LEADER, OFFICER = "leader01", "officer01"

DEPARTMENTS = [
    ("城管执法中队", "清河街道城管执法中队 值班电话 0517-8000-1201", [("event", "05"), ("event", "02")]),
    ("环卫所", "清河环卫所 调度室 0517-8000-1202", [("event", "01"), ("component", "03")]),
    (
        "市政设施养护所",
        "市政养护热线 0517-8000-1203",
        [("component", "01"), ("component", "02"), ("event", "04")],
    ),
    ("园林绿化所", "园林所 0517-8000-1204", [("component", "04")]),
    ("柳岸社区居委会", "钱主任 0517-8000-1205（工作日 8:30-17:30）", [("event", "09")]),
]
REPORTS = [
    # (reporter, class code (kind, code), title, description, address, offset in cells, where it gets to)
    (
        "wang_ayi",
        ("component", "0103"),
        "3号楼门口雨水井盖松动",
        "踩上去会晃，晚上看不清，已经有老人差点绊倒。",
        "柳岸小区3号楼东侧人行道",
        "closed",
    ),
    (
        "liu_daye",
        ("component", "0118"),
        "银河路路灯连续三晚不亮",
        "",
        "银河路与人民路口往北约50米",
        "handled",
    ),
    (
        "xiao_zhang",
        ("event", "0102"),
        "学苑街垃圾箱满溢没人清",
        "周末两天没清运，垃圾堆到了人行道上。",
        "学苑街12号门前",
        "reported",
    ),
    ("li_shifu", ("event", "0201"), "胜利路电线杆上贴满小广告", "", "胜利路公交站旁", "registered"),
    (
        "wang_ayi",
        ("event", "0901"),
        "楼上装修中午也在打钻",
        "中午十二点到两点一直有电钻声。",
        "柳岸小区5号楼",
        "rejected",
    ),
    (
        "chenji_shop",
        ("event", "0403"),
        "人民路下穿通道雨后积水",
        "下雨后积水没过脚踝，行人只能绕行。",
        "人民路下穿通道南口",
        "overdue",
    ),
]
THREAD = "3号楼楼道里的杂物什么时候清？"
AGREED = "银河路口早点摊位试点"


def load(ctx: DemoContext) -> None:
    """Centres, departments, then each case once (looked up by its title)."""
    ctx.count("cases", 0)
    _centres(ctx)
    _departments(ctx)
    if _missing(ctx, AGREED):
        _from_consultation(ctx)
    if _missing(ctx, THREAD):
        _from_thread(ctx)
    for reporter, (kind, code), title, description, address, reaches in REPORTS:
        if _missing(ctx, title):
            _report(ctx, reporter, _class_id(ctx, kind, code), title, description, address, reaches)


def _missing(ctx: DemoContext, title: str) -> bool:
    return ctx.session.scalar(select(Case.id).where(Case.title == title)) is None


def _class_id(ctx: DemoContext, kind: str, code: str) -> int:
    found = ctx.session.scalar(
        select(CaseClass.id).where(CaseClass.kind == ClassKind(kind), CaseClass.code == code)
    )
    assert found is not None, f"taxonomy has no {kind} {code}"
    return found


def _centres(ctx: DemoContext) -> None:
    rows = ctx.session.scalars(select(GridCell).order_by(GridCell.code)).all()
    for n, cell in enumerate(rows):
        if cell.centre_lat is None:
            row, column = divmod(n, PER_ROW)
            cells.set_centre(
                ctx.session, cell.code, ORIGIN_LAT + row * STEP_LAT, ORIGIN_LNG + column * STEP_LNG
            )


def _departments(ctx: DemoContext) -> None:
    for name, contact, classes in DEPARTMENTS:
        if ctx.session.scalar(select(Department.id).where(Department.name == name)) is None:
            departments.save_department(
                ctx.session,
                ctx.admin,
                department_id=None,
                name=name,
                contact=contact,
                class_ids=[_class_id(ctx, kind, code) for kind, code in classes],
            )
            ctx.count("departments")


def _department(ctx: DemoContext, name: str) -> int:
    found = ctx.session.scalar(select(Department.id).where(Department.name == name))
    assert found is not None
    return found


def _steps(ctx: DemoContext, case: Case, *moves: tuple[str, str, workflow.MoveInput]) -> None:
    for who, action, given in moves:
        workflow.move(ctx.session, ctx.person(who), case.id, action, given)


def _register(case: Case, code: str = CELL, note: str = "") -> tuple[str, str, workflow.MoveInput]:
    return (LEADER, "register", workflow.MoveInput(cell_code=code, class_id=case.class_id, note=note))


def _dispatch(ctx: DemoContext, department: str, note: str = "") -> tuple[str, str, workflow.MoveInput]:
    return (LEADER, "dispatch", workflow.MoveInput(department_id=_department(ctx, department), note=note))


def _from_consultation(ctx: DemoContext) -> None:
    consultation = ctx.session.scalar(select(Consultation).where(Consultation.title == AGREED))
    if consultation is None or consultation.state is not State.agreed:
        return
    case = consultation_handoff.hand_off(
        ctx.session,
        ctx.person("chen_weiyuan"),
        consultation.id,
        class_id=_class_id(ctx, "event", "0502"),
        note="请网格按决议划定三个摊位并每日检查。",
    )
    ctx.count("cases")
    _steps(
        ctx,
        case,
        _register(case, note="按群议委决议立案，试点三个月。"),
        _dispatch(ctx, "城管执法中队", "请中队会同社区划线设摊位，并在路口公示经营时间。"),
    )


def _from_thread(ctx: DemoContext) -> None:
    thread_id = ctx.session.scalar(select(Thread.id).where(Thread.title == THREAD))
    if thread_id is None:
        return
    case = thread_handoff.hand_off_thread(
        ctx.session, ctx.person("sun_banzhu"), thread_id, class_id=_class_id(ctx, "event", "0906")
    )
    ctx.count("cases")
    _steps(
        ctx,
        case,
        _register(case, note="楼道堆物有消防隐患，立案。"),
        _dispatch(ctx, "柳岸社区居委会", "请社区会同红星物业周六组织清理。"),
        (
            OFFICER,
            "handle",
            workflow.MoveInput(note="周六上午物业和志愿者清理了一到三楼楼道，旧家具已预约大件回收。"),
        ),
        (LEADER, "pass", workflow.MoveInput(note="网格长现场查看，楼道已清空，照明已修复。")),
    )


def _report(
    ctx: DemoContext, reporter: str, class_id: int, title: str, description: str, address: str, reaches: str
) -> None:
    base = ctx.session.scalar(select(GridCell).where(GridCell.code == CELL))
    assert base is not None and base.centre_lat is not None and base.centre_lng is not None
    case = cases.report_problem(
        ctx.session,
        ctx.person(reporter),
        ref=f"demo-{title}",
        class_id=class_id,
        title=title,
        description=description,
        address=address,
        lat=base.centre_lat + 0.0003,
        lng=base.centre_lng - 0.0002,
    )
    ctx.count("cases")
    if reaches == "reported":
        return
    if reaches == "rejected":
        note = "属装修噪声，由物业和社区依据管理规约协调，不作城管案件立案；已告知红星物业。"
        _steps(ctx, case, (LEADER, "reject", workflow.MoveInput(note=note)))
        return
    _steps(ctx, case, _register(case))
    if reaches == "registered":
        return
    department = taxonomy.class_row(ctx.session, class_id)
    handler = departments.for_class(ctx.session, department.id)
    due = workflow.MoveInput(
        department_id=handler[0].id if handler else _department(ctx, "柳岸社区居委会"),
        due_at=clock.now() + timedelta(minutes=2) if reaches == "overdue" else None,
        note="请尽快处置。",
    )
    _steps(ctx, case, (LEADER, "dispatch", due))
    if reaches == "overdue":
        return
    _steps(ctx, case, (OFFICER, "handle", workflow.MoveInput(note="已处置完毕，附处置后照片。")))
    if reaches == "handled":
        return
    confirmations.answer(
        ctx.session, ctx.person(reporter), case.id, solved=True, note="换了新井盖，踩上去很稳。"
    )
    _steps(
        ctx,
        case,
        (LEADER, "pass", workflow.MoveInput(note="现场核查：已更换井盖并加固。")),
        (LEADER, "close", workflow.MoveInput(note="结案。")),
    )
