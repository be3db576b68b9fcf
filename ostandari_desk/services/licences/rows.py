"""Frozen rows the licence services hand to the GUI, the CLI and the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PROVINCE_LABEL = "استان"  # shown where county_id is None (the province itself)

ANSWER_LABELS = {"favourable": "پاسخ مثبت", "unfavourable": "پاسخ منفی"}


@dataclass(frozen=True)
class CaseSummary:
    id: str
    case_type: str
    case_type_label: str
    tracking_no: str
    received_on: date
    state: str
    state_label: str


@dataclass(frozen=True)
class NgoActions:
    """What the clerk may do now on one NGO's licence (the GUI shows only these)."""

    licence_state: str
    licence_state_label: str
    level: str
    case_types_allowed: tuple[str, ...]
    direct_steps_allowed: tuple[str, ...]
    open_case: CaseSummary | None
    case_actions: tuple[str, ...]


@dataclass(frozen=True)
class InquiryInfo:
    id: str
    agency: str
    agency_label: str
    letter_no: str
    sent_on: date
    due_on: date
    answered_on: date | None
    answer: str | None
    answer_label: str
    note: str
    overdue: bool


@dataclass(frozen=True)
class CaseDetail:
    id: str
    ngo_id: str
    ngo_name: str
    county_id: str | None
    case_type: str
    case_type_label: str
    tracking_no: str
    received_on: date
    state: str
    state_label: str
    decision: str | None
    decided_on: date | None
    meeting_on: date | None
    legal_basis: str
    note: str
    inquiries: tuple[InquiryInfo, ...]
    all_inquiries_answered: bool
    actions: tuple[str, ...]
    licence_id: str | None = None  # the licence the completed case produced, if any
    row_version: int = 1
    missing_agencies: tuple[str, ...] = ()  # of the four, never asked (Agency values)
    unfavourable_agencies: tuple[str, ...] = ()  # labels of the agencies that answered unfavourably
    overridden: bool = False  # a manager overrode the unfavourable answers
    needs_override: bool = False  # an approval now needs the manager's written override reason
    approval_refusal: str = ""  # why the council may not approve now, whatever it writes (Persian)


@dataclass(frozen=True)
class LicenceInfo:
    """One licence of an NGO (current or past)."""

    id: str
    number: str
    level: str
    issued_on: date
    expires_on: date
    validity_years: int
    state: str
    renewed_from_id: str | None


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    on_date: date
    kind: str
    label: str
    detail: str
    clerk: str
    case_id: str | None = None
    licence_id: str | None = None


@dataclass(frozen=True)
class LicenceRow:
    licence_id: str
    ngo_id: str
    ngo_name: str
    county_name: str
    number: str
    level: str
    issued_on: date
    expires_on: date
    days_left: int  # negative once expired


@dataclass(frozen=True)
class InquiryRow:
    inquiry_id: str
    case_id: str
    ngo_id: str
    ngo_name: str
    county_name: str
    tracking_no: str
    agency: str
    agency_label: str
    letter_no: str
    sent_on: date
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class DeskCounts:
    expiring: int
    expired: int
    overdue_inquiries: int
    open_cases: int
    ngos_active: int
