"""The indicators the office compares year on year, declared once, by the annual report's sections.

An :class:`Indicator` names its source (services.indicators.sources), the dimension values it counts and
what it adds up; :data:`GROUPS` orders them by section, :data:`KEY_INDICATORS` are the headline ones (the
report's summary and main chart, the start page) and :data:`COUNTY_INDICATORS` the ones also shown per
county. A licence and a credential (اعتبارنامه) are both a Licence record; the kind of the step that
issued it tells them apart, so «صدور پروانه فعالیت» and «صدور اعتبارنامه» count each its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "COUNT",
    "COUNTY_INDICATORS",
    "DAYS",
    "GROUPS",
    "INDICATORS",
    "KEY_INDICATORS",
    "UNIT_RIALS",
    "Indicator",
    "indicator",
]

UNIT_CASES = "مورد"
UNIT_DAYS = "جلسه"
UNIT_PEOPLE = "نفر"
UNIT_HOURS = "ساعت"
UNIT_RIALS = "ریال"
UNIT_PERCENT = "درصد"

COUNT = "count"
DAYS = "days"  # distinct values of the source's ``day`` dimension (a date), per county and period


@dataclass(frozen=True)
class Indicator:
    """One row of the annual comparison.

    ``where`` maps a dimension of the source to the values counted, e.g. ``(("kind", ("issue",)),)``.
    ``measure`` is ``"count"``, ``"days"`` (distinct dates of the source's ``day`` dimension) or the name
    of a summed column of the source.
    ``divide_by`` (``"count"`` or another measure) makes it an average: the measure's sum over that one's,
    rounded half up to a whole number, per county and for the totals alike.
    ``is_key`` indicators head the report (its summary and main chart) and the start page;
    ``per_county`` ones (every key one too) are also shown per county. ``group`` is the report's section.
    """

    key: str
    label: str
    unit: str
    source: str
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    measure: str = COUNT
    short_label: str = ""
    is_key: bool = False
    divide_by: str | None = None
    per_county: bool = False
    group: str = ""

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def by_county(self) -> bool:
        return self.per_county or self.is_key


GROUP_LICENCES = "پروانه‌ها و شورا"
GROUP_EVENTS = "همایش‌ها، نشست‌ها و دوره‌های آموزشی"
GROUP_LETTERS = "مکاتبات"
GROUP_MEMORANDA = "تفاهم‌نامه‌ها و اعتبارات"
GROUP_VISITS = "بازدید از مراکز"

_EVENT_KINDS = ("conference", "session", "course")
_CASE_TYPES = (
    ("establishment", "تأسیس"),
    ("renewal", "تمدید"),
    ("upgrade", "ارتقا"),
    ("conformity", "تطبیق"),
)
_LETTER_KINDS = (("support", "هماهنگی و حمایتی"), ("punitive", "توقیفی و توبیخی"), ("other", "سایر"))
_DIRECTIONS = (("outgoing", "صادره"), ("incoming", "وارده"))


def _by_case_type(decision: str, verb: str) -> tuple[Indicator, ...]:
    """One row per case type for council approvals or rejections."""
    return tuple(
        Indicator(
            f"{decision}s_{case_type}",
            f"{verb} با {label}",
            UNIT_CASES,
            "decisions",
            (("kind", (decision,)), ("case_type", (case_type,))),
        )
        for case_type, label in _CASE_TYPES
    )


def _letters_by_direction() -> tuple[Indicator, ...]:
    """One row per direction and kind of letter, «سایر» included."""
    return tuple(
        Indicator(
            f"letters_{direction}_{kind}",
            f"نامه‌های {direction_label}: {kind_label}",
            UNIT_CASES,
            "letters",
            (("kind", (kind,)), ("direction", (direction,))),
        )
        for direction, direction_label in _DIRECTIONS
        for kind, kind_label in _LETTER_KINDS
    )


_LICENCES = (
    Indicator(
        "requests",
        "درخواست‌های پروانه دریافت‌شده",
        UNIT_CASES,
        "steps",
        (("kind", ("request",)),),
        short_label="درخواست‌ها",
        per_county=True,
    ),
    Indicator(
        "council_meetings",
        "جلسات شورا (روزهای تصمیم‌گیری)",
        UNIT_DAYS,
        "decisions",
        (("kind", ("approval", "rejection")),),
        measure=DAYS,
        short_label="جلسات شورا",
        per_county=True,
    ),
    Indicator(
        "inquiries",
        "استعلام‌های ارسال‌شده",
        UNIT_CASES,
        "inquiries",
        short_label="استعلام ارسالی",
        per_county=True,
    ),
    Indicator(
        "inquiries_answered",
        "استعلام‌های پاسخ‌داده‌شده",
        UNIT_CASES,
        "answers",
        short_label="استعلام پاسخ‌داده",
        per_county=True,
    ),
    Indicator("decisions", "تصمیم‌های شورا", UNIT_CASES, "steps", (("kind", ("approval", "rejection")),)),
    *_by_case_type("approval", "موافقت"),
    Indicator(
        "approvals",
        "موافقت با تأسیس و تمدید",
        UNIT_CASES,
        "decisions",
        (("kind", ("approval",)), ("case_type", ("establishment", "renewal"))),
        short_label="موافقت‌ها",
        is_key=True,
    ),
    *_by_case_type("rejection", "مخالفت"),
    Indicator(
        "rejections",
        "مخالفت‌های شورا",
        UNIT_CASES,
        "steps",
        (("kind", ("rejection",)),),
        short_label="مخالفت‌ها",
        per_county=True,
    ),
    Indicator(
        "issued",
        "صدور پروانه فعالیت",
        UNIT_CASES,
        "steps",
        (("kind", ("issue",)),),
        short_label="پروانه صادرشده",
        is_key=True,
    ),
    Indicator(
        "credentials",
        "صدور اعتبارنامه",
        UNIT_CASES,
        "steps",
        (("kind", ("credential",)),),
        short_label="اعتبارنامه صادرشده",
        per_county=True,
    ),
    Indicator(
        "renewals",
        "تمدید پروانه",
        UNIT_CASES,
        "steps",
        (("kind", ("renewal",)),),
        short_label="تمدید پروانه",
        per_county=True,
    ),
    Indicator("upgrades", "ارتقا و تطبیق", UNIT_CASES, "steps", (("kind", ("upgrade", "conformity")),)),
    Indicator(
        "sanctions",
        "تعلیق و لغو پروانه",
        UNIT_CASES,
        "steps",
        (("kind", ("suspension", "revocation")),),
        short_label="تعلیق و لغو",
        per_county=True,
    ),
)

_EVENTS = (
    Indicator("conferences", "همایش", UNIT_CASES, "events", (("kind", ("conference",)),), per_county=True),
    Indicator("sessions", "نشست", UNIT_CASES, "events", (("kind", ("session",)),), per_county=True),
    Indicator("courses", "دوره آموزشی", UNIT_CASES, "events", (("kind", ("course",)),), per_county=True),
    Indicator(
        "events",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی",
        UNIT_CASES,
        "events",
        (("kind", _EVENT_KINDS),),
        short_label="رویدادها",
        is_key=True,
    ),
    Indicator(
        "attendees",
        "شرکت‌کنندگان در رویدادها",
        UNIT_PEOPLE,
        "events",
        (("kind", _EVENT_KINDS),),
        measure="attendees",
    ),
    Indicator(
        "training_hours", "ساعات آموزش", UNIT_HOURS, "events", (("kind", ("course",)),), measure="hours"
    ),
)

_LETTERS = (
    Indicator(
        "support_letters",
        "مکاتبات هماهنگی و حمایتی",
        UNIT_CASES,
        "letters",
        (("kind", ("support",)),),
        short_label="مکاتبات حمایتی",
        is_key=True,
    ),
    Indicator(
        "punitive_letters",
        "مکاتبات توقیفی و توبیخی",
        UNIT_CASES,
        "letters",
        (("kind", ("punitive",)),),
        short_label="مکاتبات توقیفی",
        per_county=True,
    ),
    Indicator(
        "other_letters",
        "سایر مکاتبات",
        UNIT_CASES,
        "letters",
        (("kind", ("other",)),),
        short_label="سایر مکاتبات",
        per_county=True,
    ),
    *_letters_by_direction(),
)

_MEMORANDA = (
    Indicator(
        "memoranda",
        "تفاهم‌نامه‌های منعقدشده",
        UNIT_CASES,
        "memoranda",
        short_label="تفاهم‌نامه‌ها",
        per_county=True,
    ),
    Indicator(
        "memoranda_governorates",
        "تفاهم‌نامه‌های منعقدشده با فرمانداری‌ها",
        UNIT_CASES,
        "memoranda",
        (("party", ("county",)),),
    ),
    Indicator(
        "memoranda_ngos", "تفاهم‌نامه‌های منعقدشده با سمن‌ها", UNIT_CASES, "memoranda", (("party", ("ngo",)),)
    ),
    Indicator(
        "memoranda_amount",
        "مبلغ تفاهم‌نامه‌ها",
        UNIT_RIALS,
        "memoranda",
        measure="amount",
        short_label="اعتبار (ریال)",
        per_county=True,
    ),
    Indicator("memoranda_paid", "مبلغ پرداخت‌شده تفاهم‌نامه‌ها", UNIT_RIALS, "payments", measure="amount"),
    Indicator(
        "memoranda_progress",
        "میانگین پیشرفت تفاهم‌نامه‌ها",
        UNIT_PERCENT,
        "memoranda",
        measure="progress",
        divide_by=COUNT,
    ),
    Indicator(
        "offices_opened",
        "دفاتر تسهیلگری گشایش‌یافته",
        UNIT_CASES,
        "offices",
        short_label="دفاتر تسهیلگری",
        per_county=True,
    ),
)

_VISITS = (
    Indicator(
        "visits", "بازدید از مراکز", UNIT_CASES, "inspections", short_label="بازدیدها", per_county=True
    ),
    Indicator(
        "unannounced_visits",
        "بازدیدهای سرزده",
        UNIT_CASES,
        "inspections",
        (("announced", (False,)),),
        short_label="سرزده",
        per_county=True,
    ),
    Indicator(
        "serious_visits",
        "بازدیدهای منجر به تخلف جدی",
        UNIT_CASES,
        "inspections",
        (("result", ("serious",)),),
        short_label="تخلف جدی",
        per_county=True,
    ),
    Indicator("referrals", "ارجاع به دستگاه صادرکننده مجوز", UNIT_CASES, "referrals"),
    Indicator("actions_closed", "اقدامات اصلاحی انجام‌شده", UNIT_CASES, "actions_closed"),
)

#: The report's sections, in order, with their indicators.
GROUPS: tuple[tuple[str, tuple[Indicator, ...]], ...] = tuple(
    (name, tuple(replace(ind, group=name) for ind in members))
    for name, members in (
        (GROUP_LICENCES, _LICENCES),
        (GROUP_EVENTS, _EVENTS),
        (GROUP_LETTERS, _LETTERS),
        (GROUP_MEMORANDA, _MEMORANDA),
        (GROUP_VISITS, _VISITS),
    )
)

#: The rows of the annual comparison, in the order the report prints them.
INDICATORS: tuple[Indicator, ...] = tuple(ind for _name, members in GROUPS for ind in members)

#: The headline indicators (the summary, the main chart, the start page).
KEY_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.is_key)

#: Every indicator also shown per county, in the report's order.
COUNTY_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.by_county)


def indicator(key: str) -> Indicator:
    """The declared indicator ``key`` (KeyError for an unknown one)."""
    for ind in INDICATORS:
        if ind.key == key:
            return ind
    raise KeyError(f"unknown indicator: {key!r}")
