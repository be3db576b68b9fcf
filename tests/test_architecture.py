"""The layers point one way and Qt stays in the ui layer (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


DATABASE_MODULES = ("ostandari_desk.store", "sqlalchemy", "sqlmodel", "sqlite3")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_ui_imports_nothing_that_reaches_the_database():
    """The ui calls services; it never imports the store, SQLAlchemy, SQLModel or sqlite3 (even lazily)."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.startswith(DATABASE_MODULES)
        )
        for path in (ROOT / "ostandari_desk" / "ui").rglob("*.py")
    }
    assert {file: names for file, names in offenders.items() if names} == {}


def test_the_import_check_sees_lazy_and_relative_imports(tmp_path):
    sample = ROOT / "ostandari_desk" / "ui" / "_sample_for_test.py"
    sample.write_text(
        "def f():\n    from ..store.uow import UnitOfWork\n    import sqlalchemy\n", encoding="utf-8"
    )
    try:
        found = _imported_modules(sample)
    finally:
        sample.unlink()
    assert "ostandari_desk.store.uow" in found and "sqlalchemy" in found


def test_ruff_lint_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "ostandari_desk", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
