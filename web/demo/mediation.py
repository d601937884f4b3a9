"""Demo step of mediation (调解): cases in original Chinese between the demo cast, each taken as far as
its story goes through the services: a noise dispute between neighbours settled by agreement, a
parking dispute referred to the 12345 hotline, one still in mediation after a first meeting, and a few
settled noise cases, so the public counts show a number beside the hidden small ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from deliberation.mediation import agreements, disputes, meetings
from deliberation.mediation.access import access_dispute
from deliberation.mediation.fields import today
from deliberation.mediation.models import Dispute
from web.demo import DemoContext

CHAIR = "chen_weiyuan"


@dataclass(frozen=True)
class Story:
    """One case: who asks, against whom, what happened, and how far it goes."""

    applicant: str
    kind: str
    account: str
    wanted: str
    respondent: str = ""  # a demo account ...
    outside: str = ""  # ... or someone not on Gongzhi
    mediator: str = ""
    meeting: str = ""  # the notes of a first meeting
    agreement: str = ""  # confirmed by every registered party
    failure: str = ""  # the summary, when mediation does not succeed
    referral: str = ""
    consents: dict[str, bool] = field(default_factory=dict)
    close: bool = False


STORIES = [
    Story(
        "liu_daye",
        "noise",
        "楼上王阿姨家最近几个月每天晚上十一点以后还在用洗衣机甩干、拖椅子，咚咚的声音一直到十二点多。"
        "我血压高，睡不好觉，上去敲过两次门，说好了又照旧。",
        "希望晚上十点以后不要再有大的动静，椅子脚垫上软垫。",
        respondent="wang_ayi",
        mediator="wu_laoshi",
        meeting="双方在社区议事室见面。王阿姨说白天要带孙子，只有晚上才顾得上洗衣服，不知道楼下听得这么清楚；"
        "刘大爷说不反对晚上做家务，只希望别太晚。双方都愿意各让一步。",
        agreement="一、王阿姨家晚上十点以后不再使用洗衣机甩干，改在早上八点以后；\n"
        "二、王阿姨家椅子脚一周内装上防噪软垫；\n"
        "三、以后有问题先在微信上说，不再直接上门敲门；\n"
        "四、一个月后由吴老师回访，看约定执行得怎么样。",
        close=True,
    ),
    Story(
        "wang_ayi",
        "parking",
        "我家楼下原来划给住户的固定车位，物业今年起租给了外面的车，业主下班回来经常没地方停，"
        "有的车还压着消防通道。问物业，说是合同写了可以对外出租。",
        "希望固定车位先保证本楼住户，对外出租的车不能占消防通道。",
        respondent="hongxing_wuye",
        mediator="zheng_lao",
        meeting="物业拿出了前期物业服务合同，认为对外出租符合约定；王阿姨认为车位属于全体业主共有，"
        "出租收益也没有公示。双方对车位归属说法不一，调解会上没能谈拢。",
        failure="住户与物业对小区地面车位的归属和出租收益分配存在分歧，调解未能达成一致。"
        "双方同意由12345热线转相关部门核实车位产权，并督促物业清理占用消防通道的车辆。",
        referral="hotline",
        consents={"wang_ayi": True},
    ),
    Story(
        "chenji_shop",
        "vendors",
        "隔壁新开的烧烤店把桌椅一直摆到我们五金店门口，晚上油烟大，顾客进不来，早上门口还留着竹签和油渍。",
        "希望烧烤店的桌椅不要摆过两家店的分界线，收摊后把门口打扫干净。",
        outside="银河路烧烤店王老板",
        mediator="zhou_jiaoshou",
        meeting="第一次调解会：王老板到场，同意桌椅不越过分界线，但希望周末晚上能多摆两张桌子。"
        "陈记表示可以商量，约定下周请网格员一起到现场量一下分界线再谈。",
    ),
    Story(
        "li_shifu",
        "noise",
        "对面楼的空调外机半夜嗡嗡响，声音直接传到我卧室。",
        "希望给外机加个减震垫。",
        outside="3号楼502住户",
        mediator="wu_laoshi",
        agreement="502住户本周内给空调外机加装减震垫，并请物业检查支架是否松动。",
        close=True,
    ),
    Story(
        "wang_ayi",
        "noise",
        "楼下棋牌室每天晚上吵到很晚，麻将声和说话声很大。",
        "希望晚上十点前结束。",
        outside="楼下棋牌室经营者",
        mediator="zhou_jiaoshou",
        agreement="棋牌室晚上十点前停止营业，门窗加装隔音条。",
        close=True,
    ),
    Story(
        "liu_daye",
        "noise",
        "小区广场舞音响开得太大，我家窗户正对着广场。",
        "希望音量小一点，晚上八点半结束。",
        outside="广场舞队领队刘阿姨",
        mediator="wu_laoshi",
        agreement="广场舞队把音响换到广场东侧，音量调低，晚上八点半前结束。",
        close=True,
    ),
]


def load(ctx: DemoContext) -> None:
    """Each story once: a story whose account is already on file is skipped."""
    ctx.count("mediation cases", 0)
    for story in STORIES:
        if ctx.session.scalar(select(Dispute.id).where(Dispute.account == story.account)) is None:
            _tell(ctx, story)
            ctx.count("mediation cases")


def _tell(ctx: DemoContext, story: Story) -> None:
    session, person = ctx.session, ctx.person
    application = disputes.Application(
        kind=story.kind,
        account=story.account,
        wanted=story.wanted,
        respondent_username=story.respondent,
        respondent_name=story.outside,
    )
    dispute = disputes.apply_for_mediation(session, person(story.applicant), application)
    mediator = person(story.mediator)
    disputes.accept_case(session, person(CHAIR), dispute.id, mediator_id=mediator.id)
    case = access_dispute(session, mediator, dispute.id)
    everyone = [str(party.id) for party in case.parties] + ["mediator"]
    notes = story.meeting or "双方到场，各自说明了情况，同意按下面的协议处理。"
    meetings.log_meeting(
        session, mediator, dispute.id, held_on=today().isoformat(), attended=everyone, notes=notes
    )
    if story.agreement:
        agreements.propose_agreement(session, mediator, dispute.id, text=story.agreement)
        for username in (story.applicant, story.respondent):
            if username:
                version = access_dispute(session, mediator, dispute.id).dispute.agreement_version
                agreements.confirm_agreement(session, person(username), dispute.id, version=version)
    if story.failure:
        agreements.record_failure(session, mediator, dispute.id, summary=story.failure)
        for username, consent in story.consents.items():
            agreements.answer_consent(session, person(username), dispute.id, consent=consent)
    if story.referral:
        disputes.refer_case(
            session,
            mediator,
            dispute.id,
            referral=story.referral,
            note="已拨打12345，工单转区住建局核实车位产权。",
        )
    if story.close:
        follow_up = (today() + timedelta(days=30)).isoformat()
        disputes.close_case(session, mediator, dispute.id, follow_up_on=follow_up)
