"""The resolution (决议): drafted by the convener, put to the committee's vote, adopted under the quorum
and majority rule kept in site settings. The tally and who voted how are public."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Role, User, UserRole
from accounts.permissions import is_committee_member
from core import audit, clock, markdown, site_settings
from core.errors import N_, Conflict, FieldErrors, Invalid, PermissionDenied
from deliberation.consultations.access import access_to_steer
from deliberation.consultations.lifecycle import record_step
from deliberation.consultations.models import Choice, Resolution, ResolutionState, ResolutionVote, State

TEXT_MAX = 20_000
QUORUM = site_settings.int_setting(
    "consultations.quorum_percent",
    50,
    1,
    100,
    N_("Committee members who must vote for a resolution vote to count, in percent"),
    N_("A resolution passes when this share of the members voted and most votes cast are for."),
)


@dataclass(frozen=True)
class Tally:
    members: int
    cast: int
    for_: int
    against: int
    abstain: int
    quorum_percent: int

    @property
    def quorum(self) -> int:
        """Votes needed for the vote to count (at least one)."""
        return max(1, -(-self.members * self.quorum_percent // 100))

    @property
    def has_quorum(self) -> bool:
        return self.cast >= self.quorum

    @property
    def passes(self) -> bool:
        return self.has_quorum and self.for_ * 2 > self.cast


@dataclass(frozen=True)
class Ballot:
    """Who voted how: public, as the committee's votes are."""

    member_id: int
    name: str
    username: str
    choice: Choice


def committee_size(session: Session) -> int:
    """Active committee members, the base of the quorum."""
    statement = (
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.committee_member, User.is_active)
    )
    return session.scalar(statement) or 0


def resolution_of(session: Session, consultation_id: int) -> Resolution | None:
    return session.get(Resolution, consultation_id)


def draft_resolution(session: Session, actor: User | None, consultation_id: int, text: str) -> Resolution:
    """Write or rewrite the resolution's draft (起草决议) while deliberating and before the vote opens."""
    consultation = access_to_steer(session, actor, consultation_id)
    errors = FieldErrors()
    if not text.strip():
        errors.add("text", N_("Write the resolution first."))
    elif len(text) > TEXT_MAX:
        errors.add("text", N_("At most %(max)s characters."), max=TEXT_MAX)
    errors.raise_if_any()
    if consultation.state is not State.deliberating:
        raise Conflict(N_("A resolution is drafted while the consultation is in deliberation."))
    resolution = session.get(Resolution, consultation.id) or Resolution(
        consultation_id=consultation.id, state=ResolutionState.drafting
    )
    if resolution.state is not ResolutionState.drafting:
        raise Conflict(N_("The vote on this resolution has begun: its text no longer changes."))
    resolution.text, resolution.text_html = text, markdown.render(text)
    session.add(resolution)
    return resolution


def open_vote(session: Session, actor: User | None, consultation_id: int) -> Resolution:
    """Put the draft to the committee's vote (表决); the quorum's base is fixed now."""
    consultation = access_to_steer(session, actor, consultation_id)
    resolution = session.get(Resolution, consultation.id)
    if resolution is None or not resolution.text.strip():
        raise Conflict(N_("Write the resolution before putting it to the vote."))
    if resolution.state is not ResolutionState.drafting:
        raise Conflict(N_("The vote on this resolution has begun already."))
    resolution.state, resolution.vote_opened_at = ResolutionState.voting, clock.now()
    resolution.members_at_vote = committee_size(session)
    record_step(session, consultation, "vote_opened", None, actor, "")
    return resolution


def cast_vote(session: Session, actor: User | None, consultation_id: int, choice: str) -> ResolutionVote:
    """A committee member votes for, against or abstains (投票); voting again changes the vote."""
    if not is_committee_member(actor):
        raise PermissionDenied(N_("Only committee members vote on resolutions."))
    assert actor is not None
    try:
        chosen = Choice(choice)
    except ValueError:
        raise Invalid("choice", N_("Choose for, against or abstain.")) from None
    resolution = session.get(Resolution, consultation_id, with_for_update=True)
    if resolution is None or resolution.state is not ResolutionState.voting:
        raise Conflict(N_("This resolution is not open for votes."))
    vote = session.get(ResolutionVote, (consultation_id, actor.id))
    if vote is None:
        vote = ResolutionVote(
            consultation_id=consultation_id, member_id=actor.id, choice=chosen, cast_at=clock.now()
        )
        session.add(vote)
    else:
        vote.choice, vote.cast_at = chosen, clock.now()
    return vote


def tally(session: Session, consultation_id: int, resolution: Resolution | None = None) -> Tally:
    """The votes so far; the quorum's base is the committee when the vote opened."""
    resolution = resolution or session.get(Resolution, consultation_id)
    counts = dict(
        session.execute(
            select(ResolutionVote.choice, func.count())
            .where(ResolutionVote.consultation_id == consultation_id)
            .group_by(ResolutionVote.choice)
        ).all()
    )
    members = (
        resolution.members_at_vote if resolution and resolution.vote_opened_at else committee_size(session)
    )
    return Tally(
        members=members,
        cast=sum(counts.values()),
        for_=counts.get(Choice.for_, 0),
        against=counts.get(Choice.against, 0),
        abstain=counts.get(Choice.abstain, 0),
        quorum_percent=site_settings.get(session, QUORUM.name),
    )


def ballots(session: Session, consultation_id: int) -> list[Ballot]:
    rows = session.execute(
        select(ResolutionVote.member_id, User.display_name, User.username, ResolutionVote.choice)
        .join(User, User.id == ResolutionVote.member_id)
        .where(ResolutionVote.consultation_id == consultation_id)
        .order_by(ResolutionVote.cast_at)
    )
    return [Ballot(member, name or username, username, choice) for member, name, username, choice in rows]


def close_vote(session: Session, actor: User | None, consultation_id: int) -> Resolution:
    """Count the votes (计票): adopted when the quorum voted and a majority of the votes cast are for;
    without a quorum the vote stays open and ``Conflict`` says how many votes are missing."""
    consultation = access_to_steer(session, actor, consultation_id)
    resolution = session.get(Resolution, consultation.id, with_for_update=True)
    if resolution is None or resolution.state is not ResolutionState.voting:
        raise Conflict(N_("This resolution is not open for votes."))
    counted = tally(session, consultation.id, resolution)
    if not counted.has_quorum:
        raise Conflict(
            N_("No quorum yet: %(cast)s of %(members)s members voted, %(quorum)s are needed."),
            cast=counted.cast,
            members=counted.members,
            quorum=counted.quorum,
        )
    resolution.state = ResolutionState.adopted if counted.passes else ResolutionState.rejected
    resolution.decided_at = clock.now()
    action = "resolution_adopted" if counted.passes else "resolution_rejected"
    record_step(session, consultation, action, None, actor, "")  # the tally shows beside the resolution
    audit.record(
        session,
        actor,
        f"consultation.{action}",
        "consultation",
        consultation.id,
        votes_for=counted.for_,
        votes_against=counted.against,
        abstentions=counted.abstain,
    )
    return resolution
