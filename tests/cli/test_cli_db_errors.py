"""Exit status 3 and a Persian message saying what to do when the database is unavailable, in every command.

Issue 7, finding 8: locked, full, read-only and damaged databases gave tracebacks or exit 1 (the code of
"bad rows"), and a newer one exit 2. Each condition is real (tests/db_conditions.py).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from db_conditions import (
    ROOT,
    WHAT_TO_DO,
    child_env,
    corrupt_header,
    corrupt_schema_page,
    hold_write_lock,
    make_newer,
    page_count,
    pragmas,
    short_busy_timeout,
    unprivileged,
)
from ngo_sheets import good_row, write_xlsx

from cli.conftest import ADMIN, ADMIN_PASSWORD
from ostandari_desk.cli import ENV_PASSWORD, ENV_USER, EXIT_UNAVAILABLE, main


def assert_unavailable(err: str, reason: str) -> None:
    """The message (first line) is Persian and says what to do; then the file's path; no traceback."""
    message = err.splitlines()[0]
    assert message.startswith("خطا: ") and WHAT_TO_DO[reason] in message
    for english in ("sqlite", "database is", "disk is", "readonly", "unable"):
        assert english not in message
    assert "Traceback" not in err and "Error" not in err


def import_args(tmp_path, db, rows: int = 3) -> list[str]:
    sheet = write_xlsx(tmp_path / "ngos.xlsx", [good_row(n) for n in range(rows)])
    return ["import", "ngos", str(sheet), "--db", str(db)]


def test_locked_while_another_program_writes(db, tmp_path, capsys, monkeypatch):
    pragmas(monkeypatch, short_busy_timeout(monkeypatch))
    args = import_args(tmp_path, db)
    holder = hold_write_lock(db)
    try:
        assert main(args) == EXIT_UNAVAILABLE
    finally:
        holder.close()
    assert_unavailable(capsys.readouterr().err, "locked")


def test_disk_full(db, tmp_path, capsys, monkeypatch):
    args = import_args(tmp_path, db, rows=300)
    pragmas(monkeypatch, f"PRAGMA max_page_count={page_count(db)}")
    assert main(args) == EXIT_UNAVAILABLE
    assert_unavailable(capsys.readouterr().err, "full")


def test_read_only_connection(db, tmp_path, capsys, monkeypatch):
    pragmas(monkeypatch, "PRAGMA query_only=ON")
    assert main(import_args(tmp_path, db)) == EXIT_UNAVAILABLE
    assert_unavailable(capsys.readouterr().err, "read_only")


def test_read_only_file_in_a_real_process(db, tmp_path):
    """The file is chmod 0o444 and the command runs in a process that honours it (see unprivileged())."""
    db.chmod(0o444)
    try:
        done = subprocess.run(
            [*unprivileged(), sys.executable, "-m", "ostandari_desk", "user", "list", "--db", str(db)],
            capture_output=True,
            check=False,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env=child_env(tmp_path / "home", **{ENV_USER: ADMIN, ENV_PASSWORD: ADMIN_PASSWORD}),
            timeout=120,
        )
    finally:
        db.chmod(0o644)
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    assert_unavailable(done.stderr, "read_only")


@pytest.mark.parametrize("damage", [corrupt_header, corrupt_schema_page])
def test_corrupt_names_the_backups(db, tmp_path, capsys, _private_home, damage):
    damage(db)
    assert main(import_args(tmp_path, db)) == EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert_unavailable(err, "corrupt")
    assert "ostandari-desk restore" in err
    assert f"پوشه پشتیبان‌ها: {_private_home / 'backups'}" in err


def test_newer_version(db, tmp_path, capsys):
    make_newer(db)
    assert main(import_args(tmp_path, db)) == EXIT_UNAVAILABLE  # was 2, "request refused"
    assert_unavailable(capsys.readouterr().err, "newer")


COMMANDS = {
    "init": ["init", "--province", "قزوین", "--admin", "other"],
    "demo": ["demo"],
    "user": ["user", "list"],
    "audit": ["audit", "--out", "{tmp}/audit.csv"],
    "import": ["import", "ngos", "{tmp}/ngos.xlsx"],
    "export": ["export", "ngos", "{tmp}/ngos.csv"],
    "report": ["report", "register", "--out", "{tmp}/register.pdf"],
    "backup": ["backup", "--out", "{tmp}/b.zip"],
    "check": ["check"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_says_so(db, tmp_path, capsys, command):
    write_xlsx(tmp_path / "ngos.xlsx", [good_row(1)])
    corrupt_header(db)
    args = [arg.format(tmp=tmp_path) for arg in COMMANDS[command]]
    assert main([*args, "--db", str(db)]) == EXIT_UNAVAILABLE
    assert_unavailable(capsys.readouterr().err, "corrupt")


def test_a_report_that_meets_a_damaged_table(db, tmp_path, capsys):
    """The sign-in works, the report's own reading fails: still 3 (the report command used to say 2)."""
    assert main(import_args(tmp_path, db)) == 0
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'ngo'").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * 16)
    capsys.readouterr()
    assert main(["report", "register", "--out", str(tmp_path / "r.pdf"), "--db", str(db)]) == EXIT_UNAVAILABLE
    assert_unavailable(capsys.readouterr().err, "corrupt")


def test_help_imports_no_database_library():
    """`ostandari-desk --help` stays a tenth of a second: the database error handling imports nothing."""
    import subprocess
    import sys

    probe = (
        "import sys; from ostandari_desk.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
