"""دفاتر تسهیلگری: the facilitation offices register — search (name, neighbourhoods), county and state
filters, a sorted paged table, the office dialog, and a new memorandum funding the selected office."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ostandari_desk.services.memoranda import offices as office_service
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

__all__ = ["KIND", "OfficesPage"]


def _projects(row: office_service.OfficeRow) -> str:
    if not row.projects:
        return "—"
    return f"{row.projects} ({row.active_projects} جاری)"


COLUMNS = (
    PagedColumn("نام دفتر", "name", lambda r: r.name, width=220),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=100),
    PagedColumn("محله‌ها", "name", lambda r: r.neighbourhoods or "—", width=220),
    PagedColumn("سمن مجری", "name", lambda r: r.ngo_name or "—", width=190),
    PagedColumn("تاریخ گشایش", "opened", lambda r: r.opened_text or "—", True, width=90),
    PagedColumn("بودجه (ریال)", "budget", lambda r: r.budget_text, True, width=130),
    PagedColumn("وضعیت", "state", lambda r: r.state_label, width=110),
    PagedColumn("پروژه‌ها", "name", _projects, True, width=90),
)
EMPTY_REGISTER = (
    "هنوز دفتر تسهیلگری ثبت نشده است.\n"
    "با دکمه «افزودن» نخستین دفتر را ثبت کنید، یا فهرست دفترها را از «پرونده ← ورود از اکسل» بیاورید."
)
EMPTY_FILTERED = (
    "دفتری با این جستجو و پالایه‌ها پیدا نشد.\nعبارت جستجو را کوتاه‌تر کنید یا پالایه‌ها را روی «همه» بگذارید."
)
_CLOSED = QBrush(QColor("#8a8f98"))
_IDLE = QBrush(QColor("#8a4b00"))


class OfficesModel(PagedTableModel):
    """Closed offices grey; an open office without an active project in amber."""

    def extra_data(self, row, role: int):
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.state == "closed":
                return _CLOSED
            if row.state == "open" and not row.active_projects:
                return _IDLE
        if role == Qt.ItemDataRole.ToolTipRole and row.state == "open" and not row.active_projects:
            return "این دفتر فعال است ولی تفاهم‌نامه جاری ندارد"
        return None


def _office_filter(v: dict[str, Any]) -> office_service.OfficeFilter:
    return office_service.OfficeFilter(
        search=v["text"], county_id=v["county"], state=v["state"], idle=bool(v.get("idle"))
    )


KIND = ListKind(
    prefix="office",
    noun="دفتر",
    columns=COLUMNS,
    count=office_service.count_offices,
    page=office_service.list_office_page,
    filter_type=office_service.OfficeFilter,
    make_filter=_office_filter,
    search_placeholder="جستجو در نام دفتر و محله‌ها… (Ctrl+F)",
    filters=(
        ListFilter("county", "ش&هرستان:", "officeCountyFilter", county_choices, scoped=True),
        ListFilter(
            "state",
            "&وضعیت:",
            "officeStateFilter",
            lambda _c, _u: [(label, code) for code, label in office_service.STATE_LABELS.items()],
        ),
    ),
    actions=(
        new_action("افزودن", "newOfficeButton"),
        edit_action("ویرایش", "editOfficeButton"),
        ListAction(
            "memorandum",
            "تفاهم‌نامه تازه برای این دفتر",
            "newOfficeMemorandumButton",
            opens=lambda page, row: page.make_memorandum_dialog(row.id),
        ),
    ),
    activate="edit",
    empty_all=EMPTY_REGISTER,
    empty_filtered=EMPTY_FILTERED,
    sort_column=0,
    descending=False,
    model=OfficesModel,
)


class OfficesPage(ListPage):
    """دفاتر تسهیلگری. ``apply_filter`` takes "text", the combo keys (county, state) and "idle" (open offices
    without an active memorandum, the start page's tile; it ends when the clerk changes a filter).
    ``make_*`` hooks let tests see the dialogs; ``refresh()`` reads the list again."""

    KIND = KIND
    select_office = ListPage.select_id

    def __init__(self, context, parent=None):
        self._idle = False
        super().__init__(context, parent)
        self.search_edit.textChanged.connect(self._on_widgets_changed)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._on_widgets_changed)

    def current_filter(self) -> Any:
        flt = super().current_filter()
        return replace(flt, idle=True) if self._idle else flt

    def apply_filter(self, values: dict) -> None:
        self._idle = bool(values.get("idle"))
        super().apply_filter(values)

    def _on_widgets_changed(self, *_args) -> None:
        """The clerk changed the search or a combo: the start page's «idle» view ends there."""
        if self._idle:
            self._idle = False
            self._apply_widgets()

    def make_dialog(self, office_id: str | None = None):
        from ostandari_desk.ui.memoranda.office_dialog import OfficeDialog

        return OfficeDialog(self.context, office_id, self)

    def make_memorandum_dialog(self, office_id: str):
        try:
            from ostandari_desk.ui.memoranda.memorandum_dialog import MemorandumDialog
        except ImportError:
            from ostandari_desk.errors import UserError

            raise UserError("فرم تفاهم‌نامه هنوز در دسترس نیست.") from None
        return MemorandumDialog(self.context, office_id=office_id, parent=self)

    def refresh(self) -> None:
        self.reload()
