"""The ``/admin/`` menu. Each feature adds its entries (href, label msgid, description msgid)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import N_


@dataclass(frozen=True)
class Entry:
    href: str
    label: str
    description: str


MENU: list[Entry] = []


def add(href: str, label: str, description: str) -> None:
    """Add an entry once (route modules are imported once per process, tests may import again)."""
    if all(entry.href != href for entry in MENU):
        MENU.append(Entry(href, label, description))


add(
    "/admin/users",
    N_("Users and roles"),
    N_(
        "Find people; make committee members, the chair, moderators and "
        "administrators; confirm government and community staff."
    ),
)
add("/admin/grid", N_("Grid rosters"), N_("Put grid staff on each cell's roster (网格六定)."))
add(
    "/admin/jobs",
    N_("Background jobs"),
    N_("Queued, failed and dead jobs, with their last error; retry a dead one."),
)
add("/admin/audit", N_("Audit log"), N_("Every privileged act: who, when, what."))
add("/admin/settings", N_("Site settings"), N_("Rate limits, lockouts and the rules later features add."))
