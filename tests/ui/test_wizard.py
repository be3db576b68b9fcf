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


def test_run_gui_opens_the_window_on_an_initialized_database(ctx, db_path, qtbot, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ostandari_desk import app as app_module
    from ostandari_desk.ui.main_window import MainWindow

    seen = {}
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
            for w in windows:
                w.close()
                w.deleteLater()
            QApplication.exit(0)
        else:
            QTimer.singleShot(50, check_and_quit)

    monkeypatch.setattr(app_module, "install_excepthook", lambda: None, raising=False)
    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    QTimer.singleShot(50, check_and_quit)
    assert app_module.run_gui(db_path) == 0
    assert seen["title"].startswith("میز استانداری — ")
