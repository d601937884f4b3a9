"""The named cast, one per role and stakeholder group, so permission tests read like the app's users."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from accounts import roles
from accounts.models import Role, StakeholderGroup, User
from accounts.passwords import Hasher
from grid import roster
from grid.models import GridCell, RosterRole
from tests.factories import make_admin, make_cell, make_team, make_user
from volunteers.models import Team


@dataclass
class Cast:
    admin: User
    wang_ayi: User  # resident 王阿姨
    li_shifu: User  # vendor, managed and served 李师傅
    zhao_kezhang: User  # government 赵科长
    qian_zhuren: User  # community office 钱主任
    chen_weiyuan: User  # committee chair 陈委员
    zhou_jiaoshou: User  # committee member 周教授
    sun_banzhu: User  # moderator 孙版主
    zhang_wangge: User  # grid leader 张网格长
    liu_duizhang: User  # team leader 刘队长: a resident who leads the 柳岸 volunteer team
    cell: GridCell
    team: Team  # 柳岸社区志愿服务队, open to all, serving ``cell``


def build_cast(session: Session, hasher: Hasher) -> Cast:
    cell = make_cell(session, name="柳岸社区第1网格")
    admin = make_admin(session, hasher)
    people = Cast(
        admin=admin,
        wang_ayi=make_user(session, hasher, "wang_ayi", display_name="王阿姨", home_cell=cell.code),
        li_shifu=make_user(session, hasher, "li_shifu", group=StakeholderGroup.served, display_name="李师傅"),
        zhao_kezhang=make_user(
            session, hasher, "zhao_kezhang", group=StakeholderGroup.government, admin=admin
        ),
        qian_zhuren=make_user(session, hasher, "qian_zhuren", group=StakeholderGroup.community, admin=admin),
        chen_weiyuan=make_user(
            session, hasher, "chen_weiyuan", roles_held=(Role.committee_member,), admin=admin
        ),
        zhou_jiaoshou=make_user(
            session, hasher, "zhou_jiaoshou", roles_held=(Role.committee_member,), admin=admin
        ),
        sun_banzhu=make_user(session, hasher, "sun_banzhu", roles_held=(Role.moderator,), admin=admin),
        zhang_wangge=make_user(
            session, hasher, "zhang_wangge", group=StakeholderGroup.community, admin=admin
        ),
        liu_duizhang=make_user(session, hasher, "liu_duizhang", display_name="刘队长", home_cell=cell.code),
        cell=cell,
        team=None,  # type: ignore[arg-type] # founded below, by the admin, with 刘队长 leading it
    )
    people.team = make_team(session, admin, people.liu_duizhang, cells=(cell.code,))
    roles.make_chair(session, admin, people.chen_weiyuan.id)
    roster.assign_post(session, admin, cell_code=cell.code, username="zhang_wangge", role=RosterRole.leader)
    session.flush()
    return people


@pytest.fixture
def cast(session: Session, hasher: Hasher) -> Cast:
    return build_cast(session, hasher)
