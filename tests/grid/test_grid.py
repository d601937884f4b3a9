import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts import logins
from accounts.models import StakeholderGroup, User
from core.errors import Invalid, NotFound, PermissionDenied
from grid import attachments, cells, residents, roster
from grid.models import RosterEntry, RosterRole
from tests.factories import make_cell


def test_a_cell_code_has_fifteen_digits(session):
    for bad in ("34990100100100", "3499010010010011", "34990100100100x", ""):
        with pytest.raises(Invalid) as refused:
            cells.add_cell(session, code=bad, name="x", street="清河街道", community="柳岸社区")
        assert "code" in refused.value.errors
    with pytest.raises(NotFound):
        cells.get_cell(session, "not-a-code")


def test_cells_list_in_code_order_and_filter(session):
    make_cell(
        session, code="349901002001001", name="桂花社区第1网格", street="桂苑街道", community="桂花社区"
    )
    make_cell(session, code="349901001001001", name="柳岸社区第1网格")
    assert [c.code for c in cells.list_cells(session)] == ["349901001001001", "349901002001001"]
    assert [c.name for c in cells.list_cells(session, query="桂苑")] == ["桂花社区第1网格"]
    with pytest.raises(Invalid):
        cells.add_cell(session, code="349901001001001", name="dup", street="s", community="c")


def test_registering_with_a_home_cell_links_it_all_or_nothing(session, hasher):
    cell = make_cell(session)
    user = residents.register_resident(
        session,
        username="xiao_zhang",
        password_hash=hasher.hash("x"),
        group=StakeholderGroup.resident,
        home_cell_code=cell.code,
    )
    assert residents.home_cell(session, user.id).code == cell.code
    with pytest.raises(Invalid) as refused:
        residents.register_resident(
            session,
            username="liu_daye",
            password_hash=hasher.hash("x"),
            group=StakeholderGroup.resident,
            home_cell_code="349901999999999",
        )
    assert "home_cell" in refused.value.errors
    assert session.scalar(select(func.count()).select_from(User).where(User.username == "liu_daye")) == 0


def test_a_resident_moves_home_and_can_clear_it(session, cast):
    other = make_cell(session)
    residents.move_home(session, cast.wang_ayi, other.code)
    assert residents.home_cell(session, cast.wang_ayi.id).id == other.id
    residents.move_home(session, cast.wang_ayi, "")
    assert residents.home_cell(session, cast.wang_ayi.id) is None


def test_admin_puts_staff_on_the_roster_once_per_post(session, cast):
    entry = roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="qian_zhuren", role=RosterRole.liaison
    )
    assert entry.user_id == cast.qian_zhuren.id
    with pytest.raises(Invalid):
        roster.assign_post(
            session, cast.admin, cell_code=cast.cell.code, username="qian_zhuren", role=RosterRole.liaison
        )
    with pytest.raises(Invalid) as refused:  # one 网格长 per cell
        roster.assign_post(
            session, cast.admin, cell_code=cast.cell.code, username="qian_zhuren", role=RosterRole.leader
        )
    assert "role" in refused.value.errors
    with pytest.raises(Invalid):
        roster.assign_post(
            session, cast.admin, cell_code=cast.cell.code, username="ghost", role=RosterRole.liaison
        )
    assert [e.role for e in roster.posts_of(session, cast.qian_zhuren.id)] == [RosterRole.liaison]


def test_the_database_refuses_a_second_grid_leader(session, cast):
    session.add(
        RosterEntry(
            cell_id=cast.cell.id,
            user_id=cast.qian_zhuren.id,
            role=RosterRole.leader,
            since=cast.cell.created_at,
        )
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_only_admins_change_rosters(session, cast):
    with pytest.raises(PermissionDenied):
        roster.assign_post(
            session, cast.zhang_wangge, cell_code=cast.cell.code, username="wang_ayi", role=RosterRole.liaison
        )
    entry = roster.posts_of(session, cast.zhang_wangge.id)[0]
    with pytest.raises(PermissionDenied):
        roster.remove_post(session, cast.zhang_wangge, entry_id=entry.entry_id)
    roster.remove_post(session, cast.admin, entry_id=entry.entry_id)
    assert not roster.is_grid_staff(session, cast.zhang_wangge.id)


def test_a_person_put_on_a_roster_is_told(session, cast):
    from accounts import notifications

    roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="qian_zhuren", role=RosterRole.liaison
    )
    [note] = notifications.notifications_for(session, cast.qian_zhuren).items
    assert (note.kind, note.target_id) == ("roster_assigned", cast.cell.code)
    assert note.params == {"post": "Liaison", "cell": cast.cell.name}


def test_signing_up_checks_everything_before_hashing_and_links_the_home_cell(sessions, session, hasher, cast):
    with pytest.raises(Invalid) as refused:
        residents.sign_up(
            sessions,
            hasher,
            username="wang_ayi",
            password="short",
            password_again="short",
            display_name="",
            group="government",
            home_cell_code="349901999999999",
        )
    assert set(refused.value.errors) == {"username", "password", "group", "home_cell"}
    result = residents.sign_up(
        sessions,
        hasher,
        username="lao_li",
        password="river stones 42",
        password_again="river stones 42",
        display_name="老李",
        group="served",
        home_cell_code=cast.cell.code,
    )
    user = session.get(User, result.user_id)
    assert hasher.verify(user.password_hash, "river stones 42") and user.group.value == "served"
    assert residents.home_cell(session, user.id).code == cast.cell.code
    assert logins.find_viewer(session, result.login.login_id, result.login.secret)[0] is user


def test_only_admins_manage_cell_documents_and_other_files_are_not_cell_documents(session, settings, cast):
    import io

    from core import files

    stored = attachments.attach_file(
        session,
        cast.admin,
        settings.upload_dir,
        cell_code=cast.cell.code,
        upload=io.BytesIO(b"patrol map"),
        name="map.txt",
        max_bytes=1000,
    )
    session.flush()
    assert attachments.can_manage_cell_files(cast.admin) and not attachments.can_manage_cell_files(
        cast.wang_ayi
    )
    with pytest.raises(PermissionDenied):
        attachments.access_cell_file(session, cast.wang_ayi, stored.id)
    other = files.store(
        session,
        settings.upload_dir,
        io.BytesIO(b"not a cell's"),
        name="x.txt",
        owner_kind="user",
        owner_id=1,
        uploaded_by_id=None,
        max_bytes=1000,
    )
    session.flush()
    with pytest.raises(NotFound):
        attachments.access_cell_file(session, cast.admin, other.id)
    assert attachments.detach_file(session, cast.admin, stored.id) == cast.cell.code
