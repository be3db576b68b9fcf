"""All visits (بازدیدها): search by centre, filters county / category / result / kind / Jalali year and
month / state, a paged table sorted in SQL with the result coloured; open a visit or record a new one.

The result filter also offers «بحرانی» (a serious result or a critical finding): the start page's tile
«بازدید با یافته بحرانی» opens this list with ``apply_filter({"year", "month", "critical": True})``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from ostandari_desk.domain.inspections import RESULT_LABELS, VISIT_KIND_LABELS
from ostandari_desk.domain.jalali import month_name, today_jalali_year
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.ui.inspections.centres_page import centre_categories
from ostandari_desk.ui.inspections.common import result_brushes
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

STATE_LABELS = {"open": "باز", "closed": "بسته"}
CRITICAL = "critical"  # the result filter's «بحرانی»: VisitFilter(critical=True)
CRITICAL_LABEL = "بحرانی"
CRITICAL_TIP = "بازدیدهای با نتیجه «تخلف جدی» یا یافته بحرانی"
YEARS_BACK = 5
COLUMNS = (
    PagedColumn("تاریخ", "inspected_at", lambda r: r.date_text, width=90),
    PagedColumn("ساعت", "inspected_at", lambda r: r.time_text, width=50),
    PagedColumn("مرکز", "centre", lambda r: r.centre_name, width=200),
    PagedColumn("کد مرکز", "centre", lambda r: r.centre_code, width=80),
    PagedColumn("نوع مرکز", "category", lambda r: r.category_name, width=140),
    PagedColumn("شهرستان", "county", lambda r: r.county_name, width=100),
    PagedColumn("نوع بازدید", "inspected_at", lambda r: r.kind_label, width=80),
    PagedColumn("امتیاز", "score", lambda r: "—" if r.score is None else f"{r.score}٪", True, width=60),
    PagedColumn("نتیجه", "result", lambda r: r.result_label, True, width=100),
    PagedColumn("یافته‌ها", "inspected_at", lambda r: r.finding_count or "", True, width=60),
    PagedColumn("وضعیت", "inspected_at", lambda r: STATE_LABELS.get(r.state, r.state), True, width=50),
)
RESULT_COLUMN = 8
EMPTY_ALL = (
    "هنوز بازدیدی ثبت نشده است.\n"
    "با «بازدید جدید» بازدیدی را ثبت کنید، یا در فهرست مراکز مرکزی را برگزینید و «ثبت بازدید» را بزنید."
)
EMPTY_FILTERED = "بازدیدی با این جستجو و پالایه‌ها پیدا نشد؛ پالایه‌ها را روی «همه» بگذارید."


class VisitsModel(PagedTableModel):
    def extra_data(self, row, role: int):
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            brushes = result_brushes(row.result)
            if brushes is not None:
                return brushes[0] if role == Qt.ItemDataRole.BackgroundRole else brushes[1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if (
            role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
            and index.isValid()
            and index.column() != RESULT_COLUMN
        ):
            return None
        return super().data(index, role)


def _results(_context, _uow) -> list[tuple[str, str]]:
    return [(label, str(key)) for key, label in RESULT_LABELS.items()] + [(CRITICAL_LABEL, CRITICAL)]


def _years(_context, _uow) -> range:
    this_year = today_jalali_year()
    return range(this_year - YEARS_BACK, this_year + 1)


def _centre_file(page, row):
    from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

    return CentreFileDialog(page.context, row.centre_id, page)


def _visit_filter(v: dict[str, Any]) -> visit_service.VisitFilter:
    kind, result = v["kind"], v["result"]
    return visit_service.VisitFilter(
        text=v["text"],
        county_id=v["county"],
        category_id=v["category"],
        year=v["year"],
        month=v["month"],
        result=None if result == CRITICAL else result,
        critical=result == CRITICAL,
        announced=None if kind is None else kind == "announced",
        state=v["state"],
    )


KIND = ListKind(
    prefix="visit",
    noun="بازدید",
    columns=COLUMNS,
    count=visit_service.count_visits,
    page=visit_service.list_visit_page,
    filter_type=visit_service.VisitFilter,
    make_filter=_visit_filter,
    search_placeholder="جستجوی مرکز با کد یا نام… (Ctrl+F)",
    filters=(
        ListFilter("county", "ش&هرستان:", "visitCountyFilter", county_choices, scoped=True),
        ListFilter("category", "&نوع مرکز:", "visitCategoryFilter", centre_categories),
        ListFilter("result", "&نتیجه:", "visitResultFilter", _results),
        ListFilter(
            "kind",
            "نوع &بازدید:",
            "visitKindFilter",
            lambda _c, _u: [
                (label, "announced" if a else "unannounced") for a, label in VISIT_KIND_LABELS.items()
            ],
        ),
        ListFilter("year", "&سال:", "visitYearFilter", _years, years=True),
        ListFilter(
            "month",
            "&ماه:",
            "visitMonthFilter",
            lambda _c, _u: [(month_name(m), m) for m in range(1, 13)],
            requires="year",
        ),
        ListFilter(
            "state", "&وضعیت:", "visitStateFilter", lambda _c, _u: [(v, k) for k, v in STATE_LABELS.items()]
        ),
    ),
    actions=(
        new_action("بازدید جدید", "newVisitButton"),
        edit_action("باز کردن", "openVisitButton", key="open"),
        ListAction("file", "پرونده مرکز", "visitCentreFileButton", opens=_centre_file),
    ),
    activate="open",
    empty_all=EMPTY_ALL,
    empty_filtered=EMPTY_FILTERED,
    sort_column=0,
    descending=True,
    model=VisitsModel,
)


class VisitsPage(ListPage):
    """بازدیدها. ``make_dialog`` lets tests see the visit form."""

    KIND = KIND

    def _fill_filters(self, refill_only: bool = False) -> None:
        super()._fill_filters(refill_only)
        index = self.result_combo.findData(CRITICAL)
        self.result_combo.setItemData(index, CRITICAL_TIP, Qt.ItemDataRole.ToolTipRole)

    def apply_filter(self, values: dict) -> None:
        """As ``ListPage.apply_filter``; ``"critical": True`` chooses «بحرانی» in the result filter."""
        values = dict(values)
        if values.pop("critical", False):
            values["result"] = CRITICAL
        super().apply_filter(values)

    # --- actions ------------------------------------------------------------------------------------

    def make_dialog(self, visit_id: str | None = None):
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

        return VisitDialog(self.context, visit_id=visit_id, parent=self)
