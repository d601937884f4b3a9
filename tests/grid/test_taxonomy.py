"""The shipped taxonomy, time limits a minor class inherits, and what admins may change."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import clock
from core.errors import Invalid, PermissionDenied
from grid import taxonomy
from grid.models import CaseClass, ClassKind
from tests.grid.conftest import class_id


def test_the_data_migration_loaded_every_shipped_class(session):
    shipped = taxonomy.shipped()
    minors = sum(len(major["minors"]) for major in shipped)
    assert session.scalar(select(func.count()).select_from(CaseClass)) == len(shipped) + minors
    kinds = {major["kind"] for major in shipped}
    assert kinds == {"component", "event"}
    codes = [(m["kind"], minor[0]) for m in shipped for minor in m["minors"]]
    assert len(codes) == len(set(codes)), "a code appears twice in grid/data/taxonomy.toml"
    assert all(minor[0].startswith(m["code"]) for m in shipped for minor in m["minors"])


def test_a_minor_class_takes_its_major_class_limit_unless_it_has_its_own(session):
    drain = taxonomy.class_row(session, class_id(session, "component", "0103"))
    rubbish = taxonomy.class_row(session, class_id(session, "event", "0102"))
    assert (drain.own_limit, drain.limit_hours) == (None, 72)  # 公用设施's
    assert (rubbish.own_limit, rubbish.limit_hours) == (24, 24)  # 暴露垃圾: one day
    start = clock.now()
    assert taxonomy.due_from(drain, start) == start + timedelta(hours=72)


def test_an_admin_changes_a_major_limit_and_its_minor_classes_follow(session, cast):
    major = session.scalar(
        select(CaseClass).where(CaseClass.kind == ClassKind.component, CaseClass.code == "01")
    )
    taxonomy.set_limit(session, cast.admin, major.id, "48")
    assert taxonomy.class_row(session, class_id(session, "component", "0103")).limit_hours == 48
    taxonomy.set_limit(session, cast.admin, class_id(session, "component", "0103"), "12")
    assert taxonomy.class_row(session, class_id(session, "component", "0103")).limit_hours == 12
    taxonomy.set_limit(session, cast.admin, class_id(session, "component", "0103"), "")  # back to the major's
    assert taxonomy.class_row(session, class_id(session, "component", "0103")).limit_hours == 48


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "9999", "8761", " "])
def test_a_limit_is_a_whole_number_of_hours_and_a_major_class_keeps_one(session, cast, bad):
    major = session.scalar(select(CaseClass).where(CaseClass.kind == ClassKind.event, CaseClass.code == "01"))
    with pytest.raises(Invalid) as refused:
        taxonomy.set_limit(session, cast.admin, major.id, bad)
    assert set(refused.value.errors) == {"limit_hours"}
    session.refresh(major)
    assert major.limit_hours == 120


def test_only_admins_edit_the_taxonomy(session, cast):
    with pytest.raises(PermissionDenied):
        taxonomy.set_limit(session, cast.zhang_wangge, class_id(session), "10")
    with pytest.raises(PermissionDenied):
        taxonomy.add_minor(session, cast.wang_ayi, major_id=1, code="0199", name="x")


def test_a_local_minor_class_is_added_under_its_major_and_a_retired_one_leaves_the_picker(session, cast):
    major = session.scalar(select(CaseClass).where(CaseClass.kind == ClassKind.event, CaseClass.code == "09"))
    with pytest.raises(Invalid) as refused:
        taxonomy.add_minor(session, cast.admin, major_id=major.id, code="0101", name="", limit_hours="x")
    assert set(refused.value.errors) == {"code", "name", "limit_hours"}
    added = taxonomy.add_minor(session, cast.admin, major_id=major.id, code="0990", name="电动车飞线充电")
    picker = {row.id for _kind, _major, rows in taxonomy.choices(session) for row in rows}
    assert added.id in picker and added.is_local
    taxonomy.set_active(session, cast.admin, added.id, False)
    picker = {row.id for _kind, _major, rows in taxonomy.choices(session) for row in rows}
    assert added.id not in picker
    with pytest.raises(Invalid):
        taxonomy.pick_class(session, added.id)
