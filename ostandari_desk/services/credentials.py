"""The office's shared PostgreSQL database: where it is, the password that opens it, and a test connection.

A server is named by ``postgresql://user@host:port/dbname`` (``ServerDatabase.url``): that is what the desk
shows, logs and remembers. A password written inside a URL is accepted for that one use but never kept.
Otherwise the password comes, in this order, from the user's keyring entry (service ``ostandari-desk``,
username ``user@host:port/dbname``), from libpq's own ways (PGPASSWORD, ~/.pgpass, or none at all for a
server that trusts the machine), and last from a person asked for it (a terminal prompt, or the desk's
password dialog with «ذخیره در کلیدساز سیستم»). Nothing here asks anyone: ``connectable`` raises
``PasswordRequired`` and the command line or the window asks, then calls ``connectable`` again.

Without a keyring backend (a Linux server, CI) the keyring is silently skipped. A server that cannot be
reached, a wrong password or a missing database is a DatabaseUnavailableError naming the server (never its
password): the command line's exit status 3.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ostandari_desk.errors import DatabaseUnavailableError, ValidationError
from ostandari_desk.paths import is_server_url, without_password

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

__all__ = [
    "KEYRING_SERVICE",
    "OpenedDatabase",
    "PasswordRequired",
    "ServerDatabase",
    "check_connection",
    "connectable",
    "describe",
    "forget_password",
    "keyring_available",
    "load_driver",
    "locate",
    "open_chosen",
    "open_server",
    "parse_server_url",
    "save_password",
    "saved_password",
    "server_from_fields",
]

KEYRING_SERVICE = "ostandari-desk"
DEFAULT_PORT = 5432
DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 10  # an unreachable server is reported after this long, not after minutes
_SCHEMES = ("postgresql", "postgres", DRIVER)
_EXAMPLE = "postgresql://user@host:5432/ostandari"


@dataclass(frozen=True)
class ServerDatabase:
    """A database on a PostgreSQL server. ``password`` is None when libpq finds it (or none is needed);
    it never appears in ``url``, ``str()`` or ``repr()``."""

    host: str
    database: str
    user: str = ""
    port: int | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    options: tuple[tuple[str, str], ...] = ()  # libpq parameters from the URL's query (sslmode=…)

    @property
    def url(self) -> str:
        """``postgresql://user@host:port/dbname`` (and its options): shown, logged and remembered."""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"postgresql://{user}{self.address}/{quote(self.database, safe='')}{query}"

    def __str__(self) -> str:
        return self.url

    @property
    def address(self) -> str:
        """``host:port`` as written in the URL (``localhost`` for libpq's local socket)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host

    @property
    def keyring_username(self) -> str:
        """The keyring entry's username: ``user@host:port/dbname`` with libpq's defaults filled in."""
        user = self.user or getpass.getuser()
        return f"{user}@{self.host or 'localhost'}:{self.port or DEFAULT_PORT}/{self.database}"

    def with_password(self, password: str | None) -> ServerDatabase:
        return replace(self, password=password)

    def sqlalchemy_url(self) -> str:
        """The engine's URL, with the password when there is one (never show or log it)."""
        from sqlalchemy.engine import URL

        query = dict(self.options)
        query.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
        url = URL.create(
            DRIVER,
            username=self.user or None,
            password=self.password,
            host=self.host or None,
            port=self.port,
            database=self.database,
            query=query,
        )
        return url.render_as_string(hide_password=False)


