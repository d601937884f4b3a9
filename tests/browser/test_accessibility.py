"""axe-core on every main page, as the person who would see it, at desktop and phone width: no serious or
critical WCAG 2.1 A/AA violation; each page in Chinese, titled on its own, with one <h1> and a skip link.

The moderate and minor findings are printed as a summary (pytest -s shows them), not failed on."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import new_context
from tests.browser.test_forums import log_in

pytestmark = pytest.mark.browser

WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# WCAG 2.1 A and AA, and axe's best practices (a label only in a title, an empty table header): a
# serious or critical finding of either fails; "incomplete" is what axe could not decide (text over an
# SVG chart), counted in the summary for a person to look at
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations", "incomplete"],
}
FAILING = {"serious", "critical"}
LANG = "zh-CN"


@dataclass(frozen=True)
class Main:
    """A main page: who looks at it, where it starts, and the steps from there to reach it, so ids
    never have to be guessed: a Playwright selector follows the first link it matches, and a step
    starting with / or ? is added to the address reached (a view or a sub-page of it)."""

    name: str
    who: str | None
    path: str
    steps: tuple[str, ...] = ()


MERGE = ("role=link[name='垃圾投放点开放时间调整']", "role=link[name='四意合一']")
STALL = ("role=link[name='人民路早点摊能不能划定固定摊位？']",)
# Every main page of the platform and the demo person it is checked as (None: a visitor).
PAGES = [
    Main("home", None, "/"),
    Main("home, signed in", "wang_ayi", "/"),
    Main("log in", None, "/accounts/login"),
    Main("register", None, "/accounts/register"),
    Main("forums index", None, "/forums/"),
    Main("a board", None, "/forums/boards/tandian"),
    Main("a thread", "xiao_zhang", "/forums/boards/tandian", STALL),
    Main("a thread's arguments", None, "/forums/boards/tandian", (*STALL, "?view=arguments")),
    Main("new thread form", "wang_ayi", "/forums/boards/tandian/new"),
    Main("a person's posts", None, "/forums/people/wang_ayi"),
    Main("forum moderation queue", "admin", "/forums/moderation"),
    Main("consultation list", None, "/consultations/"),
    Main("a consultation", "wang_ayi", "/consultations/", MERGE[:1]),
    Main("the committee", None, "/consultations/committee"),
    Main("a merge's report", None, "/consultations/", MERGE),
    Main("a merge's voting card", "xiao_zhang", "/consultations/", (*MERGE, "/vote")),
    Main("a consultation, as the chair", "chen_weiyuan", "/consultations/", MERGE[:1]),
    Main("a merge's moderation", "chen_weiyuan", "/consultations/", (*MERGE, "/moderation")),
    Main("mediation", "wang_ayi", "/mediation/"),
    Main("mediation: the chair's list", "chen_weiyuan", "/mediation/cases"),
    Main("mediation: my cases", "wang_ayi", "/mediation/mine"),
    Main("mediation: a dispute, as a party", "wang_ayi", "/mediation/mine", (".case-list a.case-title",)),
    Main(
        "mediation: a dispute, as the chair", "chen_weiyuan", "/mediation/cases", (".case-list a.case-title",)
    ),
    Main("mediation: applying", "wang_ayi", "/mediation/apply"),
    Main("volunteers: shift list", None, "/volunteers/"),
    Main("volunteers: a shift", "wang_ayi", "/volunteers/", (".shift-list a >> nth=0",)),
    Main("volunteers: teams", None, "/volunteers/teams"),
    Main("volunteers: a team", None, "/volunteers/teams", ("role=link[name='柳岸社区志愿服务队']",)),
    Main("volunteers: my shifts", "wang_ayi", "/volunteers/me"),
    Main("volunteers: a certificate", "wang_ayi", "/volunteers/me", ("#certificates a >> nth=0",)),
    Main(
        "volunteers: a team, managed",
        "liu_duizhang",
        "/volunteers/teams",
        ("role=link[name='柳岸社区志愿服务队']", "/manage"),
    ),
    Main(
        "volunteers: a shift's check-in roster",
        "liu_duizhang",
        "/volunteers/teams",
        ("role=link[name='柳岸社区志愿服务队']", "/manage", "a[href$='/check-in'] >> nth=0"),
    ),
    Main(
        "volunteers: a new shift",
        "liu_duizhang",
        "/volunteers/teams",
        ("role=link[name='柳岸社区志愿服务队']", "/shifts/new"),
    ),
    Main("grid cells", None, "/grid/"),
    Main("a grid cell", "leader01", "/grid/", (".cell-grid a >> nth=0",)),
    Main("grid cases", None, "/grid/cases/"),
    Main("reporting a case", "wang_ayi", "/grid/cases/new"),
    Main("the grid staff's case queue", "leader01", "/grid/cases/queue"),
    Main("a case, as grid staff", "leader01", "/grid/cases/queue", (".case-row a >> nth=0",)),
    Main("grid assessment", None, "/grid/assessments/"),
    Main(
        "grid assessment: committee scores",
        "chen_weiyuan",
        "/grid/assessments/",
        ("a[href$='/scores'] >> nth=0",),
    ),
    Main("search results", None, "/search?q=停车"),
    Main("我的参与", "wang_ayi", "/accounts/me/participation"),
    Main("profile", "wang_ayi", "/accounts/me"),
    Main("password", "wang_ayi", "/accounts/password"),
    Main("notifications", "xiao_zhang", "/accounts/notifications"),
    Main("notification settings", "xiao_zhang", "/accounts/notifications/settings"),
    Main("admin", "admin", "/admin/"),
    Main("admin: users", "admin", "/admin/users"),
    Main("admin: a user", "admin", "/admin/users", ("role=link[name='wang_ayi']",)),
    Main("admin: settings", "admin", "/admin/settings"),
    Main("admin: audit log", "admin", "/admin/audit"),
    Main("admin: jobs", "admin", "/admin/jobs"),
    Main("admin: grid", "admin", "/admin/grid"),
    Main("admin: a cell's roster", "admin", "/admin/grid", (".table-wrap a >> nth=0",)),
    Main("admin: case taxonomy", "admin", "/admin/grid/taxonomy"),
    Main("admin: departments", "admin", "/admin/grid/departments"),
    Main("admin: forum boards", "admin", "/admin/forums"),
    Main("admin: volunteer teams", "admin", "/admin/volunteers"),
    Main("admin: Open311 keys", "admin", "/admin/open311"),
    Main("not found", None, "/no-such-page"),
]


def reach(page, base: str, main: Main) -> str:
    page.goto(base + main.path)
    for step in main.steps:
        if step[0] in "/?":
            page.goto(page.url.split("?")[0] + step)
            continue
        href = page.locator(step).first.get_attribute("href", timeout=15_000)
        assert href, f"{main.name}: no link {step} on {page.url}"
        page.goto(base + href if href.startswith("/") else href)
    return page.url


def structure_problems(page) -> list[str]:
    """The page-level promises axe does not make: the language, one <h1>, a working skip link."""
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != LANG:
        problems.append(f"lang is {lang!r}")
    twice = page.evaluate(
        "() => { const seen = new Set(), twice = new Set();"
        " for (const e of document.querySelectorAll('[id]')) (seen.has(e.id) ? twice : seen).add(e.id);"
        " return [...twice]; }"
    )
    if twice:
        problems.append(f"ids used twice: {twice}")
    h1 = page.locator("h1").count()
    if h1 != 1:
        problems.append(f"{h1} <h1>")
    if page.locator("nav").count():
        skip = page.locator("a.skip-link")
        target = (skip.first.get_attribute("href") or "") if skip.count() else ""
        if not target.startswith("#") or not page.locator(target).count():
            problems.append("a nav without a skip link to the content")
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_main_page_has_no_serious_axe_violation(server, browser, width):
    base, password = server
    axe = Axe()
    contexts: dict[str | None, object] = {}
    failures: list[str] = []
    lesser: Counter[tuple[str, str]] = Counter()
    review: Counter[tuple[str, str]] = Counter()
    titles: dict[str, set[str]] = defaultdict(set)
    try:
        for main in PAGES:
            if main.who not in contexts:
                context = new_context(browser, **WIDTHS[width])
                contexts[main.who] = context
                if main.who:
                    login = context.new_page()
                    log_in(login, base, main.who, password)
                    login.close()
            page = contexts[main.who].new_page()
            try:
                url = reach(page, base, main)
                titles[page.title()].add(urlsplit(url).path)
                failures += [f"{main.name} ({url}): {problem}" for problem in structure_problems(page)]
                results = axe.run(page, options=AXE_OPTIONS).response
                for finding in results["incomplete"]:
                    review[(finding["impact"], finding["id"])] += len(finding["nodes"])
                for violation in results["violations"]:
                    if violation["impact"] in FAILING:
                        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                        failures.append(
                            f"{main.name} ({url}): {violation['impact']} {violation['id']} "
                            f"×{len(violation['nodes'])}: {targets}"
                        )
                    else:
                        lesser[(violation["impact"], violation["id"])] += len(violation["nodes"])
            finally:
                page.close()
    finally:
        for context in contexts.values():
            context.close()
    shared = {title: paths for title, paths in titles.items() if len(paths) > 1}
    failures += [
        f"{len(paths)} pages share the title {title!r}: {sorted(paths)}" for title, paths in shared.items()
    ]
    print(f"\naxe at {width} width: {len(PAGES)} pages; moderate/minor findings (nodes):")
    for (impact, rule), count in sorted(lesser.items()):
        print(f"  {impact:8} {rule}: {count}")
    print("axe could not decide (to look at by hand; nodes):")
    for (impact, rule), count in sorted(review.items()):
        print(f"  {impact:8} {rule}: {count}")
    assert not failures, "\n".join(failures)


def test_the_page_table_names_every_page_once():
    names = [main.name for main in PAGES]
    assert len(names) == len(set(names))
    assert all(re.match(r"^/", main.path) for main in PAGES)
