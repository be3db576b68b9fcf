"""What an import said, for the screen: a Persian summary line (saying where the bad rows' workbook was
written) and a table model of its row errors, shown in full: ``wrap_reasons(view)`` wraps a long reason
over several lines of its row instead of cutting it with «…»."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.services.transfer import ImportReport, RowError

__all__ = ["ERROR_HEADERS", "ErrorTableModel", "import_summary", "wrap_reasons"]

LRI, PDI = "\u2066", "\u2069"  # a path is laid out left to right inside the Persian line

ERROR_HEADERS = ("ردیف", "ستون", "علت")
_ROOT = QModelIndex()


def import_summary(report: ImportReport) -> str:
    """One Persian line with Persian digits, saying plainly whether anything was stored.

    e.g. «۹۸۰ ردیف سالم بود و ۲۰ ردیف خطا داشت؛ هیچ چیز ذخیره نشد» (all or nothing, refused) or
    «۹۸۰ سمن افزوده شد، ۲۰ ردیف خطا داشت و در پرونده «…/سمن‌ها-خطا.xlsx» نوشته شد» (skip bad rows).
    """
    fa = format_number
    unit = report.label or "ردیف"
    bad = report.bad_rows
    good = max(report.rows_read - bad, 0)
    if report.rows_read == 0:
        return "پرونده هیچ ردیف داده‌ای نداشت؛ چیزی ذخیره نشد"
    if report.dry_run:
        parts = [f"بررسی بدون ذخیره: {fa(good)} ردیف سالم بود"]
        if report.added:
            parts.append(f"{fa(report.added)} {unit} افزوده می‌شد")
        if report.updated:
            parts.append(f"{fa(report.updated)} {unit} به‌روز می‌شد")
        if report.unchanged:
            parts.append(f"{fa(report.unchanged)} {unit} پیش‌تر ثبت شده است")
        if bad:
            parts.append(f"{fa(bad)} ردیف خطا داشت")
        return "، ".join(parts) + "؛ چیزی ذخیره نشد"
    if bad and not report.stored:
        return f"{fa(good)} ردیف سالم بود و {fa(bad)} ردیف خطا داشت؛ هیچ چیز ذخیره نشد"
    parts = [f"{fa(report.added)} {unit} افزوده شد"]
    if report.updated:
        parts.append(f"{fa(report.updated)} {unit} به‌روز شد")
    if report.unchanged:
        parts.append(f"{fa(report.unchanged)} {unit} پیش‌تر ثبت شده بود و تغییری نکرد")
    if bad:
        path = report.bad_rows_path
        written = f" و در پرونده «{LRI}{path}{PDI}» نوشته شد" if path else ""
        parts.append(f"{fa(bad)} ردیف خطا داشت{written}")
    if not report.added and not report.updated and report.unchanged and not bad:
        parts.append("این پرونده پیش‌تر وارد شده است")
    return "، ".join(parts)


class ErrorTableModel(QAbstractTableModel):
    """Every RowError of a report: row number (Persian digits), column header, reason."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._errors: list[RowError] = []

    def set_errors(self, errors: Sequence[RowError]) -> None:
        self.beginResetModel()
        self._errors = list(errors)
        self.endResetModel()

    def error_at(self, row: int) -> RowError:
        return self._errors[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._errors)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(ERROR_HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._errors):
            return None
        error = self._errors[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return to_persian_digits((error.row, error.column, error.reason)[column])
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return to_persian_digits(error.reason)  # a long reason does not fit the cell
        if role == Qt.ItemDataRole.UserRole:
            return error.row
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(ERROR_HEADERS):
            return ERROR_HEADERS[section]
        return None


class _RowHeights(QObject):
    """Rows as tall as their wrapped reason: the rows in sight are measured as the view scrolls or its
    columns change (measuring tens of thousands of errors at once would freeze the dialog)."""

    def __init__(self, view: QTableView):
        super().__init__(view)
        self._view = view
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.fit_visible)
        view.verticalScrollBar().valueChanged.connect(self._timer.start)
        view.horizontalHeader().sectionResized.connect(self._timer.start)
        model = view.model()
        model.modelReset.connect(self._timer.start)
        model.layoutChanged.connect(self._timer.start)

    def fit_visible(self) -> None:
        view = self._view
        rows = view.model().rowCount()
        if rows == 0:
            return
        first = max(view.rowAt(0), 0)
        last = view.rowAt(view.viewport().height() - 1)
        last = rows - 1 if last < 0 else last
        for row in range(first, min(last + 2, rows)):  # one more: a grown row pulls the next into sight
            view.resizeRowToContents(row)


def wrap_reasons(view: QTableView) -> None:
    """The error table: the reason column takes the room left and wraps (no «…»); the row and column
    number columns fit their contents."""
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    _RowHeights(view)
