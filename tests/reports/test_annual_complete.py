"""The annual report, complete: its sections and county tables, charts a reader can read (the value axis on
the right, whole steps for counts, nothing drawn over a label), no page left half empty before its end, and
the approval block with the signer from the settings."""

from __future__ import annotations

import io
from itertools import combinations

import pdfplumber
import pytest
from reportlab.graphics import renderPDF

from ostandari_desk import settings
from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import format_number
from ostandari_desk.reports.annual import build_annual_report, county_tables
from ostandari_desk.reports.charts import LAST_COLOR, THIS_COLOR, grouped_bars, nice_step
from ostandari_desk.reports.document import Letterhead
from ostandari_desk.reports.papers import make_paper
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.reporting import ReportRequest

from .pdftext import assert_pdf_has, pdf_pages

LETTERHEAD = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری قزوین")
TODAY = jalali.from_jalali(1405, 9, 10)
BIG = 5_412_780_000_000  # an amount in rials as wide as a province's year of credits


@pytest.fixture
def seeded(desk):
    from services.memo_rows import add_memorandum
    from services.seed_data import Activity, qazvin_seed

    qazvin_seed(Activity(desk.engine), desk.counties)
    add_memorandum(desk.uow, desk.counties["قزوین"], jalali.from_jalali(1401, 5, 1), BIG)
    return desk


def _pdf(data, **kwargs) -> bytes:
    out = io.BytesIO()
    build_annual_report(data, LETTERHEAD, "۱۴۰۵/۰۹/۱۰", out, **kwargs)
    return out.getvalue()


# --- the sections, the county tables, the approval block ----------------------------------------------


def test_sections_and_amounts_in_rials_on_one_line(seeded):
    pdf = _pdf(annual_comparison(seeded.uow, 1401, today=TODAY), charts=False)
    assert_pdf_has(
        pdf,
        "پروانه‌ها و شورا",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی",
        "مکاتبات",
        "تفاهم‌نامه‌ها و اعتبارات",
        "بازدید از مراکز",
        f"مبلغ تفاهم‌نامه‌ها ریال ۰ {format_number(BIG)} جدید جدید",  # one table row: the amount unbroken
    )


def test_every_per_county_indicator_has_its_columns(seeded):
    data = annual_comparison(seeded.uow, 1401, today=TODAY)
    titles = [c.title for _group, columns, _rows, _totals in county_tables(data) for c in columns]
    for column in data.county_columns:
        assert f"{column.label} ۱۴۰۰" in titles and f"{column.label} ۱۴۰۱" in titles, column.key
    for _group, columns, rows, totals in county_tables(data):
        assert len(columns) <= 9  # a county and at most four indicators (two with an amount) a table
        assert all(len(row) == len(columns) for row in rows) and len(totals) == len(columns)
    abyek = [row for *_x, rows, _t in county_tables(data) for row in rows if row[0] == "آبیک"]
    assert abyek and any("۴" in cell for row in abyek for cell in row[1:])  # آبیک issued 2 then 4


def test_the_report_ends_with_the_approval_block_of_the_settings(seeded, tmp_path):
    with seeded.uow:
        settings.set_setting(seeded.uow, "signer_name", "مریم احمدی")
        settings.set_setting(seeded.uow, "signer_title", "مدیرکل امور اجتماعی و فرهنگی استانداری قزوین")
        seeded.uow.commit()
    out = tmp_path / "annual.pdf"
    make_paper(seeded.uow, ReportRequest("annual", year=1401, today=TODAY), out)
    last = pdf_pages(out)[-1]
    for text in (
        "تهیه‌کننده",
        seeded.clerk,
        "تأیید",
        "مریم احمدی",
        "مدیرکل امور اجتماعی و فرهنگی استانداری قزوین",
    ):
        assert text in last, text
    with pdfplumber.open(out) as pdf:  # nothing under its signature lines but the page's footer
        page = pdf.pages[-1]
        block = max(line["bottom"] for line in _dotted(page))
        body = [w for w in page.extract_words() if w["top"] > block and w["top"] < page.height - 60]
        assert not body, body


def _dotted(page) -> list[dict]:
    """The long horizontal lines of a page (the approval block's lines to write and sign on)."""
    return [ln for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 0.1 and 100 < ln["width"] < 200]


def test_without_a_signer_name_a_line_is_left_to_write_it(seeded):
    pdf = _pdf(annual_comparison(seeded.uow, 1401, today=TODAY), charts=False)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[-1]
        dotted = [
            line for line in page.lines if abs(line["top"] - line["bottom"]) < 0.1 and line["width"] > 100
        ]
        assert len(dotted) >= 3  # the approver's name, and two signatures


# --- charts -------------------------------------------------------------------------------------------


def _chart_page(drawing):
    pdf = pdfplumber.open(io.BytesIO(renderPDF.drawToString(drawing)))
    return pdf, pdf.pages[0]


def _bars(page) -> list[dict]:
    """The bars: rects of the series' colours standing on the category axis (not the legend's swatches)."""
    wanted = {tuple(round(c, 3) for c in color.rgb()) for color in (LAST_COLOR, THIS_COLOR)}
    coloured = [
        r
        for r in page.rects
        if r["non_stroking_color"] and tuple(round(c, 3) for c in r["non_stroking_color"][:3]) in wanted
    ]
    base = max(r["bottom"] for r in coloured)
    return [r for r in coloured if abs(r["bottom"] - base) < 0.5]


