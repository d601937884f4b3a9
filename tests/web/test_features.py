"""Completeness of the features list: every piece a feature needs is declared, or a test names it.

Each test here fails when a feature forgets one of its declarations in ``web/routes/<feature>.py``.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from accounts import notifications
from core.db import Base
from web import features
from web.i18n import LOCALE_DIR
from web.routing import options_of

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "accounts", "grid", "volunteers", "deliberation", "search", "web")


def every_module() -> list[str]:
    """Every module of our packages, as an import path (what a process *could* import)."""
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f"{package}.")]
    return names


@pytest.fixture(scope="module")
def everything_imported() -> None:
    for name in every_module():
        importlib.import_module(name)


def fresh_process(code: str) -> object:
    """What a new process knows after only what ``gongzhi worker`` and ``serve`` do at start."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_every_job_kind_has_a_handler_in_a_fresh_worker():
    fresh = fresh_process(
        "import json; from web import wiring; wiring.setup(); from core import jobs; "
        "print(json.dumps(sorted(jobs.HANDLERS)))"
    )
    # in a process of its own too: the test modules register handlers of their own
    everything = fresh_process(
        "import json, importlib; from tests.web.test_features import every_module; "
        "[importlib.import_module(m) for m in every_module()]; from core import jobs, schedules; "
        "from accounts import notifications; "
        "print(json.dumps(sorted({*jobs.HANDLERS, *(s.kind for s in schedules.SCHEDULES.values()), "
        "notifications.DELIVER_JOB})))"
    )
    wanted = set(everything) | enqueued_kinds_in_source()
    assert wanted - set(fresh) == set(), "declare the module that registers these in its Feature.registers"


def enqueued_kinds_in_source() -> set[str]:
    """String job kinds passed to ``enqueue(session, "kind", ...)`` anywhere in our packages."""
    kinds = set()
    for call in calls_named("enqueue"):
        if len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
            kinds.add(call.args[1].value)
    return kinds


def calls_named(name: str) -> list[ast.Call]:
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call):
                    func = node.func
                    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                    if called == name:
                        found.append(node)
    return found


REGISTERING_CALLS = {"handler", "every", "define_kind", "register_owner", "subscribe", "define"}
REGISTERING_CALLS |= {"int_setting", "rule_setting"}


def test_every_module_that_registers_something_is_declared():
    """A module that registers at import time (a job handler, a schedule, a notification kind, a file
    owner, a subscriber, a site setting) must be imported by every process: it is declared."""
    declared = set(features.model_modules()) | set(features.registering_modules())
    registering = set()
    for name in every_module():
        module = importlib.import_module(name)
        if module.__file__ and top_level_calls(Path(module.__file__)) & REGISTERING_CALLS:
            registering.add(name)
    assert registering, "the scan found nothing: is it looking in the right place?"
    assert registering - declared == set(), "add these modules to their Feature.registers"


def top_level_calls(path: Path) -> set[str]:
    """Names called at a module's top level, decorators included (not inside function bodies)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        scoped = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for part in node.decorator_list if scoped else [node]:  # type: ignore[union-attr]
            for call in ast.walk(part):
                if isinstance(call, ast.Call):
                    func = call.func
                    names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_every_module_with_tables_is_declared(everything_imported):
    with_tables = {mapper.class_.__module__ for mapper in Base.registry.mappers}
    assert with_tables - set(features.model_modules()) == set(), "add these modules to a Feature.models"


def test_every_table_is_seen_by_the_migrations(everything_imported):
    fresh = fresh_process(
        "import json; from migrations import runner; "
        "print(json.dumps(sorted(runner.target_metadata().tables)))"
    )
    assert set(Base.metadata.tables) - set(fresh) == set(), "add the module to its Feature.models"


def test_every_audit_action_has_a_label_in_both_languages():
    written = {
        call.args[2].value
        for call in calls_named("record")
        if len(call.args) > 2 and isinstance(call.args[2], ast.Constant)
    }
    assert written, "the scan found no audit.record calls: is it looking in the right place?"
    labels = features.audit_labels()
    assert written - set(labels) == set(), "add these actions to their Feature.audit_labels"
    chinese, english = catalog("zh_CN"), catalog("en")
    for action, label in labels.items():
        assert label in english, f"{action}: {label!r} is not in the English catalog (make messages)"
        assert chinese.get(label) is not None and chinese[label].string, f"{action}: no Chinese for {label!r}"


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_every_notification_target_has_a_link(everything_imported):
    links = features.make_links()
    targets = {kind.target for kind in notifications.KINDS.values()}
    assert targets - set(links.declared) == set(), "add these target kinds to a Feature.links"
    for target in targets:
        assert links.path(target, "349901001001001").startswith("/")


def test_every_admin_route_checks_for_an_admin():
    missing = [
        route.path
        for route in features.routes()
        if route.path.startswith("/admin") and not (options_of(route) and options_of(route).admin)
    ]
    assert missing == [], "declare these routes with admin=True"


def test_route_names_are_unique():
    names = [route.name for route in features.routes()]
    assert len(names) == len(set(names))


def test_menu_nav_and_links_name_real_routes():
    urls = features.make_urls()
    named = [entry.route for entry in features.admin_menu()] + [item.route for item in features.nav()]
    named += [link.route for link in features.links().values()]
    assert [name for name in named if name not in urls] == []


INTERNAL_PATH = re.compile(r'(?:href|action|hx-get|hx-post|hx-put|hx-delete|src)="/(?!static/)')


def test_templates_build_paths_from_route_names():
    hard_coded = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INTERNAL_PATH.search(line)
    ]
    assert hard_coded == [], "use url('route.name', ...) instead of a literal path"


def test_every_feature_model_and_registering_module_imports():
    for module in (*features.model_modules(), *features.registering_modules()):
        importlib.import_module(module)
