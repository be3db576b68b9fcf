"""Letter numbers per series (revision 0008): each county numbers its own letters, the province its own.

Two counties' letter «۱۰۰» of one year both stand and the province lists both with their county; the same
number twice in one series is refused in Persian naming the number and the series (the service, the sheet
import and the database's partial unique indexes alike); ``report letter`` names the county when several
hold the number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.errors import DuplicateError, NotFoundError, PermissionDeniedError, UserError
from ostandari_desk.services import letters as lt
from ostandari_desk.services import transfer
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import Letter

ABYEK, ALBORZ = "آبیک", "البرز"


def _letter(county_id: str | None, number: str = "۱۰۰", **kw) -> lt.LetterInput:
    values = {
        "direction": "outgoing",
        "number": number,
        "dated_on": J(1402, 3, 10),
        "party": "اداره کل بهزیستی",
        "subject": "هماهنگی همایش",
        "kind": "support",
        "county_id": county_id,
    }
    values.update(kw)
    return lt.LetterInput(**values)


@pytest.fixture
def hundreds(desk) -> dict[str | None, str]:
    """Letter «۱۰۰» of 1402 (outgoing) in آبیک's, البرز's and the province's series: {county id: letter id}."""
    made = {}
    for county_id in (desk.counties[ABYEK], desk.counties[ALBORZ], None):
        made[county_id] = lt.create_letter(desk.uow, _letter(county_id))
    return made


def test_two_counties_letter_100_both_stand_and_the_province_sees_both(desk, hundreds):
    rows = lt.list_letter_page(desk.uow, lt.LetterFilter(text="100"), "county", False)
    assert sorted((r.number, r.county_name) for r in rows) == sorted(
        [("100", ABYEK), ("100", ALBORZ), ("100", "استان")]
    )
    only_abyek = lt.list_letter_page(desk.uow, lt.LetterFilter(county_id=desk.counties[ABYEK]))
    assert [r.id for r in only_abyek] == [hundreds[desk.counties[ABYEK]]]
    province_own = lt.list_letter_page(desk.uow, lt.LetterFilter(county_id=lt.PROVINCE_ONLY))
    assert [r.id for r in province_own] == [hundreds[None]]
    for county_id, letter_id in hundreds.items():
        assert lt.find_letter_id(desk.uow, "outgoing", 1402, "۱۰۰", county_id) == letter_id


@pytest.mark.parametrize(("county", "series"), [(ABYEK, "دبیرخانه شهرستان آبیک"), (None, "دبیرخانه استان")])
def test_a_duplicate_within_one_series_is_refused_naming_the_number_and_the_series(
    desk, hundreds, county, series
):
    county_id = desk.counties[county] if county else None
    with pytest.raises(DuplicateError) as info:
        lt.create_letter(desk.uow, _letter(county_id, "100", dated_on=J(1402, 11, 1), subject="دیگر"))
    message = info.value.message
    assert "«۱۰۰»" in message and "۱۴۰۲" in message and series in message and "صادره" in message
    assert info.value.field == "number" and info.value.record == hundreds[county_id]
    # the other direction, or another year, is another number
    lt.create_letter(desk.uow, _letter(county_id, direction="incoming"))
    lt.create_letter(desk.uow, _letter(county_id, dated_on=J(1403, 1, 20)))


def test_moving_a_letter_into_a_series_that_holds_its_number_is_refused(desk, hundreds):
    other = lt.create_letter(desk.uow, _letter(desk.counties["قزوین"]))  # a fourth series' «۱۰۰»
    detail = lt.get_letter(desk.uow, other)
    with pytest.raises(DuplicateError) as info:
        lt.update_letter(desk.uow, other, replace(detail.to_input(), county_id=desk.counties[ALBORZ]), 1)
    assert "دبیرخانه شهرستان البرز" in info.value.message
    assert lt.get_letter(desk.uow, other).county_id == desk.counties["قزوین"]


