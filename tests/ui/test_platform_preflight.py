"""The platform check before the first window: missing system libraries are named with their Debian packages,
in Persian and English, and the app exits with status 2 instead of Qt's abort (134)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ostandari_desk.ui import preflight
from ostandari_desk.ui.preflight import EXIT_MISSING, Problem, debian_package, find_problem, missing_libraries

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def _fake_plugin(folder: Path, name: str = "xcb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plugin = folder / f"libq{name}.so"
    plugin.write_bytes(b"not a shared object")
    return plugin


def _refuse(missing: str):
    def load(path: Path) -> None:
        raise OSError(f"{missing}: cannot open shared object file: No such file or directory")

    return load


def test_debian_packages_follow_the_soname_rule_and_its_exceptions():
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libdbus-1.so.3") == "libdbus-1-3"
    assert debian_package("libEGL.so.1") == "libegl1"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"
    assert debian_package("libQt6XcbQpa.so.6") is None  # PySide6's own


def test_ldd_lists_every_missing_library_once_and_the_loader_error_is_the_fallback():
    def run(argv, **kwargs):
        assert argv[0] == "ldd"
        return subprocess.CompletedProcess(argv, 0, stdout=LDD_OUTPUT, stderr="")

    found = missing_libraries("/x/libqxcb.so", "", run=run)
    assert found == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"]

    def no_ldd(argv, **kwargs):
        raise FileNotFoundError("ldd")

    error = "libxcb-keysyms.so.1: cannot open shared object file: No such file or directory"
    assert missing_libraries("/x/libqxcb.so", error, run=no_ldd) == ["libxcb-keysyms.so.1"]


def test_a_plugin_that_does_not_load_names_the_packages_in_persian_and_english(tmp_path):
    plugin = _fake_plugin(tmp_path / "platforms")
    asked = []

    def list_missing(path: Path, error: str) -> list[str]:
        asked.append((path, error))
        return ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]

    problem = find_problem(
        {"DISPLAY": ":0"},
        tmp_path / "platforms",
        load=_refuse("libxcb-cursor.so.0"),
        list_missing=list_missing,
    )
    assert problem is not None and problem.platform == "xcb"
    assert asked and asked[0][0] == plugin and "libxcb-cursor.so.0" in asked[0][1]
    assert problem.packages == ("libxcb-cursor0", "libxcb-icccm4")
    text = problem.message()
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4" in text
    assert "نمی‌تواند پنجره‌اش را باز کند" in text  # Persian
    assert "cannot open its window" in text  # and English
    assert text.index("نمی‌تواند") < text.index("cannot open")


def test_a_plugin_that_loads_passes_and_the_headless_platforms_are_not_checked(tmp_path):
    _fake_plugin(tmp_path / "platforms")
    loaded = []
    ok = find_problem({"DISPLAY": ":0"}, tmp_path / "platforms", load=loaded.append)
    assert ok is None and loaded == [tmp_path / "platforms" / "libqxcb.so"]
    refused = _refuse("libxcb-cursor.so.0")
    assert find_problem({"QT_QPA_PLATFORM": "offscreen"}, tmp_path / "platforms", load=refused) is None
    # a platform Qt may know without a plugin file here is left to Qt
    assert find_problem({"QT_QPA_PLATFORM": "eglfs"}, tmp_path / "platforms", load=refused) is None


def test_no_display_is_said_instead_of_qt_aborting(tmp_path):
    _fake_plugin(tmp_path / "platforms")
    problem = find_problem({}, tmp_path / "platforms", load=lambda path: None)
    assert problem is not None and problem.no_display
    assert "DISPLAY" in problem.message() and "نمایشگری در دسترس نیست" in problem.message()


def test_a_wayland_session_passes_when_wayland_loads_and_fails_only_when_both_fail(tmp_path):
    folder = tmp_path / "platforms"
    _fake_plugin(folder, "wayland")
    _fake_plugin(folder, "xcb")
    env = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}

    def only_wayland(path: Path) -> None:
        if "xcb" in path.name:
            raise OSError("libxcb-icccm.so.4: cannot open shared object file")

    assert find_problem(env, folder, load=only_wayland) is None

    problem = find_problem(env, folder, load=_refuse("libwayland-cursor.so.0"), list_missing=lambda p, e: [])
    assert problem is not None and problem.platform == "wayland"  # the first Qt tries is reported
    assert "libwayland-cursor.so.0" in problem.message()  # the loader's own words when nothing is listed


def test_the_plugin_path_of_the_environment_comes_first(tmp_path):
    ours = _fake_plugin(tmp_path / "ours")
    _fake_plugin(tmp_path / "qt")
    loaded = []
    env = {"DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(tmp_path / "ours")}
    assert find_problem(env, tmp_path / "qt", load=loaded.append) is None
    assert loaded == [ours]


def test_qt_own_libraries_ask_for_pyside6_again():
    problem = Problem("xcb", ("libQt6XcbQpa.so.6", "libxcb-icccm.so.4"))
    text = problem.message()
    assert "pip install --force-reinstall PySide6-Essentials" in text
    assert "sudo apt-get install -y libxcb-icccm4" in text


def test_check_writes_the_message_and_returns_the_exit_status(tmp_path, monkeypatch):
    monkeypatch.setattr(preflight, "_widgets_problem", lambda: None)
    monkeypatch.setattr(preflight, "_qt_plugin_dir", lambda: tmp_path / "platforms")
    monkeypatch.setattr(preflight, "_dlopen", _refuse("libxcb-cursor.so.0"))
    monkeypatch.setattr(preflight, "missing_libraries", lambda path, error: ["libxcb-cursor.so.0"])
    _fake_plugin(tmp_path / "platforms")

    class Stream:
        text = ""

        def write(self, s: str) -> None:
            Stream.text += s

        def flush(self) -> None:
            pass

    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:  # the check runs before any QApplication exists
        monkeypatch.setattr(QApplication, "instance", staticmethod(lambda: None))
    assert preflight.check(Stream(), env={"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}) == EXIT_MISSING
    assert "sudo apt-get install -y libxcb-cursor0" in Stream.text


def test_the_app_exits_with_status_2_and_names_the_package_instead_of_aborting(tmp_path):
    """The real command (``python -m ostandari_desk``) with a platform plugin that does not load and an
    ``ldd`` that names a missing library: a message, status 2, no abort, no database made."""
    plugins = tmp_path / "platforms"
    _fake_plugin(plugins)
    tools = tmp_path / "bin"
    tools.mkdir()
    ldd = tools / "ldd"
    ldd.write_text(
        '#!/bin/sh\nprintf "\\tlibxcb-cursor.so.0 => not found\\n\\tlibxcb-shape.so.0 => not found\\n"\n'
    )
    ldd.chmod(0o755)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "QT_QPA_PLATFORM_PLUGIN_PATH": str(plugins),
        "DISPLAY": ":0",
        "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
        "OSTANDARI_DESK_HOME": str(tmp_path / "home"),
    }
    db = tmp_path / "desk.sqlite3"
    for argv in ([], ["demo", "--open"]):
        done = subprocess.run(
            [sys.executable, "-m", "ostandari_desk", *argv, "--db", str(db)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == EXIT_MISSING, done.stderr
        assert "sudo apt-get install -y libxcb-cursor0 libxcb-shape0" in done.stderr
        assert "افزونهٔ نمایش «xcb»" in done.stderr and "plugin" in done.stderr
        assert not db.exists()  # said before anything was built or opened
