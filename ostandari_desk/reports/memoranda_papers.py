"""The memoranda papers: the year's credits by county (landscape, with charts), one memorandum's file (its
parties, amount in digits and words, schedule, progress reports, payments, ledger and signature lines) and the
facilitation offices by county with their projects. Frozen data from services/memoranda/papers.py; no
database here."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.platypus import CondPageBreak

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, format_rials, rials_in_words, to_persian_digits
from ostandari_desk.reports.charts import LAST_COLOR, THIS_COLOR, grouped_bars, speed_up_reportlab
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.inspection_forms import Signatures
from ostandari_desk.reports.inspection_grid import MarkedTable
from ostandari_desk.services.memoranda.credits import CountyCredits
from ostandari_desk.services.memoranda.offices import OfficeDetail, OfficeProject
from ostandari_desk.services.memoranda.papers import (
    CreditsPaperData,
    MemorandumPaperData,
    OfficesPaperData,
    number_text,
)

__all__ = ["build_credits", "build_memorandum", "build_offices"]

DASH = "—"
LANDSCAPE_WIDTH = 757  # A4 landscape minus the margins, in points
CHART_HEIGHT = 200
MILLION = 1_000_000


def _n(value: int) -> str:
    return format_number(value)


def _percent(value: int | None) -> str:
    return DASH if value is None else rules.percent(value)


def _date(value) -> str:
    return format_jalali(value) if value else DASH


def _section(doc: ReportDocument, title: str, room: float = 90) -> None:
    """A heading kept with what follows it (a new page when less than ``room`` points are left)."""
    doc.add_flowable(CondPageBreak(room))
    doc.add_heading(title, 12)


# --- credits by county ------------------------------------------------------------------------------


_PER_10K_COLUMN = 8  # the logical column of the amount per 10,000 inhabitants (framed when far below)


def _credit_row(r: CountyCredits) -> list[str]:
    return [
        r.county_name,
        _n(r.memoranda),
        _n(r.with_governorates),
        _n(r.with_ngos),
        _n(r.amount),
        _n(r.paid),
        _n(r.remaining),
        r.average_progress_text if r.memoranda else DASH,
        _n(r.per_10k) if r.per_10k is not None else DASH,
    ]


def build_credits(
    data: CreditsPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """The year's credits per county: the memoranda (all / with governorates / with NGOs), amount, paid,
    remaining, average progress and amount per 10,000 inhabitants; the totals; two charts."""
    speed_up_reportlab()
    year = to_persian_digits(data.jalali_year)
    view, total = data.view, data.view.total
    doc = ReportDocument(
        f"اعتبارات تفاهم‌نامه‌ها در سال {year} — {data.scope_name}", letterhead, printed_on, landscape=True
    )
    doc.add_key_values(
        [
            ("سال", year),
            ("محدوده", data.scope_name),
            ("پرداخت‌شده", f"{format_rials(total.paid)}، یعنی {rules.percent(total.paid_percent)} مبلغ"),
            ("مانده", format_rials(total.remaining)),
            ("میانگین پیشرفت", total.average_progress_text if total.memoranda else DASH),
        ]
    )
    doc.add_paragraph(data.totals_line, 11)

    _section(doc, "به تفکیک شهرستان (مبالغ به ریال)")
    far = {r.county_name for r in view.rows if r.far_below}
    if view.median_per_10k is not None:
        doc.add_paragraph(
            f"میانه استان: {_n(view.median_per_10k)} ریال به ازای هر ده هزار نفر. کادر قرمز: شهرستانی که "
            f"مبلغ آن {view.far_below_rule} است.",
            9,
        )
    columns = [
        Column("شهرستان", 2.0),
        Column("تفاهم‌نامه‌ها", 1.1, "center", True),
        Column("با فرمانداری", 1.1, "center", True),
        Column("با سمن", 1.0, "center", True),
        Column("مبلغ", 2.0, "center", True),
        Column("پرداخت‌شده", 2.0, "center", True),
        Column("مانده", 2.0, "center", True),
        Column("میانگین پیشرفت", 1.2, "center", True),
        Column("مبلغ به ازای ده هزار نفر", 1.9, "center", True),
    ]
    rows = [_credit_row(r) for r in view.rows]
    marks = {name: {_PER_10K_COLUMN} for name in far}
    one_county = data.county_id is not None  # its row is the total: no totals row, no charts
    doc.add_flowable(MarkedTable(columns, rows, None if one_county else _credit_row(total), marks))

    counties = [r for r in view.rows if r.memoranda or r.county_id is not None]
    if len(counties) > 1 and total.memoranda:
        names = [r.county_name for r in counties]
        doc.add_flowable(CondPageBreak(2 * CHART_HEIGHT + 40))
        doc.add_heading("نمودارها", 12)
        doc.add_flowable(
            grouped_bars(
                "تفاهم‌نامه‌ها به تفکیک شهرستان",
                names,
                [
                    ("با فرمانداری", [r.with_governorates for r in counties], LAST_COLOR),
                    ("با سمن", [r.with_ngos for r in counties], THIS_COLOR),
                ],
                LANDSCAPE_WIDTH,
                CHART_HEIGHT,
            )
        )
        doc.add_flowable(
            grouped_bars(
                "مبلغ و پرداخت‌شده به تفکیک شهرستان (میلیون ریال)",
                names,
                [
                    ("مبلغ", [r.amount // MILLION for r in counties], LAST_COLOR),
                    ("پرداخت‌شده", [r.paid // MILLION for r in counties], THIS_COLOR),
                ],
                LANDSCAPE_WIDTH,
                CHART_HEIGHT,
            )
        )
    elif not total.memoranda:
        doc.add_paragraph(f"در سال {year} تفاهم‌نامه‌ای امضا نشده است.")
    doc.build(target)


# --- one memorandum's file --------------------------------------------------------------------------


def build_memorandum(
    data: MemorandumPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """A memorandum's file: particulars, schedule, progress reports, payments, ledger, signature lines."""
    m = data.memorandum
    number = number_text(m.number)
    doc = ReportDocument(f"پرونده تفاهم‌نامه شماره {number}", letterhead, printed_on)
    if m.party_kind == rules.PARTY_NGO:
        party = m.ngo_name or DASH
        if m.ngo_national_id:
            party += f"، شناسه ملی {to_persian_digits(m.ngo_national_id)}"
    else:
        party = m.party_name
    state = m.state_label
    if m.overdue:
        state += " — از تاریخ پایان گذشته و پیشرفت آن به ۱۰۰٪ نرسیده است"
    doc.add_heading("مشخصات", 12)
    doc.add_key_values(
        [
            ("شماره", number),
            ("عنوان", to_persian_digits(m.title)),
            ("طرف اول", letterhead.office_name),
            (f"طرف دوم ({rules.PARTY_LABELS.get(m.party_kind, m.party_kind)})", party),
            ("شهرستان", m.county_name),
            ("آسیب اجتماعی", m.social_harm_name or DASH),
            ("دفتر تسهیلگری", m.office_name or DASH),
            ("مبلغ", format_rials(m.amount)),
            ("مبلغ به حروف", rials_in_words(m.amount)),
            ("وضعیت", state),
        ]
    )
    doc.add_heading("زمان‌بندی", 12)
    doc.add_key_values(
        [
            ("تاریخ امضا", _date(m.signed_on)),
            ("تاریخ شروع", _date(m.starts_on)),
            ("مدت", f"{_n(m.duration_months)} ماه"),
            ("تاریخ پایان", _date(m.ends_on)),
        ]
    )

    _section(doc, f"گزارش‌های پیشرفت ({_n(len(m.progress))})")
    if m.progress:
        doc.add_table(
            [
                Column("ردیف", 0.6, "center", True),
                Column("تاریخ", 1.2, "center", True),
                Column("پیشرفت", 0.9, "center", True),
                Column("شرح", 5.0),
                Column("پیوست", 0.8, "center", True),
            ],
            [
                [
                    to_persian_digits(i),
                    _date(p.reported_on),
                    rules.percent(p.percent),
                    to_persian_digits(p.note) if p.note else DASH,
                    _n(p.scans) if p.scans else DASH,
                ]
                for i, p in enumerate(m.progress, start=1)
            ],
        )
    else:
        doc.add_paragraph("گزارش پیشرفتی ثبت نشده است.")

    _section(doc, f"پرداخت‌ها ({_n(len(m.payments))})")
    if m.payments:
        running = 0
        rows = []
        for p in m.payments:
            running += p.amount
            rows.append([_n(p.tranche_no), _date(p.paid_on), _n(p.amount), _n(running)])
        doc.add_table(
            [
                Column("قسط", 0.7, "center", True),
                Column("تاریخ پرداخت", 1.3, "center", True),
                Column("مبلغ (ریال)", 2.2, "center", True),
                Column("جمع پرداخت‌ها تا این قسط (ریال)", 2.6, "center", True),
            ],
            rows,
            ["جمع", "", _n(m.ledger.paid), ""],
        )
    else:
        doc.add_paragraph("پرداختی ثبت نشده است.")

    ledger = m.ledger
    _section(doc, "حساب تفاهم‌نامه")
    doc.add_table(
        [
            Column("مبلغ (ریال)", 2.0, "center", True),
            Column("پرداخت‌شده (ریال)", 2.0, "center", True),
            Column("مانده (ریال)", 2.0, "center", True),
            Column("درصد پرداخت", 1.2, "center", True),
            Column("درصد پیشرفت", 1.2, "center", True),
        ],
        [
            [
                _n(ledger.amount),
                _n(ledger.paid),
                _n(ledger.remaining),
                rules.percent(ledger.paid_percent),
                _percent(ledger.latest_progress),
            ]
        ],
    )
    if ledger.latest_progress is not None and ledger.paid_percent > ledger.latest_progress:
        doc.add_paragraph("درصد پرداخت از درصد پیشرفت بیشتر است.", 9)

    doc.add_flowable(CondPageBreak(110))
    doc.add_heading("امضاها", 12)
    doc.add_flowable(Signatures([("کارشناس مسئول", ""), ("مدیر کل", ""), ("نماینده طرف دوم", "")]))
    doc.build(target)


