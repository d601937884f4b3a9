"""Every form, fuzzed with hypothesis: control characters, huge strings, any unicode but surrogates,
numbers out of range, malformed dates, missing, repeated and unknown fields, sent by a signed-in user
of the role the route is for, with a valid CSRF token. The answer is never a 500 and never a traceback;
a refusal (4xx) changes no row.

The routes and their worlds are the authorization matrix's (``tests/web/test_authz_matrix.py``); the
field names each handler reads are written below, and a POST route missing from ``FIELDS`` fails
``test_every_form_route_is_fuzzed``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, inspect, select, table
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from accounts.models import User
from core import site_settings
from core.errors import Invalid
from core.numbers import whole_number
from core.ratelimit import Rule
from deliberation.forums.models import Thread
from tests.conftest import csrf_token, log_in
from tests.factories import PASSWORD
from tests.web.test_authz_matrix import POSTS, ROLES, Row, World, world  # noqa: F401 - world is a fixture
from web import features
from web.forms import local_moment, number

# per matrix row (~130 rows): the run stays near a minute; GONGZHI_FUZZ_EXAMPLES=100 hunts longer
EXAMPLES = int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "6"))

# what each POST handler reads from its form, beyond the CSRF token (read from the handlers' code)
FIELDS: dict[str, tuple[str, ...]] = {
    "i18n.language": ("locale", "next"),
    "accounts.register": ("username", "password", "password_again", "group", "display_name", "home_cell"),
    "accounts.login": ("username", "password", "next"),
    "accounts.logout": (),
    "accounts.logout_everywhere": (),
    "accounts.end_device": (),
    "accounts.move_home": ("home_cell",),
    "accounts.change_password": ("current", "new", "new_again"),
    "admin.user_role": ("role", "action"),
    "admin.user_chair": (),
    "admin.user_group": ("group",),
    "admin.user_active": ("active",),
    "notifications.read_all": (),
    "notifications.read": (),
    "notifications.settings_save": ("email", "phone"),
    "admin.roster_assign": ("username", "role"),
    "admin.roster_remove": (),
    "admin.cell_file_upload": ("file",),
    "admin.cell_file_remove": (),
    "forums.start_thread": ("title", "body"),
    "forums.follow_board": ("action",),
    "forums.hand_off": ("category", "note"),
    "forums.reply": ("body", "reply_to", "stance"),
    "forums.follow_thread": ("action",),
    "forums.edit": ("body",),
    "forums.delete": (),
    "forums.react": (),
    "forums.report": ("reason",),
    "forums.hide": ("reason",),
    "forums.restore": (),
    "forums.dismiss": (),
    "forums.lock": ("locked",),
    "forums.pin": ("pinned",),
    "forums.move": ("board",),
    "admin.forum_board_add": ("slug", "title", "description"),
    "consultations.convene": ("title", "question", "scope", "background", "deadline", "thread"),
    "consultations.profile_save": ("title", "biography", "expertise", "term_start", "term_end"),
    "consultations.move": ("action", "note"),
    "consultations.follow": ("action",),
    "consultations.schedule": ("starts_at", "ends_at", "place", "agenda", "invited"),
    "consultations.minutes": ("attendance", "minutes", "file"),
    "consultations.resolution": ("text",),
    "consultations.open_vote": (),
    "consultations.vote": ("choice",),
    "consultations.hand_off": ("category", "note"),
    "consultations.count": (),
    "merging.write": ("text",),
    "merging.vote": ("vote",),
    "merging.moderate": ("action",),
    "merging.approval": ("required",),
    "merging.import": ("file",),
    "merging.opinion": ("opinion",),
    "merging.use_as_draft": (),
    "mediation.apply": ("kind", "respondent_name", "respondent_username", "account", "wanted", "attachments"),
    "mediation.accept": ("mediator",),
    "mediation.decline": ("reason",),
    "mediation.log_meeting": ("held_on", "attended", "others", "notes"),
    "mediation.propose": ("agreement",),
    "mediation.confirm": ("version",),
    "mediation.fail": ("summary", "outside_consent"),
    "mediation.consent": ("consent",),
    "mediation.refer": ("referral", "referral_note"),
    "mediation.close": ("follow_up_on", "note"),
    "mediation.hand_off": ("title", "category", "note"),
    "cases.report": ("ref", "category", "title", "address", "description", "lat", "lng"),
    "cases.move": ("action", "cell_code", "category", "assignee", "department_id", "due_at", "note"),
    "cases.time": ("due_at", "reason"),
    "cases.time_decision": ("decision", "note"),
    "cases.answer": ("solved", "note"),
    "cases.follow": ("action",),
    "admin.taxonomy_add": ("major", "code", "name", "limit_hours"),
    "admin.taxonomy_save": ("limit_hours", "active"),
    "admin.department_add": ("name", "contact", "classes"),
    "admin.department_save": ("name", "contact", "classes"),
    "open311.submit": ("api_key", "service_code", "address_string", "description", "lat", "long", "media"),
    "admin.open311_key_issue": ("name",),
    "admin.open311_key_revoke": (),
    "assessment.score": ("cell_code", "score", "comment"),
    "admin.job_retry": (),
    "admin.settings_save": ("lockout.pair_failures", "rate.login_per_ip", "rate.register_per_ip"),
    "volunteers.signup": (),
    "volunteers.cancel": ("declining", "next"),
    "volunteers.accept": ("next",),
    "volunteers.join": (),
    "volunteers.leave": (),
    "volunteers.profile_save": ("birth_date",),
    "volunteers.calendar_new": (),
    "volunteers.calendar_revoke": (),
    "volunteers.certificate_apply": ("real_name", "id_type", "id_number", "purpose"),
    "volunteers.member_decide": ("accept",),
    "volunteers.appoint_leader": ("username",),
    "volunteers.signup_decide": ("accept",),
    "volunteers.step_down": (),
    "volunteers.team_save": (
        "name",
        "organisation",
        "join_policy",
        "no_show_limit",
        "cancel_window_hours",
        "offer_hours",
        "cells",
        "description",
    ),
    **dict.fromkeys(
        ("volunteers.shift_create", "volunteers.shift_save"),
        (
            "title",
            "place",
            "day",
            "start",
            "end",
            "capacity",
            "cell_code",
            "deadline",
            "description",
            "min_age",
            "opens_hours_before",
            "weeks",
            "skill_first_aid",
            "skill_driving",
        ),
    ),
    "volunteers.shift_cancel": ("series",),
    "volunteers.check_in": (),
    "volunteers.check_out": (),
    "volunteers.attendance": ("signup", "mark"),
    "volunteers.hours_adjust": ("user_id", "hours", "note"),
    "volunteers.hours_verify": ("line",),
    "volunteers.certificate_accept": (),
    "volunteers.certificate_decline": ("reason",),
    "volunteers.certificate_issue": (),
    "admin.team_create": ("name", "organisation", "join_policy", "leader", "cells", "description"),
}

# a refusal may still count itself: a failed login's attempt, a rate limiter's hit, the audit of a refusal
COUNTED_ON_REFUSAL = {"login_failures", "rate_limit_hits", "audit_log"}

CONTROLS = "".join(map(chr, range(32))) + "\x7f\u0085\u200b\u200e\u202e\u2028\ufeff"
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
CONTROL_TEXT = st.text(st.sampled_from(CONTROLS + "a字 "), max_size=20)
HUGE = st.sampled_from(["x" * 20_000, "字" * 12_000, "<b>" * 4_000, "1" * 5_000, " " * 11_000 + "a"])
NUMBERS = st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.sampled_from(
    ["-1", "0", "2147483648", "9" * 30, "1e309", "NaN", "inf", "-0.0", "0x1f", "１２", "²", "٣", "½", "1_000"]
)
DATES = st.sampled_from(
    [
        "2026-02-30",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "9999-12-31T23:59",
        "2026-13-01",
        "2026-12-05T25:61",
        "2026-12-05T14:30+99:00",
        "2026-12-05 14:30:00.123456789",
        "１９７０-01-01",
        "yesterday",
        "2026-1-1",
        "24:00",
        "09:60",
        "-1:00",
    ]
) | st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes"))


def values(valid: str, ids: list[str]) -> st.SearchStrategy[str]:
    """Any one field's value: the row's own valid one, another object's id, or something hostile."""
    return st.one_of(
        st.just(valid), st.sampled_from(ids), ANY_TEXT, CONTROL_TEXT, HUGE, NUMBERS, DATES, st.just("")
    )


