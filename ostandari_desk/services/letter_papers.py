"""What ``report letter`` prints: one letter's details and its attachments, read within the actor's county.

The reports page names the letter with a picker (``letter_picker``: its id); the command line names it by
direction, Jalali year and number (``--direction in|out --year Y --number N``), and by ``--county NAME``
when more than one county's series holds that number: letter numbers are unique per series (a county's
own, or the province's), so the same «۱۰۰» may stand in several counties (``letters.resolve_letter``).
``--county استان`` names the province's own series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import attachments, letters, reference
from ostandari_desk.services.reporting import Gathered, ReportRequest
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "PROVINCE_SERIES",
    "LetterPaperData",
    "direction_of",
    "letter_paper",
    "letter_paper_data",
    "letter_picker",
    "series_of",
]

#: the ``series`` value naming the province's own numbering (``--county استان``)
PROVINCE_SERIES = letters.PROVINCE_ONLY
_DIRECTIONS = {
    "in": "incoming",
    "out": "outgoing",
    "incoming": "incoming",
    "outgoing": "outgoing",
    **{text.normalize(label): key for key, label in letters.DIRECTION_LABELS.items()},
}


@dataclass(frozen=True)
class LetterPaperData:
    number: str
    jalali_year: int
    dated_on: date
    direction_label: str
    kind_label: str
    series: str  # «دبیرخانه استان» / «دبیرخانه شهرستان آبیک»
    party: str
    subject: str
    ngo_name: str
    attachments: tuple[attachments.AttachmentRow, ...]
    county_name: str | None = None  # a county series' county (the paper goes under its governorate)
    direction: str = (
        "outgoing"  # as stored (incoming | outgoing): an outgoing letter ends with its signer's block
    )

    @property
    def title(self) -> str:
        return f"نامه {self.direction_label} شماره «{text.to_persian_digits(self.number)}»"


def direction_of(_uow: UnitOfWork, raw: str) -> str:
    """``in``/``out`` (or وارده/صادره) as the letter's direction; a Persian ValidationError otherwise."""
    found = _DIRECTIONS.get(text.normalize(raw)) or _DIRECTIONS.get(raw.strip().lower())
    if found is None:
        raise ValidationError(f"جهت نامه باید in (وارده) یا out (صادره) باشد: «{raw}»", field="direction")
    return found


def series_of(uow: UnitOfWork, raw: str) -> str:
    """A county's name as its series' county id; «استان» as ``PROVINCE_SERIES`` (the province's own)."""
    if text.normalize(raw) == text.normalize(letters.PROVINCE_LABEL):
        return PROVINCE_SERIES
    found = reference.county_id_by_name(uow, raw)
    if found is None:
        raise ValidationError(f"شهرستان «{text.clean(raw)}» در فهرست شهرستان‌ها نیست", field="county_id")
    return found


def letter_picker(uow: UnitOfWork, query: str) -> list[tuple[str, str]]:
    """(id, «صادره ۱۰۰ — ۱۴۰۱/۰۶/۰۹ — آبیک — subject») of the letters in scope matching ``query``."""
    rows = letters.list_letter_page(uow, letters.LetterFilter(text=query), "dated_on", True, 0, 50)
    return [
        (
            r.id,
            (
                f"{r.direction_label} {text.to_persian_digits(r.number)} — {r.dated_text} — "
                f"{r.county_name} — {r.subject}"
            ),
        )
        for r in rows
    ]


def letter_paper_data(uow: UnitOfWork, letter_id: str) -> LetterPaperData:
    """The letter (within the actor's scope: another county's is refused) and its attachments."""
    with uow:
        detail = letters.get_letter(uow, letter_id)
        return LetterPaperData(
            number=detail.number,
            jalali_year=detail.jalali_year,
            dated_on=detail.dated_on,
            direction_label=letters.DIRECTION_LABELS.get(detail.direction, detail.direction),
            kind_label=letters.KIND_LABELS.get(detail.kind, detail.kind),
            series=letters.series_name(uow, detail.county_id),
            party=detail.party,
            subject=detail.subject,
            ngo_name=detail.ngo_name,
            attachments=tuple(attachments.list_attachments(uow, attachments.LETTER, letter_id)),
            county_name=reference.county_name(uow, detail.county_id) if detail.county_id else None,
            direction=detail.direction,
        )


def _letter_of(uow: UnitOfWork, request: ReportRequest) -> str:
    """The page's picked letter, or the command line's direction, year, number (and series)."""
    picked = request.get("letter_id")
    if picked:
        return picked
    direction, year, number = request.get("direction"), request.get("year"), request.get("number")
    if not direction or not year or not text.clean(number or ""):
        raise ValidationError("جهت، سال و شماره نامه را بگویید", field="number")
    series = request.get("series")
    if series is None:
        return letters.resolve_letter(uow, direction, int(year), number)
    return letters.resolve_letter(
        uow, direction, int(year), number, None if series == PROVINCE_SERIES else series
    )


def letter_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """One letter's paper, audited on the letter's record."""
    letter_id = _letter_of(uow, request)
    data = letter_paper_data(uow, letter_id)
    words = (
        data.title,
        f"سال {text.to_persian_digits(data.jalali_year)}",
        data.series,
        format_jalali(data.dated_on),
    )
    return Gathered(data, words, "letter", letter_id)
