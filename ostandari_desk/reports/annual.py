"""The annual comparison report: indicators this year against last, the counties, and bar charts.

Takes the frozen :class:`~ostandari_desk.services.annual.AnnualComparison` rows; no database here.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.platypus import CondPageBreak

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports.charts import LAST_COLOR, THIS_COLOR, grouped_bars
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.services.annual import AnnualComparison

__all__ = ["build_annual_report", "summary_sentences"]

FRAME_WIDTH = 510  # A4 portrait minus the margins, in points
CHART_HEIGHT = 215


def _year_headers(data: AnnualComparison) -> tuple[str, str]:
    last, this = to_persian_digits(data.previous), to_persian_digits(data.year)
    return f"سال قبل ({last})", f"سال جاری ({this})"


def summary_sentences(data: AnnualComparison) -> list[str]:
    """One sentence per key indicator, the way the office reports it."""
    sentences = []
    for column in data.key_columns:
        row = data.row(column.key)
        if row.last == 0 and row.this == 0:
            sentences.append(f"«{row.label}»: در هیچ‌یک از دو دوره موردی ثبت نشده است.")
            continue
        text = (
            f"«{row.label}»: {format_number(row.this)} {row.unit} در "
            f"{data.this_label}، در برابر {format_number(row.last)} {row.unit} در {data.last_label}"
        )
        if row.last:
            # no brackets around the percent: see the report on persian.py's round trip
            text += f"؛ یعنی {row.ratio_text}، {row.change_text} نسبت به سال قبل."
        else:
            text += "."
        sentences.append(text)
    return sentences


def build_annual_report(
    data: AnnualComparison,
    letterhead: Letterhead,
    printed_on: str,
    target: str | Path | IO[bytes],
    *,
    charts: bool = True,
) -> None:
    """Write the annual comparison PDF to ``target`` (a path or a binary file object)."""
    doc = ReportDocument(data.title, letterhead, printed_on)
    last_h, this_h = _year_headers(data)
    doc.add_key_values([("محدوده گزارش", data.scope_name), ("دوره مقایسه", data.period_note)])

    doc.add_heading("خلاصه")
    for sentence in summary_sentences(data):
        doc.add_paragraph(sentence)

    doc.add_heading("شاخص‌های عملکرد")
    columns = [
        Column("شاخص", 4.2),
        Column("واحد", 1.0, align="center"),
        Column(last_h, 1.5, align="center", numeric=True),
        Column(this_h, 1.5, align="center", numeric=True),
        Column("نسبت", 1.4, align="center", numeric=True),
        Column("درصد تغییر", 1.4, align="center", numeric=True),
    ]
    rows = [[r.label, r.unit, r.last_text, r.this_text, r.ratio_text, r.change_text] for r in data.rows]
    doc.add_table(columns, rows)

    if data.by_county and data.key_columns:
        doc.add_flowable(CondPageBreak(120))
        doc.add_heading("به تفکیک شهرستان" if data.county_id is None else data.scope_name)
        last_y, this_y = to_persian_digits(data.previous), to_persian_digits(data.year)
        county_cols = [Column("شهرستان", 2.4)]
        for key in data.key_columns:
            county_cols.append(Column(f"{key.label} {last_y}", 1.15, align="center", numeric=True))
            county_cols.append(Column(f"{key.label} {this_y}", 1.15, align="center", numeric=True))
        county_rows = [
            [c.name, *[format_number(v) for pair in c.values for v in pair]] for c in data.by_county
        ]
        totals = ["جمع", *[format_number(v) for pair in data.county_totals for v in pair]]
        doc.add_table(county_cols, county_rows, totals if data.county_id is None else None)

    if charts:
        _add_charts(doc, data)
    doc.build(target)


def _add_charts(doc: ReportDocument, data: AnnualComparison) -> None:
    last_label, this_label = (
        f"سال {to_persian_digits(data.previous)}",
        f"سال {to_persian_digits(data.year)}",
    )
    keys = [(k.label, data.row(k.key)) for k in data.key_columns]
    if any(r.last or r.this for _, r in keys):
        doc.add_flowable(CondPageBreak(CHART_HEIGHT + 30))
        doc.add_heading("نمودار شاخص‌های اصلی")
        doc.add_flowable(
            grouped_bars(
                "شاخص‌های اصلی: سال جاری در برابر سال قبل",
                [label for label, _ in keys],
                [
                    (last_label, [r.last for _, r in keys], LAST_COLOR),
                    (this_label, [r.this for _, r in keys], THIS_COLOR),
                ],
                FRAME_WIDTH,
                CHART_HEIGHT,
            )
        )
    if data.county_id is None and len(data.by_county) > 1:
        first = True
        for index, key in enumerate(data.key_columns):
            values = [c.values[index] for c in data.by_county]
            if not any(a or b for a, b in values):
                continue
            doc.add_flowable(CondPageBreak(CHART_HEIGHT + 30))
            if first:
                doc.add_heading("نمودار شهرستان‌ها")
                first = False
            doc.add_flowable(
                grouped_bars(
                    f"{key.label} به تفکیک شهرستان",
                    [c.name for c in data.by_county],
                    [
                        (last_label, [a for a, _ in values], LAST_COLOR),
                        (this_label, [b for _, b in values], THIS_COLOR),
                    ],
                    FRAME_WIDTH,
                    CHART_HEIGHT,
                )
            )