def _overlap(a: dict, b: dict, slack: float = 0.3) -> bool:
    return (
        a["x0"] + slack < b["x1"]
        and b["x0"] + slack < a["x1"]
        and a["top"] + slack < b["bottom"]
        and b["top"] + slack < a["bottom"]
    )


def _crosses(line: dict, box: dict) -> bool:
    """Whether a straight line passes through ``box`` (a word's box, a little shrunk)."""
    inner = {
        "x0": box["x0"] + 0.5,
        "x1": box["x1"] - 0.5,
        "top": box["top"] + 0.5,
        "bottom": box["bottom"] - 0.5,
    }
    return _overlap(
        {"x0": line["x0"], "x1": line["x1"] or line["x0"], "top": line["top"], "bottom": line["bottom"]},
        inner,
        0,
    )


@pytest.mark.parametrize(
    ("categories", "last", "this", "width"),
    [
        (["موافقت‌ها", "پروانه صادرشده", "رویدادها", "مکاتبات حمایتی"], [8, 5, 5, 3], [32, 12, 12, 18], 510),
        (
            ["قزوین", "البرز", "آبیک", "بوئین‌زهرا", "تاکستان", "آوج", "اداره کل (استان)"],
            [7025, 1971, 1470, 1639, 1920, 2039, 1242],
            [6876, 1965, 1431, 1584, 1993, 2142, 1220],
            248,
        ),
        (["قزوین", "آبیک"], [0, 1], [3, 2], 248),
    ],
)
def test_a_chart_reads_right_to_left_with_nothing_over_its_labels(categories, last, this, width):
    drawing = grouped_bars(
        "عنوان نمودار",
        categories,
        [("سال ۱۴۰۳", last, LAST_COLOR), ("سال ۱۴۰۴", this, THIS_COLOR)],
        width,
        200,
    )
    pdf, page = _chart_page(drawing)
    with pdf:
        bars = _bars(page)
        assert len(bars) == 2 * len(categories) - sum(1 for v in last + this if v == 0)
        plot_right = max(b["x1"] for b in bars)
        verticals = [ln for ln in page.lines if abs(ln["x0"] - ln["x1"]) < 0.1 and ln["height"] > 50]
        axis_x = max(ln["x0"] for ln in verticals)
        assert axis_x >= plot_right  # the value axis stands on the right of the bars
        words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
        values = [w for w in words if w["x0"] > axis_x]
        assert len(values) >= 3
        assert all("٫" not in w["text"] for w in values)  # counts step by whole numbers
        ticks = [ln for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 0.1 and ln["width"] < 10]
        for word in words:  # no tick, axis or gridline through a value or a name
            if word in values or word["bottom"] > max(b["bottom"] for b in bars):
                assert not any(_crosses(line, word) for line in (*ticks, *verticals)), word["text"]
        baseline = max(b["bottom"] for b in bars)
        level = [w for w in words if w["bottom"] <= baseline]  # leaning category names come apart as words
        for a, b in combinations(level, 2):  # no label over another
            assert not _overlap(a, b), (a["text"], b["text"])
        assert all(0 <= w["x0"] and w["x1"] <= width for w in words)  # none leaves the drawing
        # the first category is on the right: its bars are the rightmost
        first = max(bars, key=lambda r: r["x1"])
        assert first["x1"] == plot_right


@pytest.mark.parametrize("top", [3, 5, 7, 12, 23, 48, 99, 120, 2_500, 17_306])
def test_counts_step_by_whole_numbers(top):
    step = nice_step(top)
    assert float(step).is_integer() and 3 <= top / step + 1 <= 11
    assert nice_step(12) == 5 and nice_step(12, whole=False) == 2.5


def test_bar_labels_that_fit_sit_on_white_and_crowded_ones_are_left_out():
    roomy = grouped_bars("ا", ["الف", "ب"], [("۱", [3, 4], LAST_COLOR), ("۲", [5, 6], THIS_COLOR)], 510, 200)
    crowded = grouped_bars(
        "ا",
        [f"شهر {i}" for i in range(12)],
        [("۱", [12_345] * 12, LAST_COLOR), ("۲", [23_456] * 12, THIS_COLOR)],
        248,
        200,
    )
    for drawing, labelled in ((roomy, True), (crowded, False)):
        chart = next(c for c in drawing.contents if hasattr(c, "barLabelFormat"))
        assert (chart.barLabelFormat is not None) is labelled
        if labelled:
            assert chart.barLabels.boxFillColor is not None


# --- pages -------------------------------------------------------------------------------------------


def test_no_page_is_left_half_empty_before_the_last(seeded):
    pdf = _pdf(annual_comparison(seeded.uow, 1401, today=TODAY))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 3
        for number, page in enumerate(doc.pages[:-1], start=1):
            footer = page.height - 60  # the page number's band
            lowest = max(
                [c["bottom"] for c in page.chars if c["bottom"] < footer]
                + [r["bottom"] for r in page.rects if r["bottom"] < footer]
            )
            assert lowest > page.height / 2, f"page {number} ends at {lowest:.0f} of {page.height:.0f}"
