"""The search index of the whole city, rebuilt once at the end (the bulk rows wrote no change feed
rows, so following the feed would miss them): what ``gongzhi reindex`` does."""

from __future__ import annotations

from core.settings import Settings
from search import rebuild
from search.index import SearchIndex
from web.demo.city import CityContext


def load(ctx: CityContext, settings: Settings) -> dict[str, int]:
    return {"documents": rebuild.rebuild(ctx.sessions, SearchIndex(settings.index_dir))}
