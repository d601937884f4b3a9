"""The city's grid cases, in bulk, as ``report_problem`` and ``workflow.move`` leave them: residents'
reports (随手拍) numbered by year from the year's counter in the order they came in, each with every
step of its history up to where it stands (立案 gives the reporter's home cell and the category's due
date, 派遣 a department that takes the class, 处置反馈 a round of 核查, 结案 the closing time), by the
cell's own 网格长 and 网格责任员, and the reporter following it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import clock
from core.db import run_write
from grid import departments, taxonomy
from grid.models import (
    Case,
    CaseCounter,
    CaseFollower,
    CaseSource,
    CaseState,
    CaseStep,
    GridCell,
    RosterEntry,
    RosterRole,
)
from web.demo.city import CityContext, bulk_insert, bulk_insert_ids
from web.demo.grid import ROADS

S = CaseState
# where cases stand: most are closed, the rest spread along the workflow
STATES = (
    (S.reported, 0.08),
    (S.rejected, 0.05),
    (S.registered, 0.07),
    (S.dispatched, 0.15),
    (S.handled, 0.08),
    (S.verified, 0.04),
    (S.closed, 0.53),
)
PATHS = {  # the moves (action, target) from 信息收集 to each state
    S.reported: [],
    S.rejected: [("reject", S.rejected)],
    S.registered: [("register", S.registered)],
    S.dispatched: [("register", S.registered), ("dispatch", S.dispatched)],
    S.handled: [("register", S.registered), ("dispatch", S.dispatched), ("handle", S.handled)],
    S.verified: [
        ("register", S.registered),
        ("dispatch", S.dispatched),
        ("handle", S.handled),
        ("pass", S.verified),
    ],
}
PATHS[S.closed] = [*PATHS[S.verified], ("close", S.closed)]
NOTES = {
    "register": "",
    "reject": "经核实不属于城市管理范围，已告知反映人向相关单位反映。",
    "dispatch": "请尽快处置。",
    "handle": "已处置完毕，附处置后照片。",
    "pass": "现场核查：问题已解决。",
    "close": "结案。",
}
PROBLEMS = [
    ("井盖松动", "踩上去会晃，晚上看不清。"),
    ("路灯不亮", "连续几个晚上都不亮。"),
    ("垃圾满溢", "垃圾箱满了没人清，堆到了人行道上。"),
    ("占道经营", "摊位摆到了盲道上。"),
    ("乱贴小广告", "电线杆和墙上贴满了小广告。"),
    ("道路积水", "下雨后积水没过脚踝。"),
    ("绿化带缺损", "树被撞倒了，一直没人扶。"),
    ("噪声扰民", "夜里施工的声音很大。"),
]


def load(ctx: CityContext) -> dict[str, int]:
    return run_write(ctx.sessions, lambda session: _cases(session, ctx))


def _staff(session: Session) -> dict[tuple[int, RosterRole], int]:
    rows = session.execute(select(RosterEntry.cell_id, RosterEntry.role, RosterEntry.user_id))
    return {(cell, role): user for cell, role, user in rows}


def _cases(session: Session, ctx: CityContext) -> dict[str, int]:
    rng, now = ctx.rng, clock.now()
    classes = [row for row in taxonomy.all_classes(session) if row.is_active and not row.is_major]
    handlers = {row.id: departments.for_class(session, row.id) for row in classes}
    fallback = departments.list_departments(session)[0].id
    centres = {cell.id: (cell.centre_lat, cell.centre_lng) for cell in session.scalars(select(GridCell))}
    staff = _staff(session)
    states = rng.choices([s for s, _ in STATES], [w for _, w in STATES], k=ctx.scale.cases)
    opened = sorted(now - timedelta(days=365 * rng.random() ** 1.5, hours=1) for _ in states)
    counters = {year: last for year, last in session.execute(select(CaseCounter.year, CaseCounter.last))}
    rows, histories, followers = [], [], []
    for n, (state, at) in enumerate(zip(states, opened, strict=True)):
        reporter = rng.choice(ctx.residents)
        cell = ctx.homes[reporter]
        category = rng.choice(classes)
        year = clock.local(at).year
        counters[year] = counters.get(year, 0) + 1
        problem, description = PROBLEMS[n % len(PROBLEMS)]
        road = ROADS[rng.randrange(len(ROADS))]
        lat, lng = centres[cell]
        case: dict[str, Any] = {
            "year": year,
            "sequence": counters[year],
            "source": CaseSource.resident,
            "source_ref": f"{reporter}:city-{n:06d}",
            "class_id": category.id,
            "cell_id": None,
            "suggested_cell_id": cell,
            "address": f"{road}{rng.randint(1, 300)}号",
            "lat": None if lat is None else lat + rng.uniform(-0.001, 0.001),
            "lng": None if lng is None else lng + rng.uniform(-0.001, 0.001),
            "title": f"{road}{problem}",
            "description": description,
            "state": state,
            "reporter_id": reporter,
            "staff_only": False,
            "extensions": 0,
            "reworks": 0,
            "verify_round": 0,
            "created_at": at,
        }
        steps = [
            {
                "action": "report",
                "from_state": None,
                "to_state": S.reported,
                "actor_id": reporter,
                "note": "",
                "due_at": None,
                "at": at,
            }
        ]
        current, when = S.reported, at
        for action, target in PATHS[state]:
            when = min(now, when + timedelta(hours=rng.uniform(1, 48)))
            due = None
            if action == "register":
                case["cell_id"], case["due_at"] = cell, taxonomy.due_from(category, when)
                due = case["due_at"]
            elif action == "dispatch":
                takers = handlers[category.id]
                case["department_id"] = takers[0].id if takers else fallback
                due = case["due_at"]
            elif action == "handle":
                case["verify_round"] = 1
            elif action == "close":
                case["closed_at"] = when
            role = RosterRole.responsible if action == "handle" else RosterRole.leader
            steps.append(
                {
                    "action": action,
                    "from_state": current,
                    "to_state": target,
                    "actor_id": staff.get((cell, role)),
                    "note": NOTES[action],
                    "due_at": due,
                    "at": when,
                }
            )
            current = target
        case["updated_at"] = when
        rows.append(case)
        histories.append(steps)
        followers.append({"user_id": reporter, "since": at})
    _fill(rows)
    ids = bulk_insert_ids(session, Case, rows)
    written = bulk_insert(
        session,
        CaseStep,
        (
            {"case_id": case_id, **step}
            for case_id, steps in zip(ids, histories, strict=True)
            for step in steps
        ),
    )
    bulk_insert(session, CaseFollower, ({"case_id": i, **f} for i, f in zip(ids, followers, strict=True)))
    _counters(session, counters)
    return {"cases": len(ids), "steps": written}


def _fill(rows: list[dict[str, Any]]) -> None:
    """Every row names every column (one executemany statement needs the same keys in each)."""
    for row in rows:
        for column in ("due_at", "department_id", "closed_at"):
            row.setdefault(column, None)


def _counters(session: Session, counters: dict[int, int]) -> None:
    """Each year's counter at the last number given out, as ``open_case`` leaves it."""
    known = set(session.scalars(select(CaseCounter.year)))
    for year, last in counters.items():
        if year in known:
            session.execute(update(CaseCounter).where(CaseCounter.year == year).values(last=last))
        else:
            session.add(CaseCounter(year=year, last=last))
    session.flush()
