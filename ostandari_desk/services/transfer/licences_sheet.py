"""The «پروانه‌ها» sheet's columns and words, and the reading of one row's cells (``parse_row``).

A row is one step of an NGO's licence history (IMPORT_TEMPLATES.md): the action, its date, and the cells
that action needs (a request's case type, an inquiry's agency and result, a decision's meeting date and
legal basis, a licence's number and expiry, a sanction's letter number, legal basis and reason), each a row
error naming its column when missing or unreadable. The kind itself is ``licences``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ostandari_desk.domain import ids, text
from ostandari_desk.domain.lifecycle import SANCTIONS, Agency, CaseType, StepKind
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.transfer.sheets import Column, RowError, cell_date, cell_digits, cell_text

__all__ = [
    "ACTIONS",
    "AGENCY_WORDS",
    "CASE_TYPE_WORDS",
    "COLUMNS",
    "CREDENTIAL",
    "RESULT_WORDS",
    "Row",
    "action_label",
    "parse_row",
]

H_NATIONAL_ID = "شناسه ملی سمن"
H_ACTION = "اقدام"
H_DATE = "تاریخ"
H_CASE_TYPE = "نوع پرونده"
H_AGENCY = "مرجع استعلام"
H_RESULT = "نتیجه"
H_MEETING = "تاریخ جلسه"
H_BASIS = "مبنای قانونی"
H_LICENCE_NO = "شماره پروانه"
H_EXPIRES = "تاریخ انقضا"
H_LETTER_NO = "شماره نامه"
H_NOTE = "توضیحات"

COLUMNS = (
    Column(H_NATIONAL_ID, "national_id", True, max_length=40),
    Column(H_ACTION, "action", True, max_length=100),
    Column(H_DATE, "on_date", True, max_length=40),
    Column(H_CASE_TYPE, "case_type", max_length=100),
    Column(H_AGENCY, "agency", max_length=100),
    Column(H_RESULT, "result", max_length=40),
    Column(H_MEETING, "meeting_on", max_length=40),
    Column(H_BASIS, "legal_basis", max_length=500),
    Column(H_LICENCE_NO, "licence_number", max_length=60),
    Column(H_EXPIRES, "expires_on", max_length=40),
    Column(H_LETTER_NO, "letter_no", max_length=60),
    Column(H_NOTE, "note", max_length=2000),
)

# A credential (اعتبارنامه), counted apart from licences: the lifecycle's CREDENTIAL step (a Licence row whose
# issuing step says «صدور اعتبارنامه»). Looked up so that an older lifecycle without it reads it as an issue.
CREDENTIAL: StepKind | None = getattr(StepKind, "CREDENTIAL", None)

# The sheet's words (IMPORT_TEMPLATES.md): action -> (step, the case type a council decision is of).
ACTIONS: dict[str, tuple[StepKind, CaseType | None]] = {
    "درخواست": (StepKind.REQUEST, None),
    "بررسی مدارک": (StepKind.DOCUMENTS, None),
    "ارسال استعلام": (StepKind.INQUIRY_SENT, None),
    "پاسخ استعلام": (StepKind.INQUIRY_ANSWERED, None),
    "عدول از پاسخ منفی استعلام": (StepKind.INQUIRY_OVERRIDE, None),
    "موافقت با تأسیس": (StepKind.APPROVAL, CaseType.ESTABLISHMENT),
    "موافقت با تمدید": (StepKind.APPROVAL, CaseType.RENEWAL),
    "موافقت با ارتقا": (StepKind.APPROVAL, CaseType.UPGRADE),
    "موافقت با تطبیق": (StepKind.APPROVAL, CaseType.CONFORMITY),
    "رد درخواست": (StepKind.REJECTION, None),
    "صدور پروانه": (StepKind.ISSUE, None),
    "صدور اعتبارنامه": (CREDENTIAL or StepKind.ISSUE, None),
    "تمدید پروانه": (StepKind.RENEWAL, None),
    "ارتقای سطح": (StepKind.UPGRADE, None),
    "تطبیق": (StepKind.CONFORMITY, None),
    "مختومه شدن پرونده": (StepKind.WITHDRAWAL, None),
    "تذکر": (StepKind.NOTICE, None),
    "اخطار کتبی": (StepKind.WRITTEN_WARNING, None),
    "تعلیق": (StepKind.SUSPENSION, None),
    "رفع تعلیق": (StepKind.LIFTING, None),
    "لغو": (StepKind.REVOCATION, None),
    "درخواست انحلال": (StepKind.DISSOLUTION_REQUEST, None),
}
# Other words a clerk's sheet (or an older export) may use for the same steps.
_ALIASES: dict[str, tuple[StepKind, CaseType | None]] = {
    "دریافت درخواست": (StepKind.REQUEST, None),
    "موافقت شورا": (StepKind.APPROVAL, None),  # the case type from «نوع پرونده», else the open case's
    "مخالفت شورا": (StepKind.REJECTION, None),
    "توقیف پروانه": (StepKind.REVOCATION, None),  # the ladder's name of the revocation
    "لغو پروانه": (StepKind.REVOCATION, None),
    "تعلیق پروانه": (StepKind.SUSPENSION, None),
    "ارتقا": (StepKind.UPGRADE, None),
}
CASE_TYPE_WORDS: dict[CaseType, str] = {
    CaseType.ESTABLISHMENT: "تأسیس",
    CaseType.RENEWAL: "تمدید",
    CaseType.UPGRADE: "ارتقا",
    CaseType.CONFORMITY: "تطبیق",
}
AGENCY_WORDS: dict[Agency, str] = {
    Agency.JUDICIARY: "قضایی",
    Agency.INTELLIGENCE: "اطلاعات",
    Agency.POLICE: "انتظامی",
    Agency.SPECIALIST: "تخصصی",
}
RESULT_WORDS = {"favourable": "مثبت", "unfavourable": "منفی"}

# Which cells each step needs (beyond the NGO, the action and the date).
ISSUING = (StepKind.ISSUE, StepKind.RENEWAL, StepKind.UPGRADE, *((CREDENTIAL,) if CREDENTIAL else ()))
DECISIONS = (StepKind.APPROVAL, StepKind.REJECTION)
LADDER = tuple(SANCTIONS)  # تذکر، اخطار کتبی، تعلیق، توقیف پروانه (لغو)، درخواست انحلال
# The steps whose «توضیحات» is their reason (required), not a note.
REASONED = (*LADDER, StepKind.INQUIRY_OVERRIDE, StepKind.WITHDRAWAL)


def _key(value: str) -> str:
    return text.normalize(value).replace(" ", "")


_ACTION_KEYS = {_key(word): found for word, found in {**ACTIONS, **_ALIASES}.items()}
_CASE_TYPE_KEYS = {_key(word): kind for kind, word in CASE_TYPE_WORDS.items()} | {
    _key("ارتقای سطح"): CaseType.UPGRADE,
}
_AGENCY_KEYS = {_key(word): agency for agency, word in AGENCY_WORDS.items()} | {
    _key("قوه قضاییه"): Agency.JUDICIARY,
    _key("اداره اطلاعات"): Agency.INTELLIGENCE,
    _key("فرماندهی انتظامی"): Agency.POLICE,
    _key("دستگاه تخصصی"): Agency.SPECIALIST,
}
_RESULT_KEYS = {_key(word): value for value, word in RESULT_WORDS.items()} | {
    _key("پاسخ مثبت"): "favourable",
    _key("پاسخ منفی"): "unfavourable",
    _key("موافق"): "favourable",
    _key("مخالف"): "unfavourable",
}


def action_label(kind: StepKind, case_type: CaseType | str | None = None) -> str:
    """The sheet's word for a step (a council approval by its case type)."""
    if kind == StepKind.APPROVAL:
        return f"موافقت با {CASE_TYPE_WORDS[CaseType(case_type or CaseType.ESTABLISHMENT)]}"
    for word, (step, _type) in ACTIONS.items():
        if step == kind:
            return word
    raise KeyError(kind)


