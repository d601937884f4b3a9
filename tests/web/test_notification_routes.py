"""The bell, the notification list and the settings page over HTTP."""

from sqlalchemy import select

from accounts import notifications
from accounts.models import NotificationPreference, User
from tests.conftest import log_in, post_form
from tests.factories import PASSWORD


def tell(session, user, **params):
    notifications.notify(
        session,
        [user.id],
        "roster_assigned",
        "grid_cell",
        "349901001001999",
        {"post": "Liaison", "cell": "已撤销的网格", **params},
    )
    session.flush()


def test_the_bell_shows_the_unread_count_and_polls_with_204_when_unchanged(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    html = client.get("/").text
    assert 'id="bell"' in html and "/accounts/notifications/bell?shown=0" in html
    assert (
        client.get("/accounts/notifications/bell?shown=0", headers={"HX-Request": "true"}).status_code == 204
    )
    tell(session, cast.wang_ayi)
    changed = client.get("/accounts/notifications/bell?shown=0", headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert changed.text.lstrip().startswith('<span id="bell"') and 'bell-count">1<' in changed.text
    assert "shown=1" in changed.text and "<html" not in changed.text
    assert (
        client.get("/accounts/notifications/bell?shown=1", headers={"HX-Request": "true"}).status_code == 204
    )


def test_visitors_have_no_bell(client):
    assert 'id="bell"' not in client.get("/").text
    assert client.get("/accounts/notifications/bell?shown=0").status_code == 204
    assert client.get("/accounts/notifications").status_code == 303


def test_the_list_renders_even_when_the_target_is_gone(client, session, cast):
    tell(session, cast.wang_ayi)
    log_in(client, "wang_ayi", PASSWORD)
    page = client.get("/accounts/notifications")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "您已被安排为已撤销的网格的联络员。" in page.text  # the cell no longer exists; the text stays
    assert 'hx-history="false"' in page.text


def test_mark_read_one_and_all(client, session, cast):
    tell(session, cast.wang_ayi)
    tell(session, cast.wang_ayi)
    log_in(client, "wang_ayi", PASSWORD)
    first = notifications.notifications_for(session, cast.wang_ayi).items[0]
    assert (
        post_form(
            client, f"/accounts/notifications/{first.id}/read", {}, page="/accounts/notifications"
        ).status_code
        == 303
    )
    assert notifications.unread_count(session, cast.wang_ayi.id) == 1
    post_form(client, "/accounts/notifications/read", {}, page="/accounts/notifications")
    assert notifications.unread_count(session, cast.wang_ayi.id) == 0


def test_someone_elses_notification_cannot_be_marked(client, session, cast):
    tell(session, cast.li_shifu)
    theirs = notifications.notifications_for(session, cast.li_shifu).items[0]
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client, f"/accounts/notifications/{theirs.id}/read", {}, page="/accounts/notifications"
    )
    assert response.status_code == 404
    assert notifications.unread_count(session, cast.li_shifu.id) == 1


def test_settings_offer_a_channel_only_with_its_address(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    page = client.get("/accounts/notifications/settings").text
    assert 'name="role_granted:email" value="1" disabled' in page
    saved = post_form(
        client,
        "/accounts/notifications/settings",
        {"email": "wang@example.com", "phone": "", "role_granted:email": "1", "role_granted:sms": "1"},
        page="/accounts/notifications/settings",
    )
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(User, cast.wang_ayi.id).email == "wang@example.com"
    row = session.scalar(select(NotificationPreference).where(NotificationPreference.kind == "role_granted"))
    assert (row.email, row.sms) == (True, False)


def test_a_bad_address_is_a_422_and_saves_nothing(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = post_form(
        client,
        "/accounts/notifications/settings",
        {"email": "wang@", "phone": "", "role_granted:email": "1"},
        page="/accounts/notifications/settings",
    )
    assert response.status_code == 422 and "请填写电子邮件地址" in response.text
    session.expire_all()
    assert session.get(User, cast.wang_ayi.id).email is None


def test_switching_language_remembers_it_for_emails(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    post_form(client, "/i18n/language", {"locale": "en", "next": "/"}, page="/")
    session.expire_all()
    assert session.get(User, cast.wang_ayi.id).locale == "en"


def test_the_profile_shows_the_contact_details_and_leads_to_the_settings(client, session, cast):
    from accounts.contact import update_contact

    update_contact(session, cast.wang_ayi, email="wang@example.com", phone="13800138000")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    page = client.get("/accounts/me").text
    assert "wang@example.com" in page and "13800138000" in page
    assert 'href="/accounts/notifications/settings"' in page
