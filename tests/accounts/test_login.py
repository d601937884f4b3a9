import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.login import LockedOut, authenticate
from accounts.models import LoginFailure, User
from accounts.passwords import Hasher
from core import clock, site_settings
from core.errors import Invalid
from tests.factories import PASSWORD, make_user


@pytest.fixture
def wang(session, hasher):
    user = make_user(session, hasher, "wang_ayi")
    session.flush()
    return user


def test_the_right_password_logs_in_and_notes_when(sessions, hasher, wang):
    result = authenticate(sessions, hasher, "WANG_AYI", PASSWORD, "10.0.0.1")
    assert result.user_id == wang.id and result.auth_epoch == 0
    with sessions.read() as session:
        assert session.get(User, wang.id).last_login_at is not None


def test_unknown_user_and_wrong_password_get_the_same_answer(sessions, hasher, wang):
    with pytest.raises(Invalid) as wrong:
        authenticate(sessions, hasher, "wang_ayi", "not the password", "10.0.0.1")
    with pytest.raises(Invalid) as unknown:
        authenticate(sessions, hasher, "nobody_here", "not the password", "10.0.0.1")
    assert wrong.value.errors == unknown.value.errors


def test_ten_wrong_passwords_from_many_ips_lock_the_account(sessions, hasher, wang):
    refused = []
    for n in range(10):
        try:
            authenticate(sessions, hasher, "wang_ayi", f"guess number {n}", f"10.0.1.{n}")
        except LockedOut as error:
            refused.append(error)
        except Invalid:
            pass
    assert refused, "the account was never locked"
    with pytest.raises(LockedOut) as locked:
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.9.9")  # the right password, a new IP
    assert locked.value.until > clock.now()
    assert locked.value.message.params["until"] == locked.value.until


def test_lockout_does_not_reveal_whether_an_account_exists(sessions, hasher, wang):
    def lock(username):
        for n in range(5):
            with contextlib.suppress(Invalid, LockedOut):
                authenticate(sessions, hasher, username, "wrong password", f"10.0.2.{n}")
        with pytest.raises(LockedOut) as locked:
            authenticate(sessions, hasher, username, "wrong password", "10.0.3.1")
        return locked.value.message.key

    assert lock("wang_ayi") == lock("nobody_here")


def test_many_accounts_from_one_ip_lock_the_ip(sessions, hasher, wang):
    for n in range(20):
        with contextlib.suppress(Invalid, LockedOut):
            authenticate(sessions, hasher, f"someone{n}", "wrong password", "10.0.4.4")
    with pytest.raises(LockedOut):
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.4.4")
    # the same account from elsewhere is fine: only the IP is locked
    assert authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.5.5").user_id == wang.id


def test_lockouts_grow_and_end(sessions, hasher, wang, monkeypatch):
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    durations = []
    for n in range(7):
        try:
            authenticate(sessions, hasher, "wang_ayi", "wrong password", f"10.0.6.{n}")
        except LockedOut as error:
            durations.append((error.until - now).total_seconds())
            now = error.until + timedelta(seconds=1)  # wait the lockout out, then fail again
        except Invalid:
            pass
    assert durations == [60, 120, 240]
    assert authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.7.1").user_id == wang.id
    with sessions.read() as session:  # success forgets the account's failures
        assert session.scalar(select(LoginFailure).where(LoginFailure.scope == "account")) is None


def test_lockout_threshold_is_a_site_setting(sessions, hasher, session, cast):
    site_settings.change(session, cast.admin, "lockout.account_failures", "3")
    session.flush()
    outcomes = []
    for n in range(3):
        try:
            authenticate(sessions, hasher, "wang_ayi", "wrong password", f"10.0.8.{n}")
            outcomes.append("in")
        except LockedOut:
            outcomes.append("locked")
        except Invalid:
            outcomes.append("wrong")
    assert outcomes == ["wrong", "wrong", "locked"]


def test_a_hash_made_with_old_parameters_is_replaced_at_login(sessions, wang, session):
    old = Hasher(time_cost=1, memory_kib=8, parallelism=1)
    new = Hasher(time_cost=2, memory_kib=16, parallelism=1)
    with sessions.write() as s:
        s.get(User, wang.id).password_hash = old.hash("a long new password")
        s.commit()
    authenticate(sessions, new, "wang_ayi", "a long new password", "10.0.0.1")
    with sessions.read() as s:
        stored = s.get(User, wang.id).password_hash
    assert "m=16,t=2" in stored and not new.needs_rehash(stored)
    authenticate(sessions, new, "wang_ayi", "a long new password", "10.0.0.1")


def test_a_suspended_account_cannot_log_in(sessions, hasher, session, cast):
    from accounts.roles import set_active

    set_active(session, cast.admin, cast.wang_ayi.id, False)
    session.flush()
    with pytest.raises(Invalid):
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.0.1")
