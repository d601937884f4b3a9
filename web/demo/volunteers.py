"""Demo step of the volunteers feature: two teams with their leaders, shifts past and coming, a full
shift with a waiting list, hours checked and verified, and one issued certificate of service.

Everything goes through the services. The past is made the way the tests make it: ``core.clock.now``
is set back while a shift is posted and signed up for, and forward while its leader says who came.
Each thing is looked up by name first, so a second run adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from accounts.models import StakeholderGroup, User
from accounts.users import find_user_by_username
from core import clock
from grid.residents import register_resident
from volunteers import certificates, checkin, hours, signups, teams
from volunteers.models import Certificate, IdType, JoinPolicy, Membership, Shift, Team
from volunteers.shifts import ShiftDraft, create_shift, create_weekly_series
from web.demo import DemoContext

LIUAN_CELLS = tuple(f"349901001001{n:03d}" for n in range(1, 6))
QINGHE_CELLS = tuple(
    f"349901001{c:03d}{n:03d}" for c, count in ((1, 5), (2, 4), (3, 5)) for n in range(1, count + 1)
)


@dataclass(frozen=True)
class TeamSpec:
    organisation: str
    description: str
    join_policy: JoinPolicy
    cell_codes: tuple[str, ...]
    leader: str


TEAMS = {
    "柳岸社区志愿服务队": TeamSpec(
        organisation="清河街道柳岸社区居民委员会",
        description="柳岸社区的居民志愿者：周末清扫河道和公园，陪伴独居老人，社区活动时帮忙引导和维持秩序。",
        join_policy=JoinPolicy.open,
        cell_codes=LIUAN_CELLS,
        leader="liu_duizhang",
    ),
    "城管志愿巡查队": TeamSpec(
        organisation="淮清市城市管理局清河执法中队",
        description="配合城管执法中队，在早晚高峰和夜市劝导占道经营、乱停乱放，发现井盖、路灯等问题随手上报。入队需队长审核。",
        join_policy=JoinPolicy.approval,
        cell_codes=QINGHE_CELLS,
        leader="he_duizhang",
    ),
}
LEADERS = {"liu_duizhang": "刘队长", "he_duizhang": "何队长"}
VOLUNTEERS = ["赵秀英", "钱志强", "孙海燕", "周国庆", "吴红梅", "郑德明", "冯丽娟", "陈永平"]
MEMBERS = {"柳岸社区志愿服务队": ["wang_ayi", "liu_daye", "xiao_zhang"], "城管志愿巡查队": ["li_shifu"]}
DEMO_ID = "34990119580312004"  # the demo county's prefix: not a real person's number


def load(ctx: DemoContext) -> None:
    """Create whatever of the volunteers' demo is missing."""
    for noun in ("volunteer teams", "volunteer shifts", "sign-ups", "certificates"):
        ctx.count(noun, 0)
    for username, name in LEADERS.items():
        _person(ctx, username, name)
    helpers = [_person(ctx, f"zhiyuan{n + 1:02d}", name) for n, name in enumerate(VOLUNTEERS)]
    liuan, chengguan = (_team(ctx, name, spec) for name, spec in TEAMS.items())
    for team, usernames in ((liuan, MEMBERS["柳岸社区志愿服务队"]), (chengguan, MEMBERS["城管志愿巡查队"])):
        _members(ctx, team, [ctx.person(u) for u in usernames])
    _members(ctx, liuan, helpers[:6])
    _members(ctx, chengguan, helpers[4:])
    # a co-leader from the team's own volunteers (the cast's xiao_zhang stays without notifications:
    # the bell's browser test starts from none)
    teams.appoint_leader(ctx.session, ctx.person("liu_duizhang"), team_id=liuan.id, user_id=helpers[0].id)
    _past_cleanup(ctx, liuan, helpers)
    _coming(ctx, liuan, chengguan, helpers)
    _certificate(ctx, liuan)


def _person(ctx: DemoContext, username: str, name: str) -> User:
    user = find_user_by_username(ctx.session, username)
    if user is None:
        user = register_resident(
            ctx.session,
            username=username,
            password_hash=ctx.password_hash,
            group=StakeholderGroup.resident,
            display_name=name,
            home_cell_code=LIUAN_CELLS[0],
        )
        ctx.count("people")
    return user


def _team(ctx: DemoContext, name: str, spec: TeamSpec) -> Team:
    found = ctx.session.scalar(select(Team).where(Team.name == name))
    if found is not None:
        return found
    leader = ctx.person(spec.leader)
    draft = teams.TeamDraft(
        name=name,
        organisation=spec.organisation,
        description=spec.description,
        join_policy=spec.join_policy,
        cell_codes=spec.cell_codes,
    )
    ctx.count("volunteer teams")
    return teams.create_team(ctx.session, ctx.admin, draft=draft, leader_id=leader.id)


