"""The areas of the desk shown in the navigation column, in order, with what each will hold.

An area may need a permission (the users page, the audit trail): it is listed only for a role that has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ostandari_desk.domain.roles import Actor, Permission


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    description: str  # one line: what the area holds (shown on its placeholder until it is built)
    permission: Permission | None = None  # who may see it (None: everyone)


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
    Area(
        "users",
        "کاربران",
        "کاربران سامانه، نقش و شهرستان هر یک، غیرفعال کردن و تعیین گذرواژه تازه.",
        Permission.MANAGE_USERS,
    ),
    Area(
        "audit",
        "سابقه تغییرات",
        "چه کسی، چه زمانی، چه چیزی را تغییر داد؛ با پالایش و خروجی اکسل.",
        Permission.READ_AUDIT,
    ),
)

AREA_KEYS = tuple(a.key for a in AREAS)


def areas_for(actor: Actor | None) -> tuple[Area, ...]:
    """The areas ``actor`` may open, in order (before anyone signs in: those open to everyone)."""
    return tuple(a for a in AREAS if a.permission is None or (actor is not None and actor.may(a.permission)))


def area(key: str) -> Area:
    for a in AREAS:
        if a.key == key:
            return a
    raise KeyError(key)
