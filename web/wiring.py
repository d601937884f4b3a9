"""What every process registers at start: job handlers, schedules, event subscribers.

The app factory, the CLI and the worker all call ``setup()``, so a job enqueued by one process is
understood by any other.
"""

from __future__ import annotations

import importlib
from typing import Any

from accounts.channels import channels_from_settings
from core.settings import Settings
from web.i18n import Catalogs

MODULES = (
    "core.housekeeping",
    "accounts.notifications",
    "accounts.housekeeping",
    "grid.attachments",
    "web.delivery",
)


def setup() -> None:
    """Import the modules that register handlers, schedules and subscribers (idempotent)."""
    for module in MODULES:
        importlib.import_module(module)


def worker_resources(settings: Settings, catalogs: Catalogs | None = None) -> dict[str, Any]:
    """What job handlers may use: outbound channels, translations, the site's address for links."""
    return {
        "channels": channels_from_settings(settings),
        "catalogs": catalogs or Catalogs(),
        "base_url": settings.base_url,
    }
