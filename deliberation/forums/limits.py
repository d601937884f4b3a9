"""How often one person or one address may write in the forums (site settings admins can change)."""

from core.errors import N_
from core.site_settings import rule_setting

rule_setting("rate.forum_thread_per_user", "6/3600", N_("New forum threads per person"), N_("count/seconds"))
rule_setting(
    "rate.forum_thread_per_ip", "30/3600", N_("New forum threads per IP address"), N_("count/seconds")
)
rule_setting(
    "rate.forum_post_per_user", "30/600", N_("Forum replies and edits per person"), N_("count/seconds")
)
rule_setting(
    "rate.forum_post_per_ip", "120/600", N_("Forum replies and edits per IP address"), N_("count/seconds")
)
rule_setting("rate.forum_reaction_per_user", "120/600", N_("有道理 marks per person"), N_("count/seconds"))
rule_setting(
    "rate.forum_report_per_user", "20/3600", N_("Reports of forum posts per person"), N_("count/seconds")
)
