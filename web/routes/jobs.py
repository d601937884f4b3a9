"""``/admin/jobs``: queued, failed and dead background jobs, and retrying a dead one (jobs feature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core import jobs
from core.errors import N_
from core.pages import clamp
from web import auth
from web.feature import Feature, MenuEntry
from web.forms import Form, number, optional_choice
from web.htmx import redirect, render
from web.request_db import db
from web.routing import route
from web.urls import url_for

ATTENTION = (jobs.JobStatus.queued, jobs.JobStatus.running, jobs.JobStatus.retrying, jobs.JobStatus.dead)


def job_list(request: Request, form: Form) -> Response:
    session = db(request)
    chosen = optional_choice(request.query_params, "status", jobs.JobStatus)
    statuses = (chosen,) if chosen else ATTENTION
    found = jobs.list_jobs(
        session, statuses=statuses, page=clamp(number(request.query_params, "page")), per_page=50
    )
    return render(
        request,
        "admin/jobs.html",
        {
            "jobs": found,
            "statuses": statuses,
            "all_statuses": list(jobs.JobStatus),
            "counts": jobs.counts_by_status(session),
            "status_param": chosen.value if chosen else "",
        },
        block="job_list",
        private=True,
    )


def retry_job(request: Request, form: Form) -> Response:
    jobs.retry_job(db(request), auth.require_user(request), request.path_params["job_id"])
    return redirect(request, url_for(request, "admin.jobs"), N_("The job will run again shortly."))


routes = [
    route("/admin/jobs", job_list, name="admin.jobs", admin=True),
    route("/admin/jobs/{job_id:id}/retry", retry_job, ["POST"], name="admin.job_retry", admin=True),
]

feature = Feature(
    name="jobs",
    routes=routes,
    models=["core.jobs"],
    registers=["core.housekeeping"],
    audit_labels={"job.retry": N_("Retried a background job")},
    admin_menu=[
        MenuEntry(
            "admin.jobs",
            N_("Background jobs"),
            N_("Queued, failed and dead jobs, with their last error; retry a dead one."),
        )
    ],
)