@st.composite
def form_bodies(draw, names: tuple[str, ...], valid: dict[str, str], ids: list[str]):  # type: ignore[no-untyped-def]
    """A form body as repeated (name, value) pairs: each known field absent, once or twice, and a few
    fields the form does not know."""
    pairs: list[tuple[str, str]] = []
    for name in names:
        times = draw(st.sampled_from((0, 1, 1, 1, 2)))
        pairs += [(name, draw(values(valid.get(name, ""), ids))) for _ in range(times)]
    unknown = draw(st.lists(st.tuples(st.text(min_size=1, max_size=12), ANY_TEXT), max_size=2))
    return pairs + unknown


def acting_role(row: Row) -> str:
    """Who the route is for: the first role whose expected answer is no refusal (a signed-in one if any);
    on a row nobody may use (someone else's object), a resident, fuzzing the refusal."""
    allowed = [role for role in ROLES if row.expect(role) in (200, 201, 303, 409, 422)]
    signed_in = [role for role in allowed if role != "visitor"]
    return (signed_in or allowed or ["wang_ayi"])[0]


def row_counts(connection: Connection) -> Counter[str]:
    names = [n for n in inspect(connection).get_table_names() if n not in COUNTED_ON_REFUSAL]
    return Counter(
        {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }
    )


def test_every_form_route_is_fuzzed():
    posts = {route.name for route in features.routes() if "POST" in (route.methods or ())}
    assert posts - FIELDS.keys() == set(), "name the fields each new form route reads in FIELDS"
    assert FIELDS.keys() - posts == set()
    assert {row.route for row in POSTS} == posts  # each has a world to be fuzzed in


