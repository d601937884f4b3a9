"""调解 mediation by the deliberation committee (the mediation feature).

A case's pages and forms are private: handlers pass the viewer (a visitor too) to the services, which
answer ``NotFound`` to anyone who may not see the case, so a visitor, a neighbour or another committee
member gets the same 404 for a case that exists as for one that does not. Private pages are rendered
with ``private=True`` (``Cache-Control: no-store`` and ``hx-history="false"``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from accounts.models import User
from core.errors import N_, Invalid
from core.pages import clamp
from deliberation.mediation import (
    agreements,
    cases,
    disputes,
    fields,
    handoff,
    lifecycle,
    meetings,
    statistics,
)
from deliberation.mediation.models import (
    Action,
    DisputeKind,
    DisputeStatus,
    Referral,
)
from grid import taxonomy
from web import auth
from web.demo import mediation as demo_mediation
from web.feature import Feature, HomeArea, Link, NavItem, ParticipationArea
from web.forms import Form, FormView, number, optional_choice, text
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

APPLICATION_FIELDS = ("kind", "respondent_username", "respondent_name", "account", "wanted")


# --- public -----------------------------------------------------------------------------------------


def index(request: Request, form: Form) -> Response:
    """The public page: what mediation is, how to ask for it, and anonymised counts."""
    context = {
        "years": statistics.yearly_counts(db(request)),
        "outcomes": statistics.COLUMNS,
        "min_shown": statistics.MIN_SHOWN,
    }
    return render(request, "mediation/index.html", context, block="counts")


# --- applying ---------------------------------------------------------------------------------------


def apply_form(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    auth.require_user(request)
    context = {"form": view or FormView(), "kinds": list(DisputeKind)}
    return render(request, "mediation/apply.html", context, block="apply_form", status=status, private=True)


def apply(request: Request, form: Form) -> Response:
    settings = request.app.state.settings
    uploads = [
        disputes.Upload(f.file, f.filename or "file")
        for f in form.getlist("attachments")
        if isinstance(f, UploadFile) and f.filename
    ]
    application = disputes.Application(**{name: text(form, name, strip=False) for name in APPLICATION_FIELDS})
    try:
        dispute = disputes.apply_for_mediation(
            db(request),
            auth.require_user(request),
            application,
            attachments=uploads,
            upload_dir=settings.upload_dir,
            max_file_bytes=settings.max_upload_bytes,
        )
    except Invalid as error:
        return apply_form(request, form, FormView.from_form(form, *APPLICATION_FIELDS, error=error), 422)
    return redirect(
        request,
        url_for(request, "mediation.case", dispute_id=dispute.id),
        N_("Your application is with the committee chair, who will decide whether to take it up."),
    )


# --- lists ------------------------------------------------------------------------------------------


def mine(request: Request, form: Form) -> Response:
    """My cases: those I am a party to, and those I mediate."""
    found = cases.my_cases(
        db(request), auth.require_user(request), page=clamp(number(request.query_params, "page"))
    )
    return render(request, "mediation/mine.html", {"cases": found}, block="case_list", private=True)


def all_cases(request: Request, form: Form) -> Response:
    """The chair's list of every case, by where it stands."""
    status = optional_choice(request.query_params, "status", DisputeStatus)
    found = cases.all_cases(
        db(request),
        auth.current_user(request),
        status=status,
        page=clamp(number(request.query_params, "page")),
    )
    context = {"cases": found, "status": status, "statuses": list(DisputeStatus)}
    return render(request, "mediation/cases.html", context, block="case_list", private=True)


# --- a case -----------------------------------------------------------------------------------------


