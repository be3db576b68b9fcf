"""Engine from a URL: SQLite files get WAL, foreign keys and the Persian helpers; PostgreSQL can follow.

Transactions on SQLite: the driver's own transaction handling is off (it would not emit BEGIN before a
read or DDL, so a migration or an import ran partly outside its transaction: PITFALLS.md, Store) and
the engine's "begin" event emits BEGIN itself, as SQLAlchemy documents. A connection whose execution
option ``BEGIN_MODE`` says IMMEDIATE (a writing unit of work, a migration) takes the write lock at BEGIN,
before it reads anything it will pick keys from; every other transaction begins DEFERRED and, in WAL
mode, never waits for a writer. A writer waits up to ``BUSY_TIMEOUT_MS`` for another program's lock;
``on_lock_wait`` listeners hear when such a wait starts and ends (the window's status bar).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from ostandari_desk.store.db_errors import translate_errors

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000  # how long a statement waits for another connection's lock
WAIT_NOTICE_AFTER_MS = 250  # a writer kept waiting longer than this is announced (on_lock_wait)

# Execution option read at BEGIN: IMMEDIATE or DEFERRED, or a callable returning one (a unit of work).
BEGIN_MODE = "ostandari_desk_begin"
IMMEDIATE = "IMMEDIATE"
DEFERRED = "DEFERRED"

_SQLITE_BUSY = 5
_lock_wait_listeners: list[Callable[[bool], None]] = []
_listeners_lock = threading.Lock()


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections are tuned on connect."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours (_begin), not the driver's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    event.listen(engine, "begin", _begin)
    translate_errors(engine)  # locked, full, read-only, corrupt: DatabaseUnavailableError
    return engine


def writer(engine: Engine) -> Engine:
    """``engine`` with its transactions beginning IMMEDIATE (a migration, a connection-level writer)."""
    return engine.execution_options(**{BEGIN_MODE: IMMEDIATE})


def begin_mode(conn: Connection) -> str:
    """IMMEDIATE or DEFERRED: how a transaction on ``conn`` begins (its ``BEGIN_MODE`` option)."""
    mode: Any = conn.get_execution_options().get(BEGIN_MODE, DEFERRED)
    if callable(mode):
        mode = mode()
    return IMMEDIATE if mode == IMMEDIATE else DEFERRED


def _begin(conn: Connection) -> None:
    """The engine's "begin" event: BEGIN, or BEGIN IMMEDIATE for a writer.

    A writer first tries for a moment; when another program holds the write lock, the listeners hear
    that it waits, and it waits up to the busy timeout (then the "locked" DatabaseUnavailableError).
    """
    if begin_mode(conn) != IMMEDIATE:
        conn.exec_driver_sql("BEGIN")
        return
    driver = conn.connection.driver_connection
    busy = False
    try:
        driver.execute(f"PRAGMA busy_timeout={WAIT_NOTICE_AFTER_MS}")
        driver.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.Error as exc:  # tried again below, through SQLAlchemy: its error handling applies
        busy = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == _SQLITE_BUSY
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if busy:
        _tell_lock_wait(True)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        if busy:
            _tell_lock_wait(False)


def on_lock_wait(listener: Callable[[bool], None]) -> Callable[[], None]:
    """Call ``listener(True)`` when a writer of this process starts waiting for another program's write
    lock and ``listener(False)`` when it stops (it got the lock, or gave up). The calls come from the
    waiting thread. Returns a function that removes the listener."""
    with _listeners_lock:
        _lock_wait_listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _lock_wait_listeners:
                _lock_wait_listeners.remove(listener)

    return remove


def _tell_lock_wait(waiting: bool) -> None:
    with _listeners_lock:
        listeners = list(_lock_wait_listeners)
    for listener in listeners:
        try:
            listener(waiting)
        except Exception:  # a notice must never break the write it announces
            log.exception("lock-wait listener failed")
