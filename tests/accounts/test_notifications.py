"""Notifications: stored per person, delivered by e-mail or SMS as jobs for those who ask."""

import pytest
from sqlalchemy import select

from accounts import notifications
from accounts.channels import LogChannel
from accounts.contact import update_contact
from accounts.models import Notification, Role
from core import clock, jobs
from core.errors import Invalid, NotFound
from core.jobs import Job, JobStatus
from core.worker import Worker
from web import wiring
from web.delivery import deliver
from web.features import make_links
from web.i18n import Catalogs

wiring.setup()  # the delivery handler, as every process registers it


@pytest.fixture
def outbox():
    return {"email": LogChannel("email"), "sms": LogChannel("sms")}


@pytest.fixture
def worker(sessions, outbox):
    return Worker(
        sessions,
        resources={
            "channels": outbox,
            "catalogs": Catalogs(),
            "links": make_links(),
            "base_url": "https://gz.example",
        },
    )


def test_granting_a_role_tells_the_person(session, cast):
    from accounts import roles

    roles.grant_role(session, cast.admin, cast.wang_ayi.id, Role.moderator)
    [note] = session.scalars(select(Notification).where(Notification.user_id == cast.wang_ayi.id)).all()
    assert (note.kind, note.target_kind, note.params) == ("role_granted", "user", {"role": "Moderator"})
    assert notifications.unread_count(session, cast.wang_ayi.id) == 1


def test_nothing_is_sent_outside_the_app_unless_asked(session, cast):
    notifications.notify(
        session,
        [cast.wang_ayi.id],
        "roster_assigned",
        "grid_cell",
        cast.cell.code,
        {"post": "Liaison", "cell": cast.cell.name},
    )
    assert session.scalars(select(Job).where(Job.kind == notifications.DELIVER_JOB)).all() == []


def test_an_email_goes_out_in_the_readers_language_once(session, sessions, cast, worker, outbox):
    update_contact(session, cast.wang_ayi, email="wang@example.com", phone="")
    cast.wang_ayi.locale = "zh_CN"
    notifications.set_preferences(session, cast.wang_ayi, {"roster_assigned": {"email", "sms"}})
    [note] = notifications.notify(
        session,
        [cast.wang_ayi.id, cast.wang_ayi.id],
        "roster_assigned",
        "grid_cell",
        cast.cell.code,
        {"post": "Liaison", "cell": cast.cell.name},
    )
    session.flush()
    delivery = session.scalars(select(Job).where(Job.kind == notifications.DELIVER_JOB)).all()
    assert [job.payload["channel"] for job in delivery] == ["email"]  # no phone given: no SMS
    assert worker.run_once()
    [(address, subject, body)] = outbox["email"].sent
    assert address == "wang@example.com" and subject == "共治平台通知"
    assert "您已被安排为柳岸社区第1网格的联络员。" in body
    assert f"https://gz.example/grid/cells/{cast.cell.code}" in body
    # the same job again (a worker died before recording it done) sends nothing more
    claim = jobs.Claim(delivery[0].id, notifications.DELIVER_JOB, {}, "token", 2, clock.now())
    deliver(
        jobs.JobContext(sessions, claim, worker.resources), {"notification_id": note.id, "channel": "email"}
    )
    assert len(outbox["email"].sent) == 1


def test_english_readers_get_english(session, cast, worker, outbox):
    update_contact(session, cast.li_shifu, email="li@example.com", phone="13800138000")
    cast.li_shifu.locale = "en"
    notifications.set_preferences(session, cast.li_shifu, {"role_granted": {"sms"}})
    notifications.notify(
        session, [cast.li_shifu.id], "role_granted", "user", cast.li_shifu.id, {"role": "Moderator"}
    )
    session.flush()
    worker.run_once()
    assert outbox["sms"].sent == [("13800138000", "Gongzhi notification", "You are now: Moderator.")]


def test_a_failing_channel_is_retried(session, cast, worker, outbox):
    class Down:
        name = "email"

        def send(self, *args):
            raise ConnectionError("SMTP server down")

    worker.resources["channels"] = {"email": Down(), "sms": outbox["sms"]}
    update_contact(session, cast.wang_ayi, email="wang@example.com", phone="")
    notifications.set_preferences(session, cast.wang_ayi, {"role_granted": {"email"}})
    notifications.notify(session, [cast.wang_ayi.id], "role_granted", "user", cast.wang_ayi.id, {"role": "x"})
    session.flush()
    worker.run_once()
    session.expire_all()
    job = session.scalars(select(Job).where(Job.kind == notifications.DELIVER_JOB)).one()
    assert job.status is JobStatus.retrying and "SMTP server down" in job.last_error


def test_preferences_without_an_address_are_not_kept(session, cast):
    notifications.set_preferences(session, cast.wang_ayi, {"role_granted": {"email", "sms"}})
    assert notifications.preferences(session, cast.wang_ayi)["role_granted"] == set()


def test_marking_read_only_touches_ones_own(session, cast):
    mine = notifications.notify(session, [cast.wang_ayi.id], "role_granted", "user", 1, {"role": "x"})[0]
    theirs = notifications.notify(session, [cast.li_shifu.id], "role_granted", "user", 2, {"role": "x"})[0]
    with pytest.raises(NotFound):
        notifications.mark_read(session, cast.wang_ayi, theirs.id)
    assert notifications.mark_read(session, cast.wang_ayi, mine.id) == 1
    assert notifications.unread_count(session, cast.wang_ayi.id) == 0
    assert notifications.unread_count(session, cast.li_shifu.id) == 1


@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [
        ("not-an-address", "", "email"),
        ("wang@example", "", "email"),
        ("", "12345", "phone"),
        ("", "1380013800a", "phone"),
    ],
)
def test_contact_details_are_checked(session, cast, email, phone, field):
    with pytest.raises(Invalid) as refused:
        update_contact(session, cast.wang_ayi, email=email, phone=phone)
    assert field in refused.value.errors
    assert cast.wang_ayi.email is None and cast.wang_ayi.phone is None


def test_unknown_kinds_are_a_programming_error(session, cast):
    with pytest.raises(ValueError):
        notifications.notify(session, [cast.wang_ayi.id], "no_such_kind", "user", 1)
