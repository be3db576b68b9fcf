"""The Persian text pipeline: print-time text, levels, wrapping, and the arabic-reshaper fallback; each trap
from PITFALLS «Persian on paper» has a test here (shaping and copying: test_shaping.py, test_copy_text.py)."""

import pytest
from bidi import get_display

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports import glyphs, persian
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, fonts_dir, register_fonts
from ostandari_desk.reports.persian import (
    check_glyphs,
    reshape,
    shape_line,
    shaped_lines,
    text_width,
    visual_order,
    wrap,
)

LONG_NAME = (
    "انجمن حمایت از بیماران کلیوی و خانواده‌های آنان در شهرستان‌های اسلامشهر، "
    "شهریار، ورامین و پاکدشت استان تهران"
)

SAMPLES = [
    "(ساعت ۱۰:۳۰)",
    "تابع f(x) در متن فارسی",
    "شماره (۱۲۳) ثبت شد",
    "پرونده 1402-17 ثبت شد",
    "پرونده ۱۴۰۲-۱۷ ثبت شد",
    "گزارش ماهانهٔ سازمان",
    "خانهٔ ما و مؤسسهٔ خیریه",
    "سازمان‌های مردم‌نهاد",
    "پروانه شماره ۱۲۳ صادره از NGO Office در ۱۴۰۱/۰۶/۰۹",
    "لا اله الا الله، إلا، لأن، آلاء",
    "مبلغ " + format_number(10_800_000) + " ریال",
    LONG_NAME,
]


@pytest.fixture(scope="module", autouse=True)
def fonts():
    register_fonts()


def test_fonts_found_beside_package_and_registration_idempotent():
    assert (fonts_dir() / "Vazirmatn-Regular.ttf").is_file()
    register_fonts()
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    assert {FONT, FONT_BOLD} <= set(pdfmetrics.getRegisteredFontNames())


@pytest.mark.parametrize("text", SAMPLES)
def test_every_sample_has_glyphs_in_both_fonts(text):
    check_glyphs(text, FONT)
    check_glyphs(text, FONT_BOLD)


def test_check_glyphs_reports_missing_characters():
    with pytest.raises(ValueError, match="U\\+FBA4"):
        check_glyphs("\ufba4", FONT)


def test_fallback_keeps_the_ezafe_hamza():
    assert "\u0654" in reshape("ماهانهٔ")


def test_fallback_leaves_heh_with_yeh_isolated_unshaped_so_it_draws():
    assert "\ufba4" not in reshape("خانۀ") + reshape("ۀ")  # U+FBA4 is not in Vazirmatn
    check_glyphs("ۀ خانۀ", FONT)


def test_fallback_mirrors_brackets_around_persian():
    assert visual_order("(ساعت ۱۰:۳۰)") == "(۱۰:۳۰ تعاس)"
    # unmirrored python-bidi would give ")۱۰:۳۰ تعاس("
    assert get_display("(ساعت ۱۰:۳۰)", base_dir="R") == ")۱۰:۳۰ تعاس("


def test_fallback_latin_call_inside_persian_keeps_its_brackets():
    assert "f(x)" in visual_order("تابع f(x) است")
    assert visual_order("شماره (۱۲۳) ثبت") == "تبث (۱۲۳) هرامش"


@pytest.mark.parametrize("text", SAMPLES)
def test_visual_order_is_its_own_inverse(text):
    assert visual_order(visual_order(text)) == text


@pytest.mark.parametrize("text", [s for s in SAMPLES if not set("()") & set(s) and "ٔ" not in s])
def test_own_reorder_agrees_with_python_bidi(text):
    levels = glyphs.bidi_levels(text)
    assert levels is not None, "python-bidi debug format changed: update glyphs.bidi_levels"
    assert persian._reorder_by_levels(text, levels) == get_display(text, base_dir="R")


LINES = [
    *SAMPLES,
    "شماره ۱۲۳، تاریخ ۱۲۳٬۴۵۶ و ۵٫۸ نفر",
    "در سال ۱۴۰۱ و ۱۴۰۲ (دو سال) برگزار شد؛ «خانهٔ ما»",
    "۱۲ ۳۴ ۵۶",
    "۱۲،۳۴ و ۱۲, ۳۴",
    "بِسمِ اللهِ ۱۲ ِ",
]


