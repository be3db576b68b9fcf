"""Persian names of the coded values the audit trail keeps (a case's state, a step's kind, a role), for
the history tab, the admin's audit view and the audit export alike; money fields (a memorandum's amount, a
tranche, an office's budget) in rials with separators; and a visit's checklist answers (a compact array in
item order) told item by item («بند ۲: بله ← خیر»)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _value_labels() -> dict[tuple[str, str], dict[str, str]]:
    """(table, field) -> {code: label}; ("", field) for a field that means the same in every table.

    Imported lazily: the services that own these labels themselves import services.audit.
    """
    from ostandari_desk.domain import inspections as insp
    from ostandari_desk.domain import lifecycle as lc
    from ostandari_desk.domain import memoranda as memo
    from ostandari_desk.domain.roles import ROLE_LABELS
    from ostandari_desk.services import events, letters, reference
    from ostandari_desk.services.inspections.templates import STATE_LABELS as TEMPLATE_STATE_LABELS
    from ostandari_desk.services.licences.rows import ANSWER_LABELS
    from ostandari_desk.services.memoranda.offices import STATE_LABELS as OFFICE_STATE_LABELS
    from ostandari_desk.services.ngos.rows import ROLE_LABELS as BOARD_ROLE_LABELS
    from ostandari_desk.services.ngos.rows import STATUS_LABELS

    def codes(labels) -> dict[str, str]:
        return {str(code): label for code, label in labels.items()}

    return {
        ("", "level"): codes(lc.LEVEL_LABELS),
        ("", "licence_state"): codes(lc.LICENCE_STATE_LABELS),
        ("", "case_type"): codes(lc.CASE_TYPE_LABELS),
        ("", "agency"): codes(lc.AGENCY_LABELS),
        ("", "answer"): codes(ANSWER_LABELS),
        ("", "direction"): codes(letters.DIRECTION_LABELS),
        ("", "decision"): {"approved": "موافقت", "rejected": "مخالفت"},
        ("ngo", "status"): codes(STATUS_LABELS),
        ("licencecase", "state"): codes(lc.CASE_STATE_LABELS),
        ("licence", "state"): {
            "valid": "معتبر",
            "suspended": "تعلیق",
            "revoked": "لغو شده",
            "renewed": "تمدیدشده",
        },
        ("licencestep", "kind"): codes(lc.STEP_LABELS),
        ("event", "kind"): codes(events.KIND_LABELS),
        ("letter", "kind"): codes(letters.KIND_LABELS),
        ("referenceitem", "kind"): codes(reference.KIND_LABELS),
        ("boardmember", "role"): codes(BOARD_ROLE_LABELS),
        ("user", "role"): codes(ROLE_LABELS),
        ("inspection", "result"): codes(insp.RESULT_LABELS),
        ("inspection", "computed_result"): codes(insp.RESULT_LABELS),
        ("inspection", "state"): {"open": "باز", "closed": "بسته (فقط‌خواندنی)"},
        ("finding", "severity"): codes(insp.SEVERITY_LABELS),
        ("checklistitem", "answer_type"): codes(insp.ANSWER_TYPE_LABELS),
        ("checklisttemplate", "state"): codes(TEMPLATE_STATE_LABELS),
        ("memorandum", "party_kind"): codes(memo.PARTY_LABELS),
        ("memorandum", "state"): codes(memo.STATE_LABELS),
        ("facilitationoffice", "state"): codes(OFFICE_STATE_LABELS),
    }


#: (table, field) of whole rials: shown with separators and «ریال» (the trail keeps the bare digits)
MONEY_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("memorandum", "amount"),
        ("memorandum", "paid_total"),
        ("payment", "amount"),
        ("facilitationoffice", "budget"),
    }
)
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _money_text(value: str) -> str | None:
    """«۱٬۵۰۰٬۰۰۰ ریال» for a whole number written in any digits; None for anything else."""
    from ostandari_desk.domain.text import format_rials

    digits = value.strip().translate(_DIGITS)
    body = digits.removeprefix("-")
    if not body.isascii() or not body.isdigit():
        return None
    return format_rials(int(digits))


def coded_value_label(value: str, table: str = "", field: str = "") -> str | None:
    """The Persian name of ``value`` when it is a code of ``table``'s ``field`` (a money field's amount in
    rials with separators); None otherwise."""
    if (table, field) in MONEY_FIELDS:
        return _money_text(value)
    labels = _value_labels()
    return labels.get((table, field), labels.get(("", field), {})).get(value)


def readable_value(value: str, table: str = "", field: str = "") -> str:
    """``value`` by its Persian name when it is a code, else as it is."""
    named = coded_value_label(value, table, field)
    return value if named is None else named


UNANSWERED = "—"


def stored_answers(items: Sequence[Any], stored: object) -> dict[str, Any] | None:
    """The answers {item id: value} of a stored ``Inspection.answers`` against the visit's ``items``
    (the compact array; an older {item id: value} object is read as it is); None when they do not fit."""
    from ostandari_desk.domain.inspections import AnswersMismatchError, decode_answers

    if stored is None or stored == "":
        return {}
    if not isinstance(stored, str):
        return None
    try:
        return decode_answers(items, stored)
    except AnswersMismatchError:
        try:
            values = json.loads(stored)
        except ValueError:
            return None
        if isinstance(values, dict) and all(key in {i.id for i in items} for key in values):
            return {k: v for k, v in values.items() if v is not None}
        return None


def answer_changes_text(items: Sequence[Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """The changed items only, in checklist order: «بند ۲: بله ← خیر؛ بند ۵: — ← ۳ از ۵»; an item answered
    for the first time (a new visit) as «بند ۱: بله». "" when nothing changed."""
    from ostandari_desk.domain.inspections import answer_text
    from ostandari_desk.domain.text import to_persian_digits

    parts = []
    first = not before
    for item in sorted(items, key=lambda i: (i.position, i.id)):
        old, new = before.get(item.id), after.get(item.id)
        if old == new:
            continue
        where = f"بند {to_persian_digits(item.position)}"
        new_text = answer_text(item, new) if new is not None else UNANSWERED
        if first:
            parts.append(f"{where}: {new_text}")
        else:
            old_text = answer_text(item, old) if old is not None else UNANSWERED
            parts.append(f"{where}: {old_text} ← {new_text}")
    return "؛ ".join(parts)
