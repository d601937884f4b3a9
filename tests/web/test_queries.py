"""Every page runs an exact number of statements, and list pages run the same number however many
rows they show (no N+1). A change in a count is a change in the read path: look at it, then update
the number here on purpose.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from accounts import notifications, roles
from accounts.models import Role
from core import jobs
from deliberation.forums import posts, threads
from tests.conftest import log_in
from tests.deliberation.mediation import conftest as case_states
from tests.factories import PASSWORD, make_cell, make_shift, make_user
from tests.web import merge_world
from tests.web.test_authz_matrix import consultations_in_every_stage
from volunteers import checkin, hours, signups

# a signed-in page adds one: the viewer (user, roles, login and the bell's unread count in one query)
VIEWER = 1
PAGES = {
    # path: (statements for a visitor, for the resident 王阿姨, or None where she is refused)
    # cell count, recent threads, open consultations near, open shifts (count and page); her home cell
    # (asked once), its threads, her sign-ups, the merges awaiting her votes; cases closed lately; the
    # cases she follows
    "/": (6, 11 + VIEWER),
    "/grid/": (1, 1 + VIEWER),
    "/grid/cells/{cell}": (3, 3 + VIEWER),  # the cell with its resident count; staff; documents
    "/accounts/login": (0, 0 + VIEWER),
    "/accounts/register": (1, 1 + VIEWER),  # the cell picker
    "/accounts/me": (None, 5 + VIEWER),  # home cell, its staff, her posts, the picker, her devices
    # her threads, the consultations and cases they became; the consultations she took part in (and their
    # cases, when there are some); the cases she follows; a page of her mediation cases, their total,
    # their parties; her shifts; the merges she wrote or voted in
    "/accounts/me/participation": (None, 10 + VIEWER),
    "/accounts/notifications": (None, 2 + VIEWER),  # one page of them, the total (unread: with the viewer)
    "/accounts/notifications/settings": (None, 1 + VIEWER),
    "/forums/": (1, 1 + VIEWER),  # the boards
    "/forums/boards/{cell}": (3, 4 + VIEWER),  # the board; its threads and their total; whether she follows
    # the thread, a page of posts (authors, replies, her reactions), the opening post's photos,
    # participants by group, the consultation it became, if any, the case it became, if any; for her, the
    # edit window and whether she follows (a visitor can neither edit nor follow)
    "/forums/threads/{thread}": (6, 8 + VIEWER),
    "/forums/threads/{thread}?view=arguments": (5, 7 + VIEWER),  # the posts that take a stance, no photos
    "/forums/people/li_shifu": (4, 4 + VIEWER),  # the person, the threads started, posts and their total
    "/consultations/": (3, 3 + VIEWER),  # one page and the total, the scope picker
    # the consultation, its meetings, its resolution, its timeline, who took part; whether she follows
    "/consultations/{deliberating}": (5, 6 + VIEWER),
    "/consultations/committee": (1, 1 + VIEWER),
    "/mediation/": (1, 1 + VIEWER),  # the counts, in one grouped query
    "/mediation/apply": (None, 0 + VIEWER),
    "/mediation/mine": (None, 3 + VIEWER),  # one page of her cases, their total, their parties
    # the case with its mediator, its parties (who may see it is decided on these two), meetings, the
    # timeline with who acted, the attachments
    "/mediation/{dispute}": (None, 5 + VIEWER),
}
ADMIN_PAGES = {
    "/admin/": 0,
    "/admin/users": 4,  # one page, the total, their roles, their home cells
    "/admin/users/{wang}": 6,
    "/admin/grid": 1,
    "/admin/grid/cells/{cell}": 3,
    "/admin/jobs": 3,  # one page, the total, the counts by status
    "/admin/audit": 2,
    "/admin/settings": 1,
    "/admin/open311": 1,  # every key, newest first
    "/mediation/cases": 3,  # one page of every case, the total, their parties
    "/mediation/{dispute}": 5,  # admins look, and act on nothing: no committee list to choose from
}


@contextmanager
def counting(connection):
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def queries_for(client, connection, path):
    with counting(connection) as statements:
        assert client.get(path).status_code == 200, path
    return len(statements)


def fill(path, cast, thread=0, stages=None, dispute=0):
    return path.format(
        cell=cast.cell.code,
        wang=cast.wang_ayi.id,
        thread=thread,
        dispute=dispute,
        **(stages or {"deliberating": 0}),
    )


def debate(session, cast, replies=3):
    """A thread on the cell's board with ``replies`` replies that take a stance."""
    thread = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道杂物", body="谁来清？"
    )
    for n in range(replies):
        posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body=f"第{n}条", stance="support")
    session.flush()
    return thread


