"""The centres register (مراکز): search, county / category / licensing agency / active filters, a paged
table sorted in SQL, and the centre's dialog, file and a new visit from the selected row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ostandari_desk.errors import UserError
from ostandari_desk.services.inspections import centres as centre_service
from ostandari_desk.ui import errors as ui_errors
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

COLUMNS = (
    PagedColumn("کد", "code", lambda r: r.code, width=80, sample="۰۸-۸-۰۰۰۸۸"),
    PagedColumn("نام مرکز", "name", lambda r: r.name, width=220),
    PagedColumn("نوع", "category", lambda r: r.category_name, width=150),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=100),
    PagedColumn("دستگاه صادرکننده مجوز", "agency", lambda r: r.licensing_agency, width=190),
    PagedColumn("بهره‌بردار", "name", lambda r: r.operator, width=150),
    PagedColumn("تلفن", "name", lambda r: r.phone, width=100, sample="۰۹۱۸۸۸۸۸۸۸۸"),
    PagedColumn("وضعیت", "name", lambda r: r.active_label, True, width=70),
    PagedColumn("آخرین بازدید", "name", lambda r: r.last_visit_text or "—", True, width=90),
)
EMPTY_REGISTER = (
    "هنوز مرکزی ثبت نشده است.\n"
    "با دکمه «افزودن» نخستین مرکز را ثبت کنید، یا فهرست مراکز را از «پرونده ← ورود از اکسل» بیاورید."
)
EMPTY_FILTERED = (
    "مرکزی با این جستجو و پالایه‌ها پیدا نشد.\nعبارت جستجو را کوتاه‌تر کنید یا پالایه‌ها را روی «همه» بگذارید."
)
_INACTIVE = QBrush(QColor("#8a8f98"))


class CentresModel(PagedTableModel):
    def extra_data(self, row, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return _INACTIVE
        return None


def centre_categories(_context, uow) -> list[tuple[str, str]]:
    return [(item.name, item.id) for item in centre_service.category_choices(uow, include_inactive=True)]


def _centre_filter(v: dict[str, Any]) -> centre_service.CentreFilter:
    active = v["active"]
    return centre_service.CentreFilter(
        search=v["text"],
        county_id=v["county"],
        category_id=v["category"],
        licensing_agency=v["agency"],
        active=None if active is None else active == "active",
    )


KIND = ListKind(
    prefix="centre",
    noun="مرکز",
    columns=COLUMNS,
    count=centre_service.count_centres,
    page=centre_service.list_centre_page,
    filter_type=centre_service.CentreFilter,
    make_filter=_centre_filter,
    search_placeholder="جستجو در کد، نام و بهره‌بردار مرکز… (Ctrl+F)",
    filters=(
        ListFilter("county", "ش&هرستان:", "centreCountyFilter", county_choices, scoped=True),
        ListFilter("category", "&نوع:", "centreCategoryFilter", centre_categories),
        ListFilter(
            "agency",
            "&دستگاه مجوز:",
            "centreAgencyFilter",
            lambda _c, uow: [(a, a) for a in centre_service.licensing_agencies(uow)],
            refill=True,
        ),
        ListFilter(
            "active",
            "&وضعیت:",
            "centreActiveFilter",
            lambda _c, _u: [("فعال", "active"), ("غیرفعال", "inactive")],
        ),
    ),
    actions=(
        new_action("افزودن", "newCentreButton"),
        edit_action("ویرایش", "editCentreButton"),
        ListAction("active", "غیرفعال‌سازی", "toggleCentreActiveButton", "toggle_active"),
        ListAction("file", "پرونده مرکز", "centreFileButton", opens=lambda page, row: page.make_file(row.id)),
        ListAction(
            "visit",
            "ثبت بازدید",
            "newCentreVisitButton",
            opens=lambda page, row: page.make_visit_dialog(row.id),
        ),
    ),
    activate="file",
    empty_all=EMPTY_REGISTER,
    empty_filtered=EMPTY_FILTERED,
    sort_column=1,
    descending=False,
    model=CentresModel,
)


class CentresPage(ListPage):
    """مراکز. ``make_*`` hooks let tests see the dialogs."""

    KIND = KIND
    select_centre = ListPage.select_id

    def _selection_changed(self, row) -> None:
        self.active_button.setText("غیرفعال‌سازی" if row is None or row.active else "فعال‌سازی")

    # --- actions ------------------------------------------------------------------------------------

    def make_dialog(self, centre_id: str | None = None):
        from ostandari_desk.ui.inspections.centre_dialog import CentreDialog

        return CentreDialog(self.context, centre_id, self)

    def make_file(self, centre_id: str):
        from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

        return CentreFileDialog(self.context, centre_id, self)

    def make_visit_dialog(self, centre_id: str):
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

        return VisitDialog(self.context, centre_id=centre_id, parent=self)

    def toggle_active(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        verb = "غیرفعال" if row.active else "فعال"
        note = (
            " مرکز غیرفعال از برنامه بازدید ماهانه و «مراکز مقرر» جدول پوشش بیرون می‌رود."
            if row.active
            else ""
        )
        if not self.confirm(self, f"{verb}‌سازی مرکز", f"مرکز «{row.name}» {verb} شود؟{note}"):
            return
        try:
            with self.context.uow() as uow:
                version = centre_service.get_centre(uow, row.id).row_version
            centre_service.set_centre_active(self.context.uow(), row.id, not row.active, version)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.after_save(row.id)
