"""The annual comparison report: indicators this year against last by section, every main indicator per
county, bar charts, and the approval block that ends it.

Takes the frozen rows of :class:`~ostandari_desk.services.annual.AnnualComparison` (or the
:class:`~ostandari_desk.services.reporting.AnnualPaper` that adds who prepared and who approves it); no
database here. The charts come two to a row, so no chart leaves half a page empty behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports.charts import LAST_COLOR, THIS_COLOR, grouped_bars, side_by_side
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument, RtlLines, RtlTable
from ostandari_desk.reports.fonts import FONT, FONT_BOLD
from ostandari_desk.reports.persian import shape_line
from ostandari_desk.services.annual import AnnualComparison, KeyColumn
from ostandari_desk.services.reporting import AnnualPaper, Signer

__all__ = ["ApprovalBlock", "build_annual_report", "county_tables", "summary_sentences"]

FRAME_WIDTH = 510  # A4 portrait minus the margins, in points
CHART_HEIGHT = 200
CHART_GAP = 14
COUNTY_WIDTH = 2.4  # the county column's weight; an indicator's two columns weigh 2.3 (counts) or 4 (rials)
TABLE_WEIGHT = 9.2  # the indicators' share of a county table: four counts, or two counts and an amount
HEADING_ROOM = 90  # a section heading starts a new page unless this much room is left under it


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


def _weight(column: KeyColumn) -> float:
    return 4.0 if column.money else 2.3


def _chunks(columns: Sequence[KeyColumn]) -> list[list[KeyColumn]]:
    """The per-county columns of one section, cut into tables that fit the page's width."""
    chunks: list[list[KeyColumn]] = []
    for column in columns:
        if chunks and sum(_weight(c) for c in chunks[-1]) + _weight(column) <= TABLE_WEIGHT:
            chunks[-1].append(column)
        else:
            chunks.append([column])
    # even out the last two tables of a section («۴ + ۱» reads worse than «۳ + ۲»)
    if len(chunks) >= 2 and len(chunks[-1]) < len(chunks[-2]) - 1 and not any(c.money for c in chunks[-2]):
        chunks[-1].insert(0, chunks[-2].pop())
    return chunks


def county_tables(
    data: AnnualComparison,
) -> list[tuple[str, list[Column], list[list[str]], list[str] | None]]:
    """Every per-county indicator as (section, columns, rows, totals) tables: a county a row, and for each
    indicator last year's and this year's figures."""
    last_y, this_y = to_persian_digits(data.previous), to_persian_digits(data.year)
    by_group: dict[str, list[tuple[int, KeyColumn]]] = {}
    for index, column in enumerate(data.county_columns):
        by_group.setdefault(column.group, []).append((index, column))
    tables = []
    for group, members in by_group.items():
        index_of = {c.key: i for i, c in members}
        for chunk in _chunks([c for _, c in members]):
            columns = [Column("شهرستان", COUNTY_WIDTH)]
            for c in chunk:
                half = _weight(c) / 2
                columns.append(Column(f"{c.label} {last_y}", half, align="center", numeric=True))
                columns.append(Column(f"{c.label} {this_y}", half, align="center", numeric=True))
            rows = [
                [county.name, *(format_number(v) for c in chunk for v in county.values[index_of[c.key]])]
                for county in data.by_county
            ]
            totals = None
            if data.county_id is None:
                totals = [
                    "جمع",
                    *(format_number(v) for c in chunk for v in data.county_totals[index_of[c.key]]),
                ]
            tables.append((group, columns, rows, totals))
    return tables


