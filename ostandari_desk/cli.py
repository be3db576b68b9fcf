"""The command line over the same services as the GUI: init, demo, template, import, export.

Exit status: 0 done; 1 the file had bad rows (with --skip-bad the good rows were stored); 2 refused
(a UserError: unknown province, missing header, database not initialized, ...).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import datetime
from pathlib import Path

from ostandari_desk.errors import UserError

EXIT_OK = 0
EXIT_BAD_ROWS = 1
EXIT_REFUSED = 2

_EPILOG = (
    "وضعیت خروج: ۰ انجام شد؛ ۱ پرونده ردیف خطادار داشت (با ‎--skip-bad‎ ردیف‌های درست ثبت شده‌اند)؛ "
    "۲ درخواست پذیرفته نشد. گزینه ‎--db‎ پیش یا پس از فرمان می‌آید."
)


def _utf8_streams() -> None:
    """Persian output must not crash a Windows console with a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # a detached or already-wrapped stream
                pass


def _parser() -> argparse.ArgumentParser:
    from ostandari_desk.services.transfer import KINDS

    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS, help="پرونده پایگاه داده (پیش‌فرض: پایگاه داده کاربر)"
    )
    parser = argparse.ArgumentParser(
        prog="ostandari-desk",
        description="میز کار امور اجتماعی استانداری: سمن‌ها، پروانه‌ها و گزارش‌ها. بدون فرمان، برنامه باز می‌شود.",
        epilog=_EPILOG,
        parents=[db_parent],
    )
    commands = parser.add_subparsers(dest="command", metavar="فرمان")

    commands.add_parser("gui", parents=[db_parent], help="باز کردن برنامه")

    init = commands.add_parser("init", parents=[db_parent], help="راه‌اندازی پایگاه داده برای یک استان")
    init.add_argument("--province", required=True, help="نام استان")
    init.add_argument("--county", help="نام شهرستان (برای نصب شهرستانی)")
    init.add_argument("--office", help="نام اداره")
    init.add_argument("--clerk", default="", help="نام کارشناس")

    demo = commands.add_parser("demo", parents=[db_parent], help="ساخت داده نمونه در پایگاه داده تازه")
    demo.add_argument("--size", choices=("small", "large"), default="small", help="اندازه داده نمونه")
    demo.add_argument("--province", default="قزوین", help="استان داده نمونه")
    demo.add_argument(
        "--open",
        action="store_true",
        help="پس از ساخت (یا اگر پیش‌تر ساخته شده) برنامه روی همین پایگاه داده باز شود",
    )
    demo.add_argument(
        "--replace",
        action="store_true",
        help="پایگاه داده موجود کنار گذاشته (نسخه پشتیبان) و از نو ساخته شود",
    )

    kinds = list(KINDS)
    template = commands.add_parser("template", parents=[db_parent], help="نوشتن پرونده خالی با سرستون‌ها")
    template.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    template.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")

    imp = commands.add_parser(
        "import", parents=[db_parent], help="ورود اطلاعات از پرونده اکسل یا CSV", epilog=_EPILOG
    )
    imp.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    imp.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")
    imp.add_argument("--dry-run", action="store_true", help="فقط بررسی؛ چیزی ثبت نمی‌شود")
    imp.add_argument(
        "--skip-bad",
        action="store_true",
        help="ردیف‌های درست ثبت و ردیف‌های خطادار در پرونده‌ای با ستون «خطا» نوشته شوند (وضعیت خروج باز هم ۱)",
    )
    imp.add_argument("--clerk", default="", help="نام کارشناس برای سابقه تغییرات")

    exp = commands.add_parser("export", parents=[db_parent], help="خروجی اکسل یا CSV با همان سرستون‌های ورود")
    exp.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    exp.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")

    from ostandari_desk import cli_report

    cli_report.register(commands, parents=[db_parent])
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _utf8_streams()
    args = _parser().parse_args(argv)
    db = getattr(args, "db", None)
    try:
        if args.command in (None, "gui"):
            from ostandari_desk.app import run_gui

            return run_gui(db)
        db_path = Path(db) if db else _default_database()
        return _COMMANDS[args.command](args, db_path)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED


def _default_database() -> Path:
    from ostandari_desk.paths import default_database

    return default_database()


def _fa(value: object) -> str:
    from ostandari_desk.domain.text import to_persian_digits

    return to_persian_digits(value)


def _open(db_path: Path):
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    db_path.parent.mkdir(parents=True, exist_ok=True)
    return open_database(sqlite_url(db_path))


def _initialized_uow(db_path: Path):
    from ostandari_desk.services import setup
    from ostandari_desk.store.uow import UnitOfWork

    if not db_path.exists():
        raise UserError(f"پایگاه داده «{db_path}» وجود ندارد؛ نخست فرمان init یا demo را اجرا کنید.")
    engine = _open(db_path)
    uow = UnitOfWork(engine)
    if not setup.is_initialized(uow):
        engine.dispose()
        raise UserError(f"پایگاه داده «{db_path}» راه‌اندازی نشده است؛ نخست فرمان init را اجرا کنید.")
    return engine, uow


