"""The personal calendar feed and the leaders' exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar
from openpyxl import load_workbook  # type: ignore[import-untyped]

from core.errors import NotFound, PermissionDenied
from tests.factories import make_shift, shift_draft
from volunteers import certificates, checkin, exports, hours, ical, shifts, signups
from volunteers.models import IdType

ID_NUMBER = "11010519491231002X"


def events(feed: bytes) -> dict[str, tuple[str, int, str]]:
    calendar = Calendar.from_ical(feed)
    return {
        str(e["uid"]): (str(e["summary"]), int(e["sequence"]), str(e["status"]))
        for e in calendar.walk("VEVENT")
    }


def test_the_feed_has_stable_uids_across_regenerations_and_edits(session, crew):
    shift = make_shift(session, crew.liu, crew.team, title="河道清扫")
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    token = ical.create_feed(session, crew.cast.wang_ayi)
    first = events(ical.calendar_for_token(session, token))
    assert first == {ical.event_uid(shift.id): ("河道清扫", 0, "CONFIRMED")}
    shifts.edit_shift(
        session,
        crew.liu,
        shift_id=shift.id,
        draft=shift_draft(title="河道清扫（改）", starts_at=shift.starts_at),
    )
    again = events(ical.calendar_for_token(session, token))
    assert list(again) == list(first) and again[ical.event_uid(shift.id)][:2] == ("河道清扫（改）", 1)


def test_a_cancelled_shift_stays_as_cancelled_and_a_cancelled_signup_leaves(session, crew, frozen):
    kept = make_shift(session, crew.liu, crew.team, title="保留")
    dropped = make_shift(session, crew.liu, crew.team, title="退出", starts_at=kept.ends_at)
    cancelled = make_shift(session, crew.liu, crew.team, title="取消", starts_at=dropped.ends_at)
    for shift in (kept, dropped, cancelled):
        signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    signups.cancel_signup(
        session,
        crew.cast.wang_ayi,
        signup_id=signups.statuses_for(session, crew.cast.wang_ayi.id, [dropped.id])[dropped.id].id,
    )
    shifts.cancel_shift(session, crew.liu, shift_id=cancelled.id)
    found = events(ical.calendar_of(session, crew.cast.wang_ayi.id))
    assert {summary: status for summary, _seq, status in found.values()} == {
        "保留": "CONFIRMED",
        "取消": "CANCELLED",
    }


def test_a_new_or_revoked_token_ends_the_old_address(session, crew):
    first = ical.create_feed(session, crew.cast.wang_ayi)
    second = ical.create_feed(session, crew.cast.wang_ayi)
    with pytest.raises(NotFound):
        ical.calendar_for_token(session, first)
    assert ical.feed_owner(session, second) == crew.cast.wang_ayi.id
    ical.revoke_feed(session, crew.cast.wang_ayi)
    with pytest.raises(NotFound):
        ical.calendar_for_token(session, second)
    assert not ical.has_feed(session, crew.cast.wang_ayi.id)


@pytest.fixture
def roster_with_certificate(session, crew, frozen):  # type: ignore[no-untyped-def]
    """A shift 王阿姨 came to, her hours verified and a certificate issued (so an ID number exists)."""
    shift = make_shift(
        session, crew.liu, crew.team, title='=HYPERLINK("x")', starts_at=frozen.now + timedelta(days=1)
    )
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    signups.sign_up(session, crew.cast.li_shifu, shift_id=shift.id)
    frozen.set(shift.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[mine.id])
    lines = hours.team_hours(session, crew.liu, team_id=crew.team.id)
    hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id for line in lines])
    certificate = certificates.apply_for_certificate(
        session,
        crew.cast.wang_ayi,
        team_id=crew.team.id,
        real_name="王秀兰",
        id_type=IdType.resident_id,
        id_number=ID_NUMBER,
    )
    certificates.accept_certificate(session, crew.liu, certificate_id=certificate.id)
    certificates.issue_certificate(session, crew.liu, certificate_id=certificate.id)
    return shift


def test_roster_exports_in_line_order_without_id_numbers(session, crew, roster_with_certificate):
    shift = roster_with_certificate
    data = exports.roster_csv(session, crew.liu, shift_id=shift.id, translate=str.upper)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["VOLUNTEER", "STATUS", "PLACE IN LINE"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("王阿姨", "CAME", "1"), ("李师傅", "SIGNED UP", "2")]
    book = load_workbook(io.BytesIO(exports.roster_xlsx(session, crew.liu, shift_id=shift.id)))
    assert next(book.active.iter_rows(values_only=True))[0] == "Volunteer"
    for blob in (data, exports.roster_xlsx(session, crew.liu, shift_id=shift.id)):
        assert ID_NUMBER.encode() not in blob and b"002X" not in blob


def test_hours_export_without_id_numbers_and_formulas_defused(session, crew, roster_with_certificate):
    data = exports.hours_csv(session, crew.liu, team_id=crew.team.id)
    [heading, line] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert heading[0] == "Volunteer" and line[0] == "王阿姨"
    assert line[2].startswith("'=")  # the shift's title would have run as a formula
    workbook = exports.hours_xlsx(session, crew.liu, team_id=crew.team.id)
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3]  # three hours
    assert ID_NUMBER.encode() not in data and ID_NUMBER.encode() not in workbook


def test_exports_are_for_the_teams_leaders(session, crew):
    shift = make_shift(session, crew.liu, crew.team)
    for outsider in (crew.wu, crew.cast.wang_ayi, None):
        with pytest.raises(PermissionDenied):
            exports.roster_csv(session, outsider, shift_id=shift.id)
        with pytest.raises(PermissionDenied):
            exports.hours_xlsx(session, outsider, team_id=crew.team.id)
