"""The store turns a locked, full, read-only, damaged or newer database into DatabaseUnavailableError.

Issue 7, finding 8: these gave English tracebacks (an sqlalchemy OperationalError) or the crash box.
Each condition is produced for real (tests/db_conditions.py); the error carries a ``reason``, a Persian
message saying what to do and the file's path, and the driver's error as its cause. Errors that are
bugs (a constraint) pass unchanged.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest
from db_conditions import (
    ROOT,
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
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ostandari_desk.errors import DatabaseUnavailableError, SchemaError, UserError
from ostandari_desk.store.db_errors import database_unavailable
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

PERSIAN = {
    "locked": "ببندید",
    "full": "جا باز کنید",
    "read_only": "فقط‌خواندنی",
    "corrupt": "پشتیبان را بازگردانید",
    "newer": "تازه‌تر",
}


def write(engine, actor, size: int = 200) -> None:
    """One write through the unit of work (an audit entry with ``size`` characters of detail)."""
    uow = UnitOfWork(engine, actor)
    with uow.writing():
        uow.audit("backup", "database", "", detail="پ" * size)
        uow.commit()


def assert_unavailable(error: BaseException, reason: str, path) -> None:
    assert isinstance(error, DatabaseUnavailableError) and isinstance(error, UserError)
    assert error.reason == reason
    assert PERSIAN[reason] in error.message
    assert error.database == str(path.resolve())


def test_locked_by_another_writer(db_path, actor, monkeypatch):
    pragmas(monkeypatch, short_busy_timeout(monkeypatch))
    engine = open_database(sqlite_url(db_path))
    holder = hold_write_lock(db_path)
    try:
        started = time.perf_counter()
        with pytest.raises(DatabaseUnavailableError) as caught:
            write(engine, actor)
        waited = time.perf_counter() - started
    finally:
        holder.close()
        engine.dispose()
    assert_unavailable(caught.value, "locked", db_path)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert "database is locked" in str(caught.value.__cause__)
    assert waited < 5  # the lowered busy timeout, not the desk's 10 s


def test_full_disk(db_path, actor, monkeypatch):
    """SQLite's own limit (max_page_count) gives SQLITE_FULL exactly as a full disk does."""
    pragmas(monkeypatch, f"PRAGMA max_page_count={page_count(db_path)}")
    engine = open_database(sqlite_url(db_path))
    try:
        with pytest.raises(DatabaseUnavailableError) as caught:
            write(engine, actor, size=2_000_000)
        with engine.connect() as conn:  # the failed write left nothing behind, the file is sound
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()
    assert_unavailable(caught.value, "full", db_path)
    assert "database or disk is full" in str(caught.value.__cause__)


def test_read_only_connection(db_path, actor, monkeypatch):
    """query_only: SQLite refuses the write with SQLITE_READONLY, as on a write-protected file."""
    pragmas(monkeypatch, "PRAGMA query_only=ON")
    engine = open_database(sqlite_url(db_path))
    try:
        with engine.connect() as conn:  # reading still works
            assert conn.execute(text("SELECT count(*) FROM user")).scalar() is not None
        with pytest.raises(DatabaseUnavailableError) as caught:
            write(engine, actor)
    finally:
        engine.dispose()
    assert_unavailable(caught.value, "read_only", db_path)


_CHILD = """
import sys
from ostandari_desk.domain.roles import SYSTEM
from ostandari_desk.errors import DatabaseUnavailableError
from ostandari_desk.services.session import open_desk, unit_of_work
try:
    engine = open_desk(sys.argv[1])
    uow = unit_of_work(engine, SYSTEM)
    with uow.writing():
        uow.audit("backup", "database", "", detail="x")
        uow.commit()
except DatabaseUnavailableError as exc:
    print(exc.reason, type(exc.__cause__).__name__, exc.__cause__)
else:
    print("written")
"""


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_file_or_folder(db_path, tmp_path, what):
    """chmod 0o444 on the file or 0o555 on its folder, in a child that honours permissions (root does
    not: see db_conditions.unprivileged)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    path = folder / "desk.sqlite3"
    shutil.copy(db_path, path)
    (path if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    try:
        done = subprocess.run(
            [*unprivileged(), sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            check=False,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env=child_env(tmp_path / "home"),
            timeout=120,
        )
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "read_only", done.stdout
    assert "readonly database" in done.stdout


@pytest.mark.parametrize(
    ("damage", "english"),
    [(corrupt_header, "file is not a database"), (corrupt_schema_page, "database disk image is malformed")],
)
def test_corrupt_file(db_path, damage, english):
    damage(db_path)
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database(sqlite_url(db_path))
    assert_unavailable(caught.value, "corrupt", db_path)
    assert english in str(caught.value.__cause__)


def test_newer_version(db_path):
    make_newer(db_path)
    with pytest.raises(SchemaError) as caught:
        open_database(sqlite_url(db_path))
    assert_unavailable(caught.value, "newer", db_path)


def test_folder_gone(tmp_path):
    path = tmp_path / "unplugged" / "desk.sqlite3"
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database(sqlite_url(path))
    assert caught.value.reason == "cannot_open"
    assert "پوشه" in caught.value.message


def test_a_bug_is_not_disguised(engine):
    """A constraint failure is a bug or a rule, not an unavailable database: it passes unchanged."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('x', '1')"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('x', '2')"))


def test_a_driver_error_from_outside_the_engine(db_path):
    """The standard library's sqlite3 (e.g. its backup API) is named the same way."""
    corrupt_header(db_path)
    with closing(sqlite3.connect(db_path)) as conn, pytest.raises(sqlite3.DatabaseError) as caught:
        conn.execute("SELECT 1 FROM sqlite_master").fetchall()
    error = database_unavailable(caught.value)
    assert error is not None and error.reason == "corrupt" and error.__cause__ is caught.value
    assert database_unavailable(ValueError("no")) is None