def parse_server_url(text: str) -> ServerDatabase:
    """The server a ``postgresql://user[:password]@host[:port]/dbname`` URL names; ValidationError (Persian,
    field ``db``) for anything else. The message repeats the URL without its password."""
    shown = without_password(text)
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in _SCHEMES:
        raise ValidationError(
            f"نشانی «{shown}» نشانی سرور PostgreSQL نیست؛ نمونه درست: ‎{_EXAMPLE}‎", field="db"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(f"درگاه (port) در نشانی «{shown}» عدد درستی نیست.", field="db") from None
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ValidationError(
            f"نام پایگاه داده در نشانی «{shown}» نیامده است؛ نمونه درست: ‎{_EXAMPLE}‎", field="db"
        )
    options = parse_qsl(parts.query)
    password = unquote(parts.password) if parts.password is not None else None
    for key, value in options:  # libpq also takes ?password=…: a password all the same, never kept
        if key.lower() == "password" and password is None:
            password = value
    return ServerDatabase(
        host=parts.hostname or "",
        database=database,
        user=unquote(parts.username or ""),
        port=port,
        password=password,
        options=tuple((key, value) for key, value in options if key.lower() != "password"),
    )


def server_from_fields(host: str, port: str | int | None, database: str, user: str) -> ServerDatabase:
    """The server the wizard's or the dialog's fields name; ValidationError (Persian, with the field)."""
    from ostandari_desk.domain.text import digits_to_latin

    host, database, user = host.strip(), database.strip(), user.strip()
    if not host:
        raise ValidationError("نشانی سرور را وارد کنید (نام رایانه یا نشانی IP).", field="host")
    if any(c.isspace() for c in host) or "/" in host or "@" in host:
        raise ValidationError("نشانی سرور نادرست است؛ نمونه: ‎192.168.1.10‎ یا ‎db-server‎", field="host")
    number: int | None = None
    text = digits_to_latin(str(port or "")).strip()
    if text:
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise ValidationError("درگاه باید عددی از ۱ تا ۶۵۵۳۵ باشد (معمولاً ۵۴۳۲).", field="port")
        number = int(text)
    if not database:
        raise ValidationError("نام پایگاه داده را وارد کنید.", field="database")
    if not user:
        raise ValidationError("نام کاربر پایگاه داده را وارد کنید.", field="user")
    return ServerDatabase(host=host, database=database, user=user, port=number)


def locate(location: str | Path | ServerDatabase | None, default: str | Path) -> Path | ServerDatabase:
    """``--db``'s value as a ``ServerDatabase`` (a ``postgresql://`` URL) or a file path (``Path``);
    ``default`` (a path or a URL) when there is none. A URL never becomes a Path."""
    chosen = location if location else default
    if isinstance(chosen, ServerDatabase):
        return chosen
    if isinstance(chosen, str) and is_server_url(chosen):
        return parse_server_url(chosen)
    return Path(chosen)


# --- the keyring ------------------------------------------------------------------------------------


def _keyring():
    try:
        import keyring
    except ImportError:  # the package is optional: then there is only the prompt
        return None
    return keyring


def keyring_available() -> bool:
    """Whether this machine has a keyring to keep a password in (Windows, macOS, a Linux desktop)."""
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # a broken backend is no keyring
        log.debug("keyring backend unusable", exc_info=True)
        return False


def saved_password(server: ServerDatabase) -> str | None:
    """The password saved in the user's keyring for ``server``, or None (none saved, or no keyring)."""
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, server.keyring_username)
    except Exception:  # no backend (NoKeyringError), a locked or broken one: ask instead
        log.debug("no password from the keyring for %s", server.url, exc_info=True)
        return None


def save_password(server: ServerDatabase, password: str) -> bool:
    """Keep ``password`` in the user's keyring for ``server``; False when there is no keyring."""
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, server.keyring_username, password)
    except Exception:  # no backend or a locked one: the password is simply not kept
        log.info("the password for %s was not saved in the keyring", server.url, exc_info=True)
        return False
    return True


def forget_password(server: ServerDatabase) -> None:
    """Remove ``server``'s password from the keyring (nothing happens when none was saved)."""
    keyring = _keyring()
    if keyring is None:
        return
    try:
        keyring.delete_password(KEYRING_SERVICE, server.keyring_username)
    except Exception:  # PasswordDeleteError (none saved) or no backend
        log.debug("no keyring password to forget for %s", server.url, exc_info=True)


# --- connecting -----------------------------------------------------------------------------------


class PasswordRequired(DatabaseUnavailableError):
    """The server wants a password that nobody gave (``wrong`` False) or refused the one given (True)."""

    def __init__(self, server: ServerDatabase, wrong: bool):
        if wrong:
            message = (
                f"سرور پایگاه داده گذرواژه کاربر «{server.user or getpass.getuser()}» را نپذیرفت "
                f"(‎{server.url}‎)."
            )
        else:
            message = (
                f"سرور پایگاه داده گذرواژه می‌خواهد (‎{server.url}‎): آن را در پایانه وارد کنید یا در کلیدساز "
                "سیستم ذخیره کنید (در برنامه: «ذخیره در کلیدساز سیستم»)، یا در ‎PGPASSWORD‎ یا ‎.pgpass‎ بگذارید."
            )
        super().__init__(DatabaseUnavailableError.CANNOT_OPEN, message, database=server.url)
        self.server = server
        self.wrong = wrong


_AUTH_FAILED = ("password authentication failed", "no password supplied")


