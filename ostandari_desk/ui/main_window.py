"""The main window: navigation on the right, one lazily built page per area, menus, status bar.

The status bar names the signed-in user (name — role (county)); the «کاربر» menu changes their
password or signs them out. Areas that need a permission (users, audit) are listed only for those
who have it.

Pages are created on first visit. An area whose screens are not written yet shows an honest
placeholder (what it will hold), never a fake screen. Pages may offer ``focus_search()`` (Ctrl+F)
and ``apply_filter(dict)`` (the start page's tiles open a filtered list through ``open_area``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ostandari_desk.paths import data_dir
from ostandari_desk.ui.areas import Area, area, areas_for
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.forms import child, load_form

__all__ = ["APP_TITLE", "MainWindow", "PlaceholderPage", "ui_settings"]

APP_TITLE = "میز استانداری"
PLACEHOLDER_TEXT = "این بخش هنوز ساخته نشده است"
LOCK_WAIT_MESSAGE = "در انتظار برنامه دیگری که پایگاه داده را در دست دارد…"
VERSION = "۰٫۱٫۰"


def ui_settings() -> QSettings:
    """Window geometry and the like, in the data folder (so tests and portable use stay private)."""
    return QSettings(str(data_dir() / "ui.ini"), QSettings.Format.IniFormat)


class PlaceholderPage(QWidget):
    """An area not built yet: its name, «این بخش هنوز ساخته نشده است», and what it will hold."""

    def __init__(self, area_: Area, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(area_.title, self)
        title.setObjectName("pageTitle")
        notice = QLabel(PLACEHOLDER_TEXT, self)
        notice.setObjectName("placeholderText")
        about = QLabel(f"این بخش نگه خواهد داشت: {area_.description}", self)
        about.setWordWrap(True)
        about.setObjectName("placeholderDescription")
        layout.addWidget(title)
        layout.addWidget(notice)
        layout.addWidget(about)
        layout.addStretch(1)


def _ngo_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.ngos.list_page import NgoListPage

    return NgoListPage(context, parent)


def _licences_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.licences import ExpiringLicencesPage

    return ExpiringLicencesPage(context, parent)


def _events_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.events import EventsPage

    return EventsPage(context, parent)


def _letters_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.letters import LettersPage

    return LettersPage(context, parent)


def _reports_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.reports import ReportsPage

    return ReportsPage(context, parent)


def _inspections_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.area import InspectionsArea

    return InspectionsArea(context, parent)


def _memoranda_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.area import MemorandaArea

    return MemorandaArea(context, parent)


def _offices_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.memoranda.offices_page import OfficesPage

    return OfficesPage(context, parent)


def _start_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.start_page import StartPage

    return StartPage(context, parent)


def _reference_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.reference_page import ReferencePage

    return ReferencePage(context, parent)


def _users_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.users_page import UsersPage

    return UsersPage(context, parent)


def _audit_page(context: AppContext, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.audit_page import AuditPage

    return AuditPage(context, parent)


def _sign_in(engine: Any, parent: QWidget | None) -> Any:
    from ostandari_desk.ui import login

    return login.sign_in(engine, parent)


PAGE_FACTORIES: dict[str, Callable[[AppContext, QWidget], QWidget]] = {
    "start": _start_page,
    "ngos": _ngo_page,
    "licences": _licences_page,
    "events": _events_page,
    "letters": _letters_page,
    "memoranda": _memoranda_page,
    "facilitation": _offices_page,
    "centres": _inspections_page,
    "reports": _reports_page,
    "reference": _reference_page,
    "users": _users_page,
    "audit": _audit_page,
}


class MainWindow(QMainWindow):
    """The desk. ``MainWindow(context)``; or ``MainWindow()`` and ``set_context`` once the database is open.

    The navigation lists the areas the signed-in user may open (``areas.areas_for``). «خروج از حساب» signs
    out and asks for a login again (``sign_in``, replaceable in tests); a different user may sign in,
    and the window then starts over with their context.
    """

    area_changed = Signal(str)
    lock_waiting = Signal(bool)  # a save waits for another program's write lock (any thread)

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context: AppContext | None = None
        self._stop_lock_wait: Callable[[], None] | None = None
        self.lock_waiting.connect(self._show_lock_wait)
        self._signed_out = False  # «خروج از حساب» already logged this context's sign-out
        self.auto_backup = False  # the day's backup when the window closes (app.py turns it on)
        self._pages: dict[str, QWidget] = {}
        self._areas: tuple[Area, ...] = areas_for(None)
        self.last_dialog: QDialog | None = None  # the dialog opened last (tests look at it)
        self.sign_in: Callable[[Any, QWidget | None], Any] = _sign_in
        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(900, 600)
        central = QWidget(self)
        central.setObjectName("central")
        self.setCentralWidget(central)
        self.ui = load_form("main_window", central)
        self.navigation = child(self.ui, QListWidget, "navigation")
        self.pages = child(self.ui, QStackedWidget, "pages")
        self._build_menus()
        self._fill_navigation()
        self._search_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        self._search_shortcut.activated.connect(self.focus_search)
        self._db_label = QLabel(self)
        self._db_label.setProperty(
            "data_text", "yes"
        )  # a file path, not interface text (a str: see style.py)
        self._db_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.actor_label = QLabel(self)
        self.actor_label.setObjectName("actorLabel")
        self.statusBar().addPermanentWidget(self.actor_label)
        self.statusBar().addPermanentWidget(self._db_label)
        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)
        self._restore_geometry()
        if context is not None:
            self.set_context(context)
        else:
            self.statusBar().showMessage("در حال باز کردن پایگاه داده…")

    # --- wiring ---------------------------------------------------------------------------------

    def set_context(self, context: AppContext) -> None:
        """Attach the open database and its signed-in user; shows the start page (or the area open
        when last closed). A new context (another sign-in) drops the pages built for the old one."""
        if self.context is not None and context is not self.context:
            self._discard_pages()
        self.context = context
        self._signed_out = False
        self.statusBar().clearMessage()
        if self._stop_lock_wait is None:  # the store is loaded by now (start-up imports it late)
            from ostandari_desk.services.session import on_lock_wait

            self._stop_lock_wait = on_lock_wait(_lock_wait_listener(self))
        office = ""
        try:
            office = context.office_name
        except Exception:
            import logging

            logging.getLogger("ostandari_desk").exception("reading the office name failed")
        self.set_office_title(office)
        self._areas = areas_for(context.actor)
        from ostandari_desk.ui.backup_dialogs import update_backup_actions

        update_backup_actions(self.backup_actions, context.actor)
        self._fill_navigation()
        self._fill_go_menu()
        self.actor_label.setText(context.actor.display)
        self.actor_label.setToolTip("کاربر واردشده")
        for action in self.user_actions.values():
            action.setEnabled(True)
        # LRI … PDI keeps a left-to-right path whole inside the right-to-left status bar
        where = context.database_label
        self._db_label.setText(f"\u2066{where}\u2069" if where else "")
        self._db_label.setToolTip("پرونده پایگاه داده" if context.db_path else "سرور پایگاه داده اداره")
        last = ui_settings().value("main/area", "start")
        self.open_area(last if last in {a.key for a in self._areas} else "start")

    def set_office_title(self, office: str) -> None:
        """«میز استانداری — <office name>» (after set-up or a change in the settings)."""
        self.setWindowTitle(f"{APP_TITLE} — {office}" if office else APP_TITLE)

    def close_pages(self) -> None:
        """Drop every page built so far (before the database is replaced); ``set_context`` builds anew."""
        self._discard_pages()

    def _discard_pages(self) -> None:
        for page in self._pages.values():
            self.pages.removeWidget(page)
            page.deleteLater()
        self._pages = {}

    def _fill_navigation(self) -> None:
        self.navigation.blockSignals(True)
        self.navigation.clear()
        for a in self._areas:
            item = QListWidgetItem(a.title, self.navigation)
            item.setData(Qt.ItemDataRole.UserRole, a.key)
            item.setToolTip(a.description)
        self.navigation.setCurrentRow(-1)
        self.navigation.blockSignals(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("پرونده")
        from ostandari_desk.ui.database_dialogs import add_database_actions  # a file, or the office's server

        self.database_actions = add_database_actions(self, file_menu)
        from ostandari_desk.ui.transfer import add_transfer_actions  # «ورود و خروج اطلاعات»: Ctrl+I, Ctrl+E

        self.transfer_actions = add_transfer_actions(self, file_menu)
        from ostandari_desk.ui.exchange import add_exchange_action  # «تبادل با استان / شهرستان…»

        self.exchange_action = add_exchange_action(self, file_menu)
        self.exchange_window: QWidget | None = None
        from ostandari_desk.ui.backup_dialogs import add_backup_actions  # admins: backup, restore, check

        self.backup_actions = add_backup_actions(self, file_menu)
        quit_action = QAction("خروج", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        self.go_menu = bar.addMenu("بخش‌ها")
        self.area_actions: dict[str, QAction] = {}
        self._fill_go_menu()

        user_menu = bar.addMenu("کاربر")
        user_menu.setObjectName("userMenu")
        password_action = QAction("تغییر گذرواژه…", self)
        password_action.triggered.connect(self.change_password)
        logout_action = QAction("خروج از حساب", self)
        logout_action.triggered.connect(self.log_out)
        self.user_actions = {"password": password_action, "logout": logout_action}
        for action in self.user_actions.values():
            action.setEnabled(False)  # until someone has signed in
            user_menu.addAction(action)

        help_menu = bar.addMenu("راهنما")
        from ostandari_desk.ui.help import add_guide_action  # «راهنمای کاربر» (F1), beside «درباره»

        self.guide_window: QWidget | None = None
        self.guide_action = add_guide_action(self, help_menu)
        about_action = QAction("درباره", self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    def _fill_go_menu(self) -> None:
        """«بخش‌ها»: one action per area the user may open; Ctrl+1 … Ctrl+9, Ctrl+0 for the tenth."""
        for action in self.area_actions.values():
            self.go_menu.removeAction(action)
            action.deleteLater()
        self.area_actions = {}
        for index, a in enumerate(self._areas, start=1):
            action = QAction(a.title, self)
            if index <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{index}"))
            elif index == 10:
                action.setShortcut(QKeySequence("Ctrl+0"))
            action.triggered.connect(lambda _checked=False, key=a.key: self.open_area(key))
            self.go_menu.addAction(action)
            self.area_actions[a.key] = action

    # --- the signed-in user ---------------------------------------------------------------------

    def change_password(self) -> QDialog | None:
        """«تغییر گذرواژه»: current, new and its repetition (services.users.change_own_password)."""
        if self.context is None:
            return None
        from ostandari_desk.ui.login import PasswordDialog

        dialog = PasswordDialog(self.context, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("گذرواژه شما تغییر کرد.", 5000))
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def log_out(self) -> bool:
        """«خروج از حساب»: sign out, hide the desk and ask for a login; True when someone signed in again
        (the window then shows their desk), False when the login was cancelled (the window closes)."""
        if self.context is None:
            return False
        from ostandari_desk.services import users

        old = self.context
        users.log_out(old.uow())
        self._signed_out = True
        self.save_state()
        self._discard_pages()
        self.hide()
        actor = self.sign_in(old.engine, None)
        if actor is None:
            self.close()
            QApplication.quit()  # the window was hidden: closing it does not end the application
            return False
        self.set_context(AppContext.open(old.engine, actor, old.db_path))
        self.show()
        return True

    # --- areas ----------------------------------------------------------------------------------

    def open_area(self, key: str, filters: dict | None = None) -> QWidget | None:
        """Show area ``key`` (building its page on first visit); pass ``filters`` to its apply_filter.

        An area the signed-in user may not open is not shown (None)."""
        area(key)  # KeyError for an unknown area
        row = next((i for i, a in enumerate(self._areas) if a.key == key), -1)
        if row < 0:
            return None
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # -> _show_area
        else:
            self._show_area(key)
        page = self._pages.get(key)
        if filters and page is not None and hasattr(page, "apply_filter"):
            page.apply_filter(filters)
        return page

    def current_area(self) -> str:
        row = self.navigation.currentRow()
        return self._areas[row].key if 0 <= row < len(self._areas) else ""

    def visible_areas(self) -> tuple[str, ...]:
        """The keys of the areas in the navigation (what the signed-in user may open)."""
        return tuple(a.key for a in self._areas)

    def page(self, key: str) -> QWidget | None:
        """The page of ``key`` if it was built."""
        return self._pages.get(key)

    def _on_navigation_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._areas):
            self._show_area(self._areas[row].key)

    def _show_area(self, key: str) -> None:
        if self.context is None:
            return
        page = self._pages.get(key)
        if page is None:
            page = self._build_page(key)
            self._pages[key] = page
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        self._update_search_shortcut(page)
        self.area_changed.emit(key)

    def _build_page(self, key: str) -> QWidget:
        factory = PAGE_FACTORIES.get(key)
        if factory is None:
            return PlaceholderPage(area(key), self.pages)
        assert self.context is not None
        page = factory(self.context, self.pages)
        if hasattr(page, "open_area"):
            page.open_area.connect(self.open_area)
        return page

    # --- search ---------------------------------------------------------------------------------

    def _update_search_shortcut(self, page: QWidget) -> None:
        """Ctrl+F goes to the page's focus_search(), unless the page binds Ctrl+F itself."""
        find = QKeySequence(QKeySequence.StandardKey.Find)
        own = any(s.key() == find for s in page.findChildren(QShortcut)) or any(
            find in a.shortcuts() for a in page.findChildren(QAction)
        )
        self._search_shortcut.setEnabled(hasattr(page, "focus_search") and not own)

    def focus_search(self) -> None:
        page = self.pages.currentWidget()
        if page is not None and hasattr(page, "focus_search"):
            page.focus_search()

    # --- help -----------------------------------------------------------------------------------

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "درباره میز استانداری",
            f"<p><b>{APP_TITLE}</b> — نسخه {VERSION}</p>"
            "<p>ثبت سازمان‌های مردم‌نهاد، پروانه‌ها، رویدادها، مکاتبات و بازدیدها "
            "برای اداره کل امور اجتماعی و فرهنگی استانداری و فرمانداری‌ها.</p>"
            "<p>قلم وزیرمتن با پروانه نرم‌افزار آزاد قلم‌ها.</p>",
        )

    # --- geometry -------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = ui_settings().value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)

    def save_state(self) -> None:
        settings = ui_settings()
        settings.setValue("main/geometry", self.saveGeometry())
        if self.current_area():
            settings.setValue("main/area", self.current_area())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        from ostandari_desk.ui.backup_dialogs import backup_before_close

        if backup_before_close(self):  # the day's automatic backup first; the window closes once it is done
            event.ignore()
            return
        self.save_state()
        if self.context is not None and not self._signed_out:
            from ostandari_desk.errors import UserError
            from ostandari_desk.services import users

            self._signed_out = True
            try:
                users.log_out(self.context.uow())  # closing the desk ends the session in the audit too
            except UserError as error:  # a database that went away must not keep the window open
                self.statusBar().showMessage(error.message)
        if self._stop_lock_wait is not None:
            self._stop_lock_wait()
            self._stop_lock_wait = None
        super().closeEvent(event)

    def _show_lock_wait(self, waiting: bool) -> None:
        """«در انتظار برنامه دیگری…» in the status bar while a save waits for the database."""
        bar = self.statusBar()
        if waiting:
            bar.showMessage(LOCK_WAIT_MESSAGE)
            bar.repaint()  # a save on this thread blocks it next: paint now
        elif bar.currentMessage() == LOCK_WAIT_MESSAGE:
            bar.clearMessage()


def _lock_wait_listener(window: MainWindow) -> Callable[[bool], None]:
    """Hands the store's lock-wait notices to ``window`` (queued when they come from a worker thread);
    holds it weakly, so a window gone without closing is simply skipped."""
    ref = weakref.ref(window)

    def listener(waiting: bool) -> None:
        target = ref()
        if target is not None and shiboken6.isValid(target):
            target.lock_waiting.emit(waiting)

    return listener
