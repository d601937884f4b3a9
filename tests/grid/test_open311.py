"""Open311 GeoReport v2 over the case queue, at the service layer: keys, services, filing, reading."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import clock, files
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from grid import apikeys, cases, cells, departments, open311, taxonomy
from grid.models import Case, CaseSource, CaseState
from tests.factories import make_cell
from tests.grid.conftest import class_id, report, walk


@pytest.fixture
def key(session, cast):
    row, _ = apikeys.issue_key(session, cast.admin, "城管通 App")
    session.flush()
    return row


def filing(**fields) -> open311.Submission:
    values = {
        "service_code": "component-0103",
        "lat": "33.98",
        "long": "118.26",
        "description": "井盖松动，踩上去会晃",
    }
    return open311.Submission(**(values | fields))


def count_cases(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


# --- keys ------------------------------------------------------------------------------------------


def test_only_a_digest_of_a_key_is_kept_and_a_revoked_key_is_refused(session, cast):
    row, secret = apikeys.issue_key(session, cast.admin, "12345 热线")
    session.flush()
    assert secret.startswith(apikeys.PREFIX) and secret not in (row.digest, row.shown)
    assert apikeys.find_active_key(session, secret) is row
    assert apikeys.find_active_key(session, secret + "x") is None
    apikeys.revoke_key(session, cast.admin, row.id)
    assert apikeys.find_active_key(session, secret) is None
    with pytest.raises(Conflict):
        apikeys.revoke_key(session, cast.admin, row.id)


def test_only_an_admin_issues_or_revokes_keys(session, cast, key):
    with pytest.raises(PermissionDenied):
        apikeys.issue_key(session, cast.zhang_wangge, "我的应用")
    with pytest.raises(PermissionDenied):
        apikeys.revoke_key(session, cast.wang_ayi, key.id)
    with pytest.raises(Invalid):
        apikeys.issue_key(session, cast.admin, " ")


# --- services --------------------------------------------------------------------------------------


def test_services_are_the_active_minor_classes_with_kind_in_their_code(session, cast):
    found = open311.services(session)
    codes = [s.code for s in found]
    assert "component-0103" in codes and "event-0502" in codes
    assert all(len(c.split("-")[1]) == 4 for c in codes)  # minor classes only
    taxonomy.set_active(session, cast.admin, class_id(session), False)
    assert "component-0103" not in [s.code for s in open311.services(session)]
    with pytest.raises(NotFound):
        open311.get_service(session, "component-0103")


# --- filing ----------------------------------------------------------------------------------------


def test_a_filed_request_is_a_reported_open311_case_with_no_cell_and_a_suggested_one(session, cast, key):
    cells.set_centre(session, cast.cell.code, 33.98, 118.26)
    filed = open311.submit_request(session, key, filing(media_url="http://10.0.0.1/secret.jpg"))
    session.flush()
    case = filed.case
    assert (case.state, case.source, case.cell_id) == (CaseState.reported, CaseSource.open311, None)
    assert case.suggested_cell_id == cast.cell.id and case.class_id == class_id(session)
    assert case.title == "井盖松动，踩上去会晃" and case.reporter_id is None
    row = open311.get_request(session, case.id)
    assert row.media_url == "http://10.0.0.1/secret.jpg"  # kept as given, never fetched
    assert (row.status, row.service_code, row.lat, row.lng) == ("open", "component-0103", 33.98, 118.26)
    assert not filed.repeated


def test_the_same_request_twice_opens_one_case(session, cast, key):
    first = open311.submit_request(session, key, filing())
    again = open311.submit_request(session, key, filing())
    assert again.case.id == first.case.id and again.repeated
    other = open311.submit_request(session, key, filing(description="另一个井盖也松了"))
    assert other.case.id != first.case.id


def test_an_idempotency_key_names_the_request_whatever_its_content(session, cast, key):
    first = open311.submit_request(session, key, filing(token="app-42"))
    retried = open311.submit_request(session, key, filing(token="app-42", description="重发时改了描述"))
    assert retried.case.id == first.case.id
    assert open311.requests_for_token(session, "app-42") == [(first.case.id, "app-42")]
    assert open311.requests_for_token(session, "app-43") == []


def test_two_keys_sending_the_same_request_open_two_cases(session, cast, key):
    other, _ = apikeys.issue_key(session, cast.admin, "另一个应用")
    session.flush()
    assert (
        open311.submit_request(session, key, filing()).case.id
        != open311.submit_request(session, other, filing()).case.id
    )


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"lat": "abc"}, "lat"),
        ({"lat": "91"}, "lat"),
        ({"long": "nan"}, "long"),
        ({"long": ""}, "lat"),
        ({"lat": "", "long": "", "address_string": ""}, "address_string"),
        ({"address_string": "路" * 201}, "address_string"),
        ({"description": "长" * 4001}, "description"),
        ({"media_url": "file:///etc/passwd"}, "media_url"),
        ({"media_url": "http://" + "a" * 500}, "media_url"),
        ({"service_code": ""}, "service_code"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(session, cast, key, fields, wrong):
    before = count_cases(session)
    with pytest.raises(Invalid) as refused:
        open311.submit_request(session, key, filing(**fields))
    assert wrong in refused.value.errors
    assert count_cases(session) == before


def test_an_unknown_service_code_is_not_found(session, cast, key):
    with pytest.raises(NotFound):
        open311.submit_request(session, key, filing(service_code="component-9999"))


def test_an_address_is_enough_and_the_title_falls_back_to_the_service(session, cast, key):
    filed = open311.submit_request(
        session, key, filing(lat="", long="", address_string="柳岸小区3号楼", description="")
    )
    assert filed.case.address == "柳岸小区3号楼" and filed.case.suggested_cell_id is None
    assert filed.case.title == "公用设施：雨水井盖"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (39, 54, 0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_media_file_is_kept_as_a_photo_of_the_report_without_its_metadata(session, cast, key, settings):
    photo = files.Upload(io.BytesIO(jpeg_with_gps()), "well.jpg")
    filed = open311.submit_request(session, key, filing(media=[photo]), upload_dir=settings.upload_dir)
    session.flush()
    [stored] = files.files_of(session, cases.STEP_PHOTOS, cases.first_step_id(session, filed.case.id))
    kept = Image.open(files.path_of(settings.upload_dir, stored))
    assert stored.content_type == "image/jpeg" and not kept.getexif().get(0x8825)


def test_a_media_file_that_is_no_photo_is_refused(session, cast, key, settings):
    text_file = files.Upload(io.BytesIO(b"not a photo"), "notes.txt")
    with pytest.raises(Invalid) as refused:
        open311.submit_request(session, key, filing(media=[text_file]), upload_dir=settings.upload_dir)
    assert "media" in refused.value.errors


# --- reading ---------------------------------------------------------------------------------------


def test_status_is_closed_for_rejected_cases_with_the_reason_in_the_notes(session, cast):
    rejected = walk(
        session, cast.zhang_wangge, report(session, cast, ref="x1"), ("reject", _note("不在辖区"))
    )
    row = open311.get_request(session, rejected.id)
    assert (row.status, row.state, row.rejection) == ("closed", CaseState.rejected, "不在辖区")


def _note(text):
    from grid import workflow

    return workflow.MoveInput(note=text)


def test_a_dispatched_case_names_its_department_and_its_due_date(session, cast):
    department = departments.save_department(
        session, cast.admin, department_id=None, name="街道城管科", contact="", class_ids=[]
    )
    from grid import workflow

    case = walk(
        session,
        cast.zhang_wangge,
        report(session, cast, ref="d1"),
        "register",
        ("dispatch", workflow.MoveInput(department_id=department.id)),
    )
    row = open311.get_request(session, case.id)
    assert row.agency == "街道城管科" and row.due_at == case.due_at and row.status == "open"
    by_person = walk(session, cast.zhang_wangge, report(session, cast, ref="d2"), "register", "dispatch")
    assert open311.get_request(session, by_person.id).agency == cast.cell.name


def test_a_mediations_case_never_appears(session, cast):
    hidden = cases.open_case(
        session,
        None,
        cases.Opening(
            source=CaseSource.mediation,
            source_ref="m-9",
            title="调解未成",
            cell_id=cast.cell.id,
            staff_only=True,
        ),
    )
    session.flush()
    with pytest.raises(NotFound):
        open311.get_request(session, hidden.id)
    listed = open311.list_requests(session, open311.Query(ids=(hidden.id,)))
    assert listed.total == 0
    assert hidden.id not in [r.id for r in open311.list_requests(session, open311.parse_query({}))]


def test_filters_by_id_service_status_and_dates(session, cast):
    drain = report(session, cast, ref="f1")
    event = report(session, cast, ref="f2", class_id=class_id(session, "event", "0502"))
    closed = walk(session, cast.zhang_wangge, report(session, cast, ref="f3"), ("reject", _note("重复")))

    def ids(**params):
        return {r.id for r in open311.list_requests(session, open311.parse_query(params))}

    assert ids() == {drain.id, event.id, closed.id}
    assert ids(service_code="event-0502") == {event.id}
    assert ids(service_code="event-0502,component-0103") == {drain.id, event.id, closed.id}
    assert ids(status="closed") == {closed.id}
    assert ids(status="open") == {drain.id, event.id}
    assert ids(status="open,closed") == ids()
    assert ids(service_request_id=f"{drain.id},{event.id}", status="closed") == {drain.id, event.id}
    later = clock.local(clock.now() + timedelta(hours=1)).isoformat()
    assert ids(start_date=later) == set()
    assert ids(end_date=later) == ids()
    assert ids(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z") == set()


@pytest.mark.parametrize(
    ("params", "wrong"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "0001-01-01T00:00:00"}, "end_date"),
        ({"start_date": "9999-12-31T23:00:00Z"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "0103"}, "service_code"),
        ({"service_request_id": "1,x"}, "service_request_id"),
        ({"page": "0"}, "page"),
        ({"page_size": "1001"}, "page_size"),
    ],
)
def test_bad_filters_are_refused(params, wrong):
    with pytest.raises(Invalid) as refused:
        open311.parse_query(params)
    assert wrong in refused.value.errors


def test_pages_hold_page_size_requests_newest_first(session, cast):
    made = [report(session, cast, ref=f"p{i}").id for i in range(3)]
    first = open311.list_requests(session, open311.parse_query({"page_size": "2"}))
    second = open311.list_requests(session, open311.parse_query({"page_size": "2", "page": "2"}))
    assert [r.id for r in first] == made[::-1][:2] and first.has_next and first.total == 3
    assert [r.id for r in second] == made[:1] and not second.has_next


def test_a_located_filing_in_another_cell_is_suggested_that_cell(session, cast, key):
    far = make_cell(session, name="柳岸社区第2网格")
    cells.set_centre(session, far.code, 34.5, 118.9)
    filed = open311.submit_request(session, key, filing(lat="34.5", long="118.9"))
    assert filed.case.suggested_cell_id == far.id
