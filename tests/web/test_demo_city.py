"""A small city (``gongzhi demo --scale city --fraction``) over the savepoint session: each table grows
by the scaled count, the bulk rows hold every invariant the services keep (counters, numbering, one
vote per person and statement in the voter's group, places taken, case histories), the services go
on from them, and the pages and search serve the data."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from core.db import Sessions, run_write
from deliberation.forums import posts
from deliberation.forums.models import Board, Post, Thread
from deliberation.merging import refresh, reporting, voting
from deliberation.merging.models import Participant, Statement, Vote
from grid.models import Case, CaseCounter, CaseState, CaseStep
from tests.conftest import PG_URL, cheap_hasher, fresh_engine, make_settings
from volunteers import signups
from volunteers.models import Membership, Shift, Signup, SignupStatus, Team
from web import demo
from web.demo import city
from web.demo.city import forums as city_forums
from web.demo.city import people
from web.demo.city import volunteers as city_volunteers

FRACTION = 0.004
SCALE = city.Scale(FRACTION)
TABLES = {
    Thread: SCALE.threads,
    Post: SCALE.posts,
    Case: SCALE.cases,
    Shift: SCALE.series * city.WEEKS_PER_SERIES,
}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A database of its own with the demo and a city of ``FRACTION`` committed, built once for the
    module (each test still runs in a transaction that is rolled back), and its search index."""
    settings = make_settings(tmp_path_factory.mktemp("city"), PG_URL or None)
    with fresh_engine(settings) as engine:
        sessions, password_hash = Sessions(engine), cheap_hasher().hash("demo")
        run_write(sessions, lambda session: demo.load(session, password_hash))
        with sessions.read() as session:
            before = {model: count(session, model) for model in TABLES}
        parts = city.build(settings, sessions, password_hash, FRACTION, print)
        yield engine, settings, before, {part.name: part.added for part in parts}


@pytest.fixture(scope="module")
def engine(world):  # type: ignore[no-untyped-def]
    """The city's database in place of the suite's empty one, for this module's ``connection``."""
    return world[0]


@pytest.fixture
def index_dir(world):  # type: ignore[no-untyped-def]
    return world[1].index_dir


@pytest.fixture
def built(world):  # type: ignore[no-untyped-def]
    return world[2], world[3]


def test_every_table_grows_by_the_scaled_count(session, sessions, hasher, world, built):
    before, parts = built
    for model, added in TABLES.items():
        assert count(session, model) - before[model] == added, model
    residents = session.scalar(select(func.count()).where(User.username.startswith(people.PREFIX)))
    assert residents == SCALE.residents == parts["residents"]["residents"]
    assert parts["merges"]["votes"] >= SCALE.merge_votes
    assert parts["search index"]["documents"] > SCALE.posts
    again = city.build(world[1], sessions, hasher.hash("demo"), FRACTION, print)
    assert again == [] and count(session, Post) - before[Post] == SCALE.posts  # built once


def test_forum_rows_hold_what_posting_keeps(session, built):
    orphans = session.scalar(
        select(func.count())
        .select_from(Post)
        .outerjoin(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Post.author_id)
        .where((Thread.id.is_(None)) | (User.id.is_(None)))
    )
    assert orphans == 0
    real = session.execute(
        select(Post.thread_id, func.count(), func.max(Post.number), func.max(Post.created_at)).group_by(
            Post.thread_id
        )
    ).all()
    threads = {t.id: t for t in session.scalars(select(Thread))}
    for thread_id, n, highest, latest in real:
        assert threads[thread_id].post_count == n == highest, thread_id  # numbered 1..n, none missing
        assert threads[thread_id].last_activity_at == latest, thread_id
    per_board = Counter(t.board_id for t in threads.values())
    for board in session.scalars(select(Board)):
        assert board.thread_count == per_board[board.id], board.slug
        if per_board[board.id]:
            assert board.last_activity_at == max(
                t.last_activity_at for t in threads.values() if t.board_id == board.id
            )
    wrong_group = session.scalar(
        select(func.count())
        .select_from(Post)
        .join(User, User.id == Post.author_id)
        .where(Post.author_group != User.group)
    )
    assert wrong_group == 0


