"""Before the first window: can Qt load its platform plugin? If not, name the missing system packages.

When no platform plugin loads, Qt ends the process with an abort (exit status 134) and a message that may
name the wrong package. On Linux this check runs before the QApplication is made: it loads Qt's widgets
and the platform plugin Qt would choose (``libqxcb.so`` by default) the way Qt will load them, and when the
loader refuses, it lists every library not found (``ldd`` on the file that failed), maps each to its
Debian/Ubuntu package, says so in Persian and English with the one ``apt-get install`` line, and the app
exits with status 2 instead of aborting. A plugin that loads costs nothing extra: Qt finds it loaded.
Windows and macOS bundle what their plugins need; the check is skipped there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import subprocess

# Start-up pays only for the loading (which Qt would do anyway): the regular expressions, ``subprocess`` and
# the message are for the failure path, imported or built there.

__all__ = ["EXIT_MISSING", "Problem", "check", "debian_package", "find_problem", "missing_libraries"]

EXIT_MISSING = 2  # the command line's «request refused»: nothing was done, say why and stop
_CANNOT = "میز استانداری نمی‌تواند پنجره‌اش را باز کند"
WIDGETS = "QtWidgets"  # Problem.platform when Qt's widgets themselves do not import

# Libraries whose Debian package name does not follow the soname rule (see ``debian_package``).
_PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libz.so.1": "zlib1g",
    "libgcc_s.so.1": "libgcc-s1",
    "libxcb-util.so.0": "libxcb-util0",
}
# Qt's own libraries come with PySide6 (pip), never from the system.
_QT_OWN = ("libQt6", "libpyside6", "libshiboken6")
_NOT_FOUND = r"^\s*(\S+)\s+=>\s+not found"  # a line of ldd's
_CANNOT_OPEN = r"([\w.+-]+\.so[\w.]*): cannot open shared object file"  # the loader's error
# Platforms that draw nowhere (tests, servers) or are Qt's own fallbacks: nothing to check.
_HEADLESS = {"offscreen", "minimal", "vnc", "linuxfb"}


def debian_package(library: str) -> str | None:
    """The Debian/Ubuntu package that installs ``library`` (a file name such as ``libxcb-icccm.so.4``);
    None for Qt's own libraries (PySide6's wheel has them).

    Debian names a shared library's package after its soname (policy 8.1): ``libfoo.so.4`` → ``libfoo4``,
    a hyphen before the version when the name ends in a digit (``libdbus-1.so.3`` → ``libdbus-1-3``),
    in lower case (``libEGL.so.1`` → ``libegl1``); the few exceptions are listed.
    """
    if library.startswith(_QT_OWN):
        return None
    if library in _PACKAGE_EXCEPTIONS:
        return _PACKAGE_EXCEPTIONS[library]
    stem, dot_so, version = library.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if not dot_so or not version:
        return stem.lower()
    joiner = "-" if stem[-1:].isdigit() else ""
    return f"{stem}{joiner}{version}".lower()


class Problem:
    """Why Qt would abort: the platform it would use and the libraries the loader did not find (or, when it
    could name none, its own words), or no display to draw on. (A plain class: a dataclass costs start-up
    a millisecond.)"""

    __slots__ = ("detail", "missing", "no_display", "platform")

    def __init__(
        self, platform: str, missing: tuple[str, ...] = (), detail: str = "", no_display: bool = False
    ) -> None:
        self.platform = platform
        self.missing = tuple(missing)
        self.detail = detail
        self.no_display = no_display

    def __repr__(self) -> str:
        return f"Problem({self.platform!r}, missing={self.missing!r}, no_display={self.no_display})"

    @property
    def packages(self) -> tuple[str, ...]:
        found = (debian_package(lib) for lib in self.missing)
        return tuple(dict.fromkeys(p for p in found if p))

    @property
    def qt_own(self) -> tuple[str, ...]:
        return tuple(lib for lib in self.missing if debian_package(lib) is None)

    def message(self) -> str:
        """What the user reads: Persian first, then English, with the command that fixes it."""
        if self.no_display:
            return (
                f"{_CANNOT}: نمایشگری در دسترس نیست (DISPLAY تنظیم نشده است).\n"
                "برنامه را در نشست گرافیکی اجرا کنید؛ فرمان‌های خط فرمان (import، export، report) "
                "بی‌نمایشگر کار می‌کنند.\n"
                "\n"
                "Ostandari Desk cannot open its window: there is no display (DISPLAY is not set).\n"
                "Run it in a desktop session; the command-line commands (import, export, report) need none.\n"
            )
        libraries = "\n".join(
            f"  {lib}" + (f"  →  {debian_package(lib)}" if debian_package(lib) else "")
            for lib in self.missing
        )
        install = f"sudo apt-get install -y {' '.join(self.packages)}" if self.packages else ""
        reinstall = "pip install --force-reinstall PySide6-Essentials" if self.qt_own else ""
        if self.platform == WIDGETS:
            fa = [f"{_CANNOT}: کتابخانه‌های Qt بار نشدند."]
            en = ["Ostandari Desk cannot open its window: Qt's libraries could not be loaded."]
        else:
            fa = [f"{_CANNOT}: Qt افزونهٔ نمایش «{self.platform}» را بار نکرد."]
            en = [f"Ostandari Desk cannot open its window: Qt could not load its «{self.platform}» plugin."]
        if self.missing:
            fa.append("این کتابخانه‌های سیستم پیدا نشدند (بستهٔ دبیان/اوبونتو در برابر هر یک):")
            en.append("These libraries were not found (the Debian/Ubuntu package beside each):")
            fa.append(libraries)
            en.append(libraries)
        else:
            fa.append(f"پیام بارگذار: {self.detail}")
            en.append(f"The loader said: {self.detail}")
        if install:
            fa += ["نصب آن‌ها در دبیان یا اوبونتو:", f"  {install}"]
            en += ["Install them on Debian or Ubuntu:", f"  {install}"]
        if reinstall:
            fa += ["کتابخانه‌های خود Qt همراه PySide6 می‌آیند؛ آن را دوباره نصب کنید:", f"  {reinstall}"]
            en += ["Qt's own libraries come with PySide6; reinstall it:", f"  {reinstall}"]
        if not install and not reinstall:
            fa.append("PySide6 را دوباره نصب کنید یا QT_QPA_PLATFORM را بررسی کنید.")
            en.append("Reinstall PySide6, or check QT_QPA_PLATFORM.")
        return "\n".join(fa) + "\n\n" + "\n".join(en) + "\n"


def platform_candidates(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in its order: QT_QPA_PLATFORM's list, else a Wayland session's
    «wayland» then «xcb», else «xcb» (the default of PySide6's Linux build)."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        names = [part.split(":", 1)[0].strip() for part in chosen.split(";")]
        return [name for name in names if name]
    if env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return ["wayland", "xcb"]
    return ["xcb"]


def plugin_file(name: str, env: Mapping[str, str], default_dir: Path | None) -> Path | None:
    """The plugin file Qt would load for platform ``name``: QT_QPA_PLATFORM_PLUGIN_PATH first, then each
    QT_PLUGIN_PATH folder's ``platforms``, then Qt's own plugin folder; None when there is none."""
    folders: list[Path] = []
    if env.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.append(Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    folders += [Path(p) / "platforms" for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    if default_dir is not None:
        folders.append(default_dir)
    for folder in folders:
        candidate = folder / f"libq{name}.so"
        if candidate.is_file():
            return candidate
    return None


def missing_libraries(
    path: Path | str, error: str = "", run: Callable[..., subprocess.CompletedProcess] | None = None
) -> list[str]:
    """Every library ``path`` needs (directly or through another) that the loader does not find, from
    ``ldd`` (``run``: subprocess.run); without ``ldd``, the one the loader's ``error`` names."""
    import re
    import subprocess

    try:
        listed = (run or subprocess.run)(
            ["ldd", str(path)], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    found = list(dict.fromkeys(re.findall(_NOT_FOUND, listed or "", re.MULTILINE)))
    if not found:
        found = list(dict.fromkeys(re.findall(_CANNOT_OPEN, error)))
    return found


def _dlopen(path: Path) -> None:
    """Load ``path`` as Qt will (OSError when the loader refuses it)."""
    import _ctypes  # the loader alone (ctypes' Python half costs milliseconds)

    _ctypes.dlopen(str(path), os.RTLD_LAZY | os.RTLD_LOCAL)  # Qt's own flags: it reuses this handle


def _qt_plugin_dir() -> Path | None:
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"


def _widgets_problem() -> Problem | None:
    """Qt's widgets cannot be imported: a library of Qt's GUI (EGL, OpenGL, fontconfig…) is missing."""
    try:
        import PySide6.QtWidgets  # noqa: F401 - the app imports it next anyway
    except ImportError as exc:
        error = str(exc)
        module = Path(sys.modules["PySide6"].__file__ or ".").parent if "PySide6" in sys.modules else None
        target = next(module.glob("QtWidgets*.so"), None) if module is not None else None
        missing = missing_libraries(target or "", error)
        return Problem(WIDGETS, tuple(missing), detail=error)
    return None


def find_problem(
    env: Mapping[str, str] | None = None,
    plugin_dir: Path | None = None,
    load: Callable[[Path], None] | None = None,
    list_missing: Callable[[Path, str], list[str]] | None = None,
) -> Problem | None:
    """What would stop Qt from opening a window, or None.

    ``plugin_dir``: the folder of platform plugins (default Qt's own); ``load`` loads a plugin file (OSError
    when refused; default the loader); ``list_missing(path, error)`` names what it lacks (default ``ldd``).
    A platform whose plugin file is not there (a name Qt may know otherwise) is left to Qt; the check passes
    when any platform Qt tries loads.
    """
    env = os.environ if env is None else env
    load = load or _dlopen
    list_missing = list_missing or missing_libraries
    candidates = platform_candidates(env)
    if any(name in _HEADLESS for name in candidates):
        return None
    if plugin_dir is None:
        plugin_dir = _qt_plugin_dir()
    first: Problem | None = None
    for name in candidates:
        path = plugin_file(name, env, plugin_dir)
        if path is None:
            return None
        try:
            load(path)
        except OSError as exc:
            problem = Problem(name, tuple(list_missing(path, str(exc))), detail=str(exc))
            first = first or problem
            continue
        if name == "xcb" and not env.get("DISPLAY"):
            first = first or Problem(name, no_display=True)
            continue
        return None
    return first


_passed = False


def check(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> int | None:
    """Run the check before the QApplication is made: None when Qt can open a window, else the exit status
    (``EXIT_MISSING``) after writing the message to ``stream`` (stderr)."""
    global _passed
    if (_passed and env is None) or not sys.platform.startswith("linux"):
        return None
    problem = _widgets_problem()
    if problem is None:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            return None
        problem = find_problem(env)
    if problem is None:
        _passed = env is None
        return None
    print(problem.message(), file=stream or sys.stderr, end="", flush=True)
    return EXIT_MISSING
