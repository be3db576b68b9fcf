"""برنامه ماهانه سرزده: a county's unannounced plan for a Jalali month, done and pending.

The plan (services/inspections/plan.py) lists every active centre due that month, in its random order on its
planned working day. A county user's county is fixed; a manager picks any. Someone else asking is refused by
the service, and the refusal is shown on the page in Persian. «ثبت بازدید» opens a new visit of a pending row's
centre; a done row opens its visit.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ostandari_desk.domain.jalali import jalali_month_of, month_name
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import PermissionDeniedError, UserError
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import plan as plan_service
from ostandari_desk.ui.inspections.rows import Column, RowsModel, code_text, make_table, selected_row
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox

__all__ = ["PlanPage"]

COLUMNS = (
    Column("ردیف", lambda r: "", 50),  # filled by the model below (the row's place in the plan)
    Column("تاریخ برنامه", lambda r: r.planned_text, 95),
    Column("روز", lambda r: r.weekday_label, 80),
    Column("کد مرکز", lambda r: code_text(r.code), 110),
    Column("نام مرکز", lambda r: r.name, 240),
    Column("نوع مرکز", lambda r: r.category_name, 150),
    Column("وضعیت", lambda r: r.status_label, 90),
    Column("تاریخ بازدید", lambda r: r.visited_text if r.done else "", 95),
)
REFUSED_STYLE = "color: #b71c1c; font-weight: bold;"


class _PlanModel(RowsModel):
    """The plan's rows, numbered in their order."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == 0 and role == Qt.ItemDataRole.DisplayRole:
            return format_number(index.row() + 1)
        return super().data(index, role)


