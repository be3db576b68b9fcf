"""Engine from a URL: SQLite files get WAL, foreign keys and the Persian helpers; PostgreSQL gets psycopg 3.

Transactions on SQLite: the driver's own transaction handling is off (it would not emit BEGIN before a
read or DDL, so a migration or an import ran partly outside its transaction: PITFALLS.md, Store) and
the engine's "begin" event emits BEGIN itself, as SQLAlchemy documents. A connection whose execution
option ``BEGIN_MODE`` says IMMEDIATE (a writing unit of work, a migration) takes the write lock at BEGIN,
before it reads anything it will pick keys from; every other transaction begins DEFERRED and, in WAL
mode, never waits for a writer. A writer waits up to ``BUSY_TIMEOUT_MS`` for another program's lock;
``on_lock_wait`` listeners hear when such a wait starts and ends (the window's status bar).

PostgreSQL (``postgresql://user@host:port/dbname``, a shared office database): the psycopg 3 driver, a
pool that pings a connection before handing it out (a server restarted overnight), transactions READ
COMMITTED. A transaction begun IMMEDIATE (a writing unit of work, a migration) first takes the office's
write lock, a transaction-scoped advisory lock (``WRITE_LOCK_KEY``): writers take turns as on SQLite, so
what a writer reads to decide (the next number, "is this name free") cannot change before it writes, and
readers never wait. A writer waits up to ``BUSY_TIMEOUT_MS`` for it (``on_lock_wait`` hears the wait);
every lock wait on the server ends after the same time (``lock_timeout``). Sessions run in UTC, as the
app stores time. The row-version UPDATE of a
save (services/versioned.py) refuses a stale form whatever the isolation. Failures to connect (server
unreachable, password refused, no such database), a lost connection and lock timeouts become
DatabaseUnavailableError with Persian messages (store/db_errors.py).

Reads on SQLite go through a memory map of the file's first ``MMAP_SIZE`` bytes (``PRAGMA mmap_size``):
a page read is a memory access, not a ``read()`` copied into SQLite's cache, which takes a third off the
annual report's counting on a 2 GB database. SQLite still writes through ordinary writes, so a full disk
is the usual SQLITE_FULL. What the map costs (sqlite.org/mmap.html): an I/O error while reading a mapped
page (a disk failing, a removable drive pulled out, a network share gone) is a signal that ends the
process instead of an SQLITE_IOERR; and on Windows a mapped file cannot shrink (a VACUUM leaves its free
pages at the end, reused as the file grows). So a file on a network share (a UNC path, ``\\\\server\\…``),
where the first is likely and WAL is unsafe anyway, and an in-memory database are never mapped.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ostandari_desk.store.db_errors import translate_errors

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000  # how long a statement waits for another connection's lock
WAIT_NOTICE_AFTER_MS = 250  # a writer kept waiting longer than this is announced (on_lock_wait)
# bytes of a SQLite file read through a memory map (see the docstring): SQLite's own ceiling (its default
# SQLITE_MAX_MMAP_SIZE, about 2 GB), so the report indexes near the end of a large desk's file are mapped
# too: a fresh process's one-county annual comparison took 0.90 s with 256 MB mapped, 0.82 s with 2 GB.
MMAP_SIZE = 0x7FFF0000

# Execution option read at BEGIN: IMMEDIATE or DEFERRED, or a callable returning one (a unit of work).
BEGIN_MODE = "ostandari_desk_begin"
IMMEDIATE = "IMMEDIATE"
DEFERRED = "DEFERRED"

_SQLITE_BUSY = 5
_lock_wait_listeners: list[Callable[[bool], None]] = []
_listeners_lock = threading.Lock()


# PostgreSQL: the office's write lock (pg_advisory_xact_lock key: "OSTANDARI" in the low bytes), how long
# connecting may take, and the name the server's activity view shows.
WRITE_LOCK_KEY = 0x4F5354414E444152
CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "ostandari-desk"
# Connection.info key: whether the open transaction ran anything but a SELECT (PostgreSQL; adapters memoize
# what a transaction that wrote nothing reads twice).
WROTE = "ostandari_desk_wrote"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def is_server_url(url: str | URL) -> bool:
    """Whether ``url`` names a PostgreSQL database (``postgresql://…``, with or without a driver)."""
    if isinstance(url, str):
        try:
            url = make_url(url) if "://" in url else None
        except ArgumentError:  # a path with "://" in it, say
            url = None
        if url is None:
            return False
    return url.drivername.split("+", 1)[0].lower() in POSTGRES_SCHEMES


def postgres_url(url: str | URL) -> URL:
    """``url`` (``postgresql://…``, ``postgres://…`` or with any driver) as a psycopg 3 URL."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql+psycopg")


def display_name(url: str | URL) -> str:
    """The database as a clerk may see it: a SQLite file's path; a server's ``host:port/dbname`` (no password)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ""
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port or 5432}/{parsed.database or ''}"


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`; SQLite connections are tuned on connect, PostgreSQL ones as described above."""
    parsed = make_url(url) if isinstance(url, str) else url
    if is_server_url(parsed):
        return _postgres_engine(postgres_url(parsed))
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    mmap_size = MMAP_SIZE if _may_map(parsed.database) else 0

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours (_begin), not the driver's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute(f"PRAGMA mmap_size={mmap_size}")
        cursor.close()

    event.listen(engine, "begin", _begin)
    translate_errors(engine)  # locked, full, read-only, corrupt: DatabaseUnavailableError
    return engine


def _may_map(database: str | None) -> bool:
    """Whether a SQLite database file may be read through a memory map: not in memory, not on a share."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    return not database.replace("/", "\\").startswith("\\\\")  # \\server\share or //server/share


def _postgres_engine(url: URL) -> Engine:
    query = dict(url.query)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in query:
        connect_args["application_name"] = APPLICATION_NAME
    engine = create_engine(
        url, pool_pre_ping=True, isolation_level="READ COMMITTED", connect_args=connect_args
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("SET TIME ZONE 'UTC'")  # dates of timestamps, and their text, as on SQLite
        dbapi_connection.commit()

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if not statement.lstrip()[:6].upper().startswith("SELECT"):
            conn.info[WROTE] = True

    event.listen(engine, "begin", _begin_postgres)
    translate_errors(engine)  # unreachable, refused, gone, lock timeouts: DatabaseUnavailableError
    return engine


def _begin_postgres(conn: Connection) -> None:
    """The engine's "begin" event on PostgreSQL: a writer takes the office's write lock first.

    It tries at once; when another clerk's writer holds it, the listeners hear that it waits, and it
    waits up to ``lock_timeout`` (then the "locked" DatabaseUnavailableError). The transaction has written
    nothing yet (``WROTE``).
    """
    conn.info[WROTE] = False
    if begin_mode(conn) != IMMEDIATE:
        return
    if conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})").scalar():
        return
    _tell_lock_wait(True)
    try:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    finally:
        _tell_lock_wait(False)


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
