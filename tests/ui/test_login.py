"""Signing in and out through the dialogs: wrong password, lockout, a disabled user, the demo hint,
changing your own password and «خروج از حساب» with another user signing in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ostandari_desk.domain.roles import Role
from ostandari_desk.errors import AuthenticationError
from ostandari_desk.services import users
from ostandari_desk.ui import login
from ostandari_desk.ui.tasks import wait_for_tasks

ADMIN_PASSWORD = "secret-1"  # the ``admin`` fixture's (tests/ui/conftest.py)


def type_text(widget, text: str) -> None:
    """Type any text one key at a time (qtbot.keyClicks aborts pytest on non-ASCII text)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


@pytest.fixture
def dialog(ctx, admin, qtbot):
    d = login.LoginDialog(ctx.engine)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_sign_in_by_keyboard(dialog, admin, qtbot):
    assert dialog.isRightToLeft()
    assert dialog.office_label.text().startswith("اداره کل امور اجتماعی و فرهنگی")
    assert dialog.demo_label.isHidden() and dialog.error_label.isHidden()
    qtbot.keyClicks(dialog.username_edit, "boss")
    qtbot.keyClicks(dialog.password_edit, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.actor == admin
    assert dialog.actor.role is Role.ADMIN and dialog.actor.full_name == "مدیر آزمون"


def test_a_wrong_password_is_refused_in_persian_and_the_dialog_stays(dialog, ctx):
    dialog.username_edit.setText("boss")
    dialog.password_edit.setText("not-it")
    assert not dialog.try_sign_in()
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "نام کاربری یا گذرواژه نادرست است"
    assert dialog.password_edit.text() == ""  # cleared for the next try
    assert dialog.focusWidget() is dialog.password_edit
    dialog.username_edit.setText("nobody")
    dialog.password_edit.setText(ADMIN_PASSWORD)
    assert not dialog.try_sign_in()
    assert dialog.error_label.text() == "نام کاربری یا گذرواژه نادرست است"
    assert dialog.focusWidget() is dialog.username_edit


def test_five_wrong_passwords_lock_the_user_and_the_dialog_says_so(dialog):
    dialog.username_edit.setText("boss")
    for _ in range(users.MAX_FAILED_LOGINS):
        dialog.password_edit.setText("not-it")
        assert not dialog.try_sign_in()
    dialog.password_edit.setText(ADMIN_PASSWORD)  # even the right password is refused now
    assert not dialog.try_sign_in()
    assert dialog.actor is None
    assert "به سبب ورودهای نادرست پیاپی، این کاربر تا" in dialog.error_label.text()
    assert dialog.error_label.text().endswith("دقیقه دیگر قفل است")
    assert "۵" in dialog.error_label.text()  # Persian digits


def test_a_disabled_user_cannot_sign_in(ctx, admin, make_user, qtbot):
    clerk = make_user("reza", "رضا کاظمی", "clerk", password="secret-2")
    users.set_user_active(ctx.uow(), clerk.user_id, False)
    d = login.LoginDialog(ctx.engine)
    qtbot.addWidget(d)
    d.username_edit.setText("reza")
    d.password_edit.setText("secret-2")
    assert not d.try_sign_in()
    assert d.actor is None
    assert d.error_label.text() == "این کاربر غیرفعال شده است؛ با مدیر سامانه تماس بگیرید"


def test_the_demo_database_names_its_user(ctx, admin, qtbot):
    ctx.set_setting("demo_database", True)
    d = login.LoginDialog(ctx.engine)
    qtbot.addWidget(d)
    d.show()
    assert d.demo_label.isVisible()
    assert "«demo»" in d.demo_label.text() and "گذرواژه «demo»" in d.demo_label.text()
    assert d.username_edit.text() == "demo"


def test_cancel_gives_no_one(ctx, admin, prepared_app):
    def cancel():
        modal = QApplication.activeModalWidget()
        if isinstance(modal, login.LoginDialog):
            modal.reject()
        else:
            QTimer.singleShot(20, cancel)

    QTimer.singleShot(20, cancel)
    assert login.sign_in(ctx.engine) is None


def test_first_admin_dialog_takes_a_persian_name(ctx, qtbot):
    assert not users.has_users(ctx.engine)
    d = login.FirstAdminDialog(ctx.engine)
    qtbot.addWidget(d)
    d.show()
    fields = d.fields
    qtbot.keyClicks(fields.username_edit, "zahra")
    type_text(fields.full_name_edit, "زهرا محمدی‌نیا")
    qtbot.keyClicks(fields.password_edit, "abc")
    qtbot.keyClicks(fields.repeat_edit, "abc")
    assert not d.create()
    assert d.error_label.text() == "گذرواژه دست‌کم باید ۶ نویسه باشد"
    assert not users.has_users(ctx.engine)
    fields.password_edit.setText("secret-1")
    fields.repeat_edit.setText("secret-1")
    with qtbot.waitSignal(d.accepted):
        assert d.create()
    assert d.actor.full_name == "زهرا محمدی‌نیا"  # the ZWNJ survived typing
    assert d.actor.role is Role.ADMIN


# --- the «کاربر» menu -----------------------------------------------------------------------------


def test_change_own_password_from_the_menu(admin, desk_as, monkeypatch):
    from ostandari_desk.ui import errors as ui_errors

    shown = []
    monkeypatch.setattr(ui_errors, "show_user_error", lambda _p, exc, title="خطا": shown.append(exc.message))
    window = desk_as(admin)
    window.user_actions["password"].trigger()
    d = window.last_dialog
    assert isinstance(d, login.PasswordDialog) and d.isVisible()
    assert d.current_edit.isVisible()
    d.current_edit.setText("not-it")
    d.new_edit.setText("brand-new-1")
    d.repeat_edit.setText("brand-new-1")
    assert not d.save()
    assert shown == ["گذرواژه کنونی نادرست است"]
    d.current_edit.setText(ADMIN_PASSWORD)
    d.repeat_edit.setText("brand-new-2")
    assert not d.save()
    assert shown[-1] == login.PASSWORDS_DIFFER
    d.repeat_edit.setText("brand-new-1")
    assert d.save()
    assert window.statusBar().currentMessage() == "گذرواژه شما تغییر کرد."
    assert users.authenticate(window.context.engine, "boss", "brand-new-1").user_id == admin.user_id
    with pytest.raises(AuthenticationError):
        users.authenticate(window.context.engine, "boss", ADMIN_PASSWORD)


def test_log_out_and_another_user_signs_in(ctx, admin, make_user, desk_as):
    from ostandari_desk.services.audit import AuditFilter, audit_lines

    clerk = make_user("reza", "رضا کاظمی", "clerk")
    window = desk_as(admin)
    window.open_area("users")
    old_start = window.page("start")
    assert "users" in window.visible_areas()
    asked = []

    def sign_in(engine, parent):
        asked.append(window.isVisible())  # the desk is hidden while nobody is signed in
        return clerk

    window.sign_in = sign_in
    window.user_actions["logout"].trigger()
    wait_for_tasks()
    assert asked == [False]
    assert window.isVisible()
    assert window.context.actor == clerk
    assert window.actor_label.text() == "رضا کاظمی — کارشناس استان"
    assert "users" not in window.visible_areas() and "audit" not in window.visible_areas()
    assert "کاربران" not in [a.text() for a in window.go_menu.actions()]
    assert window.page("users") is None and window.page("start") is not old_start  # pages built anew
    assert window.current_area() == "start"
    logouts = [line for line in audit_lines(ctx.uow(), AuditFilter(action="logout"))]
    assert [line.username for line in logouts] == ["boss"]


def test_log_out_then_cancel_closes_the_desk(admin, desk_as):
    window = desk_as(admin)
    window.sign_in = lambda engine, parent: None
    assert not window.log_out()
    assert not window.isVisible()


def _logouts(ctx) -> list[str]:
    from ostandari_desk.services.audit import AuditFilter, audit_lines

    return [line.username for line in audit_lines(ctx.uow(), AuditFilter(action="logout"))]


def test_closing_the_desk_logs_the_sign_out_once(ctx, admin, desk_as):
    window = desk_as(admin)
    window.close()
    assert _logouts(ctx) == ["boss"]
    window.sign_in = lambda engine, parent: None  # «خروج از حساب» then cancel: logged once, not again
    window.set_context(window.context)
    assert not window.log_out()
    assert _logouts(ctx) == ["boss", "boss"]
