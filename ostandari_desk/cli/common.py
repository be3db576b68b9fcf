"""What every command shares: exit codes, the credentials, opening and signing in, progress and questions.

A command's database is a file (``Path``) or a PostgreSQL server (``ServerDatabase``, from a ``--db
postgresql://user@host:port/dbname`` URL, never turned into a Path). A server's password comes from the URL,
the keyring, libpq (PGPASSWORD, .pgpass) or, on a terminal, a prompt (services/credentials.py).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ostandari_desk.errors import AuthenticationError, DatabaseUnavailableError, UserError

if TYPE_CHECKING:
    from ostandari_desk.services.credentials import ServerDatabase

    Database: TypeAlias = Path | ServerDatabase

EXIT_OK = 0
EXIT_BAD_ROWS = 1
EXIT_REFUSED = 2
EXIT_UNAVAILABLE = 3

ENV_USER = "OSTANDARI_DESK_USER"
ENV_PASSWORD = "OSTANDARI_DESK_PASSWORD"
ENV_NEW_PASSWORD = "OSTANDARI_DESK_NEW_PASSWORD"


def utf8_streams() -> None:
    """Persian output must not crash a Windows console with a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # a detached or already-wrapped stream
                pass


def unavailable(exc: DatabaseUnavailableError) -> int:
    """Say on stderr what is wrong with the database and what to do; exit status 3."""
    print(f"خطا: {exc.message}", file=sys.stderr)
    if exc.database:
        print(f"پایگاه داده: {exc.database}", file=sys.stderr)
    if exc.reason == DatabaseUnavailableError.CORRUPT:
        from ostandari_desk.paths import data_dir

        print(f"پوشه پشتیبان‌ها: {data_dir() / 'backups'}", file=sys.stderr)
    return EXIT_UNAVAILABLE


def default_database() -> Path:
    from ostandari_desk.paths import default_database

    return default_database()


def database_from(location: str | None) -> Database:
    """``--db``'s value: a server for a ``postgresql://`` URL, else a file; the user's file without one."""
    from ostandari_desk.services.credentials import locate

    return locate(location, default_database())


def file_only(database: Database, refusal: str) -> Path:
    """``database`` when it is a file; a server is refused with ``refusal`` (Persian)."""
    if not isinstance(database, Path):
        raise UserError(refusal)
    return database


def fa(value: object) -> str:
    from ostandari_desk.domain.text import to_persian_digits

    return to_persian_digits(value)


def open_database(database: Database):
    """An engine on the file (created when missing) or the server (its password found or asked for)."""
    if isinstance(database, Path):
        from ostandari_desk.services.session import open_desk

        database.parent.mkdir(parents=True, exist_ok=True)
        return open_desk(database)
    from ostandari_desk.services.credentials import open_server

    return open_server(connect_server(database))


def connect_server(server: ServerDatabase) -> ServerDatabase:
    """``server`` with a password that opens it: from the URL, the keyring or libpq, else typed at the
    terminal (up to three tries; kept in the keyring when the user says so). Without a terminal the
    PasswordRequired error stands (exit status 3)."""
    from ostandari_desk.services import credentials as server_credentials

    try:
        return server_credentials.connectable(server)
    except server_credentials.PasswordRequired as exc:
        if server.password is not None or sys.stdin is None or not sys.stdin.isatty():
            raise
        problem = exc
    for _attempt in range(3):
        if problem.wrong:
            print(f"خطا: {problem.message}", file=sys.stderr)
        try:
            password = getpass.getpass(f"گذرواژه سرور پایگاه داده ({server.keyring_username}): ")
        except (EOFError, KeyboardInterrupt):
            print(file=sys.stderr)
            raise problem from None
        if not password:
            raise problem
        candidate = server.with_password(password)
        try:
            server_credentials.check_connection(candidate)
        except server_credentials.PasswordRequired as exc:
            problem = exc
            continue
        if server_credentials.keyring_available() and confirm("گذرواژه در کلیدساز سیستم ذخیره شود؟"):
            server_credentials.save_password(candidate, password)
        return candidate
    raise problem


def system_uow(engine):
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.session import unit_of_work

    return unit_of_work(engine, SYSTEM)


# --- credentials ---------------------------------------------------------------------------------


