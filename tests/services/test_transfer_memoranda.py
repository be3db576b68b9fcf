"""Exchange sheets for memoranda, progress reports, payments and facilitation offices (IMPORT_TEMPLATES.md
«تفاهم‌نامه‌ها», «گزارش‌های پیشرفت», «پرداخت‌ها», «دفاتر تسهیلگری»): exact headers; every «Bad input» case of
issue 9 a row error naming its row and column with nothing stored; the release rule's sentence on a payment
that breaks it; skip-bad writes the error workbook; a re-import adds nothing; a county user stays in their
county; an export of all four re-imports into an empty database as it was."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from sqlalchemy import func, select

from ostandari_desk.services import transfer
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import offices as of
from ostandari_desk.store.models import (
    AuditEntry,
    County,
    FacilitationOffice,
    Memorandum,
    Ngo,
    Payment,
    ProgressReport,
    ReferenceItem,
)

OFFICE_HEADERS = ["نام دفتر", "شهرستان", "محله‌ها", "سمن مجری", "تاریخ گشایش", "اعتبار (ریال)", "وضعیت"]
MEMO_HEADERS = [
    "شماره تفاهم‌نامه",
    "عنوان",
    "طرف تفاهم‌نامه",
    "شهرستان",
    "حوزه آسیب",
    "دفتر تسهیلگری",
    "مبلغ (ریال)",
    "تاریخ انعقاد",
    "تاریخ شروع",
    "مدت (ماه)",
    "وضعیت",
]
PROGRESS_HEADERS = ["شماره تفاهم‌نامه", "تاریخ گزارش", "درصد پیشرفت", "توضیحات"]
PAYMENT_HEADERS = ["شماره تفاهم‌نامه", "تاریخ پرداخت", "مرحله", "مبلغ (ریال)"]
HEADERS = {
    "offices": OFFICE_HEADERS,
    "memoranda": MEMO_HEADERS,
    "progress": PROGRESS_HEADERS,
    "payments": PAYMENT_HEADERS,
}
HARM = "اعتیاد (معتادان متجاهر)"
RULE = "قاعده پرداخت"


def sheet(path, kind, rows):
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([HEADERS[kind], *rows])
        return path
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = transfer.kind_of(kind).title
    ws.append(HEADERS[kind])
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def office_row(name="دفتر تسهیلگری محله اسلام‌آباد", county="قزوین", **kw):
    values = {
        "neighbourhoods": "اسلام‌آباد، پونک",
        "ngo": "",
        "opened": "1402/10/01",
        "budget": "۵۰۰٬۰۰۰٬۰۰۰",
        "state": "",
    }
    values.update(kw)
    return [name, county, *values.values()]


def memo_row(number="ت-1", party="فرمانداری", county="قزوین", amount="1,000,000,000", **kw):
    values = {
        "harm": HARM,
        "office": "",
        "amount": amount,
        "signed": "1403/01/15",
        "starts": "",
        "duration": "",
        "state": "",
    }
    values.update(kw)
    return [number, "کاهش آسیب‌های اجتماعی در حاشیه شهر", party, county, *values.values()]


def count(desk, model) -> int:
    with desk.uow:
        return desk.uow.s.execute(select(func.count()).select_from(model)).scalar_one()


def counts(desk) -> tuple[int, ...]:
    return tuple(
        count(desk, m) for m in (FacilitationOffice, Memorandum, ProgressReport, Payment, AuditEntry)
    )


def errors_of(report) -> list[tuple[int, str]]:
    return sorted((e.row, e.column) for e in report.errors)


def reasons(report) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.reason for e in report.errors}


def store(desk, tmp_path, kind, rows, name=None, uow=None):
    path = sheet(tmp_path / (name or f"{kind}-in.xlsx"), kind, rows)
    report = transfer.import_file(uow or desk.uow, kind, path)
    assert report.ok and report.stored, report.errors
    return report


def national_id(desk, ngo_id) -> str:
    with desk.uow:
        return desk.uow.s.get(Ngo, ngo_id).national_id


def memo(desk, number):
    return ms.get_memorandum(desk.uow, ms.find_memorandum_id(desk.uow, number))


# --- templates ------------------------------------------------------------------------------------


def test_templates_have_exact_headers(tmp_path):
    for kind, headers in HEADERS.items():
        path = transfer.template(kind, tmp_path / f"{kind}.xlsx")
        assert [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]] == headers
        csv_path = transfer.template(kind, tmp_path / f"{kind}.csv")
        assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == headers


# --- the whole chain, then again -----------------------------------------------------------------


def test_offices_memoranda_progress_payments_then_again_adds_nothing(desk, tmp_path, make_ngo):
    nid = national_id(desk, make_ngo(county="البرز"))
    store(
        desk,
        tmp_path,
        "offices",
        [office_row(), office_row("دفتر محله", "البرز", ngo=nid, state="در دست راه‌اندازی")],
    )
    office = of.get_office(desk.uow, of.find_office_id(desk.uow, desk.counties["البرز"], "دفتر محله"))
    assert (office.ngo_id is not None, office.state, office.budget) == (True, "planned", 500_000_000)
    assert office.neighbourhoods == "اسلام‌آباد، پونک"

    memo_rows = [
        memo_row(office="دفتر تسهیلگری محله اسلام‌آباد"),
        memo_row("ت-۲", nid, "البرز", "2000000", office="دفتر محله", starts="1403/02/01", duration="6"),
        memo_row("ت-3", county="استان", party=nid, harm="", state="خاتمه‌یافته"),  # the NGO's county
    ]
    store(desk, tmp_path, "memoranda", memo_rows)
    first = memo(desk, "ت-1")
    assert (first.party_kind, first.county_name, first.amount, first.state) == (
        "county",
        "قزوین",
        10**9,
        "active",
    )
    assert first.starts_on == first.signed_on and first.duration_months == 3 and first.office_name
    second = memo(desk, "ت-2")
    assert (second.party_kind, second.duration_months, second.office_name) == ("ngo", 6, "دفتر محله")
    assert second.ends_on > second.starts_on > second.signed_on
    assert memo(desk, "ت-3").county_name == "البرز"

    progress = [
        ["ت-1", "1403/03/01", "30", "گام نخست"],
        ["ت-1", "1403/04/01", "۵۰٪", ""],
        ["ت-2", "1403/03/10", 60, ""],
    ]
    store(desk, tmp_path, "progress", progress)
    payments = [
        ["ت-1", "1403/02/01", "1", "500,000,000"],
        ["ت-1", "1403/04/02", "2", "300000000"],  # after the 50% report
        ["ت-2", "1403/03/11", 1, 1_000_000],
    ]
    store(desk, tmp_path, "payments", payments)
    ledger = memo(desk, "ت-1").ledger
    assert (ledger.paid, ledger.remaining, ledger.latest_progress) == (800_000_000, 200_000_000, 50)

    before = counts(desk)
    for kind, rows in (
        ("offices", None),
        ("memoranda", memo_rows),
        ("progress", progress),
        ("payments", payments),
    ):
        path = tmp_path / f"{kind}-in.xlsx"
        again = transfer.import_file(desk.uow, kind, path)
        assert again.ok and again.added == 0 and again.unchanged == (len(rows) if rows else 2), (
            kind,
            again.errors,
        )
        assert "پیش‌تر وارد شده" in again.summary()
    assert counts(desk)[:4] == before[:4]


# --- bad input: each case a row error naming row and column, nothing stored ---------------------


def test_bad_memoranda_rows_each_named_nothing_stored(desk, tmp_path, make_ngo):
    nid = national_id(desk, make_ngo())
    store(desk, tmp_path, "offices", [office_row()])
    store(desk, tmp_path, "memoranda", [memo_row("OLD-1")])
    before = counts(desk)
    path = sheet(
        tmp_path / "bad.xlsx",
        "memoranda",
        [
            memo_row("G-1"),  # 2: good, but the file is refused as a whole
            memo_row("B-1", amount="0"),  # 3: amount 0
            memo_row("B-2", amount="-500"),  # 4: a negative amount
            memo_row("B-3", starts="1403/01/10"),  # 5: start before signing
            memo_row("B-4", party="10000000000"),  # 6: unknown NGO
            memo_row("B-5", county="تهران"),  # 7: unknown county
            memo_row("B-6", office="دفتر ناموجود"),  # 8: unknown office
            memo_row(
                "B-7", office="دفتر تسهیلگری محله اسلام‌آباد", county="البرز"
            ),  # 9: another county's office
            memo_row("B-8", harm="آسیب ناشناخته", duration="40", state="معلق"),  # 10: every cell named
            memo_row("OLD-1", amount="5"),  # 11: stored with other details
            memo_row("G-1"),  # 12: the same number twice in the file
            memo_row("B-9", county="استان"),  # 13: a governorate needs a county
            memo_row("B-10", party=nid, signed="1402/12/30"),  # 14: not a date (1402 is not leap)
        ],
    )
    report = transfer.import_file(desk.uow, "memoranda", path)
    assert not report.stored and report.added == 0
    assert errors_of(report) == sorted(
        [
            (3, "مبلغ (ریال)"),
            (4, "مبلغ (ریال)"),
            (5, "تاریخ شروع"),
            (6, "طرف تفاهم‌نامه"),
            (7, "شهرستان"),
            (8, "دفتر تسهیلگری"),
            (9, "دفتر تسهیلگری"),
            (10, "حوزه آسیب"),
            (10, "مدت (ماه)"),
            (10, "وضعیت"),
            (11, "شماره تفاهم‌نامه"),
            (12, "شماره تفاهم‌نامه"),
            (13, "شهرستان"),
            (14, "تاریخ انعقاد"),
        ]
    )
    why = reasons(report)
    assert "صفر" in why[(3, "مبلغ (ریال)")] and "صفر" in why[(4, "مبلغ (ریال)")]
    assert "پیش از تاریخ انعقاد" in why[(5, "تاریخ شروع")]
    assert "شناسه ملی" in why[(6, "طرف تفاهم‌نامه")] and "تهران" in why[(7, "شهرستان")]
    assert "دفتر ناموجود" in why[(8, "دفتر تسهیلگری")] and "ردیف ۲" in why[(12, "شماره تفاهم‌نامه")]
    assert counts(desk) == before


def _stored_chain(desk, tmp_path):
    """ت-1 (1,000,000,000 rials, signed 1403/01/15) with tranche 1 of 500,000,000 and a 30% report;
    ت-2 cancelled."""
    store(desk, tmp_path, "memoranda", [memo_row(), memo_row("ت-2", state="لغوشده")], "m.xlsx")
    store(desk, tmp_path, "progress", [["ت-1", "1403/03/01", "30", ""]], "p.xlsx")
    store(desk, tmp_path, "payments", [["ت-1", "1403/02/01", "1", "500000000"]], "pay.xlsx")


def test_bad_progress_rows_each_named_nothing_stored(desk, tmp_path):
    _stored_chain(desk, tmp_path)
    before = counts(desk)
    path = sheet(
        tmp_path / "bad-progress.xlsx",
        "progress",
        [
            ["ت-1", "1403/04/01", "40", ""],  # 2: good
            ["ت-1", "1403/05/01", "20", ""],  # 3: backwards against the stored 30% and the row above
            ["ت-1", "1403/02/01", "35", ""],  # 4: above the stored 30% of a later date
            ["ت-1", "1403/01/01", "0", ""],  # 5: before signing
            ["ت-9", "1403/04/01", "10", ""],  # 6: unknown memorandum
            ["ت-1", "1403/06/01", "120", ""],  # 7: over 100
            ["ت-1", "1403/06/01", "نیمه", ""],  # 8: not a number
        ],
    )
    report = transfer.import_file(desk.uow, "progress", path)
    assert not report.stored
    assert errors_of(report) == [
        (3, "درصد پیشرفت"),
        (4, "درصد پیشرفت"),
        (5, "تاریخ گزارش"),
        (6, "شماره تفاهم‌نامه"),
        (7, "درصد پیشرفت"),
        (8, "درصد پیشرفت"),
    ]
    why = reasons(report)
    assert "به عقب برنمی‌گردد" in why[(3, "درصد پیشرفت")] and "۴۰٪" in why[(3, "درصد پیشرفت")]  # the row above
    assert "نخست تفاهم‌نامه‌ها را وارد کنید" in why[(6, "شماره تفاهم‌نامه")]
    assert counts(desk) == before


def test_progress_in_one_file_is_checked_in_date_order(desk, tmp_path):
    store(desk, tmp_path, "memoranda", [memo_row()])
    # rows out of date order are fine as long as the percentages rise with the dates
    good = sheet(
        tmp_path / "p.xlsx", "progress", [["ت-1", "1403/05/01", "60", ""], ["ت-1", "1403/03/01", "20", ""]]
    )
    assert transfer.import_file(desk.uow, "progress", good).stored
    bad = sheet(
        tmp_path / "p2.xlsx", "progress", [["ت-1", "1403/07/01", "90", ""], ["ت-1", "1403/06/01", "95", ""]]
    )
    report = transfer.import_file(desk.uow, "progress", bad)
    assert not report.stored and errors_of(report) == [(3, "درصد پیشرفت")]
    assert count(desk, ProgressReport) == 2


def test_bad_payment_rows_name_the_release_rule_nothing_stored(desk, tmp_path):
    _stored_chain(desk, tmp_path)
    before = counts(desk)
    path = sheet(
        tmp_path / "bad-payments.xlsx",
        "payments",
        [
            ["ت-1", "1403/03/05", "3", "100000000"],  # 2: tranche out of order (2 comes next)
            ["ت-1", "1403/03/05", "2", "100000000"],  # 3: second tranche without a 50% report (30% only)
            ["ت-2", "1403/02/01", "1", "100000000"],  # 4: a cancelled memorandum
            ["ت-1", "1403/03/05", "2", "0"],  # 5: amount 0
            ["ت-1", "1403/03/05", "2", "-100"],  # 6: a negative amount
            ["ت-1", "1403/01/01", "2", "100000000"],  # 7: before signing
            ["ت-1", "1403/02/01", "1", "400000000"],  # 8: a stored tranche with another amount
            ["ت-8", "1403/02/01", "1", "400000000"],  # 9: unknown memorandum
        ],
    )
    report = transfer.import_file(desk.uow, "payments", path)
    assert not report.stored
    assert errors_of(report) == [
        (2, "مرحله"),
        (3, "تاریخ پرداخت"),
        (4, "شماره تفاهم‌نامه"),
        (5, "مبلغ (ریال)"),
        (6, "مبلغ (ریال)"),
        (7, "تاریخ پرداخت"),
        (8, "مبلغ (ریال)"),
        (9, "شماره تفاهم‌نامه"),
    ]
    why = reasons(report)
    for cell in ((2, "مرحله"), (3, "تاریخ پرداخت"), (4, "شماره تفاهم‌نامه")):
        assert RULE in why[cell], why[cell]
    assert "گزارش پیشرفت ۵۰٪ ثبت نشده است" in why[(3, "تاریخ پرداخت")]
    assert "لغو" in why[(4, "شماره تفاهم‌نامه")] and "صفر" in why[(5, "مبلغ (ریال)")]
    assert "پیش‌تر" in why[(8, "مبلغ (ریال)")]
    assert counts(desk) == before


def test_payment_beyond_the_amount_and_first_tranche_share(desk, tmp_path):
    store(desk, tmp_path, "memoranda", [memo_row(), memo_row("ت-2")])
    store(desk, tmp_path, "progress", [["ت-1", "1403/03/01", "100", ""]])
    path = sheet(
        tmp_path / "pay.xlsx",
        "payments",
        [
            ["ت-1", "1403/03/02", "1", "500000000"],  # 2: good
            ["ت-1", "1403/03/03", "2", "600000000"],  # 3: beyond the amount (500,000,000 left)
            ["ت-2", "1403/03/03", "1", "600000000"],  # 4: first tranche over 50%
        ],
    )
    report = transfer.import_file(desk.uow, "payments", path)
    assert not report.stored and errors_of(report) == [(3, "مبلغ (ریال)"), (4, "مبلغ (ریال)")]
    why = reasons(report)
    assert RULE in why[(3, "مبلغ (ریال)")] and "مانده" in why[(3, "مبلغ (ریال)")]
    assert RULE in why[(4, "مبلغ (ریال)")] and "۵۰٪" in why[(4, "مبلغ (ریال)")]
    assert count(desk, Payment) == 0

    # tranches in one file follow each other; skip-bad keeps the good ones and writes the bad ones
    report = transfer.import_file(desk.uow, "payments", path, skip_bad=True)
    assert report.stored and report.added == 1 and report.bad_rows == 2
    rows = list(openpyxl.load_workbook(report.bad_rows_path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "خطا" and [r[0] for r in rows[1:]] == ["ت-1", "ت-2"] and RULE in rows[1][-1]
    assert count(desk, Payment) == 1
    chain = sheet(
        tmp_path / "chain.xlsx",
        "payments",
        [["ت-1", "1403/03/03", "2", "200000000"], ["ت-1", "1403/03/04", "3", "300000000"]],
    )
    assert transfer.import_file(
        desk.uow, "payments", chain
    ).stored  # tranche 3 sees tranche 2 of the row above
    assert count(desk, Payment) == 3


def test_dry_run_stores_nothing(desk, tmp_path):
    store(desk, tmp_path, "memoranda", [memo_row()])
    before = counts(desk)
    for kind, rows in (
        ("progress", [["ت-1", "1403/03/01", "50", ""]]),
        ("payments", [["ت-1", "1403/02/01", "1", "1000"]]),
    ):
        report = transfer.import_file(
            desk.uow, kind, sheet(tmp_path / f"{kind}.xlsx", kind, rows), dry_run=True
        )
        assert report.ok and report.added == 1 and not report.stored
    assert counts(desk) == before


def test_skip_bad_memoranda_and_offices_write_the_error_workbook(desk, tmp_path):
    rows = [
        office_row("دفتر یک"),
        office_row("دفتر دو", "تهران"),  # unknown county
        office_row("دفتر سه", ngo="10000000000", budget="-1", state="باز"),  # unknown NGO, budget, state
        office_row("دفتر یک"),  # the same office twice in the file
    ]
    report = transfer.import_file(
        desk.uow, "offices", sheet(tmp_path / "o.xlsx", "offices", rows), skip_bad=True
    )
    assert report.added == 1 and errors_of(report) == sorted(
        [
            (3, "شهرستان"),
            (4, "سمن مجری"),
            (4, "اعتبار (ریال)"),
            (4, "وضعیت"),
            (5, "نام دفتر"),
        ]
    )
    path = sheet(tmp_path / "m.xlsx", "memoranda", [memo_row(amount="0"), memo_row("ت-2")])
    report = transfer.import_file(desk.uow, "memoranda", path, skip_bad=True)
    assert report.added == 1 and errors_of(report) == [(2, "مبلغ (ریال)")]
    rows = list(openpyxl.load_workbook(report.bad_rows_path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "خطا" and len(rows) == 2 and rows[1][0] == "ت-1"
    assert (count(desk, FacilitationOffice), count(desk, Memorandum)) == (1, 1)


def test_county_user_imports_and_exports_only_their_county(desk, tmp_path, uow_as):
    store(desk, tmp_path, "memoranda", [memo_row("ALB-1", county="البرز")], "alb.xlsx")
    abyek = uow_as("county", desk.counties["آبیک"])
    offices = sheet(
        tmp_path / "o.xlsx", "offices", [office_row("دفتر آبیک", "آبیک"), office_row("دفتر البرز", "البرز")]
    )
    report = transfer.import_file(abyek, "offices", offices)
    assert not report.stored and errors_of(report) == [(3, "شهرستان")] and "آبیک" in report.errors[0].reason
    memoranda = sheet(
        tmp_path / "m.xlsx",
        "memoranda",
        [
            memo_row("ABY-1", county="آبیک"),
            memo_row("ALB-2", county="البرز"),
            memo_row("P-1", county="استان"),
        ],
    )
    report = transfer.import_file(abyek, "memoranda", memoranda)
    assert not report.stored and errors_of(report) == [(3, "شهرستان"), (4, "شهرستان")]
    assert transfer.import_file(abyek, "memoranda", memoranda, skip_bad=True).added == 1
    progress = sheet(
        tmp_path / "p.xlsx",
        "progress",
        [["ABY-1", "1403/03/01", "50", ""], ["ALB-1", "1403/03/01", "50", ""]],
    )
    report = transfer.import_file(abyek, "progress", progress)
    assert not report.stored and errors_of(report) == [(3, "شماره تفاهم‌نامه")]
    assert "حوزه شما" in report.errors[0].reason
    payments = sheet(tmp_path / "pay.xlsx", "payments", [["ALB-1", "1403/02/01", "1", "1000"]])
    report = transfer.import_file(abyek, "payments", payments)
    assert not report.stored and errors_of(report) == [(2, "شماره تفاهم‌نامه")]
    assert count(desk, ProgressReport) == count(desk, Payment) == 0
    store(
        desk,
        tmp_path,
        "payments",
        [["ALB-1", "1403/02/01", "1", "1000"], ["ABY-1", "1403/02/01", "1", "1000"]],
    )
    # the exports hold only the county's own
    assert transfer.export_file(abyek, "memoranda", tmp_path / "m-out.xlsx") == 1
    assert transfer.export_file(abyek, "payments", tmp_path / "pay-out.xlsx") == 1
    assert transfer.export_file(desk.uow, "payments", tmp_path / "pay-all.xlsx") == 2


# --- export and round trip ----------------------------------------------------------------------


def _sheet_rows(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def _snapshot(uow):
    """Every memorandum, report, payment and office as comparable values (no ids)."""
    with uow:
        s = uow.s
        ngo = dict(s.execute(select(Ngo.id, Ngo.national_id)).all())
        county = dict(s.execute(select(County.id, County.name)).all())
        items = dict(s.execute(select(ReferenceItem.id, ReferenceItem.name)).all())
        office_rows = sorted(
            (
                o.name,
                county.get(o.county_id),
                o.neighbourhoods,
                ngo.get(o.ngo_id),
                o.opened_on,
                o.budget,
                o.state,
            )
            for o in s.scalars(select(FacilitationOffice))
        )
        office_names = dict(s.execute(select(FacilitationOffice.id, FacilitationOffice.name)).all())
        memos = {m.id: m.number for m in s.scalars(select(Memorandum))}
        memo_rows = sorted(
            (
                m.number,
                m.title,
                m.party_kind,
                ngo.get(m.ngo_id),
                county.get(m.county_id),
                items.get(m.social_harm_id),
                office_names.get(m.office_id),
                m.amount,
                m.signed_on,
                m.starts_on,
                m.duration_months,
                m.ends_on,
                m.state,
            )
            for m in s.scalars(select(Memorandum))
        )
        progress = sorted(
            (memos[p.memorandum_id], p.reported_on, p.percent, p.note)
            for p in s.scalars(select(ProgressReport))
        )
        payments = sorted(
            (memos[p.memorandum_id], p.tranche_no, p.paid_on, p.amount) for p in s.scalars(select(Payment))
        )
        return office_rows, memo_rows, progress, payments


def test_export_round_trip_into_an_empty_database(desk, tmp_path, actor, make_ngo):
    from ostandari_desk.services import setup
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database
    from ostandari_desk.store.uow import UnitOfWork

    nid = national_id(desk, make_ngo(county="البرز"))
    store(
        desk,
        tmp_path,
        "offices",
        [
            office_row(neighbourhoods="+محله یک، محله دو"),
            office_row("دفتر =البرز", "البرز", ngo=nid, opened="", budget=""),
        ],
    )
    store(
        desk,
        tmp_path,
        "memoranda",
        [
            memo_row("ت-1", office="دفتر تسهیلگری محله اسلام‌آباد", starts="1403/02/01", duration="12"),
            memo_row("-12/ت", nid, "البرز", "7", office="دفتر =البرز", harm="", state="لغوشده"),
            memo_row("ت-3", state="خاتمه‌یافته"),
        ],
    )
    store(
        desk,
        tmp_path,
        "progress",
        [["ت-1", "1403/03/01", "50", "=گزارش با علامت"], ["ت-1", "1403/05/01", "100", ""]],
        "progress-in.csv",  # a text may start with «=» (openpyxl would write a formula)
    )
    store(
        desk,
        tmp_path,
        "payments",
        [["ت-1", "1403/02/10", "1", "500000000"], ["ت-1", "1403/05/02", "2", "500000000"]],
    )
    ngo_sheet = tmp_path / "ngos.xlsx"
    transfer.export_file(desk.uow, "ngos", ngo_sheet)

    order = ("offices", "memoranda", "progress", "payments")
    exported = {}
    for kind in order:
        for suffix in (".xlsx", ".csv"):
            exported[kind + suffix] = tmp_path / f"out-{kind}{suffix}"
            transfer.export_file(desk.uow, kind, exported[kind + suffix])
        assert _sheet_rows(exported[kind + ".xlsx"])[0] == tuple(HEADERS[kind])
    assert [len(_sheet_rows(exported[k + ".xlsx"])) for k in order] == [3, 4, 3, 3]
    assert "'=گزارش با علامت" in exported["progress.csv"].read_text(encoding="utf-8-sig")  # neutralised
    memo_out = {r[0]: r for r in _sheet_rows(exported["memoranda.xlsx"])[1:]}
    assert (
        memo_out["-12/ت"][2] == nid
        and memo_out["ت-3"][8] in ("", None)
        and memo_out["ت-1"][8] == "۱۴۰۳/۰۲/۰۱"
    )

    expected = _snapshot(desk.uow)
    for suffix in (".xlsx", ".csv"):
        engine = open_database(sqlite_url(tmp_path / f"empty{suffix}.sqlite3"))
        try:
            other = UnitOfWork(engine, actor)
            setup.initialize(other, "قزوین", office_name="اداره کل امور اجتماعی")
            assert transfer.import_file(other, "ngos", ngo_sheet).stored
            for kind in order:
                report = transfer.import_file(other, kind, exported[kind + suffix])
                assert report.ok and report.stored, (kind, report.errors)
            assert _snapshot(other) == expected
            for kind in order:  # and once more adds nothing
                again = transfer.import_file(other, kind, exported[kind + suffix])
                assert again.ok and again.added == 0, (kind, again.errors)
        finally:
            engine.dispose()


def test_export_honours_the_list_filters(desk, tmp_path):
    store(desk, tmp_path, "offices", [office_row(), office_row("دفتر دو", state="بسته")])
    store(desk, tmp_path, "memoranda", [memo_row(), memo_row("ت-2", county="آبیک")])
    out = tmp_path / "out.xlsx"
    assert (
        transfer.export_file(desk.uow, "memoranda", out, ms.MemorandumFilter(county_id=desk.counties["آبیک"]))
        == 1
    )
    assert _sheet_rows(out)[1][0] == "ت-2"
    assert transfer.export_file(desk.uow, "offices", out, of.OfficeFilter(state="closed")) == 1
    assert _sheet_rows(out)[1][0] == "دفتر دو"


@pytest.mark.parametrize("kind", list(HEADERS))
def test_kinds_are_registered(kind):
    assert transfer.kind_of(kind).headers == HEADERS[kind]
