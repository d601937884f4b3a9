import pytest
from sqlalchemy import select

from core import site_settings
from core.audit import AuditEntry
from core.errors import Invalid
from core.ratelimit import Rule


def test_unset_settings_read_as_their_typed_default(session):
    assert site_settings.get(session, "lockout.pair_failures") == 5
    assert site_settings.get(session, "rate.login_per_ip") == Rule(30, 300)


def test_an_admin_change_is_stored_typed_and_audited(session, cast):
    site_settings.change(session, cast.admin, "rate.login_per_ip", " 10/60 ")
    site_settings.change(session, cast.admin, "lockout.pair_failures", "7")
    assert site_settings.get(session, "rate.login_per_ip") == Rule(10, 60)
    assert site_settings.all_values(session)["lockout.pair_failures"] == 7
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "site_setting.change").order_by(AuditEntry.id)
    ).first()
    assert entry.actor_name == "admin" and entry.details == {"old": "30/300", "new": "10/60"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lockout.pair_failures", "2"),  # below the allowed range
        ("lockout.pair_failures", "many"),
        ("rate.login_per_ip", "10"),
        ("rate.login_per_ip", "99999999999999999999999/99999999999999999999"),
        ("rate.login_per_ip", "0/60"),
        ("rate.login_per_ip", "10/999999999"),
        ("lockout.base_seconds", "9" * 5000),
        ("no.such.setting", "1"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(session, cast, name, value):
    with pytest.raises(Invalid) as refused:
        site_settings.change(session, cast.admin, name, value)
    assert name in refused.value.errors
    assert site_settings.get(session, "lockout.pair_failures") == 5


def test_a_stored_value_that_no_longer_parses_reads_as_the_default(session, cast, caplog):
    site_settings.change(session, cast.admin, "rate.login_per_ip", "10/60")
    site_settings.change(session, cast.admin, "lockout.pair_failures", "7")
    # as an older version, or a hand-made UPDATE, could have left them
    for name, raw in (
        ("rate.login_per_ip", "99999999999999999999999/1"),
        ("lockout.pair_failures", 10**30),
    ):
        session.get(site_settings.SiteSetting, name).value = raw
    session.flush()
    assert site_settings.get(session, "rate.login_per_ip") == Rule(30, 300)
    assert site_settings.all_values(session)["lockout.pair_failures"] == 5
    assert "unusable stored value" in caplog.text


def test_several_settings_change_all_or_nothing(session, cast):
    with pytest.raises(Invalid) as refused:
        site_settings.change_many(
            session, cast.admin, {"lockout.pair_failures": "8", "rate.login_per_ip": "nonsense"}
        )
    assert set(refused.value.errors) == {"rate.login_per_ip"}
    assert site_settings.get(session, "lockout.pair_failures") == 5
    changed = site_settings.change_many(
        session, cast.admin, {"lockout.pair_failures": "8", "lockout.ip_failures": "20"}
    )
    assert changed == {"lockout.pair_failures": 8}  # 20 is the current value: no change, no audit row