def test_each_page_runs_its_exact_number_of_statements(client, other_client, connection, session, cast):
    thread = debate(session, cast)
    stages = consultations_in_every_stage(session, cast)
    dispute = case_states.meet(
        session, cast, case_states.accept(session, cast, case_states.apply(session, cast))
    )
    log_in(other_client, "wang_ayi", PASSWORD)
    got, wanted = {}, {}
    for path, (visitor, resident) in PAGES.items():
        if visitor is not None:
            got[f"visitor {path}"], wanted[f"visitor {path}"] = (
                queries_for(client, connection, fill(path, cast, thread.id, stages, dispute.id)),
                visitor,
            )
        got[f"resident {path}"] = queries_for(
            other_client, connection, fill(path, cast, thread.id, stages, dispute.id)
        )
        wanted[f"resident {path}"] = resident
    log_in(client, "admin", PASSWORD)
    for path, count in ADMIN_PAGES.items():
        got[f"admin {path}"], wanted[f"admin {path}"] = (
            queries_for(client, connection, fill(path, cast, dispute=dispute.id)),
            count + VIEWER,
        )
    assert got == wanted


@pytest.mark.parametrize(
    "path", ["/grid/", "/admin/users", "/accounts/notifications", "/admin/audit", "/admin/jobs"]
)
def test_list_pages_do_not_grow_with_their_rows(client, connection, session, hasher, cast, path):
    log_in(client, "admin", PASSWORD)
    few = queries_for(client, connection, path)
    for n in range(12):
        cell = make_cell(session, name=f"新网格{n}")
        user = make_user(session, hasher, f"extra{n}", home_cell=cell.code)
        roles.grant_role(session, cast.admin, user.id, Role.moderator)  # audit rows, role tags
        notifications.notify(session, [cast.admin.id], "role_granted", "user", cast.admin.id, {"role": "x"})
        jobs.enqueue(session, "test.done")
    session.flush()
    assert queries_for(client, connection, path) == few


def test_a_thread_and_a_board_do_not_grow_with_their_posts(client, connection, session, cast):
    thread = debate(session, cast, replies=2)
    paths = [f"/forums/threads/{thread.id}", f"/forums/threads/{thread.id}?view=arguments"]
    paths += [f"/forums/boards/{cast.cell.code}"]
    few = [queries_for(client, connection, path) for path in paths]
    for _ in range(8):
        debate(session, cast, replies=4)
    for n in range(20):
        posts.post_reply(session, cast.qian_zhuren, thread_id=thread.id, body=f"又一条{n}", stance="oppose")
    session.flush()
    assert [queries_for(client, connection, path) for path in paths] == few


def test_the_chair_sees_whom_she_may_assign_in_one_more_statement(client, connection, session, cast):
    dispute = case_states.apply(session, cast)
    log_in(client, "chen_weiyuan", PASSWORD)
    assert queries_for(client, connection, f"/mediation/{dispute.id}") == 5 + 1 + VIEWER


