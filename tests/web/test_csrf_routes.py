"""CSRF on every unsafe route, the list taken from the app's router so a new route is covered at once.

Each route is tried by someone the authorization matrix lets through (its rows, in its order, supply
the path and the form): without a token, and with the token of another login of the same person, it
is refused with the expired-form page (no permission check says that) and no row changes; with its own
token it gets past the check. The only exempt routes are Open311's, which take
an API key and no cookie: a signed-in admin's cookies alone file nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import csrf_token, log_in, post_form
from tests.factories import PASSWORD
from tests.web.hostile import database_state
from tests.web.test_authz_matrix import POSTS, ROLES, Row, World
from tests.web.test_authz_matrix import world as world  # the fixture, re-exported for pytest
from web.routing import options_of

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
OPEN311_WRITES = {("POST", "open311.submit")}


def unsafe_routes(app) -> dict[tuple[str, str], bool]:  # type: ignore[no-untyped-def]
    """Every (method, route name) that changes something, and whether it is exempt from CSRF."""
    found = {}
    for route in app.routes:
        if isinstance(route, Route):
            options = options_of(route)
            assert options is not None, f"{route.name} is not made by web.routing.route()"
            for method in route.methods & UNSAFE:
                found[(method, route.name)] = options.csrf_exempt
    return found


def allowed(row: Row) -> str | None:
    """The first role the matrix lets through this row (not refused, not hidden)."""
    return next((role for role in ROLES if row.expect(role) not in (403, 404)), None)


def test_every_unsafe_route_has_a_row_someone_may_use(app):
    rows = {(row.method, row.route) for row in POSTS if allowed(row)}
    checked = {key for key, exempt in unsafe_routes(app).items() if not exempt}
    assert checked - rows == set(), "give the route a row in the authorization matrix that someone may use"
    assert {key for key, exempt in unsafe_routes(app).items() if exempt} == OPEN311_WRITES


@pytest.fixture
def browsers(app) -> Iterator[dict[str, tuple[TestClient, TestClient]]]:  # type: ignore[no-untyped-def]
    """Per role, two browsers signed in as that person (two logins), opened when first needed."""
    opened: dict[str, tuple[TestClient, TestClient]] = {}

    class Browsers(dict):  # type: ignore[type-arg]
        def __missing__(self, role: str) -> tuple[TestClient, TestClient]:
            pair = (TestClient(app, follow_redirects=False), TestClient(app, follow_redirects=False))
            for browser in pair:
                browser.__enter__()
                if role != "visitor":
                    log_in(browser, role, PASSWORD)
            opened[role] = self[role] = pair
            return pair

    yield Browsers()
    for pair in opened.values():
        for browser in pair:
            browser.__exit__(None, None, None)


def test_every_unsafe_route_refuses_a_missing_or_foreign_token(app, session, world: World, browsers):
    checked = {key for key, exempt in unsafe_routes(app).items() if not exempt}
    tried = set()
    # the admins' rows last: making 周教授 chair, or suspending 李师傅, would change others' answers
    for row in sorted(POSTS, key=lambda row: row.route.startswith("admin.")):
        role = allowed(row)
        if (row.method, row.route) not in checked or role is None:
            continue
        mine, other = browsers[role]
        path = world.fill(row.path, role)
        data = {k: world.fill(v, role) for k, v in row.data.items()}
        files = {"file": ("photo.txt", b"a cell document", "text/plain")} if row.upload else None
        foreign = csrf_token(other, "/")  # a real token, of the same person's other login
        before = database_state(session)
        for sent in ({}, {"csrf_token": foreign}):
            response = mine.post(path, data={**data, **sent}, files=files)
            assert response.status_code == 403 and "表单已失效" in response.text, (row.key, role, sent)
        assert database_state(session) == before, f"{row.key}: a refused request changed something"
        # with its own token the request gets past the check (the world has moved on since the matrix
        # wrote its answers: another role's row may have changed it, so only the refusal is compared)
        answer = post_form(mine, path, data, page="/", files=files)
        assert answer.status_code < 500 and "表单已失效" not in answer.text, (row.key, role)
        tried.add((row.method, row.route))
    assert tried == checked


def test_open311_takes_no_cookie_for_its_key(client, session, cast):
    """A signed-in admin's browser, tricked into posting to Open311, files nothing: only the key counts."""
    log_in(client, "admin", PASSWORD)
    before = database_state(session)
    for fmt in ("json", "xml"):
        response = client.post(
            f"/open311/v2/requests.{fmt}",
            data={"service_code": "component-0103", "address_string": "柳岸小区5号楼"},
            headers={"x-csrf-token": csrf_token(client, "/")},
        )
        assert response.status_code == 403 and "api_key" in response.text
    assert database_state(session) == before
