"""Slow work off the UI thread: ``run_task`` runs a function on QThreadPool and answers on the main thread.

``fn`` runs on a pool thread and must not touch widgets. If it takes a ``progress`` keyword it gets
a callback ``progress(done, total)``; when the task is cancellable that callback raises
``TaskCancelled`` after the clerk pressed «انصراف». The result (``on_done(result)``) or the error
(``on_error(exc)``, default: ``ui.errors.show_error``) arrives on the main thread through a queued
signal. A progress dialog with a Persian label appears only if the task takes longer than a moment.

Import what ``fn`` needs on the main thread, before calling ``run_task``: a module imported for the
first time on a pool thread goes through PySide6's import hook, which can deadlock that thread.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

__all__ = ["TaskCancelled", "TaskHandle", "run_task"]

_running: set[TaskHandle] = set()


class TaskCancelled(Exception):
    """Raised inside a task's ``progress`` callback once the clerk has cancelled."""


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Runnable(QRunnable):
    """Runs on a pool thread. Its handle keeps ``fn`` and the signals alive until ``ended`` is set, so the
    references this thread lets go of are never the last: a Qt object (the signals, a page a closure holds)
    must not be destroyed here, off the thread it lives on (that was a segfault on the main thread)."""

    def __init__(
        self, fn: Callable[..., Any], signals: _Signals, cancelled: threading.Event, ended: threading.Event
    ):
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals
        self._cancelled = cancelled
        self._ended = ended

    def run(self) -> None:
        def progress(done: int, total: int) -> None:
            if self._cancelled.is_set():
                raise TaskCancelled()
            self._signals.progressed.emit(int(done), int(total))

        try:
            result = self._fn(progress=progress) if _takes_progress(self._fn) else self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, never swallowed
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)
        finally:
            self._fn = self._signals = None
            self._ended.set()


def _takes_progress(fn: Callable[..., Any]) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskHandle(QObject):
    """One running task; lives on the main thread, so its slots run there."""

    def __init__(
        self,
        parent: QWidget | None,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        dialog: QProgressDialog | None,
    ):
        super().__init__()
        self._parent = parent
        self._fn = fn  # let go of on the main thread, once the pool thread is done with it (_Runnable)
        self.ended = threading.Event()
        self._on_done = on_done
        self._on_error = on_error
        self.dialog = dialog
        self.cancelled = threading.Event()
        self.finished = False
        # Inside the dialog's setValue: a window-modal QProgressDialog runs the event loop there, so the
        # task's end (or the next progress) may arrive nested in it; closing the dialog then crashed Qt.
        self._updating = False
        self.signals = _Signals()
        self.signals.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self.signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.signals.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.cancelled.set()

    def _close(self) -> None:
        self.finished = True
        # Let go of the handle only once the event loop is back: dropped here, inside its own slot, the
        # last reference went with it and Qt was left delivering to a deleted object (a segfault).
        QTimer.singleShot(0, functools.partial(_release, self))
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.canceled.disconnect()
            self.dialog.reset()
            self.dialog.deleteLater()
        self.dialog = None

    def _orphaned(self) -> bool:
        """The widget that asked for the task is gone (page closed): nobody wants the answer."""
        return self._parent is not None and not shiboken6.isValid(self._parent)

    @Slot(object)
    def _done(self, result: object) -> None:
        if self._updating:  # nested in the dialog's setValue: finish once it has returned
            QTimer.singleShot(0, self, lambda: self._done(result))
            return
        self._close()
        if self.cancelled.is_set() or self._orphaned():
            return
        self._on_done(result)

    @Slot(object)
    def _failed(self, error: object) -> None:
        if self._updating:  # as in _done
            QTimer.singleShot(0, self, lambda: self._failed(error))
            return
        self._close()
        if isinstance(error, TaskCancelled):
            return
        if self._orphaned():
            from ostandari_desk.ui.errors import log

            log.warning("error in a task whose window is gone: %r", error)
            return
        if self._on_error is not None:
            self._on_error(error)  # type: ignore[arg-type]
        else:
            from ostandari_desk.ui.errors import show_error

            show_error(self._parent, error)  # type: ignore[arg-type]

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if self._updating or self.dialog is None or not shiboken6.isValid(self.dialog):
            return  # a nested update is dropped: the next one shows where the task is
        self._updating = True
        try:
            if total > 0:
                self.dialog.setMaximum(total)
                self.dialog.setValue(min(done, total))
            else:
                self.dialog.setMaximum(0)
        finally:
            self._updating = False


def _release(handle: TaskHandle) -> None:
    """Forget a finished task on the main thread, once its pool thread has let go of it too."""
    if handle.ended.is_set():
        _running.discard(handle)
    else:
        QTimer.singleShot(1, functools.partial(_release, handle))


def run_task(
    parent: QWidget | None,
    fn: Callable[..., Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    label: str = "در حال انجام کار…",
    progress: bool = True,
    cancellable: bool = False,
    delay_ms: int = 400,
) -> TaskHandle:
    """Run ``fn`` on the global QThreadPool and call ``on_done(result)`` on the main thread.

    Args:
        parent: the widget the progress dialog and error boxes belong to.
        fn: a callable with no arguments, or one taking ``progress(done, total)`` by keyword.
        on_done: gets the result on the main thread (not called when cancelled).
        on_error: gets the exception on the main thread; default shows it (ui.errors.show_error).
        label: the Persian text of the progress dialog.
        progress: show a (modal to the window) progress dialog if the task outlasts ``delay_ms``.
        cancellable: offer «انصراف»; ``progress`` then raises TaskCancelled inside the task.
    """
    dialog = None
    if progress:
        dialog = QProgressDialog(label, "انصراف" if cancellable else None, 0, 0, parent)
        dialog.setWindowTitle("لطفاً صبر کنید")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(delay_ms)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        if not cancellable:
            dialog.setCancelButton(None)
    handle = TaskHandle(parent, fn, on_done, on_error, dialog)
    if dialog is not None:
        dialog.canceled.connect(handle.cancel)
    _running.add(handle)
    QThreadPool.globalInstance().start(_Runnable(fn, handle.signals, handle.cancelled, handle.ended))
    return handle


def wait_for_tasks(timeout_ms: int = 5000) -> bool:
    """Wait until no task is running and their answers were delivered (tests, shutdown)."""
    pool = QThreadPool.globalInstance()
    ok = pool.waitForDone(timeout_ms)
    from PySide6.QtCore import QCoreApplication

    for _ in range(100):
        if not _running:
            break
        QCoreApplication.processEvents()
    return ok and not _running
