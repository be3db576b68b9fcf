"""The NGO list page: search-as-you-type, filters (and «پاک کردن فیلترها»), a paged sortable table and the
NGO actions. An empty desk guides the clerk to the first NGO or an import from Excel; a search that finds
nothing offers to clear the filters."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS, LicenceState
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.services import reference
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.ngos.list_model import STATUS_LABELS, NgoTableModel
from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog, ask_yes_no
from ostandari_desk.ui.widgets.paged_list import ALL, PagedListPage, set_tab_chain

EMPTY_DESK_TEXT = (
    "هنوز سمنی ثبت نشده است.\nنخستین سمن را ثبت کنید، یا فهرست سمن‌های اداره را از پرونده اکسل وارد کنید."
)
NOTHING_FOUND_TEXT = "هیچ سمنی با این جست‌وجو و فیلترها پیدا نشد."
CLEAR_FILTERS = "پاک کردن فیلترها"


class NgoListPage(PagedListPage):
    """The NGO registry. ``focus_search()`` and ``apply_filter(dict)`` serve the main window."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ngoListPage")
        self.context = context
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.last_dialog = None  # the dialog opened last (tests and the main window look at it)
        self._undo: Callable[[], None] | None = None

        self.model = NgoTableModel(context.uow, self)
        self._build()
        self._fill_filters()
        self._connect()
        self.model.refresh()
        self._update_buttons()

    # --- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self._make_search("ngoSearchEdit", "جستجو در نام، شناسه ملی، شماره ثبت، مدیرعامل…")
        self.county_combo = self._combo("countyFilter")
        self.level_combo = self._combo("levelFilter")
        self.field_combo = self._combo("fieldFilter")
        self.status_combo = self._combo("statusFilter")
        self.licence_combo = self._combo("licenceStateFilter")
        filters = self._filter_bar(
            (
                ("شهرستان:", self.county_combo),
                ("سطح:", self.level_combo),
                ("حوزه:", self.field_combo),
                ("وضعیت:", self.status_combo),
                ("پروانه:", self.licence_combo),
            )
        )
        self.clear_filters_button = self._button(CLEAR_FILTERS, "clearFiltersButton")
        self.clear_filters_button.setToolTip("جست‌وجو و همه فیلترها به «همه» برمی‌گردند")
        filters.addWidget(self.clear_filters_button)
        self._make_table("ngoTable", (260, 105, 75, 95, 70, 130, 60, 125), Qt.SortOrder.AscendingOrder)

        self.new_button = self._button("سمن جدید", "newNgoButton")
        self.new_button.setToolTip("Ctrl+N")
        self.edit_button = self._button("ویرایش", "editNgoButton")
        self.active_button = self._button("غیرفعال‌سازی", "toggleActiveButton")
        self.licence_button = self._button("پرونده پروانه", "licenceButton")
        self.view_button = self._button("نمایش", "viewNgoButton")
        buttons = self._button_row(
            (self.new_button, self.view_button, self.edit_button, self.active_button, self.licence_button),
            "ngoCountLabel",
        )

        # A message bar with an undo button («بازگردانی»), shown after a deactivation.
        self.message_bar = QFrame(self)
        self.message_bar.setObjectName("ngoMessageBar")
        self.message_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_label = QLabel(self.message_bar)
        self.undo_button = QPushButton("بازگردانی", self.message_bar)
        self.undo_button.setObjectName("undoButton")
        close = QPushButton("×", self.message_bar)
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.hide_message)
        bar = QHBoxLayout(self.message_bar)
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.message_label, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(close)
        self.message_bar.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        chain = [
            self.search_edit,
            self.county_combo,
            self.level_combo,
            self.field_combo,
            self.status_combo,
            self.licence_combo,
            self.clear_filters_button,
            self.table,
            self.new_button,
            self.view_button,
            self.edit_button,
            self.active_button,
            self.licence_button,
        ]
        set_tab_chain(chain)

    def _fill_filters(self) -> None:
        with self.context.uow() as uow:
            counties = reference.counties_in_scope(uow)  # a county user: their county alone
            fields = reference.list_items(uow, "field")
        self.county_combo.addItem(ALL, None)
        for county in counties:
            self.county_combo.addItem(county.name, county.id)
        if self.context.actor.county_scope is None:
            self.county_combo.addItem(ngo_service.PROVINCE_LABEL, ngo_service.PROVINCE_ONLY)
        self.level_combo.addItem(ALL, None)
        for key, label in LEVEL_LABELS.items():
            self.level_combo.addItem(label, str(key))
        self.field_combo.addItem(ALL, None)
        for item in fields:
            self.field_combo.addItem(item.name, item.id)
        self.status_combo.addItem(ALL, None)
        for key, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, key)
        self.licence_combo.addItem(ALL, None)
        for key, label in LICENCE_STATE_LABELS.items():
            self.licence_combo.addItem(label, str(key))
            if key == LicenceState.VALID:  # still marked valid, but past its expiry
                self.licence_combo.addItem(ngo_service.LICENCE_EXPIRED_LABEL, ngo_service.LICENCE_EXPIRED)

    def _connect(self) -> None:
        self._connect_filters(self._filter_combos())
        self.model.total_changed.connect(self._on_model_total_changed)
        # A re-query (filter, sort, save) keeps the selected NGO selected when it is still loaded.
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.table.activated.connect(lambda _index: self.view_selected())
        self._connect_selection()  # a mouse click enables the buttons as the arrow keys do
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.new_button.clicked.connect(self.new_ngo)
        self.edit_button.clicked.connect(self.edit_selected)
        self.view_button.clicked.connect(self.view_selected)
        self.active_button.clicked.connect(self.toggle_selected_active)
        self.licence_button.clicked.connect(self.open_licence_case)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_ngo)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (self.county_combo, self.level_combo, self.field_combo, self.status_combo, self.licence_combo)

    # --- filter ---------------------------------------------------------------------------------

    def apply_filter(self, values: dict) -> None:
        """Set the filter widgets from a dict (text, county_id, level, field_id, status, licence_state);
        ``action``: "new" then opens the new-NGO dialog, "import" the import from Excel (the start page's
        empty state)."""
        widgets = {
            "county_id": self.county_combo,
            "level": self.level_combo,
            "field_id": self.field_combo,
            "status": self.status_combo,
            "licence_state": self.licence_combo,
        }
        for combo in widgets.values():
            combo.blockSignals(True)
        self.search_edit.blockSignals(True)
        try:
            self.search_edit.setText(values.get("text", ""))
            for key, combo in widgets.items():
                wanted = values.get(key)
                index = combo.findData(str(wanted)) if wanted is not None else 0
                combo.setCurrentIndex(max(index, 0))
        finally:
            for combo in widgets.values():
                combo.blockSignals(False)
            self.search_edit.blockSignals(False)
        self._apply_widgets()
        if values.get("action") == "new":
            self.new_ngo()
        elif values.get("action") == "import":
            self.import_from_excel()

    def clear_filters(self) -> None:
        """The search box emptied and every filter back to «همه»."""
        self.apply_filter({})
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_filter(self):
        return ngo_service.NgoFilter(
            text=self.search_edit.text(),
            county_id=self.county_combo.currentData(),
            level=self.level_combo.currentData(),
            field_id=self.field_combo.currentData(),
            status=self.status_combo.currentData(),
            licence_state=self.licence_combo.currentData(),
        )

    def _on_model_total_changed(self, total: int) -> None:
        self.count_label.setText(f"{format_number(total)} سمن")
        filtered = self.current_filter() != ngo_service.NgoFilter()
        self.clear_filters_button.setEnabled(filtered)
        if filtered:
            self.empty_state.set_text(NOTHING_FOUND_TEXT)
            self.empty_state.set_actions(((CLEAR_FILTERS, "emptyClearFiltersButton", self.clear_filters),))
        else:
            self.empty_state.set_text(EMPTY_DESK_TEXT)
            self.empty_state.set_actions(
                (
                    ("ثبت نخستین سمن", "firstNgoButton", self.new_ngo),
                    ("ورود از اکسل…", "importNgosButton", self.import_from_excel),
                )
            )

    # --- selection ------------------------------------------------------------------------------

    def selected_row(self):
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_ngo(self, ngo_id: str) -> bool:
        return self._select_id(ngo_id)

    def _remember_selection(self) -> None:
        self._remembered = self.selected_id()

    def _restore_selection(self) -> None:
        remembered, self._remembered = getattr(self, "_remembered", None), None
        if remembered:
            self.select_ngo(remembered)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected_row() if self.selected_id() else None
        for button in (self.edit_button, self.view_button, self.active_button, self.licence_button):
            button.setEnabled(row is not None)
        inactive = row is not None and row.status == "inactive"
        self.active_button.setText("فعال‌سازی" if inactive else "غیرفعال‌سازی")

    # --- actions --------------------------------------------------------------------------------

    def make_ngo_dialog(self, ngo_id: str | None = None) -> NgoDialog:
        """Build (not show) the NGO dialog; tests use this to drive the dialog directly."""
        return NgoDialog(self.context, ngo_id, self)

    def make_ngo_view(self, ngo_id: str, licence_tab: bool = False):
        from ostandari_desk.ui.ngos.ngo_view import NgoView

        view = NgoView(self.context, ngo_id, self)
        if licence_tab:
            view.show_licence_tab()
        return view

    def new_ngo(self) -> None:
        self._open_dialog(self.make_ngo_dialog(None))

    def import_from_excel(self) -> None:
        """The import dialog on NGOs (the File menu's «ورود از اکسل…» with this list on screen)."""
        from ostandari_desk.ui.transfer.dialogs import ImportDialog
        from ostandari_desk.ui.transfer.menu import refresh_after_import

        window = self.window()
        dialog = ImportDialog(self.context, window, "ngos")
        if hasattr(window, "page"):  # the main window: every list showing NGOs is read again
            dialog.imported.connect(lambda kind: refresh_after_import(window, kind))
        else:
            dialog.imported.connect(lambda _kind: self._after_save(None))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()

    def edit_selected(self) -> None:
        ngo_id = self.selected_id()
        if ngo_id:
            self._open_dialog(self.make_ngo_dialog(ngo_id))

    def view_selected(self) -> None:
        ngo_id = self.selected_id()
        if ngo_id:
            self.open_ngo(ngo_id)

    def open_ngo(self, ngo_id: str, licence_tab: bool = False) -> None:
        try:
            view = self.make_ngo_view(ngo_id, licence_tab)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return
        view.changed.connect(self._reload_keep_selection)
        view.edit_requested.connect(lambda nid, v=view: self._edit_from_view(v, nid))
        self.last_dialog = view
        view.open()

    def _edit_from_view(self, view, ngo_id: str) -> None:
        dialog = self.make_ngo_dialog(ngo_id)
        dialog.setParent(view, dialog.windowFlags())
        dialog.accepted.connect(view.refresh_details)
        self._open_dialog(dialog)

    def open_licence_case(self) -> None:
        ngo_id = self.selected_id()
        if ngo_id:
            self.open_ngo(ngo_id, licence_tab=True)

    def _open_dialog(self, dialog: NgoDialog) -> None:
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self._after_save(dialog.saved_id))
        dialog.open()

    def _after_save(self, ngo_id: str | None) -> None:
        self.model.refresh()
        if ngo_id:
            self.select_ngo(ngo_id)

    def _reload_keep_selection(self) -> None:
        self._after_save(self.selected_id())

    def toggle_selected_active(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        activate = row.status == "inactive"
        if not activate and not self.confirm(
            self, "غیرفعال‌سازی", f"سازمان «{row.name}» غیرفعال شود؟\nپرونده‌ها و سوابق آن حفظ می‌شود."
        ):
            return
        version = self._set_active(row.id, activate, row.row_version)
        if version is None:
            return
        if activate:
            self.show_message(f"«{row.name}» دوباره فعال شد.")
        else:
            self.show_message(
                f"«{row.name}» غیرفعال شد.", undo=lambda: self._set_active(row.id, True, version)
            )

    def _set_active(self, ngo_id: str, active: bool, version: int) -> int | None:
        """Save the change if the NGO is still at the ``version`` shown; its new version, or None."""
        try:
            version = ngo_service.set_ngo_active(self.context.uow(), ngo_id, active, expected_version=version)
        except UserError as exc:
            ui_errors.show_user_error(self, exc)
            return None
        self._after_save(ngo_id)
        return version

    def show_message(self, text: str, undo: Callable[[], object] | None = None) -> None:
        self.message_label.setText(text)
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        self.message_bar.show()

    def hide_message(self) -> None:
        self._undo = None
        self.message_bar.hide()

    def _on_undo_button_clicked(self) -> None:
        undo = self._undo
        self.hide_message()
        if undo is not None:
            undo()
            self.show_message("بازگردانی شد.")
