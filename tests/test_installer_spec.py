"""installer/ostandari_desk.spec without running PyInstaller: the spec is executed with stand-ins for
Analysis/PYZ/EXE/COLLECT and PyInstaller's hook helpers, then its data list, hidden imports and Qt
exclusions are checked against the repository (every resource, form and migration is bundled where
the frozen app looks for it; nothing the source imports from PySide6 is excluded)."""

from __future__ import annotations

import ast
import fnmatch
import re
import sys
import types
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "ostandari_desk.spec"
PACKAGE = ROOT / "ostandari_desk"
MIGRATIONS = PACKAGE / "store" / "migrations"


class _Recorder:
    """Stands in for Analysis/PYZ/EXE/COLLECT: keeps its arguments; an 'analysis' found nothing."""

    calls: list[tuple[str, tuple, dict]]

    def __init__(self, kind: str, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, kwargs
        self.binaries: list = []
        self.datas: list = []
        self.pure: list = []
        self.scripts: list = []


@pytest.fixture(scope="module")
def spec() -> dict:
    """The namespace the spec leaves behind, plus ``_calls``: every Analysis/PYZ/EXE/COLLECT made."""
    calls: list[_Recorder] = []

    def factory(kind):
        def make(*args, **kwargs):
            calls.append(_Recorder(kind, *args, **kwargs))
            return calls[-1]

        return make

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda *a, **k: []
    hooks.collect_submodules = lambda *a, **k: []
    hooks.copy_metadata = lambda *a, **k: []
    bindepend = types.ModuleType("PyInstaller.depend.bindepend")
    bindepend.get_imports = lambda *a, **k: set()
    fakes = {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.depend": types.ModuleType("PyInstaller.depend"),
        "PyInstaller.depend.bindepend": bindepend,
    }
    namespace = {
        "__name__": "__main__",
        "__file__": str(SPEC),
        "SPECPATH": str(SPEC.parent),
        **{kind: factory(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT")},
    }
    with mock.patch.dict(sys.modules, fakes):
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    namespace["_calls"] = calls
    return namespace


def _analysis(spec: dict) -> _Recorder:
    (analysis,) = [call for call in spec["_calls"] if call.kind == "Analysis"]
    return analysis


def _bundled_at(path: Path, datas: list[tuple[str, str]]) -> str | None:
    """Where a data entry puts ``path`` inside the bundle (posix, relative to _MEIPASS), or None."""
    for src, dest in datas:
        if any(ch in src for ch in "*?["):
            if fnmatch.fnmatch(str(path), src):
                return f"{dest}/{path.name}"
        elif path == Path(src):
            return f"{dest}/{path.name}"
        elif Path(src) in path.parents:
            return "/".join([dest, *path.relative_to(src).parts])
    return None


def _shipped_files() -> list[Path]:
    """What the frozen app reads from files: resources/, forms/*.ui, the Alembic scripts."""
    files = [p for p in (ROOT / "resources").rglob("*") if p.is_file()]
    files += sorted((ROOT / "forms").glob("*.ui"))
    files += [p for p in MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files


def test_every_resource_form_and_migration_is_bundled_where_the_app_looks(spec):
    datas = _analysis(spec).kwargs["datas"]
    assert all(isinstance(entry, tuple) and len(entry) == 2 for entry in datas)
    wrong = {}
    for path in _shipped_files():
        # paths.resources_dir()/forms_dir() use _MEIPASS/resources and _MEIPASS/forms; store/schema.py
        # finds migrations beside its own module: so each file sits at its repository-relative path.
        want = path.relative_to(ROOT).as_posix()
        got = _bundled_at(path, datas)
        if got != want:
            wrong[want] = got
    assert not wrong, f"not bundled where the app looks for them (want: got): {wrong}"


def test_every_resources_subfolder_is_listed(spec):
    datas = _analysis(spec).kwargs["datas"]
    subfolders = [p for p in (ROOT / "resources").iterdir() if p.is_dir()]
    assert subfolders, "resources/ has no subfolders?"
    for folder in subfolders:  # also an empty one (a file added later must not need a spec change)
        assert _bundled_at(folder / "any.file", datas) == f"resources/{folder.name}/any.file", folder
    assert (ROOT / "resources" / "fonts" / "OFL.txt").is_file()  # the font licence travels with the fonts


def test_migrations_are_data_and_their_imports_hidden_imports(spec):
    text = SPEC.read_text(encoding="utf-8")
    assert 'collect_submodules("ostandari_desk")' in text  # transfer kinds and env.py's models import
    hidden = set(_analysis(spec).kwargs["hiddenimports"])
    required = {
        "alembic",
        "sqlmodel",
        "logging.config",
        "arabic_reshaper",
        "bidi",
        "jdatetime",
        "openpyxl",
        "reportlab.rl_settings",
        "_rl_accel",
    }
    assert required <= hidden, required - hidden

    def covered(name: str) -> bool:
        return any(h == name or h.startswith(name + ".") or name.startswith(h + ".") for h in hidden)

    missing = set()
    for script in [p for p in MIGRATIONS.rglob("*.py") if "__pycache__" not in p.parts]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "ostandari_desk" or top in sys.stdlib_module_names or top == "__future__":
                    continue
                if not covered(name):
                    missing.add(f"{script.name}: {name}")
    assert not missing, f"imports of the migration scripts (data files) not in hiddenimports: {missing}"


def _qt_modules_imported_by_the_source() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"PySide6\.(Qt\w+)", text))
        for names in re.findall(r"from PySide6 import ([\w ,()]+)", text):
            found |= {n for n in re.findall(r"\w+", names) if n.startswith("Qt")}
    return found


def test_no_qt_module_the_app_imports_is_excluded(spec):
    imported = _qt_modules_imported_by_the_source()
    assert {"QtCore", "QtGui", "QtWidgets"} <= imported  # the grep works
    excluded = set(spec["EXCLUDED_QT"])
    assert not imported & excluded, imported & excluded
    assert imported <= set(spec["KEEP_QT"]), imported - set(spec["KEEP_QT"])
    assert not set(spec["KEEP_QT"]) & excluded
    excludes = set(_analysis(spec).kwargs["excludes"])
    assert not {f"PySide6.{name}" for name in spec["KEEP_QT"]} & excludes


@pytest.mark.parametrize(
    "module",
    [
        "QtCore",
        "QtGui",
        "QtWidgets",
        "QtCharts",
        "QtPdf",
        "QtPdfWidgets",
        "QtPrintSupport",
        "QtUiTools",
        "QtSvg",
        "QtSvgWidgets",
        "QtDBus",
        "QtOpenGL",
        "QtOpenGLWidgets",
    ],
)
def test_the_post_analysis_filter_keeps_the_libraries_the_app_needs(spec, module):
    drop = spec["_drop"]
    lib = module[2:]
    for dest in (
        f"PySide6/Qt/lib/libQt6{lib}.so.6",  # Linux wheel
        f"libQt6{lib}.so.6",  # PyInstaller's top-level symlink
        f"PySide6/Qt6{lib}.dll",  # Windows wheel
    ):
        assert not drop(dest), dest
    if module in spec["KEEP_QT"]:
        for dest in (f"PySide6/{module}.abi3.so", f"PySide6/{module}.pyd"):
            assert not drop(dest), dest


def test_the_post_analysis_filter_drops_qml_quick_webengine_and_foreign_translations(spec):
    drop = spec["_drop"]
    for dest in (
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt6Quick.dll",
        "PySide6/Qt6WebEngineCore.dll",
        "PySide6/Qt6VirtualKeyboard.dll",
        "PySide6/plugins/platforminputcontexts/qtvirtualkeyboardplugin.dll",
        "PySide6/qml/QtQuick/Controls/qmldir",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/opengl32sw.dll",
    ):
        assert drop(dest), dest
    for dest in (
        "PySide6/Qt/translations/qtbase_fa.qm",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/iconengines/qsvgicon.dll",
        "PySide6/plugins/imageformats/qsvg.dll",
        "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "resources/translations/qtbase_fa.qm",
        "forms/main_window.ui",
    ):
        assert not drop(dest), dest


def test_two_executables_share_one_folder(spec):
    exes = {call.kwargs["name"]: call.kwargs for call in spec["_calls"] if call.kind == "EXE"}
    assert exes["ostandari-desk"]["console"] is False  # windowed on Windows
    assert exes["ostandari-desk-cli"]["console"] is True
    (collect,) = [call for call in spec["_calls"] if call.kind == "COLLECT"]
    assert collect.kwargs["name"] == "ostandari-desk"
    analysis = _analysis(spec)
    assert [Path(s) for s in analysis.args[0]] == [PACKAGE / "__main__.py"]
    for hook in analysis.kwargs["runtime_hooks"]:
        assert Path(hook).is_file(), hook


def test_shaping_the_office_server_and_the_exchange_signatures_are_bundled(spec):
    """Imported lazily or by name at run time, so PyInstaller's analysis would miss them."""
    hidden = set(_analysis(spec).kwargs["hiddenimports"])
    needed = {"uharfbuzz", "psycopg", "sqlalchemy.dialects.postgresql.psycopg"}
    needed.add("cryptography.hazmat.primitives.asymmetric.ed25519")
    assert needed <= hidden, needed - hidden
