"""The letters page (مکاتبات): search as you type, direction/kind/county/year filters, a paged sortable table.

Letter numbers are unique per series (a county's own, or the province's), so the province's list may hold
two counties' letter «۱۰۰» of one year: the county column (and the county filter) tell them apart.
"""

from __future__ import annotations

from typing import Any

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.services import letters as letter_service
from ostandari_desk.ui.letters.dialog import LetterDialog
from ostandari_desk.ui.widgets.list_page import (
    ListFilter,
    ListKind,
    ListPage,
    county_choices,
    delete_action,
    edit_action,
    new_action,
)
from ostandari_desk.ui.widgets.paged_list import PagedColumn

COLUMNS = (
    PagedColumn("تاریخ", "dated_on", lambda r: r.dated_text, width=90),
    PagedColumn("شماره", "number", lambda r: r.number, width=90),
    PagedColumn("جهت", "direction", lambda r: r.direction_label, width=60),
    PagedColumn("نوع", "kind", lambda r: r.kind_label, width=120),
    PagedColumn("طرف مکاتبه", "party", lambda r: r.party, width=170),
    PagedColumn("موضوع", "subject", lambda r: r.subject, width=240),
    PagedColumn("سمن", "dated_on", lambda r: r.ngo_name, width=150),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=80),
    PagedColumn(
        "پیوست",
        "dated_on",
        lambda r: format_number(r.attachment_count) if r.attachment_count else "",
        True,
        width=50,
    ),
)
EMPTY_ALL = (
    "هنوز نامه‌ای ثبت نشده است.\n"
    "با «نامه جدید» نامه‌ای وارده یا صادره ثبت کنید، یا نامه‌ها را از «پرونده ← ورود از اکسل» بیاورید."
)
EMPTY_FILTERED = "نامه‌ای با این جستجو و پالایه‌ها پیدا نشد؛ پالایه‌ها را روی «همه» بگذارید."


def _counties(context, uow) -> list[tuple[str, str]]:
    """The counties in scope, and «استان» (the province's own series) for a province user."""
    found = county_choices(context, uow)
    if context.actor.county_scope is None:
        found.append((letter_service.PROVINCE_LABEL, letter_service.PROVINCE_ONLY))
    return found


def _letter_filter(v: dict[str, Any]) -> letter_service.LetterFilter:
    return letter_service.LetterFilter(
        text=v["text"], direction=v["direction"], kind=v["kind"], year=v["year"], county_id=v["county"]
    )


def _delete_question(row) -> tuple[str, str]:
    series = letter_service.series_label(
        None if row.county_name == letter_service.PROVINCE_LABEL else row.county_name
    )
    return (
        "حذف نامه",
        f"نامه {row.direction_label} شماره «{to_persian_digits(row.number)}» ({series}) حذف شود؟",
    )


KIND = ListKind(
    prefix="letter",
    noun="نامه",
    columns=COLUMNS,
    count=letter_service.count_letters,
    page=letter_service.list_letter_page,
    filter_type=letter_service.LetterFilter,
    make_filter=_letter_filter,
    search_placeholder="جستجو در شماره، طرف مکاتبه و موضوع…",
    filters=(
        ListFilter(
            "direction",
            "&جهت:",
            "letterDirectionFilter",
            lambda _c, _u: [(label, key) for key, label in letter_service.DIRECTION_LABELS.items()],
        ),
        ListFilter(
            "kind",
            "&نوع:",
            "letterKindFilter",
            lambda _c, _u: [(label, key) for key, label in letter_service.KIND_LABELS.items()],
        ),
        ListFilter("county", "ش&هرستان:", "letterCountyFilter", _counties, scoped=True),
        ListFilter(
            "year",
            "&سال:",
            "letterYearFilter",
            lambda _c, uow: letter_service.letter_years(uow),
            years=True,
            refill=True,
        ),
    ),
    actions=(
        new_action("نامه جدید", "newLetterButton"),
        edit_action("ویرایش", "editLetterButton"),
        delete_action("deleteLetterButton"),
    ),
    activate="edit",
    empty_all=EMPTY_ALL,
    empty_filtered=EMPTY_FILTERED,
    delete=letter_service.delete_letter,
    delete_question=_delete_question,
)


class LettersPage(ListPage):
    """مکاتبات. ``make_dialog`` lets tests drive the letter form."""

    KIND = KIND
    select_letter = ListPage.select_id

    def make_dialog(self, letter_id: str | None = None) -> LetterDialog:
        return LetterDialog(self.context, letter_id, self)