def test_merge_votes_are_one_per_person_in_their_group_and_analysed(session, sessions, built):
    pairs = session.execute(
        select(
            Vote.statement_id,
            Participant.user_id,
            Vote.group,
            Participant.group,
            User.group,
            Statement.consultation_id,
            Vote.consultation_id,
        )
        .join(Participant, Participant.id == Vote.participant_id)
        .join(User, User.id == Participant.user_id, isouter=True)
        .join(Statement, Statement.id == Vote.statement_id)
    ).all()
    online = [p for p in pairs if p[1] is not None]
    assert len({(s, u) for s, u, *_ in online}) == len(online)  # one vote per person per statement
    assert all(vote == participant == user for _, _, vote, participant, user, _, _ in online)
    assert all(statement == merge for *_, statement, merge in pairs)
    merges = session.scalars(select(Vote.consultation_id).distinct()).all()
    for consultation_id in merges:
        votes = session.scalar(select(func.count()).where(Vote.consultation_id == consultation_id))
        table, _groups = refresh.load_votes(session, consultation_id)
        assert len(table) == votes
        report = reporting.merge_report(session, consultation_id)
        assert report.ready and report.votes_now == votes
    largest = max(merges, key=lambda c: session.scalar(select(func.count()).where(Vote.consultation_id == c)))
    report = reporting.merge_report(session, largest)
    assert report.missing_groups == () and min(report.voters.values()) > 0  # all four voices


def test_cases_are_numbered_once_with_whole_histories(session, built):
    cases = session.scalars(select(Case)).all()
    assert len({(c.year, c.sequence) for c in cases}) == len(cases)
    for year, last in session.execute(select(CaseCounter.year, CaseCounter.last)):
        assert last == max(c.sequence for c in cases if c.year == year)
    steps: dict[int, list[CaseStep]] = {}
    for step in session.scalars(select(CaseStep).order_by(CaseStep.id)):
        steps.setdefault(step.case_id, []).append(step)
    city_cases = [c for c in cases if c.source_ref and ":city-" in c.source_ref]
    assert len(city_cases) == SCALE.cases
    for case in city_cases:
        moves = [s for s in steps[case.id] if s.to_state is not None]
        assert moves[0].action == "report" and moves[-1].to_state is case.state
        assert all(a.to_state is b.from_state for a, b in pairwise(moves))  # one unbroken chain
        assert (case.cell_id is not None) == (case.state not in (CaseState.reported, CaseState.rejected))
        assert (case.closed_at is not None) == (case.state is CaseState.closed)
        assert case.updated_at == steps[case.id][-1].at


def test_shifts_hold_their_sign_ups_within_capacity(session, built):
    held = Counter(
        session.scalars(select(Signup.shift_id).where(Signup.status == SignupStatus.confirmed)).all()
    )
    line = dict(
        session.execute(select(Signup.shift_id, func.max(Signup.position)).group_by(Signup.shift_id)).all()
    )
    teams = select(Team.id).where(Team.organisation == city_volunteers.ORGANISATION)
    for shift in session.scalars(select(Shift).where(Shift.team_id.in_(teams))):
        assert shift.taken == held[shift.id] <= shift.capacity, shift.id
        assert shift.next_position == line.get(shift.id, 0), shift.id


def test_the_services_carry_on_from_the_bulk_rows(session, built):
    longest = session.scalar(select(Thread).order_by(Thread.post_count.desc()).limit(1))
    resident = session.scalar(select(User).where(User.username == people.username(0)))
    reply = posts.post_reply(session, resident, thread_id=longest.id, body="城市规模的数据上再回一帖。")
    assert reply.number == longest.post_count  # the next number after the bulk posts
    member = session.scalar(
        select(User).where(User.username == people.username(SCALE.teams))  # the first team's first member
    )
    mine = select(Signup.shift_id).where(Signup.user_id == member.id)
    team = select(Membership.team_id).where(Membership.user_id == member.id)
    shift = session.scalar(
        select(Shift)
        .where(Shift.team_id.in_(team), Shift.taken < Shift.capacity, Shift.id.not_in(mine))
        .order_by(Shift.id)
        .limit(1)
    )
    taken = shift.taken
    signup = signups.sign_up(session, member, shift_id=shift.id)
    assert signup.status is SignupStatus.confirmed and shift.taken == taken + 1
    statement = session.scalar(select(Statement).order_by(Statement.id.desc()).limit(1))
    voter = session.scalar(select(User).where(User.username == people.username(SCALE.residents - 1)))
    voting.cast_vote(session, voter, statement.consultation_id, statement.id, "agree")
    session.flush()


def test_the_pages_serve_the_city(client, session, built):
    longest = session.scalar(select(Thread.id).order_by(Thread.post_count.desc()).limit(1))
    merge = session.scalar(select(Vote.consultation_id).limit(1))
    shift = session.scalar(select(Shift.id).limit(1))
    case = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    for path in (
        "/forums/",
        f"/forums/boards/{city_forums.BUSIEST}",
        f"/forums/boards/{city_forums.BUSIEST}?page=2",
        f"/forums/threads/{longest}",
        f"/forums/threads/{longest}?page=2",
        f"/consultations/{merge}/merge",
        "/grid/cases/",
        "/grid/cases/?page=3",
        f"/grid/cases/{case}",
        "/volunteers/",
        f"/volunteers/shifts/{shift}",
    ):
        assert client.get(path).status_code == 200, path
    found = client.get("/search", params={"q": city_forums.KNOWN[:8]})
    assert found.status_code == 200 and "龙舌兰" in found.text
