"""Child process of the start-up benchmark: show a window, report when it is exposed, exit.

``python startup_child.py app DB`` builds the app's main window on DB (ostandari_desk.app.create_main_window);
``python startup_child.py floor`` shows a bare QMainWindow. Prints ``SHOWN <seconds since start>`` and exits
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


def main() -> int:
    mode = sys.argv[1]
    if mode == "floor":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1200, 800)
        window.show()
    else:
        try:
            from ostandari_desk import app as desk_app

            create = desk_app.create_main_window
        except (ImportError, AttributeError) as exc:
            print(f"UNAVAILABLE {exc}", flush=True)
            return 0
        from ostandari_desk.store.engine import sqlite_url
        from ostandari_desk.store.schema import open_database

        app = desk_app.application()
        engine = open_database(sqlite_url(sys.argv[2]))
        window = create(engine)
        window.show()
    _wait_exposed(app, window)
    print(f"SHOWN {time.perf_counter() - START:.4f}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
