"""The monthly grid assessment (月度网格考核): the public ranking of a month with its bar chart and each
cell's twelve-month trend, the departments' indicators, the Excel export, and the committee's score
entry (the assessment feature)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from core import clock
from core.errors import N_, Invalid, NotFound, PermissionDenied
from grid import assessment, assessment_export, cells, scores
from web import auth
from web.demo import assessment as demo_assessment
from web.feature import Feature, NavItem
from web.forms import Form, FormView, text
from web.htmx import redirect, render, translator
from web.request_db import db
from web.routing import route
from web.urls import url_for

SCORE_FIELDS = ("cell_code", "score", "comment")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the bar chart's geometry, in the SVG's own units (it scales to the page's width)
CHART_WIDTH, LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT, TOP = 300, 100, 160, 20, 22
SPARK_WIDTH, SPARK_HEIGHT = 96, 24


@dataclass(frozen=True)
class Bar:
    y: int
    width: float
    label: str
    value: float


@dataclass(frozen=True)
class Spark:
    points: str  # the polyline's points
    dots: list[tuple[float, float]]
    described: str  # the values in words, for screen readers


def bars(results: list[assessment.CellResult]) -> list[Bar]:
    """One bar per ranked cell, best first."""
    ranked = [r for r in results if r.total is not None]
    return [
        Bar(TOP + i * ROW_HEIGHT, round(BAR_WIDTH * (r.total or 0) / 100, 1), r.name, r.total or 0)
        for i, r in enumerate(ranked)
    ]


def spark(trend: list[tuple[str, float | None]]) -> Spark:
    """A twelve-month line of totals (0 at the bottom, 100 at the top); months without a total skipped."""
    step = (SPARK_WIDTH - 4) / max(1, len(trend) - 1)
    dots = [
        (round(2 + i * step, 1), round(SPARK_HEIGHT - 2 - (value / 100) * (SPARK_HEIGHT - 4), 1))
        for i, (_, value) in enumerate(trend)
        if value is not None
    ]
    described = "; ".join(f"{month} {value if value is not None else '—'}" for month, value in trend)
    return Spark(" ".join(f"{x},{y}" for x, y in dots), dots, described)


def _month(request: Request) -> str:
    month = assessment.parse_month(str(request.path_params["month"]))
    if month is None:
        raise NotFound()
    return month


def latest(request: Request, form: Form) -> Response:
    """The latest assessed month, or the page saying none is yet."""
    months = assessment.assessed_months(db(request))
    if months:
        return redirect(request, url_for(request, "assessment.month", month=months[0]))
    return _page(request, assessment.shift(assessment.month_of(clock.now()), -1), months)


def month_page(request: Request, form: Form) -> Response:
    return _page(request, _month(request), assessment.assessed_months(db(request)))


def _page(request: Request, month: str, months: list[str]) -> Response:
    session = db(request)
    basis = assessment.resolution_basis(session)
    results = assessment.ranking(session, month, basis) if month in months else []
    trends = assessment.trends(session, month, basis) if results else {}
    return render(
        request,
        "assessment/month.html",
        {
            "month": month,
            "months": months,
            "previous": assessment.shift(month, -1),
            "next": assessment.shift(month, 1),
            "results": results,
            "ranked": [r for r in results if r.rank is not None],
            "unranked": [r for r in results if r.rank is None],
            "bars": bars(results),
            "chart": {"width": CHART_WIDTH, "label": LABEL_WIDTH, "bar": BAR_WIDTH, "row": ROW_HEIGHT},
            "sparks": {cell_id: spark(t) for cell_id, t in trends.items()},
            "spark_size": (SPARK_WIDTH, SPARK_HEIGHT),
            "departments": assessment.department_results(session, month) if results else [],
            "basis": basis,
            "may_score": scores.can_score(auth.current_user(request)),
        },
    )


def export(request: Request, form: Form) -> Response:
    month = _month(request)
    session = db(request)
    if not assessment.is_assessed(session, month):
        raise NotFound()
    body = assessment_export.ranking_xlsx(session, month, translate=translator(request).text)
    headers = {"Content-Disposition": f'attachment; filename="grid-assessment-{month}.xlsx"'}
    return Response(body, media_type=XLSX, headers=headers | {"Cache-Control": "no-store"})


def _member(request: Request) -> None:
    if not scores.can_score(auth.require_user(request)):
        raise PermissionDenied()


def score_page(request: Request, form: Form, view: FormView | None = None, status: int = 200) -> Response:
    _member(request)
    month = _month(request)
    if month not in scores.open_months(clock.now()):
        raise NotFound()
    session = db(request)
    return render(
        request,
        "assessment/scores.html",
        {
            "month": month,
            "open_months": scores.open_months(clock.now()),
            "cell_choices": cells.cell_choices(session),
            "entered": scores.scores_for_month(session, month),
            "form": view or FormView(values={"cell_code": text(request.query_params, "cell")[:15]}),
        },
        block="score_form",
        status=status,
    )


def save_score(request: Request, form: Form) -> Response:
    month = str(request.path_params["month"])
    try:
        scores.score_cell(
            db(request),
            auth.require_user(request),
            month=month,
            cell_code=text(form, "cell_code"),
            score=text(form, "score"),
            comment=text(form, "comment"),
        )
    except Invalid as error:
        if "month" in error.errors:
            raise NotFound() from None  # the month is the address, not a field
        return score_page(request, form, FormView.from_form(form, *SCORE_FIELDS, error=error), status=422)
    return redirect(request, url_for(request, "assessment.scores", month=month), N_("Your score is saved."))


routes = [
    route("/grid/assessments/", latest, name="assessment.index"),
    route("/grid/assessments/{month}", month_page, name="assessment.month"),
    route("/grid/assessments/{month}/ranking.xlsx", export, name="assessment.export"),
    route("/grid/assessments/{month}/scores", score_page, name="assessment.scores"),
    route("/grid/assessments/{month}/scores", save_score, ["POST"], name="assessment.score"),
]

feature = Feature(
    name="assessment",
    routes=routes,
    models=["grid.models"],
    registers=["grid.assessment", "grid.scores"],
    audit_labels={"assessment.score": N_("Scored a grid cell for the month (模拟考核)")},
    nav=NavItem("assessment.index", N_("Assessment")),
    demo=demo_assessment.load,
)
