"""Keyboard only: a new resident registers, votes on a 四意合一 statement and signs up for a volunteer
shift with Tab, Shift+Tab, the arrow keys, Enter, Space and typing — no click, no fill — and wherever
the focus is, it can be seen."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser
MERGE_TITLE = "垃圾投放点开放时间调整"

# what the focused element is, and whether its focus is drawn (an outline or a box shadow)
FOCUS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const name = e.getAttribute("aria-label") || label || e.innerText || "";
  return {
    tag: e.tagName.toLowerCase(), type: e.type || "", value: e.value || "",
    href: e.getAttribute("href") || "", name: name.trim().replace(/\\s+/g, " ").slice(0, 60),
    drawn: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none",
    focus: [e.matches(":focus"), e.matches(":focus-visible"), s.outlineStyle, s.boxShadow].join(" "),
  };
}"""


class Keyboard:
    """Presses keys on one page and keeps the walk: every element the focus landed on."""

    def __init__(self, page):
        self.page = page
        self.walk: list[str] = []

    def focus(self) -> dict:
        return self.page.evaluate(FOCUS)

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        now = self.focus()
        if now["tag"] != "body" and not now["drawn"]:
            shoot(self.page, "keyboard-focus-not-drawn")
        if now["tag"] != "body":
            assert now["drawn"], f"after {key} the focus on {now} is not visible ({self.page.url})"
        self.walk.append(f"{key} → {now['tag']} {now['name']!r}")
        return now

    def tab_to(self, matches, back: bool = False, limit: int = 200) -> dict:
        """Tab (or Shift+Tab) until the focused element matches; fail if it never does."""
        for _ in range(limit):
            now = self.press("Shift+Tab" if back else "Tab")
            if matches(now):
                return now
        raise AssertionError(f"Tab never reached the element on {self.page.url}; last: {self.walk[-5:]}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.walk.append(f"type {text!r}")


def arrive(page, address) -> None:
    """Wait for the boosted page to be in place: htmx swaps the body, then settles its attributes."""
    page.wait_for_url(address)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def named(name: str):
    """The focused element's name is this (a required field's label ends in an asterisk)."""
    return lambda focus: focus["name"].removesuffix(" *") == name


def test_a_new_resident_registers_votes_and_signs_up_by_keyboard_alone(server, page):
    base, _ = server
    username = "kb_" + secrets.token_hex(3)
    password = "键盘走一遍-" + secrets.token_hex(4)
    keys = Keyboard(page)
    page.goto(base + "/")

    # the skip link comes first and takes the focus to the content
    first = keys.press("Tab")
    assert first["href"] == "#main", first
    keys.tab_to(named("注册"))
    keys.press("Enter")
    arrive(page, re.compile(r"/accounts/register$"))

    # register: every field reached with Tab, typed into; the group chosen with the arrow keys
    keys.tab_to(named("用户名"))
    keys.type(username)
    keys.press("Tab")
    keys.type("键盘居民")
    keys.press("Tab")
    keys.type(password)
    keys.press("Tab")
    keys.type(password)
    radio = keys.press("Tab")
    assert radio["type"] == "radio", radio
    for _ in range(4):
        if radio["value"] == "resident":
            break
        radio = keys.press("ArrowDown")
    assert radio["value"] == "resident", radio
    keys.press("Space")
    keys.tab_to(named("注册"))
    keys.press("Enter")
    arrive(page, re.compile(r"/accounts/me$"))
    expect(page.get_by_text("欢迎！您的账号已创建。")).to_be_visible()

    # to the home page by its brand link, then the merge that waits for her vote
    keys.tab_to(lambda f: f["href"] == "/", back=True)
    keys.press("Enter")
    arrive(page, base + "/")
    # (the consultations' area above links the same title to the consultation itself)
    keys.tab_to(lambda f: f["name"] == MERGE_TITLE and f["href"].endswith("/merge/vote"))
    keys.press("Enter")
    arrive(page, re.compile(r"/merge/vote$"))
    card = page.locator("#vote_card")
    expect(card).to_contain_text("已表态 0 /")
    statement = card.locator(".statement-card").inner_text()
    keys.tab_to(named("同意"))
    shoot(page, "keyboard-vote-focus-desktop")
    keys.press("Enter")
    expect(card).to_contain_text("已表态 1 /")
    # the next card came in place, and the focus with it: the next vote is one key away
    after = keys.focus()
    assert after["name"] == "同意", after
    keys.press("Shift+Tab")
    keys.press("Tab")

    # the vote is hers: read back from her list of votes, on the page loaded again
    page.reload()
    keys.tab_to(lambda f: f["tag"] == "summary")
    keys.press("Enter")
    votes = page.locator("#my-votes")
    expect(votes).to_contain_text(statement)
    expect(votes.locator("li", has_text=statement).locator(".tag")).to_have_text("同意")

    # the home page's open shifts (the brand link takes her there), one with free places, sign up
    keys.tab_to(lambda f: f["href"] == "/", back=True)
    keys.press("Enter")
    arrive(page, base + "/")
    first_open = page.locator("#volunteers ul").last.locator("a").first
    shift_name, shift_href = first_open.inner_text().strip(), first_open.get_attribute("href")
    keys.tab_to(lambda f: f["href"] == shift_href)
    keys.press("Enter")
    arrive(page, re.compile(r"/volunteers/shifts/\d+$"))
    keys.tab_to(named("报名"))
    shoot(page, "keyboard-signup-focus-desktop")
    keys.press("Enter")
    panel = page.locator("#signup_panel")
    expect(panel).to_contain_text("您已报名")
    page.goto(base + "/volunteers/me")  # read back, not part of the walk
    expect(page.locator("main")).to_contain_text(shift_name)
    print("\nkeyboard walk:", len(keys.walk), "steps")
    for step in keys.walk:
        print(" ", step)
