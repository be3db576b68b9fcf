"""One list page for every record kind, built from the paged list and a short declaration of the kind.

A kind declares a ``ListKind``: its count/page service pair and filter type, its columns (header, SQL
sort key, cell, width), its filter combos, its buttons (with shortcuts, and whether they need a selected
row), its empty-state texts and what a double-click does. ``ListPage`` builds the page from it: the search
box and the combos, the table sorted in SQL, the empty state, the buttons with the count, Ctrl+F, buttons
enabled by the selection (mouse or keyboard), the selection kept across a re-query, dialogs opened from
the list and the list read again when they close, and the delete question. A page subclass adds only what
is its own (the centres' active toggle, the events' calendar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.widgets.paged_list import (
    ALL,
    PagedColumn,
    PagedListPage,
    PagedTableModel,
    ask_yes_no,
    fill_years,
    set_tab_chain,
)

__all__ = [
    "ListAction",
    "ListFilter",
    "ListKind",
    "ListPage",
    "county_choices",
    "delete_action",
    "edit_action",
    "fill_choices",
    "new_action",
]

EMPTY_STYLE = "color: #5a6470; font-size: 11pt;"


@dataclass(frozen=True)
class ListFilter:
    """A filter combo: ``page.<key>_combo``, «همه» then ``choices(context, uow)`` as (label, data) pairs.

    ``years``: the choices are Jalali years, shown newest first with this year (``fill_years``).
    ``refill``: read again on ``reload()`` (choices that grow with the data: years, agencies).
    ``scoped``: disabled for a county user (the list holds their county alone anyway).
    ``requires``: enabled only while the filter of that key has a value (a month needs a year).
    """

    key: str
    caption: str
    name: str
    choices: Callable[[Any, Any], Iterable[Any]]
    years: bool = False
    refill: bool = False
    scoped: bool = False
    requires: str = ""


@dataclass(frozen=True)
class ListAction:
    """A button: ``page.<key>_button`` running ``page.<run>()``, or opening the dialog ``opens(page, row)``
    (``row``: the selected row, None for an action without a selection) through ``page.open_dialog``.

    ``shortcut`` is bound on the page (and shown as the tooltip), ``table_shortcut`` on the table alone
    (Delete); ``needs_selection`` buttons are enabled only while a row is selected.
    """

    key: str
    text: str
    name: str
    run: str = ""
    opens: Callable[[Any, Any], QWidget] | None = None
    needs_selection: bool = True
    shortcut: str = ""
    table_shortcut: str = ""


def new_action(text: str, name: str) -> ListAction:
    """«… جدید» (Ctrl+N): the page's ``make_dialog(None)``."""
    return ListAction(
        "new",
        text,
        name,
        opens=lambda page, _row: page.make_dialog(None),
        needs_selection=False,
        shortcut="Ctrl+N",
    )


def edit_action(text: str, name: str, key: str = "edit") -> ListAction:
    """The selected record in the page's ``make_dialog(record_id)``."""
    return ListAction(key, text, name, opens=lambda page, row: page.make_dialog(row.id))


def delete_action(name: str) -> ListAction:
    """«حذف» (Delete on the table): ``ListPage.delete_selected`` asks, then ``ListKind.delete``."""
    return ListAction("delete", "حذف", name, "delete_selected", table_shortcut="Delete")


@dataclass(frozen=True)
class ListKind:
    """What a list page shows and does; ``make_filter`` turns {"text": search, key: combo data} into a filter.

    ``prefix`` names the widgets: «letter» gives lettersPage, letterSearchEdit, letterTable, letterCountLabel
    and lettersEmptyLabel (tests and the main window find them by these names).
    """

    prefix: str
    noun: str  # the count label: «۱۲ مرکز»
    columns: tuple[PagedColumn, ...]
    count: Callable[[Any, Any], int]
    page: Callable[..., list]
    filter_type: type
    make_filter: Callable[[dict[str, Any]], Any]
    search_placeholder: str
    filters: tuple[ListFilter, ...] = ()
    actions: tuple[ListAction, ...] = ()
    activate: str = ""  # the action (key) a double-click or Enter on a row runs
    empty_all: str = ""  # nothing recorded yet: what to do
    empty_filtered: str = ""  # nothing matches: widen the filters
    sort_column: int = 0
    descending: bool = True
    model: type[PagedTableModel] = PagedTableModel
    delete: Callable[[Any, str], object] | None = None  # (uow, id): the service behind delete_selected()
    delete_question: Callable[[Any], tuple[str, str]] | None = None  # row -> (title, question)


