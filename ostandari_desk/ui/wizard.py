"""The first-run wizard: where the data lives, province and installation type, then office name, letterhead
logo and the first admin.

On a first run (``choose_database=True``) the first page offers a file on this computer or the office's
PostgreSQL server (host, port, database, user, password, «آزمودن اتصال»). Choosing the server connects to
it on a worker thread and the wizard goes on there (``wizard.engine`` and ``wizard.server`` are then the
server's); a server database already set up ends the wizard at once (``wizard.existing``, no ``actor``:
whoever opens it signs in). Finishing calls ``services.setup.initialize`` and
``services.users.create_first_admin`` in one transaction and signs the new admin in (``wizard.actor``); a
refusal (UserError) is shown on the page in Persian and the wizard stays open. Enter moves to the next page
(Next/Finish is the default button).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ostandari_desk.domain.roles import Actor
from ostandari_desk.errors import UserError
from ostandari_desk.paths import data_dir
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.login import AccountFields, create_admin

__all__ = ["SetupWizard", "default_office_name"]

PROVINCE_PAGE = 0
OFFICE_PAGE = 1
DATABASE_PAGE = 2  # the start page on a first run (choose_database)


def default_office_name(province: str, county: str | None = None) -> str:
    if county:
        return f"معاونت سیاسی، امنیتی و اجتماعی فرمانداری {county}"
    return f"اداره کل امور اجتماعی و فرهنگی استانداری {province}"


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("errorLabel")
    label.setStyleSheet("color: #b71c1c;")
    label.setWordWrap(True)
    label.hide()
    return label


class _FormPage(QWizardPage):
    def __init__(self, form: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.ui = load_form(form, self)
        self.error_label = _error_label(self)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))


class DatabasePage(_FormPage):
    """First page on a first run: a file on this computer, or the office's server (connected on «بعدی»)."""

    def __init__(self, wizard: SetupWizard):
        super().__init__("wizard_database", wizard)
        from ostandari_desk.ui.database_dialogs import ServerFields

        self._wizard = wizard
        self.setTitle("محل نگهداری داده")
        self.setSubTitle("داده میز کار روی همین رایانه نگهداری شود یا روی سرور پایگاه داده اداره؟")
        self.file_radio = child(self.ui, QRadioButton, "fileRadio")
        self.server_radio = child(self.ui, QRadioButton, "serverRadio")
        self.server_host = child(self.ui, QWidget, "serverHost")
        self.fields = ServerFields(self.server_host)
        self.server_radio.toggled.connect(self._on_server_radio_toggled)
        self.connecting: Any = None  # the running connection task (tests wait for it)

    def _on_server_radio_toggled(self, checked: bool) -> None:
        self.server_host.setEnabled(checked)
        if checked:
            self.fields.host_edit.setFocus()

    def nextId(self) -> int:
        return PROVINCE_PAGE

    def validatePage(self) -> bool:
        """The file: go on. The server: connect first (on a worker thread); when it answers, the wizard
        moves on by itself, or ends when that database is already set up."""
        if self.file_radio.isChecked():
            self._wizard.use_file()
            return True
        try:
            server = self.fields.server()
        except UserError as exc:
            self.show_error(exc.message)
            self.fields.widget_for(exc.field).setFocus()
            return False
        opened = self._wizard.opened
        if opened is not None and opened.database == server and self._wizard.engine is opened.engine:
            return True
        self.show_error("")
        self._connect(server)
        return False

    def _connect(self, server: Any) -> None:
        from ostandari_desk.services.credentials import load_driver, open_chosen
        from ostandari_desk.ui.tasks import run_task

        load_driver()  # on the main thread (ui/tasks.py)
        self._wizard.button(QWizard.WizardButton.NextButton).setEnabled(False)
        self.connecting = run_task(
            self._wizard,
            lambda: open_chosen(server),
            on_done=self._on_connected,
            on_error=self._on_connect_failed,
            label="اتصال به سرور پایگاه داده و آماده‌سازی آن…",
        )

    def _on_connected(self, opened: Any) -> None:
        self.connecting = None
        self._wizard.button(QWizard.WizardButton.NextButton).setEnabled(True)
        if self.fields.keep_password():
            from ostandari_desk.ui.database_dialogs import keep_password

            keep_password(opened.database)
        self._wizard.use_server(opened)

    def _on_connect_failed(self, error: BaseException) -> None:
        self.connecting = None
        self._wizard.button(QWizard.WizardButton.NextButton).setEnabled(True)
        if not isinstance(error, UserError):
            from ostandari_desk.ui.errors import show_error

            show_error(self, error)
            return
        self.show_error(error.message)
        from ostandari_desk.services.credentials import PasswordRequired

        if isinstance(error, PasswordRequired):
            self.fields.password_edit.setFocus()
            self.fields.password_edit.selectAll()


