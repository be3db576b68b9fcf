"""Exchange sheets for events and letters: good files, every bad row reported, all-or-nothing, skip-bad,
re-import adds nothing, export re-imports."""

from __future__ import annotations

import csv
import itertools

import openpyxl
import pytest
from ngo_sheets import EVENT_HEADERS, LETTER_HEADERS

from ostandari_desk.domain import text
from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.errors import UserError
from ostandari_desk.services import events as ev
from ostandari_desk.services import letters as lt
from ostandari_desk.services import transfer
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.transfer import events as t_events
from ostandari_desk.services.transfer import letters as t_letters
from ostandari_desk.store.models import Ngo

_seq = itertools.count(9_800)
_prefix = itertools.count(1_052_000_000)


def insert_ngo(uow, name: str) -> tuple[str, str]:
    national_id = make_legal_national_id(str(next(_prefix)))
    with uow:
        ngo = Ngo(
            **stamps(),
            seq=next(_seq),
            national_id=national_id,
            name=name,
            name_key=text.normalize(name),
            name_sort=text.persian_sort_key(name),
            level="county",
        )
        uow.s.add(ngo)
        uow.commit()
        return ngo.id, national_id


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    """Register the two kinds whether or not transfer/__init__.py lists them yet."""
    monkeypatch.setitem(transfer.KINDS, "events", t_events.KIND)
    monkeypatch.setitem(transfer.KINDS, "letters", t_letters.KIND)


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_templates_have_exact_headers(tmp_path):
    for kind, headers in (("events", EVENT_HEADERS), ("letters", LETTER_HEADERS)):
        path = transfer.template(kind, tmp_path / f"{kind}.xlsx")
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert [c.value for c in sheet[1]] == headers
        csv_path = transfer.template(kind, tmp_path / f"{kind}.csv")
        assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == headers


def test_import_good_events_and_reimport(desk, tmp_path):
    _a_id, a_nid = insert_ngo(desk.uow, "انجمن الف")
    _b_id, b_nid = insert_ngo(desk.uow, "انجمن ب")
    path = write_csv(
        tmp_path / "events.csv",
        [
            EVENT_HEADERS,
            [
                "همایش سمن‌های استان",
                "همایش",
                "۱۴۰۱/۰۶/۰۹",
                "1401/6/10",
                "استان",
                "اداره کل",
                "۲۵۰",
                "",
                f"{a_nid}، {b_nid}",
            ],
            [
                "دوره آموزشی حسابداری",
                "دوره آموزشي",
                "1401-07-01",
                "",
                "البرز",
                text.to_persian_digits(a_nid),
                "30",
                "12",
                "",
            ],
            ["نشست شورا", "نشست", "1401/8/1", "", "آبیک", "", "", "", b_nid],
        ],
    )
    report = transfer.import_file(desk.uow, "events", path)
    assert report.ok and report.added == 3 and report.stored, report.errors
    rows = ev.list_event_page(desk.uow, sort="starts_on", descending=False)
    assert [r.title for r in rows] == ["همایش سمن‌های استان", "دوره آموزشی حسابداری", "نشست شورا"]
    assert rows[0].ngo_count == 2 and rows[0].county_name == "استان" and rows[0].attendees == 250
    assert rows[0].ends_on == J(1401, 6, 10)
    assert rows[1].organizer_name == "انجمن الف" and rows[1].hours == 12 and rows[1].county_name == "البرز"
    again = transfer.import_file(desk.uow, "events", path)
    assert again.added == 0 and again.unchanged == 3 and again.ok
    assert "پیش‌تر وارد شده" in again.summary()
    assert ev.count_events(desk.uow) == 3
    # export re-imports as unchanged
    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "events", out) == 3
    third = transfer.import_file(desk.uow, "events", out)
    assert third.ok and third.added == 0 and third.unchanged == 3


def test_bad_event_rows_all_reported_nothing_stored(desk, tmp_path):
    _, nid = insert_ngo(desk.uow, "انجمن الف")
    path = write_csv(
        tmp_path / "events.csv",
        [
            EVENT_HEADERS,
            ["خوب", "نشست", "1401/01/05", "", "استان", "", "", "", ""],
            ["", "جشن", "1401/12/30", "", "تهران", "123", "-5", "x", "99999999999"],
            ["نشست بد", "نشست", "1401/05/05", "1401/05/01", "قزوین", "", "10", "4", nid],
            ["خوب", "نشست", "1401/01/05", "", "استان", "", "", "", ""],
        ],
    )
    report = transfer.import_file(desk.uow, "events", path)
    assert not report.stored and report.added == 0
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "عنوان"),
        (3, "نوع"),
        (3, "تاریخ شروع"),
        (3, "شهرستان"),
        (3, "برگزارکننده"),
        (3, "تعداد شرکت‌کنندگان"),
        (3, "ساعت آموزش"),
        (3, "سمن‌های شرکت‌کننده"),
    } <= found
    assert (4, "تاریخ پایان") in found and (4, "ساعت آموزش") in found
    assert (5, "عنوان") in found  # the same event twice in one file
    assert report.bad_rows == 3
    assert all(e.reason for e in report.errors)
    assert ev.count_events(desk.uow) == 0
    # dry run stores nothing either
    dry = transfer.import_file(desk.uow, "events", path, dry_run=True)
    assert dry.added == 1 and ev.count_events(desk.uow) == 0


