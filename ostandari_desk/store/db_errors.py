"""SQLite failures a clerk can act on (locked, full, read-only, corrupt…) become DatabaseUnavailableError.

``translate_errors(engine)`` hangs a SQLAlchemy "handle_error" listener on an engine, so every statement,
flush and connect (the connect-time pragmas are where a damaged file first shows) raises the Persian
``DatabaseUnavailableError`` instead of an ``OperationalError`` with English text; the driver's exception
stays its ``__cause__`` for the log. Other errors (a constraint, a syntax error: bugs) pass unchanged.
``database_unavailable(exc)`` does the same for an exception raised outside SQLAlchemy (the standard
library's ``sqlite3``, e.g. its backup API).

SQLite's result codes decide, not its English messages; a message is read only when there is no code.
"""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from ostandari_desk.errors import DatabaseUnavailableError

__all__ = ["database_unavailable", "translate_errors", "unavailable_reason"]

_Reason = DatabaseUnavailableError

# Primary result codes (the low byte of an extended code): https://sqlite.org/rescode.html
SQLITE_BUSY = 5  # another connection holds the lock beyond the busy timeout: «database is locked»
SQLITE_READONLY = 8  # a read-only file, folder (READONLY_DIRECTORY) or connection
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11  # «database disk image is malformed»
SQLITE_FULL = 13  # «database or disk is full» (also PRAGMA max_page_count reached)
SQLITE_CANTOPEN = 14  # «unable to open database file»
SQLITE_NOTADB = 26  # «file is not a database»

_BY_CODE = {
    SQLITE_BUSY: _Reason.LOCKED,
    SQLITE_READONLY: _Reason.READ_ONLY,
    SQLITE_IOERR: _Reason.IO,
    SQLITE_CORRUPT: _Reason.CORRUPT,
    SQLITE_FULL: _Reason.FULL,
    SQLITE_CANTOPEN: _Reason.CANNOT_OPEN,
    SQLITE_NOTADB: _Reason.CORRUPT,
}

_BY_TEXT = (
    ("database is locked", _Reason.LOCKED),
    ("readonly database", _Reason.READ_ONLY),
    ("database or disk is full", _Reason.FULL),
    ("database disk image is malformed", _Reason.CORRUPT),
    ("file is not a database", _Reason.CORRUPT),
    ("unable to open database file", _Reason.CANNOT_OPEN),
    ("disk i/o error", _Reason.IO),
)


def unavailable_reason(exc: BaseException) -> str | None:
    """The DatabaseUnavailableError reason for a driver exception (or SQLAlchemy's wrapper), else None."""
    if isinstance(exc, DatabaseUnavailableError):
        return exc.reason
    original = getattr(exc, "orig", None) or exc
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _BY_CODE.get(code & 0xFF)
    if type(original).__module__ != "sqlite3":  # a code-less error of the standard library's driver only
        return None
    message = str(original).lower()
    return next((reason for needle, reason in _BY_TEXT if needle in message), None)


def database_unavailable(exc: BaseException, database: str | None = None) -> DatabaseUnavailableError | None:
    """``exc`` as a DatabaseUnavailableError (with ``exc`` as its cause), or None if it is something else."""
    if isinstance(exc, DatabaseUnavailableError):
        return exc
    reason = unavailable_reason(exc)
    if reason is None:
        return None
    error = DatabaseUnavailableError(reason, database=database)
    error.__cause__ = exc
    return error


def translate_errors(engine: Engine) -> None:
    """Raise DatabaseUnavailableError from ``engine`` for the conditions above (a SQLite engine)."""
    database = engine.url.database if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> BaseException | None:
        # Returned, not raised: SQLAlchemy finishes its clean-up (rollback, invalidation) and then
        # raises it "from" the driver's exception.
        return database_unavailable(context.original_exception, database)
