"""HarfBuzz shaping: marks where they belong, ligatures, identifiers and signs as left-to-right units, digits.

Each shaped line is checked glyph by glyph (which glyph, drawn where, reading back as what) and, drawn on
a page, read back by both PDF readers (poppler and PDFium)."""

from __future__ import annotations

import io
import unicodedata

import pytest
import uharfbuzz
from reportlab.pdfbase import pdfmetrics

from ostandari_desk.domain.text import print_form, signed_percent
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import Shaped, shape_line

from .pdftext import copy_figures, drawn_lines, pdf_lines

HARAKAT = "\u064e\u064f\u0650\u064b\u064c\u064d\u0651\u0652"  # fatha damma kasra tanwin×3 shadda sukun


@pytest.fixture(scope="module", autouse=True)
def fonts():
    register_fonts()


def _glyphs(line: Shaped, font: str = FONT) -> list[dict]:
    """The glyphs of a shaped line in drawing order: name, text read back, left x, advance, raise."""
    face = pdfmetrics.getFont(font)
    hb_font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(face.face._ttf_data)))
    scale = 1000 / hb_font.face.upem
    out, pen = [], 0.0
    for ch, data in zip(line, line.__shapeData__):
        gid = face.face.charToGlyph[ord(ch)]
        extents = hb_font.get_glyph_extents(gid)
        top = data.y_offset + extents.y_bearing * scale
        out.append(
            {
                "name": hb_font.glyph_to_string(gid),
                "text": face._alias_text.get(ord(ch), ch),
                "x": pen + data.x_offset,
                "width": face.glyph_width(gid),
                "top": top,  # the ink's top and bottom, thousandths of an em above the baseline
                "bottom": top + extents.height * scale,
            }
        )
        pen += data.x_advance
    return out


def _by_name(glyphs: list[dict], name: str) -> dict:
    found = [g for g in glyphs if g["name"] == name]
    assert found, [g["name"] for g in glyphs]
    return found[0]


def _page(*lines: str) -> bytes:
    doc = ReportDocument("آزمون شکل‌دهی", Letterhead("اداره کل"), printed_on="۱۴۰۵/۰۱/۰۱")
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.build(out)
    return out.getvalue()


# --- marks and ligatures ------------------------------------------------------------------------------


def test_ezafe_on_heh_is_one_glyph_that_reads_as_heh_and_hamza():
    glyphs = _glyphs(shape_line("خانهٔ"))
    heh = _by_name(glyphs, "uniFBA5.fina")  # HarfBuzz composed «ه» + «ٔ» (arabic-reshaper drew «ئ»)
    assert heh["text"] == "\u0654\u0647"  # in drawing order; readers reverse it to «هٔ»
    assert len(glyphs) == 4


def test_fatha_sits_over_its_letter_not_before_the_word():
    glyphs = _glyphs(shape_line("تَشکیل"))
    teh, fatha = _by_name(glyphs, "uniFE97"), _by_name(glyphs, "uni064E")
    assert teh["x"] - 100 <= fatha["x"] <= teh["x"] + teh["width"]  # within 0.1 em of «ت»
    assert fatha["top"] > teh["top"]  # and above it
    assert glyphs[-1]["name"] == "uniFE97"  # «ت» is the rightmost glyph: the word starts there


@pytest.mark.parametrize("mark", HARAKAT)
def test_each_haraka_is_placed_on_each_letter(mark):
    letters = "بتسشصطعفقکگلمنهی"
    line = shape_line("".join(letter + mark for letter in letters))
    glyphs = _glyphs(line)
    marks = [g for g in glyphs if g["width"] == 0 and g["name"].startswith("uni06")]
    bases = [g for g in glyphs if g["width"] > 0]
    assert len(marks) == len(letters) and len(bases) == len(letters)
    for m, base in zip(marks, bases):  # drawn just before their letter; over or under it
        assert base["x"] - 150 <= m["x"] <= base["x"] + base["width"], (m, base)
        if mark in "\u0650\u064d":  # kasra, kasratan: under the baseline
            assert m["top"] < 0
        else:
            assert m["bottom"] > 0


