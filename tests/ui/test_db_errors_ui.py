"""The GUI shows a locked, full, read-only, damaged or newer database as a Persian box saying what to do.

Issue 7, finding 8: these reached the clerk as the generic crash box with an English traceback. Now the
start-up (app._Startup._on_failed), a save in a page (show_user_error) and a background task's error
path (run_task → show_error) show the database box (ui/errors.database_error_box); a damaged file names
the backups and offers to open the latest one. Conditions are real (tests/db_conditions.py); message
boxes are recorded instead of shown.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass

import pytest
from db_conditions import (
    WHAT_TO_DO,
    add_pragmas,
    corrupt_header,
    corrupt_schema_page,
    hold_write_lock,
    make_newer,
    page_count,
    short_busy_timeout,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.tasks import run_task, wait_for_tasks


@dataclass
class Box:
    title: str
    text: str
    info: str
    details: str
    buttons: list[str]


@pytest.fixture
def boxes(monkeypatch):
    """Every QMessageBox.exec() is recorded (and answered at once) instead of shown."""
    shown: list[Box] = []

    def record(box: QMessageBox) -> int:
        buttons = [button.text() for button in box.buttons()]
        shown.append(Box(box.windowTitle(), box.text(), box.informativeText(), box.detailedText(), buttons))
        return 0

    def record_static(parent, title, text, *_args, **_kwargs):  # QMessageBox.critical(...) and the like
        shown.append(Box(title, text, "", "", []))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", record)
    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record_static))
    return shown


def assert_database_box(box: Box, reason: str) -> None:
    assert box.title == ui_errors.DATABASE_TITLE
    assert WHAT_TO_DO[reason] in box.text
    assert "خطایی پیش‌بینی‌نشده" not in box.text  # not the crash box
    assert box.details == ""  # no traceback
    for english in ("Error", "sqlite3", "database is", "disk is", "readonly"):
        assert english not in box.text


def _close_desk_windows() -> None:
    from PySide6.QtWidgets import QApplication

    from ostandari_desk.ui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()
            widget.deleteLater()


# --- start-up ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "reason"),
    [(corrupt_header, "corrupt"), (corrupt_schema_page, "corrupt"), (make_newer, "newer")],
)
def test_start_up_on_an_unusable_database(prepared_app, db_path, boxes, monkeypatch, condition, reason):
    from ostandari_desk import app as desk_app

    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    condition(db_path)
    try:
        assert desk_app.run_gui(db_path) == desk_app.EXIT_UNAVAILABLE  # was 1 (crash) or 2
    finally:
        wait_for_tasks()
        _close_desk_windows()
    [box] = boxes
    assert_database_box(box, reason)
    assert str(db_path.resolve()) in box.info


def test_start_up_when_the_folder_is_gone(prepared_app, tmp_path, boxes, monkeypatch):
    from ostandari_desk import app as desk_app

    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    try:
        assert desk_app.run_gui(tmp_path / "unplugged" / "desk.sqlite3") == desk_app.EXIT_UNAVAILABLE
    finally:
        wait_for_tasks()
        _close_desk_windows()
    [box] = boxes
    assert_database_box(box, "cannot_open")


# --- a damaged file: the backups ------------------------------------------------------------------


def _corrupt_error(db_path):
    from ostandari_desk.errors import DatabaseUnavailableError
    from ostandari_desk.services.session import open_desk

    corrupt_header(db_path)
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_desk(db_path)
    return caught.value


def test_corrupt_without_a_backup_names_the_folder_and_the_command(prepared_app, qtbot, db_path):
    box = ui_errors.database_error_box(None, _corrupt_error(db_path), offer_restore=True)
    qtbot.addWidget(box)
    assert str(ui_errors.backups_folder()) in box.informativeText()
    assert "ostandari-desk restore" in box.informativeText()
    assert box.restore_button is None


def test_corrupt_in_a_page_names_the_latest_backup_and_opens_its_folder(
    prepared_app, qtbot, db_path, monkeypatch
):
    folder = ui_errors.backups_folder()
    folder.mkdir(parents=True)
    (folder / "desk-older.zip").write_bytes(b"1")
    os.utime(folder / "desk-older.zip", (1, 1))
    latest = folder / "desk-latest.zip"
    latest.write_bytes(b"2")
    opened = []

    def record_opened(url) -> bool:
        opened.append(url.toLocalFile())
        return True  # the user agreed / the call succeeded

    monkeypatch.setattr(QDesktopServices, "openUrl", record_opened)

    box = ui_errors.database_error_box(None, _corrupt_error(db_path))
    qtbot.addWidget(box)
    assert str(latest) in box.informativeText()
    assert f'ostandari-desk restore "{latest}"' in box.informativeText()
    assert "بازگردانی پشتیبان" in box.informativeText()  # the File menu's action
    assert box.restore_button is None  # the window still holds the file: restore from the menu
    next(b for b in box.buttons() if b.text() == ui_errors.OPEN_BACKUPS_FOLDER).click()
    assert opened == [str(folder)]


def test_start_up_on_a_damaged_file_restores_the_latest_backup(ctx, engine, db_path, boxes, monkeypatch):
    """«بازگردانی آخرین پشتیبان»: the damaged file is set aside, the backup put in its place, and the
    desk opens it (and asks who signs in)."""
    from ostandari_desk import app as desk_app
    from ostandari_desk import settings
    from ostandari_desk.services import backup
    from ostandari_desk.ui import login

    with ctx.uow() as uow:
        settings.set_setting(uow, "office_name", "اداره پیش از آسیب")
        uow.commit()
    ui_errors.backups_folder().mkdir(parents=True)
    made = backup.make_backup(ctx.uow(), db_path, ui_errors.backups_folder())
    engine.dispose()
    corrupt_header(db_path)

    record = QMessageBox.exec

    def choose_restore(box: QMessageBox) -> int:
        record(box)
        if getattr(box, "restore_button", None) is not None:
            box.restore_button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose_restore)
    asked = []
    monkeypatch.setattr(login, "sign_in", lambda engine_, parent: asked.append(engine_) or None)
    monkeypatch.setattr(login, "ask_first_admin", lambda engine_, parent: asked.append(engine_) or None)
    monkeypatch.setattr("ostandari_desk.ui.errors.install_excepthook", lambda: None)
    try:
        assert desk_app.run_gui(db_path) == desk_app.EXIT_CANCELLED  # opened, nobody signed in
    finally:
        wait_for_tasks()
        _close_desk_windows()
    first, told = boxes
    assert_database_box(first, "corrupt")
    assert ui_errors.RESTORE_LATEST_BACKUP in first.buttons
    assert str(made.path) in first.info
    assert "پشتیبان بازگردانده شد" in told.text and ".broken-" in told.text
    assert asked, "the restored database opened and asked for a sign-in"
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        office = conn.execute("SELECT value FROM setting WHERE key = 'office_name'").fetchone()[0]
    assert "اداره پیش از آسیب" in office
    assert list(db_path.parent.glob(f"{db_path.name}.broken-*")), "the damaged file was kept aside"


# --- a save in a page ------------------------------------------------------------------------------


@pytest.fixture
def reference_page(ctx, qtbot):
    from ostandari_desk.ui.reference_page import ReferencePage

    page = ReferencePage(ctx)
    qtbot.addWidget(page)
    page.office_edit.setText("اداره کل آزمون")
    return page


def test_save_while_another_program_writes(reference_page, ctx, db_path, boxes, monkeypatch):
    add_pragmas(ctx.engine, short_busy_timeout(monkeypatch))
    holder = hold_write_lock(db_path)
    try:
        reference_page.save_settings()
    finally:
        holder.close()
    [box] = boxes
    assert_database_box(box, "locked")


def test_save_on_a_read_only_database(reference_page, ctx, boxes):
    add_pragmas(ctx.engine, "PRAGMA query_only=ON")
    reference_page.save_settings()
    [box] = boxes
    assert_database_box(box, "read_only")


# --- a background task -----------------------------------------------------------------------------


def test_task_on_a_full_disk(ctx, db_path, boxes, qtbot):
    add_pragmas(ctx.engine, f"PRAGMA max_page_count={page_count(db_path)}")
    results = []

    def big_write() -> None:
        uow = ctx.uow()
        with uow.writing():
            uow.audit("backup", "database", "", detail="پ" * 2_000_000)
            uow.commit()

    run_task(None, big_write, on_done=results.append, progress=False)
    qtbot.waitUntil(lambda: bool(boxes), timeout=5000)
    assert wait_for_tasks()
    assert results == []
    assert_database_box(boxes[0], "full")


def test_task_with_a_raw_driver_error(prepared_app, db_path, boxes, qtbot):
    """An error from the standard library's sqlite3 (not through the store's engines) is named too."""
    corrupt_header(db_path)

    def read() -> None:
        with closing(sqlite3.connect(db_path)) as conn:
            conn.execute("SELECT 1 FROM sqlite_master").fetchall()

    run_task(None, read, on_done=lambda _r: None, progress=False)
    qtbot.waitUntil(lambda: bool(boxes), timeout=5000)
    assert wait_for_tasks()
    assert_database_box(boxes[0], "corrupt")
