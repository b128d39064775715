import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from motcua.core.errors import InvalidInput
from motcua.org import selectors, services
from motcua.org.models import (
    Applicant,
    ApplicantKind,
    Counter,
    Role,
    Unit,
    UnitKind,
    UnitLevel,
    validate_agency_code,
)

User = get_user_model()


@pytest.mark.parametrize("code", ["000.00.19.H19", "000.00.00.H19", "G12.18.92", "H19", "000.00.53.H48"])
def test_agency_code_accepts_qd20_forms(code):
    validate_agency_code(code)


@pytest.mark.parametrize("code", ["", "h19", "000.00.19", "000..19.H19", "Z99.1", "X" * 36, "000.00.19.H19 "])
def test_agency_code_rejects_malformed(code):
    with pytest.raises(ValidationError):
        validate_agency_code(code)


def test_unit_name_stored_nfc_and_searchable_without_diacritics(province):
    decomposed = "So\u031b\u0309 Ngoa\u0323i vu\u0323"  # "Sở Ngoại vụ" typed with combining marks
    unit = Unit.objects.create(
        code="000.00.03.H19",
        name=decomposed,
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )
    unit.refresh_from_db()
    assert unit.name == "Sở Ngoại vụ"
    assert list(selectors.units(q="so ngoai vu")) == [unit]


def test_r26_role_on_unit_covers_sub_units_only(province, justice_dept, construction_dept):
    division = Unit.objects.create(
        code="000.01.05.H19",
        name="Phòng Hành chính tư pháp",
        kind=UnitKind.DIVISION,
        level=UnitLevel.PROVINCE,
        parent=justice_dept,
    )
    officer = User.objects.create_user("chuyenvien", password="x")
    services.grant_role(officer, justice_dept, Role.PROCESSING_OFFICER)
    assert selectors.has_role(officer, Role.PROCESSING_OFFICER, justice_dept)
    assert selectors.has_role(officer, Role.PROCESSING_OFFICER, division)
    # An officer of unit A cannot act on unit B's dossiers.
    assert not selectors.has_role(officer, Role.PROCESSING_OFFICER, construction_dept)
    assert not selectors.has_role(officer, Role.UNIT_LEADER, justice_dept)
    assert set(selectors.units_where(officer, Role.PROCESSING_OFFICER)) == {justice_dept, division}


def test_r26_expired_assignment_grants_nothing(justice_dept):
    officer = User.objects.create_user("cu", password="x")
    assignment = services.grant_role(officer, justice_dept, Role.UNIT_LEADER)
    assignment.valid_to = datetime.date(2025, 6, 30)
    assignment.save()
    assert not selectors.has_role(officer, Role.UNIT_LEADER, justice_dept)
    assert selectors.has_role(officer, Role.UNIT_LEADER, justice_dept, on=datetime.date(2025, 6, 1))


def test_r26_grant_unknown_role_refused(justice_dept):
    officer = User.objects.create_user("x", password="x")
    with pytest.raises(InvalidInput):
        services.grant_role(officer, justice_dept, "superhero")


def test_merger_ends_predecessor_and_keeps_history(province, justice_dept, merger_day):
    old = Unit.objects.create(
        code="000.00.05.H10",
        name="Sở Tư pháp tỉnh Bình Phước",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
    )
    merger = services.merge_units(
        [old], justice_dept, effective_on=merger_day, decision="Nghị quyết 202/2025/QH15 ngày 12/6/2025"
    )
    old.refresh_from_db()
    assert old.successor == justice_dept
    assert old.valid_to == datetime.date(2025, 6, 30)
    assert list(merger.predecessors.all()) == [old]
    assert services.current_unit(old) == justice_dept
    assert old in selectors.units(include_expired=True)
    assert old not in selectors.units()
    assert old in selectors.units(on=datetime.date(2025, 6, 30))


def test_merger_refuses_cycles_and_missing_decision(province, justice_dept, merger_day):
    with pytest.raises(InvalidInput):
        services.merge_units([province], justice_dept, effective_on=merger_day, decision="QĐ 1")
    with pytest.raises(InvalidInput):
        services.merge_units([justice_dept], province, effective_on=merger_day, decision="  ")
    justice_dept.refresh_from_db()
    assert justice_dept.successor is None and justice_dept.valid_to is None


def test_counter_must_belong_to_a_service_centre(justice_dept):
    with pytest.raises(ValidationError):
        Counter(centre=justice_dept, number=1, name="Quầy").full_clean()


@pytest.mark.parametrize(
    ("kind", "identifier", "ok"),
    [
        (ApplicantKind.CITIZEN, "075123456789", True),
        (ApplicantKind.CITIZEN, "07512345678", False),
        (ApplicantKind.BUSINESS, "3600123456", True),
        (ApplicantKind.BUSINESS, "3600123456-001", True),
        (ApplicantKind.BUSINESS, "36001234", False),
    ],
)
def test_applicant_identifier_format(db, kind, identifier, ok):
    applicant = Applicant(kind=kind, identifier=identifier, name="Nguyễn Văn A")
    if ok:
        applicant.full_clean()
    else:
        with pytest.raises(ValidationError):
            applicant.full_clean()


def test_r18_state_body_applicant_must_be_a_unit(db):
    with pytest.raises(ValidationError):
        Applicant(kind=ApplicantKind.STATE_BODY, identifier="000.00.00.H19", name="UBND xã").full_clean()


def test_r26_leader_of_peoples_committee_is_not_leader_of_every_department(province, justice_dept):
    chairman = User.objects.create_user("chutich", password="x")
    services.grant_role(chairman, province, Role.UNIT_LEADER)
    assert selectors.has_role(chairman, Role.UNIT_LEADER, province)
    assert not selectors.has_role(chairman, Role.UNIT_LEADER, justice_dept)
    assert set(selectors.units_where(chairman, Role.UNIT_LEADER)) == {province}


def test_r26_province_wide_roles_reach_the_whole_province(province, justice_dept, provincial_centre):
    supervisor = User.objects.create_user("vanphong", password="x")
    services.grant_role(supervisor, province, Role.PROVINCIAL_OFFICE)
    assert selectors.has_role(supervisor, Role.PROVINCIAL_OFFICE, justice_dept)
    assert set(selectors.units_where(supervisor, Role.PROVINCIAL_OFFICE)) == {
        province,
        justice_dept,
        provincial_centre,
    }
