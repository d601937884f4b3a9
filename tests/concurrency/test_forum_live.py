"""New posts reach readers without a reload when the site runs as two worker processes.

`gongzhi serve --workers 2` on a committed database; every poll on a fresh connection (so both
processes answer some) says 204 until a reply is committed, then every one returns it.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.models import StakeholderGroup
from core.db import Sessions, run_write
from deliberation.forums import posts, threads
from grid import cells
from grid.residents import register_resident
from tests.conftest import PG_URL, fresh_engine, make_settings

pytestmark = pytest.mark.concurrency
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def poll(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # a new connection each time
    conn.request("GET", path, headers={"HX-Request": "true"})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def wait_until_serving(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    """Wait for /healthz (a busy machine starts two workers slowly); fail with serve's output if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            poll(port, "/healthz")
            return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "serve died") from None
            time.sleep(0.1)
    raise TimeoutError(f"gongzhi serve did not answer on port {port} within {seconds} s")


@pytest.fixture
def site(tmp_path):
    settings = make_settings(tmp_path, PG_URL or None)
    with fresh_engine(settings) as engine:
        sessions = Sessions(engine)

        def setup(session):  # type: ignore[no-untyped-def]
            cell = cells.add_cell(
                session,
                code="349901001001001",
                name="柳岸社区第1网格",
                street="清河街道",
                community="柳岸社区",
            )
            people = [
                register_resident(session, username=name, password_hash="x", group=StakeholderGroup.resident)
                for name in ("wang_ayi", "li_shifu")
            ]
            session.flush()
            thread = threads.start_thread(
                session, people[0], board_slug=cell.code, title="楼道杂物", body="谁来清？"
            )
            return thread.id, people[1].id

        thread_id, replier = run_write(sessions, setup)
        env = os.environ | {
            "GONGZHI_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "GONGZHI_VAR_DIR": str(tmp_path),
            "GONGZHI_WORKER": "0",
            "GONGZHI_LOG_LEVEL": "WARNING",
        }
        port = free_port()
        server = subprocess.Popen(
            [BIN / "gongzhi", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until_serving(server, port)
            time.sleep(1.0)  # both worker processes up
            yield port, sessions, thread_id, replier
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_a_committed_reply_reaches_every_poll_on_either_process(site):
    port, sessions, thread_id, replier = site
    path = f"/forums/threads/{thread_id}/new?after=1"
    assert {poll(port, path)[0] for _ in range(20)} == {204}

    def reply(session):  # type: ignore[no-untyped-def]
        from accounts.models import User

        posts.post_reply(session, session.get(User, replier), thread_id=thread_id, body="这周六统一清理")

    run_write(sessions, reply)
    answers = [poll(port, path) for _ in range(20)]
    assert {status for status, _ in answers} == {200}
    assert all("这周六统一清理" in body and "after=2" in body for _, body in answers)
