"""四意合一 merges: the report at a glance, voting one card at a time, writing statements with hints of
similar ones, the committee's moderation, Pol.is imports, the merged opinion and its CSV (the merging
feature)."""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from core.errors import N_, Invalid
from deliberation.consultations import resolutions
from deliberation.consultations.access import can_steer
from deliberation.consultations.models import State
from deliberation.merging import opinion, overview, polis_import, reporting, statements, voting
from deliberation.merging.access import access_to_moderate, can_moderate, merge_consultation
from deliberation.merging.models import STATEMENT_MAX, Merge, StatementStatus
from deliberation.merging.polis_files import PolisFileError, decode
from search.kinds import merging as search_merging
from web import auth
from web.demo import merging as demo_merging
from web.feature import Feature, HomeArea, Link, ParticipationArea
from web.forms import Form, FormView, number, text
from web.htmx import is_fragment_request, redirect, render, translator
from web.request_db import db
from web.routing import route
from web.urls import url_for

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # the largest Pol.is votes.csv we know is a few MB
IMPORT_FILES = ("votes", "groups", "comments")
# the groups' names in charts and tiles, short enough for a bar's label on a phone
SHORT_GROUPS = {
    "government": N_("Government"),
    "community": N_("Street and community"),
    "served": N_("Managed and served"),
    "resident": N_("Residents"),
}
CHARTS = {"groups": reporting.GROUPS, "short_groups": SHORT_GROUPS, "cluster_names": reporting.CLUSTER_NAMES}


def _consultation_id(request: Request) -> int:
    return int(request.path_params["consultation_id"])


def _page(request: Request, name: str) -> str:
    return url_for(request, name, consultation_id=_consultation_id(request))


