"""What a licence step's form starts from and warns about, and who issues (and signs) a licence.

The rules live in domain.lifecycle and settings; the dialogs and the papers ask these functions instead
of restating them: an upgrade issues a provincial licence, a renewal carries on its licence's number, a
new licence is valid for the settings' years of its level, a renewal asked long before the expiring window
(setting ``expiring_window_days``) is early, and a licence is signed by the authority of its level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import (
    LEVEL_LABELS,
    CaseType,
    Level,
    issues_licence,
    keeps_licence_number,
    licence_level_after,
    renewal_days_early,
)
from ostandari_desk.services.letter_numbers import next_letter_number
from ostandari_desk.services.licences.cases import load_case
from ostandari_desk.services.licences.steps import current_licence, load_ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "CompletionForm",
    "case_warnings",
    "completion_form",
    "issuing_authority",
    "next_step_letter_number",
]


@dataclass(frozen=True)
class CompletionForm:
    """What the form that completes an approved case starts from."""

    case_type: str
    issues_licence: bool  # False: a conformity, recorded without a new licence
    level: str  # the level of the licence it issues
    level_label: str
    licence_number: str  # proposed: the current licence's for a renewal, else "" (typed)
    validity_years: int  # the settings' years for that level


def completion_form(uow: UnitOfWork, case_id: str) -> CompletionForm:
    """The starting values of the completion form of ``case_id`` (see CompletionForm)."""
    with uow:
        case = load_case(uow, case_id)
        ngo = load_ngo(uow, case.ngo_id)
        level = licence_level_after(case.case_type, ngo.level)
        number = ""
        if keeps_licence_number(case.case_type):
            current = current_licence(uow, ngo.id)
            number = current.number if current is not None else ""
        return CompletionForm(
            case_type=case.case_type,
            issues_licence=issues_licence(case.case_type),
            level=level.value,
            level_label=LEVEL_LABELS[level],
            licence_number=number,
            validity_years=int(settings.validity_years_for(uow, level.value)),
        )


def case_warnings(uow: UnitOfWork, ngo_id: str, case_type: CaseType | str, received_on: date) -> list[str]:
    """What the clerk should confirm before opening a case (Persian; [] when nothing).

    A renewal asked before the expiring window (``expiring_window_days`` before the licence expires, the
    same window the desk's expiring list uses) warns: the licence may have been issued that very day.
    """
    if CaseType(case_type) != CaseType.RENEWAL:
        return []
    with uow:
        current = current_licence(uow, ngo_id)
        if current is None or current.state != "valid":
            return []
        number, issued_on, expires_on = current.number, current.issued_on, current.expires_on
        window = int(settings.get_setting(uow, "expiring_window_days"))
    if not renewal_days_early(expires_on, received_on, window):
        return []
    left = (expires_on - received_on).days
    issued = "امروز" if issued_on == received_on else f"در {jalali.format_jalali(issued_on)}"
    return [
        text.protect_hyphenated_numbers(
            f"پروانه شماره {text.to_persian_digits(number)} {issued} صادر شده و تا "
            f"{jalali.format_jalali(expires_on)} ({text.format_number(left)} روز دیگر) اعتبار دارد؛ "
            f"تمدید از {text.format_number(window)} روز پیش از انقضا آغاز می‌شود."
        )
    ]


def next_step_letter_number(uow: UnitOfWork, ngo_id: str, on: date) -> str:
    """The number a sanction's letter would take next: the outgoing series of the NGO's county (or the
    province's) for the Jalali year of ``on``, where the step files it."""
    with uow:
        ngo = load_ngo(uow, ngo_id)
        return next_letter_number(uow, "outgoing", jalali.jalali_year_of(on), ngo.county_id)


def issuing_authority(
    level: Level | str, county_name: str | None, province_name: str = ""
) -> tuple[str, str]:
    """(office, title of its head) that issues, and signs, a licence of ``level``.

    A county-level licence is the county governorate's (فرمانداری شهرستان …, signed by its فرماندار); a
    provincial one the governorate-general's (استانداری …, استاندار); a national one the Ministry of the
    Interior's. A county-level licence of an NGO of the province itself (no county) is the province's.

    >>> issuing_authority("county", "آبیک")
    ('فرمانداری شهرستان آبیک', 'فرماندار شهرستان آبیک')
    """
    level = Level(level)
    county = text.clean(county_name or "")
    province = text.clean(province_name or "")
    if level == Level.NATIONAL:
        return "وزارت کشور", "وزیر کشور"
    if level == Level.COUNTY and county:
        return f"فرمانداری شهرستان {county}", f"فرماندار شهرستان {county}"
    office = f"استانداری {province}" if province else "استانداری"
    title = f"استاندار {province}" if province else "استاندار"
    return office, title
