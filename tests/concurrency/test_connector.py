"""Forwarding cases to a misbehaving city system with real worker processes, one killed mid-send,
and to a city system that is down (nothing listening) for a while, then back.

Every case arrives, none is lost when a worker dies with SIGKILL while the city holds its request,
and the city counts duplicates by our case number. The figures are printed (run with -s to see them).
"""

from __future__ import annotations

import signal
import subprocess
import sys

from sqlalchemy import func, select

from core.db import Sessions, run_write
from core.jobs import Job, JobStatus
from grid import cases, connector
from grid.models import CaseForward, CaseSource, CaseState, CaseStep
from tests.concurrency.serving import free_port
from tests.concurrency.test_workers import ROOT, stop, wait_until
from tests.concurrency.test_workers import database as database  # the fixture
from tests.grid.city_server import CityState, city_server

CASES = 40
# one fault per POST, in arrival order: the first request hangs and its worker is killed meanwhile
FAULTS = ["hang", "fail", "ok", "twice", "fail", "hang", "ok", "fail", "fail", "twice", "hang"] * 2


def start(url: str, city_url: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency.connector_worker_main", url, city_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def open_cases(sessions: Sessions, city_url: str) -> list[str]:
    connector.configure(connector.Endpoint(city_url, "city-key", timeout=1.0))
    try:

        def work(session):
            opened = [
                cases.open_case(
                    session,
                    None,
                    cases.Opening(
                        source=CaseSource.staff if i % 7 else CaseSource.mediation,
                        source_ref=f"load:{i}",
                        title=f"第{i}号巡查发现：人行道地砖破损",
                        address=f"柳岸路{i}号",
                        staff_only=i % 7 == 0,  # every seventh is a mediation's: never sent
                    ),
                )
                for i in range(CASES)
            ]
            return [c.number for c in opened if not c.staff_only]

        return run_write(sessions, work)
    finally:
        connector.configure(None)


def test_every_case_arrives_once_through_faults_and_a_killed_worker(database):
    url, sessions = database
    state = CityState(faults=list(FAULTS), hang_seconds=2.5)
    with city_server(state) as city_url:
        public = open_cases(sessions, city_url)
        first = start(url, city_url)
        try:
            assert state.received.wait(20), "the first worker sent nothing"
            first.send_signal(signal.SIGKILL)  # mid-send: the city is holding its request
            first.wait(timeout=10)
            others = [start(url, city_url), start(url, city_url)]
            try:
                wait_until(lambda: _sent(sessions) == len(public), seconds=120)
            finally:
                stop(*others)
        finally:
            if first.poll() is None:
                first.kill()
        with sessions.read() as session:
            attempts = session.scalar(select(func.sum(Job.attempts)).where(Job.kind == connector.FORWARD_JOB))
            statuses = set(session.scalars(select(Job.status).where(Job.kind == connector.FORWARD_JOB)))
            noted = session.scalar(select(func.count()).where(CaseStep.action == "forwarded"))
            states = set(session.scalars(select(cases.Case.state)))
        arrived = set(state.arrivals)
        figures = {
            "cases": CASES,
            "public": len(public),
            "sent": len(arrived),
            "posts": state.posts,
            "retries": attempts - len(public),
            "faults": dict(state.faults_seen),
            "duplicates": state.duplicates,
            "lost": len(set(public) - arrived),
        }
        print(f"\nconnector figures: {figures}")
        assert arrived == set(public)  # every public case arrived, and no staff-only one
        assert figures["lost"] == 0
        assert figures["duplicates"] == 0  # the killed send was held unrecorded, so no repeat
        assert state.bad_keys == 0 and "" not in state.arrivals  # every attempt carried our number
        assert statuses == {JobStatus.done}
        assert noted == len(public)  # one "sent" note per case, whatever the retries
        assert states == {CaseState.reported}  # forwarding moves nothing
        assert figures["retries"] >= FAULTS.count("fail") + FAULTS.count("hang") - 1


def _sent(sessions: Sessions) -> int:
    with sessions.read() as session:
        return session.scalar(
            select(func.count()).select_from(CaseForward).where(CaseForward.external_id.is_not(None))
        )


def test_a_city_system_down_for_a_while_gets_every_case_once_when_it_is_back(database):
    url, sessions = database
    port = free_port()
    city_url = f"http://127.0.0.1:{port}/open311/v2"  # nothing listens there yet: refused
    public = open_cases(sessions, city_url)
    workers = [start(url, city_url), start(url, city_url)]
    try:
        # down until every case has been tried and failed at least twice (retries back off meanwhile)
        wait_until(lambda: _down_long_enough(sessions, len(public)), seconds=120)
        tried_while_down = _tries(sessions)[1]
        state = CityState()
        with city_server(state, port=port):
            wait_until(lambda: _sent(sessions) == len(public), seconds=120)
    finally:
        stop(*workers)
    with sessions.read() as session:
        statuses = set(session.scalars(select(Job.status).where(Job.kind == connector.FORWARD_JOB)))
    arrived = set(state.arrivals)
    figures = {
        "public cases": len(public),
        "attempts while down": tried_while_down,
        "posts once back": state.posts,
        "delivered": len(arrived),
        "duplicates": state.duplicates,
        "lost": len(set(public) - arrived),
    }
    print(f"\ncity system down for a while: {figures}")
    assert arrived == set(public) and figures["lost"] == 0
    assert figures["duplicates"] == 0  # a refused connection sent nothing: nothing to repeat
    assert state.posts == len(public)  # and once back, each case went once
    assert statuses == {JobStatus.done}


def _down_long_enough(sessions: Sessions, cases: int) -> bool:
    tried, attempts = _tries(sessions)
    return tried == cases and attempts >= 2 * cases


def _tries(sessions: Sessions) -> tuple[int, int]:
    """(forward jobs tried at least once, attempts in all)."""
    with sessions.read() as session:
        attempts = list(session.scalars(select(Job.attempts).where(Job.kind == connector.FORWARD_JOB)))
    return sum(1 for a in attempts if a), sum(attempts)
