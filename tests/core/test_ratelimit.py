from datetime import UTC, datetime, timedelta

import pytest

from core import clock, ratelimit
from core.errors import RateLimited
from core.ratelimit import Rule


def test_rule_parses_and_rejects_nonsense():
    assert Rule.parse("30/300") == Rule(30, 300)
    for bad in ("30", "0/60", "a/b", "5/0"):
        with pytest.raises(ValueError):
            Rule.parse(bad)


def test_hits_over_the_limit_are_refused_with_a_wait(sessions, monkeypatch):
    moment = datetime(2026, 11, 23, 8, 0, 10, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    rule = Rule(3, 60)
    for _ in range(3):
        ratelimit.hit(sessions, [("login:1.2.3.4", rule)])
    with pytest.raises(RateLimited) as refused:
        ratelimit.hit(sessions, [("login:1.2.3.4", rule)])
    assert refused.value.retry_after == 51  # the window ends at 08:01:00
    ratelimit.hit(sessions, [("login:5.6.7.8", rule)])  # another key is not affected


def test_the_next_window_starts_afresh(sessions, monkeypatch):
    moment = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    rule = Rule(1, 60)
    ratelimit.hit(sessions, [("k", rule)])
    with pytest.raises(RateLimited):
        ratelimit.hit(sessions, [("k", rule)])
    monkeypatch.setattr(clock, "now", lambda: moment + timedelta(seconds=61))
    ratelimit.hit(sessions, [("k", rule)])
    with sessions.read() as session:
        assert ratelimit.current_count(session, "k", rule) == 1


def test_refused_hits_are_still_counted(sessions):
    rule = Rule(1, 3600)
    ratelimit.hit(sessions, [("k2", rule)])
    for _ in range(2):
        with pytest.raises(RateLimited):
            ratelimit.hit(sessions, [("k2", rule)])
    with sessions.read() as session:
        assert ratelimit.current_count(session, "k2", rule) == 3
