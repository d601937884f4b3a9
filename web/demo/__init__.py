"""``gongzhi demo``: original demo data, built by calling the services. Running it twice changes nothing.

Each feature's data is its own step (``web/demo/<feature>.py``), declared on its ``Feature`` and run in
the features' order, after the same ``wiring.setup()`` as ``serve`` and ``worker``: subscribers see
the demo's writes as they see the app's. The city (淮清市), its streets, communities and people are
invented; the county code prefix 349901 is deliberately not a real GB/T 2260 code. One shared password,
derived from the site secret, is hashed once and printed, so it is the same on every run without being
stored anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.passwords import Hasher
from accounts.users import find_user_by_username
from core.settings import Settings


@dataclass
class DemoContext:
    """What every step gets: the session, the shared password's hash, the upload folder, and a tally."""

    session: Session
    password_hash: str
    upload_dir: Path | None = None
    added: Counter[str] = field(default_factory=Counter)

    def count(self, noun: str, n: int = 1) -> None:
        """Tally ``n`` new ``noun`` (0 still lists the noun, so a second run reports zeros)."""
        self.added[noun] += n

    def person(self, username: str) -> User:
        """A demo account made by an earlier step."""
        user = find_user_by_username(self.session, username)
        if user is None:
            raise LookupError(f"demo step order: {username!r} does not exist yet")
        return user

    @property
    def admin(self) -> User:
        return self.person("admin")


def load(session: Session, password_hash: str, upload_dir: Path | None = None) -> Counter[str]:
    """Run every feature's demo step; return how many of each thing were added."""
    from web import features

    context = DemoContext(session, password_hash, upload_dir)
    for _name, step in features.demo_steps():
        step(context)  # type: ignore[operator]
    return context.added


def summary(added: Counter[str]) -> str:
    return ", ".join(f"{n} {noun}" for noun, n in added.items())


def demo_password(settings: Settings) -> str:
    """The shared demo password: derived from the site secret, so it is stable and never stored."""
    digest = hmac.new(settings.secret_key.value.encode(), b"gongzhi demo password", hashlib.sha256).digest()
    return "demo-" + base64.b32encode(digest).decode()[:10].lower()


def hash_once(settings: Settings) -> str:
    return Hasher.from_settings(settings).hash(demo_password(settings))
