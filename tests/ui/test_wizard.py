"""The first-run wizard, driven by keyboard and clicks, initializes a fresh database and its first admin;
start-up asks an upgraded database without users for a first admin, and anyone else to sign in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard

from ostandari_desk import settings
from ostandari_desk.domain.roles import SYSTEM, Role
from ostandari_desk.services import reference, setup, users
from ostandari_desk.store.uow import UnitOfWork
from ostandari_desk.ui.wizard import OFFICE_PAGE, PROVINCE_PAGE, SetupWizard

# QWizard resizes itself when the page changes; the offscreen platform says it cannot pass that on.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _type(widget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def fill_admin(office, password: str = "secret-1") -> None:
    office.username_edit.setText("ali")
    office.full_name_edit.setText("علی رضایی")
    office.password_edit.setText(password)
    office.repeat_edit.setText(password)


@pytest.fixture
def wizard(engine, prepared_app, qtbot):
    w = SetupWizard(engine)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_county_installation_by_keyboard(wizard, engine, qtbot):
    page = wizard.province_page
    assert wizard.currentId() == PROVINCE_PAGE
    assert wizard.isRightToLeft()
    page.province_combo.setCurrentIndex(page.province_combo.findText("قزوین"))
    assert not page.county_combo.isEnabled()
    page.county_radio.setFocus()
    qtbot.keyClick(page.county_radio, Qt.Key.Key_Space)
    assert page.county_combo.isEnabled()
    assert "آبیک" in [page.county_combo.itemText(i) for i in range(page.county_combo.count())]
    page.county_combo.setCurrentIndex(page.county_combo.findText("آبیک"))
    qtbot.keyClick(page.county_combo, Qt.Key.Key_Return)
    assert wizard.currentId() == OFFICE_PAGE

    office = wizard.office_page
    assert office.office_edit.text() == "معاونت سیاسی، امنیتی و اجتماعی فرمانداری آبیک"
    # Enter without an admin: refused with a Persian message, still on the page, nothing stored
    qtbot.keyClick(office.username_edit, Qt.Key.Key_Return)
    assert wizard.currentId() == OFFICE_PAGE
    assert office.error_label.text() == "نام کاربری باید یک واژه بی‌فاصله باشد"
    assert not setup.is_initialized(UnitOfWork(engine, SYSTEM))
    qtbot.keyClicks(office.username_edit, "maryam")
    office.full_name_edit.setFocus()
    _type(office.full_name_edit, "مریم احمدی")
    qtbot.keyClicks(office.password_edit, "secret-1")
    qtbot.keyClicks(office.repeat_edit, "secret-2")
    qtbot.keyClick(office.repeat_edit, Qt.Key.Key_Return)
    assert wizard.currentId() == OFFICE_PAGE
    assert office.error_label.text() == "گذرواژه و تکرار آن یکسان نیستند"
    assert wizard.focusWidget() is office.repeat_edit
    assert not users.has_users(engine)
    office.repeat_edit.clear()
    qtbot.keyClicks(office.repeat_edit, "secret-1")
    with qtbot.waitSignal(wizard.accepted):
        qtbot.keyClick(office.repeat_edit, Qt.Key.Key_Return)

    uow = UnitOfWork(engine, SYSTEM)
    assert setup.is_initialized(uow)
    # the first admin exists, and the wizard signed them in
    actor = wizard.actor
    assert (actor.username, actor.full_name, actor.role) == ("maryam", "مریم احمدی", Role.ADMIN)
    assert users.authenticate(engine, "maryam", "secret-1").user_id == actor.user_id
    values = settings.all_settings(uow)
    assert "current_clerk" not in values
    assert values["office_name"] == "معاونت سیاسی، امنیتی و اجتماعی فرمانداری آبیک"
    assert values["installation_county_id"] == reference.county_id_by_name(uow, "آبیک")
    assert values["province_id"] == wizard.province_id
    assert values["logo_path"] is None


def test_provincial_installation_with_logo(wizard, engine, qtbot, tmp_path, _private_home):
    from PySide6.QtGui import QColor, QImage

    logo = tmp_path / "نشان.png"
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("navy"))
    assert image.save(str(logo))
    page = wizard.province_page
    page.province_combo.setCurrentIndex(page.province_combo.findText("قزوین"))
    wizard.next()
    office = wizard.office_page
    assert office.office_edit.text() == "اداره کل امور اجتماعی و فرهنگی استانداری قزوین"
    office.set_logo(logo)
    fill_admin(office)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    values = settings.all_settings(UnitOfWork(engine, SYSTEM))
    assert values["installation_county_id"] is None
    stored = values["logo_path"]
    assert stored and stored.startswith(str(_private_home)) and stored.endswith(".png")


def test_unreadable_logo_is_refused(wizard, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    wizard.next()
    wizard.office_page.set_logo(bad)
    assert wizard.office_page.logo_source is None
    assert "تصویر" in wizard.office_page.error_label.text()


def test_already_initialized_database_is_refused_on_the_page(wizard, engine):
    setup.initialize(UnitOfWork(engine, SYSTEM), "قزوین", None)
    wizard.next()
    fill_admin(wizard.office_page)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.isVisible()
    assert "پیش‌تر راه‌اندازی شده" in wizard.office_page.error_label.text()
    assert wizard.actor is None and not users.has_users(engine)


def test_a_refused_admin_stores_nothing(wizard, engine):
    """A password too short: the set-up and the admin are one transaction, so neither is stored."""
    wizard.next()
    fill_admin(wizard.office_page, password="123")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.isVisible() and wizard.actor is None and wizard.province_id is None
    assert wizard.office_page.error_label.text() == "گذرواژه دست‌کم باید ۶ نویسه باشد"
    assert wizard.focusWidget() is wizard.office_page.password_edit
    assert not setup.is_initialized(UnitOfWork(engine, SYSTEM))
    assert not users.has_users(engine)
    fill_admin(wizard.office_page)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.actor.username == "ali" and setup.is_initialized(UnitOfWork(engine, SYSTEM))


# --- start-up: who the desk opens for ---------------------------------------------------------------


def run_desk(db_path, monkeypatch) -> dict:
    """run_gui on ``db_path`` until its main window shows a signed-in desk; what the window showed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ostandari_desk import app as app_module
    from ostandari_desk.ui.main_window import MainWindow

    seen: dict = {}
    # Windows other tests left behind must not be mistaken for the one run_gui opens.
    earlier = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)}

    def check_and_quit():
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and id(w) not in earlier
        ]
        if windows and windows[0].context is not None:
            seen["title"] = windows[0].windowTitle()
            seen["actor"] = windows[0].context.actor
            seen["status"] = windows[0].actor_label.text()
            seen["areas"] = windows[0].visible_areas()
            for w in windows:
                w.close()
                w.deleteLater()
            QApplication.exit(0)
        else:
            QTimer.singleShot(50, check_and_quit)

    monkeypatch.setattr(app_module, "install_excepthook", lambda: None, raising=False)
    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    QTimer.singleShot(50, check_and_quit)
    seen["code"] = app_module.run_gui(db_path)
    return seen