def _listed(words) -> str:
    return " / ".join(words)


@dataclass(frozen=True)
class Row:
    """A row whose cells could be read: the step it asks for and its values."""

    number: int
    values: tuple
    national_id: str
    kind: StepKind
    on_date: date
    case_type: CaseType | None = None
    agency: Agency | None = None
    answer: str | None = None
    meeting_on: date | None = None
    legal_basis: str = ""
    licence_number: str = ""
    expires_on: date | None = None
    letter_no: str = ""
    note: str = ""


def parse_row(
    number: int, values: tuple, positions: dict[str, int], bases: dict[str, str]
) -> tuple[Row | None, list[RowError]]:
    """Read one row's cells and the cells its action needs: (the Row, []) or (None, every error of the row).

    ``bases``: the legal bases of the reference list by their normalized text (a basis typed as listed is
    stored in the list's spelling; any other text — a bylaw with its article — is kept as typed).
    """
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    def cell(key: str) -> Any:
        index = positions.get(key)
        return values[index] if index is not None and index < len(values) else None

    def date_of(key: str, header: str) -> date | None:
        try:
            return cell_date(cell(key))
        except ValidationError as exc:
            fail(header, exc.message)
            return None

    nid = cell_digits(cell("national_id"))
    if not nid:
        fail(H_NATIONAL_ID, "شناسه ملی سمن وارد نشده است")
    elif not ids.is_valid_legal_national_id(nid):
        try:
            ids.validate_legal_national_id(nid, "شناسه ملی سمن")
        except ValidationError as exc:
            fail(H_NATIONAL_ID, exc.message)
    action_text = cell_text(cell("action"))
    kind, decided_type = _ACTION_KEYS.get(_key(action_text), (None, None))
    if kind is None:
        if action_text:
            fail(H_ACTION, f"اقدام «{action_text}» شناخته نیست؛ یکی از: {'، '.join(ACTIONS)}")
        else:
            fail(H_ACTION, "اقدام وارد نشده است")
    on_date = date_of("on_date", H_DATE)
    if on_date is None and not any(e.column == H_DATE for e in errors):
        fail(H_DATE, "تاریخ وارد نشده است")

    type_text = cell_text(cell("case_type"))
    case_type = _CASE_TYPE_KEYS.get(_key(type_text)) if type_text else None
    if type_text and case_type is None:
        fail(
            H_CASE_TYPE, f"نوع پرونده «{type_text}» شناخته نیست؛ یکی از: {_listed(CASE_TYPE_WORDS.values())}"
        )
    agency_text = cell_text(cell("agency"))
    agency = _AGENCY_KEYS.get(_key(agency_text)) if agency_text else None
    if agency_text and agency is None:
        fail(H_AGENCY, f"مرجع استعلام «{agency_text}» شناخته نیست؛ یکی از: {_listed(AGENCY_WORDS.values())}")
    result_text = cell_text(cell("result"))
    answer = _RESULT_KEYS.get(_key(result_text)) if result_text else None
    if result_text and answer is None:
        fail(H_RESULT, f"نتیجه «{result_text}» شناخته نیست؛ یکی از: {_listed(RESULT_WORDS.values())}")
    meeting_on = date_of("meeting_on", H_MEETING)
    basis_text = cell_text(cell("legal_basis"))
    legal_basis = bases.get(text.normalize(basis_text), basis_text)
    licence_number = text.digits_to_latin(cell_text(cell("licence_number")))
    expires_on = date_of("expires_on", H_EXPIRES)
    letter_no = text.digits_to_latin(cell_text(cell("letter_no")))
    note = cell_text(cell("note"))

    if kind is None or on_date is None:
        return None, errors
    if kind == StepKind.APPROVAL and decided_type is not None:
        if case_type is not None and case_type != decided_type:
            fail(H_CASE_TYPE, f"«{action_text}» با نوع پرونده «{type_text}» نمی‌خواند")
        case_type = decided_type
    issuing = kind in ISSUING
    row = Row(
        number=number,
        values=values,
        national_id=nid,
        kind=kind,
        on_date=on_date,
        case_type=case_type if kind in (StepKind.REQUEST, *DECISIONS) else None,
        agency=agency if kind in (StepKind.INQUIRY_SENT, StepKind.INQUIRY_ANSWERED) else None,
        answer=answer if kind == StepKind.INQUIRY_ANSWERED else None,
        meeting_on=meeting_on if kind in DECISIONS else None,
        legal_basis=legal_basis,
        licence_number=licence_number if issuing else "",
        expires_on=expires_on if issuing else None,
        letter_no=letter_no,
        note=note,
    )
    errors += _missing_cells(row, action_text or action_label(kind, decided_type), {e.column for e in errors})
    if errors:
        return None, errors
    if kind in DECISIONS and meeting_on is None:
        row = replace(row, meeting_on=on_date)  # the council met the day it decided, unless told
    return row, []


