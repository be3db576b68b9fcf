"""Licence numbers are unique across NGOs (compared normalized), in the clerk's path and the importer's."""

from __future__ import annotations

import pytest

from ostandari_desk.errors import ValidationError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import transfer

from .test_licences import approved_case, insert_ngo, j, licences_of, ngo_row
from .test_transfer_licences import next_national_id, steps, write_xlsx


@pytest.fixture
def county_id(desk) -> str:
    return desk.counties["البرز"]


def issued(uow, county_id, number: str, name: str = "انجمن حامیان طبیعت", level: str = "county") -> str:
    ngo_id = insert_ngo(uow, county_id, name=name, level=level)
    case_id = approved_case(uow, ngo_id, inquiries=False)
    lic.issue_licence(uow, case_id, j("1401/06/09"), number)
    return ngo_id


def ngo_name(uow, ngo_id) -> str:
    return ngo_row(uow, ngo_id).name


def test_issue_with_another_ngos_number_is_refused(desk, county_id):
    uow = desk.uow
    first = issued(uow, county_id, "۴۵۶/ق", name="انجمن یاوران")
    other = insert_ngo(uow, county_id)
    case_id = approved_case(uow, other, inquiries=False)
    with pytest.raises(ValidationError) as err:
        lic.issue_licence(uow, case_id, j("1401/07/01"), "456/ق")
    assert err.value.field == "licence_number"
    message = err.value.message
    assert "شماره پروانه «۴۵۶/ق» پیش‌تر برای سمن" in message
    assert f"«{ngo_name(uow, first)}» ثبت شده است" in message
    # nothing changed: the case can still be completed with a free number
    assert licences_of(uow, other) == [] and ngo_row(uow, other).licence_state == "approved"
    assert lic.get_case(uow, case_id).state == "approved"
    lic.issue_licence(uow, case_id, j("1401/07/01"), "457/ق")


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("۱۲۳", "123"),  # Persian digits against Latin
        ("123", "١٢٣"),  # Arabic-Indic digits
        ("ق-۱۲", "ق-12"),
        ("ك-12", "ک-12"),  # Arabic kaf against Persian
        ("ی\u200c12", "ی 12"),  # ZWNJ against a space
        ("AB-7", "ab-7"),  # Latin letters casefolded
        ("الف 9", "الف  ۹"),  # space runs
    ],
)
def test_numbers_are_compared_normalized(desk, county_id, stored, typed):
    uow = desk.uow
    issued(uow, county_id, stored)
    other = insert_ngo(uow, county_id)
    case_id = approved_case(uow, other, inquiries=False)
    with pytest.raises(ValidationError, match="پیش‌تر برای سمن"):
        lic.issue_licence(uow, case_id, j("1401/07/01"), typed)


def test_different_numbers_sharing_digits_are_accepted(desk, county_id):
    uow = desk.uow
    issued(uow, county_id, "12-3")
    for number in ("123", "1-23", "12-34", "ق-12-3"):
        ngo_id = insert_ngo(uow, county_id)
        case_id = approved_case(uow, ngo_id, inquiries=False)
        lic.issue_licence(uow, case_id, j("1401/07/01"), number)
    with uow:
        assert lic.licence_number_holder(uow, "۱۲-۳") is not None
        assert lic.licence_number_holder(uow, "99") is None


def test_renewal_and_upgrade_with_another_ngos_number_are_refused(desk, county_id):
    uow = desk.uow
    first = issued(uow, county_id, "A-1", name="انجمن یاوران")
    second = issued(uow, county_id, "B-1")

    renewal = approved_case(uow, second, "renewal", start="1405/01/10", inquiries=False)
    with pytest.raises(ValidationError, match=ngo_name(uow, first)) as err:
        lic.renew_licence(uow, renewal, j("1405/03/01"), "a-1")
    assert err.value.field == "licence_number"
    assert [x.state for x in licences_of(uow, second)] == ["valid"]  # the old licence is not 'renewed'
    lic.renew_licence(uow, renewal, j("1405/03/01"), "B-2")

    upgrade = approved_case(uow, second, "upgrade", start="1405/04/01", inquiries=False)
    with pytest.raises(ValidationError, match="پیش‌تر برای سمن"):
        lic.complete_case(uow, upgrade, j("1405/06/01"), licence_number="A-1")
    assert ngo_row(uow, second).level == "county"


def test_a_renewal_may_keep_its_own_number(desk, county_id):
    uow = desk.uow
    ngo_id = issued(uow, county_id, "1403-21")
    renewal = approved_case(uow, ngo_id, "renewal", start="1405/01/10", inquiries=False)
    lic.renew_licence(uow, renewal, j("1405/03/01"), "۱۴۰۳-۲۱")
    assert [(x.number, x.state) for x in licences_of(uow, ngo_id)] == [
        ("1403-21", "renewed"),
        ("1403-21", "valid"),
    ]


def test_a_new_issue_may_not_reuse_the_ngos_revoked_number(desk, county_id):
    uow = desk.uow
    ngo_id = issued(uow, county_id, "77")
    lic.revoke_licence(uow, ngo_id, j("1402/01/01"), "5", "حکم دادگاه", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    case_id = approved_case(uow, ngo_id, start="1403/01/01", inquiries=False)
    with pytest.raises(ValidationError, match="پیش‌تر برای سمن"):
        lic.issue_licence(uow, case_id, j("1403/03/01"), "77")


def test_the_importers_step_refuses_a_taken_number(desk, county_id):
    uow = desk.uow
    issued(uow, county_id, "ق-۵۰")
    other = insert_ngo(uow, county_id)
    with uow:
        with pytest.raises(ValidationError) as err:
            lic.apply_licence_step(
                uow,
                other,
                "صدور پروانه",
                j("1398/05/01"),
                licence_number="ق-50",
                expires_on=j("1402/05/01"),
                imported=True,
            )
        assert err.value.field == "licence_number"
    assert licences_of(uow, other) == [] and ngo_row(uow, other).licence_state == "none"


def test_import_sheet_reports_a_taken_number_and_stays_idempotent(desk, make_ngo, tmp_path):
    a, b, c = next_national_id(), next_national_id(), next_national_id()
    for nid in (a, b, c):
        make_ngo(national_id=nid)
    rows = [
        [a, "صدور پروانه", "1398/03/01", "ق-۱۲", "1402/03/01", "", ""],
        [a, "تمدید پروانه", "1402/03/01", "ق-۱۲", "1406/03/01", "", ""],  # a renewal keeping its number
        [b, "صدور پروانه", "1399/01/15", "ق-۲۰", "1403/01/15", "", ""],
    ]
    path = write_xlsx(tmp_path / "l.xlsx", rows)
    report = transfer.import_file(desk.uow, "licences", path)
    assert report.errors == [] and report.added == 3

    # the same history again: already present, not an error
    again = transfer.import_file(desk.uow, "licences", path)
    assert (again.added, again.unchanged, again.errors) == (0, 3, [])

    # another NGO with a taken number (Persian or Latin digits alike) is refused on its number cell
    clash = [
        [c, "صدور پروانه", "1400/01/15", "ق-12", "1404/01/15", "", ""],
        [b, "تمدید پروانه", "1403/01/15", "ق-۱۲", "1407/01/15", "", ""],
    ]
    bad = transfer.import_file(desk.uow, "licences", write_xlsx(tmp_path / "c.xlsx", clash))
    assert sorted(e.row for e in bad.errors) == [2, 3]
    assert all(e.column == "شماره پروانه" and "پیش‌تر برای سمن" in e.reason for e in bad.errors)
    assert steps(desk) == 3
