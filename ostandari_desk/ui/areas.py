"""The areas of the desk shown in the navigation column, in order, with what each will hold."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    description: str  # one line: what the area holds (shown on its placeholder until it is built)


AREAS: tuple[Area, ...] = (
    Area("start", "صفحه نخست", "شمار پروانه‌های رو به انقضا، استعلام‌های معوق و پرونده‌های باز."),
    Area("ngos", "سمن‌ها", "ثبت و جست‌وجوی سازمان‌های مردم‌نهاد، هیئت مدیره و مدیرعامل."),
    Area("licences", "پروانه‌ها", "پروانه‌های رو به انقضا و منقضی، تمدید، تعلیق و لغو پروانه."),
    Area(
        "events",
        "رویدادها",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی با سمن‌های شرکت‌کننده، شمار حاضران و ساعت آموزش.",
    ),
    Area(
        "letters",
        "مکاتبات",
        "نامه‌های هماهنگی و حمایتی و نامه‌های توقیفی و توبیخی، با شماره، تاریخ، گیرنده و سمن مربوط.",
    ),
    Area(
        "memoranda",
        "تفاهم‌نامه‌ها و اعتبارات",
        "تفاهم‌نامه‌ها و قراردادها با سمن‌ها و شهرستان‌ها، مبلغ به ریال، گزارش پیشرفت و پرداخت مرحله‌ای.",
    ),
    Area("facilitation", "دفاتر تسهیلگری", "دفاتر تسهیلگری هر شهرستان، محله‌ها، سمن مجری، بودجه و وضعیت."),
    Area(
        "centres",
        "مراکز و بازدیدها",
        "مراکز تحت نظارت، بازدیدهای سرزده ماهانه، یافته‌ها، اقدامات اصلاحی و نامه‌های ارجاع.",
    ),
    Area("reports", "گزارش‌ها", "گزارش مقایسه سالانه به تفکیک شهرستان و گزارش‌های چاپی فارسی."),
    Area("reference", "اطلاعات پایه", "شهرستان‌ها، فهرست‌های پایه و تنظیمات اداره."),
)

AREA_KEYS = tuple(a.key for a in AREAS)


def area(key: str) -> Area:
    for a in AREAS:
        if a.key == key:
            return a
    raise KeyError(key)
