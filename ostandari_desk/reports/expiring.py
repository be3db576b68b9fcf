"""Licences expiring soon and licences already expired (nobody renewed them), by expiry date."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, Level
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.services.reporting import ExpiringData

__all__ = ["build_expiring"]

TITLE = "پروانه‌های رو به انقضا و منقضی"

_COLUMNS = [
    Column("ردیف", 0.6, align="center", numeric=True),
    Column("نام سازمان", 3.6),
    Column("شهرستان", 1.4),
    Column("شماره پروانه", 1.5, align="center", numeric=True),
    Column("سطح", 1.0, align="center"),
    Column("تاریخ صدور", 1.3, align="center", numeric=True),
    Column("تاریخ انقضا", 1.3, align="center", numeric=True),
    Column("روز مانده", 1.1, align="center", numeric=True),
]


def _level(level: str) -> str:
    return LEVEL_LABELS.get(Level(level), level) if level in {lv.value for lv in Level} else level


def _rows(rows, expired: bool) -> list[list[str]]:
    out = []
    for i, r in enumerate(rows, start=1):
        days = f"{format_number(-r.days_left)} روز گذشته" if expired else format_number(r.days_left)
        out.append(
            [
                to_persian_digits(i),
                r.ngo_name,
                r.county_name,
                to_persian_digits(r.number),
                _level(r.level),
                format_jalali(r.issued_on),
                format_jalali(r.expires_on),
                days,
            ]
        )
    return out


def build_expiring(
    data: ExpiringData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    doc = ReportDocument(TITLE, letterhead, printed_on, landscape=True)
    doc.add_key_values(
        [
            ("محدوده", data.scope_name),
            ("تاریخ مبنا", format_jalali(data.today)),
            ("بازه هشدار", f"{format_number(data.within_days)} روز آینده"),
        ]
    )
    doc.add_heading(f"رو به انقضا ({format_number(len(data.expiring))} پروانه)")
    if data.expiring:
        doc.add_table(_COLUMNS, _rows(data.expiring, expired=False))
    else:
        doc.add_paragraph("در این بازه پروانه‌ای منقضی نمی‌شود.")
    doc.add_heading(f"منقضی‌شده و تمدیدنشده ({format_number(len(data.expired))} پروانه)")
    if data.expired:
        columns = [*_COLUMNS[:-1], Column("گذشته از انقضا", 1.4, align="center", numeric=True)]
        doc.add_table(columns, _rows(data.expired, expired=True))
    else:
        doc.add_paragraph("پروانه منقضی‌شده‌ای نیست.")
    doc.build(target)
