"""Every route × every role: the answer each person gets, written by hand (never computed from the
``access_*`` functions under test). A route that is in no row fails ``test_every_route_is_in_the_matrix``.

Roles: visitor, resident (王阿姨), managed-and-served (李师傅), committee chair (陈委员), committee
member (周教授), grid staff (张网格长), moderator (孙版主), team leader (刘队长, who leads team A of
``tests/web/volunteer_world.py``), admin. Stakeholder groups are a second axis, by hand where they
change what a user may do (choosing one at registration, being given one), and over every row where
they must not (``test_a_group_changes_no_other_answer``). "own" and "other" rows are the same
route on the viewer's own object and on someone else's; for a team leader, on a shift, sign-up or
certificate of the team they lead and of another team.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from accounts import logins, notifications
from accounts.models import StakeholderGroup, User
from core import clock, files, jobs
from core.worker import Worker
from deliberation.forums import posts as forum_posts
from deliberation.forums import threads
from deliberation.mediation import agreements
from deliberation.mediation.access import access_dispute
from deliberation.mediation.fields import today
from grid import assessment, attachments, roster
from search import rebuild
from search.index import SearchIndex
from tests.conftest import log_in, post_form
from tests.deliberation.mediation import conftest as case_states
from tests.factories import PASSWORD, make_user
from tests.web import case_world, merge_world, open311_world, volunteer_world
from web import features

ROLES = [
    "visitor",
    "wang_ayi",
    "li_shifu",
    "chen_weiyuan",
    "zhou_jiaoshou",
    "zhang_wangge",
    "sun_banzhu",
    "liu_duizhang",
    "admin",
]
Expect = Callable[[str], int]


def everyone(status: int) -> Expect:
    return lambda role: status


def signed_in(status: int, visitor: int) -> Expect:
    return lambda role: visitor if role == "visitor" else status


def admins(status: int, visitor: int) -> Expect:
    return lambda role: status if role == "admin" else visitor if role == "visitor" else 403


STEERS = ("zhou_jiaoshou", "chen_weiyuan")  # the consultations' convener and the committee's chair


def steerers(status: int, visitor: int, others: int = 403) -> Expect:
    return lambda role: status if role in STEERS else visitor if role == "visitor" else others


def moderators(status: int, visitor: int) -> Expect:
    return lambda role: status if role in ("sun_banzhu", "admin") else visitor if role == "visitor" else 403


PARTIES, CHAIR, MEDIATOR = ("wang_ayi", "li_shifu"), "chen_weiyuan", "zhou_jiaoshou"


def in_case(status: int, *sees: str, acts: tuple[str, ...] = ()) -> Expect:
    """A private case: ``acts`` get ``status``, the others who see the case 403 (the step is not theirs),
    and everyone else, the visitor included, 404: for them the case does not exist."""
    return lambda role: status if role in acts else 403 if role in sees else 404


CASE_PEOPLE = (*PARTIES, CHAIR, "admin")  # who sees a case that has no mediator yet
WITH_MEDIATOR = (*CASE_PEOPLE, MEDIATOR)


def leads(status: int, visitor: int) -> Expect:
    """Team A's leader and admins; a leader of team A on team B's rows is in ``admins``."""
    return lambda role: status if role in ("liu_duizhang", "admin") else visitor if role == "visitor" else 403


def only(status: dict[str, int], otherwise: int) -> Expect:
    return lambda role: status.get(role, otherwise)


def grid_staff(status: int, visitor: int, others: int = 403) -> Expect:
    """张网格长, who leads the cast's cell, and admins; for a staff-only case ``others`` is 404."""
    return lambda role: (
        status if role in ("zhang_wangge", "admin") else visitor if role == "visitor" else others
    )


@dataclass(frozen=True)
class Row:
    route: str
    path: str
    expect: Expect
    method: str = "GET"
    data: dict = field(default_factory=dict)
    variant: str = ""
    upload: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}{' ' + self.variant if self.variant else ''}"


PAGE, LOGIN = 200, 303  # a GET a visitor may not see sends them to log in
SIDES = (
    "team",
    "team_name",
    "shift",
    "past",
    "asker",
    "pending",
    "check",
    "mark",
    "helper",
    "cert",
    "cancel",
)


def _side(text: str, side: str) -> str:
    """A row's path or value on team A (``a``) or team B (``b``): ``{team}`` becomes ``{team_a}``."""
    for name in SIDES:
        text = text.replace("{" + name + "}", "{" + name + "_" + side + "}")
    text = text.replace("{cert2}", "{cert_" + side + "2}")
    day = "a1" if side == "a" else "b1"
    text = (
        text.replace("{shift_a}", "{a1}").replace("{shift_b}", "{b1}").replace("{day}", "{" + day + "_day}")
    )
    return text