def _desk_windows():
    from PySide6.QtWidgets import QApplication

    from ostandari_desk.ui.main_window import MainWindow

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_run_gui_asks_for_a_login_and_opens_signed_in(ctx, engine, db_path, qtbot, monkeypatch):
    from ostandari_desk.ui import login

    users.create_first_admin(UnitOfWork(engine, SYSTEM), "boss", "مدیر آزمون", "secret-1")
    users.create_user(ctx.uow(), "reza", "رضا کاظمی", "clerk", "secret-2")
    asked = []

    def sign_in(engine_, parent):
        dialog = login.LoginDialog(engine_, parent)
        asked.append([w.context for w in _desk_windows()])
        dialog.username_edit.setText("reza")
        dialog.password_edit.setText("wrong-1")
        assert not dialog.try_sign_in()
        assert dialog.error_label.text() == users.WRONG_CREDENTIALS
        dialog.password_edit.setText("secret-2")
        assert dialog.try_sign_in()
        return dialog.actor

    monkeypatch.setattr(login, "sign_in", sign_in)
    seen = run_desk(db_path, monkeypatch)
    assert seen["code"] == 0
    assert asked and all(c is None for c in asked[0])  # nothing of the desk was shown before the login
    assert seen["title"].startswith("میز استانداری — ")
    assert seen["actor"].username == "reza"
    assert seen["status"] == "رضا کاظمی — کارشناس استان"
    assert "users" not in seen["areas"] and "audit" not in seen["areas"]


