"""The command line over the same services as the GUI: init, demo, users, audit, template, import, export.

Every command on an existing database acts for a signed-in user: ``--user NAME`` (or OSTANDARI_DESK_USER)
with the password from OSTANDARI_DESK_PASSWORD, else a prompt when a terminal is attached.
Exit status: 0 done; 1 the file had bad rows (with --skip-bad the good rows were stored); 2 refused
(arguments, credentials, permission, a UserError); 3 the database is unavailable (locked, read-only, full,
corrupt, newer: a DatabaseUnavailableError, with what to do). ../resources/docs/CLI.md holds the whole contract.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ostandari_desk.errors import AuthenticationError, DatabaseUnavailableError, UserError

EXIT_OK = 0
EXIT_BAD_ROWS = 1
EXIT_REFUSED = 2
EXIT_UNAVAILABLE = 3

ENV_USER = "OSTANDARI_DESK_USER"
ENV_PASSWORD = "OSTANDARI_DESK_PASSWORD"
ENV_NEW_PASSWORD = "OSTANDARI_DESK_NEW_PASSWORD"

_CREDENTIALS = (
    "ورود: هر فرمان روی پایگاه داده موجود به نام یک کاربر اجرا می‌شود: ‎--user‎ نام‌کاربری (پیش یا پس از "
    f"فرمان) یا متغیر محیطی ‎{ENV_USER}‎؛ گذرواژه از متغیر ‎{ENV_PASSWORD}‎ خوانده می‌شود و اگر نباشد، "
    "در پایانه پرسیده می‌شود. در فرمان ‎audit‎ گزینه ‎--user‎ پس از فرمان، کاربرِ پالایه است؛ کاربر "
    "انجام‌دهنده را پیش از فرمان یا با متغیر محیطی بدهید. فرمان ‎init --admin‎ گذرواژه نخستین مدیر سامانه "
    f"را از ‎{ENV_PASSWORD}‎ (یا پرسش) می‌گیرد و ‎user add‎ و ‎user password‎ گذرواژه تازه را از "
    f"‎{ENV_NEW_PASSWORD}‎ (یا پرسش). در پایگاه داده نمونه: کاربر ‎demo‎ با گذرواژه ‎demo‎."
)
_EPILOG = (
    _CREDENTIALS
    + " وضعیت خروج: ۰ انجام شد؛ ۱ پرونده ردیف خطادار داشت (با ‎--skip-bad‎ ردیف‌های درست ثبت شده‌اند)؛ "
    "۲ درخواست پذیرفته نشد (گزینه‌ها، نام کاربری و گذرواژه، اجازه)؛ ۳ پایگاه داده در دسترس نیست "
    "(قفل، فقط‌خواندنی، پر، آسیب‌دیده یا ساخته نسخه‌ای تازه‌تر). گزینه ‎--db‎ پیش یا پس از فرمان می‌آید."
)
_USER_HELP = (
    f"نام کاربری که فرمان به نام او اجرا می‌شود (یا متغیر ‎{ENV_USER}‎؛ گذرواژه: ‎{ENV_PASSWORD}‎ یا پرسش)"
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

    db_only = argparse.ArgumentParser(add_help=False)
    db_only.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS, help="پرونده پایگاه داده (پیش‌فرض: پایگاه داده کاربر)"
    )
    common = argparse.ArgumentParser(add_help=False, parents=[db_only])
    common.add_argument(
        "--user", dest="acting_user", metavar="USERNAME", default=argparse.SUPPRESS, help=_USER_HELP
    )
    parser = argparse.ArgumentParser(
        prog="ostandari-desk",
        description="میز کار امور اجتماعی استانداری: سمن‌ها، پروانه‌ها و گزارش‌ها. بدون فرمان، برنامه باز می‌شود.",
        epilog=_EPILOG,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="فرمان")

    commands.add_parser("gui", parents=[common], help="باز کردن برنامه (با پنجره ورود)")

    init = commands.add_parser(
        "init",
        parents=[db_only],
        help="راه‌اندازی پایگاه داده برای یک استان با نخستین مدیر سامانه",
        epilog=_EPILOG,
    )
    init.add_argument("--province", required=True, help="نام استان")
    init.add_argument("--county", help="نام شهرستان (برای نصب شهرستانی)")
    init.add_argument("--office", help="نام اداره")
    init.add_argument(
        "--admin",
        required=True,
        metavar="USERNAME",
        help=f"نام کاربری نخستین مدیر سامانه؛ گذرواژه او از متغیر ‎{ENV_PASSWORD}‎ یا با پرسش در پایانه",
    )
    init.add_argument("--admin-name", default="مدیر سامانه", help="نام و نام خانوادگی نخستین مدیر سامانه")

    demo = commands.add_parser(
        "demo", parents=[common], help="ساخت داده نمونه در پایگاه داده تازه (کاربر demo، گذرواژه demo)"
    )
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
        help="پایگاه داده موجود کنار گذاشته (نسخه پشتیبان) و از نو ساخته شود؛ با ورود کاربر",
    )

    _add_user_commands(commands, common)
    _add_audit_command(commands, db_only)

    kinds = list(KINDS)
    template = commands.add_parser("template", parents=[db_only], help="نوشتن پرونده خالی با سرستون‌ها")
    template.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    template.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")

    imp = commands.add_parser(
        "import", parents=[common], help="ورود اطلاعات از پرونده اکسل یا CSV", epilog=_EPILOG
    )
    imp.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    imp.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")
    imp.add_argument("--dry-run", action="store_true", help="فقط بررسی؛ چیزی ثبت نمی‌شود")
    imp.add_argument(
        "--skip-bad",
        action="store_true",
        help="ردیف‌های درست ثبت و ردیف‌های خطادار در پرونده‌ای با ستون «خطا» نوشته شوند (وضعیت خروج باز هم ۱)",
    )

    exp = commands.add_parser("export", parents=[common], help="خروجی اکسل یا CSV با همان سرستون‌های ورود")
    exp.add_argument("kind", choices=kinds, help="نوع: " + "، ".join(kinds))
    exp.add_argument("file", type=Path, help="پرونده ‎.xlsx‎ یا ‎.csv‎")

    _add_maintenance_commands(commands, common)

    from ostandari_desk import cli_report

    cli_report.register(commands, parents=[common])
    return parser


def _add_user_commands(commands, common: argparse.ArgumentParser) -> None:
    user = commands.add_parser(
        "user", parents=[common], help="کاربران: افزودن، فهرست، غیرفعال کردن، گذرواژه تازه (مدیر سامانه)"
    )
    actions = user.add_subparsers(dest="user_action", required=True, metavar="کار")
    new_password = f"گذرواژه تازه از متغیر ‎{ENV_NEW_PASSWORD}‎ یا با پرسش در پایانه"
    add = actions.add_parser("add", parents=[common], help="افزودن کاربر؛ " + new_password, epilog=_EPILOG)
    add.add_argument("username", help="نام کاربری (یک واژه بی‌فاصله)")
    add.add_argument("--name", required=True, help="نام و نام خانوادگی")
    add.add_argument(
        "--role",
        required=True,
        choices=("admin", "manager", "clerk", "county"),
        help="نقش: admin مدیر سامانه، manager مدیر، clerk کارشناس استان، county کارشناس شهرستان",
    )
    add.add_argument("--county", help="شهرستان کارشناس شهرستان")
    actions.add_parser("list", parents=[common], help="فهرست کاربران")
    disable = actions.add_parser("disable", parents=[common], help="غیرفعال کردن کاربر")
    disable.add_argument("username", help="نام کاربری")
    password = actions.add_parser(
        "password", parents=[common], help="گذرواژه تازه برای کاربر؛ " + new_password
    )
    password.add_argument("username", help="نام کاربری")


def _add_maintenance_commands(commands, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="پشتیبان‌گیری در یک پرونده zip: پایگاه داده، پیوست‌ها و فهرست چکیده‌ها (مدیر سامانه؛ برنامه "
        "می‌تواند باز باشد)",
        epilog=_EPILOG,
    )
    backup.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="پرونده (یا پوشه) پشتیبان؛ پیش‌فرض: پوشه پشتیبان‌ها با نام تاریخ و ساعت شمسی",
    )
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="بازگرداندن یک پشتیبان به جای داده کنونی (مدیر سامانه)؛ نخست درستی پشتیبان بررسی و از داده کنونی "
        "پشتیبان گرفته می‌شود",
        epilog=_EPILOG,
    )
    restore.add_argument("file", type=Path, help="پرونده پشتیبان ‎.zip‎")
    restore.add_argument(
        "--yes", action="store_true", help="بی‌پرسش بازگردانده شود (بدون پایانه، این گزینه لازم است)"
    )
    check = commands.add_parser(
        "check",
        parents=[common],
        help="بررسی سلامت پایگاه داده، نمایه جست‌وجو و پیوست‌ها (مدیر سامانه)؛ وضعیت خروج ۰ سالم، ۱ مشکل",
        epilog=_EPILOG,
    )
    check.add_argument(
        "--repair", action="store_true", help="بازسازی آنچه برگرفته است: نمایه جست‌وجو و کلیدهای مرتب‌سازی"
    )


def _add_audit_command(commands, db_only: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[db_only],
        help="خروجی سابقه تغییرات (مدیر سامانه): هر فیلدِ تغییرکرده یک ردیف",
        epilog=_EPILOG,
    )
    audit.add_argument(
        "--user",
        dest="audit_user",
        metavar="USERNAME",
        help="فقط کارهای این کاربر (کاربر انجام‌دهنده را پیش از فرمان ‎audit‎ یا با متغیر محیطی بدهید)",
    )
    audit.add_argument("--since", metavar="DATE", help="از تاریخ (شمسی، مثلاً 1403/01/01)")
    audit.add_argument("--until", metavar="DATE", help="تا تاریخ (شمسی، خود آن روز هم)")
    audit.add_argument("--record", metavar="ID", help="شناسه رکورد (با سابقه رکوردهای وابسته به آن)")
    audit.add_argument("--out", required=True, type=Path, metavar="FILE", help="پرونده ‎.xlsx‎ یا ‎.csv‎")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    _utf8_streams()
    args = _parser().parse_args(argv)
    db = getattr(args, "db", None)
    try:
        if args.command in (None, "gui"):
            from ostandari_desk.app import run_gui

            return run_gui(db)
        db_path = Path(db) if db else _default_database()
        return _COMMANDS[args.command](args, db_path)
    except DatabaseUnavailableError as exc:  # locked, full, read-only, corrupt, newer (the store's own)
        return _unavailable(exc)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except (DatabaseError, sqlite3.Error) as exc:  # raised outside the store's engines, or unforeseen
        from ostandari_desk.services.session import database_unavailable

        translated = database_unavailable(exc)
        if translated is not None:
            return _unavailable(translated)
        print(f"خطا: پایگاه داده در دسترس نیست ({getattr(exc, 'orig', exc)}).", file=sys.stderr)
        return EXIT_UNAVAILABLE


def _unavailable(exc: DatabaseUnavailableError) -> int:
    """Say on stderr what is wrong with the database and what to do; exit status 3."""
    print(f"خطا: {exc.message}", file=sys.stderr)
    if exc.database:
        print(f"پایگاه داده: {exc.database}", file=sys.stderr)
    if exc.reason == DatabaseUnavailableError.CORRUPT:
        from ostandari_desk.paths import data_dir

        print(f"پوشه پشتیبان‌ها: {data_dir() / 'backups'}", file=sys.stderr)
    return EXIT_UNAVAILABLE


def _default_database() -> Path:
    from ostandari_desk.paths import default_database

    return default_database()


def _fa(value: object) -> str:
    from ostandari_desk.domain.text import to_persian_digits

    return to_persian_digits(value)


def _open(db_path: Path):
    from ostandari_desk.services.session import open_desk

    db_path.parent.mkdir(parents=True, exist_ok=True)
    return open_desk(db_path)


def _system_uow(engine):
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.session import unit_of_work

    return unit_of_work(engine, SYSTEM)


# --- credentials ---------------------------------------------------------------------------------


def _secret(env: str, prompt: str, confirm: bool = False) -> str | None:
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


def _credentials(args: argparse.Namespace) -> tuple[str, str]:
    username = (getattr(args, "acting_user", None) or os.environ.get(ENV_USER) or "").strip()
    if not username:
        raise AuthenticationError(
            f"نام کاربری داده نشده است؛ ‎--user‎ نام‌کاربری را بیفزایید یا متغیر ‎{ENV_USER}‎ را تنظیم کنید.",
            field="username",
        )
    password = _secret(ENV_PASSWORD, f"گذرواژه کاربر «{username}»: ")
    if password is None:
        raise AuthenticationError(
            f"گذرواژه داده نشده است؛ متغیر ‎{ENV_PASSWORD}‎ را تنظیم کنید یا فرمان را در پایانه اجرا کنید.",
            field="password",
        )
    return username, password


def _sign_in(args: argparse.Namespace, db_path: Path):
    """Open the database and sign the user in; returns (engine, a unit of work acting for them).

    Wrong or missing credentials raise AuthenticationError before anything is read (the failed attempt is
    the only entry written, by users.authenticate).
    """
    from ostandari_desk.services import setup, users
    from ostandari_desk.services.session import unit_of_work

    if not db_path.exists():
        raise UserError(f"پایگاه داده «{db_path}» وجود ندارد؛ نخست فرمان init یا demo را اجرا کنید.")
    username, password = _credentials(args)
    engine = _open(db_path)
    try:
        if not users.has_users(engine):
            if not setup.is_initialized(_system_uow(engine)):
                raise UserError(f"پایگاه داده «{db_path}» راه‌اندازی نشده است؛ نخست فرمان init را اجرا کنید.")
            raise UserError(
                "این پایگاه داده هنوز کاربری ندارد؛ برنامه را باز کنید تا نخستین مدیر سامانه تعریف شود."
            )
        actor = users.authenticate(engine, username, password)
        uow = unit_of_work(engine, actor)
        if not setup.is_initialized(uow):
            raise UserError(f"پایگاه داده «{db_path}» راه‌اندازی نشده است؛ نخست فرمان init را اجرا کنید.")
    except BaseException:
        engine.dispose()
        raise
    return engine, uow


Command = Callable[[argparse.Namespace, Path], int]


def _signed_in(run: Callable[[argparse.Namespace, object], int]) -> Command:
    """A command that acts for the signed-in user: ``run(args, uow)``."""

    def command(args: argparse.Namespace, db_path: Path) -> int:
        engine, uow = _sign_in(args, db_path)
        try:
            return run(args, uow)
        finally:
            engine.dispose()

    command.__doc__ = run.__doc__
    return command


# --- set-up and demo ------------------------------------------------------------------------------


def _cmd_init(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import setup, users

    password = _secret(ENV_PASSWORD, f"گذرواژه مدیر سامانه «{args.admin}»: ", confirm=True)
    if password is None:
        raise UserError(
            f"گذرواژه نخستین مدیر سامانه داده نشده است؛ متغیر ‎{ENV_PASSWORD}‎ را تنظیم کنید یا فرمان را "
            "در پایانه اجرا کنید. چیزی ساخته نشد."
        )
    if len(password) < users.MIN_PASSWORD_LENGTH:  # refused before the database file is made
        raise UserError(f"گذرواژه دست‌کم باید {_fa(users.MIN_PASSWORD_LENGTH)} نویسه باشد؛ چیزی ساخته نشد.")
    engine = _open(db_path)
    try:
        uow = _system_uow(engine)
        with uow:  # the province and its first admin, or neither
            setup.initialize(uow, args.province, county=args.county, office_name=args.office)
            users.create_first_admin(uow, args.admin, args.admin_name, password)
            uow.commit()
    finally:
        engine.dispose()
    where = f"شهرستان {args.county}" if args.county else f"استان {args.province}"
    print(f"پایگاه داده برای {where} راه‌اندازی شد: {db_path}")
    print(f"مدیر سامانه: {args.admin} — فرمان‌ها را با ‎--user {args.admin}‎ اجرا کنید.")
    return EXIT_OK


def _may_replace(args: argparse.Namespace, db_path: Path) -> None:
    """Setting a database aside needs a signed-in user: any user of a demo, an admin (backups) otherwise."""
    from ostandari_desk import settings
    from ostandari_desk.domain.roles import Permission

    engine, uow = _sign_in(args, db_path)
    try:
        if not settings.get_setting(uow, "demo_database"):
            uow.require(Permission.BACKUP)
    finally:
        engine.dispose()


def _cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.services import setup
    from ostandari_desk.services.demo import DEMO_PASSWORD, DEMO_USER, build_demo_file

    if db_path.exists():
        engine = _open(db_path)
        try:
            initialized = setup.is_initialized(_system_uow(engine))
        finally:
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
            _may_replace(args, db_path)
    tty = sys.stderr.isatty()
    stages: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if tty:
            print(f"\r{stage}: {_fa(done)} از {_fa(total)}" + " " * 10, end="", file=sys.stderr, flush=True)
        elif not stages or stages[-1] != stage:  # a log gets one line per stage
            stages.append(stage)
            print(f"{stage}…", file=sys.stderr, flush=True)

    # built in a temporary file and renamed when complete; the old database is copied aside with the
    # backup API (its WAL included) just before
    summary = build_demo_file(
        db_path, size=args.size, province=args.province, progress=progress, replace=args.replace
    )
    if tty:
        print(file=sys.stderr)
    if summary.set_aside is not None:
        print(f"پایگاه داده پیشین کنار گذاشته شد: {summary.set_aside}")
    print(
        f"داده نمونه ساخته شد: {_fa(summary.ngos)} سمن و {_fa(summary.inspections)} بازدید "
        f"در {_fa(round(summary.seconds))} ثانیه — {db_path}"
    )
    print(f"ورود: کاربر {DEMO_USER} با گذرواژه {DEMO_PASSWORD}")
    return _open_gui(db_path) if args.open else EXIT_OK


def _open_gui(db_path: Path) -> int:
    from ostandari_desk.app import run_gui

    return run_gui(db_path)


# --- users and the audit trail ----------------------------------------------------------------------


def _county_id(uow, name: str | None) -> str | None:
    from ostandari_desk.domain import text
    from ostandari_desk.errors import ValidationError
    from ostandari_desk.services import reference

    if not name:
        return None
    found = reference.county_id_by_name(uow, name)
    if found is None:
        raise ValidationError(f"شهرستان «{text.clean(name)}» در فهرست شهرستان‌ها نیست", field="county")
    return found


def _new_password(username: str) -> str:
    password = _secret(ENV_NEW_PASSWORD, f"گذرواژه تازه کاربر «{username}»: ", confirm=True)
    if password is None:
        raise UserError(
            f"گذرواژه تازه داده نشده است؛ متغیر ‎{ENV_NEW_PASSWORD}‎ را تنظیم کنید یا فرمان را در پایانه اجرا "
            "کنید. چیزی ثبت نشد."
        )
    return password


@_signed_in
def _cmd_user(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import users

    uow.require(Permission.MANAGE_USERS)  # before asking for a new password
    action = args.user_action
    if action == "list":
        return _list_users(users.list_users(uow))
    if action == "add":
        county_id = _county_id(uow, args.county) if args.role == "county" else None
        if args.county and args.role != "county":
            print("هشدار: شهرستان فقط برای نقش county (کارشناس شهرستان) نگه داشته می‌شود.", file=sys.stderr)
        if args.role == "county" and county_id is None:
            raise UserError("برای کارشناس شهرستان، ‎--county‎ نام شهرستان را بدهید.")
        password = _new_password(args.username)
        users.create_user(uow, args.username, args.name, args.role, password, county_id)
        print(f"کاربر «{args.username}» افزوده شد.")
        return EXIT_OK
    user_id = users.user_id_of(uow, args.username)
    if action == "disable":
        users.set_user_active(uow, user_id, False)
        print(f"کاربر «{args.username}» غیرفعال شد.")
        return EXIT_OK
    users.reset_password(uow, user_id, _new_password(args.username))
    print(f"گذرواژه کاربر «{args.username}» تغییر کرد.")
    return EXIT_OK


def _list_users(rows) -> int:
    from ostandari_desk.services.audit import now_utc

    now = now_utc()
    for row in rows:
        locked = row.locked_until
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=now.tzinfo)
        state = "فعال" if row.active else "غیرفعال"
        if row.active and locked is not None and locked > now:
            state = "قفل"
        print("\t".join((row.username, row.full_name, row.role_label, row.county_name or "—", state)))
    print(f"{_fa(len(rows))} کاربر")
    return EXIT_OK


@_signed_in
def _cmd_audit(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.domain import jalali, text
    from ostandari_desk.errors import ValidationError
    from ostandari_desk.services.audit import AuditFilter
    from ostandari_desk.services.audit_export import export_audit

    since = jalali.parse_jalali(args.since, field="since") if args.since else None
    until = jalali.parse_jalali(args.until, field="until") if args.until else None
    if since and until and until < since:
        raise ValidationError("تاریخ پایان پیش از تاریخ آغاز است", field="until")
    flt = AuditFilter(
        username=text.clean(args.audit_user) if args.audit_user else None,
        since=since,
        until=until,
        record_id=(args.record or "").strip() or None,
    )
    count = export_audit(uow, flt, args.out)
    print(f"{_fa(count)} ردیف سابقه تغییرات در «{args.out}» نوشته شد")
    return EXIT_OK


# --- sheets and reports ----------------------------------------------------------------------------


@_signed_in
def _cmd_report(args: argparse.Namespace, uow) -> int:
    from ostandari_desk import cli_report

    return cli_report.run(args, uow)


def _cmd_template(args: argparse.Namespace, _db_path: Path) -> int:
    from ostandari_desk.services import transfer

    path = transfer.template(args.kind, args.file)
    print(f"پرونده نمونه با سرستون‌های «{transfer.kind_of(args.kind).title}» نوشته شد: {path}")
    return EXIT_OK


@_signed_in
def _cmd_import(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services import transfer

    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\r{_fa(done)} از {_fa(total)} ردیف", end="", file=sys.stderr, flush=True)

    report = transfer.import_file(
        uow, args.kind, args.file, dry_run=args.dry_run, skip_bad=args.skip_bad, progress=progress
    )
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


@_signed_in
def _cmd_export(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services import transfer

    count = transfer.export_file(uow, args.kind, args.file)
    spec = transfer.kind_of(args.kind)
    print(f"{_fa(count)} {spec.unit} در «{args.file}» نوشته شد")
    return EXIT_OK


# --- backup, restore, health check ------------------------------------------------------------------


def _percent(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback printing «label: ۴۲٪» on a terminal (nothing in a log), and its end."""
    tty = sys.stderr.isatty()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if tty and percent != shown[0]:
            shown[0] = percent
            print(f"\r{label}: {_fa(percent)}٪", end="", file=sys.stderr, flush=True)

    def finish() -> None:
        if tty and shown[0] >= 0:
            print(file=sys.stderr)

    return progress, finish


