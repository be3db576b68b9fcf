"""Start-up's imports (ostandari_desk/app.py): PySide6 no longer reads each new module's source, and
neither the database's opening nor the start page's figures import anything on a pool thread (PITFALLS.md:
a first import on a worker thread can deadlock PySide6's import hook)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def test_a_module_imported_after_the_app_is_not_read_and_still_uses_qt(qapp, tmp_path, monkeypatch):
    from ostandari_desk import app as desk_app  # noqa: F401 - installs the skip

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None:
        pytest.skip("this PySide6 has no feature import hook")
    (tmp_path / "uses_qt_probe.py").write_text(
        textwrap.dedent(
            """
            from PySide6.QtWidgets import QLabel

            def label(text):
                return QLabel(text)
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    read: list[str] = []
    monkeypatch.setattr("inspect.getsource", lambda obj: read.append(obj.__name__) or "")

    probe = __import__("uses_qt_probe")  # an import statement's way: through PySide6's hook

    assert read == []  # the hook's source scan would have read the file (it names PySide6)
    assert feature.pyside_feature_dict["uses_qt_probe"] == -1  # "not a PySide module": no scan needed
    assert probe.label("آزمون").text() == "آزمون"  # such a module still uses Qt as before
    sys.modules.pop("uses_qt_probe", None)


_OPEN_IMPORTS_NOTHING = """
import sys
from pathlib import Path

from ostandari_desk import app

app._import_store()
before = set(sys.modules)
opened = app._open_engine(Path(sys.argv[1]))
opened.engine.dispose()
new = sorted(set(sys.modules) - before)
print("NEW", " ".join(new))
"""


def test_opening_an_up_to_date_file_imports_nothing_on_the_pool_thread(db_path):
    """What ``_open_engine`` runs on the pool thread was imported by ``_import_store`` on the main thread."""
    result = subprocess.run(
        [sys.executable, "-c", _OPEN_IMPORTS_NOTHING, str(db_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    new = next(line for line in result.stdout.splitlines() if line.startswith("NEW")).split()[1:]
    assert new == []


_START_UP_WATCHING_IMPORTS = """
import builtins
import os
import sys
import threading
from pathlib import Path

from ostandari_desk import app as desk_app
from ostandari_desk.ui import login

main_thread = threading.main_thread()
imported_on_pool: list[str] = []
real_import = builtins.__import__


def report_at_the_figures(_page, _result):  # StartPage._on_counted: the figures are in
    print("POOL", *imported_on_pool, flush=True)
    os._exit(0)


def watching_import(name, globals=None, locals=None, fromlist=(), level=0):
    if threading.current_thread() is main_thread or level:
        result = real_import(name, globals, locals, fromlist, level)
        page_module = sys.modules.get("ostandari_desk.ui.start_page")
        if page_module is not None and hasattr(page_module, "StartPage"):
            page_module.StartPage._on_counted = report_at_the_figures
        return result
    wanted = [name] + [f"{name}.{item}" for item in fromlist or ()]
    missing = [module for module in wanted if module not in sys.modules]
    result = real_import(name, globals, locals, fromlist, level)
    imported_on_pool.extend(module for module in missing if module in sys.modules)
    return result


builtins.__import__ = watching_import


def sign_in(engine, _parent):
    from ostandari_desk.services.users import authenticate

    return authenticate(engine, "boss", "secret-1")


login.sign_in = sign_in
qapp = desk_app.application()
startup = desk_app._Startup(qapp, Path(sys.argv[1]))
startup.start()

from PySide6.QtCore import QTimer

QTimer.singleShot(60_000, lambda: os._exit(3))
qapp.exec()
"""


def test_start_up_imports_nothing_on_a_pool_thread(admin, db_path):
    """From the window to the start page's figures (the database opened, «boss» signed in, the counts):
    every module is first imported on the main thread, never on a pool thread."""
    result = subprocess.run(
        [sys.executable, "-c", _START_UP_WATCHING_IMPORTS, str(db_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    pool = next(line for line in result.stdout.splitlines() if line.startswith("POOL")).split()[1:]
    assert pool == []
