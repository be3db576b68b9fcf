"""Choosing the desk's database: a file on this computer, or the office's shared PostgreSQL server.

- ``ServerFields(host)``: host, port, database, user, password, «ذخیره در کلیدساز سیستم» and «آزمودن
  اتصال» (forms/server_fields.ui), shared by the set-up wizard's first page and ``ServerDialog``.
- ``ServerDialog``: «پرونده ← اتصال به سرور پایگاه داده اداره…»; ``ServerPasswordDialog``: the password a
  server asks for at start-up (``ask_server_password``).
- ``add_database_actions(window, menu)``: «باز کردن پایگاه داده…» (a file) and the server's action;
  ``switch_database(window, database)`` opens another database on a worker thread, asks who signs in (the
  set-up wizard for a new one) and only then leaves the old one. Cancelled, the desk stays as it was.

A password typed here is used for the connection and, when the box is ticked, kept in the system's
keyring; the desk never writes it anywhere else (services/credentials.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QWidget,
)

from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.ui.forms import child, load_form

__all__ = [
    "ServerDialog",
    "ServerFields",
    "ServerPasswordDialog",
    "add_database_actions",
    "ask_server_password",
    "switch_database",
]

CONNECTED = "اتصال برقرار شد."
NO_KEYRING = "این رایانه کلیدساز سیستمی ندارد؛ گذرواژه ذخیره نمی‌شود و هر بار پرسیده می‌شود."
_ERROR_STYLE = "color: #b71c1c;"
_OK_STYLE = "color: #1b5e20;"


def _label_ok_cancel(box: QDialogButtonBox, ok: str) -> None:
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")


def _keyring_box(check: QCheckBox) -> None:
    """Untick-and-grey the keyring box on a machine without a keyring (Linux without a desktop)."""
    from ostandari_desk.services.credentials import keyring_available

    if not keyring_available():
        check.setChecked(False)
        check.setEnabled(False)
        check.setToolTip(NO_KEYRING)


class ServerFields:
    """The server's fields, loaded into ``host``; ``server()`` validates them (ValidationError, Persian)."""

    def __init__(self, host: QWidget):
        self.form = load_form("server_fields", host)
        self.host_edit = child(self.form, QLineEdit, "hostEdit")
        self.port_edit = child(self.form, QLineEdit, "portEdit")
        self.database_edit = child(self.form, QLineEdit, "databaseEdit")
        self.user_edit = child(self.form, QLineEdit, "userEdit")
        self.password_edit = child(self.form, QLineEdit, "passwordEdit")
        self.keep_check = child(self.form, QCheckBox, "keepCheck")
        self.test_button = child(self.form, QPushButton, "testButton")
        self.status_label = child(self.form, QLabel, "statusLabel")
        self.status_label.hide()
        _keyring_box(self.keep_check)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.tested: Any = None  # the last test's result: the server that answered, or the error

    def server(self):
        """The ServerDatabase the fields name, with the typed password (None when left empty)."""
        from ostandari_desk.services.credentials import server_from_fields

        server = server_from_fields(
            self.host_edit.text(), self.port_edit.text(), self.database_edit.text(), self.user_edit.text()
        )
        return server.with_password(self.password_edit.text() or None)

    def set_server(self, server) -> None:
        """Fill the fields from a ServerDatabase (its password is never shown)."""
        from ostandari_desk.domain.text import to_persian_digits

        self.host_edit.setText(server.host)
        self.port_edit.setText(to_persian_digits(server.port) if server.port else "")
        self.database_edit.setText(server.database)
        self.user_edit.setText(server.user)

    def keep_password(self) -> bool:
        return self.keep_check.isEnabled() and self.keep_check.isChecked()

    def widget_for(self, field: str | None) -> QLineEdit:
        return {
            "port": self.port_edit,
            "database": self.database_edit,
            "user": self.user_edit,
            "password": self.password_edit,
        }.get(field or "", self.host_edit)

    def show_status(self, message: str, ok: bool = False) -> None:
        self.status_label.setStyleSheet(_OK_STYLE if ok else _ERROR_STYLE)
        self.status_label.setText(message)
        self.status_label.setVisible(bool(message))

    def _on_test_button_clicked(self) -> None:
        self.test_connection()

    def test_connection(self):
        """«آزمودن اتصال»: connect once on a worker thread; the answer appears beside the button."""
        from ostandari_desk.services.credentials import connectable, load_driver
        from ostandari_desk.ui.tasks import run_task

        load_driver()  # on the main thread (ui/tasks.py)
        try:
            server = self.server()
        except ValidationError as exc:
            self.show_status(exc.message)
            self.widget_for(exc.field).setFocus()
            return None
        self.show_status("")
        self.test_button.setEnabled(False)

        def done(found) -> None:
            self.tested = found
            self.test_button.setEnabled(True)
            self.show_status(CONNECTED, ok=True)

        def failed(error: BaseException) -> None:
            self.tested = error
            self.test_button.setEnabled(True)
            if not isinstance(error, UserError):
                from ostandari_desk.ui.errors import show_error

                show_error(self.form, error)
                return
            self.show_status(error.message)

        return run_task(
            self.form,
            lambda: connectable(server),
            on_done=done,
            on_error=failed,
            label="آزمودن اتصال به سرور…",
        )


