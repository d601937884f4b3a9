"""Search (#25): index build speed, recall against a substring ground truth, query latency, and the
cost of following one change; SQLite FTS5 (trigram) beside it on the same corpus and queries.

The corpus is the demo city (``gongzhi demo``'s data, through its services) plus synthetic forum
threads made of the demo's own sentences recombined (original text, never the seed articles), written
through ``start_thread`` like any resident's. Queries are 2, 3 and 4 character strings cut from the
corpus at random (fixed seed). Ground truth for a query is every document whose title or body contains
it; recall is the share of those our index finds (all matches, no page limit), precision the share of
what it finds that is in the truth. Latency is ``search.queries.search`` as the page calls it: the
Whoosh query, the page's live state from the database, snippets.

Figures are printed, never asserted.

    .venv/bin/python bench/search.py            # 3,000 synthetic threads, 180 queries
    .venv/bin/python bench/search.py --quick    # 200 threads, 45 queries (CI proves it runs)
    .venv/bin/python bench/search.py --city     # the city-sized data (bench/_city.py) and its index
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from core.db import Sessions, make_engine, run_write  # noqa: E402
from core.settings import Secret, Settings  # noqa: E402
from deliberation.forums import threads  # noqa: E402
from deliberation.forums.models import Board  # noqa: E402
from migrations.runner import upgrade  # noqa: E402
from search import documents, follower, queries, rebuild  # noqa: E402
from search.index import SearchIndex  # noqa: E402
from search.registry import KINDS  # noqa: E402
from search.schema import CJK  # noqa: E402
from web import demo, wiring  # noqa: E402

SEED = 25
AUTHORS = ("wang_ayi", "li_shifu", "liu_daye", "xiao_zhang", "qian_zhuren", "zhao_kezhang")


def settings_for(var: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{var / 'search.sqlite3'}",
        secret_key=Secret("x" * 40),
        var_dir=var,
        index_dir=var / "index",
        upload_dir=var / "uploads",
        threads=2,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )


# --- the corpus -----------------------------------------------------------------------------------


def all_documents(sessions: Sessions) -> dict[str, tuple[str, str]]:
    """key -> (title, body) of every document the index should hold."""
    found: dict[str, tuple[str, str]] = {}
    with sessions.read() as session:
        for kind, searchable in KINDS.items():
            for batch in documents.chunks(list(searchable.all_ids(session))):
                for fields in documents.read(session, kind, batch).values():
                    if fields is not None:
                        found[fields["key"]] = (fields["title_text"], fields["body_text"])
    return found


def sentences(corpus: dict[str, tuple[str, str]]) -> list[str]:
    text = "。".join(t + "。" + b for t, b in corpus.values())
    return sorted({s.strip() for s in re.split(r"[。？！\n]", text) if len(CJK.findall(s)) >= 4})


def add_synthetic_threads(sessions: Sessions, pool: list[str], count: int) -> float:
    """``count`` threads of recombined demo sentences; returns seconds taken (through the service)."""
    rng = random.Random(SEED)
    started = time.perf_counter()

    def write(session, batch):  # type: ignore[no-untyped-def]
        slugs = list(session.scalars(select(Board.slug)))
        people = [demo.DemoContext(session, "").person(name) for name in AUTHORS]
        for _ in range(batch):
            title = rng.choice(pool)[:40]
            body = "。".join(rng.sample(pool, k=min(len(pool), rng.randint(2, 5)))) + "。"
            threads.start_thread(
                session, rng.choice(people), board_slug=rng.choice(slugs), title=title, body=body
            )

    left = count
    while left:
        batch = min(500, left)
        run_write(sessions, lambda session, n=batch: write(session, n))
        left -= batch
    return time.perf_counter() - started


def query_set(corpus: dict[str, tuple[str, str]], per_length: int) -> dict[int, list[str]]:
    """``per_length`` CJK substrings of 2, 3 and 4 characters cut from the corpus's text."""
    rng = random.Random(SEED)
    runs = [run for t, b in corpus.values() for run in CJK.findall(t + " " + b) if len(run) >= 4]
    chosen: dict[int, list[str]] = {}
    for length in (2, 3, 4):
        picked: set[str] = set()
        while len(picked) < per_length:
            run = rng.choice(runs)
            start = rng.randrange(0, len(run) - length + 1)
            picked.add(run[start : start + length])
        chosen[length] = sorted(picked)
    return chosen


# --- measuring ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def whoosh_keys(index: SearchIndex, q: str) -> set[str]:
    query = queries.build_query(q)
    with index.searcher() as searcher:
        return {hit["key"] for hit in searcher.search(query, limit=None)}


def recall_precision(found: set[str], truth: set[str]) -> tuple[float, float]:
    recall = len(found & truth) / len(truth) if truth else 1.0
    precision = len(found & truth) / len(found) if found else 1.0
    return recall, precision


