"""The realistic mix that bench/load.py and bench/soak.py send (not a bench: CI skips files starting with _).

People, not a URL hammer: each client is a distinct resident, logged in once through the real login
form from an address of its own (the bench is the reverse proxy, 127.0.0.1, whose X-Forwarded-For the
app believes by default), who reads boards and threads, looks at the home page, searches, votes in the
四意合一 merge, replies in a forum, signs up for a volunteer shift and cancels it later; beside them an
Open311 GeoReport v2 app (one API key from ``gongzhi apikey``) files and reads service requests.

Writes keep a person's pace: each person writes at most as often as the product's own limit allows
on average (a reply every 20 s at ``rate.forum_post_per_user`` 30/600, a sign-up or a cancel every
120 s at 30/3600 …), the app's key files at most once per its limit's share; a write whose person is
not due yet is done by another resident whose turn has come, and when none has, the client reads a
thread instead and the bench counts it as held back. No per-person limit is lifted; the one lifted is
``rate.login_per_ip`` (the set-up logs hundreds of people in within seconds), as the browser tests do.

The client is one asyncio loop in the bench's process (keep-alive HTTP/1.1 connections, one per
client), separate from the server's processes but on the same two cores.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import re
import subprocess
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from _server import BIN

# Each draw is one person's action; the weights are per 1,000 draws. Reading is most of it.
WEIGHTS: dict[str, int] = {
    "thread": 260,  # GET /forums/threads/{id}
    "board": 190,  # GET /forums/boards/{slug}
    "forums": 40,  # GET /forums/
    "home": 100,  # GET / signed in
    "search": 80,  # GET /search?q=…
    "shifts": 40,  # GET /volunteers/
    "vote": 110,  # GET the merge's next card, POST 同意/不同意/跳过
    "statement": 5,  # POST a merge statement (new cards for everyone)
    "reply": 30,  # POST a forum reply
    "shift": 30,  # POST a sign-up, or cancel the one she holds (and GET the shift page between)
    "open311 list": 70,  # GET /open311/v2/requests.json
    "open311 read": 40,  # GET /open311/v2/requests/{id}.json
    "open311 file": 5,  # POST /open311/v2/requests.json with the app's key
}

# The answers a request type may give besides 2xx/3xx: the product refusing for a reason a person
# meets in real life (a rule of the shift, the card voted meanwhile). Anything else is an error.
EXPECTED: dict[str, set[int]] = {
    "POST shift sign-up": {422},
    "POST shift cancel": {409, 422},
    "POST merge vote": {422},
}

# the product limits whose average rate a person (or the Open311 app's key) keeps
PACED = {
    "vote": "rate.merge_vote_per_user",
    "statement": "rate.merge_statement_per_user",
    "reply": "rate.forum_post_per_user",
    "shift": "rate.volunteer_signup_per_user",
    "open311 file": "rate.open311_post_per_key",
}

PASSWORD = "bench load password"
SEARCHES = ["垃圾", "停车", "河道清扫", "lajifenlei", "ljfl", "路灯", "志愿", "早点摊位", "助老", "噪音"]
REPLIES = [
    "同意楼上的说法，早上七点前最好能开放。",
    "我们小区也有同样的问题，希望街道能统一安排。",
    "补充一点：周末人多，时间可以再灵活一些。",
    "想问一下，这个方案什么时候开始试行？",
    "反对一刀切，老人买菜的时间要考虑进去。",
]
STANCES = ["", "support", "oppose", "addition", "question"]
STATEMENTS = [
    "投放点旁边应该装一个洗手池",
    "晚上八点以后也应开放半小时",
    "请志愿者在高峰时段现场指导分类",
    "投放点要有遮雨棚",
    "错时投放的住户可以预约上门收运",
]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CARD = re.compile(r"/consultations/\d+/merge/statements/(\d+)/vote")
CANCEL = re.compile(r"/volunteers/signups/(\d+)/cancel")


# --- a keep-alive HTTP/1.1 connection ------------------------------------------------------------


class Connection:
    """One client's keep-alive connection; ``send`` returns (status, headers, body)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, list[str]], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            fresh = self.writer is None
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            self.writer.write(request)
            status_line = await self.reader.readline()
            if not status_line:  # the server closed an idle keep-alive connection: open another once
                self.close()
                if fresh or attempt == 2:
                    raise ConnectionError("the server closed the connection without answering")
                continue
            status = int(status_line.split()[1])
            found: dict[str, list[str]] = {}
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                found.setdefault(name.strip().lower(), []).append(value.strip())
            if "chunked" in found.get("transfer-encoding", [""])[0]:
                chunks = []
                while size := int((await self.reader.readline()).split(b";")[0], 16):
                    chunks.append(await self.reader.readexactly(size))
                    await self.reader.readline()
                await self.reader.readline()
                content = b"".join(chunks)
            else:
                content = await self.reader.readexactly(int(found.get("content-length", ["0"])[0]))
            if found.get("connection", [""])[0].lower() == "close":
                self.close()
            return status, found, content
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --- people --------------------------------------------------------------------------------------