def test_skip_bad_events_writes_error_sheet(desk, tmp_path):
    path = write_csv(
        tmp_path / "events.csv",
        [
            EVENT_HEADERS,
            ["خوب", "نشست", "1401/01/05", "", "استان", "", "", "", ""],
            ["بد", "نشست", "1401/13/05", "", "استان", "", "", "", ""],
        ],
    )
    report = transfer.import_file(desk.uow, "events", path, skip_bad=True)
    assert report.added == 1 and report.bad_rows == 1
    sheet = openpyxl.load_workbook(report.bad_rows_path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "خطا" and rows[1][0] == "بد" and "تاریخ شروع" in rows[1][-1]
    assert ev.count_events(desk.uow) == 1


def test_missing_required_header_named(desk, tmp_path):
    path = write_csv(tmp_path / "events.csv", [EVENT_HEADERS[:2], ["الف", "نشست"]])
    with pytest.raises(UserError) as info:
        transfer.import_file(desk.uow, "events", path)
    assert "تاریخ شروع" in info.value.message


def test_import_letters_good_bad_skip_and_reimport(desk, tmp_path):
    ngo_id, nid = insert_ngo(desk.uow, "انجمن الف")
    lt.create_letter(
        desk.uow, lt.LetterInput("outgoing", "500", J(1401, 3, 3), "فرمانداری", "موجود", "other")
    )
    good = write_csv(
        tmp_path / "letters.csv",
        [
            LETTER_HEADERS,
            [
                "۱۲۳/ص",
                "۱۴۰۱/۰۶/۰۹",
                "صادره",
                "هماهنگی و حمایتی",
                "فرمانداری البرز",
                "حمایت از همایش",
                nid,
                "البرز",
            ],
            ["45", "1401/7/1", "وارده", "توقیفی و توبیخی", "دادگستری", "توقیف پروانه", "", ""],
            ["45", "1402/7/1", "وارده", "سایر", "دادگستری", "سال دیگر", "", "استان"],
        ],
    )
    report = transfer.import_file(desk.uow, "letters", good)
    assert report.ok and report.added == 3, report.errors
    [row] = lt.list_letter_page(desk.uow, lt.LetterFilter(ngo_id=ngo_id))
    assert row.number == "123/ص" and row.county_name == "البرز" and row.kind_label == "هماهنگی و حمایتی"
    assert lt.count_letters(desk.uow, lt.LetterFilter(year=1401, direction="incoming")) == 1
    again = transfer.import_file(desk.uow, "letters", good)
    assert again.added == 0 and again.unchanged == 3

    bad = write_csv(
        tmp_path / "bad.csv",
        [
            LETTER_HEADERS,
            ["600", "1401/1/1", "صادره", "سایر", "اداره", "تازه", "", ""],
            ["500", "1401/9/9", "صادره", "سایر", "اداره", "شماره تکراری", "", ""],
            ["", "1401/2/31", "رفت", "بد", "", "", "12345678901", "تهران"],
            ["600", "1401/1/2", "صادره", "سایر", "اداره", "همان شماره در همین پرونده", "", ""],
        ],
    )
    report = transfer.import_file(desk.uow, "letters", bad)
    found = {(e.row, e.column) for e in report.errors}
    assert (3, "شماره نامه") in found
    assert {
        (4, "شماره نامه"),
        (4, "جهت"),
        (4, "نوع"),
        (4, "طرف مکاتبه"),
        (4, "موضوع"),
        (4, "شناسه ملی سمن"),
        (4, "شهرستان"),
    } <= found
    assert (5, "شماره نامه") in found
    assert report.added == 0 and lt.count_letters(desk.uow) == 4
    skipped = transfer.import_file(desk.uow, "letters", bad, skip_bad=True)
    assert skipped.added == 1 and skipped.bad_rows == 3 and skipped.bad_rows_path.exists()
    assert lt.count_letters(desk.uow) == 5


def test_letters_export_reimports(desk, tmp_path):
    _, nid = insert_ngo(desk.uow, "انجمن الف")
    path = write_csv(
        tmp_path / "letters.csv",
        [
            LETTER_HEADERS,
            ["12", "1401/06/09", "صادره", "سایر", "فرمانداری", "موضوع", nid, "آبیک"],
        ],
    )
    transfer.import_file(desk.uow, "letters", path)
    out = tmp_path / "out.csv"
    assert transfer.export_file(desk.uow, "letters", out) == 1
    again = transfer.import_file(desk.uow, "letters", out)
    assert again.ok and again.added == 0 and again.unchanged == 1