class PlanPage(QWidget):
    """``PlanPage(context, parent=None)``. ``show_plan(county_id, year, month)`` reads and shows a plan
    (None when refused or failed; the page then says why)."""

    open_area = Signal(str, dict)
    plan_shown = Signal(object)

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planPage")
        self.context = context
        self.plan: plan_service.Plan | None = None
        self.last_dialog: QWidget | None = None
        self._build()
        self._fill_choices()
        self.county_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.year_spin.valueChanged.connect(lambda _v: self.refresh())
        self.month_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _i: self._on_activated())
        self.visit_button.clicked.connect(self.record_visit)
        self.open_button.clicked.connect(self.open_done_visit)
        self.print_button.clicked.connect(self.print_plan)
        self.refresh()

    def _build(self) -> None:
        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("planCountyCombo")
        self.county_combo.setMinimumWidth(160)
        self.year_spin = PersianIntSpinBox(self, minimum=1380, maximum=1435)
        self.year_spin.setObjectName("planYearSpin")
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("planMonthCombo")
        for m in range(1, 13):
            self.month_combo.addItem(month_name(m), m)
        top = QHBoxLayout()
        for caption, widget in (
            ("&شهرستان:", self.county_combo),
            ("&سال:", self.year_spin),
            ("&ماه:", self.month_combo),
        ):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget)
        top.addStretch(1)
        self.print_button = QPushButton("چاپ برنامه", self)
        self.print_button.setObjectName("planPrintButton")
        from ostandari_desk.reports.registry import REPORTS

        self.print_button.setVisible("plan" in REPORTS)
        top.addWidget(self.print_button)

        self.note = QLabel(
            "روز و ترتیب بازدیدها تصادفی است و فقط مدیران و کارشناسان همان شهرستان آن را می‌بینند؛ "
            "برنامه را پیش از بازدید به مراکز اعلام نکنید.",
            self,
        )
        self.note.setObjectName("planNote")
        self.note.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("planStatus")
        self.status.setWordWrap(True)
        self.model = _PlanModel(COLUMNS, self, lambda r: ("#1b5e20", False) if r.done else None)
        self.table = make_table(self, self.model, "planTable")
        self.visit_button = QPushButton("ثبت بازدید", self)
        self.visit_button.setObjectName("planVisitButton")
        self.open_button = QPushButton("نمایش بازدید", self)
        self.open_button.setObjectName("planOpenButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.visit_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def _fill_choices(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)
        self.county_combo.blockSignals(True)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        self.county_combo.setEnabled(self.context.actor.county_scope is None and len(counties) > 1)
        self.county_combo.blockSignals(False)
        year, month = jalali_month_of(date.today())
        for widget in (self.year_spin, self.month_combo):
            widget.blockSignals(True)
        self.year_spin.setValue(year)
        self.month_combo.setCurrentIndex(month - 1)
        for widget in (self.year_spin, self.month_combo):
            widget.blockSignals(False)

    # --- the plan ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        county_id = self.county_combo.currentData()
        if county_id:
            self.show_plan(county_id, int(self.year_spin.value()), int(self.month_combo.currentData()))
        else:
            self._show_message("شهرستانی برای نمایش برنامه نیست.")

    def _show_message(self, text: str, refused: bool = False) -> None:
        self.plan = None
        self.model.set_rows([])
        self.status.setText(text)
        self.status.setStyleSheet(REFUSED_STYLE if refused else "")
        self._update_buttons()

    def show_plan(self, county_id: str, year: int, month: int) -> plan_service.Plan | None:
        try:
            plan = plan_service.monthly_plan(self.context.uow(), county_id, year, month)
        except PermissionDeniedError as exc:
            self._show_message(exc.message, refused=True)
            return None
        except UserError as exc:
            self._show_message(exc.message)
            return None
        self.plan = plan
        self.model.set_rows(plan.rows)
        self.status.setStyleSheet("")
        if plan.rows:
            self.status.setText(
                f"برنامه {plan.county_name} در {plan.month_label}: {format_number(len(plan.rows))} مرکز؛ "
                f"{format_number(plan.done_count)} انجام‌شده، {format_number(plan.pending_count)} در انتظار."
            )
        else:
            self.status.setText(f"در {plan.month_label} مرکزی از {plan.county_name} موعد بازدید ندارد.")
        self._update_buttons()
        self.plan_shown.emit(plan)
        return plan

    # --- visits -----------------------------------------------------------------------------------

    def selected(self) -> plan_service.PlanRow | None:
        return selected_row(self.table)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.visit_button.setEnabled(row is not None and not row.done)
        self.open_button.setEnabled(row is not None and row.done)
        self.print_button.setEnabled(self.plan is not None)

    def _on_activated(self) -> None:
        row = self.selected()
        if row is not None:
            (self.open_done_visit if row.done else self.record_visit)()

    def record_visit(self) -> QWidget | None:
        """A new visit of the selected pending centre; the plan is read again once it is saved."""
        row = self.selected()
        if row is None or row.done:
            return None
        return self._open(centre_id=row.centre_id)

    def open_done_visit(self) -> QWidget | None:
        row = self.selected()
        if row is None or not row.done:
            return None
        return self._open(visit_id=row.visit_id)

    def _open(self, **which) -> QWidget | None:
        from ostandari_desk.ui.inspections.area import open_visit_dialog

        dialog = open_visit_dialog(self, self.context, **which)
        if dialog is not None:
            self.last_dialog = dialog
            dialog.accepted.connect(self.refresh)
        return dialog

    def print_plan(self) -> None:
        """The plan on paper: the reports page with the ``plan`` report of this county and month."""
        if self.plan is None:
            return
        self.open_area.emit(
            "reports",
            {
                "report": "plan",
                "county_id": self.plan.county_id,
                "county_name": self.plan.county_name,
                "year": self.plan.jalali_year,
                "month": self.plan.jalali_month,
                "generate": True,
            },
        )

    def apply_filter(self, filters: dict) -> None:
        if filters.get("county_id"):
            index = self.county_combo.findData(filters["county_id"])
            if index >= 0:
                self.county_combo.setCurrentIndex(index)
        if filters.get("year"):
            self.year_spin.setValue(int(filters["year"]))
        if filters.get("month"):
            self.month_combo.setCurrentIndex(int(filters["month"]) - 1)
