"""SQLite and PostgreSQL failures a clerk can act on become DatabaseUnavailableError.

SQLite: locked, full, read-only, corrupt… PostgreSQL: the server unreachable, the password or user refused,
no such database, the connection lost, the server stopping, a lock waited for too long (another clerk's
long save), a full disk on the server, a read-only standby.

``translate_errors(engine)`` hangs a SQLAlchemy "handle_error" listener on an engine, so every statement,
flush and connect (the connect-time pragmas are where a damaged SQLite file first shows) raises the Persian
``DatabaseUnavailableError`` instead of an ``OperationalError`` with English text; the driver's exception
stays its ``__cause__`` for the log. Other errors (a constraint, a syntax error: bugs) pass unchanged.
A pool's ping before handing out a connection is left alone (SQLAlchemy reconnects after a restart).
``database_unavailable(exc)`` does the same for an exception raised outside SQLAlchemy (the standard
library's ``sqlite3``, e.g. its backup API).

SQLite's result codes and PostgreSQL's SQLSTATEs decide, not English messages; a message is read only when
there is no code (SQLite's code-less errors, and libpq's failures to connect, which carry none).
"""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from ostandari_desk.errors import DatabaseUnavailableError

__all__ = ["database_unavailable", "postgres_unavailable", "translate_errors", "unavailable_reason"]

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


# --- PostgreSQL ------------------------------------------------------------------------------------

_PG_LOCKED = (
    "پایگاه داده مشترک در دست همکار دیگری است که کاری طولانی (مانند ورود گروهی یا ذخیره) را ذخیره می‌کند و "
    "این کار بیش از اندازه منتظر ماند؛ چیزی ثبت نشد. چند لحظه صبر کنید و دوباره بکوشید."
)
_PG_UNREACHABLE = (
    "به سرور پایگاه داده (PostgreSQL) وصل نشد: سرور روشن نیست، نشانی یا درگاه آن نادرست است، یا شبکه یا "
    "دیواره آتش راه را بسته است. نشانی سرور و اتصال شبکه را بررسی کنید یا به مسئول سرور خبر دهید."
)
_PG_LOST = (
    "ارتباط با سرور پایگاه داده (PostgreSQL) قطع شد و کار در حال انجام ثبت نشد. اتصال شبکه را بررسی کنید "
    "و دوباره بکوشید؛ اگر سرور در حال راه‌اندازی دوباره است، چند لحظه صبر کنید."
)
_PG_AUTH = (
    "سرور پایگاه داده نام کاربری یا گذرواژه را نپذیرفت (یا از این رایانه اجازه ورود نمی‌دهد). نام کاربری و "
    "گذرواژه پایگاه داده را بررسی کنید یا از مسئول سرور بخواهید دسترسی را بدهد."
)
_PG_NO_DATABASE = (
    "پایگاه داده‌ای با این نام روی سرور نیست. نام پایگاه داده را در نشانی بررسی کنید، یا از مسئول سرور "
    "بخواهید آن را بسازد (createdb)."
)
_PG_BUSY = (
    "سرور پایگاه داده اکنون اتصال تازه نمی‌پذیرد (بیش از اندازه اتصال یا حافظه کم). چند لحظه صبر کنید و "
    "دوباره بکوشید، یا به مسئول سرور خبر دهید."
)
_PG_STOPPING = (
    "سرور پایگاه داده در حال خاموش شدن یا راه‌اندازی دوباره است و کار در حال انجام ثبت نشد. چند لحظه صبر "
    "کنید و دوباره بکوشید."
)
_PG_FULL = "دیسک سرور پایگاه داده پر است و تغییر ثبت نشد. به مسئول سرور خبر دهید تا روی آن جا باز کند."
_PG_READ_ONLY = (
    "سرور پایگاه داده فقط‌خواندنی است (نسخه پشتیبان یا سرور آماده به کار) و چیزی در آن نوشته نمی‌شود. "
    "نشانی سرور اصلی را از مسئول سرور بپرسید."
)
_PG_PRIVILEGE = (
    "کاربر پایگاه داده اجازه این کار را روی سرور ندارد. از مسئول سرور بخواهید به این کاربر اجازه خواندن و "
    "نوشتن در جدول‌های میز کار را بدهد."
)
_PG_CORRUPT = (
    "سرور پایگاه داده داده‌های آسیب‌دیده گزارش کرد. به مسئول سرور خبر دهید تا آن را بررسی کند و در صورت "
    "نیاز از پشتیبان سرور (pg_dump) بازگرداند."
)

