"""Inspection rules: parsing answers, failed items, the weighted score and the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest

from ostandari_desk.domain.inspections import (
    NO,
    NOT_APPLICABLE,
    YES,
    AnswersMismatchError,
    Result,
    answer_text,
    decode_answers,
    encode_answers,
    evaluate,
    failed_item_finding,
    finding_severity,
    item_failed,
    parse_answer,
    parse_result,
    parse_time,
    parse_visit_kind,
    result_for,
    score_percent,
)


@dataclass(frozen=True)
class Item:
    id: str
    answer_type: str
    max_score: int = 0
    weight: int = 1
    critical: bool = False


YN = Item("a", "yes_no")
SCORE = Item("b", "score", max_score=5, weight=2)
NUMBER = Item("c", "number")
TEXT = Item("d", "text")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("بله", YES),
        ("آری", YES),
        ("yes", YES),
        (True, YES),
        ("خیر", NO),
        ("نه", NO),
        ("0", NO),
        ("مورد ندارد", NOT_APPLICABLE),
        ("مورد\u200cندارد", NOT_APPLICABLE),
        ("", None),
        (None, None),
    ],
)
def test_yes_no_answers(raw, value):
    assert parse_answer(YN, raw) == value


@pytest.mark.parametrize(("raw", "value"), [("۳", 3), ("0", 0), (5, 5), ("na", NOT_APPLICABLE)])
def test_score_answers(raw, value):
    assert parse_answer(SCORE, raw) == value


@pytest.mark.parametrize("raw", ["6", "-1", "۲٫۵", "خوب"])
def test_score_answers_out_of_range_or_not_whole_are_refused(raw):
    with pytest.raises(ValueError, match="امتیاز"):
        parse_answer(SCORE, raw)


def test_yes_no_refuses_other_words_in_persian():
    with pytest.raises(ValueError, match="بله، خیر یا مورد ندارد"):
        parse_answer(YN, "شاید")


def test_number_and_text_answers():
    assert parse_answer(NUMBER, "۴٫۵") == 4.5
    assert parse_answer(NUMBER, "12") == 12
    with pytest.raises(ValueError, match="عدد نیست"):
        parse_answer(NUMBER, "سرد")
    with pytest.raises(ValueError):
        parse_answer(NUMBER, "inf")
    assert parse_answer(TEXT, "  در  انبار ") == "در انبار"
    with pytest.raises(ValueError):
        parse_answer(TEXT, "x" * 1001)


def test_failed_items():
    assert item_failed(YN, NO) and not item_failed(YN, YES) and not item_failed(YN, NOT_APPLICABLE)
    assert item_failed(SCORE, 2) and not item_failed(SCORE, 3)  # below half of 5 fails; 2.5 is the line
    assert not item_failed(Item("e", "score", max_score=4), 2)  # exactly half passes
    assert not item_failed(SCORE, NOT_APPLICABLE) and not item_failed(SCORE, None)
    assert not item_failed(NUMBER, 0) and not item_failed(TEXT, "خیر")


def test_score_is_weighted_and_leaves_out_not_applicable():
    items = [YN, SCORE, NUMBER, TEXT, Item("f", "yes_no", weight=3)]
    # yes (1 of 1) + 3/5 of 2 + «no» on weight 3 = 1 + 1.2 + 0 out of 6 = 36.7 %
    assert score_percent(items, {"a": YES, "b": 3, "c": 7, "d": "x", "f": NO}) == 37
    # «f» not applicable: 2.2 of 3 = 73.3 %
    assert score_percent(items, {"a": YES, "b": 3, "f": NOT_APPLICABLE}) == 73
    assert score_percent(items, {"c": 1, "f": NOT_APPLICABLE}) is None
    assert score_percent([YN, Item("g", "yes_no")], {"a": YES, "g": NO}) == 50
    assert score_percent([Item("h", "score", max_score=8)], {"h": 7}) == 88  # 87.5 rounds half up


def test_result_rules():
    assert result_for(100, True, 80) is Result.SERIOUS
    assert result_for(79, False, 80) is Result.NEEDS_FIX
    assert result_for(80, False, 80) is Result.GOOD
    assert result_for(None, False, 80) is Result.GOOD
    assert Result.NEEDS_FIX.label == "نیازمند اصلاح"


def test_evaluate_names_failed_items_and_a_failed_critical_is_serious():
    critical = Item("k", "yes_no", critical=True)
    outcome = evaluate([YN, critical, SCORE], {"a": YES, "k": NO, "b": 5}, 50)
    assert outcome.failed == ("k",)
    assert outcome.result is Result.SERIOUS
    assert finding_severity(critical) == "critical"
    assert finding_severity(SCORE) == "major" and finding_severity(YN) == "minor"


def test_visit_kind_time_and_result_words():
    assert parse_visit_kind("سرزده") is False
    assert parse_visit_kind("اعلام شده") is True
    with pytest.raises(ValueError, match="سرزده یا اعلام‌شده"):
        parse_visit_kind("تلفنی")
    assert parse_time("۱۰:۳۰") == time(10, 30)
    assert parse_time("") is None
    for bad in ("25:00", "10:60", "ده", "10"):
        with pytest.raises(ValueError, match="ساعت"):
            parse_time(bad)
    assert parse_result("تخلف جدی") is Result.SERIOUS
    with pytest.raises(ValueError):
        parse_result("بد")


def test_answer_text_is_persian():
    assert answer_text(YN, NO) == "خیر"
    assert answer_text(SCORE, 3) == "۳ از ۵"
    assert answer_text(NUMBER, 4.5) == "۴٫۵۰"
    assert answer_text(TEXT, None) == ""


@dataclass(frozen=True)
class Row:
    id: str
    position: int
    answer_type: str
    text: str = "بند"
    max_score: int = 0
    weight: int = 1
    critical: bool = False


ROWS = (
    Row("i1", 1, "yes_no"),
    Row("i2", 2, "score", max_score=5),
    Row("i3", 3, "number"),
    Row("i4", 4, "text"),
    Row("i5", 5, "yes_no"),
)


def test_answers_are_stored_as_a_compact_array_in_position_order():
    answers = {"i5": NOT_APPLICABLE, "i1": YES, "i2": 3, "i3": 3.5, "i4": "دمای «سردخانه»"}
    stored = encode_answers(reversed(ROWS), answers)  # the order given does not matter: positions do
    assert stored == '["yes",3,3.5,"دمای «سردخانه»","na"]'
    assert decode_answers(ROWS, stored) == answers
    partial = encode_answers(ROWS, {"i2": 0})
    assert partial == "[null,0,null,null,null]"
    assert decode_answers(ROWS, partial) == {"i2": 0}  # 0 is an answer, null is not
    assert encode_answers(ROWS, {}) == "" and decode_answers(ROWS, "") == {}
    with pytest.raises(ValueError):
        encode_answers(ROWS, {"elsewhere": YES})


@pytest.mark.parametrize("stored", ['["yes",3]', '["yes",3,null,null,null,null]', '{"i1":"yes"}', "[bad"])
def test_stored_answers_that_do_not_fit_the_items_are_refused_not_guessed(stored):
    with pytest.raises(AnswersMismatchError) as err:
        decode_answers(ROWS, stored)
    assert "جور نیست" in str(err.value) and "۵ بند" in str(err.value)


def test_a_failed_items_finding_says_what_failed():
    wording = "ساعت‌های بانوان و آقایان جدا و رعایت می‌شود"
    yes_no = Row("a", 1, "yes_no", text=wording)
    score = Row("b", 2, "score", text="نظافت سالن", max_score=5)
    assert failed_item_finding(yes_no, NO) == f"{wording} — پاسخ: خیر"
    assert failed_item_finding(score, 1) == "نظافت سالن — امتیاز ۱ از ۵"
    assert failed_item_finding(score, 0) == "نظافت سالن — امتیاز ۰ از ۵"
    assert failed_item_finding(yes_no, None) == wording
