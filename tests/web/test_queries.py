"""List pages run a fixed number of queries, however many rows they show (no N+1)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from accounts import notifications, roles
from accounts.models import Role
from core import jobs
from tests.conftest import log_in
from tests.factories import PASSWORD, make_cell, make_user


@contextmanager
def counting(connection):
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def queries_for(client, connection, path):
    with counting(connection) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "path", ["/grid/", "/admin/users", "/accounts/notifications", "/admin/audit", "/admin/jobs"]
)
def test_list_pages_do_not_grow_with_their_rows(client, connection, session, hasher, cast, path):
    log_in(client, "admin", PASSWORD)
    few = queries_for(client, connection, path)
    for n in range(12):
        cell = make_cell(session, name=f"新网格{n}")
        user = make_user(session, hasher, f"extra{n}", home_cell=cell.code)
        roles.grant_role(session, cast.admin, user.id, Role.moderator)  # audit rows, role tags
        notifications.notify(session, [cast.admin.id], "role_granted", "user", cast.admin.id, {"role": "x"})
        jobs.enqueue(session, "test.done")
    session.flush()
    assert queries_for(client, connection, path) == few
