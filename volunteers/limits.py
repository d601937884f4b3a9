"""Rate-limit rules (site settings) for what one person could flood: sign-ups and requests to join.

``web`` names them on its routes (``limits=``); the counting is ``core.ratelimit``'s, per person.
"""

from __future__ import annotations

from core.errors import N_
from core.site_settings import rule_setting

SIGNUPS_PER_USER = rule_setting(
    "rate.volunteer_signup_per_user",
    "30/3600",
    N_("Volunteer sign-ups and cancellations per person"),
    N_("count/seconds, e.g. 30/3600 is thirty an hour"),
)
JOINS_PER_USER = rule_setting(
    "rate.volunteer_join_per_user",
    "10/3600",
    N_("Requests to join a volunteer team per person"),
    N_("count/seconds, e.g. 10/3600 is ten an hour"),
)
