"""Login and lockout: attempts reserved before hashing, per address, per account and per IP."""

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.login import LockedOut, authenticate
from accounts.logins import find_viewer
from accounts.models import Login, LoginFailure, User
from accounts.passwords import Hasher
from core import clock, site_settings
from core.errors import Invalid
from tests.conftest import cheap_hasher
from tests.factories import PASSWORD, make_user


class CountingHasher(Hasher):
    """The real hasher, counting how many passwords it was asked to check."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_kib=8, parallelism=1, concurrency=8, wait_seconds=5)
        self.checked = 0

    def verify(self, stored_hash, password):  # type: ignore[no-untyped-def]
        self.checked += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def wang(session, hasher):
    user = make_user(session, hasher, "wang_ayi")
    session.flush()
    return user


def attempt(sessions, hasher, username, password, ip):  # type: ignore[no-untyped-def]
    """What the person sees: in, wrong or locked."""
    try:
        authenticate(sessions, hasher, username, password, ip)
        return "in"
    except LockedOut:
        return "locked"
    except Invalid:
        return "wrong"


def test_the_right_password_logs_in_records_the_login_and_notes_when(sessions, hasher, wang):
    result = authenticate(sessions, hasher, "WANG_AYI", PASSWORD, "10.0.0.1", "Firefox")
    assert result.user_id == wang.id
    with sessions.read() as session:
        assert session.get(User, wang.id).last_login_at is not None
        login = session.get(Login, result.login.login_id)
        assert (login.ip, login.user_agent, login.ended_at) == ("10.0.0.1", "Firefox", None)
        assert find_viewer(session, result.login.login_id, result.login.secret)[0].id == wang.id
        assert find_viewer(session, result.login.login_id, "a guessed secret") is None


def test_unknown_user_and_wrong_password_get_the_same_answer(sessions, hasher, wang):
    with pytest.raises(Invalid) as wrong:
        authenticate(sessions, hasher, "wang_ayi", "not the password", "10.0.0.1")
    with pytest.raises(Invalid) as unknown:
        authenticate(sessions, hasher, "nobody_here", "not the password", "10.0.0.1")
    assert wrong.value.errors == unknown.value.errors


def test_a_locked_address_checks_no_password_and_the_owner_gets_in_from_another(sessions, wang):
    hasher = CountingHasher()
    outcomes = [attempt(sessions, hasher, "wang_ayi", f"guess {n}", "10.0.1.1") for n in range(5)]
    assert outcomes == ["wrong"] * 4 + ["locked"]  # the fifth wrong password starts the wait
    assert attempt(sessions, hasher, "wang_ayi", PASSWORD, "10.0.1.1") == "locked"
    assert hasher.checked == 5  # the sixth attempt was refused before any hashing
    assert attempt(sessions, hasher, "wang_ayi", PASSWORD, "10.0.1.2") == "in"  # OWASP: not locked out


def test_many_addresses_lock_the_account_at_the_much_higher_account_limit(sessions, hasher, session, cast):
    site_settings.change(session, cast.admin, "lockout.account_failures", "12")
    session.flush()
    outcomes = [attempt(sessions, hasher, "wang_ayi", "wrong password", f"10.0.2.{n}") for n in range(12)]
    assert outcomes == ["wrong"] * 11 + ["locked"]
    with pytest.raises(LockedOut) as locked:
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.9.9")  # the right password, a new IP
    assert locked.value.until > clock.now()
    assert locked.value.message.params["until"] == locked.value.until


def test_lockout_does_not_reveal_whether_an_account_exists(sessions, hasher, wang):
    def lock(username):  # type: ignore[no-untyped-def]
        for _ in range(5):
            with contextlib.suppress(Invalid, LockedOut):
                authenticate(sessions, hasher, username, "wrong password", "10.0.3.1")
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


def test_waits_grow_and_end_and_the_right_password_refunds_only_itself(sessions, hasher, wang, monkeypatch):
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    durations = []
    for n in range(7):
        try:
            authenticate(sessions, hasher, "wang_ayi", f"wrong password {n}", "10.0.6.1")
        except LockedOut as error:
            durations.append((error.until - now).total_seconds())
            now = error.until + timedelta(seconds=1)  # wait the lockout out, then fail again
        except Invalid:
            pass
    assert durations == [60, 120, 240]
    assert authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.6.1").user_id == wang.id
    with sessions.read() as session:
        scopes = {row.scope: row.failures for row in session.scalars(select(LoginFailure))}
    # the seven failures still count everywhere: the success took back its own reservation only
    assert scopes == {"pair": 7, "account": 7, "ip": 7}


def test_per_address_threshold_is_a_site_setting(sessions, hasher, session, cast):
    site_settings.change(session, cast.admin, "lockout.pair_failures", "3")
    session.flush()
    outcomes = [attempt(sessions, hasher, "wang_ayi", "wrong password", "10.0.8.1") for _ in range(3)]
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


def test_a_suspended_account_cannot_log_in_and_its_logins_end(sessions, hasher, session, cast):
    from accounts.roles import set_active

    first = authenticate(sessions, cheap_hasher(), "wang_ayi", PASSWORD, "10.0.0.1").login
    set_active(session, cast.admin, cast.wang_ayi.id, False)
    session.flush()
    with pytest.raises(Invalid):
        authenticate(sessions, hasher, "wang_ayi", PASSWORD, "10.0.0.1")
    assert find_viewer(session, first.login_id, first.secret) is None
