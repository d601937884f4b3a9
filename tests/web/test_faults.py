"""Faults answer with a clear page and lose nothing: the hashing cap is full, the database is down."""

from starlette.testclient import TestClient

from accounts.passwords import Hasher
from tests.conftest import make_settings, post_form
from tests.factories import PASSWORD
from web.app import create_app


def test_a_full_hashing_cap_answers_503_with_retry_after(settings, sessions, cast):
    busy = Hasher(time_cost=1, memory_kib=8, parallelism=1, concurrency=1, wait_seconds=0.05)
    app = create_app(settings, sessions=sessions, hasher=busy)
    with TestClient(app, follow_redirects=False) as client:
        busy._slots.acquire()  # another login is hashing
        try:
            response = post_form(client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD})
        finally:
            busy._slots.release()
        assert response.status_code == 503 and response.headers["retry-after"] == "3"
        assert "当前登录的人较多" in response.text
        again = post_form(client, "/accounts/login", {"username": "wang_ayi", "password": PASSWORD})
        assert again.status_code == 303  # a slot is free again: the same login goes through


def test_a_database_that_is_down_gives_503_pages_not_tracebacks(tmp_path):
    settings = make_settings(tmp_path, "postgresql://nobody@127.0.0.1:9/nothing", in_process_worker=False)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "down"
        page = client.get("/grid/")
        assert page.status_code == 503 and "数据库暂时没有响应" in page.text
        assert page.headers["retry-after"]
