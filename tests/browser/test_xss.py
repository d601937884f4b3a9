"""The XSS corpus (tests/data/xss/payloads.txt) through every text field, then every page that shows
them in the real browser: no script runs, no payload becomes markup, a template expression stays text,
and every page carries the Content-Security-Policy.

The database is the authorization matrix's world committed to a file, with the corpus posted through
every form in-process (``tests/browser/xss_world.py``); a few payloads are typed through the forms in
the browser too. A trap installed before any page script counts ``window.__xss.push(n)`` and every
``alert``/``confirm``/``prompt``; dialogs are listened for as well.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.browser import xss_world
from tests.browser.conftest import new_context, serving
from tests.factories import PASSWORD
from tests.web.test_authz_matrix import GETS, ROLES

pytestmark = pytest.mark.browser

TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); return null; };
}
"""
# markup a payload would have become: a handler or htmx attribute carrying its code, a script URL,
# a script element holding its code (attribute values from escaped text, like value="…", are fine)
INJECTED = """() => {
  const found = [];
  const urls = ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "background"];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value;
      const code = value.includes("__xss") || /alert\\(|confirm\\(/.test(value);
      const scheme = /^[\\s\\u0000-\\u001f]*(javascript|data|vbscript):/i.test(value);
      const handler = name.startsWith("on") || name.startsWith("hx-") || name.startsWith("data-hx");
      if (handler && code) found.push(name);
      else if (handler && /logout/.test(value)) found.push(name + "=" + value);  // the corpus's htmx requests
      else if (urls.includes(name) && (scheme || (name === "srcdoc" && code))) found.push(name + "=" + value);
      else if (name === "content" && code) found.push("meta " + value);
    }
    if (el.tagName === "SCRIPT" && el.textContent.includes("__xss")) found.push("script");
    if (["IFRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName)) found.push(el.tagName);
  }
  return found;
}"""
DOWNLOADS = re.compile(r"\.(xlsx|csv|ics|json|xml)(\?|$)|^/files/|/calendar/")
PER_KIND = 8  # detail pages of the objects the forms made, per kind (a title per object: up to 72)


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("xss-var")
    seeded = xss_world.build(var)
    with serving(var) as base:
        yield base, seeded


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login")
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/me$"))


def pages_to_visit(seeded: xss_world.Seeded) -> dict[str, list[str]]:
    """role -> paths: every page of the matrix, by the first role it is shown to (admin first), and a
    few detail pages of each kind of object the seeding forms made."""
    order = ["admin", *[role for role in ROLES if role != "admin"]]
    visits: dict[str, list[str]] = {}
    for row in GETS:
        role = next((role for role in order if row.expect(role) == 200), None)
        path = seeded.world.fill(row.path, role or "visitor")
        if role and not DOWNLOADS.search(path):
            visits.setdefault(role, []).append(path)
    kinds: Counter[str] = Counter()
    for path in sorted(seeded.pages, key=lambda p: (len(p), p)):
        kind = re.sub(r"\d+", "N", path)
        kinds[kind] += 1
        if kinds[kind] <= PER_KIND and path not in visits["admin"]:
            visits["admin"].append(path)
    return visits


class Watch:
    """What one page did: script that ran, dialogs, injected markup, the CSP, the payloads it showed."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.shown: Counter[str] = Counter()
        self.pages = 0

    def visit(self, page, base: str, path: str) -> None:
        response = page.goto(base + path)
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"
        assert "content-security-policy" in response.headers, f"{path} has no CSP"
        page.wait_for_load_state("load")
        self.check(page, path)

    def check(self, page, where: str) -> None:
        page.wait_for_timeout(150)  # htmx's load triggers and deferred handlers get their turn
        trapped = page.evaluate("window.__xss")
        injected = page.evaluate(INJECTED)
        text = page.inner_text("body")
        self.ran += [f"{where}: {entry}" for entry in (trapped or [])]
        self.ran += [f"{where}: injected {entry}" for entry in injected]
        self.ran += [f"{where}: evaluated {hit}" for hit in re.findall(r"(?<![\d(])49xss\d+", text)]
        self.shown[where] = len(set(re.findall(r"xss(\d+)", text)))
        self.pages += 1


def open_page(browser, dialogs: list[str]):  # type: ignore[no-untyped-def]
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.add_init_script(TRAP)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return context, page


def test_no_payload_runs_on_any_page(xss_server, browser):
    base, seeded = xss_server
    dialogs: list[str] = []
    watch = Watch()
    for role, paths in pages_to_visit(seeded).items():
        context, page = open_page(browser, dialogs)
        try:
            if role != "visitor":
                log_in(page, base, role)
            for path in paths:
                watch.visit(page, base, path)
        finally:
            context.close()
    fields = {key for key, n in seeded.reached.items() if n}
    print(
        f"\nXSS: {len(seeded.payloads)} payloads; {sum(seeded.reached.values())} stored in {len(fields)} "
        f"form fields ({sum(seeded.refused.values())} refused by the forms); {watch.pages} pages, "
        f"{sum(watch.shown.values())} payload sightings, {sum(1 for n in watch.shown.values() if n)} pages "
        f"showing payloads"
    )
    assert watch.ran == [] and dialogs == []
    assert sum(1 for n in watch.shown.values() if n) >= 40  # the pages did show the payloads, as text


def test_payloads_typed_into_the_forms_stay_text(xss_server, browser):
    """The form path in the browser: a reply, a new thread and a problem report typed by a resident."""
    base, seeded = xss_server
    dialogs: list[str] = []
    watch = Watch()
    typed = [p for p in seeded.payloads if "onerror" in p or "javascript:" in p or "hx-" in p][:6]
    context, page = open_page(browser, dialogs)
    try:
        log_in(page, base, "wang_ayi")
        thread = seeded.world.fill("/forums/threads/{thread}", "wang_ayi")
        for payload in typed:
            page.goto(base + thread)
            page.get_by_role("textbox", name=re.compile("^回复")).fill(payload)
            page.get_by_role("button", name="发表回复").click()
            marker = re.search(r"xss\d+", payload).group(0)
            expect(page.get_by_text(marker, exact=False).last).to_be_visible()
            watch.check(page, f"reply {marker}")
        page.goto(base + seeded.world.fill("/forums/boards/{board}/new", "wang_ayi"))
        page.locator("#f-title").fill(typed[0][:60])
        page.locator("#f-body").fill("\n\n".join(typed))
        page.get_by_role("button", name="发表话题").click()
        page.wait_for_url(re.compile(r"/forums/threads/\d+"))
        watch.check(page, "new thread")
    finally:
        context.close()
    assert watch.ran == [] and dialogs == []
    assert all(watch.shown.values())


def test_the_watch_sees_a_payload_that_was_not_escaped(browser):
    """The checks can fail: the same trap and markup scan on a page that pastes payloads in raw."""
    dialogs: list[str] = []
    watch = Watch()
    context, page = open_page(browser, dialogs)
    try:
        page.set_content(
            "<p>{{7*7}}</p><p>49xss61</p><img src=x onerror=__xss.push(9)>"
            "<a href='javascript:__xss.push(20)'>xss20</a><div hx-post='/accounts/logout'>x</div>"
            "<script>alert(8)</script>"
        )
        page.wait_for_load_state("load")
        watch.check(page, "raw")
    finally:
        context.close()
    assert {"raw: 9", "raw: alert:8", "raw: evaluated 49xss61"} <= set(watch.ran)
    for injected in ("javascript:", "onerror", "hx-post=/accounts/logout"):
        assert any(injected in entry for entry in watch.ran), injected
