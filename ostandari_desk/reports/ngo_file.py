"""One NGO's file: its details, board, licence timeline, events and letters.

A county-level NGO's file goes under its county governorate's letterhead; the title (the NGO's name, of
any length) wraps in the letterhead, every cell wraps in its column.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import Level
from ostandari_desk.domain.text import protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.letterhead import official
from ostandari_desk.services.reporting import NgoFileData

__all__ = ["build_ngo_file"]


def _digits(value: str) -> str:
    return protect_hyphenated_numbers(to_persian_digits(value)) if value else "—"


def build_ngo_file(
    data: NgoFileData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    ngo = data.ngo
    county = ngo.county_name if ngo.county_id and ngo.level == Level.COUNTY else None
    doc = ReportDocument(f"پرونده سازمان «{ngo.name}»", official(letterhead).for_county(county), printed_on)
    doc.add_heading("مشخصات")
    licence = ngo.licence
    pairs = [
        ("نام سازمان", ngo.name),
        ("شناسه ملی", _digits(ngo.national_id)),
        ("شماره ثبت", _digits(ngo.registration_no)),
        ("تاریخ ثبت", format_jalali(ngo.registered_on) or "—"),
        ("تاریخ تأسیس", format_jalali(ngo.founded_on) or "—"),
        ("شهرستان", ngo.county_name),
        ("سطح فعالیت", ngo.level_label),
        ("حوزه‌های فعالیت", "، ".join(ngo.field_names) or "—"),
        ("مدیرعامل", ngo.ceo_name or "—"),
        ("کد ملی مدیرعامل", _digits(ngo.ceo_national_code)),
        ("تلفن", _digits(ngo.phone)),
        ("نشانی", ngo.address or "—"),
        ("وضعیت", ngo.status_label),
        ("وضعیت پروانه", ngo.licence_state_label),
    ]
    if licence is not None:
        pairs.append(
            (
                "پروانه جاری",
                (
                    f"شماره {_digits(licence.number)}، صادره {format_jalali(licence.issued_on)}، "
                    f"معتبر تا {format_jalali(licence.expires_on)}"
                ),
            )
        )
    doc.add_key_values(pairs)

    doc.add_heading("هیئت مدیره و ارکان")
    if ngo.board:
        doc.add_table(
            [
                Column("نام و نام خانوادگی", 3),
                Column("سمت", 2),
                Column("کد ملی", 1.6, "center", True),
                Column("تخصص", 2),
                Column("آغاز دوره", 1.3, "center", True),
                Column("پایان دوره", 1.3, "center", True),
            ],
            [
                [
                    m.full_name,
                    m.role_label,
                    _digits(m.national_code),
                    m.expertise or "—",
                    format_jalali(m.term_start) or "—",
                    format_jalali(m.term_end) or "—",
                ]
                for m in ngo.board
            ],
        )
    else:
        doc.add_paragraph("عضوی ثبت نشده است.")

    doc.add_heading("سابقه پروانه")
    if data.timeline:
        doc.add_table(
            [
                Column("تاریخ", 1.3, "center", True),
                Column("مرحله", 1.8),
                Column("شرح", 5),
                Column("کارشناس", 1.6),
            ],
            [[format_jalali(t.on_date), t.label, t.detail or "—", t.clerk or "—"] for t in data.timeline],
        )
    else:
        doc.add_paragraph("مرحله‌ای ثبت نشده است.")

    doc.add_heading("رویدادها")
    if data.events:
        doc.add_table(
            [
                Column("تاریخ", 1.3, "center", True),
                Column("نوع", 1.4),
                Column("عنوان", 4.5),
                Column("شهرستان", 1.5),
                Column("نقش", 1.5),
            ],
            [[format_jalali(e.starts_on), e.kind_label, e.title, e.county_name, e.role] for e in data.events],
        )
    else:
        doc.add_paragraph("رویدادی ثبت نشده است.")

    doc.add_heading("مکاتبات")
    if data.letters:
        doc.add_table(
            [
                Column("تاریخ", 1.3, "center", True),
                Column("شماره", 1.4, "center", True),
                Column("نوع", 1.8),
                Column("طرف مکاتبه", 2.2),
                Column("موضوع", 4),
            ],
            [
                [format_jalali(m.dated_on), _digits(m.number), m.kind_label, m.party, m.subject]
                for m in data.letters
            ],
        )
    else:
        doc.add_paragraph("مکاتبه‌ای ثبت نشده است.")
    doc.build(target)