def test_mediation_lists_and_a_case_do_not_grow_with_their_rows(
    client, other_client, connection, session, cast
):
    dispute = case_states.meet(
        session, cast, case_states.accept(session, cast, case_states.apply(session, cast))
    )
    log_in(client, "admin", PASSWORD)
    log_in(other_client, "wang_ayi", PASSWORD)
    paths = [
        (client, "/mediation/cases"),
        (other_client, "/mediation/mine"),
        (other_client, f"/mediation/{dispute.id}"),
    ]
    paths += [(client, "/mediation/")]
    few = [queries_for(who, connection, path) for who, path in paths]
    for kind in ("noise", "parking", "other"):
        case_states.meet(
            session, cast, case_states.accept(session, cast, case_states.apply(session, cast, kind=kind))
        )
        case_states.apply(session, cast, outside="楼下邻居", kind=kind)
    for _ in range(3):
        case_states.meet(session, cast, dispute)
    case_states.propose(session, cast, dispute)
    assert [queries_for(who, connection, path) for who, path in paths] == few


# volunteers: (visitor, 王阿姨, 刘队长 who leads the team), None where refused; the viewer included
VOLUNTEER_PAGES = {
    # shifts (count, page), teams, cells for the filters; her sign-ups on the page, her home cell
    "/volunteers/": (4, 6 + VIEWER, 6 + VIEWER),
    # the shift and its skills, its team, the cancellation window; her sign-up and place in line, the
    # team's leaders (for the leaders' buttons)
    "/volunteers/shifts/{shift}": (4, 7 + VIEWER, 6 + VIEWER),
    "/volunteers/teams": (1, 1 + VIEWER, 1 + VIEWER),
    # the team, its cells, leaders, member count; its shifts (count, page); the cells' names; her
    # membership; the team and its leaders (for the leaders' button)
    "/volunteers/teams/{team}": (7, 10 + VIEWER, 10 + VIEWER),
    # her sign-ups, hours, birth date and skills, certificates, whether her calendar address works
    "/volunteers/me": (None, 6 + VIEWER, 6 + VIEWER),
    # the leader's check, members, the team's page rows, pending sign-ups, applications, its shifts
    "/volunteers/teams/{team}/manage": (None, None, 15 + VIEWER),
    # the leader's check, the roster, the shift and its skills
    "/volunteers/shifts/{shift}/check-in": (None, None, 6 + VIEWER),
    "/volunteers/teams/{team}/hours": (None, None, 3 + VIEWER),  # the leader's check, the ledger
}


@pytest.fixture
def volunteering(session, cast, monkeypatch):
    """A shift that began an hour ago with 王阿姨 and 李师傅 signed up, one of them checked out."""
    from datetime import timedelta

    from core import clock

    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now - timedelta(days=1))
    shift = make_shift(session, cast.liu_duizhang, cast.team, capacity=1, starts_at=now - timedelta(hours=1))
    first = signups.sign_up(session, cast.li_shifu, shift_id=shift.id)
    signups.sign_up(session, cast.wang_ayi, shift_id=shift.id)
    monkeypatch.setattr(clock, "now", lambda: now)
    checkin.check_in(session, cast.liu_duizhang, signup_id=first.id)
    checkin.check_out(session, cast.liu_duizhang, signup_id=first.id)
    session.flush()
    return shift


def volunteer_path(path, cast, shift):
    return path.format(shift=shift.id, team=cast.team.id)


def test_each_volunteers_page_runs_its_exact_number_of_statements(
    client, other_client, connection, cast, volunteering
):
    log_in(other_client, "wang_ayi", PASSWORD)
    leader = client.__class__(client.app, follow_redirects=False)
    with leader:
        log_in(leader, "liu_duizhang", PASSWORD)
        got, wanted = {}, {}
        for path, counts in VOLUNTEER_PAGES.items():
            for who, browser, count in zip(
                ("visitor", "wang", "liu"), (client, other_client, leader), counts, strict=True
            ):
                if count is not None:
                    got[f"{who} {path}"] = queries_for(
                        browser, connection, volunteer_path(path, cast, volunteering)
                    )
                    wanted[f"{who} {path}"] = count
    assert got == wanted


