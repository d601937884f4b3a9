"""调解 over HTTP: applying, the chair's decision, meetings, confirming, what is refused, and privacy."""

import io
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from PIL import Image
from sqlalchemy import func, select

from core import clock
from deliberation.mediation import agreements
from deliberation.mediation.fields import today
from deliberation.mediation.models import Dispute, DisputeEvent, DisputeStatus
from tests.conftest import log_in, post_form
from tests.core.test_markdown import PAYLOADS
from tests.deliberation.mediation import conftest as case_states
from tests.factories import PASSWORD
from web import features

HTMX = {"HX-Request": "true"}
ACCOUNT = "楼上每天半夜十二点还在拖椅子，咚咚响，老人睡不着。"
APPLICATION = {
    "kind": "noise",
    "respondent_username": "li_shifu",
    "account": ACCOUNT,
    "wanted": "晚上十点以后轻一点。",
}


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(out, "JPEG")
    return out.getvalue()


def applied_by_http(client, data=None, files=None):
    return post_form(client, "/mediation/apply", data or APPLICATION, page="/mediation/apply", files=files)


def status_of(session, dispute_id):
    session.expire_all()
    return session.get(Dispute, dispute_id).status


def test_the_public_page_shows_counts_and_no_case(client, session, cast):
    for _ in range(3):
        case_states.apply(session, cast, kind="noise")
    case_states.apply(session, cast, kind="parking")
    page = client.get("/mediation/")
    assert page.status_code == 200 and "申请调解" in page.text
    counts = page.text[page.text.index('id="counts"') :]
    assert "<td>3</td>" in counts and "少于 3 件" in counts  # three noise cases; one parking case hidden
    assert case_states.ACCOUNT not in page.text and "wang_ayi" not in counts


