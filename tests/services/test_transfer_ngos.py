"""Importing and exporting the «سمن‌ها» sheet (IMPORT_TEMPLATES.md)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from ngo_sheets import HEADERS, good_row, nid, write_xlsx
from sqlalchemy import func, select
from sqlalchemy import text as text_sql

from ostandari_desk.domain.ids import make_national_code
from ostandari_desk.errors import UserError
from ostandari_desk.services import transfer
from ostandari_desk.services.audit import AuditFilter, audit_lines
from ostandari_desk.services.ngos import NgoFilter, NgoInput, count_ngos, get_ngo, prepare_ngo_values
from ostandari_desk.services.transfer.base import cells_getter
from ostandari_desk.services.transfer.ngos import COLUMNS, new_values, person_keys
from ostandari_desk.services.transfer.sheets import Column, open_table
from ostandari_desk.store.models import Ngo, NgoField


def ngo_count(desk) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(Ngo)).scalar()


def test_template_headers_exact(tmp_path):
    path = transfer.template("ngos", tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["سمن‌ها"]
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == HEADERS
    assert book.active.max_row == 1
    assert [c.header for c in COLUMNS] == HEADERS
    csv_path = transfer.template("ngos", tmp_path / "t.csv")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(raw.decode("utf-8-sig").splitlines())) == HEADERS


def test_import_good_file(desk, tmp_path):
    rows = [good_row(n) for n in range(1, 7)]
    rows[0][6] = dt.datetime(2021, 5, 5)  # an Excel date cell is Gregorian
    rows[1][0] = rows[1][0].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    path = write_xlsx(tmp_path / "ngos.xlsx", rows)
    seen = []
    report = transfer.import_file(desk.uow, "ngos", path, progress=lambda d, t: seen.append(d))
    assert report.errors == []
    assert (report.rows_read, report.added, report.unchanged) == (6, 6, 0)
    assert report.summary() == "۶ سمن افزوده شد"
    assert ngo_count(desk) == 6
    with desk.uow as uow:
        first = uow.s.execute(select(Ngo).where(Ngo.national_id == rows[0][0])).scalar_one()
        assert first.registered_on == dt.date(2021, 5, 5)
        assert first.county_id == desk.counties["آبیک"]
        third = uow.s.execute(select(Ngo).where(Ngo.name == "انجمن نمونه شماره 3")).scalar_one()
        third_id = third.id
        fields = uow.s.execute(select(func.count()).select_from(NgoField)).scalar()
    assert fields == 4  # rows 3 and 6, two fields each
    detail = get_ngo(desk.uow, third_id)
    assert detail.registered_on == dt.date(2021, 5, 5)  # 1400/02/15
    assert seen and seen[-1] == 6


def _bad_file(tmp_path, desk):
    """1,000 rows, 20 of them bad in the ways the brief lists; returns (path, bad row numbers)."""
    rows = [good_row(n) for n in range(1, 1001)]
    breakers = [
        (0, lambda r: r.__setitem__(0, r[0][:-1] + str((int(r[0][-1]) + 1) % 10))),  # check digit
        (2, lambda r: r.__setitem__(2, "شهرستان ناموجود")),
        (3, lambda r: r.__setitem__(3, "کشوری")),
        (6, lambda r: r.__setitem__(6, "1401/12/30")),
        (1, lambda r: r.__setitem__(1, "")),
        (0, None),  # duplicate national id within the file
        (8, lambda r: r.__setitem__(8, "1234567890")),
    ]
    bad_numbers = []
    for k, index in enumerate(range(10, 1000, 50)):  # 20 rows
        _column, breaker = breakers[k % len(breakers)]
        if breaker is None:
            rows[index][0] = rows[index - 1][0]
        else:
            breaker(rows[index])
        bad_numbers.append(index + 2)  # header is row 1
    return write_xlsx(tmp_path / "big.xlsx", rows), bad_numbers


def test_all_bad_rows_reported_and_nothing_stored(desk, tmp_path):
    path, bad_numbers = _bad_file(tmp_path, desk)
    report = transfer.import_file(desk.uow, "ngos", path)
    assert sorted({e.row for e in report.errors}) == bad_numbers
    assert report.bad_rows == 20
    assert all(e.column in HEADERS and e.reason for e in report.errors)
    by_row = {e.row: e for e in report.errors}
    assert by_row[12].column == "شناسه ملی" and "رقم کنترل" in by_row[12].reason
    assert by_row[62].column == "شهرستان"
    assert by_row[112].column == "سطح فعالیت"
    assert by_row[162].column == "تاریخ ثبت" and "کبیسه" in by_row[162].reason
    assert by_row[212].column == "نام سازمان"
    assert by_row[262].column == "شناسه ملی" and "۲۶۱" in by_row[262].reason
    assert by_row[312].column == "کد ملی مدیرعامل"
    assert report.added == 0 and not report.stored
    assert ngo_count(desk) == 0
    assert "هیچ سمنی ثبت نشد" in report.summary() and "۲۰ ردیف خطا داشت" in report.summary()


def test_skip_bad_stores_good_rows_and_writes_bad_ones(desk, tmp_path):
    path, _bad_numbers = _bad_file(tmp_path, desk)
    report = transfer.import_file(desk.uow, "ngos", path, skip_bad=True)
    assert report.added == 980
    assert ngo_count(desk) == 980
    assert report.summary() == "۹۸۰ سمن افزوده شد، ۲۰ ردیف خطا داشت"
    assert report.bad_rows_path is not None and report.bad_rows_path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(report.bad_rows_path).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS + ["خطا"]
    assert len(values) == 21
    assert all(v[-1] for v in values[1:])

    again = transfer.import_file(desk.uow, "ngos", path, skip_bad=True)
    assert again.added == 0 and again.unchanged == 980
    assert ngo_count(desk) == 980
    # the bulk path filled the full-text index (and on SQLite put back the trigger it set aside)
    assert count_ngos(desk.uow, NgoFilter(text="شماره ۹۹۹")) == 1
    if desk.engine.dialect.name == "sqlite":
        with desk.uow as uow:
            triggers = (
                uow.s.execute(text_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                .scalars()
                .all()
            )
        assert "ngo_fts_insert" in triggers


@pytest.mark.parametrize(
    ("name", "registration_no", "ceo_name"),
    [
        ("انجمن حمایت از کودکان", "AB 12", "علی محمدی"),
        # hamza forms and half-spaces fold in the search text; a Persian registration number goes
        # through the folds, a Latin one is only casefolded; no CEO at all
        ("مؤسسه مردم‌نهاد تئاتر", "ثبت‌12 الف", "رئوف مؤمن‌زاده"),
        ("کانون Green Hope", "Qz-1402/7", ""),
    ],
)
def test_bulk_values_match_the_ngo_service(desk, name, registration_no, ceo_name):
    """The importer builds the ngo columns itself (speed: the search text part by part, the CEO's keys
    remembered); they must equal services.ngos' own, the search text included."""
    row = {
        "national_id": nid(),
        "name": name,
        "county_id": desk.counties["آبیک"],
        "level": "county",
        "registration_no": registration_no,
        "registered_on": dt.date(2020, 1, 1),
        "ceo_name": ceo_name,
        "ceo_national_code": make_national_code("123456780") if ceo_name else "",
        "phone": "02833334444",
        "address": "قزوین",
    }
    ours = new_values(row, 7, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    remembered = new_values(row, 7, dt.datetime(2024, 1, 1, tzinfo=dt.UTC), person_keys(ceo_name))
    theirs = prepare_ngo_values(NgoInput(**row), 7)
    for key in ("id", "created_at", "updated_at"):
        ours.pop(key), theirs.pop(key), remembered.pop(key)
    assert ours == theirs == remembered


def test_cells_are_read_as_typed_and_fetched_by_column(tmp_path):
    """The xlsx reader maps calamine's cells as openpyxl gives them (empty → None, a whole number → int,
    any other number, text and dates as they are), and ``cells_getter`` hands a row's cells in the asked
    order: None for a column the sheet lacks and past the end of a short row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "سمن‌ها"
    sheet.append(["نام سازمان", "شناسه ملی", "تلفن", "تاریخ ثبت", "نشانی"])
    sheet.append(["انجمن یک", 10100000001.0, 2.5, dt.datetime(2021, 3, 4), None])
    sheet.append(["انجمن دو", "", None, None, "قزوین"])
    sheet.append(["انجمن سه"])
    path = tmp_path / "typed.xlsx"
    book.save(path)
    table = open_table(path, "سمن‌ها", [Column(c.header, c.key) for c in COLUMNS])  # none required here
    rows = [values for _number, values in table.rows]
    assert rows[0][:3] == ("انجمن یک", 10100000001, 2.5)
    assert type(rows[0][1]) is int and rows[0][3] == dt.date(2021, 3, 4) and rows[0][4] is None
    assert rows[1][1:4] == (None, None, None)
    cells = cells_getter(table, ["national_id", "county", "address", "name"])
    assert [cells(values) for values in rows] == [
        (10100000001, None, None, "انجمن یک"),
        (None, None, "قزوین", "انجمن دو"),
        (None, None, None, "انجمن سه"),
    ]
    assert cells_getter(table, ["phone"])(rows[0]) == (2.5,)
    assert cells_getter(table, ["phone"])(("انجمن کوتاه",)) == (None,)


def test_reimport_adds_nothing_and_says_so(desk, tmp_path):
    path = write_xlsx(tmp_path / "ngos.xlsx", [good_row(n) for n in range(1, 4)])
    assert transfer.import_file(desk.uow, "ngos", path).added == 3
    again = transfer.import_file(desk.uow, "ngos", path)
    assert (again.added, again.unchanged, again.errors) == (0, 3, [])
    assert "پیش‌تر وارد شده است" in again.summary()
    assert ngo_count(desk) == 3


def test_same_id_with_other_data_updates_the_ngo(desk, tmp_path):
    """A sheet made after the NGO was stored holds the clerk's edit (older sheets: test_transfer_roundtrip)."""
    row = good_row(1)
    transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "a.xlsx", [row]))
    changed = list(row)
    changed[1] = "نام دیگر"
    report = transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "b.xlsx", [changed]))
    assert (report.errors, report.added, report.updated) == ([], 0, 1)
    assert "۱ سمن به‌روز شد" in report.summary() and ngo_count(desk) == 1


