"""Latin digits typed in free text («پلاک 27») show as Persian digits on screen and stay stored as typed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel

from ostandari_desk.services.ngos import get_ngo
from ostandari_desk.ui.widgets.paged_list import PagedColumn, PagedTableModel

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

DISPLAY = Qt.ItemDataRole.DisplayRole


def _shown(text: str) -> str:
    return text.replace("\u200f", "").replace("\u200e", "")  # the bidi marks the cells carry


@dataclass(frozen=True)
class _Row:
    id: str
    subject: str
    number: str
    count: int


def test_a_paged_list_shows_free_text_with_persian_digits_and_keeps_latin_codes():
    rows = [_Row("a", "جلسه 3 با پلاک 27، سهم 30%", "45-B", 1200)]
    columns = (
        PagedColumn("موضوع", "subject", lambda r: r.subject),
        PagedColumn("شماره", "number", lambda r: r.number),
        PagedColumn("تعداد", "count", lambda r: r.count),
    )
    model = PagedTableModel(
        _NoUow, columns, lambda _uow, _flt: len(rows), lambda _uow, _flt, **_kw: rows[_kw["offset"] :], None
    )
    model.refresh()
    cell = [_shown(model.data(model.index(0, c), DISPLAY)) for c in range(3)]
    assert cell == ["جلسه ۳ با پلاک ۲۷، سهم ۳۰٪", "45-B", "۱۲۰۰"]
    assert model.row_at(0).subject == "جلسه 3 با پلاک 27، سهم 30%"  # the row itself is untouched


class _NoUow:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_ngo_list_and_view_show_persian_digits_and_store_what_was_typed(ctx, qtbot):
    from ostandari_desk.ui.ngos.list_model import COLUMN_OF, NgoTableModel
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    ngo_id = make_ngo(ctx, "انجمن 110 یاوران", address="قزوین، خیابان 17 شهریور، پلاک 27", ceo_name="علی 2")
    stored = get_ngo(ctx.uow(), ngo_id)
    assert stored.address == "قزوین، خیابان 17 شهریور، پلاک 27" and stored.name == "انجمن 110 یاوران"

    model = NgoTableModel(ctx.uow)
    model.refresh()
    assert _shown(model.data(model.index(0, COLUMN_OF["name"]), DISPLAY)) == "انجمن ۱۱۰ یاوران"
    assert _shown(model.data(model.index(0, COLUMN_OF["ceo_name"]), DISPLAY)) == "علی ۲"

    view = NgoView(ctx, ngo_id)
    qtbot.addWidget(view)
    view.show()
    shown = {}
    for row in range(view.details_form.rowCount()):
        label = view.details_form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = view.details_form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        assert isinstance(value, QLabel)
        shown[label.text()] = _shown(value.text())
    assert shown["نشانی:"] == "قزوین، خیابان ۱۷ شهریور، پلاک ۲۷"
    assert shown["نام سازمان:"] == "انجمن ۱۱۰ یاوران"
    assert shown["مدیرعامل:"] == "علی ۲"
    assert get_ngo(ctx.uow(), ngo_id).address == "قزوین، خیابان 17 شهریور، پلاک 27"  # showing stores nothing
