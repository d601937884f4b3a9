"""``gongzhi demo``: original demo data, built by calling the services. Running it twice changes nothing.

The city (淮清市), its streets, communities and people are invented; the county code prefix 349901 is
deliberately not a real GB/T 2260 code. One shared password, derived from the site secret, is hashed
once and printed, so it is the same on every run without being stored anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts import roles
from accounts.models import Role, StakeholderGroup, User
from accounts.passwords import Hasher
from accounts.users import find_user_by_username
from core.settings import Settings
from grid import attachments, cells, roster
from grid.models import RosterEntry, RosterRole
from grid.residents import register_resident

COUNTY = "349901"
# street (code, name) -> communities (code, name, number of cells); 14 + 13 + 13 + 13 = 53 cells
STREETS = {
    ("001", "清河街道"): [("001", "柳岸社区", 5), ("002", "石桥社区", 4), ("003", "新民社区", 5)],
    ("002", "桂苑街道"): [("001", "桂花社区", 4), ("002", "文昌社区", 5), ("003", "育才社区", 4)],
    ("003", "汴水街道"): [("001", "码头社区", 5), ("002", "运河社区", 4), ("003", "古槐社区", 4)],
    ("004", "云岭街道"): [("001", "云岭社区", 4), ("002", "松林社区", 5), ("003", "东湖社区", 4)],
}
ROADS = [
    "人民路",
    "淮河路",
    "胜利路",
    "银河路",
    "建设路",
    "光明街",
    "中和路",
    "拂晓路",
    "环城路",
    "青年路",
    "朝阳路",
    "汴河路",
    "学苑街",
    "和平路",
    "瑞祥路",
    "纺织路",
    "花园街",
    "沱河路",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "海燕",
    "国庆",
    "红梅",
    "德明",
    "丽娟",
    "永平",
    "春华",
    "玉兰",
    "文斌",
    "晓东",
    "慧敏",
    "家宝",
    "淑珍",
    "振华",
    "凤英",
    "立新",
    "雪梅",
    "明辉",
    "俊杰",
    "婷婷",
]
POSTS = [
    (RosterRole.leader, "leader"),
    (RosterRole.deputy_leader, "deputy"),
    (RosterRole.sub_grid_leader, "subgrid"),
    (RosterRole.responsible, "officer"),
    (RosterRole.liaison, "liaison"),
]

DUTIES = (
    "巡查本网格的市政设施、市容环境和街面秩序，发现问题当天上报；"
    "听取居民和商户的诉求，跟踪办理进度并向反映人回复。"
)
STANDARDS = (
    "路面无暴露垃圾和积存渣土；井盖、路灯、护栏等部件完好；"
    "占道经营、乱堆乱放发现后两小时内劝导处置，当天复查。"
)
PATROL = "网格责任员每天上午、下午各巡查一次；网格长每周带队巡查一次，巡查情况当天记录。"


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    group: StakeholderGroup
    roles: tuple[Role, ...] = ()
    chair: bool = False
    home: int | None = None  # index of the home cell


CAST = [
    Person("admin", "平台管理员", StakeholderGroup.resident, (Role.admin,)),
    Person(
        "chen_weiyuan", "陈委员（退休干部）", StakeholderGroup.community, (Role.committee_member,), chair=True
    ),
    Person(
        "zhou_jiaoshou", "周教授（城市规划）", StakeholderGroup.resident, (Role.committee_member,), home=3
    ),
    Person("wu_laoshi", "吴老师（法律学者）", StakeholderGroup.resident, (Role.committee_member,), home=20),
    Person("zheng_lao", "郑老（退休干部）", StakeholderGroup.government, (Role.committee_member,)),
    Person("sun_banzhu", "孙版主", StakeholderGroup.resident, (Role.moderator,), home=8),
    Person("wang_ayi", "王阿姨", StakeholderGroup.resident, home=0),
    Person("liu_daye", "刘大爷", StakeholderGroup.resident, home=0),
    Person("xiao_zhang", "小张", StakeholderGroup.resident, home=15),
    Person("li_shifu", "李师傅（早点摊）", StakeholderGroup.served, home=0),
    Person("hongxing_wuye", "红星物业", StakeholderGroup.served, home=1),
    Person("chenji_shop", "陈记五金店", StakeholderGroup.served, home=30),
    Person("zhao_kezhang", "赵科长（城管局）", StakeholderGroup.government),
    Person("qian_zhuren", "钱主任（柳岸社区）", StakeholderGroup.community, home=0),
]


def demo_password(settings: Settings) -> str:
    """The shared demo password: derived from the site secret, so it is stable and never stored."""
    digest = hmac.new(settings.secret_key.value.encode(), b"gongzhi demo password", hashlib.sha256).digest()
    return "demo-" + base64.b32encode(digest).decode()[:10].lower()


def cell_specs() -> list[dict[str, str]]:
    """The 53 cells, numbered west to east, north to south within each community."""
    specs = []
    road = 0
    for (street_code, street), communities in STREETS.items():
        for community_code, community, count in communities:
            for n in range(1, count + 1):
                sides = [ROADS[(road + k) % len(ROADS)] for k in range(4)]
                road += 1
                specs.append(
                    {
                        "code": f"{COUNTY}{street_code}{community_code}{n:03d}",
                        "name": f"{community}第{n}网格",
                        "street": street,
                        "community": community,
                        "scope": f"东至{sides[0]}，西至{sides[1]}，南至{sides[2]}，北至{sides[3]}。",
                    }
                )
    return specs


def staff_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


DUTY_SHEET_NAME = "柳岸社区第1网格责任清单.txt"
DUTY_SHEET = """柳岸社区第1网格 责任清单（演示）