def connection_error(server: ServerDatabase, exc: BaseException) -> DatabaseUnavailableError:
    """A driver's failure to connect to ``server`` as what the user can do about it (Persian)."""
    text = str(getattr(exc, "orig", None) or exc)
    lowered = text.lower()
    if any(needle in lowered for needle in _AUTH_FAILED):
        error: DatabaseUnavailableError = PasswordRequired(server, wrong=server.password is not None)
    elif "does not exist" in lowered and 'database "' in lowered:
        error = DatabaseUnavailableError(
            DatabaseUnavailableError.CANNOT_OPEN,
            f"پایگاه داده «{server.database}» روی سرور ‎{server.address or 'localhost'}‎ نیست؛ مدیر سرور "
            "باید آن را بسازد (راهنما: بخش «پایگاه داده مشترک اداره»).",
            database=server.url,
        )
    elif "does not exist" in lowered and 'role "' in lowered:
        error = DatabaseUnavailableError(
            DatabaseUnavailableError.CANNOT_OPEN,
            f"کاربر «{server.user}» روی سرور پایگاه داده ‎{server.address or 'localhost'}‎ تعریف نشده است.",
            database=server.url,
        )
    else:
        error = DatabaseUnavailableError(
            DatabaseUnavailableError.CANNOT_OPEN,
            f"سرور پایگاه داده در دسترس نیست (‎{server.url}‎): روشن بودن سرور، نشانی و درگاه آن و اتصال شبکه "
            "را بررسی کنید و دوباره بکوشید.",
            database=server.url,
        )
    error.__cause__ = exc if isinstance(exc, Exception) else None
    return error


def _missing_driver(server: ServerDatabase) -> DatabaseUnavailableError:
    return DatabaseUnavailableError(
        DatabaseUnavailableError.CANNOT_OPEN,
        "برای کار با سرور PostgreSQL بسته ‎psycopg‎ لازم است: ‎pip install ostandari-desk[postgres]‎",
        database=server.url,
    )


def load_driver() -> None:
    """Import the PostgreSQL driver and its SQLAlchemy dialect now: the window calls this on its main thread
    before connecting on a worker (a first import on a worker thread can deadlock PySide6's import hook)."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy.dialects.postgresql.psycopg
        import sqlalchemy.pool  # noqa: F401
    except ImportError:  # said when connecting: _missing_driver
        log.info("the PostgreSQL driver is not installed")


def check_connection(server: ServerDatabase) -> None:
    """Connect to ``server`` once with its password (None: libpq's own ways); DatabaseUnavailableError
    (PasswordRequired for a missing or refused password) when that fails."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(server.sqlalchemy_url(), poolclass=NullPool)
    except ImportError:
        raise _missing_driver(server) from None
    try:
        engine.connect().close()  # it opened: the password (or its absence) is accepted
    except DBAPIError as exc:
        raise connection_error(server, exc) from exc
    finally:
        engine.dispose()


def connectable(server: ServerDatabase) -> ServerDatabase:
    """``server`` with a password that opens it, found without asking anyone.

    A password written in the URL is the only one tried. Otherwise the keyring's entry, then none (libpq's
    PGPASSWORD, .pgpass, or a server that needs none). Raises PasswordRequired when none of them opens it
    (then ask the user, and call again with ``server.with_password(answer)``), DatabaseUnavailableError
    when the server cannot be reached.
    """
    if server.password is not None:
        check_connection(server)
        return server
    saved = saved_password(server)
    if saved is not None:
        candidate = server.with_password(saved)
        try:
            check_connection(candidate)
            return candidate
        except PasswordRequired:
            log.info("the keyring's password for %s was refused; trying libpq's own", server.url)
    try:
        check_connection(server)
    except PasswordRequired as exc:
        raise PasswordRequired(server, wrong=saved is not None) from exc
    return server


def open_server(server: ServerDatabase) -> Engine:
    """An engine on ``server`` (which ``connectable`` returned), its schema created or upgraded. Failures
    on the way (a privilege missing, the connection lost) come from the store as DatabaseUnavailableError."""
    from ostandari_desk.services.session import open_desk

    try:
        return open_desk(server.sqlalchemy_url())
    except ImportError:
        raise _missing_driver(server) from None


# --- opening either kind ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedDatabase:
    """An open database: its engine, whether it is set up and has users, and what it is (the server with
    the password that opened it, or the file)."""

    engine: Engine
    initialized: bool
    has_users: bool
    database: Path | ServerDatabase


def open_chosen(database: Path | ServerDatabase) -> OpenedDatabase:
    """Open (create or upgrade) the file or the server the user chose; no one is asked anything here
    (PasswordRequired when the server wants a password). Runs on a worker thread in the window."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.session import open_desk, unit_of_work
    from ostandari_desk.services.setup import is_initialized
    from ostandari_desk.services.users import has_users

    if isinstance(database, ServerDatabase):
        database = connectable(database)
        engine = open_server(database)
    else:
        if not database.parent.is_dir():
            raise DatabaseUnavailableError(DatabaseUnavailableError.CANNOT_OPEN, database=str(database))
        engine = open_desk(database)
    try:
        return OpenedDatabase(
            engine, is_initialized(unit_of_work(engine, SYSTEM)), has_users(engine), database
        )
    except BaseException:
        engine.dispose()
        raise


def describe(engine: Engine) -> str:
    """What the status bar says for a server's engine: its URL without password or options."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database or "")
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"postgresql://{user}{url.host or ''}{port}/{url.database or ''}"