def case(
    request: Request,
    form: Form,
    view: FormView | None = None,
    acting: Action | str | None = None,
    status: int = 200,
) -> Response:
    """A case's page; with ``view`` and ``acting``, the form that came back 422 keeps what was typed."""
    session, viewer = db(request), auth.current_user(request)
    page = cases.case_page(session, viewer, request.path_params["dispute_id"])
    d = page.dispute
    handed = handoff.handed_case(session, d.id) if d.status in handoff.HANDED_FROM else None
    may_hand_off = handed is None and handoff.may_hand_off(
        viewer, d.status, d.shared_summary, [p.share_consent for p in page.parties]
    )
    context = {
        "handed": handed,
        "may_hand_off": may_hand_off,
        "categories": taxonomy.choices(session) if may_hand_off else [],
        "page": page,
        "d": page.dispute,
        "A": Action,
        "form": _defaults(page, view),
        "acting": acting,
        "chosen": (view.value("attended") if view else "").split(","),
        "referrals": list(Referral),
        "empty_form": FormView(),
    }
    return render(request, "mediation/case.html", context, block="case", status=status, private=True)


def _defaults(page: cases.CasePage, typed: FormView | None) -> FormView:
    """What the forms start with (today's meeting, the agreement as it stands, a visit in a month),
    under what was typed into the form that came back."""
    today = fields.today()
    values = {
        "held_on": today.isoformat(),
        "agreement": page.dispute.agreement_text,
        "follow_up_on": (today + timedelta(days=30)).isoformat(),
    }
    if typed is None:
        return FormView(values)
    return FormView(values | typed.values, typed.errors)


Step = Callable[[Session, User | None, int], object]


def _act(
    request: Request, form: Form, action: Action, step: Step, typed: tuple[str, ...], done: str
) -> Response:
    """One step on a case: the service decides; 422 shows the case again with this form's messages."""
    dispute_id = request.path_params["dispute_id"]
    try:
        step(db(request), auth.current_user(request), dispute_id)
    except Invalid as error:
        view = FormView.from_form(form, *typed, error=error)
        view.values["attended"] = ",".join(v for v in form.getlist("attended") if isinstance(v, str))
        return case(request, form, view, action, 422)
    return redirect(request, url_for(request, "mediation.case", dispute_id=dispute_id), done)


def hand_off(request: Request, form: Form) -> Response:
    dispute_id = request.path_params["dispute_id"]
    try:
        handoff.hand_off(
            db(request),
            auth.current_user(request),
            dispute_id,
            title=text(form, "title"),
            class_id=number(form, "category"),
            note=text(form, "note"),
        )
    except Invalid as error:
        return case(
            request, form, FormView.from_form(form, "title", "category", "note", error=error), "hand_off", 422
        )
    message = N_("Handed to the grid: a staff-only case with the shared summary, and nothing else.")
    return redirect(request, url_for(request, "mediation.case", dispute_id=dispute_id), message)


