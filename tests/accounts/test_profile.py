import pytest

from accounts.login import LockedOut, authenticate
from accounts.logins import find_viewer, start_login
from accounts.models import User
from accounts.profile import change_password
from core.db import run_write
from core.errors import Invalid
from tests.factories import PASSWORD


def test_changing_the_password_ends_the_other_logins_and_the_new_one_works(sessions, hasher, cast):
    here, elsewhere = (run_write(sessions, lambda s: start_login(s, cast.wang_ayi.id)) for _ in range(2))
    change_password(
        sessions,
        hasher,
        cast.wang_ayi.id,
        current=PASSWORD,
        new="a brand new secret",
        new_again="a brand new secret",
        login_id=here.login_id,
    )
    with sessions.read() as session:
        assert find_viewer(session, here.login_id, here.secret) is not None
        assert find_viewer(session, elsewhere.login_id, elsewhere.secret) is None
    assert (
        authenticate(sessions, hasher, "wang_ayi", "a brand new secret", "10.0.0.1").user_id
        == cast.wang_ayi.id
    )
    with pytest.raises(Invalid):
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.0.1")


@pytest.mark.parametrize(
    ("current", "new", "again", "field"),
    [
        ("wrong current pw", "a brand new secret", "a brand new secret", "current"),
        (PASSWORD, "short", "short", "new"),
        (PASSWORD, "a brand new secret", "different secret", "new_again"),
        ("", "a brand new secret", "a brand new secret", "current"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(sessions, hasher, cast, current, new, again, field):
    before = cast.wang_ayi.password_hash
    with pytest.raises(Invalid) as refused:
        change_password(sessions, hasher, cast.wang_ayi.id, current=current, new=new, new_again=again)
    assert field in refused.value.errors
    with sessions.read() as session:
        assert session.get(User, cast.wang_ayi.id).password_hash == before


def test_guessing_the_current_password_is_counted_like_a_login(sessions, hasher, cast):
    """A stolen login must not become a password oracle: the same wait as five wrong logins."""
    outcomes = []
    for n in range(6):
        try:
            change_password(
                sessions,
                hasher,
                cast.wang_ayi.id,
                current=f"guess {n}",
                new="a new long secret",
                new_again="a new long secret",
                ip="10.1.1.1",
            )
        except LockedOut:
            outcomes.append("locked")
        except Invalid:
            outcomes.append("wrong")
    assert outcomes == ["wrong"] * 4 + ["locked", "locked"]
    with pytest.raises(LockedOut):  # and logging in from that address waits too
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.1.1.1")
