"""Demo step of Open311: the 12345 hotline's app holds a key (its secret is thrown away: an admin issues
a real one), and three of its reports arrive through the API, one already registered and dispatched.
Each report carries a token, so a second run finds them and adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from grid import apikeys, open311, workflow
from grid.apikeys import ApiKey
from grid.models import Department
from web.demo import DemoContext
from web.demo.cases import CELL, LEADER, ORIGIN_LAT, ORIGIN_LNG

APP = "12345 热线 App（演示）"
REPORTS = [
    # (token, service code, lat/long offset from the demo city's centre, address, description)
    (
        "demo-12345-0001",
        "event-0502",
        (0.0004, 0.0003),
        "银河路与人民路口东南角",
        "早晚高峰有三轮车在路口卖水果，行人只能走机动车道。",
    ),
    (
        "demo-12345-0002",
        "component-0118",
        (-0.0011, 0.0006),
        "柳岸小区北门外",
        "北门外两盏路灯一周没亮了，晚上接孩子很黑。",
    ),
    (
        "demo-12345-0003",
        "event-0102",
        (0.0002, -0.0009),
        "学苑街菜场后门",
        "菜场后门的垃圾桶满了，汤水流到人行道上，味道很大。",
    ),
]


def load(ctx: DemoContext) -> None:
    key = ctx.session.scalar(select(ApiKey).where(ApiKey.name == APP))
    if key is None:
        key, _ = apikeys.issue_key_from_console(ctx.session, APP)
        ctx.count("Open311 keys")
    else:
        ctx.count("Open311 keys", 0)
    filed = [_file(ctx, key, *report) for report in REPORTS]
    ctx.count("Open311 requests", sum(not f.repeated for f in filed))
    first = filed[0]
    if not first.repeated:  # the hotline's first report: registered and sent to the city's enforcers
        leader = ctx.person(LEADER)
        given = workflow.MoveInput(cell_code=CELL, class_id=first.case.class_id, note="12345 转来，属实。")
        workflow.move(ctx.session, leader, first.case.id, "register", given)
        enforcers = ctx.session.scalar(select(Department.id).where(Department.name == "城管执法中队"))
        to = workflow.MoveInput(department_id=enforcers, note="请中队劝离并规划临时摊点。")
        workflow.move(ctx.session, leader, first.case.id, "dispatch", to)


def _file(
    ctx: DemoContext, key: ApiKey, token: str, code: str, offset: tuple[float, float], address: str, text: str
) -> open311.Filed:
    submission = open311.Submission(
        service_code=code,
        lat=f"{ORIGIN_LAT + offset[0]:.6f}",
        long=f"{ORIGIN_LNG + offset[1]:.6f}",
        address_string=address,
        description=text,
        token=token,
    )
    filed = open311.submit_request(ctx.session, key, submission)
    ctx.session.flush()
    return filed
