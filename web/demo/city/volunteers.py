"""The city's volunteers: teams founded and weekly shift series posted through the services, members
and sign-ups in bulk as ``join_team`` and ``sign_up`` leave them: places in each shift's line from 1,
confirmed while places last and waitlisted after, and the shift's places taken and last place in line
equal to its sign-ups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.users import find_user_by_username
from core import clock
from core.db import run_write
from volunteers import teams
from volunteers.models import JoinPolicy, MemberRole, Membership, MemberStatus, Shift, Signup, SignupStatus
from volunteers.shifts import ShiftDraft, create_weekly_series
from web.demo.city import WEEKS_PER_SERIES, CityContext, bulk_insert, table
from web.demo.grid import ROADS

MEMBERS = 100  # per team
ORGANISATION = "淮清市志愿服务联合会"  # the city's teams, and only they, name it
WORK = [
    ("河道清扫", "沿河步道捡拾垃圾，清理水面漂浮物。"),
    ("文明劝导", "劝导电动车不闯红灯、不逆行。"),
    ("助老陪伴", "陪独居老人读报、聊天。"),
    ("垃圾分类督导", "在投放点引导居民分类投放。"),
    ("夜市巡查", "劝导摊位退回划定区域。"),
]


def load(ctx: CityContext) -> dict[str, int]:
    team_ids, made = run_write(ctx.sessions, lambda session: _teams_and_shifts(session, ctx))
    return made | run_write(ctx.sessions, lambda session: _signups(session, ctx, team_ids))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=clock.LOCAL_TZ).astimezone(clock.now().tzinfo)


def _teams_and_shifts(session: Session, ctx: CityContext) -> tuple[list[int], dict[str, int]]:
    admin = find_user_by_username(session, "admin")
    count, series = ctx.scale.teams, ctx.scale.series
    leaders = ctx.residents[:count]
    members = ctx.residents[count:]
    team_ids, memberships = [], []
    today = clock.local(clock.now()).date()
    made = 0
    for t in range(count):
        draft = teams.TeamDraft(
            name=f"{ROADS[t % len(ROADS)]}志愿服务队（{t + 1}队）",
            organisation=ORGANISATION,
            description="城市规模演示数据中的服务队。",
            join_policy=JoinPolicy.open,
        )
        team = teams.create_team(session, admin, draft=draft, leader_id=leaders[t])
        team_ids.append(team.id)
        joined = members[t * MEMBERS : (t + 1) * MEMBERS]
        memberships += [
            {
                "team_id": team.id,
                "user_id": uid,
                "role": MemberRole.member,
                "status": MemberStatus.active,
                "since": clock.now(),
            }
            for uid in joined
        ]
        leader = session.get_one(User, leaders[t])
        mine = range(t, series, count)  # this team's series, a distinct weekly slot each: none overlap
        for s, _ in enumerate(mine):
            weekday, hour = s % 7, 8 + 3 * (s // 7 % 4)
            first = today + timedelta(days=1 + (weekday - today.weekday() - 1) % 7 + 7 * (s // 28))
            title, description = WORK[(t + s) % len(WORK)]
            start = _at(first, hour)
            shift = ShiftDraft(
                title=title,
                place=f"{ROADS[(t + s) % len(ROADS)]}与{ROADS[(t + s + 3) % len(ROADS)]}路口",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=ctx.rng.randint(3, 12),
                description=description,
            )
            create_weekly_series(session, leader, team_id=team.id, draft=shift, weeks=WEEKS_PER_SERIES)
            made += WEEKS_PER_SERIES
    bulk_insert(session, Membership, memberships)
    return team_ids, {"teams": count, "shifts": made, "members": len(memberships)}


def _signups(session: Session, ctx: CityContext, team_ids: list[int]) -> dict[str, int]:
    rng, now = ctx.rng, clock.now()
    rows, counters = [], []
    shifts = session.execute(
        select(Shift.id, Shift.team_id, Shift.capacity).where(Shift.team_id.in_(team_ids)).order_by(Shift.id)
    ).all()
    members: dict[int, list[int]] = {}
    for team_id, user_id in session.execute(
        select(Membership.team_id, Membership.user_id).where(
            Membership.team_id.in_(team_ids), Membership.role == MemberRole.member
        )
    ):
        members.setdefault(team_id, []).append(user_id)
    for shift_id, team_id, capacity in shifts:
        pool = members.get(team_id, [])
        chosen = rng.sample(pool, min(len(pool), rng.randint(0, capacity + 2)))
        for position, user_id in enumerate(chosen, start=1):
            status = SignupStatus.confirmed if position <= capacity else SignupStatus.waitlisted
            rows.append(
                {
                    "shift_id": shift_id,
                    "user_id": user_id,
                    "status": status,
                    "position": position,
                    "created_at": now,
                    "changed_at": now,
                    "note": "",
                }
            )
        counters.append({"s_id": shift_id, "s_taken": min(len(chosen), capacity), "s_next": len(chosen)})
    written = bulk_insert(session, Signup, rows)
    statement = (
        update(table(Shift))
        .where(table(Shift).c.id == bindparam("s_id"))
        .values(taken=bindparam("s_taken"), next_position=bindparam("s_next"))
    )
    if counters:
        session.connection().execute(statement, counters)
    return {"sign-ups": written}
