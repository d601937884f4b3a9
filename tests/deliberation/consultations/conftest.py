import pytest

from deliberation.consultations import convening, lifecycle, resolutions


@pytest.fixture
def consultation(session, cast):
    """A consultation convened by the committee member 周教授 on the cast's cell, still a draft."""
    made = convening.convene(
        session,
        cast.zhou_jiaoshou,
        title="早点摊位试点",
        question="是否在银河路口试点三个固定摊位？",
        background="**摊主**希望固定摊位。",
        scope=cast.cell.code,
    )
    session.flush()
    return made


def advance(session, actor, consultation, *actions):
    """Service calls for states (HOUSE-STYLE section 8): never set the state column directly."""
    for action in actions:
        lifecycle.move(session, actor, consultation.id, action, "")
    session.flush()
    return consultation


def adopt(session, cast, consultation, text="在银河路口试点三个摊位。", votes=("for", "for")):
    """Draft, put to the vote, have the two committee members vote, count."""
    resolutions.draft_resolution(session, cast.zhou_jiaoshou, consultation.id, text)
    resolutions.open_vote(session, cast.zhou_jiaoshou, consultation.id)
    for member, choice in zip((cast.zhou_jiaoshou, cast.chen_weiyuan), votes, strict=False):
        resolutions.cast_vote(session, member, consultation.id, choice)
    return resolutions.close_vote(session, cast.chen_weiyuan, consultation.id)