def _cmd_backup(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import backup

    engine, uow = _sign_in(args, db_path)
    try:
        uow.require(Permission.BACKUP)
        progress, finish = _percent("پشتیبان‌گیری")
        try:
            result = backup.make_backup(uow, db_path, args.out, progress=progress)
        finally:
            finish()
    finally:
        engine.dispose()
    print(
        f"پشتیبان نوشته شد: {result.path} — {_fa(f'{result.size / 1e6:.1f}')} مگابایت، "
        f"{_fa(result.members)} پرونده، در {_fa(f'{result.seconds:.1f}')} ثانیه"
    )
    return EXIT_OK


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} (بله/خیر): ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in {"بله", "ب", "آری", "y", "yes"}


def _cmd_restore(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import restore

    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not args.yes and not interactive:
        raise UserError(
            "بازگردانی داده کنونی را جایگزین می‌کند: بدون پایانه، ‎--yes‎ را بیفزایید. چیزی جایگزین نشد."
        )
    engine = uow = None
    state = restore.database_state(db_path)
    if state == restore.READABLE:
        engine, uow = _sign_in(args, db_path)
    else:
        what = "نیست" if state == restore.MISSING else "آسیب دیده است و باز نمی‌شود"
        print(f"پایگاه داده کنونی «{db_path}» {what}؛ بازگردانی بدون ورود انجام می‌شود.", file=sys.stderr)
    try:
        if uow is not None:
            uow.require(Permission.BACKUP)
        progress, finish = _percent("بررسی پرونده پشتیبان")
        try:
            prepared = restore.prepare_restore(args.file, db_path, progress)
        finally:
            finish()
        with prepared:
            print("\n".join(prepared.info.describe()))
            if not args.yes and not _confirm(
                "داده کنونی با این پشتیبان جایگزین شود؟ (پیش از آن از آن پشتیبان گرفته می‌شود)"
            ):
                print("بازگردانی انجام نشد؛ چیزی تغییر نکرد.")
                return EXIT_REFUSED
            progress, finish = _percent("بازگردانی")
            try:
                result = restore.restore_backup(prepared, db_path, uow=uow, progress=progress)
            finally:
                finish()
    finally:
        if engine is not None:
            engine.dispose()
    if result.safety_backup is not None:
        print(f"داده پیشین پشتیبان‌گیری شد: {result.safety_backup}")
    if result.set_aside is not None:
        print(f"پایگاه داده آسیب‌دیده پیشین کنار گذاشته شد: {result.set_aside}")
    print(f"پشتیبان بازگردانده شد: {db_path} (در {_fa(f'{result.seconds:.1f}')} ثانیه)")
    return EXIT_OK


@_signed_in
def _cmd_check(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import health

    uow.require(Permission.BACKUP)
    progress, finish = _percent("بررسی سلامت")
    try:
        report = health.check_health(uow, repair=args.repair, progress=progress)
    finally:
        finish()
    print("\n".join(report.lines()))
    return EXIT_OK if report.healthy else EXIT_BAD_ROWS


_COMMANDS: dict[str, Command] = {
    "init": _cmd_init,
    "demo": _cmd_demo,
    "user": _cmd_user,
    "audit": _cmd_audit,
    "template": _cmd_template,
    "import": _cmd_import,
    "export": _cmd_export,
    "report": _cmd_report,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
    "check": _cmd_check,
}