def lift_limits(session: Session, admin: User) -> None:
    """A whole run logs in ~150 times from one address, and the settings form is itself fuzzed: put
    the login and registration limits out of reach again before each row."""
    for name in ("rate.login_per_ip", "rate.register_per_ip", "rate.password_per_user"):
        site_settings.change(session, admin, name, "100000/60")
    session.flush()


def test_no_form_answers_a_500_to_anything(app, world: World, connection: Connection, session, cast):  # noqa: F811
    ids = sorted({str(value) for value in world.ids.values()})[:40]
    answered: Counter[str] = Counter()
    for row in POSTS:
        role = acting_role(row)
        lift_limits(session, cast.admin)
        with TestClient(app, follow_redirects=False) as client:
            if role != "visitor":
                log_in(client, role, PASSWORD)
            fuzz_row(Sent(client, connection, row, role, csrf_token(client, "/"), answered), world, ids)
    assert sum(answered.values()) >= len(POSTS)  # every row was sent at least once
    print(f"\nfuzzed {len(POSTS)} form rows × up to {EXAMPLES} examples: {dict(answered)}")


@dataclass
class Sent:
    """One row's fuzzing: who sends, where, with which token, and the tally of answers."""

    client: TestClient
    connection: Connection
    row: Row
    role: str
    token: str
    answered: Counter[str]


def fuzz_row(sent: Sent, world: World, ids: list[str]) -> None:  # noqa: F811
    row, role = sent.row, sent.role
    path = world.fill(row.path, role)
    valid = {name: world.fill(value, role) for name, value in row.data.items()}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=form_bodies(FIELDS[row.route], valid, ids))
    def fuzz(body: list[tuple[str, str]]) -> None:
        data: dict[str, list[str]] = {}
        for name, value in body:
            data.setdefault(name, []).append(value)
        data["csrf_token"] = [sent.token]  # an unknown field named csrf_token must not lose the token
        files = {"file": ("f.txt", b"a cell document", "text/plain")} if row.upload else None
        before = row_counts(sent.connection)
        response = sent.client.post(path, data=data, files=files)
        assert response.status_code < 500, f"{row.key} as {role}: {response.status_code} for {body!r}"
        assert "Traceback" not in response.text
        if 400 <= response.status_code < 500:
            assert row_counts(sent.connection) == before, f"{row.key} refused {body!r} yet wrote rows"
        sent.answered[f"{response.status_code}"] += 1

    fuzz()


@pytest.mark.parametrize("typed", ["²", "½", "3²", "①"])
def test_a_digit_that_is_no_decimal_number_is_refused_not_a_500(client, typed):
    """The fuzzer's "²": str.isdigit() said yes and int() raised, in every field read as a number and in
    the Open311 filters. Full-width digits (１２), typed on a Chinese keyboard, still read as numbers."""
    assert number({"n": typed}, "n") is None
    assert number({"n": "１２"}, "n") == 12
    with pytest.raises(ValueError):
        Rule.parse(f"{typed}/60")
    assert client.get(f"/open311/v2/requests.json?page={typed}").status_code == 400
    assert client.get(f"/open311/v2/requests.json?service_request_id={typed}").status_code == 400


def test_a_number_too_long_to_be_one_is_refused_not_a_500(client, session, cast):
    """The fuzzer's five thousand 1s in a department's classes: int() refuses past 4,300 digits."""
    assert whole_number("1" * 5000) is None and whole_number("1" * 10) is None
    assert whole_number(" 123456789 ") == 123456789
    assert client.get("/open311/v2/requests.json?page=" + "1" * 5000).status_code == 400
    log_in(client, "admin", PASSWORD)
    token = csrf_token(client, "/admin/grid/departments")
    data = {"csrf_token": token, "name": "区环卫所", "contact": "010-5678", "classes": ["1" * 5000, "9" * 20]}
    assert client.post("/admin/grid/departments", data=data).status_code in (303, 422)


def test_a_nul_in_a_form_is_dropped_and_one_in_a_url_is_a_400(client, session, cast):
    """The fuzzer's NUL on PostgreSQL: every text column refuses it (a 500 on every form and filter)."""
    log_in(client, "wang_ayi", PASSWORD)
    data = {"csrf_token": csrf_token(client, "/"), "title": "楼道\x00杂物", "body": "谁\x00来清？"}
    assert client.post(f"/forums/boards/{cast.cell.code}/threads", data=data).status_code == 303
    thread = session.scalars(select(Thread).order_by(Thread.id.desc())).first()
    assert thread is not None and thread.title == "楼道杂物"
    assert client.get("/open311/v2/services/component-0103%00.json").status_code == 400
    assert client.get("/open311/v2/requests.json?status=open%00").status_code == 400
    assert client.get("/forums/people/wang%00ayi").status_code == 400


def test_a_moment_before_year_one_in_utc_is_refused_with_a_message():
    """The fuzzer's 0001-01-01T00:00 (a case's due time): eight hours before it, UTC has no year."""
    with pytest.raises(Invalid) as refused:
        local_moment({"due_at": "0001-01-01T00:00"}, "due_at")
    assert set(refused.value.errors) == {"due_at"}