def secret(env: str, prompt: str, confirm: bool = False) -> str | None:
    """A password from ``env``, else asked on the terminal (twice when ``confirm``); None if neither."""
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        value = getpass.getpass(prompt)
        if confirm and value and getpass.getpass("تکرار گذرواژه: ") != value:
            raise UserError("دو گذرواژه یکی نیستند؛ چیزی ثبت نشد.")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        raise UserError("گذرواژه وارد نشد؛ چیزی ثبت نشد.") from None
    return value or None


def credentials(args: argparse.Namespace) -> tuple[str, str]:
    username = (getattr(args, "acting_user", None) or os.environ.get(ENV_USER) or "").strip()
    if not username:
        raise AuthenticationError(
            f"نام کاربری داده نشده است؛ ‎--user‎ نام‌کاربری را بیفزایید یا متغیر ‎{ENV_USER}‎ را تنظیم کنید.",
            field="username",
        )
    password = secret(ENV_PASSWORD, f"گذرواژه کاربر «{username}»: ")
    if password is None:
        raise AuthenticationError(
            f"گذرواژه داده نشده است؛ متغیر ‎{ENV_PASSWORD}‎ را تنظیم کنید یا فرمان را در پایانه اجرا کنید.",
            field="password",
        )
    return username, password


def sign_in(args: argparse.Namespace, db_path: Database, meanwhile: Callable[[], object] | None = None):
    """Open the database and sign the user in; returns (engine, a unit of work acting for them).

    Wrong or missing credentials raise AuthenticationError before anything is read (the failed attempt is
    the only entry written, by users.authenticate). ``meanwhile`` runs on this thread while the password
    is verified on another: argon2 hashes outside Python's lock (0.15 s), so a command's imports cost no
    time then. It may not write; users.authenticate writes the attempt once the password is checked, and
    a refusal is raised even when ``meanwhile`` has done its work.
    """
    from ostandari_desk.services import setup, users
    from ostandari_desk.services.session import unit_of_work

    if isinstance(db_path, Path) and not db_path.exists():
        raise UserError(f"پایگاه داده «{db_path}» وجود ندارد؛ نخست فرمان init یا demo را اجرا کنید.")
    username, password = credentials(args)
    engine = open_database(db_path)
    try:
        if not users.has_users(engine):
            if not setup.is_initialized(system_uow(engine)):
                raise UserError(f"پایگاه داده «{db_path}» راه‌اندازی نشده است؛ نخست فرمان init را اجرا کنید.")
            raise UserError(
                "این پایگاه داده هنوز کاربری ندارد؛ برنامه را باز کنید تا نخستین مدیر سامانه تعریف شود."
            )
        if meanwhile is None:
            actor = users.authenticate(engine, username, password)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=1) as pool:
                verifying = pool.submit(users.authenticate, engine, username, password)
                meanwhile()  # if it fails, the pool still waits for the attempt to be recorded
                actor = verifying.result()
        uow = unit_of_work(engine, actor)
        if not setup.is_initialized(uow):
            raise UserError(f"پایگاه داده «{db_path}» راه‌اندازی نشده است؛ نخست فرمان init را اجرا کنید.")
    except BaseException:
        engine.dispose()
        raise
    return engine, uow


Command = Callable[[argparse.Namespace, "Database"], int]


Run: TypeAlias = Callable[[argparse.Namespace, object], int]


def signed_in(
    run: Run | None = None, *, meanwhile: Callable[[argparse.Namespace], object] | None = None
) -> Command | Callable[[Run], Command]:
    """A command that acts for the signed-in user: ``run(args, uow)``. ``@signed_in(meanwhile=prepare)``
    also runs ``prepare(args)`` while the password is verified (sign_in)."""

    def wrap(run: Run) -> Command:
        def command(args: argparse.Namespace, db_path: Database) -> int:
            engine, uow = sign_in(args, db_path, None if meanwhile is None else lambda: meanwhile(args))
            try:
                return run(args, uow)
            finally:
                engine.dispose()

        command.__doc__ = run.__doc__
        return command

    return wrap if run is None else wrap(run)


# --- set-up and demo ------------------------------------------------------------------------------


def percent(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback printing «label: ۴۲٪» on a terminal (nothing in a log), and its end."""
    tty = sys.stderr.isatty()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if tty and percent != shown[0]:
            shown[0] = percent
            print(f"\r{label}: {fa(percent)}٪", end="", file=sys.stderr, flush=True)

    def finish() -> None:
        if tty and shown[0] >= 0:
            print(file=sys.stderr)

    return progress, finish


def confirm(question: str) -> bool:
    try:
        answer = input(f"{question} (بله/خیر): ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in {"بله", "ب", "آری", "y", "yes"}
