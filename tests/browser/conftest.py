"""A real `gongzhi serve` on a committed demo database, and Debian's chromium driven by Playwright.

Without chromium the browser tests are skipped, except when GONGZHI_REQUIRE_BROWSER=1 (CI), where a
missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
BIN = Path(sys.executable).parent


def _require_or_skip(reason: str) -> None:
    if os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(var: Path) -> dict[str, str]:
    """The environment of a `gongzhi` command on ``var``'s own SQLite database, argon2 at its cheapest."""
    env = os.environ | {
        "GONGZHI_VAR_DIR": str(var),
        "GONGZHI_ARGON2_TIME_COST": "1",
        "GONGZHI_ARGON2_MEMORY_KIB": "1024",
        "GONGZHI_ARGON2_PARALLELISM": "1",
        "GONGZHI_LOG_LEVEL": "WARNING",
    }
    env.pop("GONGZHI_DATABASE_URL", None)
    return env


@contextmanager
def serving(var: Path) -> Iterator[str]:
    """`gongzhi serve` on ``var`` on a free port; yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [BIN / "gongzhi", "serve", "--port", str(port)],
        env=server_env(var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # a loaded two-core machine can take a minute to start workers
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    else:
        process.terminate()
        raise RuntimeError(f"gongzhi serve did not answer on {base}")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Serve a demo database of its own; yield (base URL, demo password)."""
    var = tmp_path_factory.mktemp("browser-var")
    demo = subprocess.run(
        [BIN / "gongzhi", "demo"], env=server_env(var), capture_output=True, text=True, check=True
    )
    password = demo.stdout.split("password: ")[1].split()[0]
    _allow_many_logins(var)
    with serving(var) as base:
        yield base, password


def _allow_many_logins(var: Path) -> None:
    """Every browser test logs in from 127.0.0.1, and a whole run passes the per-address limit (30 in
    five minutes) that refuses the rest with 429: lift it on this server's database, as
    tests/concurrency/test_http_signups.py does for its crowd."""
    from types import SimpleNamespace

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from core import site_settings
    from web import wiring

    wiring.setup()
    engine = create_engine(f"sqlite:///{var / 'gongzhi.sqlite3'}")
    try:
        with Session(engine) as session:
            actor = SimpleNamespace(id=None, username="browser-tests")
            site_settings.change(session, actor, "rate.login_per_ip", "100000/60")
            session.commit()
    finally:
        engine.dispose()


# a shared two-core machine under load can take longer than Playwright's 30 s to load a page
TIMEOUT_MS = 90_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _require_or_skip(f"no chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require_or_skip("playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def new_context(browser, **options):
    """A browser context in Chinese that waits as long as a loaded machine needs; every test opens
    its contexts here so none falls back to Playwright's 30 s."""
    context = browser.new_context(**({"locale": "zh-CN"} | options))
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = new_context(
        browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str) -> None:
    """Keep a full-page screenshot for people to look at (tests/browser/screenshots/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
