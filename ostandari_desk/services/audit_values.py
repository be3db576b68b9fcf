"""Persian names of the coded values the audit trail keeps (a case's state, a step's kind, a role), for
the history tab, the admin's audit view and the audit export alike."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _value_labels() -> dict[tuple[str, str], dict[str, str]]:
    """(table, field) -> {code: label}; ("", field) for a field that means the same in every table.

    Imported lazily: the services that own these labels themselves import services.audit.
    """
    from ostandari_desk.domain import lifecycle as lc
    from ostandari_desk.domain.roles import ROLE_LABELS
    from ostandari_desk.services import events, letters, reference
    from ostandari_desk.services.licences.rows import ANSWER_LABELS
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
    }


def coded_value_label(value: str, table: str = "", field: str = "") -> str | None:
    """The Persian name of ``value`` when it is a code of ``table``'s ``field``; None otherwise."""
    labels = _value_labels()
    return labels.get((table, field), labels.get(("", field), {})).get(value)


def readable_value(value: str, table: str = "", field: str = "") -> str:
    """``value`` by its Persian name when it is a code, else as it is."""
    named = coded_value_label(value, table, field)
    return value if named is None else named
