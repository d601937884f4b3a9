"""How often one person or one address may apply for mediation (site settings admins can change)."""

from core.errors import N_
from core.site_settings import rule_setting

rule_setting(
    "rate.mediation_apply_per_user", "3/86400", N_("Mediation applications per person"), N_("count/seconds")
)
rule_setting(
    "rate.mediation_apply_per_ip",
    "10/86400",
    N_("Mediation applications per IP address"),
    N_("count/seconds"),
)
