"""Demo step of the grid feature: 53 cells of 淮清市 with their 网格六定 rosters, where the cast lives,
and one cell's duty sheet as a stored document."""

from __future__ import annotations

import io

from accounts import roles
from accounts.models import StakeholderGroup
from accounts.users import find_user_by_username
from grid import attachments, cells, residents, roster
from grid.models import GridCell, RosterRole
from web.demo import DemoContext

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


# where the cast lives: username -> index of the home cell
HOMES = {
    "zhou_jiaoshou": 3,
    "wu_laoshi": 20,
    "sun_banzhu": 8,
    "wang_ayi": 0,
    "liu_daye": 0,
    "xiao_zhang": 15,
    "li_shifu": 0,
    "hongxing_wuye": 1,
    "chenji_shop": 30,
    "qian_zhuren": 0,
}


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


def load(ctx: DemoContext) -> None:
    """Create whatever of the grid is missing: cells, homes, staff and their posts, the duty sheet."""
    for noun in ("grid cells", "roster posts", "documents"):
        ctx.count(noun, 0)
    grid_cells = [_cell(ctx, spec) for spec in cell_specs()]
    ctx.session.flush()  # cells need ids before residents and rosters point at them
    for username, index in HOMES.items():
        if residents.home_cell(ctx.session, ctx.person(username).id) is None:
            residents.move_home(ctx.session, ctx.person(username), grid_cells[index].code)
    for index, cell in enumerate(grid_cells):
        for post_index, (role, prefix) in enumerate(POSTS):
            _post(ctx, cell, role, f"{prefix}{index + 1:02d}", staff_name(index * 5 + post_index))
    if ctx.upload_dir is not None and not attachments.cell_files(ctx.session, grid_cells[0].code):
        attachments.attach_file(
            ctx.session,
            ctx.admin,
            ctx.upload_dir,
            cell_code=grid_cells[0].code,
            upload=io.BytesIO(DUTY_SHEET.encode()),
            name=DUTY_SHEET_NAME,
            max_bytes=65536,
        )
        ctx.count("documents")


def _cell(ctx: DemoContext, spec: dict[str, str]) -> GridCell:
    cell = cells.find_cell(ctx.session, spec["code"])
    if cell is None:
        cell = cells.add_cell(ctx.session, duties=DUTIES, standards=STANDARDS, patrol=PATROL, **spec)
        ctx.count("grid cells")
    return cell


def _post(ctx: DemoContext, cell: GridCell, role: RosterRole, username: str, name: str) -> None:
    user = find_user_by_username(ctx.session, username)
    if user is None:
        user = residents.register_resident(
            ctx.session,
            username=username,
            password_hash=ctx.password_hash,
            group=StakeholderGroup.resident,
            display_name=name,
        )
        roles.set_group(ctx.session, ctx.admin, user.id, StakeholderGroup.community)
        ctx.count("people")
    if not any(
        post.cell_id == cell.id and post.role is role for post in roster.posts_of(ctx.session, user.id)
    ):
        roster.assign_post(ctx.session, ctx.admin, cell_code=cell.code, username=username, role=role)
        ctx.count("roster posts")
