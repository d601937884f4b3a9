"""Demo step of the forums: a board per grid cell, four theme boards, and debates in original Chinese
between the cast's residents, vendors, community office and government staff (through the services)."""

from __future__ import annotations

from sqlalchemy import select

from deliberation.forums import boards, moderation, posts, reactions, threads
from deliberation.forums.models import Board, Post, Thread
from web.demo import DemoContext

THEMES = [
    ("shirong", "市容环境", "街面卫生、占道堆物、乱贴乱画，大家看到的问题和想到的办法。"),
    ("tingche", "停车", "小区和街道的停车难：车位、收费、占用消防通道，一起商量怎么办。"),
    ("lajifenlei", "垃圾分类", "分类投放点设在哪里、几点开放、怎么督导，欢迎居民和物业一起讨论。"),
    ("tandian", "摊点", "早点摊、夜市和流动摊贩：既要方便生活，也要干净有序。"),
]

# (board, author, title, opening post, [(author, stance, text, reply to opening?)])
DEBATES = [
    (
        "349901001001001",
        "liu_daye",
        "3号楼楼道里的杂物什么时候清？",
        "3号楼一到三楼的楼道堆着旧家具和纸箱，晚上没灯，老人上下楼很危险，也有火灾隐患。",
        [
            ("wang_ayi", "support", "我也看到了，上周还有人在楼道里拉电线给电动车充电。", True),
            ("hongxing_wuye", "addition", "物业这周六上午组织清理，请各家先把要留的东西搬回家。", False),
            ("xiao_zhang", "question", "清理出来的旧家具怎么处理？能不能约大件垃圾回收？", False),
        ],
    ),
    (
        "tandian",
        "li_shifu",
        "人民路早点摊能不能划定固定摊位？",
        "我在人民路口摆早点摊八年了，每天五点出摊、九点收摊。最近常被劝离，希望社区能划几个固定摊位，"
        "我们按时收摊、自带垃圾桶，保证不占盲道。",
        [
            (
                "wang_ayi",
                "support",
                "早上买早点确实方便，老人孩子都离不开。只要收摊后把地面扫干净，我支持。",
                True,
            ),
            ("liu_daye", "oppose", "摊位一多，油烟和垃圾都堆在我们楼下，早上七点就吵得没法睡。", True),
            (
                "qian_zhuren",
                "addition",
                "社区可以先在银河路口试点三个摊位，定时定点，由网格员每天检查卫生。",
                False,
            ),
            ("xiao_zhang", "question", "试点期间如果有人投诉油烟，由谁来处理？多长时间给答复？", False),
            (
                "zhao_kezhang",
                "addition",
                "城管方面可以配合试点，摊位要统一登记，超时或不清理的取消资格。",
                False,
            ),
        ],
    ),
    (
        "tingche",
        "wang_ayi",
        "小区消防通道总被私家车占用",
        "我们楼下的消防通道晚上总停满车，上次救护车进不来，耽误了好几分钟。希望物业和社区想想办法。",
        [
            (
                "hongxing_wuye",
                "addition",
                "物业已经在通道口画了黄线，但晚上人手不够巡查，希望业主互相提醒。",
                True,
            ),
            ("liu_daye", "support", "应该装个抬杆，晚上只让住户的车进来，外面的车不让进。", True),
            ("xiao_zhang", "oppose", "装抬杆会让访客和外卖更麻烦，不如在附近学校晚上开放停车。", False),
            (
                "chen_weiyuan",
                "question",
                "附近的学苑街小学晚上能否开放操场停车？需要和学校、交警一起商量。",
                False,
            ),
        ],
    ),
    (
        "lajifenlei",
        "qian_zhuren",
        "柳岸社区垃圾投放点开放时间征求意见",
        "社区计划把投放点的开放时间调整为早上七点到九点、晚上六点到八点半，请大家说说是否方便。",
        [
            ("wang_ayi", "support", "晚上八点半比以前的八点晚一点，下班回来也赶得上。", True),
            ("chenji_shop", "question", "我们商户中午产生的纸箱能不能单独约时间收？", True),
            ("xiao_zhang", "addition", "建议在投放点旁边装一个洗手池，倒完厨余可以洗手。", False),
        ],
    ),
]


def load(ctx: DemoContext) -> None:
    """Boards, theme boards and the debates, each made once."""
    ctx.count("forum boards", boards.open_cell_boards(ctx.session))
    for slug, title, description in THEMES:
        if ctx.session.scalar(select(Board.id).where(Board.slug == slug)) is None:
            boards.add_theme_board(ctx.session, ctx.admin, slug=slug, title=title, description=description)
            ctx.count("forum boards")
    ctx.count("forum threads", 0)
    for debate in DEBATES:
        _debate(ctx, *debate)


def _debate(ctx: DemoContext, slug: str, author: str, title: str, opening: str, replies: list) -> None:  # type: ignore[type-arg]
    if ctx.session.scalar(select(Thread.id).where(Thread.title == title)) is not None:
        return
    thread = threads.start_thread(ctx.session, ctx.person(author), board_slug=slug, title=title, body=opening)
    first = ctx.session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    made = []
    for name, stance, text, to_opening in replies:
        reply = posts.post_reply(
            ctx.session,
            ctx.person(name),
            thread_id=thread.id,
            body=text,
            stance=stance,
            reply_to_id=first if to_opening else None,
        )
        made.append(reply)
    for name in ("wang_ayi", "xiao_zhang", "liu_daye"):
        if made and made[-1].author_id != ctx.person(name).id:
            reactions.toggle_reaction(ctx.session, ctx.person(name), made[-1].id)
    ctx.count("forum threads")
    if slug == "tingche":  # a moderated exchange, so the queue and a hidden post can be seen
        rude = posts.post_reply(
            ctx.session,
            ctx.person("liu_daye"),
            thread_id=thread.id,
            body="占通道的都是没素质的人，车胎扎了活该！",
        )
        moderation.report_post(
            ctx.session, ctx.person("hongxing_wuye"), rude.id, "人身攻击，还鼓动破坏他人财物。"
        )
        moderation.hide_post(ctx.session, ctx.person("sun_banzhu"), rude.id, "人身攻击")
    if slug == "tandian":  # and one report still waiting in the moderators' queue
        moderation.report_post(
            ctx.session, ctx.person("li_shifu"), made[1].id, "说摊位脏是以偏概全，希望版主看看。"
        )
