"""The Persian shaping pipeline: each trap from PITFALLS «Persian on paper» has a test here."""

import unicodedata

import pytest
from bidi import get_display

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports import persian
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, fonts_dir, register_fonts
from ostandari_desk.reports.persian import (
    check_glyphs,
    reshape,
    shape_line,
    shaped_lines,
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


def test_ezafe_hamza_is_kept():
    assert "\u0654" in shape_line("ماهانهٔ")
    assert "\u0654" in reshape("ماهانهٔ")


def test_heh_with_yeh_isolated_is_left_unshaped_so_it_draws():
    shaped = shape_line("خانۀ")  # final form exists
    shaped_alone = shape_line("ۀ")  # isolated form U+FBA4 is not in Vazirmatn
    assert "\ufba4" not in shaped + shaped_alone
    check_glyphs("ۀ خانۀ", FONT)


def test_mark_stays_after_its_letter_in_drawing_order():
    shaped = shape_line("خانهٔ ما")
    i = shaped.index("\u0654")
    assert unicodedata.normalize("NFKC", shaped[i - 1]) == "ه"


def test_brackets_around_persian_are_mirrored():
    assert visual_order("(ساعت ۱۰:۳۰)") == "(۱۰:۳۰ تعاس)"
    # unmirrored python-bidi would give ")۱۰:۳۰ تعاس("
    assert get_display("(ساعت ۱۰:۳۰)", base_dir="R") == ")۱۰:۳۰ تعاس("


def test_latin_call_inside_persian_keeps_its_brackets():
    assert "f(x)" in visual_order("تابع f(x) است")


def test_numbers_in_brackets():
    assert visual_order("شماره (۱۲۳) ثبت") == "تبث (۱۲۳) هرامش"


@pytest.mark.parametrize("token", ["1402-17", "۱۴۰۲-۱۷"])
def test_hyphenated_number_does_not_flip(token):
    shown = shape_line(f"پرونده {token} ثبت شد")
    assert token in shown
    assert "\u200e" not in shown


def test_zwnj_is_not_drawn_and_letters_do_not_join_across_it():
    shaped = shape_line("سازمان‌های مردم‌نهاد")
    assert "\u200c" not in shaped and "\u200d" not in shaped
    # left to right: initial «ه» then isolated «ن» (not medial/initial: no joining over the ZWNJ)
    assert "\ufeeb\u0646" in shaped
    assert "\ufee7\u0645" in shaped  # «ن» of «نهاد», «م» of «مردم»


def test_no_bidi_controls_in_drawn_text():
    for text in SAMPLES:
        assert not set(persian.BIDI_CONTROLS) & set(shape_line(text))


@pytest.mark.parametrize("text", SAMPLES)
def test_visual_order_is_its_own_inverse(text):
    assert visual_order(visual_order(text)) == text


@pytest.mark.parametrize("text", [s for s in SAMPLES if not set("()") & set(s) and "ٔ" not in s])
def test_own_reorder_agrees_with_python_bidi(text):
    levels = persian._levels(text)
    assert levels is not None, "python-bidi debug format changed: update persian._levels"
    assert persian._reorder_by_levels(text, levels) == get_display(text, base_dir="R")


def test_mixed_cell_visual_order():
    shown = visual_order("پروانه شماره ۱۲۳ صادره از NGO Office در ۱۴۰۱/۰۶/۰۹")
    assert shown == "۱۴۰۱/۰۶/۰۹ رد NGO Office زا هرداص ۱۲۳ هرامش هناورپ"


def test_wrap_breaks_at_spaces_on_logical_text_at_real_width():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = wrap(LONG_NAME, FONT, 10, 150)
    assert len(lines) >= 3
    assert " ".join(lines) == LONG_NAME
    assert all(stringWidth(shape_line(line), FONT, 10) <= 150 for line in lines)
    assert shaped_lines(LONG_NAME, FONT, 10, 150) == [shape_line(line) for line in lines]


def test_wrap_breaks_long_word_at_zwnj_then_characters():
    assert wrap("سازمان‌های", FONT, 10, 40) == ["سازمان\u200c", "های"]
    pieces = wrap("مستندسازیاطلاعاتسازمانی", FONT, 10, 30)
    assert len(pieces) > 1 and "".join(pieces) == "مستندسازیاطلاعاتسازمانی"


def test_wrap_keeps_hard_newlines():
    assert wrap("خط اول\nخط دوم", FONT, 10, 500) == ["خط اول", "خط دوم"]


def test_persian_digits_come_from_the_caller():
    assert shape_line("12") == "12"
    assert shape_line(to_persian_digits(12)) == "۱۲"