def test_the_database_itself_keeps_one_number_per_series(desk, hundreds, engine):
    """The partial unique indexes: a second «۱۰۰» of آبیک (or of the province) written below the service fails;
    one in a new county's series is accepted."""

    def raw(county_id: str | None) -> None:
        row = {
            **stamps(),
            "id": f"{county_id or 'province'}-raw"[:32],
            "direction": "outgoing",
            "number": "100",
            "jalali_year": 1402,
            "dated_on": date(2023, 5, 31),
            "party": "x",
            "subject": "y",
            "kind": "other",
            "county_id": county_id,
            "search_text": "",
        }
        with engine.begin() as conn:
            conn.execute(insert(Letter.__table__), [row])

    for county_id in (desk.counties[ABYEK], None):
        with pytest.raises(IntegrityError):
            raw(county_id)
    raw(desk.counties["تاکستان"])


def test_a_county_user_numbers_in_their_own_series(desk, hundreds, uow_as):
    takestan = uow_as("county", county_id=desk.counties["تاکستان"])
    lt.create_letter(takestan, _letter(desk.counties["تاکستان"]))  # «۱۰۰» is free in تاکستان's series
    assert [r.county_name for r in lt.list_letter_page(takestan)] == ["تاکستان"]
    with pytest.raises(DuplicateError) as info:
        lt.create_letter(takestan, _letter(desk.counties["تاکستان"]))
    assert "دبیرخانه شهرستان تاکستان" in info.value.message


# --- naming a letter by its number: resolve_letter and ``report letter`` ----------------------------------


def test_resolve_letter_prefers_ones_own_series_and_names_the_counties_when_ambiguous(desk, hundreds, uow_as):
    abyek, alborz = desk.counties[ABYEK], desk.counties[ALBORZ]
    assert lt.resolve_letter(desk.uow, "outgoing", 1402, "100") == hundreds[None]  # the province's own
    assert lt.resolve_letter(desk.uow, "outgoing", 1402, "۱۰۰", alborz) == hundreds[alborz]
    assert lt.resolve_letter(desk.uow, "outgoing", 1402, "100", None) == hundreds[None]
    lt.delete_letter(desk.uow, hundreds[None])
    with pytest.raises(UserError) as info:
        lt.resolve_letter(desk.uow, "outgoing", 1402, "100")
    message = info.value.message
    assert "چند دبیرخانه" in message and "آبیک" in message and "البرز" in message
    assert "شهرستان نامه را هم نام ببرید" in message
    with pytest.raises(NotFoundError) as missing:
        lt.resolve_letter(desk.uow, "outgoing", 1402, "100", None)
    assert "دبیرخانه استان" in missing.value.message
    # a county user: their own series by default; another county's is refused, not searched
    county = uow_as("county", county_id=abyek)
    assert lt.resolve_letter(county, "outgoing", 1402, "100") == hundreds[abyek]
    with pytest.raises(PermissionDeniedError):
        lt.resolve_letter(county, "outgoing", 1402, "100", alborz)
    # one county alone holding a number: found without naming it
    only = lt.create_letter(desk.uow, _letter(alborz, "۲۰۰"))
    assert lt.resolve_letter(desk.uow, "outgoing", 1402, "200") == only


def _report(uow, *argv: str) -> int:
    from ostandari_desk.cli import build_parser
    from ostandari_desk.cli.reports import run

    return run(build_parser().parse_args(["report", "letter", *argv]), uow)


