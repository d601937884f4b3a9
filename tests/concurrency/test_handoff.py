"""转办网格 happens once: the convener and the chair pressing it together, in two threads or two
processes, and two hand-offs that get past every check at once (the unique source reference)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.db import Sessions, run_write
from core.errors import Conflict
from deliberation.consultations import convening, handoff
from deliberation.consultations.models import Consultation, State
from grid import handoff as grid_handoff
from grid.models import Case, CaseSource
from tests.conftest import PG_URL, cheap_hasher, fresh_engine, make_settings
from tests.deliberation.consultations.conftest import adopt, advance
from tests.people import build_cast

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def agreed(tmp_path):
    """A committed database with an agreed consultation; yields (sessions, engine url, ids)."""
    with fresh_engine(make_settings(tmp_path, PG_URL or None, threads=4)) as engine:
        sessions = Sessions(engine)

        def setup(session):  # type: ignore[no-untyped-def]
            cast = build_cast(session, cheap_hasher())
            made = convening.convene(
                session, cast.zhou_jiaoshou, title="同时转办", question="？", scope=cast.cell.code
            )
            session.flush()
            advance(session, cast.zhou_jiaoshou, made, "open", "deliberate")
            adopt(session, cast, made)
            advance(session, cast.zhou_jiaoshou, made, "agree")
            return made.id, cast.zhou_jiaoshou.id, cast.chen_weiyuan.id

        ids = run_write(sessions, setup)
        yield sessions, engine.url.render_as_string(hide_password=False), ids


def cases_and_state(sessions, consultation_id):
    with sessions.read() as session:
        count = session.scalar(
            select(func.count()).select_from(Case).where(Case.source == CaseSource.consultation)
        )
        return count, session.get(Consultation, consultation_id).state


def test_the_convener_and_the_chair_pressing_together_in_two_threads_hand_off_once(agreed):
    sessions, _url, (consultation_id, zhou, chen) = agreed
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def press(user_id: int) -> None:
        start.wait()
        try:
            run_write(
                sessions, lambda s: handoff.hand_off(s, s.get(User, user_id), consultation_id, class_id=None)
            )
            outcomes.append("handed")
        except Conflict:
            outcomes.append("refused")

    pressers = [threading.Thread(target=press, args=(who,)) for who in (zhou, chen)]
    for t in pressers:
        t.start()
    for t in pressers:
        t.join(timeout=60)
    assert sorted(outcomes) == ["handed", "refused"]
    assert cases_and_state(sessions, consultation_id) == (1, State.handed_off)


@pytest.mark.parametrize("same_person", [False, True], ids=["convener and chair", "pressed twice"])
def test_two_processes_pressing_at_the_same_moment_hand_off_once(agreed, same_person):
    sessions, url, (consultation_id, zhou, chen) = agreed
    start_at = time.time() + 4.0  # both processes are up and connected by then, on a busy machine too
    people = (zhou, zhou) if same_person else (zhou, chen)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.concurrency.handoff_main",
                url,
                str(who),
                str(consultation_id),
                str(start_at),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in people
    ]
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answers.append(out.split()[0])
    assert sorted(answers) == ["handed", "refused"]
    assert cases_and_state(sessions, consultation_id) == (1, State.handed_off)


def test_two_hand_offs_past_every_check_at_once_leave_one_case(agreed):
    """No row lock here: only the unique source reference stands between the two."""
    sessions, _url, (_consultation_id, zhou, _chen) = agreed
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def open_it() -> None:
        start.wait()
        try:
            run_write(
                sessions,
                lambda s: grid_handoff.hand_off(
                    s,
                    s.get(User, zhou),
                    source=CaseSource.forum,
                    source_ref="777",
                    title="同一个话题",
                    description="",
                    followers=set(),
                ),
            )
            outcomes.append("opened")
        except Conflict:
            outcomes.append("refused")

    both = [threading.Thread(target=open_it) for _ in range(2)]
    for t in both:
        t.start()
    for t in both:
        t.join(timeout=60)
    assert sorted(outcomes) == ["opened", "refused"]
    with sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Case).where(Case.source_ref == "777")) == 1
