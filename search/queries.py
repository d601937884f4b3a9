"""``search(...)``: one page of results, filtered by permission and shown with live state.

The index finds and ranks; the database decides what is shown. Each kind's ``live`` reader loads the
page's objects of that kind in one statement and leaves out what the viewer may not open, so an
object hidden after it was indexed never appears, whatever the index still holds.

Ranking: BM25F where every result matches the query as a substring (its n-grams) and the score
grows with the title matching too (boosted three times) and with whole jieba words matching (so 停车
as a word comes before 停车 inside 暂停车辆), times a recency factor that halves its bonus every 90
days.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from whoosh import scoring, sorting
from whoosh.query import And, AndMaybe, NumericRange, Or, Prefix, Query, Term

from accounts.models import User
from core import clock
from core.errors import N_, FieldErrors
from core.pages import Page, clamp
from search.index import SearchIndex, SearchUnavailable
from search.registry import GROUPS, KINDS, Live
from search.schema import GRAM, pinyin_match, runs, words
from search.snippets import Piece, highlight, terms_of

log = logging.getLogger(__name__)

PER_PAGE = 10
MAX_QUERY = 100  # characters: longer input is refused with a message, not cut silently
MAX_TERMS = 8
MAX_PAGE = 100  # Whoosh scores every page before the one asked for; nobody reads page 101
TIMES = {"week": 7, "month": 31, "year": 366}  # the time filter: updated within so many days
TIME_LABELS = {"week": N_("Past week"), "month": N_("Past month"), "year": N_("Past year")}
HALF_LIFE_DAYS = 90.0
RECENCY_BONUS = 0.5


@dataclass(frozen=True)
class Hit:
    kind: str
    group: str
    object_id: int
    live: Live
    title: list[Piece]
    snippet: list[Piece]


@dataclass(frozen=True)
class Results:
    query: str
    page: Page[Hit]
    groups: dict[str, int]  # matches per group under the cell and time filters (the tabs' counts)

    @property
    def total(self) -> int:
        return sum(self.groups.values())


def search(
    session: Session,
    index: SearchIndex,
    actor: User | None,
    *,
    q: str,
    kind: str = "",
    cell: str = "",
    time: str = "",
    page: int = 1,
) -> Results:
    """Search every kind the viewer may see; ``kind`` narrows to one of ``GROUPS`` (讨论, 议题, 案件,
    志愿活动: what residents call the kind of a result). ``Invalid`` for a bad filter or an over-long
    query; ``SearchUnavailable`` when the index is missing (the empty query never touches it)."""
    q = " ".join(q.split())
    check(q=q, kind=kind, cell=cell, time=time)
    query = build_query(q)
    number = min(clamp(page), MAX_PAGE)
    if query is None:
        return Results(q, Page([], number, PER_PAGE, 0), {})
    with index.searcher(weighting=RecentFirst(clock.now().timestamp())) as searcher:
        try:
            counts, found = _run(searcher, query, group=kind, cell=cell, time=time, number=number)
            stored = [
                (hit["kind"], int(hit["key"].split(":", 1)[1]), hit["title_text"], hit["body_text"])
                for hit in found
            ]
        except Exception as error:  # a segment damaged after the index opened: search only says so
            log.warning("search index at %s failed a query: %s", index.folder, error)
            raise SearchUnavailable() from error
        total, number = found.total, found.pagenum
    hits = _live_hits(session, actor, stored, terms_of(q))
    return Results(q, Page(hits, number, PER_PAGE, total), counts)


def check(*, q: str, kind: str, cell: str, time: str) -> None:
    errors = FieldErrors()
    if len(q) > MAX_QUERY:
        errors.add("q", N_("Search for at most %(n)s characters."), n=MAX_QUERY)
    if kind and kind not in GROUPS:
        errors.add("kind", N_("Choose one of the kinds listed."))
    if cell and not (len(cell) == 15 and cell.isdecimal()):
        errors.add("cell", N_("Choose a grid cell from the list."))
    if time and time not in TIMES:
        errors.add("time", N_("Choose one of the periods listed."))
    errors.raise_if_any()


# --- the Whoosh query -----------------------------------------------------------------------------


def build_query(text: str) -> Query | None:
    """Every term must match (a substring of title or body, or the title's pinyin); word matches
    only add to the score, never to what is found."""
    parts = [_term(term) for term in text.split()[:MAX_TERMS]]
    found = [part for part in parts if part is not None]
    return And(found) if found else None


def _term(term: str) -> Query | None:
    recall = [q for q in (_substring("grams", term),) if q is not None]
    if term.isascii() and term.isalpha() and len(term) >= 2:
        recall.append(Prefix("pinyin", term.lower()))
    if not recall:
        return None
    title = _substring("title_grams", term)
    ranking = [Term(field, word) for word, _ in words(term) for field in ("title", "body")]
    ranking += [title] if title is not None else []
    found = Or(recall) if len(recall) > 1 else recall[0]
    return AndMaybe(found, Or(ranking)) if ranking else found


def _substring(field: str, term: str) -> Query | None:
    """The term as a substring of ``field``: a CJK run of up to ``GRAM`` characters is one n-gram, a
    longer one every n-gram of that length in it; a Latin or digit run is a word."""
    pieces: list[Query] = []
    for run, _start, is_cjk in runs(term):
        if not is_cjk:
            pieces.append(Term(field, run.lower()))
        elif len(run) <= GRAM:
            pieces.append(Term(field, run))
        else:
            pieces += [Term(field, run[i : i + GRAM]) for i in range(len(run) - GRAM + 1)]
    if not pieces:
        return None
    return pieces[0] if len(pieces) == 1 else And(pieces)


def _filter(*, group: str = "", cell: str = "", time: str = "") -> Query | None:
    parts: list[Query] = []
    if group:
        parts.append(Term("group", group))
    if cell:
        parts.append(Term("cell", cell))
    if time:
        since = clock.now() - timedelta(days=TIMES[time])
        parts.append(NumericRange("ts", int(since.timestamp()), None))
    return And(parts) if parts else None


def _run(
    searcher: Any, query: Query, *, group: str, cell: str, time: str, number: int
) -> tuple[dict[str, int], Any]:
    """The tabs' counts (cell and time filters only) and the page asked for (the group filter too)."""
    facet = sorting.FieldFacet("group", maptype=sorting.Count)
    everything = searcher.search_page(
        query, number, pagelen=PER_PAGE, filter=_filter(cell=cell, time=time), groupedby={"group": facet}
    )
    counts = {g: n for g, n in everything.results.groups("group").items() if n}
    if not group:
        return counts, everything
    page = searcher.search_page(
        query, number, pagelen=PER_PAGE, filter=_filter(group=group, cell=cell, time=time)
    )
    return counts, page


class RecentFirst(scoring.BM25F):  # type: ignore[misc]
    """BM25F times 1 + ``RECENCY_BONUS`` · ½^(age / half-life): fresh discussion first among equals."""

    use_final = True

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now
        self._times: Any = None

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        if self._times is None:
            self._times = searcher.reader().column_reader("ts")
        age_days = max(0.0, (self.now - self._times[docnum]) / 86400)
        return float(score * (1 + RECENCY_BONUS * 0.5 ** (age_days / HALF_LIFE_DAYS)))


# --- live state and snippets ----------------------------------------------------------------------


def _live_hits(
    session: Session, actor: User | None, stored: list[tuple[str, int, str, str]], terms: list[str]
) -> list[Hit]:
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id, _title, _body in stored:
        ids_by_kind[kind].append(object_id)
    live = {kind: KINDS[kind].live(session, actor, ids) for kind, ids in ids_by_kind.items() if kind in KINDS}
    hits = []
    for kind, object_id, _title, body in stored:
        state = live.get(kind, {}).get(object_id)
        if state is None:  # hidden, drafted back, gone, or not the viewer's to see: never shown
            continue
        hits.append(
            Hit(
                kind,
                KINDS[kind].group,
                object_id,
                state,
                highlight(state.title, [*terms, *_pinyin_matches(state.title, terms)], width=200),
                highlight(body, terms),
            )
        )
    return hits


def _pinyin_matches(title: str, terms: list[str]) -> list[str]:
    spelled = [term for term in terms if term.isascii() and term.isalpha() and len(term) >= 2]
    return [found for term in spelled if (found := pinyin_match(title, term))]
