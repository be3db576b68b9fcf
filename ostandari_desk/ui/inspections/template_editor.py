"""The checklist draft editor (forms/template_editor.ui): title, pass score and the items in a table (add,
remove, move up and down), beside a «سابقه تغییرات» tab of the version and its items.

Only a draft is edited (services/inspections/templates.py). The table is read back into ``ItemSpec``s and
redrawn whole on a move, so each row's widgets stay simple. A refused save names the item («بند ۳») and the
row is selected; Esc or «انصراف» asks before throwing away changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ostandari_desk.domain.inspections import ANSWER_TYPE_LABELS, AnswerType
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.inspections import templates as template_service
from ostandari_desk.services.inspections.templates import ItemSpec
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.history import add_history_tab
from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox
from ostandari_desk.ui.widgets.paged_list import ask_yes_no

__all__ = ["TemplateDraftDialog"]

SECTION, TEXT, TYPE, MAX_SCORE, WEIGHT, CRITICAL = range(6)
HEADERS = ("بخش", "متن بند", "نوع پاسخ", "بیشینه امتیاز", "وزن", "حیاتی")


class TemplateDraftDialog(EditDialog):
    """``TemplateDraftDialog(context, template_id, parent=None)``: edit one draft; ``saved_id`` after save."""

    DISCARD_QUESTION = None  # reject() asks about the draft itself

    def __init__(self, context, template_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("templateDraftDialog")
        self.context = context
        self.template_id = template_id
        self.saved_id: str | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        detail = template_service.get_template(context.uow(), template_id)
        self._version = detail.row_version
        self.setWindowTitle(
            f"ویرایش پیش‌نویس چک‌لیست {detail.category_name} — نسخه {to_persian_digits(detail.version)}"
        )
        self._build()
        self.title_edit.setText(detail.title)
        self.pass_spin.setValue(detail.pass_score)
        self._render([i.to_spec() for i in detail.items])
        self._original = self.current()
        self.resize(1000, 600)

    # --- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        """The layout is forms/template_editor.ui; the table's columns and the history tab are set here."""
        f = self.form = load_form("template_editor", self)
        self.title_edit = child(f, QLineEdit, "templateTitleEdit")
        self.pass_spin = child(f, PersianIntSpinBox, "passScoreSpin")
        self.pass_spin.setRange(0, 100)
        self.table = child(f, QTableWidget, "draftItemTable")
        self.table.setColumnCount(len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((SECTION, 150), (TYPE, 170), (MAX_SCORE, 95), (WEIGHT, 70), (CRITICAL, 55)):
            self.table.setColumnWidth(column, width)
        self.add_button = child(f, QPushButton, "addItemButton")
        self.remove_button = child(f, QPushButton, "removeItemButton")
        self.up_button = child(f, QPushButton, "moveUpButton")
        self.down_button = child(f, QPushButton, "moveDownButton")
        box = child(f, QDialogButtonBox, "buttonBox")
        self.button_box = box
        self.save_button = self._label_buttons(box)
        self.tabs, self.history_tab = add_history_tab(
            self, f, box, self.context, self.template_id, "بندهای چک‌لیست"
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_item)
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button.clicked.connect(lambda: self.move_item(1))

    def field_widgets(self) -> dict[str, QWidget]:
        return {"title": self.title_edit, "pass_score": self.pass_spin, "items": self.table}

    # --- the table <-> specs ----------------------------------------------------------------------

    def _render(self, specs: list[ItemSpec], current: int = -1) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(len(specs))
        for r, spec in enumerate(specs):
            self.table.setItem(r, SECTION, QTableWidgetItem(spec.section))
            self.table.setItem(r, TEXT, QTableWidgetItem(spec.text))
            kind = QComboBox(self.table)
            for value, label in ANSWER_TYPE_LABELS.items():
                kind.addItem(label, str(value))
            kind.setCurrentIndex(max(kind.findData(str(spec.answer_type)), 0))
            self.table.setCellWidget(r, TYPE, kind)
            for column, value in ((MAX_SCORE, spec.max_score), (WEIGHT, spec.weight)):
                spin = PersianIntSpinBox(self.table, minimum=0, maximum=100)
                spin.setValue(int(value))
                self.table.setCellWidget(r, column, spin)
            critical = QTableWidgetItem()
            critical.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            )
            critical.setCheckState(Qt.CheckState.Checked if spec.critical else Qt.CheckState.Unchecked)
            self.table.setItem(r, CRITICAL, critical)
        self.table.setVerticalHeaderLabels([to_persian_digits(r + 1) for r in range(len(specs))])
        if 0 <= current < len(specs):
            self.select_item(current)

    def specs(self) -> list[ItemSpec]:
        """The items as the table holds them now."""
        found = []
        for r in range(self.table.rowCount()):
            kind = self.table.cellWidget(r, TYPE)
            max_score = self.table.cellWidget(r, MAX_SCORE)
            weight = self.table.cellWidget(r, WEIGHT)
            section, text, critical = (self.table.item(r, c) for c in (SECTION, TEXT, CRITICAL))
            found.append(
                ItemSpec(
                    section=section.text() if section else "",
                    text=text.text() if text else "",
                    answer_type=kind.currentData() if isinstance(kind, QComboBox) else AnswerType.YES_NO,
                    max_score=max_score.value() if isinstance(max_score, PersianIntSpinBox) else 0,
                    weight=weight.value() if isinstance(weight, PersianIntSpinBox) else 1,
                    critical=bool(critical and critical.checkState() == Qt.CheckState.Checked),
                )
            )
        return found

    def current(self) -> tuple:
        return (self.title_edit.text(), self.pass_spin.value(), tuple(self.specs()))

    def is_dirty(self) -> bool:
        return self.current() != self._original

    def current_row(self) -> int:
        return self.table.currentRow()

    def select_item(self, row: int) -> None:
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(self.table.model().index(row, TEXT), flags)
        self.table.scrollTo(self.table.model().index(row, TEXT))

    # --- editing ----------------------------------------------------------------------------------

    def add_item(self) -> None:
        """A new yes/no item after the selected one (in its section), or at the end."""
        specs = self.specs()
        at = self.current_row()
        section = specs[at].section if 0 <= at < len(specs) else (specs[-1].section if specs else "")
        position = at + 1 if at >= 0 else len(specs)
        specs.insert(position, ItemSpec(section=section, text=""))
        self._render(specs, position)
        self.table.editItem(self.table.item(position, TEXT))

    def remove_item(self) -> None:
        specs = self.specs()
        at = self.current_row()
        if 0 <= at < len(specs):
            del specs[at]
            self._render(specs, min(at, len(specs) - 1))

    def move_item(self, delta: int) -> None:
        specs = self.specs()
        at = self.current_row()
        to = at + delta
        if 0 <= at < len(specs) and 0 <= to < len(specs):
            specs[at], specs[to] = specs[to], specs[at]
            self._render(specs, to)

    # --- saving -----------------------------------------------------------------------------------

    def save(self) -> bool:
        """Store the draft; a refused item is selected and named in the message."""
        title, pass_score, specs = self.current()

        def store() -> None:
            try:
                template_service.save_draft(
                    self.context.uow(), self.template_id, title, pass_score, list(specs), self._version
                )
            except ValidationError as exc:
                if exc.field == "items" and exc.record and exc.record.isdigit():
                    self.select_item(int(exc.record) - 1)
                raise

        if not self._save_guarded(store):
            return False
        self.saved_id = self.template_id
        self._original = self.current()
        self.accept()
        return True

    def focus_field(self, field: str | None) -> bool:
        if field == "items":  # the row is selected already (save); focus stays on the table
            self.table.setFocus()
            return True
        return super().focus_field(field)

    def reject(self) -> None:
        if self.is_dirty() and not self.confirm(
            self, "کنار گذاشتن تغییرات", "تغییرات این پیش‌نویس ذخیره نشده است. کنار گذاشته شود؟"
        ):
            return
        super().reject()
