"""The command line's arguments: every command, its options and the Persian help (resources/docs/CLI.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ostandari_desk.cli.common import ENV_NEW_PASSWORD, ENV_PASSWORD, ENV_USER

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


def build_parser() -> argparse.ArgumentParser:
    from ostandari_desk.services.sheet_kinds import SHEET_KINDS

    db_only = argparse.ArgumentParser(add_help=False)
    db_only.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="پرونده پایگاه داده (پیش‌فرض: پایگاه داده کاربر) یا سرور PostgreSQL اداره با نشانی "
        "‎postgresql://user@host:port/dbname‎ (گذرواژه سرور: کلیدساز سیستم، ‎PGPASSWORD‎ یا پرسش)",
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

    kinds = list(SHEET_KINDS)
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

    from ostandari_desk.cli import reports

    reports.register(commands, parents=[common])
    _add_plan_command(commands, common)
    from ostandari_desk.cli.exchange import add_exchange_commands

    add_exchange_commands(commands, common, _EPILOG)
    return parser


def _add_plan_command(commands, common: argparse.ArgumentParser) -> None:
    plan = commands.add_parser(
        "plan",
        parents=[common],
        help="برنامه ماهانه بازدیدهای سرزده یک شهرستان (مدیران: هر شهرستان؛ کارشناس شهرستان: شهرستان خود)",
        epilog=_EPILOG,
    )
    plan.add_argument("--year", required=True, help="سال شمسی، مثلاً 1403")
    plan.add_argument("--month", required=True, help="ماه شمسی، از 1 تا 12")
    plan.add_argument(
        "--county", help="نام شهرستان (پیش‌فرض: شهرستان کاربر؛ برای مدیر بی این گزینه: همه شهرستان‌ها)"
    )
    plan.add_argument(
        "--out", type=Path, metavar="FILE", help="پرونده PDF؛ بی این گزینه جدول در خروجی چاپ می‌شود"
    )


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
