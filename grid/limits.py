"""How often one person or one address may report problems or answer a check (site settings admins change)."""

from core.errors import N_
from core.site_settings import rule_setting

rule_setting(
    "rate.case_report_per_user", "10/3600", N_("Problem reports (随手拍) per person"), N_("count/seconds")
)
rule_setting(
    "rate.case_report_per_ip", "40/3600", N_("Problem reports (随手拍) per IP address"), N_("count/seconds")
)
rule_setting(
    "rate.case_answer_per_user", "30/600", N_("Answers at a case's check per person"), N_("count/seconds")
)

REPORTING = ("rate.case_report_per_user", "rate.case_report_per_ip")
ANSWERING = ("rate.case_answer_per_user",)
