"""The minimal handlers' pages (not a bench: see bench/_minimal_app.py): each reads its rows with plain
SQL and names its bare template under bench/minimal_templates/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response

from bench._minimal_app import PER_PAGE_POSTS, PER_PAGE_THREADS, Minimal, _groupby

Handler = Callable[[Minimal, Request], Response]

# --- grid -----------------------------------------------------------------------------------------

CELLS = text("SELECT id, code, name, street, community FROM grid_cells ORDER BY code")
CELL = text(
    "SELECT c.id, c.code, c.name, c.street, c.community, c.scope, c.patrol, c.duties, c.standards,"
    " (SELECT count(*) FROM grid_residences r WHERE r.cell_id = c.id) AS resident_count"
    " FROM grid_cells c WHERE c.code = :code"
)
STAFF = text(
    "SELECT e.role, u.display_name, u.username FROM grid_roster e JOIN users u ON u.id = e.user_id"
    " WHERE e.cell_id = :cell ORDER BY e.id"
)
FILES = text(
    "SELECT id, original_name, size, content_type FROM stored_files"
    " WHERE owner_kind = :kind AND owner_id = :owner ORDER BY id"
)


def grid_cells(m: Minimal, request: Request) -> Response:
    def read(conn: Connection, user: Any) -> dict[str, Any]:
        found = conn.execute(CELLS).all()
        return {"by_street": _groupby(found, "street"), "total": len(found)}

    return m.page(request, "grid/cells.html", read)


def grid_cell(m: Minimal, request: Request) -> Response:
    code = request.path_params["code"]

    def read(conn: Connection, user: Any) -> dict[str, Any] | None:
        cell = conn.execute(CELL, {"code": code}).first()
        if cell is None:
            return None
        return {
            "cell": cell,
            "staff": conn.execute(STAFF, {"cell": cell.id}).all(),
            "files": conn.execute(FILES, {"kind": "grid_cell", "owner": code}).all(),
        }

    return m.page(request, "grid/cell.html", read)


# --- forums (a visitor's view) ---------------------------------------------------------------------

BOARD_COLUMNS = (
    "SELECT b.id, b.slug, b.kind, b.title, b.description, b.thread_count, b.last_activity_at, b.cell_code,"
    " c.street, c.community FROM forum_boards b LEFT JOIN grid_cells c ON c.code = b.cell_code"
)
BOARDS = text(BOARD_COLUMNS + " ORDER BY b.kind DESC, b.position, b.cell_code")
BOARD = text(BOARD_COLUMNS + " WHERE b.slug = :slug")
THREAD_COUNT = text("SELECT count(*) FROM forum_threads WHERE board_id = :board")
THREADS = text(
    "SELECT t.id, t.title, u.display_name, u.username, t.last_activity_at, t.post_count, t.is_pinned,"
    " t.is_locked FROM forum_threads t JOIN users u ON u.id = t.author_id WHERE t.board_id = :board"
    " ORDER BY t.is_pinned DESC, t.last_activity_at DESC, t.id DESC LIMIT :limit OFFSET :offset"
)
THREAD = text(
    "SELECT t.id, t.title, b.slug AS board_slug, b.title AS board_title, u.display_name, u.username,"
    " t.created_at, t.post_count, t.is_pinned, t.is_locked FROM forum_threads t"
    " JOIN forum_boards b ON b.id = t.board_id JOIN users u ON u.id = t.author_id WHERE t.id = :thread"
)
POSTS = text(
    "SELECT p.id, p.number, u.display_name, u.username, p.author_group, p.stance,"
    " r.number AS reply_to_number, p.body_html, p.created_at, p.edited_at, p.deleted_at, p.hidden_at,"
    " p.hidden_reason, p.reaction_count FROM forum_posts p JOIN users u ON u.id = p.author_id"
    " LEFT JOIN forum_posts r ON r.id = p.reply_to_id"
    " WHERE p.thread_id = :thread AND p.number BETWEEN :first AND :last ORDER BY p.number"
)
PHOTOS = text(
    "SELECT owner_id, id, original_name, size, content_type FROM stored_files"
    " WHERE owner_kind = 'forum_post' AND owner_id = :owner ORDER BY id"
)
PARTICIPANTS = text(
    "SELECT author_group, count(DISTINCT author_id) FROM forum_posts WHERE thread_id = :thread"
    " GROUP BY author_group"
)
RAISED = text("SELECT id FROM consultations WHERE thread_id = :thread")


def page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        return 1


def forums_index(m: Minimal, request: Request) -> Response:
    def read(conn: Connection, user: Any) -> dict[str, Any]:
        found = conn.execute(BOARDS).all()
        return {
            "themes": [b for b in found if b.cell_code is None],
            "by_street": _groupby([b for b in found if b.cell_code], "street"),
        }

    return m.page(request, "forums/index.html", read)


def forums_board(m: Minimal, request: Request) -> Response:
    slug, page = request.path_params["slug"], page_number(request)

    def read(conn: Connection, user: Any) -> dict[str, Any] | None:
        board = conn.execute(BOARD, {"slug": slug}).first()
        if board is None:
            return None
        total = conn.execute(THREAD_COUNT, {"board": board.id}).scalar_one()
        offset = (page - 1) * PER_PAGE_THREADS
        rows = conn.execute(THREADS, {"board": board.id, "limit": PER_PAGE_THREADS, "offset": offset}).all()
        pages = max(1, -(-total // PER_PAGE_THREADS))
        return {"board": board, "threads": rows, "page": page, "pages": pages}

    return m.page(request, "forums/board.html", read)


def forums_thread(m: Minimal, request: Request) -> Response:
    try:
        thread_id = int(request.path_params["thread_id"])
    except ValueError:
        return Response(status_code=404)
    asked = page_number(request)

    def read(conn: Connection, user: Any) -> dict[str, Any] | None:
        thread = conn.execute(THREAD, {"thread": thread_id}).first()
        if thread is None:
            return None
        pages = max(1, -(-thread.post_count // PER_PAGE_POSTS))
        page = min(asked, pages)
        first = (page - 1) * PER_PAGE_POSTS + 1
        posts = conn.execute(
            POSTS, {"thread": thread_id, "first": first, "last": first + PER_PAGE_POSTS - 1}
        ).all()
        photos: dict[str, list[Any]] = {}
        if posts and posts[0].number == 1:
            for row in conn.execute(PHOTOS, {"owner": str(posts[0].id)}):
                photos.setdefault(row.owner_id, []).append(row)
        return {
            "thread": thread,
            "posts": posts,
            "page": page,
            "pages": pages,
            "photos": photos,
            "participants": dict(conn.execute(PARTICIPANTS, {"thread": thread_id}).all()),
            "consultation_id": conn.execute(RAISED, {"thread": thread_id}).scalar(),
        }

    return m.page(request, "forums/thread.html", read)


# --- accounts -------------------------------------------------------------------------------------

ROLES = text("SELECT role, is_chair FROM user_roles WHERE user_id = :user ORDER BY role")
HOME = text(
    "SELECT c.id, c.code, c.name, c.street, c.community FROM grid_cells c"
    " JOIN grid_residences r ON r.cell_id = c.id WHERE r.user_id = :user"
)
POSTS_OF = text(
    "SELECT e.role, c.code AS cell_code, c.name AS cell_name FROM grid_roster e"
    " JOIN grid_cells c ON c.id = e.cell_id WHERE e.user_id = :user ORDER BY e.id"
)
CHOICES = text("SELECT code, street, community, name FROM grid_cells ORDER BY code")
DEVICES = text(
    "SELECT id, created_at, ip, user_agent FROM logins"
    " WHERE user_id = :user AND ended_at IS NULL AND created_at > :since ORDER BY id DESC"
)


def accounts_me(m: Minimal, request: Request) -> Response:
    def read(conn: Connection, user: Any) -> dict[str, Any] | None:
        if user is None:
            return None
        home = conn.execute(HOME, {"user": user.id}).first()
        return {
            "roles": conn.execute(ROLES, {"user": user.id}).all(),
            "home": home,
            "staff": conn.execute(STAFF, {"cell": home.id}).all() if home else [],
            "posts": conn.execute(POSTS_OF, {"user": user.id}).all(),
            "cells": conn.execute(CHOICES).all(),
            "chosen": home.code if home else "",
            "devices": conn.execute(DEVICES, {"user": user.id, "since": m.since()}).all(),
        }

    return m.page(request, "accounts/me.html", read, private=True)


ROUTES: list[tuple[str, Handler]] = [
    ("/accounts/me", accounts_me),
    ("/grid/", grid_cells),
    ("/grid/cells/{code}", grid_cell),
    ("/forums/", forums_index),
    ("/forums/boards/{slug}", forums_board),
    ("/forums/threads/{thread_id}", forums_thread),
]


def bind(state: Minimal, handler: Handler) -> Callable[[Request], Response]:
    """A plain ``def`` endpoint (Starlette runs it in the thread pool, as the project's are)."""

    def endpoint(request: Request) -> Response:
        return handler(state, request)

    return endpoint
