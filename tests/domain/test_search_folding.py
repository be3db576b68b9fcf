"""The search key (hamza forms folded, half-spaces joined) and the Persian sort key against ICU's fa order."""

from __future__ import annotations

import functools
import itertools
import random

import pytest
from PySide6.QtCore import QCollator, QLocale

from ostandari_desk.domain.text import ZWNJ, clean, normalize, persian_sort_key, search_key, search_text
from ostandari_desk.services.demo import names as demo_names

MOASSESE = "مؤسسه"  # with ؤ, as 108 of the demo's names write it


def finds(query: str, *stored: str) -> bool:
    """What the full-text index answers (SQLite FTS5 / PostgreSQL tsquery): every typed word is the
    beginning of a word of the stored search text."""
    words = search_text(*stored).split(" ")
    return all(any(w.startswith(typed) for w in words) for typed in search_key(query).split(" "))


# --- the search key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("مؤسسه", "موسسه"),  # ؤ -> و
        ("مسئول", "مسیول"),  # ئ -> ی
        ("تأسیس", "تاسیس"),  # أ -> ا
        ("إحسان", "احسان"),  # إ -> ا
        ("خانۀ امید", "خانه امید"),  # ۀ -> ه
        ("خانهٔ امید", "خانه امید"),  # ه + hamza above -> ه
        ("مردم\u200cنهاد", "مردمنهاد"),  # the half-space joins
        ("علي كريمي", "علی کریمی"),
        ("۱۲۳", "123"),
    ],
)
def test_search_key_folds_hamza_forms_and_joins_half_spaces(typed, folded):
    assert search_key(typed) == folded


def test_the_stored_name_keeps_its_hamza_and_half_space():
    name = f"{MOASSESE} خیریه مردم\u200cنهاد"
    assert clean(name) == name  # what is stored and shown
    assert normalize(name) == f"{MOASSESE} خیریه مردم نهاد"  # the duplicate-check key is unchanged too
    assert search_text(name) == "موسسه خیریه مردمنهاد نهاد"


@pytest.mark.parametrize("typed", ["موسسه", MOASSESE, "موسس", "مؤسسه خیریه"])
def test_moassese_typed_either_way_finds_the_hamza_spelling(typed):
    assert finds(typed, f"{MOASSESE} خیریه نیکوکاران")
    assert finds(typed.replace("ؤ", "و"), f"{MOASSESE} خیریه نیکوکاران")


def test_a_word_typed_without_its_half_space_finds_it_and_the_reverse():
    with_half_space = f"سازمان مردم{ZWNJ}نهاد آوا"
    written_joined = "سازمان مردمنهاد آوا"
    for stored in (with_half_space, written_joined):
        assert finds("مردمنهاد", stored)
        assert finds(f"مردم{ZWNJ}نهاد", stored)
    assert finds("مردم نهاد", with_half_space)  # typed with a space: both halves are words
    assert finds("نهاد", with_half_space)
    assert not finds("مردمنهادی", with_half_space)


def test_search_text_of_parts_is_their_words_and_skips_empty_parts():
    assert search_text("انجمن آوا", "", "10100000001", None, "علي") == "انجمن آوا 10100000001 علی"
    assert search_text(None, "") == ""
    assert search_key(None) == "" and search_key(f" {ZWNJ} ") == ""


_PIECES = [
    *"آاءأإؤئبپتجچژسکگلمنوهیۀةيكـ",
    "\u064e",
    "\u0654",
    ZWNJ,
    "\u00a0",
    "1",
    "۲",
    "A",
    "b",
    "-",
    "(",
    "«",
    "،",
]


@pytest.mark.parametrize("make", [search_text, persian_sort_key])
def test_keys_are_made_word_by_word(make):
    """Joining parts with one space commutes with both keys: the demo builds them from name parts and
    migration 0010 from each word once."""
    rnd = random.Random(12)
    for _ in range(3000):
        words = [
            "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 5))) for _ in range(rnd.randint(1, 4))
        ]
        whole = make(" ".join(words))
        assert whole == " ".join(key for key in map(make, words) if key), words


# --- the sort key against ICU's «fa» collation ----------------------------------------------------------


def _icu_sorted(words: list[str]) -> list[str]:
    collator = QCollator(QLocale("fa"))
    return sorted(words, key=functools.cmp_to_key(collator.compare))


EDGE_WORDS = [
    "آب",
    "اب",
    "ابر",
    "آزاد",
    "اسب",
    "تئاتر",
    "تأثیر",
    "تاج",
    "تابان",
    "توان",
    "مسئول",
    "مسأله",
    "مساله",
    "رئیس",
    "رییس",
    MOASSESE,
    "موسسه",
    "خانهٔ ما",
    "خانه ما",
    "خانۀ ما",
    "کتاب خانه",
    f"کتاب{ZWNJ}خانه",
    "کتابخانه",
    "کتابها",
    "کتاب زرد",
    "انجمن 12",
    "انجمن ۲",
    "انجمن (الف)",
    "انجمن «نور»",
    "انجمن- نور",
    "انجمن: نور",
    "انجمن NGO",
    "NGO انجمن",
    "ngo",
    "123",
    "علي",
    "علی",
    "كوثر",
    "کوثر",
    "وحید",
    "هادی",
    "یاس",
    "پری",
    "چای",
    "ژاله",
    "گل",
]


def _word_list() -> list[str]:
    """The demo's name parts and people, and words where the orders used to part (آ/ا, hamza, half-space)."""
    words = set(EDGE_WORDS)
    for value in vars(demo_names).values():
        if isinstance(value, tuple | list) and value and all(isinstance(v, str) for v in value):
            words.update(clean(v) for v in value)
    return sorted(w for w in words if w)


def test_sort_key_follows_icu_fa_order_on_a_word_list():
    words = _word_list()
    assert len(words) > 200
    icu = _icu_sorted(words)
    wrong = [(a, b) for a, b in itertools.pairwise(icu) if persian_sort_key(a) > persian_sort_key(b)]
    assert wrong == []
    # and the key's own order is ICU's, up to ties (what ICU tells apart only by a hamza form or a haraka)
    by_key = sorted(words, key=persian_sort_key)
    assert [persian_sort_key(w) for w in by_key] == [persian_sort_key(w) for w in icu]


def test_the_places_the_old_key_got_wrong():
    order = ["آب", "آزاد", "اب", "ابر", "تابان", "تاج", "تئاتر", "توان"]
    shuffled = ["توان", "اب", "تئاتر", "آزاد", "تاج", "ابر", "آب", "تابان"]
    assert sorted(shuffled, key=persian_sort_key) == order
    assert _icu_sorted(shuffled) == order
    assert persian_sort_key("تأثیر") == persian_sort_key("تءثیر")  # أ sorts in the hamza's place
    assert persian_sort_key(f"کتاب{ZWNJ}خانه") == persian_sort_key("کتابخانه")  # a half-space is not counted
    assert persian_sort_key("کتاب زرد") < persian_sort_key("کتابخانه")  # a space is
    assert persian_sort_key("یاس") < persian_sort_key("abc")  # Persian before Latin, as fa's order has it
    assert persian_sort_key("انجمن (الف)") < persian_sort_key("انجمن 2") < persian_sort_key("انجمن آ")