def report_page(
    request: Request,
    form: Form,
    forms: dict[str, FormView] | None = None,
    status: int = 200,
    block: str | None = None,
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    consultation = merge_consultation(session, viewer, _consultation_id(request))
    # held here, the row stays in the session's (weak) identity map: the services read it, not the database
    merge = session.get(Merge, consultation.id)
    report = reporting.merge_report(session, consultation.id)
    committee = can_moderate(viewer)
    written = merge.opinion if merge else ""
    return render(
        request,
        "merging/report.html",
        {
            **CHARTS,
            "c": consultation,
            "report": report,
            "merge": merge,
            "committee": committee,
            "steer": can_steer(viewer, consultation),
            "deliberating": consultation.state is State.deliberating,
            "collecting": consultation.state is State.collecting,
            "resolution": resolutions.resolution_of(session, consultation.id) if committee else None,
            "forms": {"opinion": FormView(values={"opinion": written or outline(request, report)})}
            | (forms or {}),
            "newer": block == "freshness",
        },
        status=status,
        block=block,
    )


def freshness(request: Request, form: Form) -> Response:
    """The polled freshness line: 204 while the analysis the page shows is still the latest, the
    block with a link to the newer one otherwise (without JS, the whole report)."""
    session, viewer = db(request), auth.current_user(request)
    consultation = merge_consultation(session, viewer, _consultation_id(request))
    since = text(request.query_params, "since")  # seconds since 1970: ten digits, past web.forms.number
    merge = session.get(Merge, consultation.id)
    shown_at = int(merge.report_at.timestamp()) if merge and merge.report_at else 0
    if since == str(shown_at) and is_fragment_request(request):
        return Response(status_code=204, headers={"Vary": "HX-Request"})
    return report_page(request, form, block="freshness")


def outline(request: Request, report: reporting.Report) -> str:
    """A first text for the merged opinion that cites the meeting points, in the reader's language."""
    if not report.meeting_points:
        return ""
    say: Callable[..., str] = translator(request).text
    cited = "\n".join(
        "- " + say(N_("%(text)s (consensus %(score)s)"), text=line.text, score=f"{line.consensus or 0:.2f}")
        for line in report.meeting_points
    )
    return (
        say(N_("Where all four groups agree:")) + "\n\n" + cited + "\n\n" + say(N_("The committee proposes:"))
    )


def vote_page(
    request: Request,
    form: Form,
    view: FormView | None = None,
    status: int = 200,
    block: str | None = "vote_card",
    statement: int | None = None,
) -> Response:
    session, viewer = db(request), auth.current_user(request)
    consultation = merge_consultation(session, viewer, _consultation_id(request))
    merge = session.get(Merge, consultation.id)  # kept in the identity map for the services below
    chosen = statement or number(request.query_params, "statement")
    if chosen is not None:
        card = voting.card_for(session, viewer, consultation.id, chosen)
    else:
        # which statement comes next only spreads the votes, as Pol.is does; it guards nothing
        card = voting.next_statement(session, viewer, consultation.id, random.Random())  # noqa: S311
    view = view or FormView(values={"text": text(request.query_params, "text")})
    draft = view.value("text")
    return render(
        request,
        "merging/vote.html",
        {
            "c": consultation,
            "card": card,
            "collecting": consultation.state is State.collecting,
            "form": view,
            "similar": statements.similar_statements(session, consultation.id, draft) if draft else [],
            "mine": voting.votes_of(session, viewer, consultation.id)[:20] if viewer else [],
            "max_chars": STATEMENT_MAX,
            "require_approval": bool(merge and merge.require_approval),
        },
        block=block,
        status=status,
    )


def similar(request: Request, form: Form) -> Response:
    """The hints while writing (htmx asks for the ``similar`` block; without JS, the whole page)."""
    return vote_page(request, form, block="similar")


def vote(request: Request, form: Form) -> Response:
    consultation_id, statement_id = _consultation_id(request), int(request.path_params["statement_id"])
    try:
        voting.cast_vote(
            db(request), auth.current_user(request), consultation_id, statement_id, text(form, "vote")
        )
    except Invalid as error:  # the same card again, with the message
        view = FormView(errors=dict(error.errors))
        return vote_page(request, form, view, status=422, statement=statement_id)
    return redirect(request, _page(request, "merging.vote_page"))


def write(request: Request, form: Form) -> Response:
    try:
        statements.write_statement(
            db(request), auth.current_user(request), _consultation_id(request), text(form, "text")
        )
    except Invalid as error:
        view = FormView.from_form(form, "text", error=error)
        return vote_page(request, form, view, status=422, block="statement_form")
    return redirect(
        request,
        _page(request, "merging.vote_page"),
        N_("Your statement is added. Others can vote on it now."),
    )


def moderation(
    request: Request,
    form: Form,
    view: FormView | None = None,
    status: int = 200,
    block: str = "moderation_queue",
) -> Response:
    session = db(request)
    consultation = access_to_moderate(session, auth.require_user(request), _consultation_id(request))
    merge = session.get(Merge, consultation.id)
    return render(
        request,
        "merging/moderation.html",
        {
            "c": consultation,
            "queue": statements.moderation_queue(session, consultation.id),
            "require_approval": bool(merge and merge.require_approval),
            "statuses": StatementStatus,
            "form": view or FormView(),
        },
        block=block,
        status=status,
    )


def moderate(request: Request, form: Form) -> Response:
    statements.moderate(
        db(request),
        auth.current_user(request),
        _consultation_id(request),
        int(request.path_params["statement_id"]),
        text(form, "action"),
    )
    return redirect(request, _page(request, "merging.moderation"), N_("Saved."))


def approval(request: Request, form: Form) -> Response:
    required = text(form, "required") == "1"
    statements.require_approval(db(request), auth.current_user(request), _consultation_id(request), required)
    message = N_("New statements now wait for approval.") if required else N_("New statements show at once.")
    return redirect(request, _page(request, "merging.moderation"), message)


def import_votes(request: Request, form: Form) -> Response:
    # who may import is settled before the files are read: a refusal never depends on them
    access_to_moderate(db(request), auth.current_user(request), _consultation_id(request))
    files: dict[str, tuple[str, str] | None] = {}
    try:
        for name in IMPORT_FILES:
            files[name] = _upload(form, name)
        if files["votes"] is None:
            raise Invalid("votes", N_("Choose the Pol.is votes.csv file."))
        done = polis_import.import_polis(
            db(request),
            auth.current_user(request),
            _consultation_id(request),
            votes=files["votes"],
            groups=files["groups"],
            comments=files["comments"],
        )
    except Invalid as error:
        return moderation(request, form, FormView(errors=dict(error.errors)), status=422, block="import_form")
    assert done.votes  # a votes file without votes is refused by the reader
    return redirect(request, _page(request, "merging.moderation"), N_("The Pol.is votes are imported."))


def _upload(form: Form, name: str) -> tuple[str, str] | None:
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = upload.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(name, N_("At most %(max)s MB."), max=MAX_IMPORT_BYTES // (1024 * 1024))
    try:
        return upload.filename, decode(upload.filename, data)
    except PolisFileError as error:
        raise Invalid(name, error.message.key, **error.message.params) from None


def save_opinion(request: Request, form: Form) -> Response:
    try:
        opinion.draft_opinion(
            db(request),
            auth.current_user(request),
            _consultation_id(request),
            text(form, "opinion", strip=False),
        )
    except Invalid as error:
        view = FormView.from_form(form, "opinion", error=error)
        return report_page(request, form, {"opinion": view}, status=422)
    return redirect(request, _page(request, "merging.page") + "#opinion", N_("The merged opinion is saved."))


def use_as_draft(request: Request, form: Form) -> Response:
    consultation_id = _consultation_id(request)
    opinion.use_as_draft(db(request), auth.current_user(request), consultation_id)
    target = url_for(request, "consultations.detail", consultation_id=consultation_id)
    return redirect(request, f"{target}#resolution", N_("The merged opinion is now the resolution's draft."))


def report_csv(request: Request, form: Form) -> Response:
    session = db(request)
    consultation = merge_consultation(session, auth.current_user(request), _consultation_id(request))
    body = reporting.report_csv(reporting.merge_report(session, consultation.id))
    return Response(
        "\ufeff" + body,  # a byte-order mark, so Excel reads the Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="merge-{consultation.id}.csv"',
            "Cache-Control": "no-cache",
        },
    )


PREFIX = "/consultations/{consultation_id:id}/merge"
routes = [
    route(PREFIX, report_page, name="merging.page"),
    route(PREFIX + ".csv", report_csv, name="merging.csv"),
    route(PREFIX + "/freshness", freshness, name="merging.freshness"),
    route(PREFIX + "/vote", vote_page, name="merging.vote_page"),
    route(PREFIX + "/similar", similar, name="merging.similar"),
    route(
        PREFIX + "/statements",
        write,
        ["POST"],
        name="merging.write",
        limits=("rate.merge_statement_per_user", "rate.merge_statement_per_ip"),
    ),
    route(
        PREFIX + "/statements/{statement_id:id}/vote",
        vote,
        ["POST"],
        name="merging.vote",
        limits=("rate.merge_vote_per_user",),
    ),
    route(PREFIX + "/moderation", moderation, name="merging.moderation"),
    route(PREFIX + "/statements/{statement_id:id}/moderate", moderate, ["POST"], name="merging.moderate"),
    route(PREFIX + "/approval", approval, ["POST"], name="merging.approval"),
    route(
        PREFIX + "/import",
        import_votes,
        ["POST"],
        name="merging.import",
        uploads=True,
        limits=("rate.merge_import_per_user",),
    ),
    route(PREFIX + "/opinion", save_opinion, ["POST"], name="merging.opinion"),
    route(PREFIX + "/opinion/use", use_as_draft, ["POST"], name="merging.use_as_draft"),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    """The merges she wrote statements or voted in, with the consultation's stage."""
    return {"merges": overview.taken_part(session, user.id)}


feature = Feature(
    name="merge",
    searchables=search_merging.SEARCHABLES,
    participation=ParticipationArea("merge", "merging/_participation.html", _participation),
    routes=routes,
    models=["deliberation.merging.models"],
    registers=[
        "deliberation.merging.refresh",
        "deliberation.merging.statements",
        "deliberation.merging.limits",
    ],
    links={"merge": Link("merging.page", "consultation_id")},
    audit_labels={
        "merge.moderate": N_("Moderated a merge statement"),
        "merge.approval": N_("Changed whether merge statements wait for approval"),
        "merge.import": N_("Imported Pol.is votes into a merge"),
        "merge.opinion": N_("Drafted a merged opinion"),
        "merge.use_as_draft": N_("Used a merged opinion as the resolution's draft"),
    },
    home=HomeArea("merge", "merging/_home.html", overview.home_summary),
    demo=demo_merging.load,
)