# --- the facilitation offices -------------------------------------------------------------------------


def _clock(p: OfficeProject) -> str:
    if p.state != rules.ACTIVE:
        return DASH
    if p.days_left >= 0:
        return f"{_n(p.days_left)} روز مانده"
    return f"{_n(-p.days_left)} روز گذشته"


def _office_row(o: OfficeDetail) -> list[str]:
    return [
        o.name,
        "، ".join(o.neighbourhood_list) or DASH,
        o.ngo_name or DASH,
        _date(o.opened_on),
        _n(o.budget),
        o.state_label,
        f"{_n(o.active_projects)} از {_n(len(o.projects))}",
    ]


def build_offices(
    data: OfficesPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """The facilitation offices by county: neighbourhoods, operating NGO, opening date, budget, state, and
    the projects (memoranda) funding each, with their clocks and progress."""
    speed_up_reportlab()
    doc = ReportDocument(f"دفاتر تسهیلگری — {data.scope_name}", letterhead, printed_on, landscape=True)
    states = "، ".join(
        f"{label} {_n(data.count(state))}"
        for state, label in (("open", "فعال"), ("planned", "در دست راه‌اندازی"), ("closed", "بسته"))
    )
    doc.add_key_values(
        [
            ("محدوده", data.scope_name),
            ("دفاتر", f"{_n(data.offices)} دفتر: {states}"),
            ("جمع بودجه", format_rials(data.budget)),
            ("تاریخ مبنای مهلت‌ها", format_jalali(data.today)),
        ]
    )
    if not data.sections:
        doc.add_paragraph("دفتر تسهیلگری‌ای ثبت نشده است.")
    office_columns = [
        Column("دفتر", 2.4),
        Column("محله‌ها", 3.0),
        Column("سمن مجری", 2.6),
        Column("تاریخ افتتاح", 1.2, "center", True),
        Column("بودجه (ریال)", 1.8, "center", True),
        Column("وضعیت", 1.3, "center"),
        Column("پروژه‌های جاری", 1.2, "center", True),
    ]
    project_columns = [
        Column("دفتر", 2.0),
        Column("شماره", 1.1, "center", True),
        Column("عنوان", 2.8),
        Column("طرف", 2.0),
        Column("مبلغ (ریال)", 1.6, "center", True),
        Column("پرداخت‌شده (ریال)", 1.6, "center", True),
        Column("پیشرفت", 0.9, "center", True),
        Column("پایان", 1.1, "center", True),
        Column("مهلت", 1.2, "center", True),
        Column("وضعیت", 1.1, "center"),
    ]
    for section in data.sections:
        _section(doc, f"شهرستان {section.county_name} — {_n(len(section.offices))} دفتر", 120)
        doc.add_table(
            office_columns,
            [_office_row(o) for o in section.offices],
            ["جمع", "", "", "", _n(section.budget), "", ""],
        )
        projects = [(o, p) for o in section.offices for p in o.projects]
        if projects:
            doc.add_paragraph(f"پروژه‌های دفاتر {section.county_name}", 10)
            doc.add_table(
                project_columns,
                [
                    [
                        o.name,
                        number_text(p.number),
                        to_persian_digits(p.title),
                        p.party_name or DASH,
                        _n(p.amount),
                        _n(p.paid),
                        _percent(p.latest_percent),
                        _date(p.ends_on),
                        _clock(p),
                        p.state_label,
                    ]
                    for o, p in projects
                ],
            )
        else:
            doc.add_paragraph("هیچ تفاهم‌نامه‌ای این دفاتر را تأمین نمی‌کند.", 9)
    doc.build(target)