def _missing_cells(row: Row, label: str, named: set[str]) -> list[RowError]:
    """The cells the row's action cannot go without (IMPORT_TEMPLATES.md), each a row error on its column
    (a column with its reason already is left alone)."""
    errors: list[RowError] = []
    kind = row.kind

    def need(header: str, present: bool, reason: str) -> None:
        if not present and header not in named:
            named.add(header)
            errors.append(RowError(row.number, header, reason))

    no_basis = "بی مبنای قانونی ثبت نمی‌شود؛ آیین‌نامه و ماده را بنویسید"
    if kind == StepKind.REQUEST:
        types = _listed(CASE_TYPE_WORDS.values())
        need(H_CASE_TYPE, row.case_type is not None, f"برای «درخواست» نوع پرونده لازم است ({types})")
    if kind in (StepKind.INQUIRY_SENT, StepKind.INQUIRY_ANSWERED):
        agencies = _listed(AGENCY_WORDS.values())
        need(H_AGENCY, row.agency is not None, f"برای «{label}» مرجع استعلام لازم است ({agencies})")
    if kind == StepKind.INQUIRY_ANSWERED:
        need(H_RESULT, row.answer is not None, "برای «پاسخ استعلام» نتیجه لازم است (مثبت / منفی)")
    if kind in DECISIONS:
        need(H_BASIS, bool(row.legal_basis), f"تصمیم شورا («{label}») {no_basis}")
        late = row.meeting_on is not None and row.meeting_on > row.on_date
        need(H_MEETING, not late, "تاریخ جلسه شورا نمی‌تواند پس از «تاریخ» تصمیم باشد")
    if kind in ISSUING:
        need(H_LICENCE_NO, bool(row.licence_number), f"برای «{label}» شماره پروانه لازم است")
        need(H_EXPIRES, row.expires_on is not None, f"برای «{label}» تاریخ انقضا لازم است")
        early = row.expires_on is not None and row.expires_on <= row.on_date
        need(H_EXPIRES, not early, "تاریخ انقضا باید پس از «تاریخ» باشد")
    if kind in LADDER:
        ladder = "هر پله نردبان مجازات با نامه‌اش ثبت و شمرده می‌شود"
        need(H_LETTER_NO, bool(row.letter_no), f"«{label}» بی شماره نامه ثبت نمی‌شود: {ladder}")
        need(H_BASIS, bool(row.legal_basis), f"«{label}» {no_basis}")
    if kind in REASONED:
        need(H_NOTE, bool(row.note), f"دلیل «{label}» را در «{H_NOTE}» بنویسید")
    return errors
