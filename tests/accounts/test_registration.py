import pytest
from sqlalchemy import func, select

from accounts.models import StakeholderGroup, User
from accounts.registration import check_new_account, register
from core.errors import Invalid


def check(**changes):
    form = {
        "username": "wang_ayi",
        "password": "quiet garden 72",
        "password_again": "quiet garden 72",
        "display_name": "王阿姨",
        "group": "resident",
    } | changes
    return check_new_account(**form)


def test_a_good_form_passes_with_its_group():
    assert check() is StakeholderGroup.resident
    assert check(group="served") is StakeholderGroup.served
    assert check(username="王阿姨") is StakeholderGroup.resident  # Chinese usernames are welcome


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"username": ""}, "username", "Enter a username."),
        ({"username": "ab"}, "username", "A username has %(min)s to %(max)s characters."),
        ({"username": "x" * 31}, "username", "A username has %(min)s to %(max)s characters."),
        ({"username": "wang ayi"}, "username", "Use letters, Chinese characters"),
        ({"username": "wang\x00ayi"}, "username", "characters that cannot be used"),
        ({"username": "wang\u202eayi"}, "username", "characters that cannot be used"),
        ({"password": "short", "password_again": "short"}, "password", "at least %(min)s"),
        ({"password": "12345678", "password_again": "12345678"}, "password", "too easy to guess"),
        ({"password": "aaaaaaaaaa", "password_again": "aaaaaaaaaa"}, "password", "too easy to guess"),
        ({"password": "my wang_ayi pw", "password_again": "my wang_ayi pw"}, "password", "must not contain"),
        ({"password": "x" * 129, "password_again": "x" * 129}, "password", "at most %(max)s"),
        ({"password_again": "something else"}, "password_again", "do not match"),
        ({"display_name": "名" * 41}, "display_name", "at most %(max)s"),
        ({"display_name": "王\x07阿姨"}, "display_name", "cannot be used"),
        ({"group": "government"}, "group", "granted by an administrator"),
        ({"group": "community"}, "group", "granted by an administrator"),
        ({"group": "root"}, "group", "granted by an administrator"),
    ],
)
def test_bad_input_names_the_field_and_says_why(changes, field, text):
    with pytest.raises(Invalid) as refused:
        check(**changes)
    assert text in refused.value.errors[field].key


def test_several_problems_are_reported_together():
    with pytest.raises(Invalid) as refused:
        check(username="", password="1", password_again="1", group="government")
    assert set(refused.value.errors) == {"username", "password", "group"}


def test_usernames_are_unique_whatever_their_case(session, hasher):
    register(session, username="WangAyi", password_hash=hasher.hash("x"), group=StakeholderGroup.resident)
    with pytest.raises(Invalid) as refused:
        register(session, username="wangayi", password_hash=hasher.hash("y"), group=StakeholderGroup.resident)
    assert "taken" in refused.value.errors["username"].key
    assert session.scalar(select(func.count()).select_from(User)) == 1
