"""The NGO list's table model: pages of frozen NgoRow, filtered and sorted in SQL (Anki browser pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS
from ostandari_desk.domain.text import print_form, protect_hyphenated_numbers, rlm
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.ui.widgets.paged_list import ID_ROLE, PagedColumn, PagedTableModel

__all__ = ["COLUMNS", "COLUMN_OF", "ID_ROLE", "STATUS_LABELS", "NgoTableModel", "display_value"]

STATUS_LABELS = ngo_service.STATUS_LABELS

# (attribute of NgoRow, Persian header, service sort key)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "نام سازمان", "name"),
    ("national_id", "شناسه ملی", "national_id"),
    ("registration_no", "شماره ثبت", "registration_no"),
    ("county_name", "شهرستان", "county"),
    ("level", "سطح", "level"),
    ("ceo_name", "مدیرعامل", "ceo"),
    ("status", "وضعیت", "status"),
    ("licence_state", "وضعیت پروانه", "licence_state"),
)
COLUMN_OF = {attr: i for i, (attr, _h, _k) in enumerate(COLUMNS)}


def _sort_key_for(column: int) -> str:
    """The service sort key (``NGO_SORT_KEYS``) of ``column``."""
    key = COLUMNS[column][2]
    return key if key in ngo_service.NGO_SORT_KEYS else "name"


def display_value(attr: str, value: object) -> str:
    """What a cell shows: labels for codes, Persian digits for numbers and in free text (print_form)."""
    if value is None:
        return ""
    if attr == "level":
        return LEVEL_LABELS.get(value, str(value))
    if attr == "licence_state":
        return LICENCE_STATE_LABELS.get(value, str(value))
    if attr == "status":
        return STATUS_LABELS.get(value, str(value))
    return rlm(protect_hyphenated_numbers(print_form(str(value))))


def _show(attr: str) -> Callable[[object], str]:
    return lambda row: display_value(attr, getattr(row, attr))


_PAGED_COLUMNS = tuple(
    PagedColumn(header, _sort_key_for(i), _show(attr)) for i, (attr, header, _k) in enumerate(COLUMNS)
)


class NgoTableModel(PagedTableModel):
    """Rows come page by page (``PAGE`` at a time) as the view scrolls; sorting re-queries."""

    STRICT_TOTAL = True

    def __init__(self, uow_factory: Callable[[], Any], parent=None):
        super().__init__(
            uow_factory,
            _PAGED_COLUMNS,
            lambda uow, flt: ngo_service.count_ngos(uow, flt),
            lambda uow, flt, **kw: ngo_service.list_ngo_page(uow, flt, **kw),
            ngo_service.NgoFilter(),
            sort_column=0,
            descending=False,
            parent=parent,
        )

    def cell_text(self, row, column: int) -> str:
        return self._columns[column].show(row)

    def extra_data(self, row, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "inactive":
            from PySide6.QtGui import QColor

            return QColor("#8a8a8a")
        return None
