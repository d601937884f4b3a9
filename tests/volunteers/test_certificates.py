"""Certificates of service: apply → accept → issue; the ID number kept apart and masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core import audit
from core.audit import AuditEntry
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from tests.factories import make_shift
from volunteers import certificates, checkin, hours, signups
from volunteers.models import CertificateStatus, Identity, IdType, mask_id_number

ID_NUMBER = "11010519491231002X"  # GB 11643's own example: valid check character
C = CertificateStatus


def test_resident_id_numbers_are_checked():
    assert certificates.is_resident_id(ID_NUMBER)
    assert not certificates.is_resident_id("110105194912310021")  # wrong check character
    assert not certificates.is_resident_id("110105194902300027")  # 30 February
    assert certificates.is_id_number(IdType.passport, "E12345678")
    assert not certificates.is_id_number(IdType.passport, "E1")


def test_numbers_are_masked_but_for_the_ends():
    assert mask_id_number(ID_NUMBER) == "110***********002X"
    assert mask_id_number("E12345678") == "E*******8"
    identity = Identity(user_id=1, real_name="王秀兰", id_type=IdType.resident_id, id_number=ID_NUMBER)
    assert ID_NUMBER not in repr(identity) and identity.masked_number in repr(identity)


@pytest.fixture
def served(session, crew, frozen):  # type: ignore[no-untyped-def]
    """王阿姨 served one shift of the team, and the leader verified it."""
    shift = make_shift(
        session, crew.liu, crew.team, title="河道清扫", starts_at=frozen.now + timedelta(days=1), hours=2
    )
    mine = signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    frozen.set(shift.ends_at)
    checkin.record_attendance(session, crew.liu, shift_id=shift.id, came=[mine.id])
    lines = hours.team_hours(session, crew.liu, team_id=crew.team.id)
    hours.verify_hours(session, crew.liu, team_id=crew.team.id, record_ids=[line.id for line in lines])
    return shift


def apply(session, crew, **changes):  # type: ignore[no-untyped-def]
    values = {
        "team_id": crew.team.id,
        "real_name": "王秀兰",
        "id_type": IdType.resident_id,
        "id_number": ID_NUMBER.lower(),
    }
    return certificates.apply_for_certificate(session, crew.cast.wang_ayi, **(values | changes))


def test_apply_accept_issue(session, crew, served):
    certificate = apply(session, crew, purpose="升学")
    with pytest.raises(Invalid):  # one open application per team
        apply(session, crew)
    with pytest.raises(PermissionDenied):
        certificates.accept_certificate(session, crew.wu, certificate_id=certificate.id)
    with pytest.raises(Conflict):  # accepted first
        certificates.issue_certificate(session, crew.liu, certificate_id=certificate.id)
    certificates.accept_certificate(session, crew.liu, certificate_id=certificate.id)
    certificates.issue_certificate(session, crew.liu, certificate_id=certificate.id)
    contents = certificates.certificate_contents(session, crew.cast.wang_ayi, certificate_id=certificate.id)
    assert contents.number.startswith("ZYFW-2030-") and contents.real_name == "王秀兰"
    assert (contents.id_type, contents.id_number) == (IdType.resident_id, ID_NUMBER)  # whole, here only
    assert [(a.activity, a.minutes) for a in contents.activities] == [("河道清扫", 120)]
    assert contents.organisation == crew.team.organisation and contents.total_minutes == 120
    assert ID_NUMBER not in repr(contents)


def test_a_certificate_needs_verified_hours_and_a_valid_identity(session, crew):
    with pytest.raises(Invalid) as refused:
        apply(session, crew, real_name=" ", id_number="123")
    assert set(refused.value.errors) == {"real_name", "id_number", "team"}
    assert session.get(Identity, crew.cast.wang_ayi.id) is None  # nothing written


def test_the_certificate_is_for_the_volunteer_and_the_team_only(session, crew, served):
    certificate = apply(session, crew)
    certificates.accept_certificate(session, crew.liu, certificate_id=certificate.id)
    with pytest.raises(NotFound):  # not issued yet
        certificates.certificate_contents(session, crew.cast.wang_ayi, certificate_id=certificate.id)
    certificates.issue_certificate(session, crew.liu, certificate_id=certificate.id)
    for outsider in (crew.cast.li_shifu, crew.wu):
        with pytest.raises(PermissionDenied):
            certificates.certificate_contents(session, outsider, certificate_id=certificate.id)
    assert (
        certificates.certificate_contents(session, crew.liu, certificate_id=certificate.id).id_number
        == ID_NUMBER
    )


def test_lists_show_the_number_masked_and_audit_rows_never_hold_it(session, crew, served):
    certificate = apply(session, crew)
    certificates.accept_certificate(session, crew.liu, certificate_id=certificate.id)
    certificates.issue_certificate(session, crew.liu, certificate_id=certificate.id)
    [row] = certificates.team_certificates(session, crew.liu, team_id=crew.team.id)
    assert row.masked_number == mask_id_number(ID_NUMBER) and row.status is C.issued
    assert certificates.certificates_of(session, crew.cast.wang_ayi)[0].masked_number == row.masked_number
    assert certificates.identity_of(session, crew.cast.wang_ayi).masked_number == row.masked_number
    with pytest.raises(PermissionDenied):
        certificates.team_certificates(session, crew.wu, team_id=crew.team.id)
    session.flush()
    every_audit_row = session.scalars(select(AuditEntry)).all()
    assert every_audit_row and not [e for e in every_audit_row if ID_NUMBER in f"{e.note}{e.details}"]
    assert [e.action for e in audit.list_entries_for(session, "certificate", certificate.id)[0]] == [
        "certificate.issue", "certificate.accept",
    ]  # fmt: skip


def test_a_declined_application_says_why_and_a_new_one_may_follow(session, crew, served):
    certificate = apply(session, crew)
    with pytest.raises(Invalid):
        certificates.decline_certificate(session, crew.liu, certificate_id=certificate.id, reason="")
    certificates.decline_certificate(
        session, crew.liu, certificate_id=certificate.id, reason="时长尚未核实完"
    )
    assert certificate.status is C.declined
    assert apply(session, crew).status is C.applied
