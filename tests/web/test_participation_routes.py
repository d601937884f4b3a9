"""我的参与 over HTTP: a resident's thread, the consultation it became and the case that came of it, her
followed cases, her mediation and her shifts, each a click from its page; only ever her own."""

from deliberation.consultations import convening, handoff, lifecycle
from deliberation.forums import posts, threads
from deliberation.merging import statements, voting
from tests.conftest import log_in
from tests.deliberation.consultations.conftest import adopt
from tests.deliberation.mediation import conftest as case_states
from tests.factories import PASSWORD
from tests.grid.conftest import report
from tests.web.test_queries import counting


def section(page: str, name: str) -> str:
    start = page.index(f'id="{name}"')
    return page[start : page.index("</section>", start)]


def raised_and_handed(session, cast):
    """王阿姨's thread, raised as a consultation by 周教授, agreed and handed to the grid."""
    thread = threads.start_thread(
        session,
        cast.wang_ayi,
        board_slug=cast.cell.code,
        title="银河路口早点摊占道",
        body="早上人行道走不通。",
    )
    session.flush()
    consultation = convening.convene(
        session,
        cast.zhou_jiaoshou,
        title="早点摊规范试点",
        question="怎么摆？",
        scope=cast.cell.code,
        thread_id=thread.id,
    )
    session.flush()
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "open", "")
    posts.post_reply(session, cast.li_shifu, thread_id=thread.id, body="摊主愿意退到线内。", stance="support")
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "deliberate", "")
    adopt(session, cast, consultation)
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "agree", "")
    case = handoff.hand_off(session, cast.zhou_jiaoshou, consultation.id, class_id=None)
    session.flush()
    return thread, consultation, case


def test_she_sees_her_thread_the_consultation_it_became_and_its_case(client, session, cast):
    thread, consultation, case = raised_and_handed(session, cast)
    report(session, cast, ref="p1", title="3号楼门口雨水井盖松动")
    case_states.apply(session, cast)
    log_in(client, "wang_ayi", PASSWORD)
    assert "/accounts/me/participation" in client.get("/accounts/me").text
    page = client.get("/accounts/me/participation").text
    forums = section(page, "forums")
    assert f'href="/forums/threads/{thread.id}"' in forums and "您发起的" in forums
    assert f'href="/consultations/{consultation.id}"' in forums and f'href="/grid/cases/{case.id}"' in forums
    assert case.number in forums and "上报" in forums
    consultations = section(page, "consultations")
    assert "早点摊规范试点" in consultations and f'href="/grid/cases/{case.id}"' in consultations
    followed = section(page, "cases")
    assert "3号楼门口雨水井盖松动" in followed and "早点摊规范试点" in followed  # she took part in it
    assert "/mediation/" in section(page, "mediation")


def test_it_is_only_ever_her_own(client, session, cast):
    raised_and_handed(session, cast)
    case_states.apply(session, cast)
    log_in(client, "sun_banzhu", PASSWORD)
    page = client.get("/accounts/me/participation").text
    assert "银河路口早点摊占道" not in page and "早点摊规范试点" not in page
    assert "您还没有参与讨论。" in page and "没有调解案件。" in page
    assert client.get("/accounts/me/participation", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert client.get("/accounts/me/participation", follow_redirects=False).status_code == 303


def test_the_page_does_not_grow_with_what_she_did(client, connection, session, cast):
    raised_and_handed(session, cast)
    log_in(client, "wang_ayi", PASSWORD)
    with counting(connection) as few:
        client.get("/accounts/me/participation")
    for n in range(6):
        threads.start_thread(
            session, cast.wang_ayi, board_slug=cast.cell.code, title=f"又一个话题{n}", body="内容"
        )
        report(session, cast, ref=f"more{n}", title=f"又一个问题{n}号")
    session.flush()
    with counting(connection) as more:
        client.get("/accounts/me/participation")
    assert len(more) == len(few)


def test_her_statements_and_votes_show_with_the_consultation_they_went_to(client, session, cast):
    consultation = convening.convene(
        session, cast.zhou_jiaoshou, title="垃圾投放点开放时间", question="几点开？", scope=cast.cell.code
    )
    session.flush()
    lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "open", "")
    his = statements.write_statement(session, cast.li_shifu, consultation.id, "早上六点到八点开放。")
    statements.write_statement(session, cast.wang_ayi, consultation.id, "晚上也要开一个小时。")
    voting.cast_vote(session, cast.wang_ayi, consultation.id, his.id, "agree")
    session.flush()
    log_in(client, "wang_ayi", PASSWORD)
    merge = section(client.get("/accounts/me/participation").text, "merge")
    assert (
        "垃圾投放点开放时间" in merge and "1 条观点" in merge and "2 票" in merge
    )  # she agrees with her own
    assert f'href="/consultations/{consultation.id}/merge/vote"' in merge