@dataclass
class Person:
    """A resident's browser: her cookies, the CSRF token of her pages, her address, her sign-up."""

    username: str
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""
    signup: int | None = None  # the sign-up she holds, to cancel next time

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        found = {"X-Forwarded-For": self.address, **(extra or {})}
        if self.cookies:
            found["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return found

    def keep(self, headers: dict[str, list[str]], body: bytes) -> None:
        for value in headers.get("set-cookie", []):
            key, _, rest = value.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        if found := CSRF.search(body.decode(errors="replace")):
            self.token = found.group(1)


def form(person: Person, fields: dict[str, str]) -> tuple[dict[str, str], bytes]:
    body = urllib.parse.urlencode({"csrf_token": person.token, **fields}).encode()
    return person.headers({"Content-Type": "application/x-www-form-urlencoded"}), body


async def log_in(port: int, person: Person) -> None:
    """Through the real form: the form's page, the POST, then a light page for the signed-in token."""
    conn = Connection(port)
    try:
        person.keep(*(await conn.send("GET", "/accounts/login", person.headers()))[1:])
        while True:
            headers, body = form(person, {"username": person.username, "password": PASSWORD})
            status, got, content = await conn.send("POST", "/accounts/login", headers, body)
            person.keep(got, content)
            if status != 503:  # a full hashing gate answers 503 at once: a person presses again
                break
            await asyncio.sleep(0.05)
        if "gz_login" not in person.cookies:
            raise RuntimeError(f"{person.username} could not log in: {status} {content[:200]!r}")
        person.keep(*(await conn.send("GET", "/volunteers/teams", person.headers()))[1:])
    finally:
        conn.close()


async def services(port: int) -> list[str]:
    """The service codes the Open311 app files under, as it would learn them (``services.json``)."""
    import json

    conn = Connection(port)
    try:
        status, _, body = await conn.send("GET", "/open311/v2/services.json", {})
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"services.json answered {status}")
    return [s["service_code"] for s in json.loads(body)][:30]


async def log_in_all(port: int, people: list[Person], concurrency: int = 6) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(person: Person) -> None:
        async with gate:
            await log_in(port, person)

    await asyncio.gather(*(one(p) for p in people))


# --- the site's data the mix needs ---------------------------------------------------------------


@dataclass
class Site:
    """Ids found in the database at set-up, the people, the app's key and the writes' paces."""

    boards: list[str]
    threads: list[int]
    consultation: int
    shifts: list[int]
    services: list[str]
    cases: list[int]
    api_key: str
    people: list[Person]
    paces: dict[str, float]  # seconds between one person's (or the key's) writes of a kind
    filed: int = 0


