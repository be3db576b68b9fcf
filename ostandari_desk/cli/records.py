"""The commands over the desk's records: init, demo, users, the audit, reports, sheets (template, import,
export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ostandari_desk.cli.common import (
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    EXIT_BAD_ROWS,
    EXIT_OK,
    connect_server,
    fa,
    open_database,
    secret,
    sign_in,
    signed_in,
    system_uow,
)
from ostandari_desk.errors import UserError

if TYPE_CHECKING:
    from ostandari_desk.cli.common import Database


def init_command(args: argparse.Namespace, db_path: Database) -> int:
    from ostandari_desk.services import setup, users

    password = secret(ENV_PASSWORD, f"گذرواژه مدیر سامانه «{args.admin}»: ", confirm=True)
    if password is None:
        raise UserError(
            f"گذرواژه نخستین مدیر سامانه داده نشده است؛ متغیر ‎{ENV_PASSWORD}‎ را تنظیم کنید یا فرمان را "
            "در پایانه اجرا کنید. چیزی ساخته نشد."
        )
    if len(password) < users.MIN_PASSWORD_LENGTH:  # refused before the database file is made
        raise UserError(f"گذرواژه دست‌کم باید {fa(users.MIN_PASSWORD_LENGTH)} نویسه باشد؛ چیزی ساخته نشد.")
    engine = open_database(db_path)
    try:
        uow = system_uow(engine)
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


def _may_replace(args: argparse.Namespace, db_path: Database) -> None:
    """Setting a database aside needs a signed-in user: any user of a demo, an admin (backups) otherwise."""
    from ostandari_desk import settings
    from ostandari_desk.domain.roles import Permission

    engine, uow = sign_in(args, db_path)
    try:
        if not settings.get_setting(uow, "demo_database"):
            uow.require(Permission.BACKUP)
    finally:
        engine.dispose()


def demo_command(args: argparse.Namespace, db_path: Database) -> int:
    from ostandari_desk.services import setup
    from ostandari_desk.services.demo import DEMO_PASSWORD, DEMO_USER, build_demo, build_demo_file

    if args.open:  # a window that cannot open is said before the demo is built, not after
        from ostandari_desk.ui.preflight import check as preflight

        refused = preflight()
        if refused is not None:
            return refused
    server = not isinstance(db_path, Path)
    if not isinstance(db_path, Path):
        db_path = connect_server(db_path)  # its password asked for once, not at each opening
    if server or db_path.exists():
        engine = open_database(db_path)
        try:
            initialized = setup.is_initialized(system_uow(engine))
        finally:
            engine.dispose()
        if initialized and args.open and not args.replace:
            print(f"پایگاه داده نمونه پیش‌تر ساخته شده است؛ همان باز می‌شود — {db_path}")
            return open_gui(db_path)
        if initialized and server:
            raise UserError(
                f"پایگاه داده سرور «{db_path}» پیش‌تر راه‌اندازی شده است؛ داده نمونه فقط در پایگاه داده تازه "
                "ساخته می‌شود و روی سرور چیزی کنار گذاشته یا جایگزین نمی‌شود: پایگاه داده تازه‌ای روی سرور بسازید."
            )
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
            print(f"\r{stage}: {fa(done)} از {fa(total)}" + " " * 10, end="", file=sys.stderr, flush=True)
        elif not stages or stages[-1] != stage:  # a log gets one line per stage
            stages.append(stage)
            print(f"{stage}…", file=sys.stderr, flush=True)

    if server:  # a new, empty server database: built in place, in one transaction
        engine = open_database(db_path)
        try:
            summary = build_demo(engine, size=args.size, province=args.province, progress=progress)
        finally:
            engine.dispose()
    else:  # built in a temporary file and renamed when complete; the old database is copied aside with
        # the backup API (its WAL included) just before
        summary = build_demo_file(
            db_path, size=args.size, province=args.province, progress=progress, replace=args.replace
        )
    if tty:
        print(file=sys.stderr)
    if summary.set_aside is not None:
        print(f"پایگاه داده پیشین کنار گذاشته شد: {summary.set_aside}")
    print(
        f"داده نمونه ساخته شد: {fa(summary.ngos)} سمن و {fa(summary.inspections)} بازدید "
        f"در {fa(round(summary.seconds))} ثانیه — {db_path}"
    )
    print(f"ورود: کاربر {DEMO_USER} با گذرواژه {DEMO_PASSWORD}")
    return open_gui(db_path) if args.open else EXIT_OK


def open_gui(db_path: Database) -> int:
    from ostandari_desk.ui.preflight import check as preflight

    refused = preflight()  # Qt's libraries and platform plugin, before Qt can abort (134)
    if refused is not None:
        return refused
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
    password = secret(ENV_NEW_PASSWORD, f"گذرواژه تازه کاربر «{username}»: ", confirm=True)
    if password is None:
        raise UserError(
            f"گذرواژه تازه داده نشده است؛ متغیر ‎{ENV_NEW_PASSWORD}‎ را تنظیم کنید یا فرمان را در پایانه اجرا "
            "کنید. چیزی ثبت نشد."
        )
    return password


@signed_in
def user_command(args: argparse.Namespace, uow) -> int:
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
    print(f"{fa(len(rows))} کاربر")
    return EXIT_OK


@signed_in
def audit_command(args: argparse.Namespace, uow) -> int:
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
    print(f"{fa(count)} ردیف سابقه تغییرات در «{args.out}» نوشته شد")
    return EXIT_OK


# --- sheets and reports ----------------------------------------------------------------------------


def _prepare_report(args: argparse.Namespace) -> None:
    from ostandari_desk.cli import reports

    reports.prepare(args)


@signed_in(meanwhile=_prepare_report)
def report_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.cli import reports

    return reports.run(args, uow)


@signed_in
def plan_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.cli import plan

    return plan.run(args, uow)


def template_command(args: argparse.Namespace, _db_path: Path) -> int:
    from ostandari_desk.services import transfer

    path = transfer.template(args.kind, args.file)
    print(f"پرونده نمونه با سرستون‌های «{transfer.kind_of(args.kind).title}» نوشته شد: {path}")
    return EXIT_OK


@signed_in
def import_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services import transfer

    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\r{fa(done)} از {fa(total)} ردیف", end="", file=sys.stderr, flush=True)

    report = transfer.import_file(
        uow, args.kind, args.file, dry_run=args.dry_run, skip_bad=args.skip_bad, progress=progress
    )
    if tty:
        print(file=sys.stderr)
    for warning in report.warnings:
        print(f"هشدار: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"ردیف {fa(error.row)}، ستون «{error.column}»: {error.reason}", file=sys.stderr)
    print(report.summary())
    if report.errors and not args.skip_bad and not args.dry_run:
        print("چون پرونده ردیف خطادار دارد هیچ چیز ثبت نشد؛ ردیف‌ها را درست کنید یا ‎--skip-bad‎ را بیفزایید.")
    if report.bad_rows_path is not None:
        print(f"ردیف‌های خطادار با ستون «خطا» در این پرونده نوشته شد: {report.bad_rows_path}")
    return EXIT_BAD_ROWS if report.errors else EXIT_OK


@signed_in
def export_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services import transfer

    count = transfer.export_file(uow, args.kind, args.file)
    spec = transfer.kind_of(args.kind)
    print(f"{fa(count)} {spec.unit} در «{args.file}» نوشته شد")
    return EXIT_OK