def county_choices(_context, uow) -> list[tuple[str, str]]:
    """The counties in the actor's scope (a county user: their own alone), for a county filter."""
    return [(c.name, c.id) for c in reference.counties_in_scope(uow)]


def fill_choices(combo: QComboBox, choices: Iterable[tuple[str, Any]]) -> None:
    """«همه» and ``choices``, keeping the chosen data when it is still there; no signal is sent."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(ALL, None)
    for label, data in choices:
        combo.addItem(label, data)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
    combo.blockSignals(False)


class ListPage(PagedListPage):
    """A page over ``KIND``; ``focus_search()``, ``apply_filter(dict)`` and ``reload()`` serve the main window."""

    KIND: ListKind

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        kind = self.KIND
        self.setObjectName(f"{kind.prefix}sPage")
        self.context = context
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog: QWidget | None = None
        self.combos: dict[str, QComboBox] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.empty_label: QLabel | None = None
        self.model = kind.model(
            context.uow,
            kind.columns,
            kind.count,
            kind.page,
            kind.filter_type(),
            sort_column=kind.sort_column,
            descending=kind.descending,
            parent=self,
        )
        self._build()
        self._fill_filters()
        self._connect()
        self.model.refresh()
        self._update_buttons()

    # --- construction -------------------------------------------------------------------------------

    def _build(self) -> None:
        kind = self.KIND
        self._make_search(f"{kind.prefix}SearchEdit", kind.search_placeholder)
        for spec in kind.filters:
            combo = self._combo(spec.name)
            self.combos[spec.key] = combo
            setattr(self, f"{spec.key}_combo", combo)
        filters = self._filter_bar([(spec.caption, self.combos[spec.key]) for spec in kind.filters])
        order = Qt.SortOrder.DescendingOrder if kind.descending else Qt.SortOrder.AscendingOrder
        widths = tuple(c.width for c in kind.columns)
        self._make_table(f"{kind.prefix}Table", widths, order, tuple(c.sample for c in kind.columns))
        view: QWidget = self.table
        if kind.empty_all:
            self.empty_label = QLabel(self)
            self.empty_label.setObjectName(f"{kind.prefix}sEmptyLabel")
            self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.empty_label.setWordWrap(True)
            self.empty_label.setStyleSheet(EMPTY_STYLE)
            self.stack = QStackedWidget(self)
            self.stack.addWidget(self.table)
            self.stack.addWidget(self.empty_label)
            view = self.stack
        for action in kind.actions:
            button = self._button(action.text, action.name)
            if action.shortcut:
                button.setToolTip(action.shortcut)
            self.buttons[action.key] = button
            setattr(self, f"{action.key}_button", button)
        buttons = self._button_row(tuple(self.buttons.values()), f"{kind.prefix}CountLabel")
        self.count_label.setMinimumWidth(110)
        self._lay_out(filters, view, buttons)
        set_tab_chain((self.search_edit, *self.combos.values(), self.table, *self.buttons.values()))

    def _lay_out(self, filters: QHBoxLayout, view: QWidget, buttons: QHBoxLayout) -> None:
        """The filter bar, the list and the button row, top to bottom (a page may put them in a tab)."""
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)

    def _fill_filters(self, refill_only: bool = False) -> None:
        specs = [s for s in self.KIND.filters if s.refill or not refill_only]
        if not specs:
            return
        with self.context.uow() as uow:
            loaded = {s.key: list(s.choices(self.context, uow)) for s in specs}
        for spec in specs:
            combo = self.combos[spec.key]
            if spec.years:
                fill_years(combo, loaded[spec.key])
            else:
                fill_choices(combo, loaded[spec.key])
            if spec.scoped and self.context.actor.county_scope is not None:
                combo.setEnabled(False)
        self._update_requires()

    def _update_requires(self) -> None:
        for spec in self.KIND.filters:
            if spec.requires:
                self.combos[spec.key].setEnabled(self.combos[spec.requires].currentData() is not None)

    def _connect(self) -> None:
        kind = self.KIND
        self._connect_filters(tuple(self.combos.values()))
        for spec in kind.filters:
            if spec.requires:
                self.combos[spec.requires].currentIndexChanged.connect(lambda _i: self._update_requires())
        self.model.total_changed.connect(self._on_model_total_changed)
        self.model.modelReset.connect(self._update_buttons)
        self._connect_selection()
        for action in kind.actions:
            run = self._runner(action)
            if action.key == kind.activate:
                self.table.activated.connect(run)
            self.buttons[action.key].clicked.connect(run)
            if action.shortcut:
                QShortcut(QKeySequence(action.shortcut), self, activated=run)
            if action.table_shortcut:
                QShortcut(QKeySequence(action.table_shortcut), self.table, activated=run)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

    def _runner(self, action: ListAction) -> Callable[..., None]:
        def run(*_args) -> None:
            row = self.selected_row()
            if action.needs_selection and row is None:
                return
            if action.opens is not None:
                opens = action.opens
                self.open_dialog(lambda: opens(self, row))
            else:
                getattr(self, action.run)()

        return run

    def run_action(self, key: str) -> None:
        """Do what the action's button does (the selection permitting)."""
        self._runner(next(a for a in self.KIND.actions if a.key == key))()

    # --- filter -------------------------------------------------------------------------------------

    def current_filter(self) -> Any:
        values: dict[str, Any] = {key: combo.currentData() for key, combo in self.combos.items()}
        for spec in self.KIND.filters:
            if spec.requires and values[spec.requires] is None:
                values[spec.key] = None
        values["text"] = self.search_edit.text()
        return self.KIND.make_filter(values)

    def apply_filter(self, values: dict) -> None:
        """Show the list filtered by ``values`` (the search "text" and combo keys; the rest back to «همه»)."""
        widgets: Sequence[QWidget] = (self.search_edit, *self.combos.values())
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search_edit.setText(values.get("text", ""))
            for spec in self.KIND.filters:
                combo = self.combos[spec.key]
                if not combo.isEnabled() and spec.scoped:
                    continue
                wanted = values.get(spec.key)
                if wanted is not None and spec.years and combo.findData(wanted) < 0:
                    fill_years(combo, [combo.itemData(i) for i in range(1, combo.count())] + [wanted])
                index = combo.findData(wanted) if wanted is not None else 0
                if index < 0 and wanted is not None:
                    index = combo.findData(str(wanted))
                combo.setCurrentIndex(max(index, 0))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._update_requires()
        self._apply_widgets()

    def _apply_widgets(self) -> None:
        selected = self.selected_id()
        super()._apply_widgets()
        if selected:
            self.select_id(selected)

    def _on_model_total_changed(self, total: int) -> None:
        kind = self.KIND
        self.count_label.setText(f"{format_number(total)} {kind.noun}")
        if self.empty_label is not None:
            filtered = self.current_filter() != kind.filter_type()
            self.empty_label.setText(kind.empty_filtered if filtered else kind.empty_all)
            self.stack.setCurrentWidget(self.empty_label if total == 0 else self.table)

    # --- selection ----------------------------------------------------------------------------------

    def selected_row(self) -> Any:
        """The frozen row selected (None when nothing is)."""
        return self.model.row_at(self.table.currentIndex().row()) if self.selected_id() else None

    def select_id(self, record_id: str) -> bool:
        """Select the record's row if it is loaded."""
        return self._select_id(record_id)

    def _update_buttons(self) -> None:
        row = self.selected_row()
        for action in self.KIND.actions:
            if action.needs_selection:
                self.buttons[action.key].setEnabled(row is not None)
        self._selection_changed(row)

    def _selection_changed(self, row: Any) -> None:
        """Hook: a page adjusts its own buttons to the selected row (None: nothing selected)."""

    # --- dialogs and the list read again --------------------------------------------------------

    def open_dialog(self, make: Callable[[], QWidget]) -> QWidget | None:
        """Build a dialog and open it; when it closes, read the list again and select what it saved.

        A record gone meanwhile (``make`` raises a UserError): say so and read the list again."""
        try:
            dialog = make()
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            self.reload()
            return None
        self.last_dialog = dialog
        selected = self.selected_id()
        dialog.finished.connect(lambda _r: self.after_save(getattr(dialog, "saved_id", None) or selected))
        dialog.open()
        return dialog

    def after_save(self, record_id: str | None) -> None:
        self.reload()
        if record_id:
            self.select_id(record_id)

    def reload(self) -> None:
        """Read the list (and the choices that grow with the data) again, keeping search and filters."""
        self._fill_filters(refill_only=True)
        self.model.refresh()

    def delete_selected(self) -> None:
        """Ask, then delete the selected record through ``KIND.delete``."""
        kind = self.KIND
        row = self.selected_row()
        if row is None or kind.delete is None or kind.delete_question is None:
            return
        title, question = kind.delete_question(row)
        if not self.confirm(self, title, question):
            return
        try:
            kind.delete(self.context.uow(), row.id)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
        self.reload()