def prepare(env: dict[str, str], residents: int) -> None:
    """Add ``residents`` bench residents (the four groups in turn) through the services and lift the
    per-address login limit on this database only."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from accounts.models import StakeholderGroup, User
    from accounts.passwords import Hasher
    from core import site_settings
    from core.db import Sessions, make_engine, run_write
    from core.settings import Settings
    from grid.residents import register_resident
    from web import wiring

    wiring.setup()
    settings = Settings.from_env(env)
    engine = make_engine(settings)
    password_hash = Hasher.from_settings(settings).hash(PASSWORD)  # one hash for everyone: set-up only
    groups = list(StakeholderGroup)

    def load(session):  # type: ignore[no-untyped-def]
        known = set(session.scalars(select(User.username).where(User.username.like("bench%"))))
        for n in range(residents):
            if f"bench{n:04d}" in known:  # a kept database from an earlier run
                continue
            register_resident(
                session, username=f"bench{n:04d}", password_hash=password_hash, group=groups[n % 4]
            )
        actor = SimpleNamespace(id=None, username="bench-load")
        site_settings.change(session, actor, "rate.login_per_ip", "100000/60")

    try:
        run_write(Sessions(engine), load)
    finally:
        engine.dispose()


def find_site(env: dict[str, str], residents: int) -> Site:
    """The ids the mix uses, the Open311 app's key (``gongzhi apikey``) and the paces from the limits."""
    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    from core import clock, site_settings
    from core.db import make_engine
    from core.settings import Settings
    from deliberation.consultations.models import Consultation, State
    from volunteers.models import Shift, ShiftStatus

    key = subprocess.run(
        [BIN / "gongzhi", "apikey", "压测用市民 App"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    engine = make_engine(Settings.from_env(env))
    try:
        with Session(engine) as session:
            boards = list(session.scalars(text("SELECT slug FROM forum_boards ORDER BY id")))
            threads = list(session.scalars(text("SELECT id FROM forum_threads WHERE NOT is_locked")))
            consultation = session.scalars(
                select(Consultation.id).where(Consultation.state == State.collecting)
            ).first()
            later = clock.now() + timedelta(hours=6)  # not closing while the bench runs
            shifts = [
                s.id
                for s in session.scalars(
                    select(Shift).where(Shift.status == ShiftStatus.scheduled, Shift.signup_deadline > later)
                )
                if not s.required_skills and s.min_age is None and s.opens_hours_before is None
            ]
            cases = list(session.scalars(text("SELECT id FROM grid_cases WHERE NOT staff_only")))
            paces = {}
            for kind, name in PACED.items():
                rule = site_settings.get(session, name)
                paces[kind] = rule.window / rule.limit
    finally:
        engine.dispose()
    if consultation is None or not shifts or not threads:
        raise RuntimeError("the data has no consultation collecting views, open shift or thread")
    people = [Person(f"bench{n:04d}", f"10.{n // 250 % 250}.{n % 250}.9") for n in range(residents)]
    return Site(boards, threads, consultation, shifts, [], cases, key, people, paces)


# --- the figures -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """Per request type: latencies (s), answers, errors with their body's head, limits' refusals."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int | str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    held_back: Counter[str] = field(default_factory=Counter)  # writes no person was due to make
    notes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, name: str, started: float, status: int | str, body: bytes = b"") -> None:
        self.latencies.setdefault(name, []).append(time.perf_counter() - started)
        self.statuses.setdefault(name, Counter())[status] += 1
        if is_error(name, status) and len(self.errors) < 20:
            head = body[:300].decode(errors="replace").replace("\n", " ")
            self.errors.append(f"{name}: {status} {head}")

    def errors_of(self, name: str) -> int:
        return sum(n for s, n in self.statuses.get(name, Counter()).items() if is_error(name, s))

    def refused(self, name: str) -> int:
        return self.statuses.get(name, Counter())[429]


def is_error(name: str, status: int | str) -> bool:
    if isinstance(status, str):  # a connection error or a timeout
        return True
    return not (200 <= status < 400 or status in EXPECTED.get(name, set()) or status == 429)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


# --- the mix -------------------------------------------------------------------------------------


class Mix:
    """The people's actions over one served site; ``run`` sends them from ``clients`` clients."""

    def __init__(self, port: int, site: Site, seed: int = 26) -> None:
        self.port, self.site = port, site
        self.random = random.Random(seed)
        self.kinds, self.weights = list(WEIGHTS), list(WEIGHTS.values())
        # per write kind, a heap of (when she may next write, person's index): a real person's pace
        self.due: dict[str, list[tuple[float, int]]] = {
            kind: [(0.0, n) for n in range(len(site.people))] for kind in PACED if kind != "open311 file"
        }
        self.key_due = 0.0
        self.actions: dict[str, Callable[[Connection, Person, Figures], Awaitable[None]]] = {
            "thread": self.thread,
            "board": self.board,
            "forums": self.simple("GET /forums/", lambda: "/forums/"),
            "home": self.simple("GET / signed in", lambda: "/"),
            "search": self.simple(
                "GET /search", lambda: "/search?q=" + urllib.parse.quote(self.random.choice(SEARCHES))
            ),
            "shifts": self.simple("GET /volunteers/", lambda: "/volunteers/"),
            "vote": self.vote,
            "statement": self.statement,
            "reply": self.reply,
            "shift": self.shift,
            "open311 list": self.open311_list,
            "open311 read": self.open311_read,
            "open311 file": self.open311_file,
        }

    async def request(
        self, conn: Connection, figures: Figures, name: str, method: str, path: str, headers: dict[str, str],
        body: bytes = b"",
    ) -> tuple[int, dict[str, list[str]], bytes]:  # fmt: skip
        started = time.perf_counter()
        try:
            status, got, content = await asyncio.wait_for(conn.send(method, path, headers, body), 60)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            conn.close()
            figures.add(name, started, type(error).__name__, str(error).encode())
            return 0, {}, b""
        figures.add(name, started, status, content)
        return status, got, content

    def simple(
        self, name: str, path: Callable[[], str]
    ) -> Callable[[Connection, Person, Figures], Awaitable[None]]:
        async def action(conn: Connection, me: Person, figures: Figures) -> None:
            await self.request(conn, figures, name, "GET", path(), me.headers())

        return action

    async def thread(self, conn: Connection, me: Person, figures: Figures) -> None:
        thread = self.random.choice(self.site.threads)
        await self.request(conn, figures, "GET thread", "GET", f"/forums/threads/{thread}", me.headers())

    async def board(self, conn: Connection, me: Person, figures: Figures) -> None:
        slug = urllib.parse.quote(self.random.choice(self.site.boards))
        await self.request(conn, figures, "GET board", "GET", f"/forums/boards/{slug}", me.headers())

    def writer(self, kind: str, me: Person, figures: Figures) -> Person | None:
        """Who makes this write: a person whose turn at her pace has come (longest waiting first)."""
        due = self.due[kind]
        now = time.monotonic()
        if due[0][0] > now:
            figures.held_back[kind] += 1
            return None
        _, n = heapq.heappop(due)
        heapq.heappush(due, (now + self.site.paces[kind], n))
        return self.site.people[n]

    async def vote(self, conn: Connection, me: Person, figures: Figures) -> None:
        who = self.writer("vote", me, figures)
        if who is None:
            return await self.thread(conn, me, figures)
        base = f"/consultations/{self.site.consultation}/merge"
        _, _, page = await self.request(conn, figures, "GET merge card", "GET", f"{base}/vote", who.headers())
        if not (card := CARD.search(page.decode(errors="replace"))):
            figures.notes["no merge card left to vote on"] += 1
            return None
        headers, body = form(who, {"vote": self.random.choice(["agree", "disagree", "pass"])})
        path = f"{base}/statements/{card.group(1)}/vote"
        await self.request(conn, figures, "POST merge vote", "POST", path, headers, body)
        return None

    async def statement(self, conn: Connection, me: Person, figures: Figures) -> None:
        who = self.writer("statement", me, figures)
        if who is None:
            return await self.thread(conn, me, figures)
        words = f"{self.random.choice(STATEMENTS)}（{who.username}，第{self.random.randrange(10**6)}号）"
        headers, body = form(who, {"text": words})
        path = f"/consultations/{self.site.consultation}/merge/statements"
        await self.request(conn, figures, "POST merge statement", "POST", path, headers, body)
        return None

    async def reply(self, conn: Connection, me: Person, figures: Figures) -> None:
        who = self.writer("reply", me, figures)
        if who is None:
            return await self.thread(conn, me, figures)
        thread = self.random.choice(self.site.threads)
        fields = {"body": self.random.choice(REPLIES), "stance": self.random.choice(STANCES), "reply_to": ""}
        headers, body = form(who, fields)
        path = f"/forums/threads/{thread}/posts"
        await self.request(conn, figures, "POST forum reply", "POST", path, headers, body)
        return None

    async def shift(self, conn: Connection, me: Person, figures: Figures) -> None:
        who = self.writer("shift", me, figures)
        if who is None:
            return await self.thread(conn, me, figures)
        if who.signup is not None:  # she cancels the one she holds: its place goes to the next in line
            headers, body = form(who, {})
            path = f"/volunteers/signups/{who.signup}/cancel"
            who.signup = None
            await self.request(conn, figures, "POST shift cancel", "POST", path, headers, body)
            return None
        shift = self.random.choice(self.site.shifts)
        headers, body = form(who, {})
        path = f"/volunteers/shifts/{shift}/signup"
        status, _, _ = await self.request(conn, figures, "POST shift sign-up", "POST", path, headers, body)
        if status == 303:  # the browser follows the redirect to the shift's page, with her cancel button
            _, _, page = await self.request(
                conn, figures, "GET shift page", "GET", f"/volunteers/shifts/{shift}", who.headers()
            )
            if found := CANCEL.search(page.decode(errors="replace")):
                who.signup = int(found.group(1))
        return None

    APP: ClassVar[dict[str, str]] = {"X-Forwarded-For": "10.250.0.1"}  # the city app's server

    async def open311_list(self, conn: Connection, me: Person, figures: Figures) -> None:
        await self.request(
            conn, figures, "GET open311 requests", "GET", "/open311/v2/requests.json", self.APP
        )

    async def open311_read(self, conn: Connection, me: Person, figures: Figures) -> None:
        case = self.random.choice(self.site.cases)
        path = f"/open311/v2/requests/{case}.json"
        await self.request(conn, figures, "GET open311 request", "GET", path, self.APP)

    async def open311_file(self, conn: Connection, me: Person, figures: Figures) -> None:
        now = time.monotonic()
        if self.key_due > now:  # the app files at its key's pace
            figures.held_back["open311 file"] += 1
            return await self.open311_list(conn, me, figures)
        self.key_due = now + self.site.paces["open311 file"]
        self.site.filed += 1
        fields = {
            "api_key": self.site.api_key,
            "service_code": self.random.choice(self.site.services),
            "lat": f"{31.2304 + self.random.uniform(-0.01, 0.01):.6f}",
            "long": f"{121.4737 + self.random.uniform(-0.01, 0.01):.6f}",
            "address_string": "人民路与银河路口",
            "description": f"压测市民反映：路口有垃圾堆放（第{self.site.filed}件）",
        }
        body = urllib.parse.urlencode(fields).encode()
        headers = self.APP | {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, content = await self.request(
            conn, figures, "POST open311 request", "POST", "/open311/v2/requests.json", headers, body
        )
        if status == 201 and (found := re.search(rb'"service_request_id":\s*"(\d+)"', content)):
            self.site.cases.append(int(found.group(1)))
        return None

    async def client(self, person: Person, until: float, figures: Figures) -> None:
        conn = Connection(self.port)
        try:
            while time.monotonic() < until:
                kind = self.random.choices(self.kinds, self.weights)[0]
                await self.actions[kind](conn, person, figures)
        finally:
            conn.close()

    async def run(self, clients: int, seconds: float) -> Figures:
        """``clients`` people (the first ones) acting for ``seconds``; the figures of the run."""
        figures = Figures()
        started = time.monotonic()
        until = started + seconds
        people = self.site.people[:clients]
        await asyncio.gather(*(self.client(p, until, figures) for p in people))
        figures.seconds = time.monotonic() - started
        return figures


async def bare(port: int, clients: int, seconds: float) -> Figures:
    """The same clients on a bare Starlette text response (``/_bare`` of bench/_minimal_app.py)."""
    figures = Figures()
    started = time.monotonic()
    until = started + seconds

    async def client() -> None:
        conn = Connection(port)
        try:
            while time.monotonic() < until:
                begun = time.perf_counter()
                try:
                    status, _, body = await asyncio.wait_for(conn.send("GET", "/_bare", {}), 60)
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
                    conn.close()
                    figures.add("bare", begun, type(error).__name__)
                    continue
                figures.add("bare", begun, status, body)
        finally:
            conn.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    figures.seconds = time.monotonic() - started
    return figures


def table(figures: Figures, bare_figures: Figures | None, out: Callable[[str], Any] = print) -> None:
    """Per request type: count, req/s, p50 and p99 (ms), errors, limits' refusals; beside the bare."""
    base = bare_figures.latencies.get("bare", []) if bare_figures else []
    bare_rate = len(base) / bare_figures.seconds if bare_figures and bare_figures.seconds else float("nan")
    bare_p50, bare_p99 = percentile(base, 0.5) * 1000, percentile(base, 0.99) * 1000

    def ratios(p50: float, p99: float) -> str:
        return f"   {p50 / bare_p50:>8.1f} {p99 / bare_p99:>8.1f}" if bare_figures else ""

    out(
        f"  {'request':<24} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'429':>5}"
        + (f"   {'p50/bare':>8} {'p99/bare':>8}" if bare_figures else "")
    )
    everything: list[float] = []
    errors = refused = 0
    for name in sorted(figures.latencies):
        values = figures.latencies[name]
        everything += values
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        e, r = figures.errors_of(name), figures.refused(name)
        errors, refused = errors + e, refused + r
        others = {
            s: n for s, n in figures.statuses[name].items() if isinstance(s, int) and s >= 400 and s != 429
        }
        note = f"   expected answers {others}" if others and not e else ""
        out(
            f"  {name:<24} {len(values):>7} {len(values) / figures.seconds:>7.1f} {p50:>8.1f} {p99:>8.1f}"
            f" {e / len(values):>7.2%} {r:>5}{ratios(p50, p99)}{note}"
        )
    rate = len(everything) / figures.seconds if figures.seconds else float("nan")
    p50, p99 = percentile(everything, 0.5) * 1000, percentile(everything, 0.99) * 1000
    out(
        f"  {'all of the mix':<24} {len(everything):>7} {rate:>7.1f} {p50:>8.1f} {p99:>8.1f}"
        f" {errors / max(1, len(everything)):>7.2%} {refused:>5}{ratios(p50, p99)}"
    )
    if bare_figures:
        out(
            f"  {'bare Starlette text':<24} {len(base):>7} {bare_rate:>7.1f} {bare_p50:>8.1f}"
            f" {bare_p99:>8.1f} {bare_figures.errors_of('bare') / max(1, len(base)):>7.2%}"
        )
        out(
            f"  the mix's req/s ÷ the bare's: {rate / bare_rate:.3f};"
            f" p99 ÷ the bare's p99: {p99 / bare_p99:.1f}"
        )
    if figures.held_back:
        out(
            "  writes held back (no person due at a real pace; read a thread instead):"
            f" {dict(figures.held_back)}"
        )
    for note, n in figures.notes.items():
        out(f"  {note}: {n}")
    if refused:
        out(f"  refused by a product limit (429): {refused}")
    for line in figures.errors:
        out(f"  ERROR {line}")
