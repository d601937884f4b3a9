"""The ``gongzhi`` command: serve, migrate, demo, create-admin, worker, reindex, apikey, merge-report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.db import Sessions, make_engine, run_write
from core.errors import Invalid
from core.settings import Settings, SettingsError
from migrations import runner


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """共治 Gongzhi: community co-governance platform."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes (uvicorn)."
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the site. On SQLite, migrate first; on PostgreSQL, refuse an old schema."""
    import uvicorn

    settings = _settings()
    engine = make_engine(settings)
    try:
        if settings.is_sqlite:
            runner.upgrade(engine)  # once, here, before any worker process starts
        elif not runner.is_current(engine):
            current, heads = runner.pending(engine)
            raise click.ClickException(
                f"the database schema is at {sorted(current) or 'nothing'}, "
                f"the code expects {sorted(heads)}: run `gongzhi migrate` first"
            )
    finally:
        engine.dispose()
    click.echo(f"共治 serving on http://{host}:{port}/ with {workers} worker(s)")
    uvicorn.run(
        "web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,  # the app reads X-Forwarded-For itself, from GONGZHI_FORWARDED_ALLOW_IPS
        server_header=False,
    )


@main.command()
@click.option("--burst", is_flag=True, help="Stop when no job is due (for scripts and tests).")
def worker(burst: bool) -> None:
    """Run a job worker in this process until interrupted. Start as many as you like, on any host."""
    import signal
    import threading

    from core.worker import Worker
    from search import follower as search_follower
    from search.index import SearchIndex
    from web import wiring

    settings = _settings()
    wiring.setup(settings)
    engine = make_engine(settings)
    if not runner.is_current(engine):
        engine.dispose()
        raise click.ClickException("the database schema is not current: run `gongzhi migrate` first")
    sessions = Sessions(engine)
    loop = Worker(
        sessions, poll_seconds=settings.worker_poll_seconds, resources=wiring.worker_resources(settings)
    )
    try:
        if burst:
            loop.tick_schedules()
            while loop.run_once():
                pass
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        click.echo(f"worker {loop.name} running; Ctrl-C to stop")
        # like every serve process, a worker tries the index folder's lock and follows the feed if it wins
        follower, stop_following = search_follower.start_thread(sessions, SearchIndex(settings.index_dir))
        loop.run_forever(stop)
        stop_following.set()
        follower.join(timeout=10)
    finally:
        engine.dispose()


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (the deploy step on PostgreSQL)."""
    settings = _settings()
    engine = make_engine(settings)
    try:
        runner.upgrade(engine)
        current, _ = runner.pending(engine)
    finally:
        engine.dispose()
    click.echo(f"database at revision {', '.join(sorted(current))}")


@main.command()
@click.option(
    "--scale",
    type=click.Choice(["demo", "city"]),
    default="demo",
    show_default=True,
    help="city: add a city-sized data set on top (50,000 residents, 100,000 posts, 1,000,000 votes …).",
)
@click.option(
    "--fraction",
    type=click.FloatRange(0.0001, 1.0),
    default=1.0,
    show_default=True,
    help="With --scale city: build this share of the city (0.01 for a quick one).",
)
def demo(scale: str, fraction: float) -> None:
    """Load the demo city (53 grid cells, their staff, a committee, residents). Safe to run twice."""
    import time

    from web import demo as demo_data
    from web import wiring

    settings = _settings()
    wiring.setup(settings)  # the same subscribers and registrations as serve and worker
    if settings.production:
        raise click.ClickException("demo data is not loaded in production (GONGZHI_PRODUCTION=1)")
    engine = make_engine(settings)
    try:
        if not runner.is_current(engine):
            runner.upgrade(engine)
        password_hash = demo_data.hash_once(settings)
        sessions = Sessions(engine)
        added = run_write(
            sessions, lambda session: demo_data.load(session, password_hash, settings.upload_dir)
        )
        indexed = _follow_now(sessions, settings)
        click.echo(f"demo data: added {demo_data.summary(added)} (nothing is added twice)")
        click.echo(indexed)
        if scale == "city":
            from web.demo import city

            started = time.perf_counter()
            parts = city.build(settings, sessions, password_hash, fraction, click.echo)
            if parts:
                click.echo(
                    f"city data ({fraction:g} of the city): built in {time.perf_counter() - started:.1f} s"
                )
    finally:
        engine.dispose()
    click.echo(f"every demo account's password: {demo_data.demo_password(settings)}")
    click.echo(
        "  admin (管理员), chen_weiyuan (群议委主任), wang_ayi (居民), li_shifu (管理服务对象), "
        "zhao_kezhang (政府), qian_zhuren (街道社区), leader01 (网格长), liu_duizhang (服务队队长) ..."
    )


