"""Demo step of the consultations: the committee's profiles, and consultations in every stage, raised
from the forum's debates, with meetings, minutes and a resolution the committee adopted."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core import clock
from deliberation.consultations import committee, convening, lifecycle, meetings, resolutions
from deliberation.consultations.models import CommitteeProfile, Consultation
from deliberation.forums.models import Thread
from web.demo import DemoContext

PROFILES = {
    "chen_weiyuan": (
        "退休干部",
        "社区治理、群众工作",
        "在街道工作三十年，退休后担任群议委主任，主持协商和调解。",
    ),
    "zhou_jiaoshou": ("城市规划专家", "街道空间、停车与摊点布局", "长期研究老城区街巷空间改造。"),
    "wu_laoshi": ("法律学者", "物业纠纷、相邻关系", "为社区提供法律咨询，参与多起邻里调解。"),
    "zheng_lao": ("退休干部", "城市管理执法", "曾在城管部门工作，熟悉网格化管理流程。"),
}
STALLS = "人民路早点摊能不能划定固定摊位？"
EXITS = "小区消防通道总被私家车占用"
BINS = "柳岸社区垃圾投放点开放时间征求意见"


def load(ctx: DemoContext) -> None:
    """Profiles, then one consultation per stage; each is made once (looked up by its title)."""
    for username, (title, expertise, biography) in PROFILES.items():
        member = ctx.person(username)
        if ctx.session.get(CommitteeProfile, member.id) is not None:
            continue
        committee.edit_profile(
            ctx.session,
            ctx.admin,
            member.id,
            title=title,
            expertise=expertise,
            biography=biography,
            term_start=date(2025, 1, 1),
            term_end=date(2027, 12, 31),
        )
    ctx.count("consultations", 0)
    if _missing(ctx, "银河路口早点摊位试点"):
        _agreed(ctx)
    if _missing(ctx, "消防通道停车管理办法"):
        _deliberating(ctx)
    if _missing(ctx, "垃圾投放点开放时间调整"):
        _collecting(ctx)
    if _missing(ctx, "学苑街小学夜间开放停车"):
        _not_agreed(ctx)


def _missing(ctx: DemoContext, title: str) -> bool:
    return ctx.session.scalar(select(Consultation.id).where(Consultation.title == title)) is None


def _thread(ctx: DemoContext, title: str) -> int | None:
    return ctx.session.scalar(select(Thread.id).where(Thread.title == title))


def _convene(ctx: DemoContext, convener: str, **fields) -> Consultation:  # type: ignore[no-untyped-def]
    consultation = convening.convene(ctx.session, ctx.person(convener), **fields)
    ctx.session.flush()  # the steps below name it by id
    ctx.count("consultations")
    return consultation


def _move(ctx: DemoContext, who: str, consultation: Consultation, *steps: tuple[str, str]) -> None:
    for action, note in steps:
        lifecycle.move(ctx.session, ctx.person(who), consultation.id, action, note)


def _agreed(ctx: DemoContext) -> None:
    chair = "chen_weiyuan"
    c = _convene(
        ctx,
        chair,
        title="银河路口早点摊位试点",
        question="是否在银河路口试点设置三个固定早点摊位，早上五点到九点经营？",
        background="摊主希望固定摊位，部分居民担心油烟和垃圾。社区建议先试点三个月，由网格员每天检查。",
        scope="349901001001001",
        thread_id=_thread(ctx, STALLS),
    )
    _move(
        ctx,
        chair,
        c,
        ("open", "征集摊主、居民、物业和城管的意见，为期两周。"),
        ("deliberate", "意见征集结束，进入议事。"),
    )
    started = clock.now() - timedelta(days=3)
    meeting = meetings.schedule_meeting(
        ctx.session,
        ctx.person(chair),
        c.id,
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        place="柳岸社区居委会二楼会议室",
        agenda="一、摊主陈述；二、居民意见；三、城管和社区的办法；四、形成决议草案。",
        invited="摊主代表、3号楼居民代表、红星物业、城管中队、柳岸社区居委会",
    )
    ctx.session.flush()
    meetings.publish_minutes(
        ctx.session,
        ctx.person(chair),
        meeting.id,
        attendance="摊主2人、居民5人、物业1人、城管1人、社区2人、委员3人",
        minutes="各方同意先试点三个月：三个摊位，五点到九点，自带垃圾桶，收摊后清扫；网格员每天检查，超时或不清理的取消资格。",
    )
    resolutions.draft_resolution(
        ctx.session,
        ctx.person(chair),
        c.id,
        "在银河路口试点设置三个固定早点摊位，经营时间为早上五点至九点，为期三个月。摊主自备垃圾桶并在收摊后清扫；"
        "网格员每日检查，连续两次不清理的取消摊位资格。试点结束后由群议委评估是否延续。",
    )
    resolutions.open_vote(ctx.session, ctx.person(chair), c.id)
    for member, choice in (
        ("chen_weiyuan", "for"),
        ("zhou_jiaoshou", "for"),
        ("wu_laoshi", "for"),
        ("zheng_lao", "against"),
    ):
        resolutions.cast_vote(ctx.session, ctx.person(member), c.id, choice)
    resolutions.close_vote(ctx.session, ctx.person(chair), c.id)
    _move(ctx, chair, c, ("agree", "决议通过，待转网格落实。"))


def _deliberating(ctx: DemoContext) -> None:
    c = _convene(
        ctx,
        "zhou_jiaoshou",
        title="消防通道停车管理办法",
        question="如何让小区消防通道在夜间保持畅通，又不给住户和访客添太多麻烦？",
        scope="349901001001001",
        thread_id=_thread(ctx, EXITS),
    )
    _move(ctx, "zhou_jiaoshou", c, ("open", ""), ("deliberate", "物业和业主代表都已发表意见。"))
    soon = clock.now() + timedelta(days=5)
    meetings.schedule_meeting(
        ctx.session,
        ctx.person("zhou_jiaoshou"),
        c.id,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        place="柳岸社区居委会二楼会议室",
        agenda="讨论抬杆方案和学校夜间停车方案。",
        invited="红星物业、业主代表、学苑街小学、交警中队",
    )
    resolutions.draft_resolution(
        ctx.session,
        ctx.person("zhou_jiaoshou"),
        c.id,
        "物业在消防通道两端设置可移动隔离桩，夜间由值班保安巡查；社区与学苑街小学协商晚七点至早七点开放操场停车。",
    )


def _collecting(ctx: DemoContext) -> None:
    c = _convene(
        ctx,
        "wu_laoshi",
        title="垃圾投放点开放时间调整",
        question="柳岸社区垃圾投放点是否改为早上七点到九点、晚上六点到八点半开放？",
        scope="清河街道/柳岸社区",
        thread_id=_thread(ctx, BINS),
        deadline=clock.now() + timedelta(days=10),
    )
    _move(ctx, "wu_laoshi", c, ("open", "请居民、商户和物业在十天内发表意见。"))


def _not_agreed(ctx: DemoContext) -> None:
    c = _convene(
        ctx,
        "zheng_lao",
        title="学苑街小学夜间开放停车",
        question="学苑街小学操场能否在夜间向周边居民开放停车？",
        scope="清河街道/石桥社区",
    )
    _move(
        ctx,
        "zheng_lao",
        c,
        ("open", ""),
        ("deliberate", ""),
        ("disagree", "学校出于安全考虑暂不同意，各方未达成一致。"),
        ("close", "建议明年结合学校改造再议。"),
    )
