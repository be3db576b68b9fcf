"""Guard against the PySide6 6.12.0 bug that aborted the app: void calls lost a reference to None.

Under Python 3.11 (None is not immortal before 3.12) every `label.setText(...)` or
`app.processEvents()` decremented None's reference count; a few thousand calls later the
interpreter aborted with "none_dealloc". pyproject.toml excludes that release.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_keep_none_alive(qapp: QApplication):
    label = QLabel()
    gc.collect()  # garbage collected during the loop (ui/garbage.py's timer) would lower the count too
    before = sys.getrefcount(None)
    for _ in range(3000):
        label.setText("سمن")
        qapp.processEvents()
    assert abs(sys.getrefcount(None) - before) < 100
