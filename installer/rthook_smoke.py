"""PyInstaller runtime hook: a start-up probe for the frozen GUI, inert unless OSTANDARI_DESK_SMOKE is set.

With ``OSTANDARI_DESK_SMOKE=<file>`` the windowed executable writes to that file (it has no console on
Windows) when the main window is visible and when its database context is set, waits a moment for the
deferred work (the start page's QtCharts year summary), then exits 0 — or exits 1 with ``fail <why>``
if an error dialog shows up or nothing is ready within OSTANDARI_DESK_SMOKE_LIMIT seconds (default 30).
Lines are ``<event> <unix time> [detail]``; installer/build.sh and build.ps1 subtract their launch time.
Without the variable this hook only reads the environment: it is shipped so that the smoke test runs
on exactly the bundle that is installed.
"""

import os


def _install(report_path: str) -> None:
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

    limit = float(os.environ.get("OSTANDARI_DESK_SMOKE_LIMIT") or 30)
    report = open(report_path, "a", encoding="utf-8")  # noqa: SIM115 - lives for the process

    def note(event: str, detail: str = "") -> None:
        detail = " ".join(detail.split())  # one line
        report.write(f"{event} {time.time():.3f} {detail}".rstrip() + "\n")
        report.flush()

    note("hook")
    original_exec = QApplication.exec
    state: dict[str, object] = {}

    def finish(code: int, why: str = "") -> None:
        note("ok" if code == 0 else "fail", why)
        QApplication.exit(code)

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():  # an error or crash dialog
                finish(1, f"dialog: {widget.text()} {widget.detailedText()[-800:]}")
                return
            if isinstance(widget, QMainWindow) and widget.isVisible():
                if "window" not in state:
                    state["window"] = True
                    note("window")
                if getattr(widget, "context", None) is not None and "ready" not in state:
                    state["ready"] = time.monotonic()
                    note("ready")
        ready = state.get("ready")
        if isinstance(ready, float) and time.monotonic() - ready > 2.0:
            finish(0)
            return
        if time.monotonic() - state["started"] > limit:  # type: ignore[operator]
            finish(1, f"not ready after {limit:g} s")
            return
        QTimer.singleShot(25, poll)

    def exec_(*_args):  # called as app.exec() or QApplication.exec()
        state["started"] = time.monotonic()
        note("exec")
        QTimer.singleShot(0, poll)
        return original_exec()  # a static method

    QApplication.exec = exec_


_report = os.environ.get("OSTANDARI_DESK_SMOKE")
if _report:
    _install(_report)