def fts5(corpus: dict[str, tuple[str, str]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, body, tokenize='trigram')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", [(k, t, b) for k, (t, b) in corpus.items()])
    return db


def fts5_keys(db: sqlite3.Connection, q: str) -> tuple[set[str], float]:
    started = time.perf_counter()
    rows = db.execute(
        "SELECT key, snippet(docs, 2, '[', ']', '…', 16) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
        ('"' + q.replace('"', "") + '"',),
    ).fetchall()
    elapsed = time.perf_counter() - started
    every = {row[0] for row in db.execute("SELECT key FROM docs WHERE docs MATCH ?", ('"' + q + '"',))}
    del rows
    return every, elapsed


def measure(
    sessions: Sessions, index: SearchIndex, corpus: dict[str, tuple[str, str]], per_length: int
) -> None:
    """Recall and precision against the substring truth, and the page's latency, beside FTS5."""
    fts = fts5(corpus)
    chosen = query_set(corpus, per_length)
    ours_all, fts_34 = [], []
    print("recall / precision by query length (ground truth: substring of title or body)")
    for length, qs in chosen.items():
        stats = {"ours": [], "fts5": []}
        latency, fts_latency = [], []
        for q in qs:
            truth = {k for k, (t, b) in corpus.items() if q in t or q in b}
            stats["ours"].append(recall_precision(whoosh_keys(index, q), truth))
            found, elapsed = fts5_keys(fts, q)
            stats["fts5"].append(recall_precision(found, truth))
            fts_latency.append(elapsed)
            with sessions.read() as session:
                started = time.perf_counter()
                queries.search(session, index, None, q=q)
                latency.append(time.perf_counter() - started)
        ours_all += latency
        if length >= 3:
            fts_34 += fts_latency
        for name, values in stats.items():
            recall = statistics.mean(r for r, _ in values)
            precision = statistics.mean(p for _, p in values)
            print(
                f"  {length} characters, {name:>4}: recall {recall:.3f}, precision {precision:.3f} "
                f"({len(qs)} queries)"
            )
        print(
            f"  {length} characters: our page p50 {percentile(latency, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latency, 95) * 1000:.1f} ms, p99 {percentile(latency, 99) * 1000:.1f} ms; "
            f"FTS5 p95 {percentile(fts_latency, 95) * 1000:.2f} ms"
        )
    ours_p95, fts_p95 = percentile(ours_all, 95), percentile(fts_34, 95)
    print(
        f"query latency, every length (whole page: Whoosh, live state, snippets): "
        f"p50 {percentile(ours_all, 50) * 1000:.1f} ms, p95 {ours_p95 * 1000:.1f} ms, "
        f"p99 {percentile(ours_all, 99) * 1000:.1f} ms"
    )
    print(
        f"ratio: our p95 / FTS5's 3-4 character p95 = {ours_p95 / fts_p95:.1f}x "
        f"(FTS5 answers no 2-character query: trigrams)"
    )


def follow_changes(sessions: Sessions, index: SearchIndex, times: int) -> None:
    """A thread committed, then followed into the index, ``times`` times."""
    follows = []
    people = AUTHORS
    for n in range(times):

        def one(session, n=n):  # type: ignore[no-untyped-def]
            author = demo.DemoContext(session, "").person(people[n % len(people)])
            threads.start_thread(
                session, author, board_slug="tingche", title=f"新话题{n}停车", body="又一条。"
            )

        run_write(sessions, one)
        started = time.perf_counter()
        follower.follow(sessions, index)
        follows.append(time.perf_counter() - started)
    print(
        "one thread committed, then followed into the index: "
        f"median {statistics.median(follows) * 1000:.1f} ms, "
        f"max {max(follows) * 1000:.1f} ms ({len(follows)} times; the max includes segment merges)"
    )


def city(quick: bool, per_length: int) -> None:
    """The measurements on the city-sized data (bench/_city.py) and the index its build made; nothing
    is written (following a change would add threads to the kept city)."""
    from _city import city_database

    fraction = 0.01 if quick else 1.0
    settings = Settings.from_env(os.environ | city_database("sqlite", fraction))
    engine = make_engine(settings)
    sessions, index = Sessions(engine), SearchIndex(settings.index_dir)
    corpus = all_documents(sessions)
    size = sum(f.stat().st_size for f in index.whoosh_dir.iterdir())
    print(
        f"corpus: the city ({fraction:g}): {len(corpus)} documents, "
        f"{sum(len(t) + len(b) for t, b in corpus.values()):,} characters; its index (built with the city) "
        f"{size / 1e6:.1f} MB; load average {Path('/proc/loadavg').read_text().split()[0]}"
    )
    measure(sessions, index, corpus, per_length)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small corpus and query set (CI)")
    parser.add_argument(
        "--city", action="store_true", help="on the city-sized data (0.01 of it with --quick)"
    )
    args = parser.parse_args()
    synthetic, per_length = (200, 15) if args.quick else (3000, 60)
    wiring.setup()
    if args.city:
        city(args.quick, per_length)
        return
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-search-") as tmp:
        var = Path(tmp)
        settings = settings_for(var)
        engine = make_engine(settings)
        upgrade(engine)
        sessions = Sessions(engine)
        run_write(sessions, lambda session: demo.load(session, demo.hash_once(settings), settings.upload_dir))
        pool = sentences(all_documents(sessions))
        made = add_synthetic_threads(sessions, pool, synthetic)
        corpus = all_documents(sessions)
        print(
            f"corpus: the demo plus {synthetic} synthetic threads ({made:.1f} s through start_thread): "
            f"{len(corpus)} documents, {sum(len(t) + len(b) for t, b in corpus.values()):,} characters"
        )

        index = SearchIndex(settings.index_dir)
        started = time.perf_counter()
        written = rebuild.rebuild(sessions, index)
        build = time.perf_counter() - started
        size = sum(f.stat().st_size for f in index.whoosh_dir.iterdir())
        print(
            f"index build: {written} documents in {build:.2f} s = {written / build:.0f} documents/s, "
            f"{size / 1e6:.1f} MB, {len(list(index.whoosh_dir.glob('*.seg')))} segment(s)"
        )

        measure(sessions, index, corpus, per_length)
        follow_changes(sessions, index, 5 if args.quick else 20)
        engine.dispose()


if __name__ == "__main__":
    main()
