"""Admin pages: roles, groups, rosters, audit, settings, and who may not reach them."""

import pytest
from sqlalchemy import select

from accounts.models import Role, StakeholderGroup, User
from core.audit import AuditEntry
from grid.models import RosterEntry, RosterRole
from tests.conftest import log_in, post_form
from tests.factories import PASSWORD

ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/grid", "/admin/jobs", "/admin/audit", "/admin/settings"]


@pytest.mark.parametrize("person", ["wang_ayi", "sun_banzhu", "chen_weiyuan", "zhang_wangge", "zhao_kezhang"])
def test_non_admins_get_403_on_every_admin_page(client, cast, person):
    log_in(client, person, PASSWORD)
    for page in [*ADMIN_PAGES, f"/admin/users/{cast.wang_ayi.id}", f"/admin/grid/cells/{cast.cell.code}"]:
        response = client.get(page)
        assert response.status_code == 403, page
        assert "无权访问" in response.text


def test_a_resident_cannot_post_admin_actions(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client, f"/admin/users/{cast.wang_ayi.id}/group", {"group": "government"}, page="/accounts/me"
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(User, cast.wang_ayi.id).group is StakeholderGroup.resident


def test_visitors_are_sent_to_log_in(client, cast):
    response = client.get("/admin/users")
    assert response.status_code == 303 and response.headers["location"] == "/accounts/login?next=/admin/users"


def test_admin_finds_users_and_gives_roles_that_land_in_the_audit_log(client, session, cast):
    log_in(client, "admin", PASSWORD)
    page = client.get("/admin/users?q=wang")
    assert "wang_ayi" in page.text and "li_shifu" not in page.text
    assert "zhou_jiaoshou" in client.get("/admin/users?role=committee_member").text
    response = post_form(
        client,
        f"/admin/users/{cast.wang_ayi.id}/roles",
        {"role": "moderator", "action": "grant"},
        page="/admin/users",
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, cast.wang_ayi.id).has_role(Role.moderator)
    audit_page = client.get("/admin/audit").text
    assert "授予角色" in audit_page and "role=moderator" in audit_page


def test_admin_grants_the_government_group(client, session, cast):
    log_in(client, "admin", PASSWORD)
    post_form(client, f"/admin/users/{cast.li_shifu.id}/group", {"group": "government"}, page="/admin/users")
    session.expire_all()
    assert session.get(User, cast.li_shifu.id).group is StakeholderGroup.government
    assert "修改身份类别" in client.get(f"/admin/users/{cast.li_shifu.id}").text


def test_admin_moves_the_chair(client, session, cast):
    log_in(client, "admin", PASSWORD)
    post_form(client, f"/admin/users/{cast.zhou_jiaoshou.id}/chair", {}, page="/admin/users")
    session.expire_all()
    chair = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "role.make_chair").order_by(AuditEntry.id.desc())
    ).first()
    assert chair.target_id == str(cast.zhou_jiaoshou.id)


def test_bad_role_value_is_a_422_and_changes_nothing(client, cast):
    log_in(client, "admin", PASSWORD)
    response = post_form(
        client,
        f"/admin/users/{cast.wang_ayi.id}/roles",
        {"role": "superuser", "action": "grant"},
        page="/admin/users",
    )
    assert response.status_code == 422 and "请从列表中选择角色" in response.text


def test_removing_the_last_admin_is_a_409(client, cast):
    log_in(client, "admin", PASSWORD)
    response = post_form(
        client,
        f"/admin/users/{cast.admin.id}/roles",
        {"role": "admin", "action": "revoke"},
        page="/admin/users",
    )
    assert response.status_code == 409 and "最后一位管理员" in response.text


def test_admin_puts_staff_on_a_roster(client, session, cast):
    log_in(client, "admin", PASSWORD)
    response = post_form(
        client,
        f"/admin/grid/cells/{cast.cell.code}/roster",
        {"username": "qian_zhuren", "role": "liaison"},
        page="/admin/grid",
    )
    assert response.status_code == 303
    entry = session.scalar(select(RosterEntry).where(RosterEntry.user_id == cast.qian_zhuren.id))
    assert entry.role is RosterRole.liaison
    assert "联络员" in client.get(f"/grid/cells/{cast.cell.code}").text
    again = post_form(
        client,
        f"/admin/grid/cells/{cast.cell.code}/roster",
        {"username": "qian_zhuren", "role": "leader"},
        page="/admin/grid",
    )
    assert again.status_code == 422 and "已有网格长" in again.text
    removed = post_form(client, f"/admin/grid/roster/{entry.id}/remove", {}, page="/admin/grid")
    assert removed.status_code == 303
    assert session.scalar(select(RosterEntry).where(RosterEntry.user_id == cast.qian_zhuren.id)) is None


def test_admin_changes_site_settings_all_or_nothing(client, cast):
    log_in(client, "admin", PASSWORD)
    bad = post_form(
        client,
        "/admin/settings",
        {"lockout.pair_failures": "4", "rate.login_per_ip": "lots"},
        page="/admin/settings",
    )
    assert bad.status_code == 422 and "此处不能填写这个值" in bad.text
    assert 'value="5"' in client.get("/admin/settings").text  # the valid change was not kept either
    good = post_form(client, "/admin/settings", {"lockout.pair_failures": "4"}, page="/admin/settings")
    assert good.status_code == 303
    assert 'value="4"' in client.get("/admin/settings").text


def test_admin_sees_dead_jobs_with_their_error_and_retries_one(client, session, cast, sessions):
    from core import jobs
    from core.jobs import Job, JobStatus
    from core.worker import Worker

    dead = jobs.enqueue(session, "nobody.handles.this", max_attempts=1)
    session.flush()
    Worker(sessions).run_once()
    log_in(client, "admin", PASSWORD)
    page = client.get("/admin/jobs")
    assert page.status_code == 200 and "nobody.handles.this" in page.text and "no handler" in page.text
    assert "立即重试" in page.text
    response = post_form(client, f"/admin/jobs/{dead.id}/retry", {}, page="/admin/jobs")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Job, dead.id).status is JobStatus.queued
    assert "重试后台任务" in client.get("/admin/audit").text


def test_non_admins_cannot_retry_jobs(client, session, cast):
    from core import jobs

    job = jobs.enqueue(session, "nobody.handles.this")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    assert client.get("/admin/jobs").status_code == 403
    assert post_form(client, f"/admin/jobs/{job.id}/retry", {}, page="/").status_code == 403
