"""backup, restore and check: the desk's safety copies and its health."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ostandari_desk.cli.common import (
    EXIT_BAD_ROWS,
    EXIT_OK,
    EXIT_REFUSED,
    confirm,
    fa,
    file_only,
    percent,
    sign_in,
    signed_in,
)
from ostandari_desk.domain.text import format_number
from ostandari_desk.errors import UserError

if TYPE_CHECKING:
    from ostandari_desk.cli.common import Database

SERVER_BACKUP = (
    "پشتیبان‌گیری از پایگاه داده سرور PostgreSQL کار خود سرور است (‎pg_dump‎، و بازگرداندن با ‎pg_restore‎)؛ "
    "این فرمان فقط پرونده پایگاه داده (SQLite) را پشتیبان می‌گیرد و بازمی‌گرداند."
)


def backup_command(args: argparse.Namespace, database: Database) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import backup

    db_path = file_only(database, SERVER_BACKUP)
    engine, uow = sign_in(args, db_path)
    try:
        uow.require(Permission.BACKUP)
        progress, finish = percent("پشتیبان‌گیری")
        try:
            result = backup.make_backup(uow, db_path, args.out, progress=progress)
        finally:
            finish()
    finally:
        engine.dispose()
    print(
        f"پشتیبان نوشته شد: {result.path} — {format_number(result.size / 1e6, 1)} مگابایت، "
        f"{fa(result.members)} پرونده، در {format_number(result.seconds, 1)} ثانیه"
    )
    return EXIT_OK


def restore_command(args: argparse.Namespace, database: Database) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import restore

    db_path = file_only(database, SERVER_BACKUP)
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not args.yes and not interactive:
        raise UserError(
            "بازگردانی داده کنونی را جایگزین می‌کند: بدون پایانه، ‎--yes‎ را بیفزایید. چیزی جایگزین نشد."
        )
    engine = uow = None
    state = restore.database_state(db_path)
    if state == restore.READABLE:
        engine, uow = sign_in(args, db_path)
    else:
        what = "نیست" if state == restore.MISSING else "آسیب دیده است و باز نمی‌شود"
        print(f"پایگاه داده کنونی «{db_path}» {what}؛ بازگردانی بدون ورود انجام می‌شود.", file=sys.stderr)
    try:
        if uow is not None:
            uow.require(Permission.BACKUP)
        progress, finish = percent("بررسی پرونده پشتیبان")
        try:
            prepared = restore.prepare_restore(args.file, db_path, progress)
        finally:
            finish()
        with prepared:
            print("\n".join(prepared.info.describe()))
            if not args.yes and not confirm(
                "داده کنونی با این پشتیبان جایگزین شود؟ (پیش از آن از آن پشتیبان گرفته می‌شود)"
            ):
                print("بازگردانی انجام نشد؛ چیزی تغییر نکرد.")
                return EXIT_REFUSED
            progress, finish = percent("بازگردانی")
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
    print(f"پشتیبان بازگردانده شد: {db_path} (در {format_number(result.seconds, 1)} ثانیه)")
    return EXIT_OK


@signed_in
def check_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services import health

    uow.require(Permission.BACKUP)
    progress, finish = percent("بررسی سلامت")
    try:
        report = health.check_health(uow, repair=args.repair, progress=progress)
    finally:
        finish()
    print("\n".join(report.lines()))
    return EXIT_OK if report.healthy else EXIT_BAD_ROWS