class ApprovalBlock(Flowable):
    """Who prepared the report (right) and who approves it, with the title from the settings (left), each
    over a line to sign on; a name not given is a line to write it on."""

    SIZE = 10.0
    LINE = 17.0
    RULE = 130.0  # the width of a line to write or sign on
    _RULE = object()

    def __init__(self, prepared_by: str, signer: Signer):
        super().__init__()
        self.prepared_by, self.signer = prepared_by, signer
        self._cells: list[list[tuple[str, object]]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        def name(text: str) -> tuple[str, object]:
            return (FONT, text) if text else (FONT, self._RULE)

        self._cells = [
            [(FONT_BOLD, "تهیه‌کننده"), name(self.prepared_by), (FONT, "امضا"), (FONT, self._RULE)],
            [
                (FONT_BOLD, "تأیید"),
                name(self.signer.name),
                *([(FONT, self.signer.title)] if self.signer.title else []),
                (FONT, "امضا و مهر"),
                (FONT, self._RULE),
            ],
        ]
        self.width = availWidth
        self.height = max(len(cell) for cell in self._cells) * self.LINE + 10
        return availWidth, self.height

    def draw(self) -> None:
        canv = self.canv
        half = self.width / 2
        canv.setLineWidth(0.5)
        for index, cell in enumerate(self._cells):  # the right half first
            centre = self.width - half / 2 - index * half
            y = self.height - self.SIZE
            for font, text in cell:
                if text is self._RULE:  # a dotted line, a little below the text line it stands for
                    canv.setDash(1, 2)
                    canv.line(centre - self.RULE / 2, y - 6, centre + self.RULE / 2, y - 6)
                    canv.setDash()
                else:
                    canv.setFont(font, self.SIZE)
                    canv.drawCentredString(centre, y, shape_line(str(text), font))
                y -= self.LINE


def build_annual_report(
    data: AnnualComparison | AnnualPaper,
    letterhead: Letterhead,
    printed_on: str,
    target: str | Path | IO[bytes],
    *,
    charts: bool = True,
) -> None:
    """Write the annual comparison PDF to ``target`` (a path or a binary file object).

    Given the comparison alone (no :class:`AnnualPaper`), the approval block leaves the names blank.
    """
    paper = data if isinstance(data, AnnualPaper) else AnnualPaper(data, Signer("", ""), "")
    comparison = paper.comparison
    doc = ReportDocument(comparison.title, letterhead, printed_on)
    doc.add_key_values([("محدوده گزارش", comparison.scope_name), ("دوره مقایسه", comparison.period_note)])

    doc.add_heading("خلاصه")
    for sentence in summary_sentences(comparison):
        doc.add_paragraph(sentence)

    _add_indicator_tables(doc, comparison)
    _add_county_tables(doc, comparison)
    if charts:
        _add_charts(doc, comparison)
    doc.add_flowable(KeepTogether([Spacer(1, 18), ApprovalBlock(paper.prepared_by, paper.signer)]))
    doc.build(target)


def _add_indicator_tables(doc: ReportDocument, data: AnnualComparison) -> None:
    last_h, this_h = _year_headers(data)
    columns = [
        Column("شاخص", 3.6),
        Column("واحد", 0.8, align="center"),
        # wide enough for an amount in rials («۵٬۴۱۲٬۷۸۰٬۰۰۰٬۰۰۰») on one line
        Column(last_h, 1.9, align="center", numeric=True),
        Column(this_h, 1.9, align="center", numeric=True),
        Column("نسبت", 1.3, align="center", numeric=True),
        Column("درصد تغییر", 1.3, align="center", numeric=True),
    ]
    doc.add_heading("شاخص‌های عملکرد")
    for group, rows in data.groups():
        if group:
            doc.add_flowable(CondPageBreak(HEADING_ROOM))
            doc.add_flowable(RtlLines(group, FONT_BOLD, 11, space_before=4, space_after=2))
        doc.add_table(
            columns, [[r.label, r.unit, r.last_text, r.this_text, r.ratio_text, r.change_text] for r in rows]
        )


def _add_county_tables(doc: ReportDocument, data: AnnualComparison) -> None:
    if not (data.by_county and data.county_columns):
        return
    doc.add_flowable(CondPageBreak(HEADING_ROOM))
    doc.add_heading("به تفکیک شهرستان" if data.county_id is None else data.scope_name)
    shown = ""
    for group, columns, rows, totals in county_tables(data):
        if group != shown:
            doc.add_flowable(CondPageBreak(HEADING_ROOM))
            doc.add_flowable(RtlLines(group, FONT_BOLD, 11, space_before=4, space_after=2))
            shown = group
        doc.add_flowable(RtlTable(columns, rows, totals))


def _add_charts(doc: ReportDocument, data: AnnualComparison) -> None:
    last_label, this_label = (
        f"سال {to_persian_digits(data.previous)}",
        f"سال {to_persian_digits(data.year)}",
    )
    keys = [(k.label, data.row(k.key)) for k in data.key_columns]
    charts: list[Flowable] = []
    if any(r.last or r.this for _, r in keys):
        main = grouped_bars(
            "شاخص‌های اصلی: سال جاری در برابر سال قبل",
            [label for label, _ in keys],
            [
                (last_label, [r.last for _, r in keys], LAST_COLOR),
                (this_label, [r.this for _, r in keys], THIS_COLOR),
            ],
            FRAME_WIDTH,
            CHART_HEIGHT,
        )
        charts.append(main)
    per_county = []
    if data.county_id is None and len(data.by_county) > 1:
        half = (FRAME_WIDTH - CHART_GAP) / 2
        names = [c.name for c in data.by_county]
        for key in data.key_columns:
            values = [data.county_value(c, key.key) for c in data.by_county]
            if not any(a or b for a, b in values):
                continue
            per_county.append(
                grouped_bars(
                    f"{key.label} به تفکیک شهرستان",
                    names,
                    [
                        (last_label, [a for a, _ in values], LAST_COLOR),
                        (this_label, [b for _, b in values], THIS_COLOR),
                    ],
                    half,
                    CHART_HEIGHT,
                )
            )
    charts += [
        side_by_side(per_county[i : i + 2], FRAME_WIDTH, CHART_GAP) for i in range(0, len(per_county), 2)
    ]
    if not charts:
        return
    # the heading goes with the first row of charts; the rows then fill the pages as they come
    heading = RtlLines("نمودار شاخص‌های اصلی", FONT_BOLD, 13, space_before=6, space_after=4)
    doc.add_flowable(KeepTogether([heading, charts[0]]))
    for chart in charts[1:]:
        doc.add_flowable(Spacer(1, 8))
        doc.add_flowable(chart)