def _members(ctx: DemoContext, team: Team, people: list[User]) -> None:
    for person in people:
        if ctx.session.get(Membership, (team.id, person.id)) is None:
            teams.join_team(ctx.session, person, team_id=team.id)
            if team.join_policy is JoinPolicy.approval:
                leader = ctx.person(TEAMS[team.name].leader)
                teams.decide_member(ctx.session, leader, team_id=team.id, user_id=person.id, accept=True)


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """The services' clock at ``moment`` (how the demo writes history through them)."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def _exists(ctx: DemoContext, team: Team, title: str) -> bool:
    found = ctx.session.scalar(
        select(Shift.id).where(Shift.team_id == team.id, Shift.title == title).limit(1)
    )
    return found is not None


def _draft(
    title: str, place: str, start: datetime, hours_long: float, capacity: int, **more: object
) -> ShiftDraft:
    return ShiftDraft(
        title=title,
        place=place,
        starts_at=start,
        ends_at=start + timedelta(hours=hours_long),
        capacity=capacity,
        **more,  # type: ignore[arg-type]
    )


def _past_cleanup(ctx: DemoContext, team: Team, helpers: list[User]) -> None:
    """Three weeks ago: a river clean-up, who came and who did not, and the hours verified."""
    title = "柳岸河道清扫（第一期）"
    if _exists(ctx, team, title):
        return
    leader, session = ctx.person("liu_duizhang"), ctx.session
    start = _at(clock.local(clock.now()).date() - timedelta(days=21), 8, 30)
    came = [ctx.person("wang_ayi"), ctx.person("xiao_zhang"), *helpers[:3]]
    with _as_of(start - timedelta(days=4)):
        draft = _draft(
            title,
            "柳岸公园南门集合",
            start,
            2.5,
            8,
            description="沿河步道捡拾垃圾，清理水面漂浮物。",
            cell_code=LIUAN_CELLS[0],
        )
        shift = create_shift(session, leader, team_id=team.id, draft=draft)
        signed = [
            signups.sign_up(session, person, shift_id=shift.id) for person in [*came, ctx.person("liu_daye")]
        ]
    ctx.count("volunteer shifts")
    ctx.count("sign-ups", len(signed))
    with _as_of(start + timedelta(hours=3)):
        checkin.record_attendance(
            session, leader, shift_id=shift.id, came=[s.id for s in signed[:-1]], missed=[signed[-1].id]
        )
    with _as_of(start + timedelta(days=1)):
        lines = hours.team_hours(session, leader, team_id=team.id)
        hours.verify_hours(session, leader, team_id=team.id, record_ids=[line.id for line in lines])


def _coming(ctx: DemoContext, liuan: Team, chengguan: Team, helpers: list[User]) -> None:
    """The next weeks: a clean-up with places, a weekly visit, a full shift with a line, two patrols."""
    today = clock.local(clock.now()).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    liu, he = ctx.person("liu_duizhang"), ctx.person("he_duizhang")
    plans = [
        (
            liuan,
            liu,
            _draft(
                "周末河道清扫",
                "柳岸公园南门集合",
                _at(saturday, 8, 30),
                2.5,
                8,
                description="请穿方便活动的衣服，手套和夹子由服务队准备。",
                cell_code=LIUAN_CELLS[0],
            ),
            [helpers[0], helpers[1]],
        ),
        (
            liuan,
            liu,
            _draft(
                "社区义诊引导",
                "柳岸社区党群服务中心",
                _at(today + timedelta(days=3), 14),
                3,
                3,
                description="市中医院专家来社区义诊：帮忙排队取号、引导老人就座。",
            ),
            [*helpers[2:5], helpers[5], helpers[0]],
        ),
        (
            chengguan,
            he,
            _draft(
                "早高峰文明劝导",
                "胜利路与人民路路口",
                _at(today + timedelta(days=1), 7),
                2,
                6,
                description="劝导电动车不闯红灯、不逆行，提醒早点摊不占盲道。",
                cell_code=QINGHE_CELLS[0],
            ),
            [helpers[6]],
        ),
        (
            chengguan,
            he,
            _draft(
                "夜市占道巡查",
                "淮河路夜市",
                _at(today + timedelta(days=5), 19),
                2.5,
                5,
                description="与执法队员一起巡查夜市，劝导摊位退回划定区域。",
            ),
            [helpers[7]],
        ),
    ]
    for team, leader, draft, people in plans:
        if _exists(ctx, team, draft.title):
            continue
        shift = create_shift(ctx.session, leader, team_id=team.id, draft=draft)
        ctx.session.flush()  # sign-ups name the shift by id
        for person in people:
            signups.sign_up(ctx.session, person, shift_id=shift.id)
        ctx.count("volunteer shifts")
        ctx.count("sign-ups", len(people))
    _weekly_visit(ctx, liuan, liu, today)


def _weekly_visit(ctx: DemoContext, team: Team, leader: User, today: date) -> None:
    title = "助老陪伴：读报聊天"
    if _exists(ctx, team, title):
        return
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    draft = _draft(
        title,
        "柳岸社区养老服务站",
        _at(wednesday, 15),
        1.5,
        4,
        description="陪独居老人读报、聊天，帮忙看看手机上的健康码和缴费。",
    )
    create_weekly_series(ctx.session, leader, team_id=team.id, draft=draft, weeks=6)
    ctx.count("volunteer shifts", 6)


def _certificate(ctx: DemoContext, team: Team) -> None:
    """王阿姨 asked the team for a certificate of service; it was accepted and issued."""
    wang, leader = ctx.person("wang_ayi"), ctx.person("liu_duizhang")
    if ctx.session.scalar(select(Certificate.id).where(Certificate.user_id == wang.id)) is not None:
        return
    number = DEMO_ID + _check_character(DEMO_ID)
    application = certificates.apply_for_certificate(
        ctx.session, wang, team_id=team.id, real_name="王秀兰", id_type=IdType.resident_id, id_number=number,
        purpose="社区评选“优秀志愿者”材料",
    )  # fmt: skip
    ctx.session.flush()  # the certificate's number names its id
    certificates.accept_certificate(ctx.session, leader, certificate_id=application.id)
    certificates.issue_certificate(ctx.session, leader, certificate_id=application.id)
    ctx.count("certificates")


def _check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, certificates.WEIGHTS, strict=True))
    return certificates.CHECK_CHARACTERS[total % 11]
