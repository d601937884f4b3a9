"""How often one person or one address may write statements and vote (site settings admins change)."""

from core.errors import N_
from core.site_settings import rule_setting

rule_setting(
    "rate.merge_statement_per_user", "10/3600", N_("Merge statements written per person"), N_("count/seconds")
)
rule_setting(
    "rate.merge_statement_per_ip",
    "60/3600",
    N_("Merge statements written per IP address"),
    N_("count/seconds"),
)
# a card takes a few seconds to read: 300 in ten minutes is faster than anyone reads
rule_setting("rate.merge_vote_per_user", "300/600", N_("Merge votes per person"), N_("count/seconds"))
rule_setting("rate.merge_import_per_user", "10/3600", N_("Pol.is imports per person"), N_("count/seconds"))
