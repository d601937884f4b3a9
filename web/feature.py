"""What a feature declares about itself, in one place: ``feature = Feature(...)`` in its route module.

``web.features`` lists the features in order and derives every shared list from these declarations:
the app's routes, the modules every process imports (tables, job handlers, schedules, subscribers,
notification kinds, site settings, file owners), notification links, audit labels, the admin menu,
the main navigation, the home page's areas, a person's 我的参与 page, the demo's steps and the
searchable kinds. Plain data, no plugin machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from accounts.models import User
from search.registry import Searchable

if TYPE_CHECKING:
    from web.demo import DemoContext
    from web.errors import ErrorAnswer

HomeQuery = Callable[[Session, User | None], dict[str, Any]]
ParticipationQuery = Callable[[Session, User], dict[str, Any]]
DemoStep = Callable[["DemoContext"], None]


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the ``/admin/`` menu: a route name and two msgids."""

    route: str
    label: str
    description: str


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation."""

    route: str
    label: str


@dataclass(frozen=True)
class Link:
    """Where a notification about a target of some kind leads: the route, and the parameter its id fills."""

    route: str
    param: str | None = None


@dataclass(frozen=True)
class HomeArea:
    """A feature's card on the home page: the block's name (and element id), its template, its query."""

    name: str
    template: str
    query: HomeQuery


@dataclass(frozen=True)
class ParticipationArea:
    """A feature's part of a person's 我的参与 page: what they did there and where it went.

    The query lives in the feature's route module and asks its own package (and, for where things
    went, the packages they went to); the block's name is also the element id."""

    name: str
    template: str
    query: ParticipationQuery


@dataclass(frozen=True)
class Api:
    """A machine interface under ``prefix``: every error there, even the router's own 404 and 405 and
    an unexpected 500, is answered by ``errors`` in the interface's format, never as an HTML page."""

    prefix: str
    errors: ErrorAnswer


@dataclass(frozen=True)
class Feature:
    name: str
    routes: Sequence[BaseRoute] = ()
    models: Sequence[str] = ()  # modules that define tables (alembic sees them through this)
    registers: Sequence[str] = ()  # modules whose import registers handlers, schedules, kinds, settings ...
    links: Mapping[str, Link] = field(default_factory=dict)  # notification target kind -> page
    audit_labels: Mapping[str, str] = field(default_factory=dict)  # audit action -> msgid
    admin_menu: Sequence[MenuEntry] = ()
    nav: NavItem | None = None
    home: HomeArea | None = None
    participation: ParticipationArea | None = None
    demo: DemoStep | None = None
    # kinds of documents the search index holds for this feature (search/kinds/<feature>.py)
    searchables: Sequence[Searchable] = ()
    api: Api | None = None