def test_run_gui_cancelled_login_exits(ctx, engine, db_path, qtbot, monkeypatch):
    from ostandari_desk import app as app_module
    from ostandari_desk.ui import login

    users.create_first_admin(UnitOfWork(engine, SYSTEM), "boss", "مدیر آزمون", "secret-1")
    monkeypatch.setattr(login, "sign_in", lambda engine_, parent: None)
    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    try:
        assert app_module.run_gui(db_path) == app_module.EXIT_CANCELLED
    finally:
        for w in _desk_windows():
            w.close()
            w.deleteLater()


def test_an_upgraded_database_without_users_asks_for_an_admin_first(ctx, engine, db_path, qtbot, monkeypatch):
    from ostandari_desk.ui import login

    assert not users.has_users(engine)
    asked = []

    def ask_first_admin(engine_, parent):
        dialog = login.FirstAdminDialog(engine_, parent)
        qtbot.addWidget(dialog)
        asked.append([w.context for w in _desk_windows()])
        fields = dialog.fields
        fields.username_edit.setText("admin")
        fields.full_name_edit.setText("زهرا مدیری")
        fields.password_edit.setText("secret-1")
        fields.repeat_edit.setText("secret-9")
        assert not dialog.create()
        assert dialog.error_label.text() == login.PASSWORDS_DIFFER and not users.has_users(engine_)
        fields.repeat_edit.setText("secret-1")
        assert dialog.create()
        return dialog.actor

    monkeypatch.setattr(login, "ask_first_admin", ask_first_admin)
    monkeypatch.setattr(
        login, "sign_in", lambda *a: pytest.fail("a database without users has nobody to sign in")
    )
    seen = run_desk(db_path, monkeypatch)
    assert seen["code"] == 0
    assert asked and all(c is None for c in asked[0])  # asked before anything else
    assert (seen["actor"].username, seen["actor"].role) == ("admin", Role.ADMIN)
    assert seen["status"] == "زهرا مدیری — مدیر سامانه"
    assert {"users", "audit"} <= set(seen["areas"])
    assert users.authenticate(engine, "admin", "secret-1").full_name == "زهرا مدیری"


def test_run_gui_on_a_new_database_runs_the_wizard_and_opens_as_its_admin(
    engine, db_path, prepared_app, monkeypatch
):
    from ostandari_desk.ui import login

    def finish(self):
        self.show()
        page = self.province_page
        page.province_combo.setCurrentIndex(page.province_combo.findText("قزوین"))
        self.next()
        fill_admin(self.office_page)
        self.button(QWizard.WizardButton.FinishButton).click()
        return self.result()

    monkeypatch.setattr(SetupWizard, "exec", finish)
    monkeypatch.setattr(login, "sign_in", lambda *a: pytest.fail("the wizard's admin is signed in already"))
    monkeypatch.setattr(login, "ask_first_admin", lambda *a: pytest.fail("the wizard made the admin"))
    seen = run_desk(db_path, monkeypatch)
    assert seen["code"] == 0
    assert seen["title"] == "میز استانداری — اداره کل امور اجتماعی و فرهنگی استانداری قزوین"
    assert (seen["actor"].username, seen["actor"].role) == ("ali", Role.ADMIN)
    assert seen["status"] == "علی رضایی — مدیر سامانه"
