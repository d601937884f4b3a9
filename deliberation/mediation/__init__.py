"""调解: the deliberation committee (群议委) mediates disputes between neighbours, residents and the
shops, vendors and property firms they live beside.

A dispute is private: only its parties, its mediator, the committee chair and admins see it, its
files or its timeline; everyone else is told there is nothing there (404), whether the case exists or
not. It is never indexed and public pages show anonymised counts only.

- ``models``: disputes, their parties, mediation meetings and the private timeline
- ``lifecycle``: the one table of moves (state, action, who may, next state) and ``advance()``
- ``access``: who may see a dispute, in which capacity each person acts, ``access_dispute``
- ``disputes``: applying, the chair's decision, referral and closing
- ``meetings``: mediation meetings (调解会) logged by the mediator
- ``agreements``: the agreement (调解协议) each party confirms, failure and consent to share
- ``cases``: the read path for pages (frozen rows from statements built once)
- ``statistics``: the public counts by type and outcome per year, none below three
- ``follow_up``: the reminder on a closed case's follow-up day (回访)
"""
