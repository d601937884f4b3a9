"""The demo's mediation step, over the savepoint session: the stories DESIGN asks for, made once."""

from sqlalchemy import select

from deliberation.mediation.models import (
    Dispute,
    DisputeKind,
    DisputeStatus,
    MediationMeeting,
    Outcome,
    Referral,
)
from web.demo import DemoContext
from web.demo import accounts as demo_accounts
from web.demo import mediation as demo_mediation


def test_the_demo_tells_its_mediation_stories_once(session, hasher):
    ctx = DemoContext(session, hasher.hash("demo"))
    demo_accounts.load(ctx)
    demo_mediation.load(ctx)
    session.flush()
    rows = session.execute(
        select(Dispute.kind, Dispute.status, Dispute.outcome, Dispute.referral, Dispute.id)
    ).all()
    noise = [r for r in rows if r.kind is DisputeKind.noise and r.outcome is Outcome.agreed]
    assert len(noise) >= 3 and all(r.status is DisputeStatus.closed for r in noise)  # settled, followed up
    [parking] = [r for r in rows if r.kind is DisputeKind.parking]
    assert (parking.status, parking.referral) == (DisputeStatus.referred, Referral.hotline)
    [open_case] = [r for r in rows if r.status is DisputeStatus.in_mediation]
    assert session.scalar(select(MediationMeeting.id).where(MediationMeeting.dispute_id == open_case.id))
    again = DemoContext(session, ctx.password_hash)
    demo_mediation.load(again)
    assert again.added["mediation cases"] == 0 and len(session.execute(select(Dispute.id)).all()) == len(rows)
