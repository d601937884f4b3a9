"""A committed database for the XSS test: the authorization matrix's world (every object in every state
a route needs), then the payload corpus written into every text field of every form, posted in-process
to the app on that database (the services behind the forms, without a browser typing each one).

Each form's text fields get the whole corpus in one post where the field is long enough; else chunks,
else one payload a post; a payload the form refuses (too long for a name, say) is counted as refused,
since it never reaches a page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from core import site_settings
from core.db import Sessions
from migrations import runner
from search import rebuild
from search.index import SearchIndex
from tests.conftest import BoundSessions, cheap_hasher, csrf_token, log_in, make_settings
from tests.factories import PASSWORD
from tests.people import build_cast
from tests.web.test_authz_matrix import POSTS, Row, World, build_world
from tests.web.test_form_fuzz import acting_role
from web import features
from web.app import create_app

PAYLOADS_FILE = Path(__file__).parents[1] / "data" / "xss" / "payloads.txt"

# the fields people type free text into; every other field keeps the row's valid value
TEXT_FIELDS = {
    "title",
    "body",
    "reason",
    "question",
    "background",
    "agenda",
    "place",
    "attendance",
    "minutes",
    "text",
    "opinion",
    "account",
    "wanted",
    "respondent_name",
    "notes",
    "agreement",
    "summary",
    "referral_note",
    "note",
    "description",
    "address",
    "address_string",
    "comment",
    "organisation",
    "contact",
    "biography",
    "expertise",
    "display_name",
    "purpose",
}
# rows whose names must stay as they are for later rows to find them, or that take no free text
KEEP = {"accounts.login", "accounts.register", "accounts.change_password", "volunteers.team_save"}


def payloads() -> list[str]:
    """The corpus, numbered from 1: "§" is the payload's number, "⏎" a line break."""
    lines = [line for line in PAYLOADS_FILE.read_text().splitlines() if line and not line.startswith("#")]
    return [line.replace("§", str(n)).replace("⏎", "\n") for n, line in enumerate(lines, 1)]


@dataclass
class Seeded:
    world: World
    payloads: list[str]
    reached: Counter[str] = field(default_factory=Counter)  # "route field" -> payloads stored
    refused: Counter[str] = field(default_factory=Counter)
    pages: set[str] = field(default_factory=set)  # where the forms sent people: the new objects


def build(var: Path) -> Seeded:
    """Migrate ``var``'s database, commit the matrix world, and post the corpus through every form."""
    settings = make_settings(var, f"sqlite:///{var / 'gongzhi.sqlite3'}", index_dir=var / "index")
    from core.db import make_engine

    engine = make_engine(settings)
    runner.upgrade(engine)
    hasher = cheap_hasher()
    with engine.connect() as connection:
        outer = connection.begin()
        sessions = BoundSessions(connection)
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            cast = build_cast(session, hasher)
            world = build_world(session, sessions, settings, cast, hasher, settings.index_dir)
            features.import_all()  # every feature's limits are defined
            for name in [name for name in site_settings.DEFINITIONS if name.startswith("rate.")]:
                site_settings.change(session, cast.admin, name, "100000/60")  # a corpus is no flood
            session.commit()  # releases its savepoint; closing would roll it back
        outer.commit()
    seeded = Seeded(world, payloads())
    app = create_app(settings, sessions=Sessions(engine), hasher=hasher)
    with TestClient(app, follow_redirects=False) as client:
        for row in POSTS:
            if row.route not in KEEP and TEXT_FIELDS & set(row.data) | _extra(row):
                _seed_row(client, seeded, row)
        _register(client, seeded)
    rebuild.rebuild(Sessions(engine), SearchIndex(settings.index_dir))  # search shows the payloads too
    engine.dispose()
    return seeded


def _extra(row: Row) -> set[str]:
    """Free-text fields a form takes beyond the matrix's minimal valid post."""
    from tests.web.test_form_fuzz import FIELDS

    return TEXT_FIELDS & set(FIELDS[row.route]) - set(row.data)


def _seed_row(client: TestClient, seeded: Seeded, row: Row) -> None:
    role = acting_role(row)
    if role == "visitor":
        return
    client.cookies.clear()
    log_in(client, role, PASSWORD)
    token = csrf_token(client, "/")
    path = seeded.world.fill(row.path, role)
    valid = {name: seeded.world.fill(value, role) for name, value in row.data.items()}
    fields = sorted(TEXT_FIELDS & set(valid) | _extra(row))
    numbered = list(enumerate(seeded.payloads, 1))
    for size in (len(numbered), 8, 1):
        chunks = [numbered[i : i + size] for i in range(0, len(numbered), size)]
        left = []
        for chunk in chunks:
            text = "\n\n".join(payload for _n, payload in chunk)
            data = {**valid, **dict.fromkeys(fields, text), "csrf_token": token}
            files = {"file": ("f.txt", b"a cell document", "text/plain")} if row.upload else None
            response = client.post(path, data=data, files=files)
            if response.status_code in (200, 201, 303):
                for name in fields:
                    seeded.reached[f"{row.route} {name}"] += len(chunk)
                if location := response.headers.get("location"):
                    seeded.pages.add(location.split("?")[0])
            elif response.status_code == 422:
                left.append(chunk)
            else:  # the object moved on (a one-time step done): this form takes no more
                return
        if not left:
            return
        numbered = [item for chunk in left for item in chunk]
    for name in fields:
        seeded.refused[f"{row.route} {name}"] += len(numbered)


def _register(client: TestClient, seeded: Seeded) -> None:
    """A display name per payload, each through the registration form (most are refused for length)."""
    for n, payload in enumerate(seeded.payloads, 1):
        client.cookies.clear()
        token = csrf_token(client, "/accounts/register")
        data = {
            "csrf_token": token,
            "username": f"xss_{n}",
            "display_name": payload,
            "password": "a long password",
            "password_again": "a long password",
            "group": "resident",
        }
        answer = client.post("/accounts/register", data=data)
        key = "accounts.register display_name"
        (seeded.reached if answer.status_code == 303 else seeded.refused)[key] += 1