@pytest.mark.parametrize(
    "path",
    [
        "/volunteers/",
        "/volunteers/teams/{team}",
        "/volunteers/me",
        "/volunteers/teams/{team}/manage",
        "/volunteers/shifts/{shift}/check-in",
        "/volunteers/teams/{team}/hours",
        "/admin/volunteers",
    ],
)
def test_volunteer_lists_do_not_grow_with_their_rows(
    client, connection, session, hasher, cast, volunteering, monkeypatch, path
):
    from datetime import timedelta

    from core import clock
    from volunteers import teams

    log_in(client, "admin", PASSWORD)
    shown = volunteer_path(path, cast, volunteering)
    few = queries_for(client, connection, shown)
    now = clock.now()
    for n in range(6):
        person = make_user(session, hasher, f"extra{n}")
        teams.join_team(session, person, team_id=cast.team.id)
        signups.sign_up(session, person, shift_id=make_shift(session, cast.liu_duizhang, cast.team).id)
        signups.sign_up(
            session,
            cast.admin,
            shift_id=make_shift(
                session, cast.liu_duizhang, cast.team, starts_at=now + timedelta(days=n + 3)
            ).id,
        )
        hours.adjust_hours(
            session, cast.liu_duizhang, team_id=cast.team.id, user_id=cast.admin.id, minutes=30, note="补记"
        )
        monkeypatch.setattr(clock, "now", lambda: now - timedelta(days=1))
        signups.sign_up(session, person, shift_id=volunteering.id)  # the running shift's line grows too
        monkeypatch.setattr(clock, "now", lambda: now)
    session.flush()
    assert queries_for(client, connection, shown) == few


CASE_PAGES = {
    # path: statements for a visitor, the resident 王阿姨 (who reported the case), 张网格长 (who works it)
    # one page and its total, the cell picker; for the signed-in, whether they staff a cell (the queue link)
    "/grid/cases/": (3, 4, 4),
    "/grid/cases/new": (None, 1, 1),  # the category picker
    # whether he staffs cells, the due-soon setting (once), one page and its total, the views' counts in
    # one query, his cells for the picker
    "/grid/cases/queue": (None, None, 6),
    # a handled case: the case, its history, its photos, the answers to its check; for the signed-in,
    # whether they may work it and whether they follow it; for staff, a request for more time
    "/grid/cases/{case}": (4, 6, 7),
}


def case_counts(client, connection, session, cast):
    from tests.grid.conftest import report, walk

    handled = walk(
        session, cast.zhang_wangge, report(session, cast, ref="q1"), "register", "dispatch", "handle"
    )
    report(session, cast, ref="q2")
    counts = {}
    for who in ("visitor", "wang_ayi", "zhang_wangge"):
        if who != "visitor":
            log_in(client, who, PASSWORD)
        for path, expected in CASE_PAGES.items():
            index = ("visitor", "wang_ayi", "zhang_wangge").index(who)
            if expected[index] is not None:
                counts[f"{who} {path}"] = queries_for(client, connection, path.format(case=handled.id))
    return counts


def test_each_case_page_runs_its_exact_number_of_statements(client, connection, session, cast):
    wanted = {
        f"{who} {path}": expected[index] + (VIEWER if who != "visitor" else 0)
        for path, expected in CASE_PAGES.items()
        for index, who in enumerate(("visitor", "wang_ayi", "zhang_wangge"))
        if expected[index] is not None
    }
    assert case_counts(client, connection, session, cast) == wanted