def _follow_now(sessions: Sessions, settings: Settings) -> str:
    """Bring this host's search index up to date now (a running server would do it within seconds)."""
    from search import follower
    from search.index import SearchIndex

    done = follower.follow(sessions, SearchIndex(settings.index_dir))
    if not done.held:
        return "search index: a running server holds the index and follows the new data"
    return "search index: rebuilt" if done.rebuilt else f"search index: {done.applied} change(s) applied"


@main.command()
@click.option("--check", is_flag=True, help="Only report what the index is missing or holds stale.")
def reindex(check: bool) -> None:
    """Rebuild this host's search index from the database (waits for a running follower's pass)."""
    from search import rebuild
    from search.index import SearchIndex
    from web import wiring

    settings = _settings()
    wiring.setup()  # every feature's searchable kinds
    engine = make_engine(settings)
    try:
        if not runner.is_current(engine):
            raise click.ClickException("the database schema is not current: run `gongzhi migrate` first")
        sessions, index = Sessions(engine), SearchIndex(settings.index_dir)
        if check:
            _report_check(rebuild.check(sessions, index))
            return
        with click.progressbar(length=1, label="reindexing", show_pos=True) as bar:

            def progress(kind: str, done: int, total: int) -> None:
                bar.label = f"{kind:>14}"
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            written = rebuild.rebuild(sessions, index, progress=progress)
    finally:
        engine.dispose()
    click.echo(f"search index rebuilt at {settings.index_dir}: {written} documents")


def _report_check(found) -> None:  # type: ignore[no-untyped-def]
    if not found.ready:
        raise click.ClickException("the search index is missing or unfinished: run `gongzhi reindex`")
    for label, keys in (("missing", found.missing), ("stale", found.stale), ("not wanted", found.extra)):
        click.echo(f"{label}: {len(keys)}" + (f" (e.g. {', '.join(keys[:5])})" if keys else ""))
    if not found.ok:
        raise click.ClickException("the index differs from the database: run `gongzhi reindex`")
    click.echo("the search index matches the database")


@main.command("create-admin")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(username: str, password_stdin: bool) -> None:
    """Create an administrator account, or make an existing account an administrator."""
    from accounts.passwords import Hasher
    from accounts.registration import check_password, check_username
    from accounts.roles import bootstrap_admin
    from core.errors import FieldErrors

    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    errors = FieldErrors()
    check_username(errors, username)
    check_password(errors, password, username)
    if errors.errors:
        raise click.ClickException("; ".join(m.key % dict(m.params) for m in errors.errors.values()))
    engine = make_engine(settings)
    try:
        if settings.is_sqlite and not runner.is_current(engine):
            runner.upgrade(engine)
        password_hash = Hasher.from_settings(settings).hash(password)
        user = run_write(
            Sessions(engine), lambda s: bootstrap_admin(s, username=username, password_hash=password_hash)
        )
    except Invalid as error:
        raise click.ClickException("; ".join(m.key for m in error.errors.values())) from None
    finally:
        engine.dispose()
    click.echo(f"{user.username} is an administrator")


@main.command()
@click.argument("name")
def apikey(name: str) -> None:
    """Issue an Open311 API key for the app NAME and print it (once: only its digest is kept)."""
    from grid import apikeys
    from web import wiring

    settings = _settings()
    wiring.setup()
    engine = make_engine(settings)
    try:
        if settings.is_sqlite and not runner.is_current(engine):
            runner.upgrade(engine)
        _, key = run_write(Sessions(engine), lambda s: apikeys.issue_key_from_console(s, name))
    except Invalid as error:
        raise click.ClickException("; ".join(m.key % dict(m.params) for m in error.errors.values())) from None
    finally:
        engine.dispose()
    click.echo(key)


@main.command("merge-report")
@click.argument("votes", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--groups",
    type=click.Path(dir_okay=False, path_type=Path),
    help="participant,group CSV (or a Pol.is participants-votes.csv, its group-id used).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON export instead of the text report.")
def merge_report(votes: Path, groups: Path | None, as_json: bool) -> None:
    """Analyse a Pol.is votes.csv (四意合一): groups, meeting points, divisions, emergent groups."""
    import json

    from deliberation.merging.analysis import merge_analysis
    from deliberation.merging.polis_files import PolisFileError, read_groups, read_votes
    from deliberation.merging.report import report_json, report_text

    try:
        analysis = merge_analysis(read_votes(votes), read_groups(groups) if groups else {})
    except PolisFileError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report_json(analysis), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text(analysis), nl=False)


if __name__ == "__main__":
    main()
