"""SQLite database files as whole files: consistent copies, exclusive access, contents replaced in one go.

A copy of a live database is never a file copy (the WAL holds committed pages the main file lacks): it is
made with SQLite's online backup API, reading one snapshot. The source connection holds a read transaction
through every step of the copy, so writers in WAL mode go on meanwhile and the copy never restarts.

Replacing a database (a restore) needs it to be closed by everyone else. An idle connection in WAL mode
keeps a shared lock on the database file for as long as it is open, so leaving WAL for a rollback journal
(``PRAGMA journal_mode=DELETE``, which needs the exclusive lock) fails with "database is locked" while any
other connection, of this desk or any other program, has the file open. ``exclusive_access`` does that,
then keeps the file locked (``locking_mode=EXCLUSIVE``) until it is done; nobody can open it meanwhile.
The new contents are written into the locked file with the backup API, in one journalled transaction: a
crash midway leaves the old database (the hot journal rolls it back), never a mixture.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from ostandari_desk.store import schema

__all__ = [
    "DatabaseBusyError",
    "NotADatabaseError",
    "exclusive_access",
    "file_integrity_problems",
    "integrity_problems",
    "known_revision",
    "readable",
    "replace_contents",
    "revision_of",
    "size_of",
    "snapshot",
]

Progress = Callable[[int, int], None]

PAGES_PER_STEP = 8192  # 32 MB of 4 KB pages between progress reports
BUSY_TIMEOUT_S = 10.0
# PRAGMA integrity_check runs about 450 virtual-machine instructions per page (measured on the large demo);
# the progress handler counts them in steps of this many to estimate how far it is.
_CHECK_TICK = 10_000
_CHECK_INSTRUCTIONS_PER_PAGE = 460

log = logging.getLogger("ostandari_desk")


class DatabaseBusyError(Exception):
    """Another connection (this desk in another window, or another program) has the database open."""


class NotADatabaseError(Exception):
    """The file is not a readable SQLite database (damaged, or something else)."""


def _connect(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _is_not_a_database(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


# --- what a file holds -------------------------------------------------------------------------------


def readable(path: Path, thorough: bool = False) -> bool:
    """Whether ``path`` is a SQLite database whose schema can be read (False: missing, damaged, not one);
    ``thorough`` also runs ``PRAGMA quick_check`` (every page's structure, about a second a gigabyte).

    A database another program holds locked counts as readable: it is there, just busy.
    """
    if not Path(path).is_file():
        return False
    try:
        with closing(_connect(path, timeout=1.0)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if thorough and [row[0] for row in conn.execute("PRAGMA quick_check(1)")] != ["ok"]:
                return False
    except sqlite3.Error as exc:
        return _is_busy(exc)
    return True


def revision_of(path: Path) -> str | None:
    """The schema revision stored in the database file (None: no alembic_version table or row).

    Raises:
        NotADatabaseError: the file cannot be read as a database.
    """
    try:
        with closing(_connect(path)) as conn:
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if not has_table:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotADatabaseError(str(exc)) from exc
    return row[0] if row else None


def holds_records(path: Path, tables: tuple[str, ...]) -> bool:
    """Whether any of ``tables`` exists in the database file and has a row (someone has used it)."""
    with closing(_connect(path)) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return any(
            table in names and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
            for table in tables
        )


def known_revision(revision: str) -> bool:
    """Whether this version of the app knows ``revision`` (one of its migrations: not a newer database)."""
    if revision == schema.HEAD_REVISION:
        return True
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    return revision in {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


def integrity_problems(
    conn: sqlite3.Connection, progress: Progress | None = None, limit: int = 100
) -> list[str]:
    """``PRAGMA integrity_check`` on ``conn`` (a driver connection): [] when the file is sound, else
    SQLite's own lines (at most ``limit``). ``progress(done, total)`` is an estimate from the page count.
    """
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0] or 0)
    total = max(1, pages * _CHECK_INSTRUCTIONS_PER_PAGE // _CHECK_TICK)
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        if progress is not None:
            progress(min(ticks[0], total * 99 // 100), total)
        return 0

    if progress is not None:
        conn.set_progress_handler(tick, _CHECK_TICK)
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    finally:
        if progress is not None:
            conn.set_progress_handler(None, 0)
    if progress is not None:
        progress(total, total)
    return [] if rows == ["ok"] else rows


def file_integrity_problems(path: Path, progress: Progress | None = None) -> list[str]:
    """``integrity_problems`` of the database file at ``path`` (a copy being checked before use).

    Raises:
        NotADatabaseError: the file cannot be read as a database at all.
    """
    try:
        with closing(_connect(path)) as conn:
            return integrity_problems(conn, progress)
    except sqlite3.DatabaseError as exc:
        if _is_busy(exc):
            raise
        raise NotADatabaseError(str(exc)) from exc


# --- copies ------------------------------------------------------------------------------------------


def size_of(source: Path | sqlite3.Connection) -> int:
    """Bytes a copy of ``source`` (a database file with its WAL, or an open connection) will take, about."""
    if isinstance(source, sqlite3.Connection):
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        return int(pages) * int(source.execute("PRAGMA page_size").fetchone()[0])
    wal = Path(f"{source}-wal")
    return Path(source).stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def snapshot(source: Path | sqlite3.Connection, target: Path, progress: Progress | None = None) -> None:
    """Copy the database ``source`` (a file, or a connection that already holds it: ``exclusive_access``)
    to the new file ``target`` with the online backup API. ``progress(pages done, pages)``.

    ``target`` is a scratch file: written without a journal or syncs, whole or not at all (it is removed
    when the copy fails). The file ``source`` may be in use: writers go on, the copy is their last
    committed state when it began.
    """
    target = Path(target)
    target.unlink(missing_ok=True)
    own = not isinstance(source, sqlite3.Connection)
    src = _connect(Path(source)) if own else source
    assert isinstance(src, sqlite3.Connection)
    try:
        dst = _connect(target)
        try:
            dst.execute("PRAGMA journal_mode=OFF")
            dst.execute("PRAGMA synchronous=OFF")
            if own:  # one snapshot for every step: a write elsewhere neither shows nor restarts the copy
                src.execute("BEGIN")
                src.execute("SELECT count(*) FROM sqlite_master").fetchone()

            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        finally:
            dst.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        if own:
            src.close()  # ends the read transaction


# --- replacing a database ------------------------------------------------------------------------------


@contextmanager
def exclusive_access(path: Path, wait: float = 0.5) -> Iterator[sqlite3.Connection]:
    """Hold the database file ``path`` alone; yields the one connection that may use it meanwhile.

    Raises:
        DatabaseBusyError: another connection (any process, this one included) has the file open.
        NotADatabaseError: the file is not a readable database.
    """
    conn = _connect(Path(path), timeout=wait)
    try:
        try:
            mode = str(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower()
            if mode != "delete":
                raise DatabaseBusyError(f"journal mode stayed {mode}")
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")  # the exclusive lock, kept after COMMIT in this locking mode
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise DatabaseBusyError(str(exc)) from exc
            if _is_not_a_database(exc):
                raise NotADatabaseError(str(exc)) from exc
            raise
        yield conn
    finally:
        try:
            # back to WAL before letting go: the next opener finds the file as the desk keeps it
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:  # harmless: the engine sets WAL on every connection it opens
            log.info("%s stays out of WAL until the desk opens it again: %s", path, exc)
        conn.close()


def replace_contents(held: sqlite3.Connection, source: Path, progress: Progress | None = None) -> None:
    """Make the database that ``held`` (from ``exclusive_access``) has open a page-for-page copy of the
    database file ``source``, in one transaction: all of it, or (after an error or a crash) none."""
    with closing(_connect(Path(source))) as src:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        src.backup(held, pages=PAGES_PER_STEP, progress=step)
        src.execute("COMMIT")