def accept(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return disputes.accept_case(session, actor, dispute_id, mediator_id=number(form, "mediator"))

    return _act(request, form, Action.accept, step, ("mediator",), N_("The case is accepted."))


def decline(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return disputes.decline_case(session, actor, dispute_id, reason=text(form, "reason"))

    return _act(request, form, Action.decline, step, ("reason",), N_("The case is declined."))


def log_meeting(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return meetings.log_meeting(
            session,
            actor,
            dispute_id,
            held_on=text(form, "held_on"),
            attended=[v for v in form.getlist("attended") if isinstance(v, str)],
            others=text(form, "others"),
            notes=text(form, "notes", strip=False),
        )

    typed = ("held_on", "others", "notes")
    return _act(request, form, Action.log_meeting, step, typed, N_("The meeting is logged."))


def propose(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return agreements.propose_agreement(
            session, actor, dispute_id, text=text(form, "agreement", strip=False)
        )

    done = N_("The agreement is put to the parties.")
    return _act(request, form, Action.propose, step, ("agreement",), done)


def confirm(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return agreements.confirm_agreement(session, actor, dispute_id, version=number(form, "version"))

    return _act(request, form, Action.confirm, step, (), N_("You confirmed the agreement."))


def fail(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        outside = [v for v in form.getlist("outside_consent") if isinstance(v, str)]
        return agreements.record_failure(
            session, actor, dispute_id, summary=text(form, "summary", strip=False), outside_consent=outside
        )

    done = N_("Recorded: mediation did not succeed.")
    return _act(request, form, Action.fail, step, ("summary",), done)


def consent(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return agreements.answer_consent(session, actor, dispute_id, consent=text(form, "consent") == "yes")

    return _act(request, form, Action.consent, step, (), N_("Your answer is recorded."))


def refer(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return disputes.refer_case(
            session, actor, dispute_id, referral=text(form, "referral"), note=text(form, "referral_note")
        )

    typed = ("referral", "referral_note")
    return _act(request, form, Action.refer, step, typed, N_("The case is referred."))


def close(request: Request, form: Form) -> Response:
    def step(session: Session, actor: User | None, dispute_id: int) -> object:
        return disputes.close_case(
            session, actor, dispute_id, follow_up_on=text(form, "follow_up_on"), note=text(form, "note")
        )

    typed = ("follow_up_on", "note")
    return _act(request, form, Action.close, step, typed, N_("The case is closed."))


def _home(session: Session, viewer: User | None) -> dict[str, object]:
    return {}  # the card is fixed text: counts of private cases belong on the mediation page only


CASE = "/mediation/{dispute_id:id}"
routes = [
    route("/mediation/", index, name="mediation.index"),
    route("/mediation/apply", apply_form, name="mediation.apply_form"),
    route(
        "/mediation/apply",
        apply,
        ["POST"],
        name="mediation.apply",
        uploads=True,
        limits=("rate.mediation_apply_per_user", "rate.mediation_apply_per_ip"),
    ),
    route("/mediation/mine", mine, name="mediation.mine"),
    route("/mediation/cases", all_cases, name="mediation.cases"),
    route(CASE, case, name="mediation.case"),
    route(f"{CASE}/accept", accept, ["POST"], name="mediation.accept"),
    route(f"{CASE}/decline", decline, ["POST"], name="mediation.decline"),
    route(f"{CASE}/meetings", log_meeting, ["POST"], name="mediation.log_meeting"),
    route(f"{CASE}/agreement", propose, ["POST"], name="mediation.propose"),
    route(f"{CASE}/confirm", confirm, ["POST"], name="mediation.confirm"),
    route(f"{CASE}/fail", fail, ["POST"], name="mediation.fail"),
    route(f"{CASE}/consent", consent, ["POST"], name="mediation.consent"),
    route(f"{CASE}/refer", refer, ["POST"], name="mediation.refer"),
    route(f"{CASE}/close", close, ["POST"], name="mediation.close"),
    route(f"{CASE}/hand-off", hand_off, ["POST"], name="mediation.hand_off"),
]


def _participation(session: Session, user: User) -> dict[str, object]:
    """Her mediation cases: private, and this page is hers alone."""
    return {"disputes": cases.my_cases(session, user, page=1, per_page=10)}


feature = Feature(
    name="mediation",
    participation=ParticipationArea("mediation", "mediation/_participation.html", _participation),
    routes=routes,
    models=["deliberation.mediation.models"],
    registers=[
        "deliberation.mediation.lifecycle",
        "deliberation.mediation.access",
        "deliberation.mediation.limits",
        "deliberation.mediation.follow_up",
    ],
    links={lifecycle.TARGET: Link("mediation.case", "dispute_id")},
    audit_labels={
        "dispute.accept": N_("Accepted a mediation case"),
        "dispute.decline": N_("Declined a mediation case"),
        "mediation.hand_off": N_("Handed a mediation's shared summary to the grid"),
    },
    nav=NavItem("mediation.index", N_("Mediation")),
    home=HomeArea("mediation", "mediation/_home.html", _home),
    demo=demo_mediation.load,
)