# SQLSTATE (or its two-character class) -> (reason, message)
_PG_BY_STATE: dict[str, tuple[str, str]] = {
    "55P03": (_Reason.LOCKED, _PG_LOCKED),  # lock_not_available: lock_timeout
    "40P01": (_Reason.LOCKED, _PG_LOCKED),  # deadlock_detected
    "40001": (_Reason.LOCKED, _PG_LOCKED),  # serialization_failure
    "08": (_Reason.CANNOT_OPEN, _PG_LOST),  # connection exceptions
    "28": (_Reason.CANNOT_OPEN, _PG_AUTH),  # invalid authorization (28000, 28P01)
    "3D000": (_Reason.CANNOT_OPEN, _PG_NO_DATABASE),  # invalid_catalog_name
    "53100": (_Reason.FULL, _PG_FULL),  # disk_full
    "53200": (_Reason.CANNOT_OPEN, _PG_BUSY),  # out_of_memory
    "53300": (_Reason.CANNOT_OPEN, _PG_BUSY),  # too_many_connections
    "57P01": (_Reason.CANNOT_OPEN, _PG_STOPPING),  # admin_shutdown
    "57P02": (_Reason.CANNOT_OPEN, _PG_STOPPING),  # crash_shutdown
    "57P03": (_Reason.CANNOT_OPEN, _PG_STOPPING),  # cannot_connect_now
    "25006": (_Reason.READ_ONLY, _PG_READ_ONLY),  # read_only_sql_transaction
    "42501": (_Reason.CANNOT_OPEN, _PG_PRIVILEGE),  # insufficient_privilege
    "XX001": (_Reason.CORRUPT, _PG_CORRUPT),  # data_corrupted
    "XX002": (_Reason.CORRUPT, _PG_CORRUPT),  # index_corrupted
}
# libpq's failures to connect carry no SQLSTATE: (lower-case fragments all present, reason, message), first
# match wins; any other code-less OperationalError of psycopg is a failure to reach the server.
_PG_BY_TEXT = (
    (("password authentication failed",), _Reason.CANNOT_OPEN, _PG_AUTH),
    (("no password supplied",), _Reason.CANNOT_OPEN, _PG_AUTH),
    (("pg_hba.conf",), _Reason.CANNOT_OPEN, _PG_AUTH),
    (("authentication failed",), _Reason.CANNOT_OPEN, _PG_AUTH),
    (('role "', "does not exist"), _Reason.CANNOT_OPEN, _PG_AUTH),
    (('database "', "does not exist"), _Reason.CANNOT_OPEN, _PG_NO_DATABASE),
    (("too many",), _Reason.CANNOT_OPEN, _PG_BUSY),
    (("shutting down",), _Reason.CANNOT_OPEN, _PG_STOPPING),
    (("starting up",), _Reason.CANNOT_OPEN, _PG_STOPPING),
    (("recovery mode",), _Reason.CANNOT_OPEN, _PG_STOPPING),
    (("terminating connection",), _Reason.CANNOT_OPEN, _PG_STOPPING),
    (("server closed the connection",), _Reason.CANNOT_OPEN, _PG_LOST),
    (("connection is closed",), _Reason.CANNOT_OPEN, _PG_LOST),
    (("connection is lost",), _Reason.CANNOT_OPEN, _PG_LOST),
    (("consuming input failed",), _Reason.CANNOT_OPEN, _PG_LOST),
)


def _is_psycopg(exc: BaseException) -> bool:
    return type(exc).__module__.split(".", 1)[0] == "psycopg"


def postgres_unavailable(exc: BaseException) -> tuple[str, str] | None:
    """(reason, Persian message) for a psycopg exception (or SQLAlchemy's wrapper) a clerk can act on."""
    original = getattr(exc, "orig", None) or exc
    if not _is_psycopg(original):
        return None
    state = getattr(original, "sqlstate", None)
    if state:
        return _PG_BY_STATE.get(state) or _PG_BY_STATE.get(state[:2])
    message = str(original).lower()
    for needles, reason, text in _PG_BY_TEXT:
        if all(needle in message for needle in needles):
            return reason, text
    if type(original).__name__ in ("OperationalError", "InterfaceError"):  # could not connect at all
        return _Reason.CANNOT_OPEN, _PG_UNREACHABLE
    return None


# --- both -------------------------------------------------------------------------------------------


def unavailable_reason(exc: BaseException) -> str | None:
    """The DatabaseUnavailableError reason for a driver exception (or SQLAlchemy's wrapper), else None."""
    if isinstance(exc, DatabaseUnavailableError):
        return exc.reason
    original = getattr(exc, "orig", None) or exc
    if _is_psycopg(original):
        found = postgres_unavailable(original)
        return found[0] if found else None
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
    message = None
    if _is_psycopg(getattr(exc, "orig", None) or exc):
        found = postgres_unavailable(exc)
        reason, message = found if found else (None, None)
    else:
        reason = unavailable_reason(exc)
    if reason is None:
        return None
    error = DatabaseUnavailableError(reason, message, database=database)
    error.__cause__ = exc
    return error


def translate_errors(engine: Engine) -> None:
    """Raise DatabaseUnavailableError from ``engine`` for the conditions above (SQLite or PostgreSQL)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database if url.database not in (None, "", ":memory:") else None
    else:  # host:port/dbname, never the password
        database = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"

    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> BaseException | None:
        if context.is_pre_ping:  # the pool reconnects by itself when a ping fails
            return None
        # Returned, not raised: SQLAlchemy finishes its clean-up (rollback, invalidation) and then
        # raises it "from" the driver's exception.
        return database_unavailable(context.original_exception, database)