GETS = [
    Row("home", "/", everyone(PAGE)),
    Row("health", "/healthz", everyone(PAGE)),
    Row("grid.cells", "/grid/", everyone(PAGE)),
    Row("grid.cell", "/grid/cells/{cell}", everyone(PAGE)),
    Row("files.serve", "/files/{file}", everyone(PAGE)),
    Row("accounts.login_form", "/accounts/login", everyone(PAGE)),
    Row("accounts.register_form", "/accounts/register", everyone(PAGE)),
    Row("accounts.me", "/accounts/me", signed_in(PAGE, LOGIN)),
    Row("accounts.password_form", "/accounts/password", signed_in(PAGE, LOGIN)),
    Row("notifications.list", "/accounts/notifications", signed_in(PAGE, LOGIN)),
    Row("notifications.bell", "/accounts/notifications/bell", signed_in(PAGE, 204)),
    Row("notifications.settings", "/accounts/notifications/settings", signed_in(PAGE, LOGIN)),
    Row("admin.index", "/admin/", admins(PAGE, LOGIN)),
    Row("admin.users", "/admin/users", admins(PAGE, LOGIN)),
    Row("admin.user", "/admin/users/{wang}", admins(PAGE, LOGIN)),
    Row("admin.grid", "/admin/grid", admins(PAGE, LOGIN)),
    Row("admin.roster", "/admin/grid/cells/{cell}", admins(PAGE, LOGIN)),
    Row("admin.jobs", "/admin/jobs", admins(PAGE, LOGIN)),
    Row("admin.audit", "/admin/audit", admins(PAGE, LOGIN)),
    Row("admin.settings", "/admin/settings", admins(PAGE, LOGIN)),
    Row("forums.index", "/forums/", everyone(PAGE)),
    Row("forums.board", "/forums/boards/{board}", everyone(PAGE)),
    Row("forums.new_thread", "/forums/boards/{board}/new", signed_in(PAGE, LOGIN)),
    Row("forums.thread", "/forums/threads/{thread}", everyone(PAGE)),
    Row("forums.new_posts", "/forums/threads/{thread}/new?after=999", everyone(204)),
    Row("forums.post", "/forums/posts/{other_forum_post}", everyone(303)),
    Row("forums.edit_form", "/forums/posts/{own_forum_post}/edit", signed_in(PAGE, LOGIN), variant="own"),
    Row("forums.edit_form", "/forums/posts/{other_forum_post}/edit", signed_in(403, LOGIN), variant="other"),
    Row("forums.history", "/forums/posts/{other_forum_post}/history", everyone(PAGE)),
    Row("forums.report_form", "/forums/posts/{other_forum_post}/report", signed_in(PAGE, LOGIN)),
    Row("forums.person", "/forums/people/wang_ayi", everyone(PAGE)),
    Row("forums.queue", "/forums/moderation", moderators(PAGE, LOGIN)),
    Row("search.results", "/search?q=楼道&kind=discussion", everyone(PAGE)),
    Row("admin.forum_boards", "/admin/forums", admins(PAGE, LOGIN)),
    Row("participation.index", "/accounts/me/participation", signed_in(PAGE, LOGIN)),
    Row("cases.index", "/grid/cases/", everyone(PAGE)),
    Row("cases.new", "/grid/cases/new", signed_in(PAGE, LOGIN)),
    Row("cases.queue", "/grid/cases/queue", grid_staff(PAGE, LOGIN)),
    Row("cases.detail", "/grid/cases/{reported}", everyone(PAGE)),
    Row("cases.detail", "/grid/cases/{staff_case}", grid_staff(PAGE, 404, 404), variant="staff only"),
    Row("admin.taxonomy", "/admin/grid/taxonomy", admins(PAGE, LOGIN)),
    Row("assessment.index", "/grid/assessments/", everyone(303)),  # to the latest month assessed
    Row("assessment.month", "/grid/assessments/{month}", everyone(PAGE)),
    Row("assessment.export", "/grid/assessments/{month}/ranking.xlsx", everyone(PAGE)),
    Row("assessment.scores", "/grid/assessments/{open_month}/scores", steerers(PAGE, LOGIN)),
    Row("admin.departments", "/admin/grid/departments", admins(PAGE, LOGIN)),
    Row("admin.open311_keys", "/admin/open311", admins(PAGE, LOGIN)),
    # Open311 answers a city app, not a browser: the same for every role, whoever is signed in
    Row("open311.discovery", "/open311/v2/discovery.json", everyone(PAGE)),
    Row("open311.services", "/open311/v2/services.xml", everyone(PAGE)),
    Row("open311.service", "/open311/v2/services/component-0103.json", everyone(PAGE)),
    Row("open311.requests", "/open311/v2/requests.json", everyone(PAGE)),
    Row("open311.request", "/open311/v2/requests/{open311_case}.xml", everyone(PAGE)),
    Row("open311.request", "/open311/v2/requests/{staff_case}.json", everyone(404), variant="staff only"),
    Row("open311.token", "/open311/v2/tokens/{open311_token}.json", everyone(PAGE)),
    Row("open311.openapi", "/open311/v2/openapi.json", everyone(PAGE)),
    Row("consultations.index", "/consultations/", everyone(PAGE)),
    Row("consultations.committee", "/consultations/committee", everyone(PAGE)),
    Row("consultations.new", "/consultations/new", steerers(PAGE, LOGIN)),
    Row("consultations.detail", "/consultations/{collecting}", everyone(PAGE)),
    Row("consultations.detail", "/consultations/{draft}", steerers(PAGE, 404, 404), variant="draft"),
    Row("consultations.meeting_ics", "/consultations/meetings/{meeting}.ics", everyone(PAGE)),
    Row(
        "consultations.profile",
        "/consultations/committee/{own_member}/profile",
        lambda role: {"visitor": LOGIN, "admin": 404, **dict.fromkeys(STEERS, PAGE)}.get(role, 404),
        variant="own",
    ),
    Row(
        "consultations.profile",
        "/consultations/committee/{zhou}/profile",
        lambda role: {"visitor": LOGIN, "admin": PAGE, "zhou_jiaoshou": PAGE}.get(role, 403),
        variant="other",
    ),
    Row("merging.page", "/consultations/{collecting}/merge", everyone(PAGE)),
    Row("merging.page", "/consultations/{draft}/merge", steerers(PAGE, 404, 404), variant="draft"),
    Row("merging.csv", "/consultations/{collecting}/merge.csv", everyone(PAGE)),
    Row("merging.freshness", "/consultations/{collecting}/merge/freshness", everyone(PAGE)),
    Row("merging.vote_page", "/consultations/{collecting}/merge/vote", everyone(PAGE)),
    Row("merging.similar", "/consultations/{collecting}/merge/similar?text=摊位清扫", everyone(PAGE)),
    # the committee moderates: its two members are the STEERS
    Row("merging.moderation", "/consultations/{collecting}/merge/moderation", steerers(PAGE, LOGIN)),
    Row("mediation.index", "/mediation/", everyone(PAGE)),
    Row("mediation.apply_form", "/mediation/apply", signed_in(PAGE, LOGIN)),
    Row("mediation.mine", "/mediation/mine", signed_in(PAGE, LOGIN)),
    Row(
        "mediation.cases",
        "/mediation/cases",
        lambda role: PAGE if role in (CHAIR, "admin") else LOGIN if role == "visitor" else 403,
    ),
    Row("mediation.case", "/mediation/{dispute}", in_case(PAGE, acts=CASE_PEOPLE), variant="applied"),
    Row("mediation.case", "/mediation/{mediating}", in_case(PAGE, acts=WITH_MEDIATOR), variant="mediator"),
    Row(
        "mediation.case",
        "/mediation/{others_dispute}",
        in_case(PAGE, acts=(CHAIR, "admin")),
        variant="others",
    ),
    Row("files.serve", "/files/{dispute_file}", in_case(PAGE, acts=CASE_PEOPLE), variant="dispute"),
    Row("admin.teams", "/admin/volunteers", admins(PAGE, LOGIN)),
    Row("volunteers.shifts", "/volunteers/", everyone(PAGE)),
    Row("volunteers.shift", "/volunteers/shifts/{a1}", everyone(PAGE)),
    Row("volunteers.teams", "/volunteers/teams", everyone(PAGE)),
    Row("volunteers.team", "/volunteers/teams/{team_a}", everyone(PAGE)),
    Row("volunteers.mine", "/volunteers/me", signed_in(PAGE, LOGIN)),
    Row("volunteers.calendar_feed", "/volunteers/calendar/{feed}", everyone(PAGE)),  # the secret is the key
    Row("volunteers.certificate_form", "/volunteers/teams/{team_a}/certificate", signed_in(PAGE, LOGIN)),
    Row(  # 王阿姨's issued certificate: hers, her team's leader's and admins'
        "volunteers.certificate",
        "/volunteers/certificates/{issued}",
        only({"wang_ayi": PAGE, "liu_duizhang": PAGE, "admin": PAGE, "visitor": LOGIN}, 403),
    ),
    *[
        row
        for route, path in (
            ("volunteers.team_manage", "/volunteers/teams/{team}/manage"),
            ("volunteers.shift_new", "/volunteers/teams/{team}/shifts/new"),
            ("volunteers.team_hours", "/volunteers/teams/{team}/hours"),
            ("volunteers.team_edit", "/volunteers/teams/{team}/edit"),
            ("volunteers.hours_export", "/volunteers/teams/{team}/hours.csv"),
            ("volunteers.shift_edit", "/volunteers/shifts/{shift}/edit"),
            ("volunteers.roster_export", "/volunteers/shifts/{shift}/roster.xlsx"),
            ("volunteers.checkin", "/volunteers/shifts/{past}/check-in"),
        )
        for row in (
            Row(
                route,
                path.format(team="{team_a}", shift="{a1}", past="{past_a}"),
                leads(PAGE, LOGIN),
                variant="own",
            ),
            Row(
                route,
                path.format(team="{team_b}", shift="{b1}", past="{past_b}"),
                admins(PAGE, LOGIN),
                variant="other",
            ),
        )
    ],
]
DONE, REFUSED = 303, 403  # a POST a visitor may not make is refused outright
# in this order: the later rows undo what earlier rows need (the roster post, the login itself)
POSTS = [
    Row(
        "accounts.login",
        "/accounts/login",
        everyone(422),
        "POST",
        {"username": "x", "password": "wrong pass"},
    ),
    Row(
        "accounts.register",
        "/accounts/register",
        everyone(422),
        "POST",
        {
            "username": "neu",
            "password": "a long password",
            "password_again": "another one",
            "group": "resident",
        },
    ),
    Row("i18n.language", "/i18n/language", everyone(DONE), "POST", {"locale": "zh_CN", "next": "/"}),
    Row(
        "accounts.move_home",
        "/accounts/me/home-cell",
        signed_in(DONE, REFUSED),
        "POST",
        {"home_cell": "{cell}"},
    ),
    Row(
        "accounts.change_password",
        "/accounts/password",
        signed_in(422, REFUSED),
        "POST",
        {"current": "not it at all", "new": "a new long secret", "new_again": "a new long secret"},
    ),
    Row(
        "notifications.read",
        "/accounts/notifications/{own_note}/read",
        signed_in(DONE, REFUSED),
        "POST",
        variant="own",
    ),
    Row(
        "notifications.read",
        "/accounts/notifications/{other_note}/read",
        signed_in(404, REFUSED),
        "POST",
        variant="other",
    ),
    Row("notifications.read_all", "/accounts/notifications/read", signed_in(DONE, REFUSED), "POST"),
    Row("notifications.settings_save", "/accounts/notifications/settings", signed_in(DONE, REFUSED), "POST"),
    Row("admin.user_role", "/admin/users/{wang}/roles", admins(DONE, REFUSED), "POST", {"role": "moderator"}),
    Row("admin.user_chair", "/admin/users/{zhou}/chair", admins(DONE, REFUSED), "POST"),
    Row(
        "admin.user_group",
        "/admin/users/{wang}/group",
        admins(DONE, REFUSED),
        "POST",
        {"group": "government"},
    ),
    Row("admin.user_active", "/admin/users/{li}/active", admins(DONE, REFUSED), "POST", {"active": "0"}),
    Row(
        "admin.roster_assign",
        "/admin/grid/cells/{cell}/roster",
        admins(DONE, REFUSED),
        "POST",
        {"username": "wang_ayi", "role": "liaison"},
    ),
    Row("admin.roster_remove", "/admin/grid/roster/{post}/remove", admins(DONE, REFUSED), "POST"),
    Row(
        "admin.cell_file_upload", "/admin/grid/cells/{cell}/files", admins(DONE, REFUSED), "POST", upload=True
    ),
    Row("admin.cell_file_remove", "/admin/grid/files/{file}/remove", admins(DONE, REFUSED), "POST"),
    Row("admin.job_retry", "/admin/jobs/{job}/retry", admins(DONE, REFUSED), "POST"),
    Row(
        "admin.settings_save",
        "/admin/settings",
        admins(DONE, REFUSED),
        "POST",
        {"lockout.pair_failures": "6"},
    ),
    # volunteers: a volunteer's own actions, then a leader's, own team (A) and other team (B)
    Row("volunteers.signup", "/volunteers/shifts/{a1}/signup", signed_in(DONE, REFUSED), "POST"),
    Row(
        "volunteers.cancel",
        "/volunteers/signups/{mine}/cancel",
        signed_in(DONE, REFUSED),
        "POST",
        variant="own",
    ),
    Row(  # a leader may take someone off a shift of the team; nobody else may
        "volunteers.cancel",
        "/volunteers/signups/{mine_other}/cancel",
        leads(DONE, REFUSED),
        "POST",
        variant="other",
    ),
    Row(
        "volunteers.accept",
        "/volunteers/signups/{offer}/accept",
        signed_in(DONE, REFUSED),
        "POST",
        variant="own",
    ),
    Row(
        "volunteers.accept",
        "/volunteers/signups/{offer_other}/accept",
        everyone(REFUSED),
        "POST",
        variant="other",
    ),
    Row("volunteers.join", "/volunteers/teams/{team_b}/join", signed_in(DONE, REFUSED), "POST"),
    Row(  # everyone is a member of team A but its one leader, who must stay
        "volunteers.leave",
        "/volunteers/teams/{team_a}/leave",
        only({"liu_duizhang": 409, "visitor": REFUSED}, DONE),
        "POST",
    ),
    Row(
        "volunteers.profile_save",
        "/volunteers/me/profile",
        signed_in(DONE, REFUSED),
        "POST",
        {"birth_date": "1970-01-01"},
    ),
    Row("volunteers.calendar_new", "/volunteers/me/calendar", signed_in(PAGE, REFUSED), "POST"),
    Row("volunteers.calendar_revoke", "/volunteers/me/calendar/revoke", signed_in(DONE, REFUSED), "POST"),
    Row(  # nobody here has verified hours without an open application: the form comes back
        "volunteers.certificate_apply",
        "/volunteers/teams/{team_a}/certificate",
        signed_in(422, REFUSED),
        "POST",
        {"real_name": "王秀兰", "id_type": "resident_id", "id_number": "11010519491231002X"},
    ),
    *[
        row
        for route, path, data in (
            ("volunteers.member_decide", "/volunteers/teams/{team}/members/{asker}/decide", {"accept": "1"}),
            ("volunteers.appoint_leader", "/volunteers/teams/{team}/leaders", {"username": "zhou_jiaoshou"}),
            (
                "volunteers.step_down",
                "/volunteers/teams/{team}/leaders/{zhou}/step-down",
                {},
            ),  # just appointed
            ("volunteers.signup_decide", "/volunteers/signups/{pending}/decide", {"accept": "1"}),
            (
                "volunteers.shift_create",
                "/volunteers/teams/{team}/shifts",
                {
                    "title": "新班次",
                    "place": "社区广场",
                    "day": "{new_day}",
                    "start": "09:00",
                    "end": "11:00",
                    "capacity": "5",
                },
            ),
            (
                "volunteers.shift_save",
                "/volunteers/shifts/{shift}/edit",
                {
                    "title": "改过的班次",
                    "place": "社区广场",
                    "day": "{day}",
                    "start": "{a1_start}",
                    "end": "{a1_end}",
                    "capacity": "5",
                },
            ),
            ("volunteers.check_in", "/volunteers/signups/{check}/check-in", {}),
            ("volunteers.check_out", "/volunteers/signups/{check}/check-out", {}),
            (
                "volunteers.attendance",
                "/volunteers/shifts/{past}/attendance",
                {"signup": "{mark}", "mark": "missed"},
            ),
            (
                "volunteers.hours_adjust",
                "/volunteers/shifts/{past}/hours",
                {"user_id": "{helper}", "hours": "0.5", "note": "布置场地"},
            ),
            ("volunteers.hours_verify", "/volunteers/teams/{team}/hours/verify", {}),
            ("volunteers.certificate_accept", "/volunteers/certificates/{cert}/accept", {}),
            ("volunteers.certificate_issue", "/volunteers/certificates/{cert}/issue", {}),
            (
                "volunteers.certificate_decline",
                "/volunteers/certificates/{cert2}/decline",
                {"reason": "记录不全"},
            ),
            (
                "volunteers.team_save",
                "/volunteers/teams/{team}/edit",
                {
                    "name": "{team_name}",
                    "organisation": "清河街道",
                    "join_policy": "approval",
                    "no_show_limit": "3",
                },
            ),
            ("volunteers.shift_cancel", "/volunteers/shifts/{cancel}/cancel", {}),
        )
        for side, expect in (("a", leads(DONE, REFUSED)), ("b", admins(DONE, REFUSED)))
        for row in [
            Row(
                route,
                _side(path, side),
                expect,
                "POST",
                {k: _side(v, side) for k, v in data.items()},
                variant="own" if side == "a" else "other",
            )
        ]
    ],
    Row(
        "admin.team_create",
        "/admin/volunteers",
        admins(DONE, REFUSED),
        "POST",
        {"name": "新服务队", "organisation": "清河街道", "join_policy": "open", "leader": "wang_ayi"},
    ),
    Row(
        "forums.start_thread",
        "/forums/boards/{board}/threads",
        signed_in(DONE, REFUSED),
        "POST",
        {"title": "新话题", "body": "想商量一件事"},
    ),
    Row("forums.follow_board", "/forums/boards/{board}/follow", signed_in(DONE, REFUSED), "POST"),
    Row(
        "forums.reply",
        "/forums/threads/{thread}/posts",
        signed_in(DONE, REFUSED),
        "POST",
        {"body": "我补充一句"},
    ),
    Row("forums.follow_thread", "/forums/threads/{thread}/follow", signed_in(DONE, REFUSED), "POST"),
    Row(
        "forums.edit",
        "/forums/posts/{own_forum_post}/edit",
        signed_in(DONE, REFUSED),
        "POST",
        {"body": "改一下"},
        variant="own",
    ),
    Row(
        "forums.edit",
        "/forums/posts/{other_forum_post}/edit",
        signed_in(403, REFUSED),
        "POST",
        {"body": "改别人的"},
        variant="other",
    ),
    Row("forums.react", "/forums/posts/{other_forum_post}/reaction", signed_in(DONE, REFUSED), "POST"),
    Row(
        "forums.report",
        "/forums/posts/{other_forum_post}/report",
        signed_in(DONE, REFUSED),
        "POST",
        {"reason": "不友善"},
    ),
    Row(
        "forums.delete",
        "/forums/posts/{own_forum_post}/delete",
        signed_in(DONE, REFUSED),
        "POST",
        variant="own",
    ),
    Row(
        "forums.delete",
        "/forums/posts/{other_forum_post}/delete",
        signed_in(403, REFUSED),
        "POST",
        variant="other",
    ),
    Row(
        "forums.hide",
        "/forums/posts/{other_forum_post}/hide",
        moderators(DONE, REFUSED),
        "POST",
        {"reason": "人身攻击"},
    ),
    Row("forums.restore", "/forums/posts/{other_forum_post}/restore", moderators(DONE, REFUSED), "POST"),
    Row("forums.dismiss", "/forums/posts/{other_forum_post}/dismiss", moderators(DONE, REFUSED), "POST"),
    Row("forums.pin", "/forums/threads/{thread}/pin", moderators(DONE, REFUSED), "POST", {"pinned": "1"}),
    Row(
        "forums.move",
        "/forums/threads/{thread}/move",
        moderators(DONE, REFUSED),
        "POST",
        {"board": "{board}"},
    ),
    Row("forums.lock", "/forums/threads/{thread}/lock", moderators(DONE, REFUSED), "POST", {"locked": "1"}),
    Row(
        "admin.forum_board_add",
        "/admin/forums",
        admins(DONE, REFUSED),
        "POST",
        {"slug": "lvhua", "title": "绿化"},
    ),
    # before the consultations' rows: their resolution vote would close the draft "use as draft" fills
    Row(
        "merging.write",
        "/consultations/{collecting}/merge/statements",
        signed_in(DONE, REFUSED),
        "POST",
        {"text": "摊位旁边放两个垃圾桶。"},
    ),
    Row(
        "merging.vote",
        "/consultations/{collecting}/merge/statements/{merge_statement_other}/vote",
        signed_in(DONE, REFUSED),
        "POST",
        {"vote": "agree"},
    ),
    Row(
        "merging.moderate",
        "/consultations/{collecting}/merge/statements/{merge_statement}/moderate",
        steerers(DONE, REFUSED),
        "POST",
        {"action": "accept"},
    ),
    Row(
        "merging.approval",
        "/consultations/{collecting}/merge/approval",
        steerers(DONE, REFUSED),
        "POST",
        {"required": "0"},
    ),
    # the matrix's upload is no votes.csv: the committee gets past the permission check to its message
    Row(
        "merging.import",
        "/consultations/{collecting}/merge/import",
        steerers(422, REFUSED),
        "POST",
        upload=True,
    ),
    Row(
        "merging.opinion",
        "/consultations/{deliberating}/merge/opinion",
        steerers(DONE, REFUSED),
        "POST",
        {"opinion": "四方都同意：摊位周边每天清扫。"},
    ),
    Row(
        "merging.use_as_draft",
        "/consultations/{deliberating}/merge/opinion/use",
        steerers(DONE, REFUSED),
        "POST",
    ),
    Row(
        "consultations.convene",
        "/consultations/",
        steerers(DONE, REFUSED),
        "POST",
        {"title": "新议题", "question": "要不要？", "scope": "{cell}"},
    ),
    Row(
        "consultations.move",
        "/consultations/{draft}/move",
        steerers(DONE, REFUSED),
        "POST",
        {"action": "open"},
    ),
    Row("consultations.follow", "/consultations/{collecting}/follow", signed_in(DONE, REFUSED), "POST"),
    Row(
        "consultations.schedule",
        "/consultations/{collecting}/meetings",
        steerers(DONE, REFUSED),
        "POST",
        {"starts_at": "2030-01-05T09:00", "ends_at": "2030-01-05T11:00", "place": "居委会会议室"},
    ),
    Row(
        "consultations.minutes",
        "/consultations/meetings/{meeting}/minutes",
        steerers(DONE, REFUSED),
        "POST",
        {"attendance": "各方代表", "minutes": "同意试点"},
        upload=True,
    ),
    Row(
        "consultations.resolution",
        "/consultations/{deliberating}/resolution",
        steerers(DONE, REFUSED),
        "POST",
        {"text": "试点三个月"},
    ),
    Row(
        "consultations.open_vote",
        "/consultations/{deliberating}/resolution/open",
        steerers(DONE, REFUSED),
        "POST",
    ),
    Row(
        "consultations.vote",
        "/consultations/{deliberating}/resolution/votes",
        steerers(DONE, REFUSED),
        "POST",
        {"choice": "for"},
    ),
    Row(
        "consultations.count",
        "/consultations/{deliberating}/resolution/count",
        steerers(DONE, REFUSED),
        "POST",
    ),
    Row(
        "consultations.profile_save",
        "/consultations/committee/{zhou}/profile",
        lambda role: {"visitor": REFUSED, "admin": DONE, "zhou_jiaoshou": DONE}.get(role, 403),
        "POST",
        {"title": "城市规划专家"},
    ),
    Row(
        "cases.report",
        "/grid/cases/",
        signed_in(DONE, REFUSED),
        "POST",
        {"ref": "matrix", "category": "{case_class}", "title": "路灯不亮", "address": "柳岸小区5号楼"},
    ),
    Row(
        "cases.move",
        "/grid/cases/{reported}/move",
        grid_staff(DONE, REFUSED),
        "POST",
        {"action": "register", "cell_code": "{cell}", "category": "{case_class}"},
    ),
    Row(
        "cases.move",
        "/grid/cases/{staff_case}/move",
        grid_staff(DONE, REFUSED, 404),
        "POST",
        {"action": "register", "cell_code": "{cell}", "category": "{case_class}"},
        variant="staff only",
    ),
    Row(
        "cases.time",
        "/grid/cases/{dispatched}/time",
        grid_staff(DONE, REFUSED),
        "POST",
        {"due_at": "2031-01-05T18:00", "reason": "需要等配件"},
    ),
    Row(
        "cases.time_decision",
        "/grid/cases/{waiting}/time/decision",
        grid_staff(DONE, REFUSED),
        "POST",
        {"decision": "approve"},
    ),
    Row(
        "cases.answer",
        "/grid/cases/{handled}/answer",
        only({"wang_ayi": DONE}, 403),
        "POST",
        {"solved": "yes", "note": "修好了"},
    ),
    Row("cases.follow", "/grid/cases/{reported}/follow", signed_in(DONE, REFUSED), "POST"),
    Row(  # the committee's two members in the cast: the chair 陈委员 and 周教授
        "assessment.score",
        "/grid/assessments/{open_month}/scores",
        steerers(DONE, REFUSED),
        "POST",
        {"cell_code": "{cell}", "score": "86", "comment": "街面整洁"},
    ),
    Row(
        "consultations.hand_off",
        "/consultations/{agreed_consultation}/hand-off",
        steerers(DONE, REFUSED),
        "POST",
        {"category": "{event_class}"},
    ),
    Row(
        "forums.hand_off",
        "/forums/threads/{thread}/hand-off",
        only({"sun_banzhu": DONE, "chen_weiyuan": DONE, "zhou_jiaoshou": DONE, "admin": DONE}, 403),
        "POST",
        {"category": "{case_class}"},
    ),
    Row(
        "admin.taxonomy_add",
        "/admin/grid/taxonomy",
        admins(DONE, REFUSED),
        "POST",
        {"major": "{major_class}", "code": "0199", "name": "共享单车停放点", "limit_hours": "48"},
    ),
    Row(
        "admin.taxonomy_save",
        "/admin/grid/taxonomy/{case_class}",
        admins(DONE, REFUSED),
        "POST",
        {"limit_hours": "96"},
    ),
    Row(
        "admin.department_add",
        "/admin/grid/departments",
        admins(DONE, REFUSED),
        "POST",
        {"name": "区环卫所", "contact": "010-5678"},
    ),
    Row(
        "admin.department_save",
        "/admin/grid/departments/{department}",
        admins(DONE, REFUSED),
        "POST",
        {"name": "街道城管科", "contact": "010-8765"},
    ),
    Row(
        "open311.submit",
        "/open311/v2/requests.json",
        everyone(201),
        "POST",
        {"api_key": "{open311_key}", "service_code": "component-0103", "address_string": "柳岸小区5号楼"},
    ),
    Row(
        "open311.submit",
        "/open311/v2/requests.xml",
        everyone(403),
        "POST",
        {"service_code": "component-0103", "address_string": "柳岸小区5号楼"},
        variant="no key",
    ),
    Row("admin.open311_key_issue", "/admin/open311", admins(PAGE, REFUSED), "POST", {"name": "12345 热线"}),
    Row(
        "admin.open311_key_revoke",
        "/admin/open311/{open311_key_id}/revoke",
        admins(DONE, REFUSED),
        "POST",
    ),
    Row(
        "mediation.apply",
        "/mediation/apply",
        signed_in(DONE, REFUSED),
        "POST",
        {
            "kind": "noise",
            "respondent_name": "楼上邻居",
            "account": "每天半夜拖椅子，吵得睡不着。",
            "wanted": "晚上轻一点",
        },
    ),
    Row(
        "mediation.accept",
        "/mediation/{dispute}/accept",
        in_case(DONE, *CASE_PEOPLE, acts=(CHAIR,)),
        "POST",
        {"mediator": "{zhou}"},
        variant="applied",
    ),
    Row(
        "mediation.accept",
        "/mediation/{others_dispute}/accept",
        in_case(DONE, "admin", acts=(CHAIR,)),
        "POST",
        {"mediator": "{zhou}"},
        variant="others",
    ),
    Row(
        "mediation.decline",
        "/mediation/{declinable}/decline",
        in_case(DONE, *CASE_PEOPLE, acts=(CHAIR,)),
        "POST",
        {"reason": "不属于调解范围"},
    ),
    Row(
        "mediation.log_meeting",
        "/mediation/{mediating}/meetings",
        in_case(DONE, *WITH_MEDIATOR, acts=(MEDIATOR,)),
        "POST",
        {"held_on": "{today}", "attended": "{mediating_party}", "notes": "双方到场，各退一步。"},
    ),
    Row(
        "mediation.propose",
        "/mediation/{mediating}/agreement",
        in_case(DONE, *WITH_MEDIATOR, acts=(MEDIATOR,)),
        "POST",
        {"agreement": "晚上十点以后不再拖椅子。"},
    ),
    Row(
        "mediation.confirm",
        "/mediation/{mediating}/confirm",
        in_case(DONE, *WITH_MEDIATOR, acts=PARTIES),
        "POST",
        {"version": "1"},
        variant="party",
    ),
    Row(
        "mediation.confirm",
        "/mediation/{others_dispute}/confirm",
        in_case(DONE, CHAIR, "admin"),
        "POST",
        {"version": "1"},
        variant="others",
    ),
    Row(
        "mediation.fail",
        "/mediation/{mediating}/fail",
        in_case(DONE, *WITH_MEDIATOR, acts=(MEDIATOR,)),
        "POST",
        {"summary": "双方对作息时间说法不一。"},
    ),
    Row(
        "mediation.refer",
        "/mediation/{failed}/refer",
        in_case(DONE, *WITH_MEDIATOR, acts=(MEDIATOR, CHAIR)),
        "POST",
        {"referral": "hotline"},
    ),
    Row(
        "mediation.consent",
        "/mediation/{failed}/consent",
        in_case(DONE, *WITH_MEDIATOR, acts=PARTIES),
        "POST",
        {"consent": "yes"},
    ),
    Row(
        "mediation.hand_off",
        "/mediation/{shareable}/hand-off",
        in_case(DONE, *WITH_MEDIATOR, acts=(CHAIR,)),
        "POST",
        {"title": "早点摊营业时间需核实", "category": "{case_class}"},
    ),
    Row(
        "mediation.close",
        "/mediation/{agreed}/close",
        in_case(DONE, *WITH_MEDIATOR, acts=(MEDIATOR, CHAIR)),
        "POST",
        {"follow_up_on": "{follow_up}"},
    ),
    Row(
        "accounts.end_device",
        "/accounts/logins/{own_device}/end",
        signed_in(DONE, REFUSED),
        "POST",
        variant="own",
    ),
    Row(
        "accounts.end_device",
        "/accounts/logins/{other_device}/end",
        signed_in(404, REFUSED),
        "POST",
        variant="other",
    ),
    Row("accounts.logout_everywhere", "/accounts/logout-everywhere", signed_in(DONE, REFUSED), "POST"),
    Row("accounts.logout", "/accounts/logout", everyone(DONE), "POST"),
]


