"""The pure pieces of taking part: Pol.is's card priority and the bigram hints."""

import random

import pytest

from deliberation.merging.priority import Candidate, importance, next_card, priority
from deliberation.merging.similarity import bigrams, most_similar, overlap


def test_a_new_statement_is_boosted_nine_times_before_squaring():
    fresh = Candidate(1, agree=0, passes=0, seen=0)
    assert priority(fresh) == pytest.approx((importance(0, 0, 0, 0.0) * 9) ** 2)
    assert importance(0, 0, 0, 0.0) == pytest.approx(0.25)  # (1 - 1/2)·1·(1/2)


def test_agreement_and_extremity_raise_priority_and_passes_lower_it():
    base = Candidate(1, agree=5, passes=2, seen=10)
    assert priority(Candidate(1, agree=8, passes=2, seen=10)) > priority(base)
    assert priority(Candidate(1, agree=5, passes=2, seen=10, extremity=1.0)) > priority(base)
    assert priority(Candidate(1, agree=5, passes=6, seen=10)) < priority(base)


def test_many_votes_take_the_boost_away():
    few, many = Candidate(1, 3, 0, 4), Candidate(2, 30, 0, 40)
    assert priority(few) > priority(many)  # the same shares, fewer votes


def test_the_next_card_follows_the_weights():
    cards = [Candidate(1, 0, 0, 0), Candidate(2, 0, 30, 40)]  # a new one, and one everyone passed
    drawn = [next_card(cards, random.Random(seed)) for seed in range(200)]
    assert drawn.count(1) > 190 and next_card([]) is None


def test_bigrams_drop_punctuation_and_spaces():
    assert bigrams("摊位，清扫！") == bigrams("摊位清扫") == {"摊位", "位清", "清扫"}
    assert overlap(bigrams("摊位清扫"), bigrams("摊位清扫")) == 1.0
    assert overlap(bigrams("学校停车"), bigrams("摊位清扫")) == 0.0


def test_the_closest_statements_come_first_and_unrelated_ones_not_at_all():
    statements = [(1, "摊位周边必须每天清扫。"), (2, "学校门口禁止停车。"), (3, "摊位每天清扫两次。")]
    found = most_similar("摊位每天要清扫", statements)
    assert [s.statement_id for s in found] == [3, 1]
    assert most_similar("摊", statements) == []  # one character says nothing yet
