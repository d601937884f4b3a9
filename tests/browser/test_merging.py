"""四意合一 in Chromium: a resident votes card by card on her phone and is shown a similar statement
while writing; everyone reads the report (bars, the opinion map) on a phone and a desktop, and in print;
the committee moderates. Screenshots of every merge page at 390 px and at desktop width."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_forums import log_in

pytestmark = pytest.mark.browser
PHONE = 390
TITLE = "垃圾投放点开放时间调整"


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, page.url


def open_merge(page, base) -> None:
    page.goto(base + "/consultations/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(r"/consultations/\d+$"))
    page.get_by_role("link", name="四意合一").click()
    page.wait_for_url(re.compile(r"/consultations/\d+/merge$"))


def test_a_resident_votes_card_by_card_on_her_phone(server, phone):
    base, password = server
    log_in(phone, base, "sun_banzhu", password)
    phone.goto(base + "/")
    invitation = phone.locator("#merge")
    expect(invitation).to_contain_text("条观点等你表态")
    shoot(phone, "merge-home-phone")
    invitation.get_by_role("link", name=TITLE).click()
    phone.wait_for_url(re.compile(r"/merge/vote$"))
    card = phone.locator("#vote_card")
    expect(card).to_contain_text("已表态 0 /")
    fits_the_phone(phone)
    shoot(phone, "merge-vote-phone")
    first = card.locator(".statement-card").inner_text()
    card.get_by_role("button", name="同意", exact=True).click()
    expect(card).to_contain_text("已表态 1 /")  # the next card came in its block, no page load
    assert card.locator(".statement-card").inner_text() != first
    card.get_by_role("button", name="不同意", exact=True).click()
    expect(card).to_contain_text("已表态 2 /")
    card.get_by_role("button", name="跳过", exact=True).click()
    expect(card).to_contain_text("已表态 3 /")
    phone.get_by_label("你的观点").fill("投放点晚上要装灯，老人看得清")
    hint = phone.locator("#similar")
    expect(hint).to_contain_text("投放点晚上要有灯，老人看得清。")  # found while typing
    fits_the_phone(phone)
    shoot(phone, "merge-write-similar-phone")
    phone.get_by_label("你的观点").fill("投放点的分类标识做得大一些，字要清楚。")
    phone.get_by_role("button", name="发表观点").click()
    expect(phone.get_by_text("观点已发表，其他人现在可以投票了。")).to_be_visible()
    phone.get_by_text(re.compile(r"我的投票（\d+）")).click()
    expect(phone.locator("#my-votes")).to_contain_text("投放点的分类标识做得大一些")
    shoot(phone, "merge-my-votes-phone")


def test_everyone_reads_the_report_on_a_phone_and_a_desktop(server, page, phone):
    base, _ = server
    for viewer, tag in ((phone, "phone"), (page, "desktop")):
        open_merge(viewer, base)
        expect(viewer.locator("#freshness")).to_contain_text("本分析计入")
        expect(viewer.locator("#participation")).to_contain_text("管理服务对象")
        expect(viewer.locator("#meeting-points .statement-bars").first).to_be_visible()
        expect(viewer.locator("#divisive .statement-bars").first).to_be_visible()
        assert viewer.locator("#map circle").count() > 40
        label = viewer.locator("#meeting-points svg.bars").first.get_attribute("aria-label")
        assert "政府" in label and "同意" in label  # the bars' text alternative
        if tag == "phone":
            fits_the_phone(viewer)
        shoot(viewer, f"merge-report-{tag}")
        viewer.goto(base + "/consultations/")
        viewer.get_by_role("link", name=TITLE).click()
        viewer.get_by_role("link", name="四意合一").click()
        viewer.get_by_role("link", name="为观点投票").click()
        viewer.wait_for_url(re.compile(r"/merge/vote$"))
        expect(viewer.get_by_role("link", name="登录后投票")).to_be_visible()
        shoot(viewer, f"merge-vote-visitor-{tag}")
    page.goto(page.url.replace("/vote", ""))
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    shoot(page, "merge-report-print-desktop")


def test_the_committee_moderates_and_drafts_the_merged_opinion(server, page, phone):
    base, password = server
    for viewer, tag in ((page, "desktop"), (phone, "phone")):
        log_in(viewer, base, "chen_weiyuan", password)
        open_merge(viewer, base)
        expect(viewer.get_by_label("共识意见（请引用交融点）")).to_have_value(
            re.compile("四方都同意的交融点")
        )
        viewer.get_by_role("link", name="审核与导入").click()
        viewer.wait_for_url(re.compile(r"/merge/moderation$"))
        expect(viewer.locator("#moderation_queue")).to_contain_text("商铺愿意自己约清运车")
        if tag == "phone":
            fits_the_phone(viewer)
        shoot(viewer, f"merge-moderation-{tag}")
    page.goto(page.url.replace("/moderation", ""))
    page.get_by_role("button", name="保存共识意见").click()
    expect(page.get_by_text("共识意见已保存。")).to_be_visible()
    expect(page.locator("#opinion .post-body")).to_contain_text("四方都同意的交融点")
    shoot(page, "merge-report-committee-desktop")


def test_a_statement_with_markup_is_only_text_in_the_browser(server, phone):
    base, password = server
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(phone, base, "liu_daye", password)
    open_merge(phone, base)
    phone.get_by_role("link", name="为观点投票").click()
    payload = "<img src=x onerror=alert(1)>投放点<script>alert(2)</script>"
    phone.get_by_label("你的观点").fill(payload)
    phone.get_by_role("button", name="发表观点").click()
    expect(phone.get_by_text("观点已发表，其他人现在可以投票了。")).to_be_visible()
    phone.get_by_text(re.compile(r"我的投票（\d+）")).click()
    expect(phone.locator("#my-votes")).to_contain_text(payload)  # shown as the text typed
    assert phone.locator("#my-votes img").count() == 0 and dialogs == []
