"""run_task hands results and errors back on the main thread; forms load; the crash dialog copies details."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ostandari_desk.errors import UserError
from ostandari_desk.ui import errors as ui_errors
from ostandari_desk.ui.forms import FormError, child, form_names, load_form
from ostandari_desk.ui.tasks import run_task, wait_for_tasks


def test_result_arrives_on_main_thread(prepared_app, qtbot):
    main = threading.get_ident()
    seen = {}

    def work(progress):
        seen["worker"] = threading.get_ident()
        for i in range(3):
            progress(i + 1, 3)
        return 42

    def done(result):
        seen["result"] = result
        seen["done_thread"] = threading.get_ident()

    run_task(None, work, on_done=done, label="آزمون")
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["worker"] != main
    assert seen["done_thread"] == main


def test_error_arrives_on_main_thread(prepared_app, qtbot):
    errors = []

    def boom():
        raise UserError("نشد")

    run_task(None, boom, on_done=lambda r: None, on_error=errors.append, progress=False)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], UserError) and errors[0].message == "نشد"
    assert wait_for_tasks()


@pytest.mark.parametrize("name", form_names())
def test_every_form_loads(prepared_app, qtbot, name):
    host = QWidget()
    qtbot.addWidget(host)
    loaded = load_form(name, host)
    assert loaded.parent() is host
    assert host.layout().indexOf(loaded) >= 0


def test_missing_widget_is_a_loud_error(prepared_app, qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    form = load_form("wizard_office", host)
    with pytest.raises(FormError):
        child(form, QWidget, "noSuchWidget")


def test_crash_dialog_logs_and_copies(prepared_app, qtbot, _private_home):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = exc
    ui_errors.setup_logging()
    import traceback

    details = "".join(traceback.format_exception(error))
    box = ui_errors.crash_dialog(None, details)
    qtbot.addWidget(box)
    copy = next(b for b in box.buttons() if b.text() == "کپی جزئیات")
    copy.click()
    assert "RuntimeError: boom" in QApplication.clipboard().text()


def test_unexpected_error_goes_to_log(prepared_app, monkeypatch, _private_home):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    ui_errors.setup_logging()
    try:
        raise ValueError("unexpected")
    except ValueError as exc:
        ui_errors.show_error(None, exc)
    for handler in ui_errors.log.handlers:
        handler.flush()
    log = (_private_home / "logs" / "ostandari.log").read_text(encoding="utf-8")
    assert "ValueError: unexpected" in log
    assert shown and "خطایی" in shown[0]


def test_a_finished_tasks_handle_outlives_its_own_answer(prepared_app, qtbot):
    """Nobody keeps the handle (pages call run_task and forget it): it was dropped inside its own slot, and
    Qt went on delivering to the deleted object (a segfault one start-up in four). It goes once the event
    loop is back."""
    from ostandari_desk.ui import tasks

    still_held = []
    run_task(None, lambda: 7, on_done=lambda _r: still_held.append(len(tasks._running)), progress=False)
    qtbot.waitUntil(lambda: bool(still_held))
    assert still_held == [1]  # held while its answer is delivered
    qtbot.waitUntil(lambda: not tasks._running)  # and let go after


def test_what_a_task_holds_is_let_go_of_on_the_main_thread(prepared_app, qtbot):
    """The pool thread let go of a task's function last, so a Qt object its closure held (a page, the
    task's own signals) was destroyed off its thread: the inspection UI tests segfaulted one run in three."""
    import gc
    import weakref

    from PySide6.QtCore import QObject

    probe = QObject()
    threads: list[bool] = []
    weakref.finalize(probe, lambda: threads.append(threading.current_thread() is threading.main_thread()))

    def work(held=probe) -> int:
        return 1

    answers: list[int] = []
    run_task(None, work, on_done=answers.append, progress=False)
    del probe, work
    assert wait_for_tasks()
    gc.collect()
    assert answers == [1] and threads == [True]
