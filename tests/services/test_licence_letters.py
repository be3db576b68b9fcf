"""A suspension, revocation or lifting made by a clerk files its letter among the outgoing letters."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from ostandari_desk.domain import jalali
from ostandari_desk.domain.lifecycle import StepKind
from ostandari_desk.errors import TransitionError, ValidationError
from ostandari_desk.services import letters, transfer
from ostandari_desk.services import licences as lic
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.store.models import Letter, LicenceStep


def j(s: str) -> date:
    return jalali.parse_jalali(s)


def licensed(desk, ngo_id: str, on: str = "1400/01/15") -> None:
    """Give the NGO a valid licence (as a history import would)."""
    with desk.uow as uow:
        lic.apply_licence_step(
            uow, ngo_id, StepKind.ISSUE, j(on), licence_number="۱۲", validity_years=4, imported=True
        )
        uow.commit()


def all_letters(desk) -> list[Letter]:
    with desk.uow as uow:
        rows = list(uow.s.exec(select(Letter).order_by(Letter.dated_on)))
        uow.s.expunge_all()
        return rows


def punitive_this_year(desk, year: int) -> int:
    return annual_comparison(desk.uow, year).row("punitive_letters").this


@pytest.fixture
def ngo_id(desk, make_ngo) -> str:
    ngo_id = make_ngo(name="انجمن حامیان طبیعت", county="آبیک")
    licensed(desk, ngo_id)
    return ngo_id


def test_suspension_files_a_punitive_outgoing_letter(desk, ngo_id):
    before = punitive_this_year(desk, 1401)
    step_id = lic.suspend_licence(
        desk.uow, ngo_id, j("1401/04/10"), "۸۸/۴۱۲", "گزارش نکردن عملکرد سالانه", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )

    (letter,) = all_letters(desk)
    assert letter.direction == "outgoing" and letter.kind == "punitive"
    assert (letter.number, letter.jalali_year, letter.dated_on) == ("88/412", 1401, j("1401/04/10"))
    assert letter.party == "انجمن حامیان طبیعت"
    assert letter.subject == "تعلیق پروانه فعالیت: گزارش نکردن عملکرد سالانه"
    assert (letter.ngo_id, letter.licence_step_id) == (ngo_id, step_id)
    assert letter.county_id == desk.counties["آبیک"]
    assert letters.find_letter_id(desk.uow, "outgoing", 1401, "۸۸/۴۱۲", desk.counties["آبیک"]) == letter.id
    assert letters.find_letter_id(desk.uow, "outgoing", 1401, "۸۸/۴۱۲") is None  # not the province's series
    assert [row.id for row in letters.letters_of_ngo(desk.uow, ngo_id)] == [letter.id]
    assert punitive_this_year(desk, 1401) == before + 1

    lift_id = lic.lift_suspension(desk.uow, ngo_id, j("1401/06/01"), "۹۰")
    lifting = all_letters(desk)[-1]
    assert (lifting.kind, lifting.number, lifting.subject) == ("other", "90", "رفع تعلیق پروانه فعالیت")
    assert (lifting.ngo_id, lifting.licence_step_id) == (ngo_id, lift_id)
    assert punitive_this_year(desk, 1401) == before + 1

    revoke_id = lic.revoke_licence(
        desk.uow, ngo_id, j("1401/08/01"), "۹۱", "انحلال داوطلبانه", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )
    revocation = all_letters(desk)[-1]
    assert (revocation.kind, revocation.subject) == ("punitive", "لغو پروانه فعالیت: انحلال داوطلبانه")
    assert revocation.licence_step_id == revoke_id
    assert punitive_this_year(desk, 1401) == before + 2


def test_lifting_without_a_letter_number_files_nothing(desk, ngo_id):
    lic.suspend_licence(desk.uow, ngo_id, j("1401/04/10"), "5", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    lic.lift_suspension(desk.uow, ngo_id, j("1401/05/10"), "")
    assert [letter.number for letter in all_letters(desk)] == ["5"]


def test_an_existing_letter_is_linked_not_duplicated(desk, ngo_id):
    existing = letters.create_letter(
        desk.uow,
        letters.LetterInput("outgoing", "۷۷/ص", j("1401/02/01"), "دبیرخانه", "اخطار به انجمن", "other"),
    )
    incoming_same_number = letters.create_letter(
        desk.uow,
        letters.LetterInput("incoming", "77/ص", j("1401/02/01"), "فرمانداری", "گزارش تخلف", "other"),
    )
    step_id = lic.suspend_licence(
        desk.uow, ngo_id, j("1401/03/01"), "77/ص", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )

    by_id = {letter.id: letter for letter in all_letters(desk)}
    assert set(by_id) == {existing, incoming_same_number}
    linked = by_id[existing]
    assert (linked.licence_step_id, linked.ngo_id, linked.kind) == (step_id, ngo_id, "punitive")
    assert (linked.party, linked.subject, linked.dated_on) == ("دبیرخانه", "اخطار به انجمن", j("1401/02/01"))
    assert linked.row_version == 2
    untouched = by_id[incoming_same_number]
    assert (untouched.licence_step_id, untouched.ngo_id, untouched.kind) == (None, None, "other")


def test_a_linked_letter_keeps_its_own_kind_and_ngo(desk, ngo_id, make_ngo):
    other_ngo = make_ngo()
    existing = letters.create_letter(
        desk.uow,
        letters.LetterInput("outgoing", "12", j("1401/02/01"), "دبیرخانه", "هماهنگی", "support", other_ngo),
    )
    step_id = lic.suspend_licence(desk.uow, ngo_id, j("1401/03/01"), "12", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    (letter,) = all_letters(desk)
    assert (letter.id, letter.kind, letter.ngo_id, letter.licence_step_id) == (
        existing,
        "support",
        other_ngo,
        step_id,
    )


def test_the_same_number_in_another_year_is_a_new_letter(desk, ngo_id):
    letters.create_letter(
        desk.uow,
        letters.LetterInput("outgoing", "5", j("1400/12/01"), "دبیرخانه", "نامه سال پیش", "other"),
    )
    lic.suspend_licence(desk.uow, ngo_id, j("1401/01/20"), "5", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert [(letter.jalali_year, letter.kind) for letter in all_letters(desk)] == [
        (1400, "other"),
        (1401, "punitive"),
    ]


def test_a_refused_step_files_no_letter_and_links_nothing(desk, make_ngo, ngo_id):
    unlicensed = make_ngo()
    with pytest.raises(TransitionError):
        lic.revoke_licence(desk.uow, unlicensed, j("1401/03/01"), "40", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    with pytest.raises(TransitionError):
        lic.lift_suspension(desk.uow, ngo_id, j("1401/03/01"), "41")  # not suspended
    assert all_letters(desk) == []

    existing = letters.create_letter(
        desk.uow,
        letters.LetterInput("outgoing", "42", j("1401/02/01"), "دبیرخانه", "اخطار", "other"),
    )
    with pytest.raises(ValidationError):  # before the NGO's licence was issued: out of order
        lic.suspend_licence(desk.uow, ngo_id, j("1399/01/01"), "42", "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    (letter,) = all_letters(desk)
    assert (letter.id, letter.licence_step_id, letter.ngo_id, letter.kind) == (existing, None, None, "other")


def test_a_letter_that_cannot_be_filed_rolls_the_step_back(desk, ngo_id):
    with pytest.raises(ValidationError) as refused:
        lic.suspend_licence(desk.uow, ngo_id, j("1401/03/01"), "1" * 61, "تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    assert refused.value.field == "letter_no"
    assert all_letters(desk) == []
    with desk.uow as uow:
        kinds = list(uow.s.exec(select(LicenceStep.kind).where(LicenceStep.ngo_id == ngo_id)))
    assert kinds == ["issue"]


def test_imported_sanctions_file_their_letters_as_the_desk_does(desk, make_ngo, tmp_path):
    """The licences sheet applies its rows through the licensing services (issue 13): a sanction imported
    without a letters sheet files its letter, linked to the step, as the desk's own dialog would."""
    from ostandari_desk.services.ngos import get_ngo

    ngo_id = make_ngo()
    national_id = get_ngo(desk.uow, ngo_id).national_id
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "پروانه‌ها"
    sheet.append(
        [
            "شناسه ملی سمن",
            "اقدام",
            "تاریخ",
            "مبنای قانونی",
            "شماره پروانه",
            "تاریخ انقضا",
            "شماره نامه",
            "توضیحات",
        ]
    )
    basis = "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    sheet.append([national_id, "صدور پروانه", "1398/03/01", "", "ق-۱۲", "1402/03/01", "", ""])
    sheet.append([national_id, "تعلیق", "1399/05/05", basis, "", "", "۱۲۳/ص", "تخلف"])
    sheet.append([national_id, "رفع تعلیق", "1399/08/05", basis, "", "", "۱۲۴/ص", "رفع تخلف"])
    sheet.append([national_id, "لغو", "1400/02/05", basis, "", "", "۱۲۵/ص", "تخلف مکرر"])
    book.save(tmp_path / "l.xlsx")

    report = transfer.import_file(desk.uow, "licences", tmp_path / "l.xlsx")
    assert report.errors == [] and report.added == 4
    with desk.uow as uow:
        filed = uow.s.exec(
            select(Letter.number, Letter.licence_step_id, Letter.jalali_year, Letter.kind)
        ).all()
    assert sorted(number for number, *_ in filed) == ["123/ص", "124/ص", "125/ص"]  # numbers keep Latin digits
    assert all(step_id is not None for _, step_id, _, _ in filed)
    punitive_1399 = sum(1 for _, _, year, kind in filed if year == 1399 and kind == "punitive")
    assert annual_comparison(desk.uow, 1399).row("punitive_letters").this == punitive_1399
