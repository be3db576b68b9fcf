"""The NGO register: every NGO of the list's current filter, one row each, landscape A4."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.reports.charts import speed_up_reportlab
from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.services.reporting import RegisterData

__all__ = ["REGISTER_COLUMNS", "build_register"]

TITLE = "دفتر ثبت سازمان‌های مردم‌نهاد"

REGISTER_COLUMNS = [
    Column("ردیف", 0.6, align="center", numeric=True),
    Column("نام سازمان", 4.0),
    Column("شناسه ملی", 1.6, align="center", numeric=True),
    Column("شماره ثبت", 1.2, align="center", numeric=True),
    Column("شهرستان", 1.4),
    Column("سطح", 1.0, align="center"),
    Column("مدیرعامل", 1.8),
    Column("وضعیت", 0.9, align="center"),
    Column("وضعیت پروانه", 1.6, align="center"),
]


def build_register(
    data: RegisterData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """Write the register PDF: the filter in words, the count, and the table (header on every page)."""
    speed_up_reportlab()
    doc = ReportDocument(TITLE, letterhead, printed_on, landscape=True)
    doc.add_key_values([("فیلتر", data.filter_text), ("تعداد", f"{format_number(len(data.rows))} سازمان")])
    rows = [
        [
            to_persian_digits(i),
            r.name,
            r.national_id,
            r.registration_no,
            r.county_name,
            r.level_label,
            r.ceo_name,
            r.status_label,
            r.licence_state_label,
        ]
        for i, r in enumerate(data.rows, start=1)
    ]
    if rows:
        doc.add_table(REGISTER_COLUMNS, rows)
    else:
        doc.add_paragraph("سازمانی با این فیلتر پیدا نشد.")
    doc.build(target)
