"""Turning a notification's target (kind + id) into a link. Features add their kinds here."""

from __future__ import annotations

from collections.abc import Callable

LINKS: dict[str, Callable[[str], str]] = {
    "user": lambda _id: "/accounts/me",
    "grid_cell": lambda code: f"/grid/cells/{code}",
}


def link_for(target_kind: str, target_id: str) -> str | None:
    """The path of a notification's target, or None for a kind without a page."""
    build = LINKS.get(target_kind)
    return build(target_id) if build else None


def absolute_link(base_url: str, target_kind: str, target_id: str) -> str | None:
    path = link_for(target_kind, target_id)
    return f"{base_url.rstrip('/')}{path}" if path and base_url else path
