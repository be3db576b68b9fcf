"""Inspection rules without a database: answer types, parsing an answer, failed items, the score and the result.

A checklist item is answered by its type: yes / no / not applicable (``yes_no``), a whole score 0..max
(``score``, or not applicable), a number, or text. Answers are stored parsed: ``"yes"``, ``"no"``, ``"na"``,
an int, a number, a string. A «خیر» fails its item, a score below half of its maximum fails it; numbers and
text never fail (they record a measurement or a remark). Not applicable (and unanswered) never fails and is
left out of the score. The score is the weighted share of points of the yes/no and score items answered;
any failed critical item makes the visit «تخلف جدی», a score under the template's pass score «نیازمند اصلاح».

A visit's answers are stored (``Inspection.answers``) as a compact JSON array aligned with its frozen
checklist version's items in position order, ``null`` for an unanswered item (``encode_answers`` /
``decode_answers``): a version's items never change once it is active, so the positions are stable.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from fractions import Fraction
from typing import Any, Protocol

from ostandari_desk.domain.text import clean, digits_to_latin, format_number, normalize, to_persian_digits


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    SCORE = "score"
    NUMBER = "number"
    TEXT = "text"


ANSWER_TYPE_LABELS: dict[str, str] = {
    AnswerType.YES_NO: "بله / خیر / مورد ندارد",
    AnswerType.SCORE: "امتیاز",
    AnswerType.NUMBER: "عدد",
    AnswerType.TEXT: "متن",
}


class Result(StrEnum):
    GOOD = "good"
    NEEDS_FIX = "needs_fix"
    SERIOUS = "serious"

    @property
    def label(self) -> str:
        return RESULT_LABELS[self]


RESULT_LABELS: dict[str, str] = {
    Result.GOOD: "مطلوب",
    Result.NEEDS_FIX: "نیازمند اصلاح",
    Result.SERIOUS: "تخلف جدی",
}

# keyed by Inspection.announced
VISIT_KIND_LABELS: dict[bool, str] = {False: "سرزده", True: "اعلام‌شده"}

SEVERITY_LABELS: dict[str, str] = {"minor": "جزئی", "major": "عمده", "critical": "بحرانی"}
SEVERITIES = tuple(SEVERITY_LABELS)

YES, NO, NOT_APPLICABLE = "yes", "no", "na"
ANSWER_LABELS: dict[str, str] = {YES: "بله", NO: "خیر", NOT_APPLICABLE: "مورد ندارد"}

_YES_WORDS = frozenset({"yes", "y", "true", "1", "بله", "بلی", "آری", "اری", "دارد", "✓", "✔"})
_NO_WORDS = frozenset({"no", "n", "false", "0", "خیر", "نه", "ندارد", "✗", "✘"})
_NA_WORDS = frozenset({"na", "n/a", "-", "مورد ندارد", "موردندارد", "غیر قابل اعمال", "نامربوط"})
TEXT_MAX = 1000
_TIME = re.compile(r"(\d{1,2})\s*[:٫.]\s*(\d{2})")


class ItemLike(Protocol):
    """What the rules read of a checklist item (store.models.ChecklistItem, or a frozen row)."""

    id: str
    answer_type: str
    max_score: int
    weight: int
    critical: bool


class ChecklistItemLike(ItemLike, Protocol):
    """An item with its place and wording (services' ChecklistItemRow, a visit's AnswerLine)."""

    position: int
    text: str


def _parse_result_words() -> dict[str, Result]:
    return {normalize(label): Result(key) for key, label in RESULT_LABELS.items()}


def parse_result(raw: str) -> Result:
    """«مطلوب» / «نیازمند اصلاح» / «تخلف جدی» (or the English keys) as a Result; ValueError (Persian) else."""
    key = normalize(raw)
    words = _parse_result_words()
    if key in words:
        return words[key]
    if key in Result._value2member_map_:
        return Result(key)
    raise ValueError(f"نتیجه «{clean(raw)}» پذیرفته نیست؛ یکی از مطلوب، نیازمند اصلاح یا تخلف جدی را بنویسید")


def parse_visit_kind(raw: str) -> bool:
    """«سرزده» → False, «اعلام‌شده» → True (Inspection.announced); ValueError (Persian) otherwise."""
    key = normalize(raw).replace(" ", "")
    for announced, label in VISIT_KIND_LABELS.items():
        if key == normalize(label).replace(" ", ""):
            return announced
    raise ValueError(f"نوع بازدید «{clean(raw)}» پذیرفته نیست؛ سرزده یا اعلام‌شده بنویسید")


def parse_time(raw: str) -> time | None:
    """``HH:MM`` (24-hour; Persian digits too) as a time; empty gives None; ValueError (Persian) otherwise."""
    key = digits_to_latin(clean(raw or ""))
    if not key:
        return None
    match = _TIME.fullmatch(key)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"ساعت «{clean(raw)}» درست نیست؛ آن را به شکل ۱۰:۳۰ (۲۴ ساعته) بنویسید")


def _as_text(raw: Any) -> str:
    if raw is None or isinstance(raw, bool):
        return "" if raw is None else (YES if raw else NO)
    return clean(digits_to_latin(str(raw)))


def parse_answer(item: ItemLike, raw: Any) -> Any:
    """The stored form of an answer typed (or imported) for ``item``; None when it is left empty.

    Raises:
        ValueError: a Persian reason (the caller names the item).
    """
    shown = _as_text(raw)
    if not shown:
        return None
    key = normalize(shown)
    kind = item.answer_type
    if kind == AnswerType.YES_NO:
        if key in _YES_WORDS:
            return YES
        if key in _NO_WORDS:
            return NO
        if key in _NA_WORDS:
            return NOT_APPLICABLE
        raise ValueError(f"پاسخ «{shown}» پذیرفته نیست؛ بله، خیر یا مورد ندارد")
    if kind == AnswerType.SCORE:
        if key in _NA_WORDS:
            return NOT_APPLICABLE
        top = to_persian_digits(item.max_score)
        if not re.fullmatch(r"\d+", key):
            raise ValueError(f"امتیاز «{shown}» عدد درستی نیست؛ عددی از ۰ تا {top}")
        value = int(key)
        if value > item.max_score:
            raise ValueError(f"امتیاز {to_persian_digits(value)} بیش از بیشینه {top} است")
        return value
    if kind == AnswerType.NUMBER:
        number = key.replace("٫", ".").replace("/", ".").replace(",", "").replace("٬", "")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"«{shown}» عدد نیست") from None
        if not math.isfinite(value):
            raise ValueError(f"«{shown}» عدد نیست")
        return int(value) if value.is_integer() else value
    if kind == AnswerType.TEXT:
        if len(shown) > TEXT_MAX:
            raise ValueError(f"پاسخ بیش از {to_persian_digits(TEXT_MAX)} نویسه است")
        return shown
    raise ValueError(f"نوع پاسخ «{kind}» شناخته نیست")


def item_failed(item: ItemLike, value: Any) -> bool:
    """Whether ``value`` (parsed) fails ``item``: «خیر», or a score below half of the maximum."""
    if item.answer_type == AnswerType.YES_NO:
        return value == NO
    if item.answer_type == AnswerType.SCORE:
        return isinstance(value, int) and not isinstance(value, bool) and value * 2 < item.max_score
    return False


def _points(item: ItemLike, value: Any) -> tuple[Fraction, int] | None:
    """(earned, possible) weighted points of one answer, or None when it does not count."""
    weight = max(0, int(item.weight))
    if item.answer_type == AnswerType.YES_NO and value in (YES, NO):
        return Fraction(weight if value == YES else 0), weight
    if (
        item.answer_type == AnswerType.SCORE
        and isinstance(value, int)
        and not isinstance(value, bool)
        and item.max_score > 0
    ):
        return Fraction(weight * value, item.max_score), weight
    return None


def score_percent(items: Iterable[ItemLike], answers: Mapping[str, Any]) -> int | None:
    """The weighted % of points of the answered yes/no and score items (half up); None when none counts."""
    earned, possible = Fraction(0), 0
    for item in items:
        points = _points(item, answers.get(item.id))
        if points is not None:
            earned += points[0]
            possible += points[1]
    if possible == 0:
        return None
    return math.floor(earned * 100 / possible + Fraction(1, 2))


def result_for(score: int | None, failed_critical: bool, pass_score: int) -> Result:
    """Any failed critical item: serious; a score under ``pass_score``: needs fixing; else good."""
    if failed_critical:
        return Result.SERIOUS
    if score is not None and score < pass_score:
        return Result.NEEDS_FIX
    return Result.GOOD


@dataclass(frozen=True)
class Evaluation:
    score: int | None
    result: Result
    failed: tuple[str, ...]  # ids of the failed items, in the order given


def evaluate(items: Iterable[ItemLike], answers: Mapping[str, Any], pass_score: int) -> Evaluation:
    """Score, result and failed items of parsed ``answers`` against ``items``."""
    items = list(items)
    failed = [i for i in items if item_failed(i, answers.get(i.id))]
    score = score_percent(items, answers)
    return Evaluation(
        score, result_for(score, any(i.critical for i in failed), pass_score), tuple(i.id for i in failed)
    )


def answer_text(item: ItemLike, value: Any) -> str:
    """A stored answer as the screen and the paper show it (Persian digits)."""
    if value is None:
        return ""
    if value in ANSWER_LABELS:
        return ANSWER_LABELS[value]
    if item.answer_type == AnswerType.SCORE and isinstance(value, int):
        return f"{to_persian_digits(value)} از {to_persian_digits(item.max_score)}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, 0 if float(value).is_integer() else 2)
    return str(value)


def finding_severity(item: ItemLike) -> str:
    """The severity of the finding a failed item makes: critical items «بحرانی», weight ≥ 2 «عمده»."""
    if item.critical:
        return "critical"
    return "major" if item.weight >= 2 else "minor"


def failed_item_finding(item: ChecklistItemLike, value: Any) -> str:
    """The text of the finding a failed item makes: what failed, not the item's own (positive) wording,
    e.g. «… — پاسخ: خیر» or «… — امتیاز ۱ از ۵» (Persian digits)."""
    body = clean(item.text)
    if value is None:
        return body
    if item.answer_type == AnswerType.SCORE and isinstance(value, int) and not isinstance(value, bool):
        return f"{body} — امتیاز {answer_text(item, value)}"
    return f"{body} — پاسخ: {answer_text(item, value)}"


# --- stored answers -------------------------------------------------------------------------------------


class AnswersMismatchError(ValueError):
    """Stored answers that do not fit the visit's checklist version (never guessed at)."""


