"""The memoranda register (تفاهم‌نامه‌ها): search, county / party / social harm / state / Jalali year / overdue
filters, a paged table sorted in SQL with overdue rows flagged, and the memorandum's form, a progress report
and a payment from the selected row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda.listing import memorandum_years
from ostandari_desk.ui.widgets.list_page import (
    ListAction,
    ListFilter,
    ListKind,
    ListPage,
    county_choices,
    edit_action,
    new_action,
)
from ostandari_desk.ui.widgets.paged_list import PagedColumn, PagedTableModel

__all__ = ["KIND", "OVERDUE_TEXT", "MemorandaPage"]

OVERDUE_TEXT = "گذشته از موعد"
# Columns the service cannot sort by fall back to the signing date (services/memoranda/listing.SORT_KEYS).
_UNSORTED = "signed_on"


def _percent(value: int | None) -> str:
    return "—" if value is None else rules.percent(value)


def _state(row) -> str:
    return f"{row.state_label} — {OVERDUE_TEXT}" if row.overdue else row.state_label


# the widest values shown whole at 1280×720 (the text columns give way, cut with «…»)
_DATE = "۱۴۰۸/۰۸/۲۸"
_AMOUNT = "۸۸۸٬۸۸۸٬۸۸۸"
COLUMNS = (
    PagedColumn("شماره", "number", lambda r: r.number, width=80, sample="ت/۱۴۰۸/۰۸۸۸"),
    PagedColumn("عنوان", "title", lambda r: r.title, width=220),
    PagedColumn("طرف", _UNSORTED, lambda r: r.party_name, width=170),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=90),
    PagedColumn("آسیب", _UNSORTED, lambda r: r.social_harm_name or "—", width=120),
    PagedColumn("مبلغ (ریال)", "amount", lambda r: format_number(r.amount), width=110, sample=_AMOUNT),
    PagedColumn("پرداختی (ریال)", "paid", lambda r: format_number(r.paid), width=110, sample=_AMOUNT),
    PagedColumn("پیشرفت", "progress", lambda r: _percent(r.latest_progress), True, width=60),
    PagedColumn("انعقاد", "signed_on", lambda r: format_jalali(r.signed_on), True, width=85, sample=_DATE),
    PagedColumn("پایان", "ends_on", lambda r: format_jalali(r.ends_on), True, width=85, sample=_DATE),
    PagedColumn("وضعیت", "state", _state, width=140),
)
EMPTY_REGISTER = (
    "هنوز تفاهم‌نامه‌ای ثبت نشده است.\n"
    "با دکمه «تفاهم‌نامه جدید» نخستین تفاهم‌نامه را ثبت کنید، یا تفاهم‌نامه‌ها را از «پرونده ← ورود از اکسل» بیاورید."
)
EMPTY_FILTERED = (
    "تفاهم‌نامه‌ای با این جستجو و پالایه‌ها پیدا نشد.\n"
    "عبارت جستجو را کوتاه‌تر کنید یا پالایه‌ها را روی «همه» بگذارید."
)
_OVERDUE_BACK = QBrush(QColor("#fde4e4"))
_OVERDUE_FORE = QBrush(QColor("#b71c1c"))
_CLOSED_FORE = QBrush(QColor("#8a8f98"))


class MemorandaModel(PagedTableModel):
    def extra_data(self, row, role: int):
        if row.overdue:
            if role == Qt.ItemDataRole.BackgroundRole:
                return _OVERDUE_BACK
            if role == Qt.ItemDataRole.ForegroundRole:
                return _OVERDUE_FORE
        elif role == Qt.ItemDataRole.ForegroundRole and row.state == rules.CANCELLED:
            return _CLOSED_FORE
        return None


def harm_choices(_context, uow) -> list[tuple[str, str]]:
    return [(item.name, item.id) for item in memo_service.social_harm_choices(uow, include_inactive=True)]


def year_choices(_context, uow) -> list[int]:
    """The years memoranda were signed in (fill_years adds this year)."""
    return memorandum_years(uow)


def _memorandum_filter(v: dict[str, Any]) -> memo_service.MemorandumFilter:
    values: dict[str, Any] = {
        "search": v["text"],
        "county_id": v["county"],
        "party_kind": v["party"],
        "social_harm_id": v["harm"],
        "state": v["state"],
        "jalali_year": v["year"],
        "overdue": bool(v["overdue"]),
        "waiting": bool(v.get("waiting")),
    }
    return memo_service.MemorandumFilter(**values)


KIND = ListKind(
    prefix="memorandum",
    noun="تفاهم‌نامه",
    columns=COLUMNS,
    count=memo_service.count_memoranda,
    page=memo_service.list_memorandum_page,
    filter_type=memo_service.MemorandumFilter,
    make_filter=_memorandum_filter,
    search_placeholder="جستجو در شماره و عنوان… (Ctrl+F)",
    filters=(
        ListFilter("county", "ش&هرستان:", "memorandumCountyFilter", county_choices, scoped=True),
        ListFilter(
            "party",
            "&طرف:",
            "memorandumPartyFilter",
            lambda _c, _u: [(label, key) for key, label in rules.PARTY_LABELS.items()],
        ),
        ListFilter("harm", "&آسیب:", "memorandumHarmFilter", harm_choices),
        ListFilter(
            "state",
            "&وضعیت:",
            "memorandumStateFilter",
            lambda _c, _u: [(label, key) for key, label in rules.STATE_LABELS.items()],
        ),
        ListFilter("year", "&سال:", "memorandumYearFilter", year_choices, years=True, refill=True),
        ListFilter("overdue", "&موعد:", "memorandumOverdueFilter", lambda _c, _u: [(OVERDUE_TEXT, True)]),
    ),
    actions=(
        new_action("تفاهم‌نامه جدید", "newMemorandumButton"),
        edit_action("باز کردن", "openMemorandumButton", key="open"),
        ListAction(
            "progress",
            "گزارش پیشرفت",
            "memorandumProgressButton",
            opens=lambda page, row: page.make_progress_dialog(row.id),
        ),
        ListAction(
            "payment",
            "پرداخت",
            "memorandumPaymentButton",
            opens=lambda page, row: page.make_payment_dialog(row.id),
        ),
    ),
    activate="open",
    empty_all=EMPTY_REGISTER,
    empty_filtered=EMPTY_FILTERED,
    sort_column=next(i for i, c in enumerate(COLUMNS) if c.header == "انعقاد"),
    descending=True,
    model=MemorandaModel,
)


class MemorandaPage(ListPage):
    """تفاهم‌نامه‌ها. ``apply_filter`` takes the combo keys (county, party, harm, state, year, overdue), "text"
    and "waiting" (tranches waiting for progress, the start page's tile; it ends when the clerk changes a
    filter).
    ``make_*`` hooks let tests see the dialogs."""

    KIND = KIND
    select_memorandum = ListPage.select_id

    def __init__(self, context, parent=None):
        self._waiting = False
        super().__init__(context, parent)
        self.combos["harm"].setMaximumWidth(180)
        self.search_edit.textChanged.connect(self._on_widgets_changed)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._on_widgets_changed)

    def current_filter(self) -> Any:
        values: dict[str, Any] = {key: combo.currentData() for key, combo in self.combos.items()}
        values["text"] = self.search_edit.text()
        values["waiting"] = self._waiting
        return self.KIND.make_filter(values)

    def apply_filter(self, values: dict) -> None:
        self._waiting = bool(values.get("waiting"))
        super().apply_filter(values)

    def _on_widgets_changed(self, *_args) -> None:
        """The clerk changed the search or a combo: the start page's «waiting» view ends there."""
        if self._waiting:
            self._waiting = False
            self._apply_widgets()

    # --- dialogs ------------------------------------------------------------------------------------

    def make_dialog(self, memorandum_id: str | None = None):
        from ostandari_desk.ui.memoranda.memorandum_dialog import MemorandumDialog

        return MemorandumDialog(self.context, memorandum_id, parent=self)

    def make_progress_dialog(self, memorandum_id: str):
        from ostandari_desk.ui.memoranda.progress_dialog import ProgressDialog

        return ProgressDialog(self.context, memorandum_id, self)

    def make_payment_dialog(self, memorandum_id: str):
        from ostandari_desk.ui.memoranda.payment_dialog import PaymentDialog

        return PaymentDialog(self.context, memorandum_id, self)
