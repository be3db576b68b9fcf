"""Exchange sheets for centres and visits (IMPORT_TEMPLATES.md «مراکز», «بازدیدها»): exact headers, every bad
row reported by row and column with nothing stored, skip-bad writes the error workbook, a re-import adds
nothing, a county user stays in their county, and an export re-imports into an empty database as it was."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from ostandari_desk.domain import jalali
from ostandari_desk.services import letters as lt
from ostandari_desk.services import transfer
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.inspections import visits
from ostandari_desk.services.transfer import centres as t_centres
from ostandari_desk.services.transfer import inspections as t_inspections
from ostandari_desk.store.models import Centre, CorrectiveAction, Finding, Inspection

CENTRE_HEADERS = [
    "کد مرکز",
    "نام مرکز",
    "نوع مرکز",
    "شهرستان",
    "دستگاه صادرکننده مجوز",
    "شماره مجوز",
    "بهره‌بردار",
    "نشانی",
    "تلفن",
    "وضعیت",
]
VISIT_HEADERS = [
    "کد مرکز",
    "تاریخ بازدید",
    "ساعت",
    "نوع بازدید",
    "بازرسان",
    "نتیجه",
    "امتیاز",
    "یافته‌ها",
    "مهلت اصلاح",
    "شماره نامه ارجاع",
    "توضیحات",
]


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    """Register the two kinds whether or not transfer/__init__.py lists them."""
    monkeypatch.setitem(transfer.KINDS, "centres", t_centres.KIND)
    monkeypatch.setitem(transfer.KINDS, "inspections", t_inspections.KIND)


def sheet(path, headers, rows, title):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def centres_sheet(path, rows):
    if path.suffix == ".csv":  # a text cell may start with «=» (openpyxl would write a formula)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([CENTRE_HEADERS, *rows])
        return path
    return sheet(path, CENTRE_HEADERS, rows, "مراکز")


def visits_sheet(path, rows):
    return sheet(path, VISIT_HEADERS, rows, "بازدیدها")


def centre_row(code="KSH-1", name="کشتارگاه صنعتی آبیک", category="کشتارگاه", county="آبیک", **kw):
    values = {
        "agency": "اداره کل دامپزشکی",
        "licence": "۱۲۳۴",
        "operator": "شرکت نمونه",
        "address": "آبیک، جاده صنعتی",
        "phone": "۰۲۸-۳۳۳۳ ۴۴۴۴",
        "status": "",
    }
    values.update(kw)
    return [code, name, category, county, *values.values()]


def visit_row(code="KSH-1", on="1403/05/10", **kw):
    values = {
        "time": "10:30",
        "kind": "سرزده",
        "inspectors": "علی رضایی، مریم احمدی",
        "result": "مطلوب",
        "score": "92",
        "findings": "",
        "deadline": "",
        "letter": "",
        "notes": "",
    }
    values.update(kw)
    return [code, on, *values.values()]


def count(desk, model) -> int:
    with desk.uow:
        return desk.uow.s.execute(select(func.count()).select_from(model)).scalar_one()


def errors_of(report) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in report.errors]


def store_centres(desk, tmp_path, rows, name="centres-in.xlsx"):
    report = transfer.import_file(desk.uow, "centres", centres_sheet(tmp_path / name, rows))
    assert report.ok and report.stored, report.errors
    return report


def referral_letter(desk, number="ارجاع/7", on=date(2024, 8, 5), county="آبیک") -> str:
    return lt.create_letter(
        desk.uow,
        lt.LetterInput(
            direction="outgoing",
            number=number,
            dated_on=on,
            party="اداره کل دامپزشکی",
            subject="ارجاع یافته بازدید",
            kind="punitive",
            county_id=desk.counties[county],
        ),
    )


# --- templates ------------------------------------------------------------------------------------


def test_templates_have_exact_headers(tmp_path):
    for kind, headers in (("centres", CENTRE_HEADERS), ("inspections", VISIT_HEADERS)):
        path = transfer.template(kind, tmp_path / f"{kind}.xlsx")
        assert [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]] == headers
        csv_path = transfer.template(kind, tmp_path / f"{kind}.csv")
        assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == headers


# --- centres --------------------------------------------------------------------------------------


def test_import_centres_then_again_adds_nothing(desk, tmp_path):
    path = centres_sheet(
        tmp_path / "c.xlsx",
        [
            centre_row(),
            centre_row("ksh-۲", "مهد کودک شکوفه", "مرکز نگهداری کودکان", "البرز", phone="", status="غیرفعال"),
        ],
    )
    report = transfer.import_file(desk.uow, "centres", path)
    assert report.ok and report.added == 2 and report.stored, report.errors
    first = cs.get_centre(desk.uow, cs.find_centre_id(desk.uow, "KSH-1"))
    assert (first.name, first.category_name, first.county_name) == ("کشتارگاه صنعتی آبیک", "کشتارگاه", "آبیک")
    assert (first.phone, first.licence_number, first.active) == ("02833334444", "1234", True)
    second = cs.get_centre(desk.uow, cs.find_centre_id(desk.uow, "KSH-2"))
    assert second.active is False and second.county_name == "البرز"

    again = transfer.import_file(desk.uow, "centres", path)
    assert again.ok and again.added == 0 and again.unchanged == 2
    assert "پیش‌تر وارد شده" in again.summary()
    assert count(desk, Centre) == 2


def test_bad_centre_rows_each_named_nothing_stored(desk, tmp_path):
    store_centres(desk, tmp_path, [centre_row("OLD-1", "مرکز پیشین")])
    path = centres_sheet(
        tmp_path / "bad.xlsx",
        [
            centre_row("GOOD-1", "مرکز درست"),  # 2: good, but the file is refused as a whole
            centre_row("کد با فاصله"),  # 3: bad code
            centre_row("OLD-1", "نام دیگر"),  # 4: the code is stored with other details
            centre_row("GOOD-1", "مرکز درست"),  # 5: the same code twice in the file
            centre_row("C-5", category="نانوایی"),  # 6: unknown category
            centre_row("C-6", county="تهران"),  # 7: not a county of the province
            centre_row("C-7", phone="۱۲۳"),  # 8: phone
            centre_row("C-8", "ا", category="نانوایی", phone="abc", status="تعطیل"),  # 9: every cell reported
        ],
    )
    report = transfer.import_file(desk.uow, "centres", path)
    assert not report.stored and report.added == 0
    assert sorted(errors_of(report)) == sorted(
        [
            (3, "کد مرکز"),
            (4, "کد مرکز"),
            (5, "کد مرکز"),
            (6, "نوع مرکز"),
            (7, "شهرستان"),
            (8, "تلفن"),
            (9, "نام مرکز"),
            (9, "نوع مرکز"),
            (9, "وضعیت"),
            (9, "تلفن"),
        ]
    )
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "نانوایی" in reasons[(6, "نوع مرکز")] and "تهران" in reasons[(7, "شهرستان")]
    assert "رقم" in reasons[(8, "تلفن")] and "ردیف ۲" in reasons[(5, "کد مرکز")]
    assert count(desk, Centre) == 1  # only the one stored before


def test_skip_bad_centres_writes_the_error_workbook(desk, tmp_path):
    path = centres_sheet(tmp_path / "c.xlsx", [centre_row("A-1"), centre_row("A 2"), centre_row("A-3")])
    report = transfer.import_file(desk.uow, "centres", path, skip_bad=True)
    assert report.added == 2 and errors_of(report) == [(3, "کد مرکز")]
    book = openpyxl.load_workbook(report.bad_rows_path).worksheets[0]
    rows = list(book.iter_rows(values_only=True))
    assert rows[0][-1] == "خطا" and len(rows) == 2 and rows[1][0] == "A 2"
    assert count(desk, Centre) == 2


# --- visits ---------------------------------------------------------------------------------------


def test_import_visits_with_findings_deadline_and_referral(desk, tmp_path):
    store_centres(desk, tmp_path, [centre_row(), centre_row("KSH-2", "کشتارگاه دوم")])
    letter_id = referral_letter(desk)
    path = visits_sheet(
        tmp_path / "v.xlsx",
        [
            visit_row(),
            visit_row(
                "ksh-۲",
                "۱۴۰۳/۰۵/۱۲",
                time="",
                kind="اعلام‌شده",
                result="نیازمند اصلاح",
                score="",
                findings="نبود گواهی بهداشت کارکنان؛ زنجیره سرما رعایت نشده؛",
                deadline="1403/06/12",
                letter="ارجاع/۷",
                notes="پیگیری شود",
            ),
        ],
    )
    report = transfer.import_file(desk.uow, "inspections", path)
    assert report.ok and report.added == 2 and report.stored, report.errors

    [first] = visits.visits_of_centre(desk.uow, cs.find_centre_id(desk.uow, "KSH-1"))
    one = visits.get_visit(desk.uow, first.id)
    assert one.state == "closed" and one.score == 92 and one.result == "good" and not one.announced
    assert one.inspected_at.hour == 10 and one.inspected_at.minute == 30
    assert one.inspectors == ("علی رضایی", "مریم احمدی")

    [second] = visits.visits_of_centre(desk.uow, cs.find_centre_id(desk.uow, "KSH-2"))
    two = visits.get_visit(desk.uow, second.id)
    assert two.announced and two.result == "needs_fix" and two.score is None
    assert two.correction_deadline == jalali.from_jalali(1403, 6, 12)
    assert [f.text for f in two.findings] == ["نبود گواهی بهداشت کارکنان", "زنجیره سرما رعایت نشده"]
    with desk.uow:
        actions = desk.uow.s.execute(
            select(CorrectiveAction.deadline, CorrectiveAction.referral_letter_id)
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .where(Finding.inspection_id == second.id)
        ).all()
    assert sorted(actions) == [(jalali.from_jalali(1403, 6, 12), letter_id)] * 2

    again = transfer.import_file(desk.uow, "inspections", path)
    assert again.ok and again.added == 0 and again.unchanged == 2
    assert "پیش‌تر وارد شده" in again.summary()
    assert count(desk, Inspection) == 2 and count(desk, Finding) == 2


def test_bad_visit_rows_each_named_nothing_stored(desk, tmp_path):
    store_centres(desk, tmp_path, [centre_row()])
    future = jalali.format_jalali(date.today() + timedelta(days=3))
    path = visits_sheet(
        tmp_path / "bad.xlsx",
        [
            visit_row(),  # 2: good, but the file is refused as a whole
            visit_row("NOPE-1"),  # 3: unknown centre
            visit_row(on="1401/12/30"),  # 4: impossible date
            visit_row(on=future),  # 5: a visit in the future
            visit_row(on="1403/05/11", kind="ناگهانی"),  # 6: kind
            visit_row(on="1403/05/12", score="150"),  # 7: score outside 0–100
            visit_row(on="1403/05/13", time="25:10"),  # 8: bad time
            visit_row(on="1403/05/14", result="نیازمند اصلاح", score=""),  # 9: no deadline
            visit_row(on="1403/05/15", result="تخلف جدی", score="", findings="ذبح غیرمجاز"),  # 10
            visit_row(on="1403/05/16", result="عالی"),  # 11: result outside the three
            visit_row(on="1403/05/17", findings="الف", letter="999"),  # 12: no such outgoing letter
            visit_row(on="1403/05/18", deadline="1403/05/01", result="نیازمند اصلاح"),  # 13: deadline before
            visit_row("NOPE-2", on="1401/12/30", kind="؟", score="-1", time="x"),  # 14: every cell reported
        ],
    )
    report = transfer.import_file(desk.uow, "inspections", path)
    assert not report.stored and report.added == 0
    assert sorted(errors_of(report)) == sorted(
        [
            (3, "کد مرکز"),
            (4, "تاریخ بازدید"),
            (5, "تاریخ بازدید"),
            (6, "نوع بازدید"),
            (7, "امتیاز"),
            (8, "ساعت"),
            (9, "مهلت اصلاح"),
            (10, "مهلت اصلاح"),
            (11, "نتیجه"),
            (12, "شماره نامه ارجاع"),
            (13, "مهلت اصلاح"),
            (14, "کد مرکز"),
            (14, "تاریخ بازدید"),
            (14, "ساعت"),
            (14, "نوع بازدید"),
            (14, "امتیاز"),
        ]
    )
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "NOPE" in reasons[(3, "کد مرکز")] and "آینده" in reasons[(5, "تاریخ بازدید")]
    assert "ناگهانی" in reasons[(6, "نوع بازدید")] and "۱۰۰" in reasons[(7, "امتیاز")]
    assert "نیازمند اصلاح" in reasons[(9, "مهلت اصلاح")] and "تخلف جدی" in reasons[(10, "مهلت اصلاح")]
    assert "۹۹۹" in reasons[(12, "شماره نامه ارجاع")]
    assert count(desk, Inspection) == 0 and count(desk, Finding) == 0


def test_skip_bad_visits_and_same_visit_twice(desk, tmp_path):
    store_centres(desk, tmp_path, [centre_row()])
    path = visits_sheet(
        tmp_path / "v.xlsx",
        [
            visit_row(),
            visit_row(score="۱۰۱"),
            visit_row(),  # the same centre, date and time as row 2
            visit_row(on="1403/05/11", time=""),
        ],
    )
    report = transfer.import_file(desk.uow, "inspections", path, skip_bad=True)
    assert report.added == 2 and errors_of(report) == [(3, "امتیاز"), (4, "کد مرکز")]
    rows = list(openpyxl.load_workbook(report.bad_rows_path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "خطا" and len(rows) == 3
    assert "۱۰۰" in rows[1][-1]
    # the same visit again (another file) adds nothing; with another result it is an error
    same = transfer.import_file(desk.uow, "inspections", visits_sheet(tmp_path / "same.xlsx", [visit_row()]))
    assert same.ok and same.added == 0 and same.unchanged == 1
    other = visits_sheet(tmp_path / "other.xlsx", [visit_row(result="تخلف جدی", deadline="1403/06/01")])
    second = transfer.import_file(desk.uow, "inspections", other)
    assert not second.stored and errors_of(second) == [(2, "نتیجه")]
    assert count(desk, Inspection) == 2


def test_county_user_imports_only_their_county(desk, tmp_path, uow_as):
    store_centres(desk, tmp_path, [centre_row("ALB-1", county="البرز")])
    abyek = uow_as("county", desk.counties["آبیک"])
    path = centres_sheet(tmp_path / "c.xlsx", [centre_row("ABY-1"), centre_row("ALB-2", county="البرز")])
    report = transfer.import_file(abyek, "centres", path)
    assert not report.stored and errors_of(report) == [(3, "شهرستان")]
    assert "آبیک" in report.errors[0].reason
    report = transfer.import_file(abyek, "centres", path, skip_bad=True)
    assert report.added == 1 and count(desk, Centre) == 2

    visits_path = visits_sheet(tmp_path / "v.xlsx", [visit_row("ABY-1"), visit_row("ALB-1")])
    report = transfer.import_file(abyek, "inspections", visits_path)
    assert not report.stored and errors_of(report) == [(3, "کد مرکز")]
    assert "حوزه شما" in report.errors[0].reason
    assert count(desk, Inspection) == 0
    # the export holds only the county's own
    out = tmp_path / "own.xlsx"
    assert transfer.export_file(abyek, "centres", out) == 1


def test_dry_run_stores_nothing(desk, tmp_path):
    path = centres_sheet(tmp_path / "c.xlsx", [centre_row()])
    report = transfer.import_file(desk.uow, "centres", path, dry_run=True)
    assert report.ok and report.added == 1 and not report.stored
    assert count(desk, Centre) == 0


# --- export ---------------------------------------------------------------------------------------


def _sheet_rows(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def test_export_visits_honours_the_list_filter(desk, tmp_path):
    store_centres(desk, tmp_path, [centre_row(), centre_row("KSH-2", "کشتارگاه دوم")])
    rows = [
        visit_row(),
        visit_row(on="1403/05/11", kind="اعلام‌شده"),
        visit_row("KSH-2", result="تخلف جدی", score="40", deadline="1403/06/01"),
    ]
    assert transfer.import_file(desk.uow, "inspections", visits_sheet(tmp_path / "v.xlsx", rows)).stored
    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "inspections", out) == 3
    assert transfer.export_file(desk.uow, "inspections", out, visits.VisitFilter(text="ksh-2")) == 1
    assert _sheet_rows(out)[1][0] == "KSH-2"
    ksh1 = cs.find_centre_id(desk.uow, "KSH-1")
    flt = visits.VisitFilter(centre_id=ksh1, announced=True)
    assert transfer.export_file(desk.uow, "inspections", out, flt) == 1
    assert _sheet_rows(out)[1][3] == "اعلام‌شده"
    assert transfer.export_file(desk.uow, "inspections", out, visits.VisitFilter(result="serious")) == 1


def test_export_round_trip_into_an_empty_database(desk, tmp_path, actor):
    from ostandari_desk.services import setup
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database
    from ostandari_desk.store.uow import UnitOfWork

    store_centres(
        desk,
        tmp_path,
        [
            centre_row(),
            centre_row(
                "KMP-1",
                "=مرکز با نام فرمول‌مانند",
                "کمپ ترک اعتیاد",
                "البرز",
                operator="+بهره‌بردار",
                status="غیرفعال",
            ),
        ],
        "centres-in.csv",
    )
    referral_letter(desk, on=date(2024, 8, 15), county="البرز")  # the series of KMP-1's county
    visits_report = transfer.import_file(
        desk.uow,
        "inspections",
        visits_sheet(
            tmp_path / "v.xlsx",
            [
                visit_row(findings="+یافته با علامت", notes="-توضیح"),
                visit_row(
                    "KMP-1",
                    "1403/05/20",
                    time="",
                    result="تخلف جدی",
                    score="",
                    findings="الف؛ ب",
                    deadline="1403/06/20",
                    letter="ارجاع/7",
                ),
            ],
        ),
    )
    assert visits_report.ok and visits_report.added == 2, visits_report.errors
    # a visit made in the app from the checklist exports its outcome too
    centre_id = cs.find_centre_id(desk.uow, "KSH-1")
    visits.create_visit(
        desk.uow,
        visits.VisitInput(centre_id=centre_id, on=date(2024, 9, 1), result_override="مطلوب", score=85),
    )

    exported = {}
    for kind in ("letters", "centres", "inspections"):
        exported[kind] = tmp_path / f"{kind}.xlsx"
        transfer.export_file(desk.uow, kind, exported[kind])
    assert len(_sheet_rows(exported["centres"])) == 3 and len(_sheet_rows(exported["inspections"])) == 4
    csv_out = tmp_path / "centres.csv"
    transfer.export_file(desk.uow, "centres", csv_out)
    assert "'=مرکز با نام" in csv_out.read_text(encoding="utf-8-sig")  # neutralised

    engine = open_database(sqlite_url(tmp_path / "empty.sqlite3"))
    try:
        other = UnitOfWork(engine, actor)
        setup.initialize(other, "قزوین", office_name="اداره کل امور اجتماعی")
        for kind in ("letters", "centres", "inspections"):
            report = transfer.import_file(other, kind, exported[kind])
            assert report.ok and report.stored, (kind, report.errors)
        for kind in ("centres", "inspections"):
            again = tmp_path / f"{kind}-again.xlsx"
            transfer.export_file(other, kind, again)
            assert _sheet_rows(again) == _sheet_rows(exported[kind]), kind
        # and the csv export re-imports as unchanged
        assert transfer.import_file(other, "centres", csv_out).unchanged == 2
    finally:
        engine.dispose()
