"""The ordered features list, and every shared list derived from it.

A new feature adds one line to ``FEATURES`` (and drops its entry from ``PLANNED``); everything else it
declares in its own route module's ``feature``. Completeness tests (``tests/web/test_features.py``) fail
when a piece is missing: a route outside the authorization matrix, an audit action without a label, a
notification target without a link, a job kind without a handler in a fresh worker, a table unseen by
``alembic check``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.routing import BaseRoute

from search.registry import Searchable
from web.errors import ErrorAnswer
from web.feature import Feature, HomeArea, Link, MenuEntry, NavItem, ParticipationArea
from web.routes import (
    accounts,
    admin,
    assessment,
    cases,
    consultations,
    files,
    forums,
    grid,
    home,
    jobs,
    mediation,
    merging,
    notifications,
    open311,
    participation,
    search,
    settings,
    volunteers,
)
from web.urls import Urls

FEATURES: tuple[Feature, ...] = (
    home.feature,
    accounts.feature,
    participation.feature,
    notifications.feature,
    files.feature,
    grid.feature,
    forums.feature,
    consultations.feature,
    merging.feature,
    mediation.feature,
    cases.feature,
    open311.feature,
    assessment.feature,
    admin.feature,
    jobs.feature,
    settings.feature,
    volunteers.feature,
    search.feature,
)


@dataclass(frozen=True)
class Planned:
    """An area still to come: a place on the home page and in the navigation until its feature lands."""

    name: str
    nav_label: str
    title: str
    description: str


PLANNED: tuple[Planned, ...] = ()  # every planned area has landed; a new one is listed here first


def routes() -> list[BaseRoute]:
    return [route for feature in FEATURES for route in feature.routes]


def model_modules() -> list[str]:
    return [module for feature in FEATURES for module in feature.models]


def registering_modules() -> list[str]:
    return [module for feature in FEATURES for module in feature.registers]


def import_all() -> None:
    """Import every module a feature declares (tables and registrations); idempotent."""
    for module in (*model_modules(), *registering_modules()):
        importlib.import_module(module)


def searchables() -> list[Searchable]:
    return [searchable for feature in FEATURES for searchable in feature.searchables]


def links() -> dict[str, Link]:
    return _merged("links")


def audit_labels() -> dict[str, str]:
    return _merged("audit_labels")


def admin_menu() -> list[MenuEntry]:
    return [entry for feature in FEATURES for entry in feature.admin_menu]


def nav() -> list[NavItem]:
    return [feature.nav for feature in FEATURES if feature.nav is not None]


def home_areas() -> list[HomeArea]:
    return [feature.home for feature in FEATURES if feature.home is not None]


def participation_areas() -> list[ParticipationArea]:
    return [feature.participation for feature in FEATURES if feature.participation is not None]


def api_errors(path: str) -> ErrorAnswer | None:
    """How errors on ``path`` are answered when it lies under a feature's machine interface."""
    for feature in FEATURES:
        if feature.api is not None and path.startswith(feature.api.prefix):
            return feature.api.errors
    return None


def demo_steps() -> Iterator[tuple[str, object]]:
    for feature in FEATURES:
        if feature.demo is not None:
            yield feature.name, feature.demo


def _merged(attribute: str) -> dict:  # type: ignore[type-arg]
    merged: dict = {}  # type: ignore[type-arg]
    for feature in FEATURES:
        for key, value in getattr(feature, attribute).items():
            if key in merged:
                raise ValueError(f"{attribute} {key!r} is declared twice (again by {feature.name})")
            merged[key] = value
    return merged


class Links:
    """Turns a notification's target (kind + id) into a path, from the features' declarations."""

    def __init__(self, urls: Urls, declared: dict[str, Link]) -> None:
        self.urls = urls
        self.declared = declared

    def path(self, target_kind: str, target_id: str) -> str | None:
        link = self.declared.get(target_kind)
        if link is None:
            return None
        if link.param is None:
            return self.urls.path(link.route)
        return self.urls.path(link.route, None, **{link.param: target_id})

    def absolute(self, base_url: str, target_kind: str, target_id: str) -> str | None:
        path = self.path(target_kind, target_id)
        return f"{base_url.rstrip('/')}{path}" if path and base_url else path


def make_urls() -> Urls:
    return Urls(routes())


def make_links(urls: Urls | None = None) -> Links:
    return Links(urls or make_urls(), links())