def test_report_letter_asks_for_the_county_when_several_hold_the_number(desk, hundreds, tmp_path, capsys):
    from tests.reports.pdftext import assert_pdf_has

    lt.delete_letter(desk.uow, hundreds[None])
    out = tmp_path / "letter.pdf"
    base = ("--direction", "out", "--year", "1402", "--number", "۱۰۰", "--out", str(out))
    assert _report(desk.uow, *base) == 2
    err = capsys.readouterr().err
    assert "چند دبیرخانه" in err and "آبیک" in err and "البرز" in err and not out.exists()
    assert _report(desk.uow, *base, "--county", ALBORZ) == 0
    assert_pdf_has(str(out), "دبیرخانه شهرستان البرز")
    assert _report(desk.uow, *base, "--county", "استان") == 2
    assert "دبیرخانه استان" in capsys.readouterr().err
    assert (
        _report(desk.uow, "--direction", "out", "--year", "1402", "--number", "999", "--out", str(out)) == 2
    )


# --- the «مکاتبات» sheet ---------------------------------------------------------------------------------


def _sheet(path, rows: list[tuple]) -> str:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["شماره نامه", "تاریخ", "جهت", "نوع", "طرف مکاتبه", "موضوع", "شهرستان"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return str(path)


def test_a_sheet_brings_two_counties_letter_100_and_refuses_a_duplicate_in_one_series(desk, tmp_path):
    rows = [
        ("100", "1402/03/10", "صادره", "سایر", "بهزیستی", "الف", ABYEK),
        ("۱۰۰", "1402/04/10", "صادره", "سایر", "بهزیستی", "ب", ALBORZ),
        ("100", "1402/05/10", "صادره", "سایر", "بهزیستی", "پ", "استان"),
    ]
    path = _sheet(tmp_path / "letters.xlsx", rows)
    report = transfer.import_file(desk.uow, "letters", path)
    assert report.ok and report.added == 3, report.errors
    again = transfer.import_file(desk.uow, "letters", path)
    assert again.ok and (again.added, again.unchanged) == (0, 3)

    twice = _sheet(
        tmp_path / "twice.xlsx",
        [
            ("200", "1402/03/10", "صادره", "سایر", "x", "y", ABYEK),
            ("200", "1402/06/10", "صادره", "سایر", "x", "z", ABYEK),
        ],
    )
    refused = transfer.import_file(desk.uow, "letters", twice)
    assert not refused.stored and [e.row for e in refused.errors] == [3]
    assert "همان دبیرخانه" in refused.errors[0].reason

    changed = _sheet(
        tmp_path / "changed.xlsx", [("100", "1402/03/10", "صادره", "سایر", "بهزیستی", "دیگر", ALBORZ)]
    )
    taken = transfer.import_file(desk.uow, "letters", changed)
    reason = taken.errors[0].reason
    assert "«۱۰۰»" in reason and "دبیرخانه شهرستان البرز" in reason and "یکی نیست" in reason
    assert lt.count_letters(desk.uow) == 3


def test_a_sanction_letter_is_filed_in_the_ngos_county_series(desk, hundreds, make_ngo):
    """Another county's «۱۰۰» is not linked to a suspension of an NGO of تاکستان: its own letter is filed
    (the province's own «۱۰۰», had it one, would be linked: a letter the province's secretariat numbered)."""
    from ostandari_desk.domain.lifecycle import StepKind
    from ostandari_desk.services import licences as lic

    lt.delete_letter(desk.uow, hundreds.pop(None))
    ngo_id = make_ngo(county="تاکستان")
    with desk.uow as uow:  # a valid licence, as a history import gives it
        lic.apply_licence_step(
            uow, ngo_id, StepKind.ISSUE, J(1401, 1, 15), licence_number="۱۲", validity_years=4, imported=True
        )
        uow.commit()
    step_id = lic.suspend_licence(
        desk.uow, ngo_id, J(1402, 3, 10), "۱۰۰", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )
    found = lt.find_letter_id(desk.uow, "outgoing", 1402, "100", desk.counties["تاکستان"])
    detail = lt.get_letter(desk.uow, found)
    assert detail.licence_step_id == step_id and detail.kind == "punitive"
    for letter_id in hundreds.values():  # the other series' «۱۰۰» are untouched
        assert lt.get_letter(desk.uow, letter_id).licence_step_id is None
