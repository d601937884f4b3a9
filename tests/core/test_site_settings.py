import pytest
from sqlalchemy import select

from core import site_settings
from core.audit import AuditEntry
from core.errors import Invalid
from core.ratelimit import Rule


def test_unset_settings_read_as_their_typed_default(session):
    assert site_settings.get(session, "lockout.account_failures") == 5
    assert site_settings.get(session, "rate.login_per_ip") == Rule(30, 300)


def test_an_admin_change_is_stored_typed_and_audited(session, cast):
    site_settings.change(session, cast.admin, "rate.login_per_ip", " 10/60 ")
    site_settings.change(session, cast.admin, "lockout.account_failures", "7")
    assert site_settings.get(session, "rate.login_per_ip") == Rule(10, 60)
    assert site_settings.all_values(session)["lockout.account_failures"] == 7
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "site_setting.change").order_by(AuditEntry.id)
    ).first()
    assert entry.actor_name == "admin" and entry.details == {"old": "30/300", "new": "10/60"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lockout.account_failures", "2"),  # below the allowed range
        ("lockout.account_failures", "many"),
        ("rate.login_per_ip", "10"),
        ("no.such.setting", "1"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(session, cast, name, value):
    with pytest.raises(Invalid) as refused:
        site_settings.change(session, cast.admin, name, value)
    assert name in refused.value.errors
    assert site_settings.get(session, "lockout.account_failures") == 5
