"""The command line over the same services as the GUI: init, demo, users, audit, template, import, export.

Every command on an existing database acts for a signed-in user: ``--user NAME`` (or OSTANDARI_DESK_USER)
with the password from OSTANDARI_DESK_PASSWORD, else a prompt when a terminal is attached.
Exit status: 0 done; 1 the file had bad rows (with --skip-bad the good rows were stored); 2 refused
(arguments, credentials, permission, a UserError); 3 the database is unavailable (locked, read-only, full,
corrupt, newer: a DatabaseUnavailableError, with what to do). ../resources/docs/CLI.md holds the whole contract.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys

from ostandari_desk.cli.common import (
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    ENV_USER,
    EXIT_BAD_ROWS,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    Command,
    database_from,
    unavailable,
    utf8_streams,
)
from ostandari_desk.cli.parser import build_parser
from ostandari_desk.errors import DatabaseUnavailableError, UserError

__all__ = [
    "ENV_NEW_PASSWORD",
    "ENV_PASSWORD",
    "ENV_USER",
    "EXIT_BAD_ROWS",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "build_parser",
    "main",
]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    utf8_streams()
    args = build_parser().parse_args(argv)
    db = getattr(args, "db", None)
    try:
        if args.command in (None, "gui"):
            from ostandari_desk.ui.preflight import check as preflight

            refused = preflight()  # Qt's libraries and platform plugin, before Qt can abort (134)
            if refused is not None:
                return refused
            from ostandari_desk.app import run_gui

            return run_gui(database_from(db) if db else None)  # none given: the database opened last
        if argv is None and args.command in SHORT_LIVED:  # this process makes one paper and ends
            _collector_off()
        return command(args.command)(args, database_from(db))  # a postgresql:// URL: a server, no Path
    except DatabaseUnavailableError as exc:  # locked, full, read-only, corrupt, newer (the store's own)
        return unavailable(exc)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:  # a database's own error raised outside the store's engines, or unforeseen
        if not _database_error(exc):
            raise
        from ostandari_desk.services.session import database_unavailable

        translated = database_unavailable(exc)
        if translated is not None:
            return unavailable(translated)
        print(f"خطا: پایگاه داده در دسترس نیست ({getattr(exc, 'orig', exc)}).", file=sys.stderr)
        return EXIT_UNAVAILABLE


def _database_error(exc: Exception) -> bool:
    """Whether ``exc`` is the driver's or SQLAlchemy's database error. SQLAlchemy is not imported for it:
    when no command imported it (``--help``), no error can be one of its own (a third of a second saved)."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return True
    alchemy = sys.modules.get("sqlalchemy.exc")
    return alchemy is not None and isinstance(exc, alchemy.DatabaseError)


#: command -> "module:function", imported when that command runs (a report imports no sheet importer)
COMMANDS: dict[str, str] = {
    "init": "records:init_command",
    "demo": "records:demo_command",
    "user": "records:user_command",
    "audit": "records:audit_command",
    "template": "records:template_command",
    "import": "records:import_command",
    "export": "records:export_command",
    "report": "records:report_command",
    "plan": "records:plan_command",
    "backup": "maintenance:backup_command",
    "restore": "maintenance:restore_command",
    "check": "maintenance:check_command",
    "exchange": "exchange:exchange_command",
}

#: commands that make one paper and end: the garbage collector stays off while they run
SHORT_LIVED = frozenset({"report", "plan"})


def _collector_off() -> None:
    """No garbage collection in a process that makes one paper and ends (the process's own entry only:
    a caller of ``main([...])`` keeps its collector).

    The paper takes about a second; the collector would only re-walk the tens of thousands of objects the
    imports make (ORM classes, fonts, the report's rows), about a third of a second, and free nothing. The
    interpreter's last collection at exit would walk them once more: they are frozen out of it.
    """
    gc.disable()
    atexit.register(gc.freeze)


def command(name: str) -> Command:
    """The function that runs command ``name`` (its module imported now)."""
    module, _, function = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)
