"""The exchange sheets for tests: the «سمن‌ها» headers, fresh valid national IDs, good rows, an xlsx writer; the
headers of the events, letters and licence-steps sheets (IMPORT_TEMPLATES.md)."""

from __future__ import annotations

import itertools

import openpyxl

from ostandari_desk.domain.ids import make_legal_national_id, make_national_code

HEADERS = [
    "شناسه ملی",
    "نام سازمان",
    "شهرستان",
    "سطح فعالیت",
    "حوزه فعالیت",
    "شماره ثبت",
    "تاریخ ثبت",
    "مدیرعامل",
    "کد ملی مدیرعامل",
    "تلفن",
    "نشانی",
    "وضعیت",
]

# the other kinds' sheets, exactly as IMPORT_TEMPLATES.md gives them
EVENT_HEADERS = [
    "عنوان",
    "نوع",
    "تاریخ شروع",
    "تاریخ پایان",
    "شهرستان",
    "برگزارکننده",
    "تعداد شرکت‌کنندگان",
    "ساعت آموزش",
    "سمن‌های شرکت‌کننده",
]
LETTER_HEADERS = ["شماره نامه", "تاریخ", "جهت", "نوع", "طرف مکاتبه", "موضوع", "شناسه ملی سمن", "شهرستان"]
LICENCE_HEADERS = ["شناسه ملی سمن", "اقدام", "تاریخ", "شماره پروانه", "تاریخ انقضا", "شماره نامه", "توضیحات"]

_PREFIXES = itertools.count(2_050_000_000)


def nid() -> str:
    """A legal national ID not handed out before in this test session."""
    return make_legal_national_id(str(next(_PREFIXES)))


def good_row(n: int, national_id: str | None = None) -> list:
    """A complete valid row; the counties are those of the initialized province قزوین."""
    return [
        national_id or nid(),
        f"انجمن نمونه شماره {n}",
        "آبیک" if n % 2 else "البرز",
        "شهرستانی",
        "محیط زیست، سلامت" if n % 3 == 0 else "",
        str(5000 + n),
        "1400/02/15",
        "مدیر نمونه",
        make_national_code(f"{100000000 + n:09d}"),
        "02833334444",
        "قزوین، خیابان نمونه",
        "فعال",
    ]


def write_xlsx(path, rows, headers=HEADERS, title: str | None = "سمن‌ها"):
    """A workbook with one sheet (named ``title``; None keeps openpyxl's default): headers, then rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title is not None:
        sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path