@pytest.mark.parametrize("text", LINES)
def test_direct_levels_agree_with_python_bidi(text):
    """The levels worked out directly for Persian words and plain numbers are python-bidi's."""
    line = persian.print_text(text)
    direct = glyphs._direct_levels(glyphs._classes(line))
    if direct is None:  # Latin or signs outside an identifier: python-bidi decides
        return
    reference = glyphs.bidi_levels(line)
    outside = [i for i, lv in enumerate(direct) if not _inside_isolate(line, i)]
    assert [direct[i] for i in outside] == [reference[i] for i in outside]


def _inside_isolate(line: str, index: int) -> bool:
    return line.rfind(persian.LRI, 0, index + 1) > line.rfind(persian.PDI, 0, index)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("پروانه 1404/123-45 صادر شد", "پروانه \u2066۱۴۰۴/۱۲۳-۴۵\u2069 صادر شد"),
        ("پلاک 45-B", "پلاک \u206645-B\u2069"),
        ("پلاک ت-1404-1 و نامهٔ ۱۰۰/ص", "پلاک ت-۱۴۰۴-۱ و نامهٔ ۱۰۰/ص"),  # a Persian letter: right to left
        ("افزایش +۵٫۸٪ و −۲۰٪", "افزایش \u2066+۵٫۸٪\u2069 و \u2066−۲۰٪\u2069"),
        ("تاریخ ۱۴۰۱/۰۶/۰۹ (ساعت ۱۰:۳۰)", "تاریخ \u2066۱۴۰۱/۰۶/۰۹\u2069 (ساعت \u2066۱۰:۳۰\u2069)"),
        ("تلفن 021-12345678، سهم 30%", "تلفن \u2066۰۲۱-۱۲۳۴۵۶۷۸\u2069، سهم \u2066۳۰٪\u2069"),
        ("۱۲ نفر در سازمان-۱۲ و NGO Office", "۱۲ نفر در سازمان-۱۲ و NGO Office"),
    ],
)
def test_identifiers_are_isolated_left_to_right_units_at_print_time(typed, printed):
    assert persian.print_text(typed) == printed
    assert persian.print_text(printed) == printed  # once is enough


def test_wrap_breaks_at_spaces_on_logical_text_at_real_width():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = wrap(LONG_NAME, FONT, 10, 150)
    assert len(lines) >= 3
    assert " ".join(lines) == LONG_NAME
    assert all(stringWidth(shape_line(line), FONT, 10) <= 150 for line in lines)
    assert all(text_width(line, FONT, 10) <= 150 for line in lines)
    assert shaped_lines(LONG_NAME, FONT, 10, 150) == [shape_line(line) for line in lines]


def test_wrap_breaks_long_word_at_zwnj_then_characters():
    assert wrap("سازمان‌های", FONT, 10, 40) == ["سازمان\u200c", "های"]
    pieces = wrap("مستندسازیاطلاعاتسازمانی", FONT, 10, 30)
    assert len(pieces) > 1 and "".join(pieces) == "مستندسازیاطلاعاتسازمانی"


def test_wrap_keeps_hard_newlines():
    assert wrap("خط اول\nخط دوم", FONT, 10, 500) == ["خط اول", "خط دوم"]


def test_digits_print_in_persian_and_stored_text_is_untouched():
    typed = "پلاک 67، سهم 30%"
    assert shape_line(typed).logical == "پلاک ۶۷، سهم ۳۰٪"
    assert typed == "پلاک 67، سهم 30%"
    assert shape_line(to_persian_digits(12)).logical == "۱۲"
    assert shape_line("CO2 45-B").logical == "CO2 45-B"  # a word with Latin letters keeps its digits


def test_without_harfbuzz_the_fallback_draws_presentation_forms(monkeypatch):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    monkeypatch.setattr(persian, "HARFBUZZ", False)
    persian._shape.cache_clear()
    try:
        line = shape_line("سازمان‌های ۱۲")
        assert not isinstance(line, persian.Shaped)
        assert line.logical == "سازمان‌های ۱۲" and "\ufeeb" in line  # initial heh, drawn left to right
        persian._advance.cache_clear()
        persian._wrap.cache_clear()
        lines = wrap(LONG_NAME, FONT, 10, 150)
        assert len(lines) >= 3 and all(stringWidth(reshape(w), FONT, 10) <= 150 for w in lines)
    finally:
        persian._shape.cache_clear()
        persian._advance.cache_clear()
        persian._wrap.cache_clear()
