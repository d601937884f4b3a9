"""Taking part in a merge: statements, votes with the voter's group at the time, the next card."""

import random

import pytest
from sqlalchemy import func, select

from accounts.models import StakeholderGroup
from core import jobs
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from deliberation.consultations import lifecycle
from deliberation.merging import refresh, statements, voting
from deliberation.merging.models import Participant, Statement, StatementStatus, Vote
from tests.deliberation.merging.conftest import four_voices


def test_a_statement_is_written_and_its_author_agrees_with_it(session, cast, collecting):
    written = statements.write_statement(session, cast.wang_ayi, collecting.id, "  摊位周边  必须每天清扫。 ")
    session.flush()
    assert written.text == "摊位周边 必须每天清扫。" and written.status is StatementStatus.pending
    [vote] = session.scalars(select(Vote)).all()
    assert vote.value == 1 and vote.group is StakeholderGroup.resident


def test_a_statement_over_280_characters_or_empty_is_refused_and_nothing_is_saved(session, cast, collecting):
    for text, message in (("", "Write your statement first."), ("长" * 281, "At most %(max)s characters.")):
        with pytest.raises(Invalid) as refused:
            statements.write_statement(session, cast.wang_ayi, collecting.id, text)
        assert refused.value.errors["text"].key == message
    assert session.scalar(select(func.count()).select_from(Statement)) == 0


def test_one_vote_per_person_and_statement_changed_in_place(session, cast, collecting):
    [first, *_] = four_voices(session, cast, collecting)
    voting.cast_vote(session, cast.li_shifu, collecting.id, first.id, "disagree")
    voting.cast_vote(session, cast.li_shifu, collecting.id, first.id, "pass")
    session.flush()
    votes = session.scalars(
        select(Vote)
        .join(Participant)
        .where(Participant.user_id == cast.li_shifu.id, Vote.statement_id == first.id)
    ).all()
    assert [v.value for v in votes] == [0] and votes[0].group is StakeholderGroup.served


def test_a_vote_records_the_group_the_voter_had_then(session, cast, collecting):
    first, second, *_ = four_voices(session, cast, collecting)
    cast.li_shifu.group = StakeholderGroup.resident  # 李师傅 closes his stall and votes as a resident
    voting.cast_vote(session, cast.li_shifu, collecting.id, second.id, "disagree")
    session.flush()
    groups = dict(
        session.execute(
            select(Vote.statement_id, Vote.group)
            .join(Participant)
            .where(Participant.user_id == cast.li_shifu.id)
        ).all()
    )
    assert groups[first.id] is StakeholderGroup.served and groups[second.id] is StakeholderGroup.resident
    _table, voters = refresh.load_votes(session, collecting.id)
    assert sorted(set(voters.values())) == ["community", "government", "resident", "served"]


def test_votes_close_when_the_deliberation_starts(session, cast, collecting):
    [first, *_] = four_voices(session, cast, collecting)
    lifecycle.move(session, cast.zhou_jiaoshou, collecting.id, "deliberate", "")
    with pytest.raises(Conflict):
        voting.cast_vote(session, cast.li_shifu, collecting.id, first.id, "disagree")
    with pytest.raises(Conflict):
        statements.write_statement(session, cast.li_shifu, collecting.id, "再加一条")


def test_a_visitor_cannot_vote_and_a_bad_choice_is_invalid(session, cast, collecting):
    [first, *_] = four_voices(session, cast, collecting)
    with pytest.raises(PermissionDenied):
        voting.cast_vote(session, None, collecting.id, first.id, "agree")
    with pytest.raises(Invalid):
        voting.cast_vote(session, cast.li_shifu, collecting.id, first.id, "maybe")


def test_the_next_card_is_one_not_voted_on_until_none_is_left(session, cast, collecting):
    written = four_voices(session, cast, collecting)
    seen = set()
    for _ in written:
        card = voting.next_statement(session, cast.chen_weiyuan, collecting.id, random.Random(1))
        assert card.statement_id not in seen
        seen.add(card.statement_id)
        voting.cast_vote(session, cast.chen_weiyuan, collecting.id, card.statement_id, "pass")
        session.flush()
    done = voting.next_statement(session, cast.chen_weiyuan, collecting.id)
    assert done.done and (done.voted, done.total) == (4, 4)


def test_a_rejected_statement_leaves_the_cards_and_its_author_is_told(session, cast, collecting):
    first, second, *_ = four_voices(session, cast, collecting)
    statements.moderate(session, cast.chen_weiyuan, collecting.id, first.id, "duplicate")
    statements.moderate(session, cast.chen_weiyuan, collecting.id, second.id, "accept")
    session.flush()
    assert first.id not in voting.shown_ids(session, collecting.id)
    with pytest.raises(NotFound):
        voting.cast_vote(session, cast.li_shifu, collecting.id, first.id, "agree")
    from accounts.models import Notification

    kinds = sorted(session.scalars(select(Notification.kind).where(Notification.user_id == cast.wang_ayi.id)))
    assert kinds == ["merge_statement_accepted", "merge_statement_rejected"]
    table, _ = refresh.load_votes(session, collecting.id)
    assert str(first.id) not in table.statement_ids


def test_only_the_committee_moderates(session, cast, collecting):
    [first, *_] = four_voices(session, cast, collecting)
    with pytest.raises(PermissionDenied):
        statements.moderate(session, cast.wang_ayi, collecting.id, first.id, "off_topic")


def test_with_approval_required_a_new_statement_waits_until_accepted(session, cast, collecting):
    statements.require_approval(session, cast.chen_weiyuan, collecting.id, True)
    waiting = statements.write_statement(session, cast.wang_ayi, collecting.id, "晚上也允许摆摊一小时。")
    session.flush()
    assert voting.next_statement(session, cast.li_shifu, collecting.id).done
    statements.moderate(session, cast.chen_weiyuan, collecting.id, waiting.id, "accept")
    session.flush()
    assert voting.next_statement(session, cast.li_shifu, collecting.id).statement_id == waiting.id


def test_similar_statements_are_hinted_while_writing(session, cast, collecting):
    four_voices(session, cast, collecting)
    hints = statements.similar_statements(session, collecting.id, "摊位周边每天要清扫")
    assert [h.text for h in hints][:1] == ["摊位周边必须每天清扫，油污要有人管。"]
    assert statements.similar_statements(session, collecting.id, "学校门口停车") == []


def test_the_refresh_is_enqueued_once_a_minute_per_merge(session, cast, collecting):
    four_voices(session, cast, collecting)
    keys = session.scalars(select(jobs.Job.key).where(jobs.Job.kind == refresh.REFRESH_JOB)).all()
    assert len(keys) <= 2 and all(k.startswith(f"merging.refresh:{collecting.id}:") for k in keys)