def _cmd_init(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import setup
    from ostandari_desk.store.uow import UnitOfWork

    engine = _open(db_path)
    try:
        setup.initialize(
            UnitOfWork(engine),
            args.province,
            county=args.county,
            office_name=args.office,
            clerk_name=args.clerk,
        )
    finally:
        engine.dispose()
    where = f"شهرستان {args.county}" if args.county else f"استان {args.province}"
    print(f"پایگاه داده برای {where} راه‌اندازی شد: {db_path}")
    return EXIT_OK


def _set_aside(db_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = db_path.with_name(f"{db_path.stem}.before-demo-{stamp}{db_path.suffix}")
    shutil.move(db_path, backup)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.unlink()
    return backup


def _cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import setup
    from ostandari_desk.services.demo import build_demo
    from ostandari_desk.store.uow import UnitOfWork

    if db_path.exists():
        engine = _open(db_path)
        initialized = setup.is_initialized(UnitOfWork(engine))
        engine.dispose()
        if initialized and args.open and not args.replace:
            print(f"پایگاه داده نمونه پیش‌تر ساخته شده است؛ همان باز می‌شود — {db_path}")
            return _open_gui(db_path)
        if initialized and not args.replace:
            raise UserError(
                f"پایگاه داده «{db_path}» پیش‌تر راه‌اندازی شده است؛ داده نمونه فقط در پایگاه داده تازه ساخته "
                "می‌شود. برای کنار گذاشتن آن (با نسخه پشتیبان) ‎--replace‎ را بیفزایید یا با ‎--db‎ پرونده دیگری بدهید."
            )
        if initialized:
            print(f"پایگاه داده پیشین کنار گذاشته شد: {_set_aside(db_path)}")
    engine = _open(db_path)
    tty = sys.stderr.isatty()
    stages: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if tty:
            print(f"\r{stage}: {_fa(done)} از {_fa(total)}" + " " * 10, end="", file=sys.stderr, flush=True)
        elif not stages or stages[-1] != stage:  # a log gets one line per stage
            stages.append(stage)
            print(f"{stage}…", file=sys.stderr, flush=True)

    try:
        summary = build_demo(engine, size=args.size, province=args.province, progress=progress)
    finally:
        engine.dispose()
    if tty:
        print(file=sys.stderr)
    print(
        f"داده نمونه ساخته شد: {_fa(summary.ngos)} سمن و {_fa(summary.inspections)} بازدید "
        f"در {_fa(round(summary.seconds))} ثانیه — {db_path}"
    )
    return _open_gui(db_path) if args.open else EXIT_OK


def _open_gui(db_path: Path) -> int:
    from ostandari_desk.app import run_gui

    return run_gui(db_path)


def _cmd_report(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk import cli_report

    engine, _uow = _initialized_uow(db_path)
    try:
        return cli_report.run(args, engine)
    finally:
        engine.dispose()


def _cmd_template(args: argparse.Namespace, _db_path: Path) -> int:
    from ostandari_desk.services import transfer

    path = transfer.template(args.kind, args.file)
    print(f"پرونده نمونه با سرستون‌های «{transfer.kind_of(args.kind).title}» نوشته شد: {path}")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import transfer

    engine, uow = _initialized_uow(db_path)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\r{_fa(done)} از {_fa(total)} ردیف", end="", file=sys.stderr, flush=True)

    try:
        report = transfer.import_file(
            uow,
            args.kind,
            args.file,
            dry_run=args.dry_run,
            skip_bad=args.skip_bad,
            clerk=args.clerk,
            progress=progress,
        )
    finally:
        engine.dispose()
    if tty:
        print(file=sys.stderr)
    for warning in report.warnings:
        print(f"هشدار: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"ردیف {_fa(error.row)}، ستون «{error.column}»: {error.reason}", file=sys.stderr)
    print(report.summary())
    if report.errors and not args.skip_bad and not args.dry_run:
        print("چون پرونده ردیف خطادار دارد هیچ چیز ثبت نشد؛ ردیف‌ها را درست کنید یا ‎--skip-bad‎ را بیفزایید.")
    if report.bad_rows_path is not None:
        print(f"ردیف‌های خطادار با ستون «خطا» در این پرونده نوشته شد: {report.bad_rows_path}")
    return EXIT_BAD_ROWS if report.errors else EXIT_OK


def _cmd_export(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import transfer

    engine, uow = _initialized_uow(db_path)
    try:
        count = transfer.export_file(uow, args.kind, args.file)
    finally:
        engine.dispose()
    spec = transfer.kind_of(args.kind)
    print(f"{_fa(count)} {spec.unit} در «{args.file}» نوشته شد")
    return EXIT_OK


_COMMANDS = {
    "init": _cmd_init,
    "demo": _cmd_demo,
    "template": _cmd_template,
    "import": _cmd_import,
    "export": _cmd_export,
    "report": _cmd_report,
}
