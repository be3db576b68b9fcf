"""The child process the crash harness kills: one write of the desk, with markers on stdout.

    python driver.py import  DB SHEET       # services.transfer.import_file of an NGO sheet
    python driver.py upgrade DB             # services.session.open_desk on an old database
    python driver.py init    DB             # the CLI's ``init`` (password from the environment)
    python driver.py demo    DB [--replace] # the CLI's ``demo --size small`` (``--replace`` signs in)

Everything the work needs is imported first; then the driver prints ``WORK`` and, once the work has
returned, ``DONE``. The harness times its kill from ``WORK``, so a kill lands in the work, not in
Python's start-up. Before an import the driver commits one NGO of its own (printed as ``MARK <national
id>``): data committed just before a crash, still in the WAL, must survive it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def _import(db: Path, sheet: Path) -> int:
    from ostandari_desk.domain.ids import make_legal_national_id
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import transfer
    from ostandari_desk.services.ngos import NgoInput, create_ngo
    from ostandari_desk.services.session import open_desk, unit_of_work

    engine = open_desk(db)
    national_id = make_legal_national_id("2099000001")
    create_ngo(
        unit_of_work(engine, SYSTEM),
        NgoInput(national_id=national_id, name="انجمن نشانه پیش از سقوط", county_id=None, level="province"),
        [],
    )
    _say(f"MARK {national_id}")
    _say("WORK")
    report = transfer.import_file(unit_of_work(engine, SYSTEM), "ngos", sheet)
    _say("DONE")
    engine.dispose()
    return 0 if report.added and not report.errors else 1


def _upgrade(db: Path) -> int:
    import alembic.command  # noqa: F401 - loaded before WORK: the span is the upgrade itself

    from ostandari_desk.services.session import open_desk

    _say("WORK")
    engine = open_desk(db)
    _say("DONE")
    engine.dispose()
    return 0


def _cli(argv: list[str]) -> int:
    import importlib

    from ostandari_desk.cli import main

    for name in (
        "alembic.command",
        "openpyxl",
        "ostandari_desk.services.demo",
        "ostandari_desk.services.users",
    ):
        importlib.import_module(name)

    _say("WORK")
    status = main(argv)
    _say("DONE")
    return status


def cli_argv(op: str, db: Path, extra: list[str]) -> list[str] | None:
    """The command line of ``op`` (None: not a CLI command); the harness runs it again in-process."""
    if op == "init":
        return ["--db", str(db), "init", "--province", "قزوین", "--admin", "boss"]
    if op == "demo":
        return ["--db", str(db), "demo", "--size", "small", *extra]
    return None


def main(argv: list[str]) -> int:
    op, db = argv[0], Path(argv[1])
    if op == "import":
        return _import(db, Path(argv[2]))
    if op == "upgrade":
        return _upgrade(db)
    command = cli_argv(op, db, argv[2:])
    if command is None:
        raise SystemExit(f"unknown operation {op!r}")
    return _cli(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
