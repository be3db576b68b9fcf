"""Signing in: the login dialog, the first admin (wizard page and upgraded databases), password changes.

- ``LoginDialog(engine)``: username and password; ``services.users.authenticate`` decides, and its Persian
  refusal (wrong credentials, a disabled user, the lockout) is shown in the dialog. On the demo database
  the dialog names the demo user and its password.
- ``FirstAdminDialog(engine)``: a database without users (opened for the first time after the upgrade)
  asks for its first admin before anything else.
- ``AccountFields``: username, full name, password and its repetition (forms/account_fields.ui), shared by
  the set-up wizard and ``FirstAdminDialog``; ``create_admin`` makes the admin and signs them in.
- ``PasswordDialog(context)``: change your own password; ``PasswordDialog(context, user)``: an admin sets a
  user's new password.

``sign_in`` and ``ask_first_admin`` run the dialogs; start-up and «خروج از حساب» call them through this
module, so tests replace them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget

from ostandari_desk.domain.roles import SYSTEM, Actor
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.widgets.edit_dialog import EditDialog

__all__ = [
    "PASSWORDS_DIFFER",
    "AccountFields",
    "FirstAdminDialog",
    "LoginDialog",
    "PasswordDialog",
    "ask_first_admin",
    "create_admin",
    "sign_in",
]

PASSWORDS_DIFFER = "گذرواژه و تکرار آن یکسان نیستند"


def _setup_context(engine: Any):
    """A context acting as the desk itself, for what happens before anyone has signed in."""
    from ostandari_desk.ui.context import AppContext

    return AppContext.open(engine, SYSTEM)


def _show(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


class AccountFields:
    """The first admin's account fields, loaded into ``host`` from forms/account_fields.ui."""

    def __init__(self, host: QWidget):
        self.form = load_form("account_fields", host)
        self.username_edit = child(self.form, QLineEdit, "usernameEdit")
        self.full_name_edit = child(self.form, QLineEdit, "fullNameEdit")
        self.password_edit = child(self.form, QLineEdit, "passwordEdit")
        self.repeat_edit = child(self.form, QLineEdit, "repeatEdit")

    def widget_for(self, field: str | None) -> QLineEdit:
        """The edit of a service field name (the username's when unknown)."""
        return {
            "full_name": self.full_name_edit,
            "password": self.password_edit,
            "repeat": self.repeat_edit,
        }.get(field or "", self.username_edit)


def create_admin(engine: Any, fields: AccountFields, before: Callable[[Any], None] | None = None) -> Actor:
    """Create the first admin from ``fields`` and sign them in; ``before(uow)`` runs first in the same
    transaction (the wizard's set-up). Raises UserError (Persian, with its field) and stores nothing then."""
    from ostandari_desk.services import users

    username = fields.username_edit.text()
    password = fields.password_edit.text()
    if password != fields.repeat_edit.text():
        raise ValidationError(PASSWORDS_DIFFER, field="repeat")
    uow = _setup_context(engine).uow()
    with uow:
        if before is not None:
            before(uow)
        users.create_first_admin(uow, username, fields.full_name_edit.text(), password)
        uow.commit()
    return users.authenticate(engine, username, password)