def test_csv_with_bom_arabic_letters_and_persian_digits(desk, tmp_path):
    national_id = nid()
    persian = national_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    path = tmp_path / "ngos.csv"
    # Arabic ي/ك, ZWNJ-less header, extra column
    headers = [h.replace("ی", "ي").replace("ک", "ك") for h in HEADERS] + ["ستون اضافه"]
    row = [
        persian,
        "انجمن حمايت از كودكان",
        "آبيك",
        "شهرستاني",
        "",
        "۱۲۳",
        "۱۴۰۱/۶/۹",
        "",
        "",
        "",
        "",
        "",
        "x",
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([headers, row])
    report = transfer.import_file(desk.uow, "ngos", path)
    assert report.errors == [] and report.added == 1
    assert report.warnings and "ستون اضافه" in report.warnings[0]
    with desk.uow as uow:
        ngo = uow.s.execute(select(Ngo)).scalar_one()
        assert ngo.national_id == national_id
        assert ngo.name == "انجمن حمایت از کودکان"
        assert ngo.registration_no == "123"
        assert ngo.registered_on == dt.date(2022, 8, 31)
        assert ngo.county_id == desk.counties["آبیک"]
    # without BOM too
    path.write_bytes(path.read_bytes()[3:])
    assert transfer.import_file(desk.uow, "ngos", path).unchanged == 1


def test_missing_required_header_is_refused_by_name(desk, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [], headers=[h for h in HEADERS if h != "سطح فعالیت"])
    with pytest.raises(UserError, match="سطح فعالیت"):
        transfer.import_file(desk.uow, "ngos", path)


def test_dry_run_stores_nothing(desk, tmp_path):
    path = write_xlsx(tmp_path / "ngos.xlsx", [good_row(n) for n in range(1, 4)])
    report = transfer.import_file(desk.uow, "ngos", path, dry_run=True)
    assert report.added == 3 and not report.stored
    assert ngo_count(desk) == 0


def test_export_reimports(desk, tmp_path):
    rows = [good_row(n) for n in range(1, 6)]
    rows[4][2], rows[4][3] = "استان", "استانی"
    transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "in.xlsx", rows))
    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "ngos", out) == 5
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["سمن‌ها"]
    exported = list(book.active.iter_rows(values_only=True))
    assert list(exported[0]) == HEADERS
    again = transfer.import_file(desk.uow, "ngos", out)
    assert (again.added, again.unchanged, again.errors) == (0, 5, [])
    # filtered export, and into a csv
    flt = NgoFilter(county_id=desk.counties["آبیک"])
    assert transfer.export_file(desk.uow, "ngos", tmp_path / "abyek.csv", flt) == 2