def test_the_case_lists_do_not_grow_with_their_cases(client, connection, session, cast):
    from tests.grid.conftest import report

    log_in(client, "zhang_wangge", PASSWORD)
    report(session, cast, ref="first")
    paths = ["/grid/cases/", "/grid/cases/queue", "/grid/cases/queue?view=open"]
    few = [queries_for(client, connection, path) for path in paths]
    for n in range(15):
        report(session, cast, ref=f"more{n}")
    assert [queries_for(client, connection, path) for path in paths] == few


# merges: (visitor, 王阿姨, the chair 陈委员), the viewer included
MERGE_PAGES = {
    # the consultation; the merge, its shown statements and the vote count (the report reads the cache);
    # the chair also sees the resolution that "use as draft" would fill
    "/consultations/{collecting}/merge": (4, 4 + VIEWER, 5 + VIEWER),
    # the consultation, the merge, the statements with their counts; her participant row (asked twice:
    # for the card and for her votes), her votes; the chair has taken no part: no votes to list
    "/consultations/{collecting}/merge/vote": (3, 6 + VIEWER, 5 + VIEWER),
    # the consultation, the merge, the shown ids, the text with her vote and her count; her votes
    "/consultations/{collecting}/merge/vote?statement={statement}": (4, 7 + VIEWER, 6 + VIEWER),
    # the vote page and the shown statements' text to compare the draft with
    "/consultations/{collecting}/merge/similar?text=摊位清扫": (4, 7 + VIEWER, 6 + VIEWER),
    # the consultation, the queue with authors and vote counts, the merge
    "/consultations/{collecting}/merge/moderation": (None, None, 3 + VIEWER),
}


def merge_counts(client, other_client, third_client, connection, stages, statement):
    got = {}
    for path, expected in MERGE_PAGES.items():
        filled = path.format(statement=statement, **stages)
        for who, viewer, want in zip(
            ("visitor", "wang_ayi", "chair"), (client, other_client, third_client), expected, strict=False
        ):
            if want is not None:
                got[f"{who} {path}"] = queries_for(viewer, connection, filled)
    return got


def test_merge_pages_run_their_exact_number_whatever_their_statements_and_votes(
    client, other_client, app, connection, session, sessions, cast
):
    from starlette.testclient import TestClient

    from deliberation.merging import refresh, statements, voting

    stages = consultations_in_every_stage(session, cast)
    ids = merge_world.build(session, cast, stages)
    refresh.refresh_analysis(sessions, stages["collecting"])
    log_in(other_client, "wang_ayi", PASSWORD)
    with TestClient(app, follow_redirects=False) as chair:
        log_in(chair, "chen_weiyuan", PASSWORD)
        wanted = {
            f"{who} {path}": want
            for path, expected in MERGE_PAGES.items()
            for who, want in zip(("visitor", "wang_ayi", "chair"), expected, strict=False)
            if want is not None
        }
        statement = ids["merge_statement_other"]
        assert merge_counts(client, other_client, chair, connection, stages, statement) == wanted
        for n in range(8):
            more = statements.write_statement(
                session, cast.qian_zhuren, stages["collecting"], f"第{n}条：摊位清扫"
            )
            session.flush()
            for person in (cast.li_shifu, cast.zhao_kezhang, cast.wang_ayi):
                voting.cast_vote(session, person, stages["collecting"], more.id, "agree")
        session.flush()
        refresh.refresh_analysis(sessions, stages["collecting"])
        assert merge_counts(client, other_client, chair, connection, stages, statement) == wanted


def test_the_search_page_runs_one_statement_per_kind_on_the_page(
    client, other_client, connection, session, sessions, cast, index_dir
):
    from search import rebuild
    from search.index import SearchIndex

    debate(session, cast, replies=2)
    rebuild.rebuild(sessions, SearchIndex(index_dir))
    log_in(other_client, "wang_ayi", PASSWORD)
    # the cell picker; then the live state of the page's threads, and of its replies
    assert queries_for(client, connection, "/search?q=楼道") == 2
    assert queries_for(other_client, connection, "/search?q=楼道") == 2 + VIEWER
    assert queries_for(client, connection, "/search?q=第0条") == 2
    assert queries_for(client, connection, "/search") == 1  # no query: the picker only, no index
    for _ in range(8):
        debate(session, cast, replies=4)
    rebuild.rebuild(sessions, SearchIndex(index_dir))
    assert queries_for(client, connection, "/search?q=楼道") == 2  # ten threads: still one statement


