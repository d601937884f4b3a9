import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts import permissions, roles
from accounts.models import Role, StakeholderGroup, UserRole
from core.audit import AuditEntry
from core.errors import Conflict, Invalid, PermissionDenied


def actions(session):
    return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_admin_gives_and_takes_roles_and_each_act_is_audited(session, cast):
    before = len(actions(session))
    roles.grant_role(session, cast.admin, cast.wang_ayi.id, Role.moderator)
    assert permissions.is_moderator(cast.wang_ayi)
    roles.grant_role(session, cast.admin, cast.wang_ayi.id, Role.moderator)  # already held: nothing
    roles.revoke_role(session, cast.admin, cast.wang_ayi.id, Role.moderator)
    assert not permissions.is_moderator(cast.wang_ayi)
    assert actions(session)[before:] == ["role.grant", "role.revoke"]


@pytest.mark.parametrize("actor", ["wang_ayi", "sun_banzhu", "chen_weiyuan", "zhang_wangge"])
def test_only_admins_change_roles_and_groups(session, cast, actor):
    person = getattr(cast, actor)
    with pytest.raises(PermissionDenied):
        roles.grant_role(session, person, person.id, Role.admin)
    with pytest.raises(PermissionDenied):
        roles.set_group(session, person, person.id, StakeholderGroup.government)
    assert not permissions.is_admin(person) and person.group is not StakeholderGroup.government


def test_there_is_one_chair_and_moving_it_keeps_the_old_chair_a_member(session, cast):
    assert permissions.is_committee_chair(cast.chen_weiyuan)
    roles.make_chair(session, cast.admin, cast.zhou_jiaoshou.id)
    session.flush()
    session.expire_all()
    assert roles.committee_chair(session).id == cast.zhou_jiaoshou.id
    assert permissions.is_committee_member(cast.chen_weiyuan)
    assert not permissions.is_committee_chair(cast.chen_weiyuan)


def test_the_database_itself_refuses_a_second_chair(session, cast):
    row = session.get(UserRole, (cast.zhou_jiaoshou.id, Role.committee_member))
    row.is_chair = True
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_only_committee_members_can_chair(session, cast):
    with pytest.raises(Invalid):
        roles.make_chair(session, cast.admin, cast.wang_ayi.id)


def test_the_last_admin_cannot_be_removed(session, cast):
    with pytest.raises(Conflict):
        roles.revoke_role(session, cast.admin, cast.admin.id, Role.admin)
    roles.grant_role(session, cast.admin, cast.qian_zhuren.id, Role.admin)
    roles.revoke_role(session, cast.admin, cast.admin.id, Role.admin)
    assert not permissions.is_admin(cast.admin)


def test_a_suspended_admin_does_not_count_as_the_other_admin(session, cast):
    roles.grant_role(session, cast.admin, cast.qian_zhuren.id, Role.admin)
    roles.set_active(session, cast.admin, cast.qian_zhuren.id, False)
    with pytest.raises(Conflict):  # revoking one's own role would leave only a suspended admin
        roles.revoke_role(session, cast.admin, cast.admin.id, Role.admin)
    roles.set_active(session, cast.admin, cast.qian_zhuren.id, True)
    roles.revoke_role(session, cast.qian_zhuren, cast.admin.id, Role.admin)
    assert not permissions.is_admin(cast.admin) and permissions.is_admin(cast.qian_zhuren)


def test_granting_a_group_is_audited_with_old_and_new(session, cast):
    roles.set_group(session, cast.admin, cast.li_shifu.id, StakeholderGroup.government)
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.details) == ("group.set", {"old": "served", "new": "government"})


def test_suspending_ends_logins_and_cannot_be_done_to_oneself(session, cast):
    from accounts.logins import find_viewer, start_login

    login = start_login(session, cast.wang_ayi.id)
    roles.set_active(session, cast.admin, cast.wang_ayi.id, False)
    assert not cast.wang_ayi.is_active
    roles.set_active(session, cast.admin, cast.wang_ayi.id, True)
    assert find_viewer(session, login.login_id, login.secret) is None  # restoring starts no old login
    with pytest.raises(Conflict):
        roles.set_active(session, cast.admin, cast.admin.id, False)
