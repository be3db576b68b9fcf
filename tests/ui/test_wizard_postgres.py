"""The office's PostgreSQL server in the window: the wizard's first page (a file or the server, «آزمودن
اتصال»), the start-up password dialog with «ذخیره در کلیدساز سیستم», and «پرونده ← اتصال به سرور…»."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QWizard

from ostandari_desk import paths
from ostandari_desk.domain.roles import SYSTEM, Role
from ostandari_desk.services import credentials, setup, users
from ostandari_desk.services.credentials import ServerDatabase, parse_server_url
from ostandari_desk.store.uow import UnitOfWork
from ostandari_desk.ui import database_dialogs
from ostandari_desk.ui.tasks import wait_for_tasks
from ostandari_desk.ui.wizard import DATABASE_PAGE, OFFICE_PAGE, PROVINCE_PAGE, SetupWizard

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def no_keyring():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def first_run(engine, prepared_app, qtbot, no_keyring):
    wizard = SetupWizard(engine, choose_database=True)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    yield wizard
    wait_for_tasks()
    if wizard.engine is not engine:
        wizard.engine.dispose()


def fill_server(fields, server: ServerDatabase) -> None:
    fields.set_server(server)
    fields.password_edit.setText(server.password or "")


def fill_admin(office) -> None:
    office.username_edit.setText("ali")
    office.full_name_edit.setText("علی رضایی")
    office.password_edit.setText("secret-1")
    office.repeat_edit.setText("secret-1")


def connect_on_first_page(wizard, qtbot) -> None:
    page = wizard.database_page
    wizard.next()
    qtbot.waitUntil(lambda: page.connecting is None, timeout=20000)


def test_the_first_page_offers_the_file_or_the_server_in_persian(first_run, engine):
    from tests.ui.test_no_latin_text import latin_texts

    page = first_run.database_page
    assert first_run.currentId() == DATABASE_PAGE and page.file_radio.isChecked()
    assert not page.server_host.isEnabled()
    assert latin_texts(first_run) == []
    page.server_radio.setChecked(True)
    assert page.server_host.isEnabled()
    page.file_radio.setChecked(True)
    first_run.next()
    assert first_run.currentId() == PROVINCE_PAGE and first_run.engine is engine and first_run.server is None


def test_without_choosing_the_wizard_starts_at_the_province(engine, prepared_app, qtbot):
    wizard = SetupWizard(engine)
    qtbot.addWidget(wizard)
    assert wizard.database_page is None and wizard.startId() == PROVINCE_PAGE


def test_the_servers_fields_are_checked_before_connecting(first_run, qtbot):
    page = first_run.database_page
    page.server_radio.setChecked(True)
    page.fields.database_edit.setText("ostandari")
    first_run.next()
    assert first_run.currentId() == DATABASE_PAGE and page.connecting is None
    assert "نشانی سرور" in page.error_label.text()
    page.fields.host_edit.setText("127.0.0.1")
    page.fields.port_edit.setText("۷۰۰۰۰")
    first_run.next()
    assert "درگاه" in page.error_label.text() and first_run.focusWidget() is page.fields.port_edit


def test_an_unreachable_server_is_said_on_the_page(first_run, qtbot):
    page = first_run.database_page
    page.server_radio.setChecked(True)
    fill_server(page.fields, ServerDatabase(host="127.0.0.1", port=1, database="office", user="clerk"))
    connect_on_first_page(first_run, qtbot)
    assert first_run.currentId() == DATABASE_PAGE
    assert "در دسترس نیست" in page.error_label.text() and first_run.server is None
    page.fields.test_connection()  # «آزمودن اتصال» says the same beside the button
    qtbot.waitUntil(lambda: page.fields.tested is not None, timeout=20000)
    assert "در دسترس نیست" in page.fields.status_label.text()


def test_a_wanted_password_is_asked_on_the_page(first_run, qtbot, monkeypatch):
    def check(server):
        if server.password != "s3cret":
            raise credentials.PasswordRequired(server, wrong=server.password is not None)

    monkeypatch.setattr(credentials, "check_connection", check)
    monkeypatch.setattr(credentials, "open_server", lambda server: pytest.fail("refused before opening"))
    page = first_run.database_page
    page.server_radio.setChecked(True)
    fill_server(page.fields, parse_server_url("postgresql://clerk:wrong@db/office"))
    connect_on_first_page(first_run, qtbot)
    assert "نپذیرفت" in page.error_label.text() and "wrong" not in page.error_label.text()
    assert first_run.focusWidget() is page.fields.password_edit
    assert not page.fields.keep_check.isEnabled()  # no keyring on this machine: nothing to tick


# --- a real server -----------------------------------------------------------------------------------


@pytest.fixture
def server(pg_url) -> ServerDatabase:
    return parse_server_url(pg_url)


@pytest.mark.postgres
def test_the_wizard_sets_up_the_office_server(first_run, engine, server, qtbot):
    page = first_run.database_page
    page.server_radio.setChecked(True)
    fill_server(page.fields, server)
    page.fields.test_connection()
    qtbot.waitUntil(lambda: page.fields.tested is not None, timeout=20000)
    assert page.fields.status_label.text() == database_dialogs.CONNECTED
    connect_on_first_page(first_run, qtbot)
    assert first_run.currentId() == PROVINCE_PAGE
    assert first_run.server == server and first_run.engine is not engine
    province = first_run.province_page
    province.province_combo.setCurrentIndex(province.province_combo.findText("قزوین"))
    first_run.next()
    assert first_run.currentId() == OFFICE_PAGE
    fill_admin(first_run.office_page)
    first_run.button(QWizard.WizardButton.FinishButton).click()
    assert first_run.result() == QWizard.DialogCode.Accepted and not first_run.existing
    assert first_run.engine.url.get_backend_name() == "postgresql"
    assert setup.is_initialized(UnitOfWork(first_run.engine, SYSTEM))
    assert users.authenticate(first_run.engine, "ali", "secret-1").role == Role.ADMIN
    assert not setup.is_initialized(UnitOfWork(engine, SYSTEM))  # the file was left alone


@pytest.mark.postgres
def test_a_server_set_up_already_ends_the_wizard(first_run, server, qtbot):
    ready = credentials.open_chosen(server).engine
    setup.initialize(UnitOfWork(ready, SYSTEM), "قزوین", None)
    users.create_first_admin(UnitOfWork(ready, SYSTEM), "boss", "مدیر", "secret-1")
    ready.dispose()
    page = first_run.database_page
    page.server_radio.setChecked(True)
    fill_server(page.fields, server)
    connect_on_first_page(first_run, qtbot)
    assert first_run.result() == QWizard.DialogCode.Accepted
    assert first_run.existing and first_run.actor is None and first_run.opened.has_users


def _gone() -> None:
    """After run_gui: the closed desk's tasks finished, its window deleted, and the application's event loops
    usable again (closing the last window posted a Quit that would end every later loop at once)."""
    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    app.setQuitOnLastWindowClosed(False)  # run_gui turned it on
    wait_for_tasks()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QTimer.singleShot(0, QApplication.quit)
    app.exec()  # consumes the posted Quit; leaving exec clears the "quit now" flag


@pytest.mark.postgres
def test_start_up_asks_the_servers_password_and_keeps_it_only_in_the_keyring(
    server, prepared_app, monkeypatch
):
    from tests.services.test_credentials import MemoryKeyring
    from tests.ui.test_wizard import run_desk

    ready = credentials.open_chosen(server).engine
    setup.initialize(UnitOfWork(ready, SYSTEM), "قزوین", None)
    users.create_first_admin(UnitOfWork(ready, SYSTEM), "boss", "مدیر آزمون", "secret-1")
    ready.dispose()
    ring = MemoryKeyring()
    before = keyring.get_keyring()
    keyring.set_keyring(ring)
    real_check = credentials.check_connection

    def check(candidate):  # the test server trusts everyone: this one wants «s3cret»
        if candidate.password != "s3cret":
            raise credentials.PasswordRequired(candidate, wrong=candidate.password is not None)
        real_check(candidate)

    asked = []
    monkeypatch.setattr(credentials, "check_connection", check)
    monkeypatch.setattr(
        database_dialogs, "ask_server_password", lambda parent, error: asked.append(error) or ("s3cret", True)
    )
    monkeypatch.setattr(
        "ostandari_desk.ui.login.sign_in",
        lambda engine, parent: users.authenticate(engine, "boss", "secret-1"),
    )
    try:
        seen = run_desk(server.url, monkeypatch)
    finally:
        keyring.set_keyring(before)
        _gone()  # the closed desk's window and tasks, before the server's database is dropped
    assert seen["code"] == 0 and seen["actor"].username == "boss"
    assert len(asked) == 1 and not asked[0].wrong
    assert ring.items == {("ostandari-desk", server.keyring_username): "s3cret"}
    assert paths.recent_databases() == [server.url]
    assert "s3cret" not in (paths.data_dir() / paths.RECENT_FILE).read_text(encoding="utf-8")


@pytest.mark.postgres
def test_the_file_menu_switches_the_desk_to_the_server(server, main_window, qtbot, ctx, no_keyring):
    actions = main_window.database_actions
    assert {"open_file", "server"} <= set(actions)
    assert actions["server"].text() == "اتصال به سرور پایگاه داده اداره…"
    ready = credentials.open_chosen(server).engine
    setup.initialize(UnitOfWork(ready, SYSTEM), "قزوین", None)
    users.create_first_admin(UnitOfWork(ready, SYSTEM), "boss", "مدیر سرور", "secret-1")
    ready.dispose()
    main_window.sign_in = lambda engine, parent: users.authenticate(engine, "boss", "secret-1")
    old = main_window.context
    database_dialogs.switch_database(main_window, server)
    qtbot.waitUntil(lambda: main_window.context is not old, timeout=20000)
    new = main_window.context
    assert new.engine.url.get_backend_name() == "postgresql" and new.db_path is None
    assert new.actor.username == "boss"
    assert main_window._db_label.text() == f"\u2066{server.url}\u2069"
    assert paths.recent_databases()[0] == server.url
    wait_for_tasks()
    new.engine.dispose()


def test_cancelling_the_login_keeps_the_desk_where_it_was(main_window, qtbot, db_path, engine):
    users.create_first_admin(UnitOfWork(engine, SYSTEM), "boss", "مدیر", "secret-1")
    seen = []
    main_window.sign_in = lambda engine_, parent: seen.append(engine_) or None
    old = main_window.context
    database_dialogs.switch_database(main_window, db_path)  # another engine on it, then nobody signs in
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    assert main_window.context is old and seen[0] is not old.engine
    assert paths.recent_databases() == []
    wait_for_tasks()
