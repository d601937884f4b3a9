"""Demo step of the accounts feature: the named people, with their roles and stakeholder groups."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import roles
from accounts.models import Role, StakeholderGroup, User
from accounts.registration import register
from accounts.users import find_user_by_username
from web.demo import DemoContext


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    group: StakeholderGroup
    roles: tuple[Role, ...] = ()
    chair: bool = False


CAST = [
    Person("admin", "平台管理员", StakeholderGroup.resident, (Role.admin,)),
    Person(
        "chen_weiyuan", "陈委员（退休干部）", StakeholderGroup.community, (Role.committee_member,), chair=True
    ),
    Person("zhou_jiaoshou", "周教授（城市规划）", StakeholderGroup.resident, (Role.committee_member,)),
    Person("wu_laoshi", "吴老师（法律学者）", StakeholderGroup.resident, (Role.committee_member,)),
    Person("zheng_lao", "郑老（退休干部）", StakeholderGroup.government, (Role.committee_member,)),
    Person("sun_banzhu", "孙版主", StakeholderGroup.resident, (Role.moderator,)),
    Person("wang_ayi", "王阿姨", StakeholderGroup.resident),
    Person("liu_daye", "刘大爷", StakeholderGroup.resident),
    Person("xiao_zhang", "小张", StakeholderGroup.resident),
    Person("li_shifu", "李师傅（早点摊）", StakeholderGroup.served),
    Person("hongxing_wuye", "红星物业", StakeholderGroup.served),
    Person("chenji_shop", "陈记五金店", StakeholderGroup.served),
    Person("zhao_kezhang", "赵科长（城管局）", StakeholderGroup.government),
    Person("qian_zhuren", "钱主任（柳岸社区）", StakeholderGroup.community),
]


def load(ctx: DemoContext) -> None:
    """Create the cast; the administrator first, since only an admin grants roles and groups."""
    ctx.count("people", 0)
    admin = _person(ctx, CAST[0], None)
    for person in CAST[1:]:
        _person(ctx, person, admin)


def _person(ctx: DemoContext, person: Person, admin: User | None) -> User:
    session = ctx.session
    user = find_user_by_username(session, person.username)
    if user is None:
        group = person.group if person.group.self_chosen else StakeholderGroup.resident
        user = register(
            session,
            username=person.username,
            password_hash=ctx.password_hash,
            group=group,
            display_name=person.name,
        )
        ctx.count("people")
    if admin is None:  # the first administrator has nobody to grant the role: the CLI's own way in
        user = roles.bootstrap_admin(session, username=person.username, password_hash=ctx.password_hash)
    actor = admin or user
    for role in person.roles:
        roles.grant_role(session, actor, user.id, role)
    if person.chair:
        roles.make_chair(session, actor, user.id)
    if user.group is not person.group:
        roles.set_group(session, actor, user.id, person.group)  # only an admin grants these groups
    return user
