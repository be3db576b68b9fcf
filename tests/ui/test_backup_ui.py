"""«پرونده ← پشتیبان‌گیری، بازگردانی، بررسی سلامت» in the window, the start page's warning and the automatic
backup when the desk closes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog
from services.conftest import next_national_id

from ostandari_desk import paths, settings
from ostandari_desk.services import backup
from ostandari_desk.services.ngos import NgoFilter, NgoInput, count_ngos, create_ngo
from ostandari_desk.ui import backup_dialogs
from ostandari_desk.ui.tasks import wait_for_tasks

WAIT_MS = 20_000


def ngo_count(db_path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM ngo").fetchone()[0]
    finally:
        conn.close()


def add_ngo(ctx, name: str) -> str:
    return create_ngo(
        ctx.uow(), NgoInput(national_id=next_national_id(), name=name, county_id=None, level="province")
    )


def settle(qtbot) -> None:
    qtbot.waitUntil(lambda: wait_for_tasks(100), timeout=WAIT_MS)


def test_only_an_admin_sees_the_actions(admin, make_user, desk_as):
    window = desk_as(admin)
    actions = window.backup_actions
    assert set(actions) == {"backup", "restore", "check", "folder"}
    assert all(a.isVisible() and a.isEnabled() for a in actions.values())
    assert [a.text() for a in actions.values()][:3] == ["پشتیبان‌گیری…", "بازگردانی پشتیبان…", "بررسی سلامت…"]
    clerk = desk_as(make_user("sara", "سارا", "clerk"))
    assert not any(a.isVisible() or a.isEnabled() for a in clerk.backup_actions.values())


def test_backup_from_the_menu_writes_the_file_with_a_progress_bar(main_window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "پشتیبان.zip"
    suggested = []
    monkeypatch.setattr(
        backup_dialogs, "choose_backup_target", lambda window, default: suggested.append(default) or target
    )
    main_window.backup_actions["backup"].trigger()
    assert main_window.findChildren(QProgressDialog)  # shown at once (delay 0)
    settle(qtbot)
    assert target.is_file()
    assert suggested[0].parent == paths.data_dir() / "backups" and suggested[0].suffix == ".zip"
    box = main_window.last_dialog
    assert isinstance(box, QMessageBox) and "پشتیبان نوشته شد" in box.text()


def test_check_from_the_menu_reports_and_repairs(main_window, ctx, qtbot, db_path):
    add_ngo(ctx, "انجمن بررسی")
    main_window.backup_actions["check"].trigger()
    settle(qtbot)
    assert "نتیجه: پایگاه داده سالم است." in main_window.last_dialog.text()
    main_window.last_dialog.close()
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM ngo_fts")
    conn.commit()
    conn.close()
    main_window.backup_actions["check"].trigger()
    settle(qtbot)
    report = main_window.last_dialog
    assert report.icon() == QMessageBox.Icon.Warning and "--repair" not in report.text()
    [repair] = [b for b in report.buttons() if b.objectName() == "repairButton"]
    repair.click()
    settle(qtbot)
    assert "بازسازی شد" in main_window.last_dialog.text()
    assert count_ngos(ctx.uow(), NgoFilter(text="بررسی")) == 1


def test_restore_from_the_menu_asks_replaces_and_signs_in_again(
    main_window, ctx, qtbot, db_path, tmp_path, monkeypatch
):
    add_ngo(ctx, "انجمن پیش از پشتیبان")
    made = backup.make_backup(ctx.uow(), db_path, tmp_path / "b.zip")
    add_ngo(ctx, "انجمن پس از پشتیبان")
    assert ngo_count(db_path) == 2
    monkeypatch.setattr(backup_dialogs, "choose_backup_file", lambda window, folder: made.path)
    signed_in = []
    main_window.sign_in = lambda engine, parent: signed_in.append(engine) or ctx.actor
    old_engine = main_window.context.engine

    main_window.backup_actions["restore"].trigger()
    settle(qtbot)
    question = main_window.last_dialog
    assert question.objectName() == "restoreQuestion" and "جایگزین شود؟" in question.text()
    assert ngo_count(db_path) == 2  # nothing yet
    question.button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot)
    qtbot.waitUntil(lambda: bool(signed_in), timeout=WAIT_MS)
    assert ngo_count(db_path) == 1
    assert main_window.context.engine is signed_in[0] and main_window.context.engine is not old_engine
    assert "پشتیبان بازگردانده شد" in main_window.last_dialog.text()
    assert main_window.current_area() == "start" and main_window.page("start") is not None
    assert count_ngos(main_window.context.uow(), NgoFilter(text="پس از")) == 0
    main_window.context.engine.dispose()
    main_window.context = None  # the fixture's engine is the old one; this window's engine is gone now


def test_declining_a_restore_changes_nothing(main_window, ctx, qtbot, db_path, tmp_path, monkeypatch):
    made = backup.make_backup(ctx.uow(), db_path, tmp_path / "b.zip")
    add_ngo(ctx, "انجمن ماندگار")
    monkeypatch.setattr(backup_dialogs, "choose_backup_file", lambda window, folder: made.path)
    main_window.backup_actions["restore"].trigger()
    settle(qtbot)
    main_window.last_dialog.button(QMessageBox.StandardButton.No).click()
    settle(qtbot)
    assert ngo_count(db_path) == 1
    assert not [p for p in db_path.parent.iterdir() if ".restore-" in p.name]


def test_the_start_page_warns_when_the_last_backup_is_old(main_window, ctx):
    page = main_window.page("start")
    assert page.backup_warning.isVisible()
    assert "هنوز از این پایگاه داده پشتیبان گرفته نشده است" in page.backup_warning.text()
    assert "پشتیبان‌گیری" in page.backup_warning.text()  # an admin is told where
    settings.set_setting(ctx.uow(), "last_backup_at", (datetime.now(UTC) - timedelta(days=9)).isoformat())
    page.show_backup_warning()
    assert page.backup_warning.isVisible() and "۹ روز پیش" in page.backup_warning.text()
    settings.set_setting(ctx.uow(), "last_backup_at", (datetime.now(UTC) - timedelta(days=2)).isoformat())
    page.show_backup_warning()
    assert not page.backup_warning.isVisible()


@pytest.fixture
def closing_window(ctx, qtbot, db_path):
    from ostandari_desk.app import create_main_window

    def make():
        window = create_main_window(ctx.engine, ctx.actor, db_path)
        qtbot.addWidget(window)
        window.auto_backup = True  # as app.py sets it
        window.show()
        qtbot.waitExposed(window)
        wait_for_tasks()
        return window

    return make


def test_closing_the_desk_makes_the_days_backup_once(closing_window, qtbot):
    folder = paths.data_dir() / "backups"
    window = closing_window()
    window.close()
    assert window.isVisible()  # waits for the backup
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    [made] = folder.glob("*-auto-*.zip")
    again = closing_window()
    again.close()
    assert not again.isVisible()  # today's is done: closes at once
    assert list(folder.glob("*-auto-*.zip")) == [made]


def test_an_unplugged_backup_drive_is_said_and_the_desk_still_closes(closing_window, ctx, qtbot, tmp_path):
    (tmp_path / "usb").write_text("not a folder")
    settings.set_setting(ctx.uow(), "backup_folder", str(tmp_path / "usb" / "backups"))
    window = closing_window()
    window.close()
    qtbot.waitUntil(lambda: isinstance(window.last_dialog, QMessageBox), timeout=WAIT_MS)
    box = window.last_dialog
    assert "در دسترس نیست" in box.text() and window.isVisible()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)


def test_a_refused_restore_leaves_the_desk_as_it_was(main_window, ctx, qtbot, db_path, tmp_path, monkeypatch):
    import subprocess
    import sys

    made = backup.make_backup(ctx.uow(), db_path, tmp_path / "b.zip")
    add_ngo(ctx, "انجمن ماندگار")
    monkeypatch.setattr(backup_dialogs, "choose_backup_file", lambda window, folder: made.path)
    shown = []
    monkeypatch.setattr("ostandari_desk.ui.errors.show_error", lambda parent, error: shown.append(error))
    holder = (
        "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT 1 FROM ngo').fetchall(); print('READY', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        context = main_window.context
        main_window.backup_actions["restore"].trigger()
        settle(qtbot)
        main_window.last_dialog.button(QMessageBox.StandardButton.Yes).click()
        settle(qtbot)
        qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    finally:
        proc.kill()
        proc.wait(10)
    assert "ببندید" in shown[0].message
    assert main_window.context is context and main_window.page("start") is not None
    assert ngo_count(db_path) == 1 and count_ngos(context.uow(), NgoFilter(text="ماندگار")) == 1


def test_the_automatic_backups_folder_is_chosen_from_the_menu(main_window, ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_dialogs, "choose_backup_folder", lambda window, current: tmp_path / "usb")
    main_window.backup_actions["folder"].trigger()
    assert ctx.setting("backup_folder") == str(tmp_path / "usb")
    assert backup.backups_folder(ctx.uow()) == tmp_path / "usb"
