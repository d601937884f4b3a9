import pytest

from accounts.login import authenticate
from accounts.models import User
from accounts.profile import change_password
from core.errors import Invalid
from tests.factories import PASSWORD


def test_changing_the_password_bumps_the_epoch_and_the_new_one_works(sessions, hasher, cast):
    epoch = change_password(
        sessions,
        hasher,
        cast.wang_ayi.id,
        current=PASSWORD,
        new="a brand new secret",
        new_again="a brand new secret",
    )
    assert epoch == 1
    assert authenticate(sessions, hasher, "wang_ayi", "a brand new secret", "10.0.0.1").auth_epoch == 1
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
    with pytest.raises(Invalid) as refused:
        change_password(sessions, hasher, cast.wang_ayi.id, current=current, new=new, new_again=again)
    assert field in refused.value.errors
    with sessions.read() as session:
        assert session.get(User, cast.wang_ayi.id).auth_epoch == 0
