"""Cases in each state, made through the services as the app makes them (never by setting status).

王阿姨 (wang_ayi) asks for mediation with 李师傅 (li_shifu); 陈委员 (chen_weiyuan) chairs and
周教授 (zhou_jiaoshou) mediates.
"""

from __future__ import annotations

import pytest

from deliberation.mediation import agreements, disputes, meetings
from deliberation.mediation.access import access_dispute
from deliberation.mediation.fields import today

ACCOUNT = "李师傅的早点摊每天凌晨四点就开始剁馅，声音很大，我们整栋楼都睡不好。"
WANTED = "希望五点以后再开始准备。"


def apply(session, cast, *, applicant=None, respondent="li_shifu", outside="", kind="noise"):
    """An application from 王阿姨 (or ``applicant``) against a registered person or an outside party."""
    application = disputes.Application(
        kind=kind,
        account=ACCOUNT,
        wanted=WANTED,
        respondent_username="" if outside else respondent,
        respondent_name=outside,
    )
    dispute = disputes.apply_for_mediation(session, applicant or cast.wang_ayi, application)
    session.flush()
    return dispute


def accept(session, cast, dispute):
    disputes.accept_case(session, cast.chen_weiyuan, dispute.id, mediator_id=cast.zhou_jiaoshou.id)
    session.flush()
    return dispute


def meet(session, cast, dispute):
    """A first meeting with every party there: the case is in mediation."""
    case = access_dispute(session, cast.zhou_jiaoshou, dispute.id)
    meetings.log_meeting(
        session,
        cast.zhou_jiaoshou,
        dispute.id,
        held_on=today().isoformat(),
        attended=[str(p.id) for p in case.parties] + ["mediator"],
        notes="双方都到场，说明了各自的难处。",
    )
    session.flush()
    return dispute


def propose(session, cast, dispute, text="李师傅五点以后再剁馅，剁馅时关上后门。"):
    agreements.propose_agreement(session, cast.zhou_jiaoshou, dispute.id, text=text)
    session.flush()
    return dispute


def version(session, cast, dispute):
    return access_dispute(session, cast.admin, dispute.id).dispute.agreement_version


@pytest.fixture
def applied(session, cast):
    return apply(session, cast)


@pytest.fixture
def mediating(session, cast):
    return meet(session, cast, accept(session, cast, apply(session, cast)))


@pytest.fixture
def proposed(session, cast, mediating):
    return propose(session, cast, mediating)


@pytest.fixture
def failed(session, cast, mediating):
    agreements.record_failure(
        session, cast.zhou_jiaoshou, mediating.id, summary="双方对营业时间说法不一，需要城管核实摊点许可。"
    )
    session.flush()
    return mediating