一、定范围：东至人民路，西至淮河路，南至胜利路，北至银河路。
二、定人员：网格长、副网格长、分网格长、网格责任员、联络员各一名，名单见网格页面。
三、定内容：市政设施、市容环境、街面秩序、居民和商户诉求。
四、定责任：发现问题当天上报，跟踪办理，向反映人回复结果。
五、定标准：路面无暴露垃圾；井盖、路灯、护栏完好；占道经营两小时内劝导处置。
六、定巡查：网格责任员每天巡查两次，网格长每周带队巡查一次。
"""


def load(session: Session, password_hash: str, upload_dir: Path | None = None) -> dict[str, int]:
    """Create whatever of the demo is missing; return how many of each thing were added."""
    added = {"cells": 0, "people": 0, "posts": 0, "files": 0}
    specs = cell_specs()
    grid_cells = []
    for spec in specs:
        cell = cells.find_cell(session, spec["code"])
        if cell is None:
            cell = cells.add_cell(session, duties=DUTIES, standards=STANDARDS, patrol=PATROL, **spec)
            added["cells"] += 1
        grid_cells.append(cell)
    session.flush()  # cells need ids before residents and rosters point at them

    admin = _person(session, CAST[0], password_hash, grid_cells, added)
    for person in CAST[1:]:
        _person(session, person, password_hash, grid_cells, added, admin)

    for index, cell in enumerate(grid_cells):
        for post_index, (role, prefix) in enumerate(POSTS):
            username = f"{prefix}{index + 1:02d}"
            user = find_user_by_username(session, username)
            if user is None:
                user = register_resident(
                    session,
                    username=username,
                    password_hash=password_hash,
                    group=StakeholderGroup.resident,
                    display_name=staff_name(index * 5 + post_index),
                )
                roles.set_group(session, admin, user.id, StakeholderGroup.community)
                added["people"] += 1
            if not any(e.user_id == user.id and e.role is role for e in _roster(session, cell.id)):
                roster.assign_post(session, admin, cell_code=cell.code, username=username, role=role)
                added["posts"] += 1
    if upload_dir is not None and not attachments.cell_files(session, grid_cells[0].code):
        attachments.attach_file(
            session,
            admin,
            upload_dir,
            cell_code=grid_cells[0].code,
            upload=io.BytesIO(DUTY_SHEET.encode()),
            name=DUTY_SHEET_NAME,
            max_bytes=65536,
        )
        added["files"] = 1
    return added


def _roster(session: Session, cell_id: int) -> list[RosterEntry]:
    return list(session.scalars(select(RosterEntry).where(RosterEntry.cell_id == cell_id)))


def _person(
    session: Session,
    person: Person,
    password_hash: str,
    grid_cells: list,
    added: dict,
    admin: User | None = None,
) -> User:
    user = find_user_by_username(session, person.username)
    if user is None:
        group = person.group if person.group.self_chosen else StakeholderGroup.resident
        home = grid_cells[person.home].code if person.home is not None else ""
        user = register_resident(
            session,
            username=person.username,
            password_hash=password_hash,
            group=group,
            display_name=person.name,
            home_cell_code=home,
        )
        added["people"] += 1
        if person.username == "admin":
            user = roles.bootstrap_admin(session, username="admin", password_hash=password_hash)
    actor = admin or user
    for role in person.roles:
        roles.grant_role(session, actor, user.id, role)
    if person.chair:
        roles.make_chair(session, actor, user.id)
    if user.group is not person.group:
        roles.set_group(session, actor, user.id, person.group)  # only an admin grants these groups
    return user


def hash_once(settings: Settings) -> str:
    return Hasher.from_settings(settings).hash(demo_password(settings))
