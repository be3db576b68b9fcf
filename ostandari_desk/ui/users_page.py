"""Admin page «کاربران»: every user with role, county and state; add, edit, disable/enable, new password.

Everything goes through ``services.users`` (which requires MANAGE_USERS and refuses to disable or
demote the last active admin); refusals are shown in Persian. The list is small: it is held whole,
sorted with Persian collation and searched by a proxy folding as every list's search does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from ostandari_desk.domain.roles import ROLE_LABELS, Role
from ostandari_desk.domain.text import rlm, to_persian_digits
from ostandari_desk.errors import UserError, ValidationError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.context import AppContext
from ostandari_desk.ui.forms import child, load_form
from ostandari_desk.ui.login import PASSWORDS_DIFFER, PasswordDialog
from ostandari_desk.ui.widgets.edit_dialog import EditDialog
from ostandari_desk.ui.widgets.paged_list import ask_yes_no, configure_table, select_row

__all__ = ["UserDialog", "UsersPage"]

HEADERS = ("نام کاربری", "نام و نام خانوادگی", "نقش", "شهرستان", "وضعیت")
WIDTHS = (150, 220, 150, 150)
_GREY = QBrush(QColor("#8a8f96"))
_ROOT = QModelIndex()


def state_text(user, now: datetime | None = None) -> str:
    """«فعال», «غیرفعال» or «قفل تا ۱۴:۳۵» (the lockout after failed logins, local time)."""
    if not user.active:
        return "غیرفعال"
    locked = user.locked_until
    if locked is not None:
        if locked.tzinfo is None:
            locked = locked.replace(tzinfo=UTC)
        if locked > (now or datetime.now(UTC)):
            return f"قفل تا {to_persian_digits(locked.astimezone().strftime('%H:%M'))}"
    return "فعال"


class UsersModel(QAbstractTableModel):
    """The users (``services.users.UserRow``), one per row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of_id(self, user_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == user_id), -1)

    def cell_text(self, user, column: int) -> str:
        return (
            rlm(user.username),
            user.full_name,
            user.role_label,
            user.county_name or "—",
            state_text(user),
        )[column]

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        user = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(user, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return _GREY
        if role == Qt.ItemDataRole.UserRole:
            return user.id
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class UserSearchProxy(QSortFilterProxyModel):
    """The users sorted with Persian collation and searched as every list is (``services.search.matches``:
    hamza forms and half-spaces folded) over the row's shown texts."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.query = ""

    def set_query(self, query: str) -> None:
        self.beginFilterChange()
        self.query = query
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self.query.strip():
            return True
        from ostandari_desk.services.search import matches

        model = self.sourceModel()
        user = model.rows[source_row]
        return matches(self.query, *(model.cell_text(user, column) for column in range(len(HEADERS))))


class UserDialog(EditDialog):
    """Add a user (``user=None``: username, name, role, county, password twice) or edit one (name, role,
    county); ``saved_id`` after accept."""

    def __init__(self, context: AppContext, user=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.user = user
        self.saved_id: str | None = None
        self.form = load_form("user_dialog", self)
        f = self.form
        self.username_edit = child(f, QLineEdit, "usernameEdit")
        self.full_name_edit = child(f, QLineEdit, "fullNameEdit")
        self.role_combo = child(f, QComboBox, "roleCombo")
        self.county_combo = child(f, QComboBox, "countyCombo")
        self.password_edit = child(f, QLineEdit, "passwordEdit")
        self.repeat_edit = child(f, QLineEdit, "repeatEdit")
        self.note_label = child(f, QLabel, "noteLabel")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self._label_buttons(self.button_box)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role.value)
        from ostandari_desk.services import reference

        self.county_combo.addItem("—", None)
        for county in reference.list_counties(context.uow()):
            self.county_combo.addItem(county.name, county.id)
        self.role_combo.currentIndexChanged.connect(self._on_role_combo_current_index_changed)
        if user is None:
            self.setWindowTitle("کاربر جدید")
            self.role_combo.setCurrentIndex(self.role_combo.findData(Role.CLERK.value))
            self.note_label.setText("کارشناس شهرستان تنها سمن‌ها و پرونده‌های شهرستان خود را می‌بیند.")
        else:
            self.setWindowTitle(f"ویرایش کاربر {user.full_name}")
            self.username_edit.setText(user.username)
            self.username_edit.setReadOnly(True)
            self.full_name_edit.setText(user.full_name)
            self.role_combo.setCurrentIndex(max(self.role_combo.findData(user.role), 0))
            self.county_combo.setCurrentIndex(max(self.county_combo.findData(user.county_id), 0))
            for name in ("passwordLabel", "repeatLabel"):
                child(f, QLabel, name).hide()
            self.password_edit.hide()
            self.repeat_edit.hide()
            self.note_label.setText("گذرواژه را با «تعیین گذرواژه تازه» در فهرست کاربران عوض کنید.")
        self._on_role_combo_current_index_changed()
        (self.full_name_edit if user else self.username_edit).setFocus()
        self.setMinimumWidth(460)

    def _on_role_combo_current_index_changed(self, *_args) -> None:
        county = self.role_combo.currentData() == Role.COUNTY.value
        self.county_combo.setEnabled(county)
        if not county:
            self.county_combo.setCurrentIndex(0)

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "username": self.username_edit,
            "full_name": self.full_name_edit,
            "role": self.role_combo,
            "county": self.county_combo,
            "password": self.password_edit,
            "repeat": self.repeat_edit,
        }

    def save(self) -> bool:
        from ostandari_desk.services import users

        role = self.role_combo.currentData()
        county_id = self.county_combo.currentData()

        def store() -> None:
            if self.user is None:
                if self.password_edit.text() != self.repeat_edit.text():
                    raise ValidationError(PASSWORDS_DIFFER, field="repeat")
                self.saved_id = users.create_user(
                    self.context.uow(),
                    self.username_edit.text(),
                    self.full_name_edit.text(),
                    role,
                    self.password_edit.text(),
                    county_id,
                )
            else:
                users.update_user(
                    self.context.uow(), self.user.id, self.full_name_edit.text(), role, county_id
                )
                self.saved_id = self.user.id

        if not self._save_guarded(store):
            return False
        self.accept()
        return True


class UsersPage(QWidget):
    """``UsersPage(context)``: the admin's list of users and what may be done to each."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.last_dialog: EditDialog | None = None
        self.confirm: Callable[[QWidget | None, str, str], bool] = ask_yes_no
        self.ui = load_form("users_page", self)
        self.search_edit = child(self.ui, QLineEdit, "userSearchEdit")
        self.table = child(self.ui, QTableView, "usersTable")
        self.add_button = child(self.ui, QPushButton, "addUserButton")
        self.edit_button = child(self.ui, QPushButton, "editUserButton")
        self.toggle_button = child(self.ui, QPushButton, "toggleUserButton")
        self.password_button = child(self.ui, QPushButton, "resetPasswordButton")
        self.count_label = child(self.ui, QLabel, "userCountLabel")
        self.model = UsersModel(self)
        self.proxy = UserSearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortLocaleAware(True)  # Persian collation (پ چ ژ گ in their places)
        self.table.setModel(self.proxy)
        configure_table(self.table, WIDTHS)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.search_edit.textChanged.connect(self.proxy.set_query)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.toggle_button.clicked.connect(self.toggle_user)
        self.password_button.clicked.connect(self.reset_password)
        self.table.doubleClicked.connect(lambda _index: self.edit_user())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.proxy.modelReset.connect(self._update_buttons)
        self.proxy.layoutChanged.connect(self._update_buttons)
        self.refresh()

    # --- list -----------------------------------------------------------------------------------

    def refresh(self, select_id: str | None = None) -> None:
        from ostandari_desk.services import users

        select_id = select_id or self.selected_id()
        try:
            rows = users.list_users(self.context.uow())
        except UserError as exc:  # not an admin (the page is not offered then)
            ui_errors.show_user_error(self, exc)
            rows = []
        self.model.set_rows(rows)
        self.count_label.setText(f"{to_persian_digits(len(rows))} کاربر")
        if select_id:
            self.select_user(select_id)
        self._update_buttons()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def selected_user(self):
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        row = self.proxy.mapToSource(index).row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def selected_id(self) -> str | None:
        user = self.selected_user()
        return user.id if user else None

    def select_user(self, user_id: str) -> bool:
        row = self.model.row_of_id(user_id)
        if row < 0:
            return False
        proxy_row = self.proxy.mapFromSource(self.model.index(row, 0)).row()
        if proxy_row < 0:
            return False
        select_row(self.table, proxy_row)
        return True

    def shown_usernames(self) -> list[str]:
        """The usernames in the table, in the order shown."""
        return [self.proxy.index(r, 0).data().lstrip("\u200f") for r in range(self.proxy.rowCount())]

    def _update_buttons(self) -> None:
        user = self.selected_user()
        for button in (self.edit_button, self.toggle_button, self.password_button):
            button.setEnabled(user is not None)
        self.toggle_button.setText("فعال کردن" if user is not None and not user.active else "غیرفعال کردن")

    # --- actions --------------------------------------------------------------------------------

    def _open(self, dialog: EditDialog) -> EditDialog:
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self.refresh(getattr(dialog, "saved_id", None)))
        dialog.open()
        return dialog

    def add_user(self) -> EditDialog:
        return self._open(UserDialog(self.context, None, self))

    def edit_user(self) -> EditDialog | None:
        user = self.selected_user()
        return self._open(UserDialog(self.context, user, self)) if user else None

    def reset_password(self) -> EditDialog | None:
        user = self.selected_user()
        return self._open(PasswordDialog(self.context, user, self)) if user else None

    def toggle_user(self) -> bool:
        """Disable the selected user (after a question) or enable them again."""
        from ostandari_desk.services import users

        user = self.selected_user()
        if user is None:
            return False
        if user.active and not self.confirm(
            self,
            "غیرفعال کردن کاربر",
            f"«{user.full_name}» غیرفعال شود؟ او دیگر نمی‌تواند وارد سامانه شود؛ سابقه کارش می‌ماند.",
        ):
            return False
        try:
            users.set_user_active(self.context.uow(), user.id, not user.active)
        except UserError as exc:  # the last active admin
            ui_errors.show_user_error(self, exc)
            return False
        self.refresh(user.id)
        return True