@dataclass
class World:
    ids: dict[str, object]
    mine: dict[str, dict[str, object]]  # role -> what of each kind is the viewer's own
    theirs: dict[str, dict[str, object]]  # role -> someone else's of each kind

    def fill(self, text: str, role: str) -> str:
        own = {f"own_{kind}": value for kind, value in self.mine[role].items()}
        other = {f"other_{kind}": value for kind, value in self.theirs[role].items()}
        volunteer = {  # a sign-up and an offer of the viewer's own (a visitor tries 王阿姨's), and another's
            "mine": self.ids.get(f"mine:{role}", self.ids["mine:wang_ayi"]),
            "mine_other": self.ids[f"mine:{_someone_else(role)}"],
            "offer": self.ids.get(f"offer:{role}", self.ids["offer:wang_ayi"]),
            "offer_other": self.ids[f"offer:{_someone_else(role)}"],
        }
        return text.format(**self.ids, **own, **other, **volunteer)


def _someone_else(role: str) -> str:
    return "li_shifu" if role != "li_shifu" else "wang_ayi"


@pytest.fixture
def world(session: Session, sessions, settings, cast, hasher, index_dir) -> World:
    return build_world(session, sessions, settings, cast, hasher, index_dir)


def build_world(session: Session, sessions, settings, cast, hasher, index_dir) -> World:  # type: ignore[no-untyped-def]
    """Every object a row needs, made by service calls (tests/browser/test_xss.py commits one too)."""
    people = [cast.wang_ayi, cast.li_shifu, cast.chen_weiyuan, cast.zhou_jiaoshou, cast.zhang_wangge]
    people += [cast.sun_banzhu, cast.liu_duizhang, cast.admin]
    stored = attachments.attach_file(
        session,
        cast.admin,
        settings.upload_dir,
        cell_code=cast.cell.code,
        upload=io.BytesIO(b"duty sheet"),
        name="a.txt",
        max_bytes=1000,
    )
    dead = jobs.enqueue(session, "test.no_such_handler", max_attempts=1)
    session.flush()
    Worker(sessions).run_once()  # no handler: its one attempt fails and the job is dead
    [post] = roster.posts_of(session, cast.zhang_wangge.id)
    thread = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道杂物", body="谁来清？"
    )
    stages = consultations_in_every_stage(session, cast)
    ids: dict[str, object] = {
        **mediation_world(session, cast, settings),
        "cell": cast.cell.code,
        "wang": cast.wang_ayi.id,
        "zhou": cast.zhou_jiaoshou.id,
        "li": cast.li_shifu.id,
        "file": stored.id,
        "job": dead.id,
        "post": post.entry_id,
        "board": cast.cell.code,
        "thread": thread.id,
        **stages,
    }
    ids |= volunteer_world.build(session, hasher, cast, people)
    for part in (
        merge_world.build(session, cast, stages),
        case_world.build(session, hasher, cast),
        open311_world.build(session, cast),
        assessment_world(session),
    ):
        assert not part.keys() & ids.keys(), "a world key used twice fills one row with another's id"
        ids |= part
    owned = {
        p.username: {
            "note": notifications.notify(session, [p.id], "role_granted", "user", p.id, {"role": "x"})[0].id,
            "device": logins.start_login(session, p.id).login_id,  # another device of the same person
            "forum_post": forum_posts.post_reply(
                session, p, thread_id=thread.id, body=f"{p.username} 的看法"
            ).id,
            "member": p.id,
        }
        for p in people
    }
    session.flush()
    rebuild.rebuild(sessions, SearchIndex(index_dir))  # the search page needs an index to answer 200
    nobody = {kind: 0 for kind in owned["admin"]}
    mine = {role: owned.get(role, nobody) for role in ROLES}
    theirs = {role: owned[_someone_else(role)] for role in ROLES}
    return World(ids, mine, theirs)


