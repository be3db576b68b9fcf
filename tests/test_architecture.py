"""The layers point one way and Qt stays in the ui layer (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ui_runs_no_sql_itself():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "ostandari_desk" / "ui").rglob("*.py")
        if any(
            token in path.read_text(encoding="utf-8")
            for token in ("session.exec", "session.execute", "select(")
        )
    ]
    assert offenders == []


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