def test_bulk_insert_stores_what_the_orm_reads_back(desk, tmp_path):
    """The fast insert path must store dates and timestamps exactly as SQLAlchemy would."""
    rows = [good_row(n) for n in range(1, 601)]  # over the bulk threshold
    transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "n.xlsx", rows))
    with desk.uow as uow:
        ngo = uow.s.execute(select(Ngo).where(Ngo.national_id == rows[0][0])).scalar_one()
        assert ngo.registered_on == dt.date(2021, 5, 5)
        assert ngo.created_at.tzinfo is not None
        assert ngo.founded_on is None
        ngo_id = ngo.id
        raw = uow.s.execute(text_sql("SELECT registered_on, created_at FROM ngo LIMIT 1")).one()
    detail = get_ngo(desk.uow, ngo_id)
    assert detail.registered_on == dt.date(2021, 5, 5)
    # the same text form a row written through the ORM gets
    from ostandari_desk.services.ngos import NgoInput as Input
    from ostandari_desk.services.ngos import create_ngo

    other = create_ngo(
        desk.uow,
        Input(
            national_id=nid(),
            name="انجمن دیگر",
            county_id=None,
            level="province",
            registered_on=dt.date(2021, 5, 5),
        ),
        [],
    )
    with desk.uow as uow:
        orm = uow.s.execute(
            text_sql("SELECT registered_on, created_at FROM ngo WHERE id = :i"), {"i": other}
        ).one()
    assert raw[0] == orm[0]
    assert type(raw[1]) is type(orm[1])
    if isinstance(raw[1], str):  # SQLite keeps a timestamp as text: the same form
        assert len(raw[1]) == len(orm[1])
    else:  # a server's timestamp type: both with their time zone
        assert raw[1].tzinfo is not None and orm[1].tzinfo is not None