def assessment_world(session: Session) -> dict[str, object]:
    """Last month assessed (the ranking and its export), and this month open for the committee's scores."""
    this_month = assessment.month_of(clock.now())
    last_month = assessment.shift(this_month, -1)
    assessment.assess_month(session, last_month)
    return {"month": last_month, "open_month": this_month}


def consultations_in_every_stage(session: Session, cast) -> dict[str, object]:
    """Consultations convened by 周教授: a draft, one collecting views (with a meeting held), one in
    deliberation; made by service calls, never by setting their state."""
    from datetime import timedelta

    from core import clock
    from deliberation.consultations import convening, lifecycle, meetings

    made = {}
    for name, steps in (("draft", ()), ("collecting", ("open",)), ("deliberating", ("open", "deliberate"))):
        consultation = convening.convene(
            session, cast.zhou_jiaoshou, title=f"议题{name}", question="？", scope=cast.cell.code
        )
        session.flush()
        for action in steps:
            lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, action, "")
        made[name] = consultation.id
    held = clock.now() - timedelta(hours=2)
    meeting = meetings.schedule_meeting(
        session,
        cast.zhou_jiaoshou,
        made["collecting"],
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        place="会议室",
    )
    session.flush()
    return {**made, "meeting": meeting.id}


def in_mediation(session: Session, cast):  # type: ignore[no-untyped-def]
    return case_states.meet(
        session, cast, case_states.accept(session, cast, case_states.apply(session, cast))
    )


