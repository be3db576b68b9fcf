"""Two programs on one database, seen from the screens (issue 7): the «waiting for another program» notice,
the NGO list's activate/deactivate refusing a stale row, the restore offer after a failed upgrade."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _hold_write_lock(db_path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_save_on_a_worker_waiting_for_another_program_is_shown_in_the_status_bar(
    main_window, qtbot, db_path
):
    from ostandari_desk import settings
    from ostandari_desk.ui.main_window import LOCK_WAIT_MESSAGE
    from ostandari_desk.ui.tasks import run_task, wait_for_tasks

    bar = main_window.statusBar()
    other = _hold_write_lock(db_path)
    done: list[object] = []
    try:
        run_task(
            main_window,
            lambda: settings.set_setting(main_window.context.uow(), "office_name", "اداره کل"),
            on_done=done.append,
            progress=False,
        )
        qtbot.waitUntil(lambda: bar.currentMessage() == LOCK_WAIT_MESSAGE, timeout=5000)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert wait_for_tasks(15000)
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=5000)
    assert done == [None]
    assert settings.get_setting(main_window.context.uow(), "office_name") == "اداره کل"


def test_a_save_on_the_main_thread_paints_the_notice_before_it_waits(main_window, db_path):
    from ostandari_desk import settings
    from ostandari_desk.ui.main_window import LOCK_WAIT_MESSAGE

    shown: list[str] = []
    main_window.statusBar().messageChanged.connect(shown.append)
    other = _hold_write_lock(db_path)
    release = threading.Timer(0.6, lambda: other.execute("ROLLBACK"))
    release.start()
    try:
        settings.set_setting(main_window.context.uow(), "office_name", "اداره کل")
    finally:
        release.join()
        other.close()
    assert shown == [LOCK_WAIT_MESSAGE, ""]


def test_the_list_does_not_deactivate_an_ngo_saved_by_someone_else_since_it_was_shown(
    qtbot, ctx, monkeypatch
):
    from ostandari_desk.services.ngos import get_ngo, set_ngo_active
    from ostandari_desk.ui import errors as ui_errors
    from ostandari_desk.ui.ngos import NgoListPage

    ngo_id = make_ngo(ctx, "انجمن پرستو")
    page = NgoListPage(ctx)
    qtbot.addWidget(page)
    page.confirm = lambda *_args: True
    assert page.select_ngo(ngo_id)
    set_ngo_active(ctx.uow(), ngo_id, False)  # another window deactivates it ...
    set_ngo_active(ctx.uow(), ngo_id, True)  # ... and activates it again: the row shown is stale
    refused: list[str] = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda _parent, error, *_a: refused.append(error.message)
    )
    page.active_button.click()
    assert refused and "کاربر دیگری" in refused[0]
    assert get_ngo(ctx.uow(), ngo_id).status == "active"
    assert get_ngo(ctx.uow(), ngo_id).row_version == 3


def test_a_failed_upgrade_offers_its_copy_and_restores_it(qtbot, tmp_path, monkeypatch, prepared_app):
    from PySide6.QtWidgets import QMessageBox

    from ostandari_desk.errors import UpgradeFailedError
    from ostandari_desk.ui import upgrade_failed

    database, copy = tmp_path / "desk.sqlite3", tmp_path / "desk.before-upgrade-0004.sqlite3"
    for path, value in ((database, "پس از"), (copy, "پیش از")):
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("INSERT INTO setting VALUES ('office_name', ?)", (value,))
    error = UpgradeFailedError(
        f"به‌روزرسانی انجام نشد. رونوشت: {copy}", copy=str(copy), database=str(database)
    )
    seen: list[str] = []

    def press_restore(box: QMessageBox) -> int:
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == upgrade_failed.RESTORE_BUTTON).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_restore)
    monkeypatch.setattr(QMessageBox, "information", lambda *args: seen.append(args[2]))
    aside = upgrade_failed.offer_restore(None, error)
    assert str(copy) in seen[0] and str(aside) in seen[1]
    with closing(sqlite3.connect(database)) as conn, conn:
        assert conn.execute("SELECT value FROM setting").fetchone() == ("پیش از",)
    with closing(sqlite3.connect(aside)) as conn, conn:
        assert conn.execute("SELECT value FROM setting").fetchone() == ("پس از",)
