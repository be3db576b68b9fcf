"""The command line over the same services as the GUI: init, demo, users, audit, template, import, export.

Every command on an existing database acts for a signed-in user: ``--user NAME`` (or OSTANDARI_DESK_USER)
with the password from OSTANDARI_DESK_PASSWORD, else a prompt when a terminal is attached.
Exit status: 0 done; 1 the file had bad rows (with --skip-bad the good rows were stored); 2 refused
(arguments, credentials, permission, a UserError); 3 the database is unavailable (locked, read-only, full,
corrupt, newer: a DatabaseUnavailableError, with what to do). ../resources/docs/CLI.md holds the whole contract.
"""

from __future__ import annotations

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
from ostandari_desk.cli.exchange import exchange_command
from ostandari_desk.cli.maintenance import backup_command, check_command, restore_command
from ostandari_desk.cli.parser import build_parser
from ostandari_desk.cli.records import (
    audit_command,
    demo_command,
    export_command,
    import_command,
    init_command,
    plan_command,
    report_command,
    template_command,
    user_command,
)
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
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    utf8_streams()
    args = build_parser().parse_args(argv)
    db = getattr(args, "db", None)
    try:
        if args.command in (None, "gui"):
            from ostandari_desk.app import run_gui

            return run_gui(database_from(db) if db else None)  # none given: the database opened last
        return COMMANDS[args.command](args, database_from(db))  # a postgresql:// URL: a server, no Path
    except DatabaseUnavailableError as exc:  # locked, full, read-only, corrupt, newer (the store's own)
        return unavailable(exc)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except (DatabaseError, sqlite3.Error) as exc:  # raised outside the store's engines, or unforeseen
        from ostandari_desk.services.session import database_unavailable

        translated = database_unavailable(exc)
        if translated is not None:
            return unavailable(translated)
        print(f"خطا: پایگاه داده در دسترس نیست ({getattr(exc, 'orig', exc)}).", file=sys.stderr)
        return EXIT_UNAVAILABLE


COMMANDS: dict[str, Command] = {
    "init": init_command,
    "demo": demo_command,
    "user": user_command,
    "audit": audit_command,
    "template": template_command,
    "import": import_command,
    "export": export_command,
    "report": report_command,
    "plan": plan_command,
    "backup": backup_command,
    "restore": restore_command,
    "check": check_command,
    "exchange": exchange_command,
}
