"""The city's merges (四意合一): the consultations that collect views get statements written through the
service by residents, then the votes of thousands of residents in bulk, as ``cast_vote`` leaves them:
one participant row per person, one vote per person per statement, each with the group its voter has.
The first merge is the large one (half the votes). Opinion camps that cut across the four groups give
the analysis something to find. ``analyse`` computes each merge's cached report once, as its job does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StakeholderGroup, User
from core import clock
from core.db import run_write
from deliberation.merging import refresh, statements
from deliberation.merging.models import Participant, Vote, VoteValue
from web.demo.city import STATEMENTS_PER_MERGE, CityContext, bulk_insert, bulk_insert_ids

IDEAS = [
    "由网格员每天早晚各巡查一次。",
    "先在一条街试点三个月，再决定是否推广。",
    "在路口立一块公示牌，写清楚规定和投诉电话。",
    "商户自己组织值日，每天收摊后清扫。",
    "违规三次的取消资格，不再通融。",
    "晚上十点以后禁止一切噪声作业。",
    "把问题交给物业，社区只做协调。",
    "请城管执法中队每周联合检查一次。",
    "费用由受益的商户和居民共同分担。",
    "所有改动先在居民议事会上表决。",
    "为老人和残疾人留出专门通道。",
    "利用学校操场夜间开放解决停车。",
    "加装摄像头，发现问题及时处理。",
    "设置志愿者劝导岗，先劝导后处罚。",
    "每月在论坛上公布处理结果。",
    "划定固定区域，区域外一律不许摆放。",
    "给小商户三个月的过渡期。",
    "由街道出资购买清运服务。",
    "开通随手拍专区，当天受理当天答复。",
    "维持现状，不要增加新的管理规定。",
    "请人大代表和政协委员一起参与监督。",
    "高峰时段安排交警现场疏导。",
    "把投诉最多的地点列为重点整治区域。",
    "年底由群议委评估效果并公开报告。",
    "邀请专家做一次实地调研再定方案。",
]
GROUP_LEAN = {  # how much more (or less) each group agrees than the camps say, per statement parity
    StakeholderGroup.government: 0.10,
    StakeholderGroup.community: 0.05,
    StakeholderGroup.served: -0.15,
    StakeholderGroup.resident: 0.0,
}
CAMPS = 3


def load(ctx: CityContext) -> dict[str, int]:
    total = {"statements": 0, "participants": 0, "votes": 0}
    for n, consultation_id in enumerate(ctx.merges):
        added = run_write(ctx.sessions, partial(_merge, ctx=ctx, n=n, consultation_id=consultation_id))
        for noun, count in added.items():
            total[noun] += count
    return total


def votes_for(ctx: CityContext, n: int) -> int:
    """Votes of the ``n``th merge: half of all for the first (when there are several), the rest even."""
    merges, votes = ctx.scale.merges, ctx.scale.merge_votes
    if merges == 1:
        return votes
    return votes // 2 if n == 0 else math.ceil((votes - votes // 2) / (merges - 1))


def _merge(session: Session, ctx: CityContext, n: int, consultation_id: int) -> dict[str, int]:
    rng = ctx.rng
    people = min(
        len(ctx.residents), max(STATEMENTS_PER_MERGE, math.ceil(votes_for(ctx, n) / STATEMENTS_PER_MERGE))
    )
    voters = rng.sample(ctx.residents, people)
    authors = voters[:STATEMENTS_PER_MERGE]
    written = []
    for author_id, text in zip(authors, IDEAS, strict=False):
        author = session.get_one(User, author_id)
        written.append(statements.write_statement(session, author, consultation_id, text))
    session.flush()
    ids = [s.id for s in written]
    own = dict(
        session.execute(
            select(Participant.user_id, Participant.id).where(Participant.consultation_id == consultation_id)
        ).all()
    )
    now = clock.now()
    others = [uid for uid in voters if uid not in own]
    rows = [
        {
            "consultation_id": consultation_id,
            "user_id": uid,
            "stakeholder_group": ctx.groups[uid],
            "created_at": now,
        }
        for uid in others
    ]
    participants = own | dict(zip(others, bulk_insert_ids(session, Participant, rows), strict=True))
    lean = [[rng.random() for _ in range(CAMPS)] for _ in ids]  # each camp's chance to agree, per statement
    authored = {(participants[uid], sid) for uid, sid in zip(authors, ids, strict=False)}

    def votes() -> Iterator[dict[str, Any]]:
        for uid in voters:
            participant, group, camp = participants[uid], ctx.groups[uid], rng.randrange(CAMPS)
            for k, statement_id in enumerate(ids):
                if (participant, statement_id) in authored:
                    continue  # the author's own agree vote, written with the statement
                agree = lean[k][camp] + (GROUP_LEAN[group] if k % 2 else -GROUP_LEAN[group])
                roll = rng.random()
                value = (
                    VoteValue.agree
                    if roll < agree
                    else VoteValue.pass_
                    if roll < agree + 0.08
                    else VoteValue.disagree
                )
                yield {
                    "statement_id": statement_id,
                    "participant_id": participant,
                    "consultation_id": consultation_id,
                    "value": int(value),
                    "stakeholder_group": group,
                    "cast_at": now,
                }

    cast = bulk_insert(session, Vote, votes())
    return {"statements": len(ids), "participants": len(participants), "votes": cast + len(authored)}


def analyse(ctx: CityContext) -> dict[str, int]:
    """Each merge's analysis, computed and cached once (what its refresh job would do); the largest's time."""
    largest = (0, 0.0)
    for consultation_id in ctx.merges:
        started = time.perf_counter()
        done = refresh.refresh_analysis(ctx.sessions, consultation_id)
        if done.votes >= largest[0]:
            largest = (done.votes, time.perf_counter() - started)
    return {
        "analyses": len(ctx.merges),
        "votes in the largest": largest[0],
        "ms for the largest": round(largest[1] * 1000),
    }