class LoginDialog(QDialog):
    """``LoginDialog(engine).exec()``; accepted means ``actor`` holds the signed-in user."""

    def __init__(self, engine: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.actor: Actor | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle("ورود به سامانه")
        self.form = load_form("login_dialog", self)
        self.username_edit = child(self.form, QLineEdit, "usernameEdit")
        self.password_edit = child(self.form, QLineEdit, "passwordEdit")
        self.office_label = child(self.form, QLabel, "officeLabel")
        self.demo_label = child(self.form, QLabel, "demoLabel")
        self.error_label = child(self.form, QLabel, "errorLabel")
        self.button_box = child(self.form, QDialogButtonBox, "buttonBox")
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("ورود")
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("خروج")
        self.button_box.accepted.connect(self.try_sign_in)
        self.button_box.rejected.connect(self.reject)
        _show(self.error_label, "")
        self._describe_database()
        self.setMinimumWidth(420)
        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus()

    def _describe_database(self) -> None:
        context = _setup_context(self.engine)
        _show(self.office_label, context.office_name)
        if context.setting("demo_database"):
            from ostandari_desk.services.demo import DEMO_PASSWORD, DEMO_USER

            # the credentials are data (Latin on purpose): the no-Latin check skips this label
            self.demo_label.setProperty("data_text", "yes")
            _show(
                self.demo_label,
                f"این پایگاه داده نمونه است: با نام کاربری «{DEMO_USER}» و گذرواژه «{DEMO_PASSWORD}» وارد شوید.",
            )
            self.username_edit.setText(DEMO_USER)
        else:
            _show(self.demo_label, "")

    def show_error(self, message: str) -> None:
        _show(self.error_label, message)

    def try_sign_in(self) -> bool:
        """Check the credentials; accept on success, else show the refusal and stay open."""
        from ostandari_desk.services import users

        try:
            self.actor = users.authenticate(self.engine, self.username_edit.text(), self.password_edit.text())
        except UserError as exc:
            self.show_error(exc.message)
            self.password_edit.clear()
            target = self.username_edit if exc.field == "username" else self.password_edit
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.show_error("")
        self.accept()
        return True


class FirstAdminDialog(QDialog):
    """A database without users: define its first admin; accepted means ``actor`` is that admin."""

    def __init__(self, engine: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.actor: Actor | None = None
        self.setObjectName("firstAdminDialog")
        self.setWindowTitle("تعریف مدیر سامانه")
        self.form = load_form("first_admin_dialog", self)
        self.fields = AccountFields(child(self.form, QWidget, "accountHost"))
        self.error_label = child(self.form, QLabel, "errorLabel")
        self.button_box = child(self.form, QDialogButtonBox, "buttonBox")
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("ثبت و ورود")
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("خروج")
        self.button_box.accepted.connect(self.create)
        self.button_box.rejected.connect(self.reject)
        _show(self.error_label, "")
        self.setMinimumWidth(480)
        self.fields.username_edit.setFocus()

    def show_error(self, message: str) -> None:
        _show(self.error_label, message)

    def create(self) -> bool:
        try:
            self.actor = create_admin(self.engine, self.fields)
        except UserError as exc:
            self.show_error(exc.message)
            self.fields.widget_for(exc.field).setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.accept()
        return True


class PasswordDialog(EditDialog):
    """Change the signed-in user's password (``user=None``) or, for an admin, set ``user``'s new one."""

    def __init__(self, context, user=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.user = user
        self.form = load_form("password_dialog", self)
        self.current_edit = child(self.form, QLineEdit, "currentPasswordEdit")
        self.new_edit = child(self.form, QLineEdit, "newPasswordEdit")
        self.repeat_edit = child(self.form, QLineEdit, "repeatPasswordEdit")
        explanation = child(self.form, QLabel, "explanationLabel")
        self.button_box = child(self.form, QDialogButtonBox, "buttonBox")
        self._label_buttons(self.button_box)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        if user is None:
            self.setWindowTitle("تغییر گذرواژه")
            explanation.setText(f"گذرواژه تازه برای {context.actor.full_name}")
            self.current_edit.setFocus()
        else:
            self.setWindowTitle("تعیین گذرواژه تازه")
            explanation.setText(
                f"گذرواژه تازه برای {user.full_name} (نام کاربری «{user.username}»). "
                "اگر این کاربر قفل شده باشد، قفلش هم باز می‌شود."
            )
            self.current_edit.hide()
            child(self.form, QLabel, "currentLabel").hide()
            self.new_edit.setFocus()
        self.setMinimumWidth(440)

    def field_widgets(self) -> dict[str, QWidget]:
        return {"old_password": self.current_edit, "password": self.new_edit, "repeat": self.repeat_edit}

    def save(self) -> bool:
        from ostandari_desk.services import users

        def store() -> None:
            new = self.new_edit.text()
            if new != self.repeat_edit.text():
                raise ValidationError(PASSWORDS_DIFFER, field="repeat")
            if self.user is None:
                users.change_own_password(self.context.uow(), self.current_edit.text(), new)
            else:
                users.reset_password(self.context.uow(), self.user.id, new)

        if not self._save_guarded(store):
            return False
        self.accept()
        return True


def sign_in(engine: Any, parent: QWidget | None = None) -> Actor | None:
    """Show the login dialog; the signed-in actor, or None when the user chose «خروج»."""
    dialog = LoginDialog(engine, parent)
    return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_first_admin(engine: Any, parent: QWidget | None = None) -> Actor | None:
    """Ask a database without users for its first admin; the admin signed in, or None when cancelled."""
    dialog = FirstAdminDialog(engine, parent)
    return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