def test_open311_lists_and_the_keys_page_do_not_grow_with_their_rows(client, connection, session, cast):
    from grid import apikeys
    from tests.grid.conftest import report

    log_in(client, "admin", PASSWORD)
    report(session, cast, ref="first")
    apikeys.issue_key(session, cast.admin, "城管通 App")
    paths = ["/admin/open311", "/open311/v2/requests.json", "/open311/v2/requests.xml?status=open"]
    few = [queries_for(client, connection, path) for path in paths]
    for n in range(12):
        report(session, cast, ref=f"more{n}")
        apikeys.issue_key(session, cast.admin, f"应用{n}")
    session.flush()
    assert [queries_for(client, connection, path) for path in paths] == few
    assert few[1] == 2  # one page of requests and their total: the API never looks up a login


ASSESSMENT_PAGES = {
    # path: statements for a visitor and for the committee's chair 陈委员 (None: she alone may see it)
    # the months assessed, the resolution basis (once), the ranking and its committee averages, the
    # twelve months' rows and averages for the trend lines, the departments
    "/grid/assessments/{month}": (7, 7),
    "/grid/assessments/{open_month}": (2, 2),  # not assessed yet: the months and the basis
    # whether it is assessed, basis, ranking and averages, departments; a download never asks who is in
    "/grid/assessments/{month}/ranking.xlsx": (5, 5 - VIEWER),
    "/grid/assessments/{open_month}/scores": (None, 2),  # the cell picker, the month's scores
}


def assess(session, cast, month, *, compute=True):
    from grid import assessment, scores

    if compute:
        assessment.assess_month(session, month)
    for member in (cast.chen_weiyuan, cast.zhou_jiaoshou):
        scores.score_cell(session, member, month=month, cell_code=cast.cell.code, score="80", comment="")
    session.flush()


def assessment_counts(client, connection, session, cast):
    from core import clock
    from grid import assessment

    this_month = assessment.month_of(clock.now())
    month = assessment.shift(this_month, -1)
    assess(session, cast, month)
    assess(session, cast, this_month, compute=False)  # scores for the month still open
    counts = {}
    for who in ("visitor", "chen_weiyuan"):
        if who != "visitor":
            log_in(client, who, PASSWORD)
        for path, expected in ASSESSMENT_PAGES.items():
            wanted = expected[0 if who == "visitor" else 1]
            if wanted is not None:
                filled = path.format(month=month, open_month=this_month)
                counts[f"{who} {path}"] = queries_for(client, connection, filled)
    return counts


def test_each_assessment_page_runs_its_exact_number_of_statements(client, connection, session, cast):
    wanted = {
        f"{who} {path}": expected[index] + (VIEWER if who != "visitor" else 0)
        for path, expected in ASSESSMENT_PAGES.items()
        for index, who in enumerate(("visitor", "chen_weiyuan"))
        if expected[index] is not None
    }
    assert assessment_counts(client, connection, session, cast) == wanted


def test_the_ranking_does_not_grow_with_its_cells(client, connection, session, cast):
    from core import clock
    from grid import assessment

    month = assessment.shift(assessment.month_of(clock.now()), -2)
    assess(session, cast, month)
    few = queries_for(client, connection, f"/grid/assessments/{month}")
    for n in range(12):
        make_cell(session, name=f"新网格{n}")
    earlier = assessment.shift(month, -1)
    assess(session, cast, earlier)
    assert queries_for(client, connection, f"/grid/assessments/{earlier}") == few