def _in_order(items: Iterable[ChecklistItemLike]) -> list[ChecklistItemLike]:
    return sorted(items, key=lambda i: (i.position, i.id))


def encode_answers(items: Iterable[ChecklistItemLike], answers: Mapping[str, Any]) -> str:
    """``Inspection.answers`` of parsed ``answers`` {item id: value}: a JSON array of the values of
    ``items`` in position order (``null`` = unanswered), without spaces; "" when nothing is answered.

    Raises:
        ValueError: an answer to an item not in ``items``.
    """
    ordered = _in_order(items)
    known = {i.id for i in ordered}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise ValueError(f"answer to an item not in the checklist: {unknown[0]}")
    values = [answers.get(i.id) for i in ordered]
    if all(v is None for v in values):
        return ""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def decode_answers(items: Sequence[ChecklistItemLike], stored: str | None) -> dict[str, Any]:
    """The parsed answers {item id: value} (unanswered items left out) of a stored ``Inspection.answers``.

    Raises:
        AnswersMismatchError: (Persian) the stored value is not a JSON array of one value per item.
    """
    if not stored:
        return {}
    ordered = _in_order(items)
    try:
        values = json.loads(stored)
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != len(ordered):
        count = len(values) if isinstance(values, list) else 0
        raise AnswersMismatchError(
            f"پاسخ‌های ثبت‌شده این بازدید ({to_persian_digits(count)} پاسخ) با بندهای چک‌لیست آن "
            f"({to_persian_digits(len(ordered))} بند) جور نیست و خوانده نشد"
        )
    return {item.id: value for item, value in zip(ordered, values, strict=True) if value is not None}