def test_a_resident_applies_with_a_photo_and_lands_on_her_private_case(client, other_client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    response = applied_by_http(client, files=[("attachments", ("楼上.jpg", jpeg(), "image/jpeg"))])
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and ACCOUNT in page.text and "申请已提交群议委主任" in page.text
    assert page.headers["cache-control"] == "no-store" and 'hx-history="false"' in page.text
    file_path = re.search(r'src="(/files/\d+)"', page.text).group(1)
    photo = client.get(file_path)
    assert photo.status_code == 200 and photo.headers["cache-control"] == "no-store"
    log_in(other_client, "zhou_jiaoshou", PASSWORD)  # on the committee, but not this case's mediator
    assert other_client.get(file_path).status_code == 404
    assert other_client.get(response.headers["location"]).status_code == 404


def test_a_bad_application_comes_back_422_with_a_message_per_field_and_nothing_saved(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    bad = {"kind": "", "respondent_username": "nobody_here", "account": "吵", "wanted": ""}
    response = applied_by_http(client, bad)
    assert response.status_code == 422
    for message in ("请选择纠纷类型", "共治上没有这个用户名", "请至少写 10 个字", "这一项必须填写"):
        assert message in response.text
    assert 'value="nobody_here"' in response.text  # what was typed stays
    assert session.scalar(select(func.count()).select_from(Dispute)) == 0
    fragment = post_form(client, "/mediation/apply", bad, page="/mediation/apply", headers=HTMX)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith('<form id="apply_form"')


def test_applications_are_rate_limited(client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    assert [applied_by_http(client).status_code for _ in range(3)] == [303, 303, 303]
    refused = applied_by_http(client)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_the_whole_way_to_an_agreement_over_http(client, other_client, session, cast):
    dispute = case_states.apply(session, cast)
    path = f"/mediation/{dispute.id}"
    log_in(client, "chen_weiyuan", PASSWORD)
    page = client.get(path).text
    assert "受理并指派调解员" in page and "wang_ayi" not in re.findall(r'<option value="(\d+)"', page)
    missing = post_form(client, f"{path}/accept", {"mediator": ""}, page=path)
    assert missing.status_code == 422 and "请选择担任调解员的群议委委员" in missing.text
    assert status_of(session, dispute.id) is DisputeStatus.applied
    accepted = post_form(client, f"{path}/accept", {"mediator": str(cast.zhou_jiaoshou.id)}, page=path)
    assert accepted.status_code == 303

    log_in(client, "zhou_jiaoshou", PASSWORD)
    page = client.get(path).text
    parties = re.findall(r'name="attended" value="(\d+)"', page)
    assert len(parties) == 2 and 'value="mediator"' in page
    no_notes = post_form(client, f"{path}/meetings", {"held_on": "", "attended": parties[0]}, page=path)
    assert no_notes.status_code == 422 and "请填写日期" in no_notes.text and "这一项必须填写" in no_notes.text
    met = {"held_on": today().isoformat(), "attended": parties, "notes": "两家都到了，谈得不错。"}
    assert post_form(client, f"{path}/meetings", met, page=path).status_code == 303
    agreement = {"agreement": "晚上十点以后不拖椅子，椅子脚套上软垫。"}
    assert post_form(client, f"{path}/agreement", agreement, page=path).status_code == 303

    for party in ("wang_ayi", "li_shifu"):
        log_in(other_client, party, PASSWORD)
        page = other_client.get(path).text
        assert "椅子脚套上软垫" in page and "我确认这份协议" in page
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        assert post_form(other_client, f"{path}/confirm", {"version": version}, page=path).status_code == 303
    page = other_client.get(path).text
    assert "各方当事人都已确认这份协议" in page and "各方均已确认：达成协议" in page
    assert status_of(session, dispute.id) is DisputeStatus.agreed


def test_a_party_closing_the_case_is_refused_with_a_clear_message_and_nothing_changes(client, session, cast):
    dispute = case_states.meet(
        session, cast, case_states.accept(session, cast, case_states.apply(session, cast))
    )
    events = session.scalar(select(func.count()).select_from(DisputeEvent))
    log_in(client, "wang_ayi", PASSWORD)
    path = f"/mediation/{dispute.id}"
    refused = post_form(client, f"{path}/close", {"follow_up_on": today().isoformat()}, page=path)
    assert refused.status_code == 403 and "只有调解员或群议委主任可以结案" in refused.text
    failed = post_form(client, f"{path}/fail", {"summary": "我看谈不拢了，算失败吧。"}, page=path)
    assert failed.status_code == 403
    assert status_of(session, dispute.id) is DisputeStatus.in_mediation
    assert session.scalar(select(func.count()).select_from(DisputeEvent)) == events


def test_confirming_a_text_that_changed_meanwhile_is_a_409_that_says_so(client, session, cast):
    dispute = case_states.propose(
        session,
        cast,
        case_states.meet(session, cast, case_states.accept(session, cast, case_states.apply(session, cast))),
    )
    case_states.propose(session, cast, dispute, text="改过的协议：五点半以后再剁馅。")
    log_in(client, "wang_ayi", PASSWORD)
    path = f"/mediation/{dispute.id}"
    stale = post_form(client, f"{path}/confirm", {"version": "1"}, page=path)
    assert stale.status_code == 409 and "协议有了改动" in stale.text


def test_my_cases_list_only_mine_and_the_chair_sees_them_all(client, other_client, session, cast):
    mine = case_states.apply(session, cast)
    theirs = case_states.apply(session, cast, applicant=cast.qian_zhuren, respondent="zhao_kezhang")
    log_in(client, "li_shifu", PASSWORD)
    listed = client.get("/mediation/mine")
    assert listed.headers["cache-control"] == "no-store"
    assert f"/mediation/{mine.id}" in listed.text and f"/mediation/{theirs.id}" not in listed.text
    assert "您是当事人" in listed.text
    assert client.get("/mediation/cases").status_code == 403
    log_in(other_client, "chen_weiyuan", PASSWORD)
    every = other_client.get("/mediation/cases").text
    assert f"/mediation/{mine.id}" in every and f"/mediation/{theirs.id}" in every
    none_closed = other_client.get("/mediation/cases?status=closed").text
    assert f"/mediation/{mine.id}" not in none_closed and "这里没有案件" in none_closed


def test_the_notification_leads_to_the_case_and_says_nothing_of_it(client, session, cast):
    dispute = case_states.apply(session, cast)
    log_in(client, "li_shifu", PASSWORD)
    page = client.get("/accounts/notifications").text
    assert "您的调解案件有新进展" in page and f'href="/mediation/{dispute.id}"' in page
    assert case_states.ACCOUNT not in page and "噪音" not in page and "wang_ayi" not in page


def test_times_on_a_case_are_shanghai_time(client, session, cast, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    dispute = case_states.apply(session, cast)
    log_in(client, "wang_ayi", PASSWORD)
    assert "2026年3月2日 01:30" in client.get(f"/mediation/{dispute.id}").text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_people_type_reaches_the_page_only_escaped(client, session, cast, payload):
    log_in(client, "wang_ayi", PASSWORD)
    response = applied_by_http(
        client, APPLICATION | {"account": f"事情经过：{payload}", "wanted": payload + "！"}
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    shown = page[page.index('id="case"') :]
    assert str(escape(payload)) in shown
    if "<" in payload:
        assert payload not in shown


# --- privacy: every route of a case answers a stranger as if there were no case -----------------------


CASE_ROUTES = [r for r in features.routes() if r.name.startswith("mediation.") and "{dispute_id" in r.path]
STRANGERS = [None, "zhou_jiaoshou", "qian_zhuren", "zhao_kezhang", "sun_banzhu", "zhang_wangge"]
CSRF = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")[^"]+')


def test_the_privacy_test_covers_every_route_of_a_case():
    assert {r.name for r in CASE_ROUTES} == {
        "mediation.case",
        "mediation.accept",
        "mediation.decline",
        "mediation.log_meeting",
        "mediation.propose",
        "mediation.confirm",
        "mediation.fail",
        "mediation.consent",
        "mediation.refer",
        "mediation.close",
        "mediation.hand_off",
    }


def answer(client, route, dispute_id):
    path = route.path.replace("{dispute_id:id}", str(dispute_id))
    if "GET" in route.methods:
        response = client.get(path)
    else:
        response = post_form(client, path, {"mediator": "1", "version": "1", "consent": "yes"}, page="/")
    # the page names its own address (the language switch returns to it); nothing else may differ
    return response.status_code, CSRF.sub(r"\1…", response.text).replace(
        f"/mediation/{dispute_id}", "/mediation/N"
    )


@pytest.mark.parametrize("stranger", STRANGERS)
def test_a_stranger_gets_the_same_404_for_a_real_case_as_for_none(client, session, cast, stranger):
    """A visitor, a resident who is no party, another committee member, government and community
    staff, a moderator, grid staff: the same page for an existing case as for an id that was never
    used, on every route, and the case is untouched."""
    dispute = case_states.apply(session, cast)
    if stranger:
        log_in(client, stranger, PASSWORD)
    for route in CASE_ROUTES:
        real, never = answer(client, route, dispute.id), answer(client, route, dispute.id + 999)
        assert real[0] == 404 and real == never, route.name
        assert "没有您可以查看的调解案件" in real[1] and case_states.ACCOUNT not in real[1]
    assert status_of(session, dispute.id) is DisputeStatus.applied


def test_a_step_that_comes_back_422_to_htmx_renders_the_case_block_with_its_form_open(client, session, cast):
    dispute = case_states.apply(session, cast)
    log_in(client, "chen_weiyuan", PASSWORD)
    path = f"/mediation/{dispute.id}"
    response = post_form(client, f"{path}/decline", {"reason": ""}, page=path, headers=HTMX)
    assert response.status_code == 422 and response.text.lstrip().startswith('<div id="case"')
    assert "<html" not in response.text and "这一项必须填写" in response.text
    assert '<details class="more-form" open>' in response.text
    assert status_of(session, dispute.id) is DisputeStatus.applied


def test_the_chair_hands_a_shared_summary_to_the_grid_and_sees_its_number(client, session, cast):
    dispute = case_states.meet(
        session, cast, case_states.accept(session, cast, case_states.apply(session, cast))
    )
    agreements.record_failure(
        session, cast.zhou_jiaoshou, dispute.id, summary="营业时间说法不一，需城管核实。"
    )
    for party in (cast.wang_ayi, cast.li_shifu):
        agreements.answer_consent(session, party, dispute.id, consent=True)
    session.flush()
    log_in(client, "chen_weiyuan", PASSWORD)
    page = client.get(f"/mediation/{dispute.id}").text
    assert "转办网格" in page and "任何陈述、姓名和附件都不会一并转出" in page
    short = post_form(client, f"/mediation/{dispute.id}/hand-off", {"title": "摊"}, page="/")
    assert short.status_code == 422 and "请用 4 到" in short.text
    done = post_form(client, f"/mediation/{dispute.id}/hand-off", {"title": "早点摊营业时间需核实"}, page="/")
    assert done.status_code == 303
    page = client.get(f"/mediation/{dispute.id}").text
    assert re.search(r"共享摘要已作为案件 \d{4}-\d{6} 转办网格", page)
    again = post_form(
        client, f"/mediation/{dispute.id}/hand-off", {"title": "早点摊营业时间需核实"}, page="/"
    )
    assert again.status_code == 409
