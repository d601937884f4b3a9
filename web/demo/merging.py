"""Demo step of the merges: the bins consultation (垃圾投放点开放时间调整) gets its 四意合一 — the
votes of an offline residents' meeting (居民议事会) imported as a Pol.is export, with all four groups,
then the demo's own people voting and writing online, all through the services. Made once: a merge
that already has its imported statements is left as it is."""

from __future__ import annotations

import random

from sqlalchemy import select

from deliberation.consultations.models import Consultation
from deliberation.merging import polis_import, refresh, statements, voting
from deliberation.merging.models import Statement
from web.demo import DemoContext

TITLE = "垃圾投放点开放时间调整"
# statement: how likely each group agrees (政府, 街道社区, 管理服务对象, 市民); disagreeing takes most of
# the rest, passing a little
STATEMENTS = {
    "早上六点半到八点半开放，方便上班前投放。": (0.85, 0.9, 0.8, 0.9),
    "晚上七点到九点再开放一次，照顾下班晚的居民。": (0.7, 0.75, 0.6, 0.95),
    "每个投放点安排一名督导员，劝导垃圾分类。": (0.9, 0.85, 0.35, 0.6),
    "误了时间的，可以投到带盖的临时桶里。": (0.4, 0.55, 0.8, 0.85),
    "物业每天清运两次，垃圾不许在投放点过夜。": (0.85, 0.85, 0.85, 0.9),
    "沿街商铺的垃圾单独收运，不占居民投放点。": (0.75, 0.7, 0.15, 0.9),
    "对不按时投放、乱扔垃圾的行为罚款。": (0.8, 0.5, 0.2, 0.4),
    "开放时间写在楼道公告栏和社区小程序里。": (0.9, 0.95, 0.85, 0.9),
    "投放点搬离幼儿园门口。": (0.6, 0.6, 0.3, 0.85),
    "投放点旁边装一个洗手池。": (0.5, 0.6, 0.7, 0.8),
}
GROUPS = ("government", "community", "served", "resident")
PER_GROUP = 12  # offline participants of each group
# online: who votes, and (where they write) what
ONLINE: tuple[str, ...] = ("wang_ayi", "liu_daye", "xiao_zhang", "li_shifu", "hongxing_wuye", "chenji_shop")
ONLINE += ("zhao_kezhang", "zheng_lao", "qian_zhuren", "chen_weiyuan")
WRITTEN = {
    "wang_ayi": "投放点晚上要有灯，老人看得清。",
    "chenji_shop": "商铺愿意自己约清运车，但费用要公开。",
}


def load(ctx: DemoContext) -> None:
    """The merge of the bins consultation, made once."""
    ctx.count("merge votes", 0)
    consultation = ctx.session.scalar(select(Consultation).where(Consultation.title == TITLE))
    if consultation is None or _done(ctx, consultation.id):
        return
    imported = polis_import.import_polis(
        ctx.session,
        ctx.person("wu_laoshi"),
        consultation.id,
        votes=("votes.csv", offline_votes()),
        groups=("groups.csv", offline_groups()),
        comments=("comments.csv", offline_comments()),
    )
    ctx.count("merge votes", imported.votes)
    ctx.count("merge votes", _online(ctx, consultation.id))
    refresh.refresh_in(ctx.session, consultation.id)  # the report is there on the first visit


def _done(ctx: DemoContext, consultation_id: int) -> bool:
    found = select(Statement.id).where(
        Statement.consultation_id == consultation_id, Statement.external_id.is_not(None)
    )
    return ctx.session.scalar(found.limit(1)) is not None


def _voter(group: str, n: int) -> str:
    return f"议事会-{group}-{n:02d}"


def offline_votes() -> str:
    """A Pol.is votes.csv of the meeting: the same votes every run (a seeded generator)."""
    rng = random.Random(2026)
    lines = ["timestamp,datetime,comment-id,voter-id,vote"]
    for g, group in enumerate(GROUPS):
        for n in range(PER_GROUP):
            leaning = rng.uniform(-0.1, 0.1)  # people of one group differ a little
            for comment, shares in enumerate(STATEMENTS.values(), start=1):
                roll = rng.random()
                agree = min(0.97, max(0.03, shares[g] + leaning))
                vote = 1 if roll < agree else 0 if roll < agree + 0.05 else -1
                lines.append(f"{1764547200000 + len(lines)},,{comment},{_voter(group, n)},{vote}")
    return "\n".join(lines) + "\n"


def offline_groups() -> str:
    rows = [f"{_voter(group, n)},{group}" for group in GROUPS for n in range(PER_GROUP)]
    return "participant,group\n" + "\n".join(rows) + "\n"


def offline_comments() -> str:
    rows = [f"{n},{text}" for n, text in enumerate(STATEMENTS, start=1)]
    return "comment-id,comment-body\n" + "\n".join(rows) + "\n"


def _online(ctx: DemoContext, consultation_id: int) -> int:
    """The demo's people vote on every statement by their group's leaning, and two write one more."""
    rng = random.Random(21)
    ids = ctx.session.execute(
        select(Statement.id, Statement.text).where(Statement.consultation_id == consultation_id)
    ).all()
    votes = 0
    for username in ONLINE:
        person = ctx.person(username)
        shares = {text: s[GROUPS.index(person.group.value)] for text, s in STATEMENTS.items()}
        for statement_id, text in ids:
            choice = "agree" if rng.random() < shares.get(text, 0.6) else "disagree"
            voting.cast_vote(ctx.session, person, consultation_id, statement_id, choice)
            votes += 1
    for username, text in WRITTEN.items():
        written = statements.write_statement(ctx.session, ctx.person(username), consultation_id, text)
        ctx.session.flush()  # the committee's acceptance names it
        statements.moderate(ctx.session, ctx.person("chen_weiyuan"), consultation_id, written.id, "accept")
        votes += 1
    return votes
