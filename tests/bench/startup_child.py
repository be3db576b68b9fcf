"""Child process of the start-up benchmark: show a window, report when it is exposed, exit.

``python startup_child.py app DB`` starts the app as a clerk does (ostandari_desk.app's start-up: the
main window is shown first, then the database opens, then the demo user signs in); it prints ``SHOWN <s>``
when the window is on screen, ``SIGNED <s>`` when the demo user's sign-in returns, ``READY <s>`` when the
database is open, the user signed in and the start page is built in it, and ``FIGURES <s>`` when the start
page shows its counts (its first figures; the secondary panels load after them). After the window is shown
the child runs the application's event loop, as the app does.
``python startup_child.py floor`` shows a bare QMainWindow and prints ``SHOWN <s>``. The child exits
without tearing down, so the parent measures process start to a window on screen.
"""

from __future__ import annotations

import os
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _wait_exposed(app, window) -> None:
    handle = window.windowHandle()
    deadline = time.perf_counter() + 30
    while not (handle is not None and handle.isExposed()) and time.perf_counter() < deadline:
        app.processEvents()
        handle = window.windowHandle()
    app.processEvents()  # the first paint


def _run_until_figures(app, window) -> None:
    """The application's own event loop (a busy ``processEvents`` loop would take the interpreter from
    the pool threads that open the database and count) until READY and FIGURES are printed."""
    from PySide6.QtCore import QTimer

    deadline = time.perf_counter() + 60
    marks: list[str] = []

    def poll() -> None:
        if time.perf_counter() > deadline:
            print(f"UNAVAILABLE no {'FIGURES' if marks else 'READY'} within a minute", flush=True)
            os._exit(1)
        if not marks and window.context is not None and window.current_area():
            marks.append("READY")
            print(f"READY {time.perf_counter() - START:.4f}", flush=True)
        page = window.page("start") if marks else None
        if marks and (page is None or getattr(page, "counts", None) is not None):
            if page is not None:
                print(f"FIGURES {time.perf_counter() - START:.4f}", flush=True)
            os._exit(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(2)
    app.exec()


def main() -> int:
    mode = sys.argv[1]
    if mode == "floor":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1200, 800)
        window.show()
    else:
        from pathlib import Path

        from ostandari_desk import app as desk_app
        from ostandari_desk.ui import login

        def sign_in_as_demo(engine, _parent):
            """The clerk types demo/demo: the sign-in's own cost (argon2id) is in READY, not the typing."""
            from ostandari_desk.services.users import authenticate

            actor = authenticate(engine, "demo", "demo")
            print(f"SIGNED {time.perf_counter() - START:.4f}", flush=True)
            return actor

        login.sign_in = sign_in_as_demo
        app = desk_app.application()
        startup = desk_app._Startup(app, Path(sys.argv[2]))
        startup.start()
        window = startup.window
        _wait_exposed(app, window)
        print(f"SHOWN {time.perf_counter() - START:.4f}", flush=True)
        _run_until_figures(app, window)
        os._exit(0)
    _wait_exposed(app, window)
    print(f"SHOWN {time.perf_counter() - START:.4f}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