def test_lam_alef_and_allah_are_ligatures_that_read_back_as_letters():
    assert [g["name"] for g in _glyphs(shape_line("لا"))] == ["uniFEFB"]
    assert _glyphs(shape_line("لا"))[0]["text"] == "ال"  # reversed: readers turn it back into «لا»
    assert [g["text"] for g in _glyphs(shape_line("الله"))] == ["هللا"]
    assert len(_glyphs(shape_line("لله"))) == 3  # no alef: three letters joined


def test_waw_with_hamza_and_ezafe_in_one_word():
    names = [g["name"] for g in _glyphs(shape_line("مؤسسهٔ"))]
    assert "uniFE86" in names and "uniFBA5.fina" in names


def test_no_glyph_is_missing_or_private_use():
    for text in ("خانهٔ تَشکیل مؤسسهٔ لا لله الله", "".join("ب" + m for m in HARAKAT), "ۀ ئ ء أ إ آ ي ك"):
        for font in (FONT, FONT_BOLD):
            for g in _glyphs(shape_line(text, font), font):
                assert g["name"] != ".notdef"
                assert not any(0xE000 <= ord(c) <= 0xF8FF for c in g["text"]), g


def test_marks_and_ligatures_read_back_from_both_readers():
    lines = [
        "خانهٔ ما و مؤسسهٔ خیریه",
        "تَشکیل جلسهٔ هیئت‌مدیره",
        "لا اله الا الله، لله",
        "بِسمِ اللهِ الرَّحمنِ الرَّحیم",
        "".join("ب" + m for m in HARAKAT),
    ]
    with drawn_lines() as drawn:
        pdf = _page(*lines)
    figures = copy_figures(pdf, drawn)
    assert figures.poppler == figures.pdfium == 1.0, (figures.lost_poppler, figures.lost_pdfium)
    text = unicodedata.normalize("NFC", " ".join(pdf_lines(pdf)))
    assert "خانهٔ" in text and "تَشکیل" in text  # the letters typed, not «ۀ» or presentation forms


# --- identifiers and signs: left-to-right units, as typed ---------------------------------------------


def _unit_order(text: str, unit: str, font: str = FONT) -> str:
    """The characters of ``unit`` as they stand on the line, left to right."""
    wanted = set(print_form(unit))
    placed = [(g["x"], g["text"]) for g in _glyphs(shape_line(text, font), font) if g["text"] in wanted]
    return "".join(t for _, t in sorted(placed))


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("پروانه شماره ۱۴۰۴/۱۲۳-۴۵ صادر شد", "۱۴۰۴/۱۲۳-۴۵"),
        ("نشانی: پلاک 45-B، طبقه ۲", "45-B"),
        ("تلفن 021-12345678 در پرونده", "۰۲۱-۱۲۳۴۵۶۷۸"),
        ("پرونده 1402-17 ثبت شد", "۱۴۰۲-۱۷"),
    ],
)
def test_identifiers_print_left_to_right_as_typed(line, unit):
    assert _unit_order(line, unit) == print_form(unit)


def test_an_identifier_with_a_persian_letter_keeps_the_right_to_left_order_it_was_typed_in():
    """«ت/۱۴۰۵/۰۲۲» read from the right: the letter, then the number as one left-to-right group."""
    placed = [
        (g["x"], g["text"]) for g in _glyphs(shape_line("تفاهم‌نامه ت/1405/022")) if g["text"] in "ت/۱۴۰۵۲"
    ]
    token = "".join(t for _, t in sorted(placed))[: len("ت/۱۴۰۵/۰۲۲")]
    assert token == "۱۴۰۵/۰۲۲/ت"  # left to right


