"""Tests for the Persian text helpers: normalizer, cleaning, digits, numbers, words, sort key."""

import pytest

from ostandari_desk.domain.text import (
    LRM,
    RLM,
    ZWNJ,
    clean,
    digits_to_latin,
    format_number,
    format_rials,
    normalize,
    parse_int,
    persian_sort_key,
    protect_hyphenated_numbers,
    rials_in_words,
    rlm,
    to_persian_digits,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("علي", "علی"),
        ("موسى", "موسی"),
        ("كرمانشاه", "کرمانشاه"),
        ("سازمان مردم‌نهاد", "سازمان مردم نهاد"),
        ("مردم\u200dنهاد", "مردم نهاد"),
        ("مؤسسهٔ خیریه", "مؤسسه خیریه"),
        ("مدرسة", "مدرسه"),
        ("خانۀ امید", "خانه امید"),
        ("أحمد إسلامی", "احمد اسلامی"),
        ("محمّد", "محمد"),
        ("عِلمی", "علمی"),
        ("تـــهران", "تهران"),
        ("کد ۱۲۳", "کد 123"),
        ("کد ١٢٣", "کد 123"),
        ("NGO Tehran", "ngo tehran"),
        ("\u202bتهران\u202c", "تهران"),
        ("\u200fتهران\u200e", "تهران"),
        ("  تهران \u00a0\u2009 شمال\n", "تهران شمال"),
        ("ا\u0653ب", "آب"),
    ],
)
def test_normalize_equates_variants(a, b):
    assert normalize(a) == normalize(b)


def test_normalize_exact_forms():
    assert normalize("۱۲۳") == "123"
    assert normalize("سازمان مردم‌نهاد") == "سازمان مردم نهاد"
    assert normalize("آب") == "آب"  # آ is kept
    assert normalize("علي\u00a0\u00a0كريمي ") == "علی کریمی"
    assert normalize(None) == ""
    assert normalize("") == ""
    assert normalize("\u0640\u064b") == ""


def test_clean_keeps_zwnj_and_diacritics():
    assert clean(" علي   كريمي ") == "علی کریمی"
    assert clean("مردم‌نهاد") == "مردم" + ZWNJ + "نهاد"
    assert clean("مردم\u200c\u200c\u200cنهاد") == "مردم\u200cنهاد"
    assert clean("مردم\u200c نهاد") == "مردم نهاد"
    assert clean("\u200cمردم\u200c") == "مردم"
    assert clean("محمّد") == "محمّد"
    assert clean("\u202bتهـران\u202c") == "تهران"
    assert clean("کد ۱۲۳") == "کد ۱۲۳"
    assert clean(None) == ""


def test_digits():
    assert digits_to_latin("۱۴۰۱/٠٦/۰۹") == "1401/06/09"
    assert to_persian_digits(1401) == "۱۴۰۱"
    assert to_persian_digits("1401/06/09") == "۱۴۰۱/۰۶/۰۹"
    assert to_persian_digits(None) == ""


def test_format_number_and_rials():
    assert format_number(0) == "۰"
    assert format_number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert format_number(-1234) == "-۱٬۲۳۴"
    assert format_number(12.5, 1) == "۱۲٫۵"
    assert format_number(1234.567, 2) == "۱٬۲۳۴٫۵۷"
    assert format_rials(10_800_000_000) == "۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "صفر ریال"),
        (1, "یک ریال"),
        (12, "دوازده ریال"),
        (21, "بیست و یک ریال"),
        (105, "صد و پنج ریال"),
        (1000, "هزار ریال"),
        (2500, "دو هزار و پانصد ریال"),
        (2_300_000_000, "دو میلیارد و سیصد میلیون ریال"),
        (10_800_000_000, "ده میلیارد و هشتصد میلیون ریال"),
        (1_000_001, "یک میلیون و یک ریال"),
        (-15, "منفی پانزده ریال"),
        (10**18, "یک کوینتیلیون ریال"),
    ],
)
def test_rials_in_words(n, words):
    assert rials_in_words(n) == words


def test_rials_in_words_limit():
    with pytest.raises(ValueError):
        rials_in_words(10**18 + 1)


def test_parse_int():
    assert parse_int("۱۲٬۳۴۵") == 12345
    assert parse_int("1,000,000") == 1_000_000
    assert parse_int("١٢٠، ٠٠٠") == 120_000
    assert parse_int(" 42 ") == 42
    assert parse_int("-7") == -7
    for bad in ["", "12a", "1.5", "۱۲/۳", "--1", " "]:
        with pytest.raises(ValueError):
            parse_int(bad)


def test_persian_sort_order():
    words = ["گل", "ژاله", "یاس", "پری", "کوه", "چای", "وحید", "بهار", "آب", "زهرا", "اسب", "هادی"]
    expected = ["آب", "اسب", "بهار", "پری", "چای", "زهرا", "ژاله", "کوه", "گل", "وحید", "هادی", "یاس"]
    assert sorted(words, key=persian_sort_key) == expected
    # plain code points get it wrong, which is why the key exists
    assert sorted(words) != expected


def test_persian_sort_key_full_alphabet():
    alphabet = [
        "آ",
        "ا",
        "ب",
        "پ",
        "ت",
        "ث",
        "ج",
        "چ",
        "ح",
        "خ",
        "د",
        "ذ",
        "ر",
        "ز",
        "ژ",
        "س",
        "ش",
        "ص",
        "ض",
        "ط",
        "ظ",
        "ع",
        "غ",
        "ف",
        "ق",
        "ک",
        "گ",
        "ل",
        "م",
        "ن",
        "و",
        "ه",
        "ی",
    ]
    shuffled = alphabet[::-1]
    assert sorted(shuffled, key=persian_sort_key) == alphabet


def test_persian_sort_key_properties():
    assert persian_sort_key("علي") == persian_sort_key("علی")
    assert persian_sort_key("مردم‌نهاد") == persian_sort_key("مردمنهاد")  # a half-space does not count (ICU)
    assert persian_sort_key("مردم نهاد") < persian_sort_key("مردم‌نهاد")  # a space sorts first
    assert persian_sort_key("۱۲ تهران") < persian_sort_key("الف")  # digits before letters
    assert persian_sort_key("پارس") < persian_sort_key("پارسا")  # prefix first
    assert persian_sort_key("آب") == persian_sort_key("آب")
    assert isinstance(persian_sort_key("تهران"), str)


def test_rlm():
    assert rlm("NGO سمن") == RLM + "NGO سمن"
    assert rlm("123 NGO") == RLM + "123 NGO"
    assert rlm("سمن NGO") == "سمن NGO"
    assert rlm("۱۲۳") == "۱۲۳"
    assert rlm("") == ""


def test_protect_hyphenated_numbers():
    assert protect_hyphenated_numbers("نامه 1402-17") == "نامه " + LRM + "1402-17"
    assert protect_hyphenated_numbers("نامه ۱۴۰۲-۱۷-۳") == "نامه " + LRM + "۱۴۰۲-۱۷-۳"
    assert protect_hyphenated_numbers("تاریخ ۱۴۰۱/۰۶/۰۹") == "تاریخ ۱۴۰۱/۰۶/۰۹"
    once = protect_hyphenated_numbers("a 1-2 b 3-4")
    assert once == f"a {LRM}1-2 b {LRM}3-4"
    assert protect_hyphenated_numbers(once) == once