class ServerDialog(QDialog):
    """The office's server to open; accepted means ``server`` (with a typed password, if any) is chosen."""

    def __init__(self, parent: QWidget | None = None, current=None):
        super().__init__(parent)
        self.setWindowTitle("اتصال به سرور پایگاه داده اداره")
        self.form = load_form("server_dialog", self)
        self.fields = ServerFields(child(self.form, QWidget, "fieldsHost"))
        self.error_label = child(self.form, QLabel, "errorLabel")
        self.error_label.hide()
        box = child(self.form, QDialogButtonBox, "buttonBox")
        _label_ok_cancel(box, "اتصال")
        box.accepted.connect(self.choose)
        box.rejected.connect(self.reject)
        if current is not None:
            self.fields.set_server(current)
        self.server: Any = None
        self.setMinimumWidth(500)

    def choose(self) -> bool:
        try:
            self.server = self.fields.server()
        except ValidationError as exc:
            self.error_label.setText(exc.message)
            self.error_label.show()
            self.fields.widget_for(exc.field).setFocus()
            return False
        self.accept()
        return True


class ServerPasswordDialog(QDialog):
    """The password of ``error.server`` (a PasswordRequired): asked at start-up or when switching."""

    def __init__(self, error, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("گذرواژه سرور پایگاه داده")
        self.server = error.server
        self.form = load_form("server_password_dialog", self)
        explanation = child(self.form, QLabel, "explanationLabel")
        user = self.server.user or "این رایانه"
        explanation.setText(f"سرور پایگاه داده اداره گذرواژه کاربر «{user}» را می‌خواهد:")
        server_label = child(self.form, QLabel, "serverLabel")
        server_label.setText(self.server.url)
        server_label.setProperty("data_text", "yes")  # the server's address: data, not interface text
        self.password_edit = child(self.form, QLineEdit, "passwordEdit")
        self.keep_check = child(self.form, QCheckBox, "keepCheck")
        _keyring_box(self.keep_check)
        self.error_label = child(self.form, QLabel, "errorLabel")
        self.error_label.setText("گذرواژه پذیرفته نشد؛ دوباره وارد کنید." if error.wrong else "")
        self.error_label.setVisible(error.wrong)
        box = child(self.form, QDialogButtonBox, "buttonBox")
        _label_ok_cancel(box, "اتصال")
        box.accepted.connect(self.choose)
        box.rejected.connect(self.reject)
        self.password_edit.setFocus()
        self.setMinimumWidth(420)

    def choose(self) -> bool:
        if not self.password_edit.text():
            self.error_label.setText("گذرواژه را وارد کنید.")
            self.error_label.show()
            return False
        self.accept()
        return True

    def answer(self) -> tuple[str, bool]:
        return self.password_edit.text(), self.keep_check.isEnabled() and self.keep_check.isChecked()


def ask_server_password(parent: QWidget | None, error) -> tuple[str, bool] | None:
    """(password, keep it in the keyring) for the server of a PasswordRequired, or None when cancelled."""
    dialog = ServerPasswordDialog(error, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer()


def keep_password(server) -> None:
    """Keep the password that just opened ``server`` in the keyring (nothing when there is none)."""
    from ostandari_desk.services.credentials import save_password

    if server.password:
        save_password(server, server.password)


# --- the File menu ----------------------------------------------------------------------------------


def add_database_actions(window: Any, menu: QMenu) -> dict[str, QAction]:
    """«باز کردن پایگاه داده…» and «اتصال به سرور پایگاه داده اداره…» at the top of ``menu``."""
    open_file = QAction("باز کردن پایگاه داده…", window)
    open_file.setStatusTip("باز کردن پرونده پایگاه داده دیگری روی این رایانه")
    open_file.triggered.connect(lambda: choose_file(window))
    server = QAction("اتصال به سرور پایگاه داده اداره…", window)
    server.setStatusTip("کار روی پایگاه داده مشترک اداره با کارشناسان دیگر")
    server.triggered.connect(lambda: choose_server(window))
    menu.addAction(open_file)
    menu.addAction(server)
    menu.addSeparator()
    return {"open_file": open_file, "server": server}


def choose_file(window: Any) -> None:
    from ostandari_desk.paths import data_dir

    path, _ = QFileDialog.getOpenFileName(
        window, "باز کردن پایگاه داده", str(data_dir()), "پایگاه داده (*.sqlite3 *.sqlite *.db)"
    )
    if path:
        switch_database(window, Path(path))


def choose_server(window: Any) -> None:
    current = None
    from ostandari_desk.paths import recent_databases
    from ostandari_desk.services.credentials import parse_server_url

    for entry in recent_databases():  # the fields start from the server used last
        try:
            current = parse_server_url(entry)
            break
        except UserError:
            continue
    dialog = ServerDialog(window, current)
    window.last_dialog = dialog
    if dialog.exec() == QDialog.DialogCode.Accepted:
        switch_database(window, dialog.server, keep=dialog.fields.keep_password())


def switch_database(window: Any, database, keep: bool = False) -> None:
    """Open ``database`` (a Path or a ServerDatabase) on a worker thread, then ask who signs in there."""
    from ostandari_desk.services.credentials import load_driver, open_chosen
    from ostandari_desk.ui.tasks import run_task

    load_driver()  # on the main thread (ui/tasks.py)
    run_task(
        window,
        lambda: open_chosen(database),
        on_done=lambda opened: _opened(window, opened, keep),
        on_error=lambda error: _failed(window, database, error),
        label="در حال باز کردن پایگاه داده…",
    )


def _failed(window: Any, database, error: BaseException) -> None:
    from ostandari_desk.services.credentials import PasswordRequired
    from ostandari_desk.ui import errors as ui_errors

    if isinstance(error, PasswordRequired):
        answer = ask_server_password(window, error)
        if answer is not None:
            password, keep = answer
            switch_database(window, error.server.with_password(password), keep=keep)
        return
    ui_errors.show_error(window, error)  # unreachable, missing, locked, damaged…: said in Persian


def _opened(window: Any, opened, keep: bool) -> None:
    """Who signs in on the newly opened database; then the window moves over to it (the old engine is
    closed). Nobody signed in: the new one is closed and the desk stays on the old."""
    from ostandari_desk.paths import remember_database
    from ostandari_desk.services.credentials import ServerDatabase
    from ostandari_desk.ui import login
    from ostandari_desk.ui.context import AppContext

    if opened.initialized and opened.has_users:
        actor = window.sign_in(opened.engine, window)
    elif opened.initialized:
        actor = login.ask_first_admin(opened.engine, window)
    else:
        from ostandari_desk.ui.wizard import SetupWizard

        wizard = SetupWizard(opened.engine, window)
        actor = wizard.actor if wizard.exec() else None
    if actor is None:
        opened.engine.dispose()
        return
    database = opened.database
    server = isinstance(database, ServerDatabase)
    if server and keep:
        keep_password(database)
    old = window.context
    window.set_context(AppContext.open(opened.engine, actor, None if server else database))
    remember_database(database.url if server else database)
    if old is not None and old.engine is not opened.engine:
        old.engine.dispose()
