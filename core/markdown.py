"""Markdown that people write, made safe to show: the one place user text becomes HTML.

markdown-it (CommonMark) renders with raw HTML switched off, so ``<script>`` typed in a post stays text;
then nh3 (the maintained Rust sanitizer) keeps only an allow-list of tags and attributes and the
http, https and mailto link schemes, so nothing that runs — a script, a ``javascript:`` link, an event
or ``style`` attribute, an htmx ``hx-*`` or ``data-hx-*`` attribute — can reach a page. Every link gets
``rel="nofollow ugc noopener"``. Rendering happens when text is written; pages show the stored HTML.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {"p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "h3", "h4"}
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})


def render(text: str) -> str:
    """Markdown source as sanitized HTML, safe to put in a page as it is."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):  # a post's heading never outranks its page's
            token.tag = "h3" if token.tag in ("h1", "h2", "h3") else "h4"
    return clean(parser.renderer.render(tokens, parser.options, {})).strip()


def clean(html: str) -> str:
    """Keep only what the allow-list admits (also for HTML from anywhere but ``render``)."""
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(SCHEMES), link_rel=LINK_REL)


def plain(text: str, limit: int = 160) -> str:
    """A one-line excerpt of Markdown source for quotes, notifications and lists (no markup)."""
    flat = " ".join(text.replace(">", " ").replace("*", "").replace("#", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
