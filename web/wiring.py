"""What every process does at start: import what the features declare, and build what workers use.

The app factory, the CLI (``demo`` included) and ``gongzhi worker`` all call ``setup()``, so a job
enqueued by one process is understood by any other, and the demo's writes meet the same subscribers.
"""

from __future__ import annotations

from typing import Any

from accounts.channels import channels_from_settings
from core.settings import Settings
from grid import connector
from search import registry as search_registry
from web import features
from web.i18n import Catalogs


def setup(settings: Settings | None = None) -> None:
    """Import the features' table and registering modules, tell the change feed which tables hold
    searchable objects (idempotent); with ``settings``, configure what this process's services read
    from them (the case connector's city endpoint)."""
    features.import_all()
    search_registry.install(features.searchables())
    if settings is not None:
        connector.configure(connector.Endpoint.from_settings(settings))


def worker_resources(settings: Settings, catalogs: Catalogs | None = None) -> dict[str, Any]:
    """What job handlers may use: outbound channels, translations, links to pages and the site's address."""
    return {
        "channels": channels_from_settings(settings),
        "catalogs": catalogs or Catalogs(),
        "links": features.make_links(),
        "base_url": settings.base_url,
    }
