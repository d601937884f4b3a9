import pytest

from deliberation.consultations import convening, lifecycle
from deliberation.merging import statements, voting

STATEMENTS = (
    "早点摊应该固定在银河路口，方便上班族。",
    "摊位周边必须每天清扫，油污要有人管。",
    "固定摊位要收合理的管理费。",
    "早上七点到九点以外不许摆摊。",
)


@pytest.fixture
def collecting(session, cast):
    """A consultation convened by 周教授 and opened for views, by service calls."""
    made = convening.convene(
        session, cast.zhou_jiaoshou, title="早点摊位试点", question="是否试点固定摊位？", scope=cast.cell.code
    )
    session.flush()
    lifecycle.move(session, cast.zhou_jiaoshou, made.id, "open", "")
    session.flush()
    return made


def four_voices(session, cast, consultation, texts=STATEMENTS):
    """王阿姨 writes the statements; someone of every group votes on each."""
    written = [statements.write_statement(session, cast.wang_ayi, consultation.id, text) for text in texts]
    session.flush()
    for person in (cast.li_shifu, cast.zhao_kezhang, cast.qian_zhuren):
        for statement in written:
            voting.cast_vote(session, person, consultation.id, statement.id, "agree")
    session.flush()
    return written
