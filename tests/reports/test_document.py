"""Report documents: furniture, RTL tables across pages, and a PDF text round trip."""

import io
import subprocess

import pdfplumber
import pytest
from reportlab.graphics.shapes import Drawing, Rect

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import check_glyphs

from .pdftext import assert_pdf_has, pdf_lines, pdf_pages

OFFICE = "اداره کل امور اجتماعی استانداری"
TITLE = "گزارش ماهانهٔ سازمان‌های مردم‌نهاد"
MIXED = "پروانه شماره ۱۲۳ صادره از NGO Office در ۱۴۰۱/۰۶/۰۹"
LONG_NAME = (
    "انجمن حمایت از بیماران کلیوی و خانواده‌های آنان در شهرستان‌های اسلامشهر، "
    "شهریار، ورامین و پاکدشت استان تهران"
)
COLUMNS = [
    Column("نام سازمان", 4),
    Column("شهرستان", 2),
    Column("مبلغ (ریال)", 2, "left", numeric=True),
    Column("وضعیت", 1),
    Column("تاریخ", 2, "center"),
]


def _row(i: int) -> list[str]:
    return [
        f"مؤسسهٔ خیریهٔ شمارهٔ {to_persian_digits(i)}",
        "شهریار",
        format_number(i * 1_250_000),
        "فعال",
        "۱۴۰۲/۰۱/۱۵",
    ]


def _build(doc: ReportDocument) -> bytes:
    buf = io.BytesIO()
    doc.build(buf)
    return buf.getvalue()


def _doc(**kw) -> ReportDocument:
    return ReportDocument(TITLE, Letterhead(OFFICE), printed_on="۱۴۰۵/۰۹/۰۲", **kw)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    doc = _doc()
    doc.add_heading("خلاصهٔ وضعیت (ساعت ۱۰:۳۰)")
    doc.add_paragraph(MIXED)
    doc.add_paragraph("پرونده 1402-17 و تابع f(x) و خانۀ ما")
    doc.add_key_values([("نام سازمان", "سازمان‌های مردم‌نهاد"), ("وضعیت", "فعال")])
    doc.add_spacer(10)
    drawing = Drawing(200, 40)
    drawing.add(Rect(0, 0, 100, 30))
    doc.add_flowable(drawing)
    doc.add_table([Column("نام", 1), Column("توضیح", 3)], [["الف", LONG_NAME], ["ب", MIXED]])
    return _build(doc)


@pytest.fixture(scope="module")
def long_table_pdf() -> bytes:
    doc = _doc(landscape=True)
    rows = [_row(i) for i in range(1, 61)]
    doc.add_table(COLUMNS, rows, totals=["جمع", "", format_number(sum(range(1, 61)) * 1_250_000), "", ""])
    return _build(doc)


@pytest.fixture(scope="module", autouse=True)
def fonts():
    register_fonts()


def test_every_drawn_string_has_glyphs():
    strings = [
        OFFICE,
        TITLE,
        MIXED,
        LONG_NAME,
        "خلاصهٔ وضعیت (ساعت ۱۰:۳۰)",
        "پرونده 1402-17 و تابع f(x) و خانۀ ما",
        "صفحه ۱ از ۲",
        "تاریخ چاپ: ۱۴۰۵/۰۹/۰۲",
        "سازمان‌های مردم‌نهاد",
        *(c.title for c in COLUMNS),
        *_row(12345),
    ]
    for text in strings:
        check_glyphs(text, FONT)
        check_glyphs(text, FONT_BOLD)


def test_furniture_and_traps_round_trip(sample_pdf):
    assert_pdf_has(
        sample_pdf,
        OFFICE,
        TITLE,
        "تاریخ چاپ: ۱۴۰۵/۰۹/۰۲",
        "صفحه ۱ از ۱",
        "خلاصهٔ وضعیت (ساعت ۱۰:۳۰)",
        MIXED,
        "پرونده ۱۴۰۲-۱۷",  # digits print in Persian; the hyphenated number does not flip
        "تابع f(x)",
        "خانۀ ما",
        "نام سازمان: سازمان‌های مردم‌نهاد",
    )
    lines = pdf_lines(sample_pdf)
    assert "سازمان‌های مردم‌نهاد" in "\n".join(lines)  # ZWNJ itself comes back
    assert any(line == "(ساعت ۱۰:۳۰)" or line.endswith("(ساعت ۱۰:۳۰)") for line in lines)


