"""The volunteers feature (志愿服务): its declaration only, for now; pages come with the web phase.

The tables and registering modules are declared so that every process imports them (job handlers,
schedules, notification kinds, site settings) and ``alembic check`` sees the tables. The links are
placeholders (the home page) until the team, shift and certificate pages exist.
"""

from __future__ import annotations

from core.errors import N_
from web.feature import Feature, Link

feature = Feature(
    name="volunteers",
    models=["volunteers.models"],
    registers=[
        "volunteers.teams",
        "volunteers.notices",
        "volunteers.waitlist",
        "volunteers.certificates",
        "volunteers.reminders",
    ],
    # placeholders: the web phase points these at volunteers.team, volunteers.shift and volunteers.certificate
    links={"team": Link("home"), "shift": Link("home"), "certificate": Link("home")},
    audit_labels={
        "team.create": N_("Founded a volunteer team"),
        "team.edit": N_("Changed a volunteer team"),
        "team.appoint_leader": N_("Appointed a volunteer team leader"),
        "team.remove_leader": N_("A volunteer team leader stepped down"),
        "team.accept_member": N_("Accepted a volunteer team member"),
        "team.refuse_member": N_("Refused a request to join a volunteer team"),
        "shift.create": N_("Posted a volunteer shift"),
        "series.create": N_("Posted a weekly volunteer shift"),
        "shift.edit": N_("Changed a volunteer shift"),
        "shift.cancel": N_("Cancelled a volunteer shift"),
        "signup.approve": N_("Accepted a sign-up pending approval"),
        "signup.refuse": N_("Refused a sign-up pending approval"),
        "signup.remove": N_("Took a volunteer off a shift"),
        "attendance.check_in": N_("Checked a volunteer in"),
        "attendance.check_out": N_("Checked a volunteer out"),
        "attendance.record": N_("Recorded who came to a shift"),
        "hours.adjust": N_("Corrected a volunteer's hours"),
        "hours.verify": N_("Verified volunteer hours"),
        "certificate.accept": N_("Accepted an application for a certificate of service"),
        "certificate.decline": N_("Declined an application for a certificate of service"),
        "certificate.issue": N_("Issued a certificate of service"),
    },
)
