"""Python's cyclic garbage is collected on the main thread only.

With the automatic collector, a worker (ui/tasks.py) that allocates much — an export writing thousands of
rows — triggers a collection on its own thread, and a dead dialog caught in a reference cycle is then
destroyed there. Qt objects must die on the thread they live on: PySide6 crashes (the test suite saw a
segfault inside openpyxl's writer on an export worker). As qutebrowser and Anki do, the automatic collector
is switched off and a timer on the main thread collects by the same generation thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["MainThreadCollector", "collect_on_main_thread"]

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Collects when the automatic collector would have, but only ever from the main thread's event loop."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.setObjectName("mainThreadCollector")
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        gc.disable()
        self._timer.start()

    def collect(self) -> int:
        """Collect the generations whose thresholds are passed (the young one first, as gc itself does)."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        found = 0
        for generation in range(3):
            if counts[generation] <= thresholds[generation]:
                break
            found = gc.collect(generation)
        return found


def collect_on_main_thread(app: QCoreApplication) -> MainThreadCollector:
    """Switch the automatic collector off and collect from ``app``'s thread; once per application."""
    existing = app.findChild(MainThreadCollector, "mainThreadCollector")
    return existing if existing is not None else MainThreadCollector(app)
