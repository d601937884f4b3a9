"""The outbound connector against a stand-in city system on loopback (tests/grid/city_server.py)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from core.jobs import Job
from grid import cases, connector
from grid.models import CaseForward, CaseSource, CaseState, CaseStep
from tests.grid.city_server import CityState, city_server
from tests.grid.conftest import report


@pytest.fixture
def city():
    state = CityState(hang_seconds=1.5)
    with city_server(state) as url:
        endpoint = connector.Endpoint(url, "city-key", timeout=0.5)
        connector.configure(endpoint)
        try:
            yield state, endpoint
        finally:
            connector.configure(None)


def forward_jobs(session, case_id):
    kind = Job.kind == connector.FORWARD_JOB
    return [j for j in session.scalars(select(Job).where(kind)) if j.payload["case_id"] == case_id]


def test_no_endpoint_no_forward(session, cast):
    case = report(session, cast)
    assert session.get(CaseForward, case.id) is None
    assert not forward_jobs(session, case.id)


def test_a_public_case_is_forwarded_in_its_own_transaction(session, cast, city):
    case = report(session, cast)
    assert session.get(CaseForward, case.id) is not None
    assert len(forward_jobs(session, case.id)) == 1


def test_a_mediation_case_is_never_sent(session, cast, city):
    opening = cases.Opening(
        source=CaseSource.mediation, source_ref="d:1", title="调解后续事项", staff_only=True
    )
    case = cases.open_case(session, None, opening)
    assert session.get(CaseForward, case.id) is None
    assert not forward_jobs(session, case.id)
    assert connector.service_request(session, case.id) is None


def test_each_attempt_carries_our_number_and_the_id_is_kept_once(session, sessions, cast, city):
    state, endpoint = city
    case = report(session, cast)
    session.commit()  # into the test's savepoint: the sending sessions see it
    fields = connector.service_request(session, case.id)
    assert fields["attribute[gongzhi_case]"] == case.number
    assert "wang" not in str(fields) and "王" not in str(fields)  # nothing personal travels
    state.faults = ["fail", "twice"]
    with pytest.raises(connector.CityError, match="503"):
        connector.send(sessions, endpoint, case.id)
    assert connector.send(sessions, endpoint, case.id) is True
    assert connector.send(sessions, endpoint, case.id) is False  # stored: never sent again
    assert state.posts == 2 and state.arrivals == {case.number: 1} and state.duplicates == 0
    forward = session.get(CaseForward, case.id)
    session.refresh(forward)
    assert forward.external_id == state.ids[case.number]
    steps = session.scalars(select(CaseStep.action).where(CaseStep.case_id == case.id)).all()
    assert steps.count("forwarded") == 1


def test_a_hanging_city_times_out(session, sessions, cast, city):
    state, endpoint = city
    case = report(session, cast)
    session.commit()
    state.faults = ["hang"]
    started = time.monotonic()
    with pytest.raises(connector.CityError, match=r"timed out|TimeoutError"):
        connector.send(sessions, endpoint, case.id)
    assert time.monotonic() - started < 1.4  # the client's timeout, not the server's hang
    assert not state.arrivals


def test_the_citys_reports_become_notes_that_move_nothing(session, sessions, cast, city):
    state, endpoint = city
    case = report(session, cast)
    session.commit()
    connector.send(sessions, endpoint, case.id)
    external_id = state.ids[case.number]
    state.repeat_reports = True  # the city lists every report twice
    assert connector.poll(sessions, endpoint) == 1  # its first report: open
    assert connector.poll(sessions, endpoint) == 0  # nothing new
    state.report(external_id, "closed", "已修复井盖", "2")
    assert connector.poll(sessions, endpoint) == 1
    assert connector.poll(sessions, endpoint) == 0  # closed at the city: no longer asked
    session.expire_all()
    notes = session.scalars(
        select(CaseStep.note).where(CaseStep.case_id == case.id, CaseStep.action == "city_report")
    ).all()
    assert notes == ["open · 市城管局", "closed · 市城管局 · 已修复井盖"]
    assert session.get(type(case), case.id).state is CaseState.reported  # moved nothing
    moved = session.scalar(
        select(func.count()).where(CaseStep.case_id == case.id, CaseStep.to_state.is_not(None))
    )
    assert moved == 1  # only the report itself


def test_reports_for_unknown_ids_are_ignored(session):
    assert connector.apply_reports(session, [{"service_request_id": "nope", "status": "open"}, {}]) == 0


def test_a_lost_answer_is_the_duplicate_the_city_recognises_by_our_number(session, sessions, cast, city):
    state, endpoint = city
    case = report(session, cast)
    session.commit()
    state.faults = ["lost"]
    with pytest.raises(connector.CityError):
        connector.send(sessions, endpoint, case.id)
    assert connector.send(sessions, endpoint, case.id) is True
    assert state.arrivals == {case.number: 2} and state.duplicates == 1
    forward = session.get(CaseForward, case.id)
    session.refresh(forward)
    assert forward.external_id == state.ids[case.number]  # the city answered the repeat with its first id


def test_the_endpoint_comes_from_the_settings(tmp_path):
    from core.settings import Settings, SettingsError

    base = {"GONGZHI_VAR_DIR": str(tmp_path), "GONGZHI_SECRET_KEY": "k" * 40}
    assert connector.Endpoint.from_settings(Settings.from_env(base)) is None
    settings = Settings.from_env(
        base
        | {
            "GONGZHI_CASE_ENDPOINT": "https://city.example.cn/open311/v2/",
            "GONGZHI_CASE_API_KEY": "abc",
            "GONGZHI_CASE_TIMEOUT": "300",
        }
    )
    assert connector.Endpoint.from_settings(settings) == connector.Endpoint(
        "https://city.example.cn/open311/v2", "abc", 30.0
    )
    assert "abc" not in repr(settings)
    with pytest.raises(SettingsError):
        Settings.from_env(base | {"GONGZHI_CASE_ENDPOINT": "file:///etc/passwd"})


def test_every_process_configures_the_connector_from_its_settings(settings):
    from web import wiring

    try:
        wiring.setup(settings.with_changes(case_endpoint="http://127.0.0.1:9/open311/v2"))
        assert connector.configured() == connector.Endpoint("http://127.0.0.1:9/open311/v2", "", 10.0)
    finally:
        wiring.setup(settings)
    assert connector.configured() is None


@pytest.mark.parametrize("url", ["file:///etc", "ftp://city.example.cn/open311/v2", "data:,[]"])
def test_an_endpoint_that_is_not_http_is_never_opened(session, sessions, cast, city, url):
    """The settings refuse such an address; an Endpoint made in code is refused before urlopen."""
    case = report(session, cast)
    session.commit()
    with pytest.raises(connector.CityError, match="not an http"):
        connector.send(sessions, connector.Endpoint(url), case.id)
    assert session.get(CaseForward, case.id) is None or session.get(CaseForward, case.id).sent_at is None
