"""Opening cases: a resident's report, its checks, its number, its suggested cell, and following."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from sqlalchemy import func, select

from core import clock, files
from core.errors import Invalid, PermissionDenied
from grid import cases, cells
from grid.models import Case, CaseSource, CaseState, CaseStep
from tests.factories import make_cell
from tests.grid.conftest import report


def test_a_report_is_a_reported_case_without_a_cell_that_its_reporter_follows(session, cast, reported):
    assert (reported.state, reported.source, reported.cell_id) == (
        CaseState.reported,
        CaseSource.resident,
        None,
    )
    assert reported.suggested_cell_id == cast.cell.id  # her home cell, since she gave no location
    assert cases.follower_ids(session, reported.id) == {cast.wang_ayi.id}
    assert [s.action for s in cases.history(session, reported.id)] == ["report"]
    view = cases.case_view(session, None, reported.id)
    assert view.number == f"{clock.local(clock.now()).year}-{reported.sequence:06d}"


def test_the_cell_staff_hear_of_a_new_case(session, cast, reported):
    from accounts.models import Notification

    kinds = session.scalars(
        select(Notification.kind).where(Notification.user_id == cast.zhang_wangge.id)
    ).all()
    assert "case_new" in kinds


def test_numbers_follow_each_other_within_a_year_and_restart_in_the_next(session, cast):
    first = report(session, cast, ref="a")
    second = report(session, cast, ref="b")
    assert second.sequence == first.sequence + 1
    with mock.patch("core.clock.now", return_value=datetime(2031, 1, 1, 1, tzinfo=UTC)):
        next_year = report(session, cast, ref="c")
    assert (next_year.year, next_year.sequence) == (2031, 1)
    assert next_year.number == "2031-000001"


def test_pressing_send_twice_opens_one_case(session, cast):
    first = report(session, cast, ref="same-form")
    again = report(session, cast, ref="same-form")
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_every_wrong_field_is_named_and_nothing_is_written(session, cast):
    with pytest.raises(Invalid) as refused:
        report(session, cast, class_id=None, title="坏", address="", lat=None, lng=None)
    assert set(refused.value.errors) == {"category", "title", "address"}
    with pytest.raises(Invalid) as refused:
        report(session, cast, lat=91.0, lng=10.0, description="长" * 4001)
    assert set(refused.value.errors) == {"address", "description"}
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_located_report_is_suggested_the_nearest_cell_centre(session, cast):
    near = make_cell(session)
    cells.set_centre(session, cast.cell.code, 33.98, 118.26)
    cells.set_centre(session, near.code, 33.99, 118.27)
    made = report(session, cast, lat=33.9899, lng=118.2701, address="")
    assert made.suggested_cell_id == near.id
    far = report(session, cast, ref="far", lat=40.0, lng=116.4, address="")
    assert far.suggested_cell_id == cast.cell.id  # nothing within 5 km: her home cell


def test_a_report_needs_a_signed_in_person(session, cast):
    with pytest.raises(PermissionDenied):
        cases.report_problem(
            session,
            None,
            ref="x",
            class_id=1,
            title="路灯不亮了",
            description="",
            address="某路",
            lat=None,
            lng=None,
        )


def test_photos_are_checked_before_anything_is_written_and_kept_on_the_first_step(session, cast, tmp_path):
    import io

    from PIL import Image

    def photo(name="p.jpg"):
        out = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(out, "JPEG")
        out.seek(0)
        return files.Upload(out, name)

    with pytest.raises(Invalid) as refused:
        report(
            session,
            cast,
            photos=[photo(), files.Upload(io.BytesIO(b"%PDF-1.4"), "a.pdf")],
            upload_dir=tmp_path,
        )
    assert set(refused.value.errors) == {"photos"}
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    made = report(session, cast, photos=[photo(), photo("q.png")], upload_dir=tmp_path)
    step = session.scalar(select(CaseStep.id).where(CaseStep.case_id == made.id))
    assert len(files.file_summaries(session, cases.STEP_PHOTOS, step)) == 2


def test_following_a_case_and_stopping(session, cast, reported):
    cases.follow(session, cast.li_shifu, reported.id, True)
    assert cases.follower_ids(session, reported.id) == {cast.wang_ayi.id, cast.li_shifu.id}
    cases.follow(session, cast.li_shifu, reported.id, False)
    assert cases.follower_ids(session, reported.id) == {cast.wang_ayi.id}
    with pytest.raises(PermissionDenied):
        cases.follow(session, None, reported.id, True)