def mediation_world(session: Session, cast, settings) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Cases between 王阿姨 and 李师傅 in each state a row needs, and one between two other people."""
    dispute = case_states.apply(session, cast)
    stored = files.keep(
        session,
        settings.upload_dir,
        files.prepare(io.BytesIO(b"noise diary"), name="diary.txt", max_bytes=1000),
        owner_kind="dispute",
        owner_id=dispute.id,
        uploaded_by_id=cast.wang_ayi.id,
    )
    mediating = case_states.propose(session, cast, in_mediation(session, cast))
    failed = in_mediation(session, cast)
    agreements.record_failure(session, cast.zhou_jiaoshou, failed.id, summary="双方说法不一，需要核实。")
    shareable = in_mediation(session, cast)
    agreements.record_failure(session, cast.zhou_jiaoshou, shareable.id, summary="营业时间需城管核实。")
    for party in (cast.wang_ayi, cast.li_shifu):
        agreements.answer_consent(session, party, shareable.id, consent=True)
    agreed = case_states.propose(session, cast, in_mediation(session, cast))
    for party in (cast.wang_ayi, cast.li_shifu):
        agreements.confirm_agreement(session, party, agreed.id, version=1)
    others = case_states.apply(session, cast, applicant=cast.qian_zhuren, respondent="zhao_kezhang")
    session.flush()
    [applicant] = [
        p for p in access_dispute(session, cast.admin, mediating.id).parties if p.user_id == cast.wang_ayi.id
    ]
    return {
        "dispute": dispute.id,
        "dispute_file": stored.id,
        "declinable": case_states.apply(session, cast).id,
        "mediating": mediating.id,
        "mediating_party": applicant.id,
        "failed": failed.id,
        "shareable": shareable.id,
        "agreed": agreed.id,
        "others_dispute": others.id,
        "today": today().isoformat(),
        "follow_up": (today() + timedelta(days=30)).isoformat(),
    }


def answer(client, row: Row, world: World, role: str) -> int:
    path = world.fill(row.path, role)
    if row.method == "GET":
        return client.get(path).status_code
    data = {k: world.fill(v, role) for k, v in row.data.items()}
    files = {"file": ("photo.txt", b"a cell document", "text/plain")} if row.upload else None
    return post_form(client, path, data, page="/", files=files).status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client, world, role):
    if role != "visitor":
        log_in(client, role, PASSWORD)
    got = {row.key: answer(client, row, world, role) for row in GETS + POSTS}
    assert got == {row.key: row.expect(role) for row in GETS + POSTS}


def test_every_route_is_in_the_matrix(app):
    """Every method of every route the app's router holds (HEAD is GET's), the static files aside."""
    declared = set()
    for route in app.routes:
        if isinstance(route, Mount) and route.name == "static":
            continue
        assert isinstance(route, Route) and route.methods, f"{route!r}: a route of unknown methods"
        declared |= {(method, route.name) for method in route.methods - {"HEAD"}}
    assert {(m, r.name) for r in features.routes() for m in r.methods - {"HEAD"}} == declared
    covered = {(row.method, row.route) for row in GETS + POSTS}
    assert declared - covered == set(), "add a row for each new route, with its answer for every role"
    assert covered - declared == set()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_no_one_but_an_admin_changes_what_admins_change(client, session, cast, world, role):
    if role != "visitor":
        log_in(client, role, PASSWORD)
    for row in POSTS:
        if row.route.startswith("admin."):
            answer(client, row, world, role)
    session.expire_all()
    assert cast.wang_ayi.group.value == "resident" and not cast.wang_ayi.roles and cast.li_shifu.is_active


# Stakeholder groups, the second axis. Where a group changes what someone may do, by hand: a visitor
# registering may choose only resident or managed-and-served; nobody but an admin sets a group, their
# own included, whatever group they are in. Everywhere else a group is what a post or a vote is
# counted under, never a permission: the next test shows that over every row of the matrix.
GROUPS = ["resident", "served", "community", "government"]
REGISTERS_AS = {"resident": 303, "served": 303, "community": 422, "government": 422}
SETS_OWN_GROUP = {"wang_ayi": 403, "li_shifu": 403, "qian_zhuren": 403, "zhao_kezhang": 403, "admin": DONE}
OF_GROUP = {
    "wang_ayi": "resident",
    "li_shifu": "served",
    "qian_zhuren": "community",
    "zhao_kezhang": "government",
}


@pytest.mark.parametrize("group", GROUPS)
def test_a_visitor_registers_only_into_a_group_anyone_may_choose(client, session, cast, group):
    response = post_form(
        client,
        "/accounts/register",
        {
            "username": f"new_{group}",
            "password": "a long fresh secret",
            "password_again": "a long fresh secret",
            "group": group,
        },
        page="/accounts/register",
    )
    assert response.status_code == REGISTERS_AS[group]
    made = session.query(User).filter_by(username=f"new_{group}").one_or_none()
    assert (made.group.value if made else None) == (group if response.status_code == DONE else None)


@pytest.mark.parametrize("actor", list(SETS_OWN_GROUP))
@pytest.mark.parametrize("group", GROUPS)
def test_only_an_admin_sets_a_group_whatever_group_they_are_in(client, session, cast, actor, group):
    log_in(client, actor, PASSWORD)
    me = getattr(cast, actor)
    response = post_form(client, f"/admin/users/{me.id}/group", {"group": group}, page="/")
    assert response.status_code == SETS_OWN_GROUP[actor]
    session.expire_all()
    expected = group if response.status_code == DONE else OF_GROUP[actor]
    assert session.get(User, me.id).group.value == expected


@pytest.mark.parametrize("group", GROUPS[1:])
def test_a_group_changes_no_other_answer(app, connection, session, hasher, cast, world, group):
    """Two people with no role, a resident and one of ``group``, each from the same world (a savepoint
    rolled back between them): every route of the matrix answers them alike."""
    people = {
        name: make_user(session, hasher, name, group=StakeholderGroup(of), admin=cast.admin)
        for name, of in (("plain_resident", "resident"), (f"plain_{group}", group))
    }
    session.flush()
    nobody = world.mine["visitor"]
    answers = {}
    for name in people:
        world.mine[name], world.theirs[name] = nobody, world.theirs["visitor"]
        attempt = connection.begin_nested()
        try:
            with TestClient(app, follow_redirects=False) as browser:
                log_in(browser, name, PASSWORD)
                answers[name] = {row.key: answer(browser, row, world, name) for row in GETS + POSTS}
        finally:
            attempt.rollback()
    assert answers["plain_resident"] == answers[f"plain_{group}"]
    assert answers["plain_resident"]["POST admin.user_group"] == 403  # not vacuous: a refusal among them
    assert answers["plain_resident"]["POST forums.start_thread"] == DONE  # and a success