def test_number_cells_read_as_whole_numbers(desk, tmp_path):
    """Excel keeps a typed ID or phone as a number; the reader must not turn 1038… into «1038….0»."""
    rows = [good_row(1), good_row(2)]
    rows[0][0] = int(rows[0][0])
    rows[0][9] = 2833609979  # a phone typed as a number (its leading zero lost, as Excel does)
    path = write_xlsx(tmp_path / "numbers.xlsx", rows)
    report = transfer.import_file(desk.uow, "ngos", path)
    assert report.errors == []
    with desk.uow as uow:
        stored = uow.s.execute(select(Ngo).where(Ngo.national_id == str(rows[0][0]))).scalar_one()
        assert stored.phone == "2833609979"


def test_rows_keep_their_sheet_numbers_past_empty_rows(desk, tmp_path):
    rows = [good_row(1), [None] * len(HEADERS), good_row(2)]
    rows[2][2] = "شهرستان ناموجود"
    path = write_xlsx(tmp_path / "gap.xlsx", rows)
    report = transfer.import_file(desk.uow, "ngos", path)
    assert [(e.row, e.column) for e in report.errors] == [(4, "شهرستان")]


def _status_of(desk, national_id: str) -> str:
    with desk.uow as uow:
        return uow.s.execute(select(Ngo.status).where(Ngo.national_id == national_id)).scalar_one()


def test_status_column_round_trip(desk, tmp_path):
    """«وضعیت»: read on import (empty = فعال), exported for every NGO, and an edit of it updates the stored
    NGO, audited; an empty cell keeps the stored status."""
    rows = [good_row(n) for n in range(1, 4)]
    rows[0][-1], rows[1][-1], rows[2][-1] = "غیرفعال", "", "فعال"
    report = transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "in.xlsx", rows))
    assert (report.added, report.errors) == (3, [])
    assert [_status_of(desk, r[0]) for r in rows] == ["inactive", "active", "active"]

    out = tmp_path / "out.xlsx"
    transfer.export_file(desk.uow, "ngos", out)
    exported = {r[0]: r[-1] for r in list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))[1:]}
    assert exported == {rows[0][0]: "غیرفعال", rows[1][0]: "فعال", rows[2][0]: "فعال"}
    again = transfer.import_file(desk.uow, "ngos", out)
    assert (again.added, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])

    edited = [list(r) for r in rows]
    edited[0][-1], edited[1][-1], edited[2][-1] = "فعال", "غیرفعال", ""  # the last: kept as stored
    report = transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "edited.xlsx", edited))
    assert (report.updated, report.unchanged, report.errors) == (2, 1, [])
    assert any("وضعیت" in w for w in report.warnings)
    assert [_status_of(desk, r[0]) for r in rows] == ["active", "inactive", "active"]
    with desk.uow as uow:
        first_id = uow.s.execute(select(Ngo.id).where(Ngo.national_id == rows[0][0])).scalar_one()
    trail = [
        (line.field, line.before, line.after)
        for line in audit_lines(desk.uow, AuditFilter(record_id=first_id))
    ]
    assert any("inactive" in before and "active" in after for _f, before, after in trail), trail


def test_bad_status_is_a_row_error(desk, tmp_path):
    rows = [good_row(1), good_row(2)]
    rows[1][-1] = "تعطیل"
    report = transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "وضعیت")]
    assert "تعطیل" in report.errors[0].reason and "غیرفعال" in report.errors[0].reason
    assert ngo_count(desk) == 0
