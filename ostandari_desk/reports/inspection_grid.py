"""The inspection papers of many centres: the year's county × month grid (landscape A4) and the monthly
unannounced plan. Frozen data from services/inspections/papers.py; no database here."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak

from ostandari_desk.domain import inspection_plan as rules
from ostandari_desk.domain.jalali import format_jalali, month_name
from ostandari_desk.domain.text import format_number, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.reports.charts import speed_up_reportlab
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument, RtlTable
from ostandari_desk.services.inspections.grid import GridCell, GridRow
from ostandari_desk.services.inspections.papers import SERIOUS_LIMIT, GridPaperData, PlanPaperData

__all__ = ["build_inspections_grid", "build_plan"]

MISSED = colors.HexColor("#c62828")
DASH = "—"


def _n(value: int) -> str:
    return format_number(value)


def _percent(part: int, whole: int) -> str:
    return f"{format_number(round(100 * part / whole))}٪" if whole else DASH


def _code(code: str) -> str:
    return protect_hyphenated_numbers(to_persian_digits(code)) if code else DASH


class MarkedTable(RtlTable):
    """An RtlTable whose marked cells get a red frame: ``marks`` {first cell's text: logical columns}."""

    def __init__(
        self, columns, rows, totals=None, marks: dict[str, set[int]] | None = None, size: float = 9.0
    ):
        super().__init__(columns, rows, totals, size)
        self.marks = marks or {}

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.__class__ = MarkedTable
            part.marks = self.marks
        return parts

    def draw(self) -> None:
        super().draw()
        if not self.marks:
            return
        canv = self.canv
        edges = [self.width]
        for w in self._widths:
            edges.append(edges[-1] - w)
        canv.setStrokeColor(MISSED)
        canv.setLineWidth(1.4)
        y = self.height - self._header.height
        for row in self._body:
            for i in self.marks.get(row.spec.texts[0], ()):
                canv.rect(
                    edges[i + 1] + 1.2, y - row.height + 1.2, edges[i] - edges[i + 1] - 2.4, row.height - 2.4
                )
            y -= row.height


def _section(doc: ReportDocument, title: str, room: float = 90) -> None:
    """A heading kept with what follows it (a new page when less than ``room`` points are left)."""
    doc.add_flowable(CondPageBreak(room))
    doc.add_heading(title, 12)


def _month_columns(first: str, last: str) -> list[Column]:
    return [
        Column(first, 2.3),
        *(Column(month_name(m), 1, "center", True) for m in range(1, 13)),
        Column(last, 1.3, "center", True),
    ]


def _missed(row: GridRow) -> set[int]:
    """Logical columns (1–12) of the months in which no due centre was visited."""
    return {c.month for c in row.cells if c.missed}


def _coverage(cell: GridCell) -> str:
    if cell.state == rules.NOT_DUE and not cell.done:
        return DASH
    return f"{_n(cell.done)} از {_n(cell.due)}"


def build_inspections_grid(
    data: GridPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """The year's grid: visits per county and month, coverage, results, unannounced share, serious visits."""
    speed_up_reportlab()
    year = to_persian_digits(data.jalali_year)
    doc = ReportDocument(
        f"بازدیدهای مراکز در سال {year} — {data.scope_name}", letterhead, printed_on, landscape=True
    )
    total = data.total
    good, fix, serious = total.by_result
    labels = data.result_labels
    doc.add_key_values(
        [
            ("سال", year),
            ("محدوده", data.scope_name),
            ("بازدیدها", f"{_n(total.visits)} بازدید"),
            (
                "بازدیدهای سرزده",
                f"{_n(total.unannounced)} بازدید ({_percent(total.unannounced, total.visits)})",
            ),
            ("نتیجه‌ها", f"{labels[0]} {_n(good)}، {labels[1]} {_n(fix)}، {labels[2]} {_n(serious)}"),
            (
                "پوشش سال",
                (
                    f"{_n(data.grid.total.done)} بازدید از مراکز در برابر {_n(data.grid.total.due)} مورد موعددار "
                    f"({data.grid.total.state_label})"
                ),
            ),
        ]
    )
    rows = data.grid.rows
    marks = {r.name: _missed(r) for r in rows}
    _section(doc, "بازدیدها در هر ماه")
    doc.add_paragraph("کادر قرمز: ماهی که در آن هیچ‌یک از مراکزِ موعددارِ شهرستان بازدید نشده است.", 9)
    visit_rows = [
        [r.name, *(_n(c.visits or 0) for c in r.cells), _n(sum(c.visits or 0 for c in r.cells))] for r in rows
    ]
    totals = ["جمع", *(_n(v) for v in data.month_visits), _n(sum(data.month_visits))]
    doc.add_flowable(MarkedTable(_month_columns("شهرستان", "جمع سال"), visit_rows, totals, marks))

    _section(doc, "پوشش مراکز: مراکز بازدیدشده از مراکز موعددار")
    coverage_rows = [[r.name, *(_coverage(c) for c in r.cells), _coverage(r.total)] for r in rows]
    coverage_totals = ["جمع", *(_coverage(c) for c in data.grid.month_totals), _coverage(data.grid.total)]
    doc.add_flowable(
        MarkedTable(_month_columns("شهرستان", "سال"), coverage_rows, coverage_totals, marks, size=8.5)
    )
    missed_lines = [
        f"{r.name}: {'، '.join(month_name(m) for m in sorted(_missed(r)))}" for r in rows if _missed(r)
    ]
    _section(doc, "ماه‌های بی‌بازدید")
    doc.add_paragraph(
        "؛ ".join(missed_lines) if missed_lines else "هیچ شهرستانی ماهی را بی‌بازدید نگذاشته است."
    )

    _section(doc, "نتیجه بازدیدها و سهم بازدیدهای سرزده")
    result_columns = [
        Column("شهرستان", 2.3),
        Column("بازدیدها", 1.2, "center", True),
        Column("سرزده", 1.2, "center", True),
        Column("سهم سرزده", 1.2, "center", True),
        Column(labels[0], 1.2, "center", True),
        Column(labels[1], 1.3, "center", True),
        Column(labels[2], 1.2, "center", True),
    ]

    def result_row(r) -> list[str]:
        return [
            r.name,
            _n(r.visits),
            _n(r.unannounced),
            _percent(r.unannounced, r.visits),
            *(_n(n) for n in r.by_result),
        ]

    doc.add_table(result_columns, [result_row(r) for r in data.results], result_row(total))

    _section(doc, "تخلف‌های جدی")
    if not data.serious:
        doc.add_paragraph("در این سال بازدیدی با نتیجه «تخلف جدی» ثبت نشده است.")
    else:
        if data.serious_count > len(data.serious):
            doc.add_paragraph(
                f"{_n(data.serious_count)} بازدید با تخلف جدی؛ {_n(SERIOUS_LIMIT)} مورد تازه‌تر در این برگه آمده است.",
                9,
            )
        doc.add_table(
            [
                Column("ردیف", 0.6, "center", True),
                Column("مرکز", 3.2),
                Column("کد", 1.4, "center", True),
                Column("رده", 1.8),
                Column("شهرستان", 1.5),
                Column("تاریخ", 1.2, "center", True),
                Column("امتیاز", 0.8, "center", True),
                Column("یافته‌ها", 6),
            ],
            [
                [
                    to_persian_digits(i),
                    v.centre_name,
                    _code(v.centre_code),
                    v.category_name,
                    v.county_name,
                    format_jalali(v.inspected_on),
                    _n(v.score) if v.score is not None else DASH,
                    to_persian_digits("؛ ".join(v.findings)) if v.findings else DASH,
                ]
                for i, v in enumerate(data.serious, start=1)
            ],
        )
    doc.build(target)


def build_plan(
    data: PlanPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """The month's unannounced plan: per county, its centres on their planned days, done or pending."""
    scope = data.plans[0].county_name if len(data.plans) == 1 else "کل استان"
    doc = ReportDocument(f"برنامه بازدیدهای سرزده {data.month_label} — {scope}", letterhead, printed_on)
    doc.add_paragraph(
        "این برنامه محرمانه است: روزها و ترتیب بازدیدها نباید پیش از بازدید به مراکز گفته شود.", 9
    )
    columns = [
        Column("ردیف", 0.8, "center", True),
        Column("روز", 1.1, "center"),
        Column("تاریخ", 1.3, "center", True),
        Column("کد", 1.5, "center", True),
        Column("مرکز", 3.5),
        Column("رده", 2.4),
        Column("وضعیت", 1.2, "center"),
        Column("تاریخ بازدید", 1.3, "center", True),
    ]
    for plan in data.plans:
        _section(doc, f"شهرستان {plan.county_name} — {plan.month_label}")
        doc.add_paragraph(
            f"{_n(len(plan.rows))} مرکز موعددار: {_n(plan.done_count)} انجام‌شده، {_n(plan.pending_count)} در انتظار"
        )
        if not plan.rows:
            continue
        doc.add_table(
            columns,
            [
                [
                    to_persian_digits(i),
                    r.weekday_label,
                    r.planned_text,
                    _code(r.code),
                    r.name,
                    r.category_name,
                    r.status_label,
                    r.visited_text or DASH,
                ]
                for i, r in enumerate(plan.rows, start=1)
            ],
        )
    doc.build(target)
