"""Real conditions that make a database unusable, for the database-error tests (store, CLI, GUI).

- ``hold_write_lock(path)``: another connection holds the write lock (BEGIN IMMEDIATE) until closed.
- ``corrupt_header(path)`` («file is not a database»), ``corrupt_schema_page(path)`` («database disk
  image is malformed»), ``make_newer(path)`` (a revision this app does not know).
- ``pragmas(monkeypatch, ...)``: every engine the app opens from now on runs these pragmas on each new
  connection, after its own: a short ``busy_timeout`` (a locked database fails in 0.1 s, not 10 s),
  ``max_page_count`` (SQLite reports SQLITE_FULL exactly as on a full disk) or ``query_only`` (a write
  fails with SQLITE_READONLY, as on a write-protected file).
- ``unprivileged()``: a command prefix for a child process that honours file permissions. The tests
  run as root here, and root ignores chmod; ``setpriv`` drops CAP_DAC_OVERRIDE (and DAC_READ_SEARCH)
  from the child, which then gets «attempt to write a readonly database» for a 0o444 file and
  SQLITE_READONLY_DIRECTORY for a 0o555 folder, as a clerk would.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# the words each condition's message must carry: what the clerk is told to do
WHAT_TO_DO = {
    "locked": "ببندید",
    "full": "جا باز کنید",
    "read_only": "اجازه نوشتن",
    "corrupt": "نسخه پشتیبان را بازگردانید",
    "newer": "به‌روز کنید",
    "cannot_open": "مسیر پایگاه داده",
}


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another program writing: a connection holding the write lock until it is closed."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _checkpoint(path: Path) -> None:
    """Everything into the main file first (a page in the -wal would hide the damage)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def corrupt_header(path: Path) -> Path:
    """Overwrite the 16-byte «SQLite format 3» header: «file is not a database»."""
    _checkpoint(path)
    with open(path, "r+b") as f:
        f.write(b"not a database!!")
    return path


def corrupt_schema_page(path: Path) -> Path:
    """Overwrite the b-tree header of the schema page (just after the file header): «database disk
    image is malformed» as soon as the schema is read."""
    _checkpoint(path)
    with open(path, "r+b") as f:
        f.seek(100)
        f.write(b"\xff" * 8)
    return path


def make_newer(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    return path


def page_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA page_count").fetchone()[0]


def pragmas(monkeypatch, *statements: str) -> None:
    """Run ``statements`` on every new connection of the engines the app opens from now on."""
    from sqlalchemy import event

    from ostandari_desk.store import engine as engine_module
    from ostandari_desk.store import schema

    original = engine_module.make_engine

    def make_engine(url: str):
        engine = original(url)

        @event.listens_for(engine, "connect")
        def _condition(dbapi_connection, _record) -> None:
            for statement in statements:
                dbapi_connection.execute(statement)

        return engine

    monkeypatch.setattr(schema, "make_engine", make_engine)
    monkeypatch.setattr(engine_module, "make_engine", make_engine)


def short_busy_timeout(monkeypatch, ms: int = 100) -> str:
    """A locked database fails after ``ms`` instead of the desk's 10 s; returns the pragma for ``pragmas``."""
    from ostandari_desk.store import engine as engine_module

    for name in ("BUSY_TIMEOUT_MS", "WAIT_NOTICE_AFTER_MS"):  # the engine sets them again around BEGIN
        monkeypatch.setattr(engine_module, name, min(ms, getattr(engine_module, name, ms)), raising=False)
    return f"PRAGMA busy_timeout={ms}"


def add_pragmas(engine, *statements: str) -> None:
    """The same for an engine that is already open (its pooled connections are closed first)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _condition(dbapi_connection, _record) -> None:
        for statement in statements:
            dbapi_connection.execute(statement)

    engine.dispose()


def unprivileged() -> list[str]:
    """A prefix for a child process that honours file permissions (skips the test when none exists)."""
    if os.name != "posix" or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTANDARI_DESK_")}
    env.update(OSTANDARI_DESK_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", **extra)
    return env
