"""Importing and exporting the «پروانه‌ها» sheet: an NGO's licence history through the lifecycle."""

from __future__ import annotations

import datetime as dt
import itertools

import openpyxl
import pytest
from sqlalchemy import func, select

from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.errors import UserError
from ostandari_desk.services import transfer
from ostandari_desk.store.models import Licence, LicenceStep, Ngo

_PREFIXES = itertools.count(2_070_000_000)


def next_national_id() -> str:
    return make_legal_national_id(str(next(_PREFIXES)))


HEADERS = ["شناسه ملی سمن", "اقدام", "تاریخ", "شماره پروانه", "تاریخ انقضا", "شماره نامه", "توضیحات"]
# issue 13's sheet: the whole case (its type, inquiries, meetings, legal bases) around the same columns
FULL_HEADERS = [
    *HEADERS[:3],
    "نوع پرونده",
    "مرجع استعلام",
    "نتیجه",
    "تاریخ جلسه",
    "مبنای قانونی",
    *HEADERS[3:],
]
BASIS = "آیین‌نامه ۱۳۹۵، ماده ۱۷"


def write_xlsx(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "پروانه‌ها"
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def steps(desk) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(LicenceStep)).scalar()


def state_of(desk, national_id: str) -> str:
    with desk.uow as uow:
        return uow.s.execute(select(Ngo.licence_state).where(Ngo.national_id == national_id)).scalar_one()


@pytest.fixture
def two_ngos(desk, make_ngo):
    a, b = next_national_id(), next_national_id()
    make_ngo(national_id=a)
    make_ngo(national_id=b)
    return a, b


def test_template_headers_exact(tmp_path):
    book = openpyxl.load_workbook(transfer.template("licences", tmp_path / "t.xlsx"))
    assert book.sheetnames == ["پروانه‌ها"]
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == FULL_HEADERS


def test_history_imported_through_the_lifecycle(desk, two_ngos, tmp_path):
    a, b = two_ngos
    rows = [  # the full sheet's columns: ... «مبنای قانونی» after «تاریخ», and the seven of the old sheet
        [a, "موافقت با تأسیس", "1398/01/20", "", "", "", "", BASIS, "", "", "", ""],
        [a, "صدور پروانه", "1398/03/01", "", "", "", "", "", "ق-۱۲", "1402/03/01", "", "نخستین پروانه"],
        [a, "تعلیق", "1399/05/05", "", "", "", "", BASIS, "", "", "۱۲۳/ص", "تخلف مالی"],
        [a, "رفع تعلیق", "1399/08/05", "", "", "", "", "", "", "", "", ""],
        [a, "تمدید پروانه", dt.datetime(2023, 5, 22), "", "", "", "", "", "ق-۱۳", "1406/03/01", "", ""],
        # the first step may be an issue
        [b, "صدور پروانه", "۱۴۰۰/۰۱/۱۵", "", "", "", "", "", "ق-۲۰", "۱۴۰۴/۰۱/۱۵", "", ""],
        [b, "لغو", "1401/10/10", "", "", "", "", BASIS, "", "", "999", "انحلال"],
    ]
    path = write_xlsx(tmp_path / "l.xlsx", rows, FULL_HEADERS)
    report = transfer.import_file(desk.uow, "licences", path)
    assert report.errors == []
    assert (report.rows_read, report.added) == (7, 7)
    assert state_of(desk, a) == "valid" and state_of(desk, b) == "revoked"
    with desk.uow as uow:
        numbers = uow.s.execute(select(Licence.number, Licence.state).order_by(Licence.issued_on)).all()
    assert [tuple(n) for n in numbers] == [("ق-12", "renewed"), ("ق-20", "revoked"), ("ق-13", "valid")]

    again = transfer.import_file(desk.uow, "licences", path)
    assert (again.added, again.unchanged, again.errors) == (0, 7, [])
    assert "پیش‌تر وارد شده است" in again.summary()
    assert steps(desk) == 7

    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "licences", out) == 7
    exported = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert list(exported[0]) == FULL_HEADERS
    assert transfer.import_file(desk.uow, "licences", out).unchanged == 7


def test_lifecycle_violation_and_cell_errors_reported(desk, two_ngos, tmp_path):
    a, b = two_ngos
    rows = [
        [a, "صدور پروانه", "1398/03/01", "ق-۱", "1402/03/01", "", ""],
        [a, "رفع تعلیق", "1399/01/01", "", "", "", ""],  # never suspended
        [b, "تمدید پروانه", "1399/01/01", "ق-۲", "1403/01/01", "", ""],  # renewal without a licence
        [b, "تعلیق", "1399/02/01", "", "", "", ""],  # letter number missing
        [b, "انحلال", "1399/02/01", "", "", "", ""],  # unknown action
        [a, "صدور پروانه", "1401/12/30", "ق-۳", "1405/01/01", "", ""],  # impossible date
        [next_national_id(), "صدور پروانه", "1399/02/01", "ق-۹", "1403/02/01", "", ""],  # unknown NGO
    ]
    report = transfer.import_file(desk.uow, "licences", write_xlsx(tmp_path / "l.xlsx", rows))
    by_row = {}
    for e in report.errors:  # a row's first error
        by_row.setdefault(e.row, e)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]
    assert by_row[3].column == "اقدام" and "رفع تعلیق" in by_row[3].reason
    assert "تمدید پروانه" in by_row[4].reason
    assert by_row[5].column == "شماره نامه"
    assert by_row[6].column == "اقدام"
    assert by_row[7].column == "تاریخ"
    assert by_row[8].column == "شناسه ملی سمن"
    assert steps(desk) == 0 and state_of(desk, a) == "none"

    skipped = transfer.import_file(
        desk.uow, "licences", write_xlsx(tmp_path / "l2.xlsx", rows), skip_bad=True
    )
    assert skipped.added == 1 and skipped.bad_rows == 6
    assert steps(desk) == 1 and state_of(desk, a) == "valid"
    assert skipped.bad_rows_path is not None and skipped.bad_rows_path.exists()


def test_missing_required_header(desk, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", [], headers=HEADERS[:2])
    with pytest.raises(UserError, match="تاریخ"):
        transfer.import_file(desk.uow, "licences", path)


def test_dry_run_inside_an_open_unit_of_work_leaves_nothing(desk, two_ngos, tmp_path):
    a, _b = two_ngos
    path = write_xlsx(tmp_path / "l.xlsx", [[a, "صدور پروانه", "1398/03/01", "ق-۱", "1402/03/01", "", ""]])
    with desk.uow:
        report = transfer.import_file(desk.uow, "licences", path, dry_run=True)
        desk.uow.commit()
    assert report.added == 1 and not report.stored
    assert steps(desk) == 0 and state_of(desk, a) == "none"