def test_identifiers_read_back_as_typed():
    lines = [
        "پروانه شماره ۱۴۰۴/۱۲۳-۴۵ صادر شد",
        "نشانی: پلاک 45-B و کوچه (۱۲)",
        "تلفن 021-12345678، تاریخ ۱۴۰۱/۰۶/۰۹",
        "نامهٔ شماره «۱۰۰/ص» و تفاهم‌نامهٔ ت/۱۴۰۵/۰۲۲ و پلاک ت-1404-1",
    ]
    with drawn_lines() as drawn:
        pdf = _page(*lines)
    figures = copy_figures(pdf, drawn)
    assert figures.poppler == figures.pdfium == 1.0, (figures.lost_poppler, figures.lost_pdfium)


@pytest.mark.parametrize(
    ("pct", "shown"),
    [(140, "+۱۴۰٪"), (-20, "\u2212۲۰٪"), (5.8, "+۵٫۸٪"), (-5.8, "\u2212۵٫۸٪"), (0.04, "۰٪"), (49, "+۴۹٪")],
)
def test_one_signed_change_formatter(pct, shown):
    assert signed_percent(pct) == shown


def test_a_signed_change_prints_sign_first_in_tables_and_prose_alike():
    change = signed_percent(5.8)
    prose = f"افزایش {change} نسبت به سال قبل"
    assert _unit_order(prose, change) == "+۵٫۸٪"  # left to right: sign, number, percent
    assert _unit_order(change, change) == "+۵٫۸٪"  # alone in a table cell
    assert _unit_order(f"«انجمن‌ها»: یعنی ۲ برابر، {change}", change) == "+۵٫۸٪"
    doc = ReportDocument("آزمون", Letterhead("اداره کل"), printed_on="۱۴۰۵/۰۱/۰۱")
    doc.add_paragraph(prose)
    doc.add_table([Column("شاخص", 3), Column("درصد تغییر", 1, "center", True)], [["انجمن‌ها", change]])
    with drawn_lines() as drawn:
        out = io.BytesIO()
        doc.build(out)
    figures = copy_figures(out.getvalue(), drawn)
    assert figures.poppler == figures.pdfium == 1.0, (figures.lost_poppler, figures.lost_pdfium)


# --- digits at print time -----------------------------------------------------------------------------


def test_free_text_prints_persian_digits_and_percent_but_stored_text_keeps_what_was_typed():
    typed = "پلاک 67، سهم 30% و کد ٣٤"
    assert print_form(typed) == "پلاک ۶۷، سهم ۳۰٪ و کد ۳۴"
    assert shape_line(typed).logical == "پلاک ۶۷، سهم ۳۰٪ و کد ۳۴"
    assert typed == "پلاک 67، سهم 30% و کد ٣٤"


def test_words_with_latin_letters_keep_their_digits():
    assert print_form("CO2 و www.site1.ir و 45-B و ISO 9001") == "CO2 و www.site1.ir و 45-B و ISO ۹۰۰۱"


def test_a_line_shaped_for_one_font_is_drawn_in_another_correctly():
    """A line shaped for the regular font, drawn while the bold one is set, is shaped again for bold
    (glyph codes belong to a font)."""
    from ostandari_desk.reports.document import PaperCanvas

    out = io.BytesIO()
    canvas = PaperCanvas(out)
    canvas.setFont(FONT_BOLD, 12)
    with drawn_lines() as drawn:
        canvas.drawRightString(500, 700, shape_line("سازمان‌های مردم‌نهاد (۱۲)", FONT))
    canvas.showPage()
    canvas.save()
    figures = copy_figures(out.getvalue(), drawn)
    assert figures.poppler == figures.pdfium == 1.0, (figures.lost_poppler, figures.lost_pdfium)
    assert b"Bold" in out.getvalue() and b"Vazirmatn-Regular" not in out.getvalue()
