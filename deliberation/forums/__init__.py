"""共话家园: public boards where everyone with a stake in a neighbourhood states and weighs its case.

Boards per grid cell and per theme; threads of posts that may take a stance (赞成 / 反对 / 补充 / 提问),
so a debate can be read as its arguments side by side; "有道理" reactions; following; an edit window
with history; reports, a moderators' queue and hiding with a public reason.
"""