def test_ezafe_and_heh_yeh_are_drawn(sample_pdf):
    text = "".join(pdf_lines(sample_pdf))
    assert "ماهانهٔ" in text and "ۀ" in text


def test_every_glyph_reads_back_as_text_not_private_use_or_notdef(sample_pdf):
    with pdfplumber.open(io.BytesIO(sample_pdf)) as pdf:
        drawn = {ch for page in pdf.pages for c in page.chars for ch in c["text"]}
    assert "\u200c" in drawn  # ZWNJ is drawn (zero width) and copies as ZWNJ
    assert not any(ch in drawn for ch in ("\ufffd", "\x00")), drawn
    private = {ch for ch in drawn if 0xE000 <= ord(ch) <= 0xF8FF or ord(ch) >= 0xF0000}
    assert not private, private
    presentation = {ch for ch in drawn if 0xFB50 <= ord(ch) <= 0xFEFF}
    assert not presentation, presentation  # letters copy as letters, not as presentation forms


def test_long_name_wraps_into_lines_that_each_read_right_to_left(sample_pdf):
    lines = pdf_lines(sample_pdf)
    # the table's description cell: its lines, in order, joined, give back the source
    start = next(i for i, line in enumerate(lines) if line.startswith("الف"))
    cell = [lines[start].removeprefix("الف").strip()]
    for line in lines[start + 1 :]:
        if line.startswith("ب "):
            break
        cell.append(line)
    assert len(cell) >= 2
    assert " ".join(cell) == LONG_NAME


def test_table_header_repeats_and_pages_are_numbered(long_table_pdf):
    pages = pdf_pages(long_table_pdf)
    assert len(pages) >= 2
    header = "نام سازمان شهرستان مبلغ (ریال) وضعیت تاریخ"
    for number, lines in enumerate(pages, start=1):
        assert header in lines, lines
        footer = f"صفحه {to_persian_digits(number)} از {to_persian_digits(len(pages))}"
        assert footer in lines
        assert OFFICE in " ".join(lines) and TITLE in lines
    first_rows = [line for line in pages[1] if line.startswith("مؤسسهٔ")]
    assert first_rows, pages[1]


def test_table_rows_and_bold_totals_round_trip(long_table_pdf):
    assert_pdf_has(long_table_pdf, " ".join(_row(7)), "جمع " + format_number(1830 * 1_250_000))
    with pdfplumber.open(io.BytesIO(long_table_pdf)) as pdf:
        bold = [c for c in pdf.pages[-1].chars if "Bold" in c["fontname"] and c["text"] == "ع"]
        totals_top = max(c["top"] for c in pdf.pages[-1].chars if c["text"] == "ج")
    assert any(abs(c["top"] - totals_top) < 1 for c in bold)  # «جمع»: the totals row is bold


def test_first_column_is_drawn_on_the_right():
    doc = _doc()
    doc.add_table([Column("اول", 1), Column("دوم", 1)], [["1", "2"]])
    pdf = _build(doc)
    with pdfplumber.open(io.BytesIO(pdf)) as p:
        xs = {c["text"]: c["x0"] for c in p.pages[0].chars if c["text"] in "۱۲"}
    assert xs["۱"] > xs["۲"]  # and the digits print in Persian


def test_page_renders_to_png(tmp_path, sample_pdf):
    src = tmp_path / "sample.pdf"
    src.write_bytes(sample_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(src), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_thousand_row_table_builds():
    """Its speed is measured by tests/bench (timed unit tests are flaky on a loaded machine)."""
    rows = [_row(i) for i in range(1000)]
    doc = _doc()
    doc.add_table(COLUMNS, rows)
    pdf = _build(doc)
    assert pdf.startswith(b"%PDF")