class ProvincePage(_FormPage):
    """Page 1: the province, and whether this desk is the province's or one county's."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("wizard_province", parent)
        from ostandari_desk.services.setup import available_provinces

        self.setTitle("استان و محل نصب")
        self.setSubTitle("استانی را که این میز در آن کار می‌کند و محل نصب برنامه را برگزینید.")
        self.province_combo = child(self.ui, QComboBox, "provinceCombo")
        self.province_radio = child(self.ui, QRadioButton, "provinceRadio")
        self.county_radio = child(self.ui, QRadioButton, "countyRadio")
        self.county_combo = child(self.ui, QComboBox, "countyCombo")
        self.province_combo.addItems(available_provinces())
        self.province_combo.currentTextChanged.connect(self._on_province_combo_current_text_changed)
        self.county_radio.toggled.connect(self._on_county_radio_toggled)
        self._fill_counties()

    def _fill_counties(self) -> None:
        from ostandari_desk.services.setup import counties_of

        self.county_combo.clear()
        self.county_combo.addItems(counties_of(self.province_combo.currentText()))

    def _on_province_combo_current_text_changed(self, _text: str) -> None:
        self._fill_counties()
        self.completeChanged.emit()

    def _on_county_radio_toggled(self, checked: bool) -> None:
        self.county_combo.setEnabled(checked)
        self.completeChanged.emit()

    def province(self) -> str:
        return self.province_combo.currentText()

    def county(self) -> str | None:
        if not self.county_radio.isChecked():
            return None
        return self.county_combo.currentText() or None

    def isComplete(self) -> bool:
        return bool(self.province())

    def validatePage(self) -> bool:
        if not self.province():
            self.show_error("استان را برگزینید.")
            return False
        if self.county_radio.isChecked() and not self.county():
            self.show_error("برای نصب در فرمانداری، شهرستان را برگزینید.")
            return False
        self.show_error("")
        return True


class OfficePage(_FormPage):
    """Page 2: the office's name, the letterhead logo (optional) and the first admin's account."""

    def __init__(self, wizard: SetupWizard):
        super().__init__("wizard_office", wizard)
        self._wizard = wizard
        self.setTitle("اداره و مدیر سامانه")
        self.setSubTitle(
            "نام اداره در سربرگ نامه‌ها و گزارش‌ها می‌آید؛ نشان سربرگ اختیاری است. "
            "مدیر سامانه نخستین کاربر است و کاربران دیگر را می‌افزاید."
        )
        self.setCommitPage(False)
        self.setFinalPage(True)
        self.office_edit = child(self.ui, QLineEdit, "officeNameEdit")
        self.logo_edit = child(self.ui, QLineEdit, "logoEdit")
        self.account = AccountFields(child(self.ui, QWidget, "accountHost"))
        self.username_edit = self.account.username_edit
        self.full_name_edit = self.account.full_name_edit
        self.password_edit = self.account.password_edit
        self.repeat_edit = self.account.repeat_edit
        child(self.ui, QPushButton, "logoButton").clicked.connect(self.choose_logo)
        child(self.ui, QPushButton, "clearLogoButton").clicked.connect(lambda: self.set_logo(None))
        self._prefilled = ""
        self.logo_source: Path | None = None

    def initializePage(self) -> None:
        page = self._wizard.province_page
        suggested = default_office_name(page.province(), page.county())
        if not self.office_edit.text().strip() or self.office_edit.text() == self._prefilled:
            self.office_edit.setText(suggested)
            self._prefilled = suggested
        self.username_edit.setFocus()

    def choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "انتخاب نشان سربرگ", str(Path.home()), "تصویر (*.png *.jpg *.jpeg *.bmp)"
        )
        if path:
            self.set_logo(Path(path))

    def set_logo(self, path: Path | None) -> None:
        """Choose (or clear, with None) the logo image; an unreadable image is refused on the page."""
        if path is not None and QImage(str(path)).isNull():
            self.show_error("این پرونده تصویر خوانایی نیست؛ تصویر دیگری برگزینید.")
            return
        self.show_error("")
        self.logo_source = path
        self.logo_edit.setText(path.name if path else "")

    def validatePage(self) -> bool:
        if not self.office_edit.text().strip():
            self.show_error("نام اداره را وارد کنید.")
            self.office_edit.setFocus()
            return False
        try:
            self._wizard.initialize_database()
        except UserError as exc:
            self.show_error(exc.message)
            if exc.field in ("username", "full_name", "password", "repeat"):
                self.account.widget_for(exc.field).setFocus()
            return False
        self.show_error("")
        return True


class SetupWizard(QWizard):
    """``SetupWizard(engine).exec()``; accepted means the database is initialized and ``actor`` is its
    first admin, signed in — or, after choosing a server already set up, ``existing`` (nobody signed in).

    ``engine`` is the file's database; with ``choose_database`` the first page may replace it by a server's
    (``engine``, ``server``, ``opened``); the caller then closes the file's engine. A server's engine the
    wizard opened is closed again when the wizard is cancelled.
    """

    def __init__(self, engine: Any, parent: QWidget | None = None, *, choose_database: bool = False):
        super().__init__(parent)
        self.engine = engine
        self.file_engine = engine
        self.opened: Any = None  # services.credentials.OpenedDatabase of the chosen server
        self.server: Any = None  # its ServerDatabase (with the password that opened it), or None: the file
        self.existing = False
        self.province_id: str | None = None
        self.actor: Actor | None = None
        self.setWindowTitle("راه‌اندازی میز استانداری")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "بعدی")
        self.setButtonText(QWizard.WizardButton.BackButton, "قبلی")
        self.setButtonText(QWizard.WizardButton.FinishButton, "پایان")
        self.setButtonText(QWizard.WizardButton.CancelButton, "انصراف")
        self.province_page = ProvincePage(self)
        self.office_page = OfficePage(self)
        self.setPage(PROVINCE_PAGE, self.province_page)
        self.setPage(OFFICE_PAGE, self.office_page)
        self.database_page: DatabasePage | None = None
        if choose_database:
            self.database_page = DatabasePage(self)
            self.setPage(DATABASE_PAGE, self.database_page)
            self.setStartId(DATABASE_PAGE)
        self.setMinimumWidth(620)

    def use_file(self) -> None:
        """The first page chose the file: go on with it (a server opened before is closed)."""
        self._close_server()
        self.engine = self.file_engine

    def use_server(self, opened: Any) -> None:
        """The first page's server answered: go on there, or end now when it is set up already."""
        if self.opened is not None and self.opened.engine is not opened.engine:
            self._close_server()
        self.opened = opened
        self.server = opened.database
        self.engine = opened.engine
        if opened.initialized:
            self.existing = True
            self.accept()
        else:
            self.next()

    def _close_server(self) -> None:
        if self.opened is not None:
            self.opened.engine.dispose()
        self.opened = None
        self.server = None

    def reject(self) -> None:
        """Cancelled: a server's engine opened here is closed (the file's belongs to the caller)."""
        self._close_server()
        self.engine = self.file_engine
        super().reject()

    def _copy_logo(self) -> str | None:
        source = self.office_page.logo_source
        if source is None:
            return None
        target = data_dir() / f"letterhead{source.suffix.lower()}"
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            raise UserError(f"رونوشت نشان سربرگ ساخته نشد: {exc.strerror or exc}") from exc
        return str(target)

    def initialize_database(self) -> str:
        """Create the province, counties, lists, settings and the first admin from the pages' answers
        (one transaction), and sign the admin in."""
        from ostandari_desk.services.setup import initialize

        logo = self._copy_logo()

        def set_up(uow) -> None:
            self.province_id = initialize(
                uow,
                self.province_page.province(),
                self.province_page.county(),
                office_name=self.office_page.office_edit.text(),
                logo_path=logo,
            )

        try:
            self.actor = create_admin(self.engine, self.office_page.account, before=set_up)
        except UserError:
            self.province_id = None  # rolled back with the admin
            raise
        assert self.province_id is not None
        return self.province_id

    def keyPressEvent(self, event) -> None:
        """Enter/Return always advances (also from a combo box or radio button)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            if self.currentPage() is self.database_page and self.database_page.connecting is not None:
                return  # connecting already
            if self.currentPage() is self.office_page:
                self.button(QWizard.WizardButton.FinishButton).click()
            else:
                self.next()
            return
        super().keyPressEvent(event)
