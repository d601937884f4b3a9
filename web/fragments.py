"""Rendering one block of a template (the fragment htmx asked for) with the template's imports.

A block rendered on its own skips the template's top level, so ``{% import "_macros/forms.html" as
forms with context %}`` never runs and the block fails on ``forms`` (jinja2-fragments renders blocks
that way). Here the top-level imports are found once per template and run against the block's
context first, the way Jinja runs them for a whole page.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, Template, nodes


@dataclass(frozen=True)
class TopLevelImport:
    template: str
    with_context: bool
    alias: str | None  # ``import ... as alias``
    names: tuple[tuple[str, str], ...] = ()  # ``from ... import name as alias``


_imports: dict[tuple[int, str], tuple[TopLevelImport, ...]] = {}
_lock = threading.Lock()


def top_level_imports(env: Environment, name: str) -> tuple[TopLevelImport, ...]:
    """The ``import`` and ``from ... import`` tags at the top of template ``name`` (cached)."""
    key = (id(env), name)
    found = _imports.get(key)
    if found is None:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        found = tuple(_parse_imports(env.parse(source)))
        with _lock:
            _imports[key] = found
    return found


def _parse_imports(tree: nodes.Template) -> list[TopLevelImport]:
    found = []
    for node in tree.body:
        if isinstance(node, nodes.Import) and isinstance(node.template, nodes.Const):
            found.append(TopLevelImport(node.template.value, node.with_context, node.target))
        elif isinstance(node, nodes.FromImport) and isinstance(node.template, nodes.Const):
            pairs = tuple((n, n) if isinstance(n, str) else (n[0], n[1]) for n in node.names)
            found.append(TopLevelImport(node.template.value, node.with_context, None, pairs))
    return found


def render_block(env: Environment, name: str, block: str, context: Mapping[str, Any]) -> str:
    """Render ``block`` of template ``name`` alone, after running the template's top-level imports."""
    template: Template = env.get_template(name)
    ctx = template.new_context(dict(context))
    for imported in top_level_imports(env, name):
        source = env.get_template(imported.template)
        module = source.make_module(ctx.get_all(), True) if imported.with_context else source.module
        if imported.alias:
            ctx.vars[imported.alias] = module
        for attribute, alias in imported.names:
            ctx.vars[alias] = getattr(module, attribute)
    try:
        return env.concat(template.blocks[block](ctx))
    except Exception:
        env.handle_exception()
        raise
