"""One letter's paper (``report letter``): its number, series, date, direction, kind, party, subject, NGO and
attachments. Frozen data from services/letter_papers.py; no database here.

The official layout: a county series' letter goes under its county governorate's letterhead, and the
letterhead carries the letter's شماره / تاریخ / پیوست block. An outgoing letter ends with its signer's block
(:func:`letter_signer`); a received one is the office's record of it and is not signed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import Level
from ostandari_desk.domain.text import format_number, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.letterhead import (
    OfficialLetterhead,
    Reference,
    Signatory,
    SignatureBlock,
    licence_signer,
    official,
)
from ostandari_desk.services.letter_papers import LetterPaperData

__all__ = ["build_letter", "letter_signer"]

DASH = "—"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1)} مگابایت"
    return f"{format_number(max(1, round(size / 1024)))} کیلوبایت"


def letter_signer(head: OfficialLetterhead) -> Signatory:
    """Who signs an outgoing letter under ``head``: the settings' signer for the province's series (on
    behalf of the governorate), the county governor for a county series' letter (its governorate's
    letterhead; a line to sign on). The same authorities as a licence of that level."""
    county = head.county or None
    return licence_signer(head, Level.COUNTY if county else Level.PROVINCE, county)


def build_letter(
    data: LetterPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    count = len(data.attachments)
    reference = Reference(
        protect_hyphenated_numbers(to_persian_digits(data.number)),
        format_jalali(data.dated_on),
        f"دارد ({format_number(count)})" if count else "ندارد",
    )
    head = official(letterhead).for_county(data.county_name).with_reference(reference)
    doc = ReportDocument(data.title, head, printed_on)
    doc.add_key_values(
        [
            ("شماره", protect_hyphenated_numbers(to_persian_digits(data.number))),
            ("دبیرخانه", data.series),
            ("تاریخ", format_jalali(data.dated_on)),
            ("جهت", data.direction_label),
            ("نوع", data.kind_label),
            ("طرف مکاتبه", data.party),
            ("موضوع", data.subject),
            ("سمن", data.ngo_name or DASH),
        ]
    )
    doc.add_heading("پیوست‌ها")
    if data.attachments:
        doc.add_table(
            [Column("نام پرونده", 4), Column("اندازه", 1.4, "center", True), Column("SHA-256", 3, "center")],
            [[a.file_name, _size(a.size), a.sha256[:16]] for a in data.attachments],
        )
    else:
        doc.add_paragraph("این نامه پیوستی ندارد.")
    if data.direction == "outgoing":
        doc.add_flowable(SignatureBlock(letter_signer(head)))
    doc.build(target)
