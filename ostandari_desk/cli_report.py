"""``ostandari-desk report ...``: the printed reports from the command line, over the same services.

Wiring in cli.py (two lines)::

    from ostandari_desk import cli_report
    cli_report.register(subparsers)          # then: if args.command == "report": return cli_report.run(args, engine)

Sub-commands::

    report annual --year 1401 [--county NAME] [--same-period] --out FILE.pdf
    report register [--county NAME] [--search TEXT] [--status active|inactive] --out FILE.pdf
    report ngo-file --national-id ID --out FILE.pdf
    report certificate --national-id ID --out FILE.pdf
    report expiring [--days N] [--county NAME] --out FILE.pdf

Errors are printed in Persian on stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import UserError, ValidationError

__all__ = ["register", "run"]

COMMAND = "report"


def register(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add ``report`` and its sub-commands to the main parser's sub-parsers; ``parents`` give each
    sub-command the shared options (``--db`` after any command)."""
    report = subparsers.add_parser(COMMAND, help="تهیه گزارش‌های چاپی (PDF)", parents=list(parents))
    kinds = report.add_subparsers(dest="report_kind", required=True)

    annual = kinds.add_parser("annual", help="گزارش مقایسه‌ای سالانه", parents=list(parents))
    annual.add_argument("--year", required=True, help="سال شمسی، مثلاً 1401")
    annual.add_argument("--county", help="نام شهرستان (پیش‌فرض: کل استان)")
    annual.add_argument("--same-period", action="store_true", help="مقایسه تا امروزِ سال، نه کل سال")
    annual.add_argument("--today", help="تاریخ مبنای «تا امروز» (شمسی)؛ پیش‌فرض امروز")

    reg = kinds.add_parser("register", help="دفتر ثبت سازمان‌ها", parents=list(parents))
    reg.add_argument("--county", help="نام شهرستان")
    reg.add_argument("--search", default="", help="متن جست‌وجو")
    reg.add_argument("--status", choices=("active", "inactive"), help="وضعیت سازمان")

    for name, helptext in (("ngo-file", "پرونده یک سازمان"), ("certificate", "پروانه فعالیت یک سازمان")):
        one = kinds.add_parser(name, help=helptext, parents=list(parents))
        one.add_argument("--national-id", required=True, help="شناسه ملی سازمان")

    exp = kinds.add_parser("expiring", help="پروانه‌های رو به انقضا و منقضی", parents=list(parents))
    exp.add_argument("--days", help="بازه هشدار به روز (پیش‌فرض: تنظیمات)")
    exp.add_argument("--county", help="نام شهرستان")
    exp.add_argument("--today", help="تاریخ مبنا (شمسی)؛ پیش‌فرض امروز")

    for parser in kinds.choices.values():
        parser.add_argument("--out", required=True, help="مسیر فایل PDF")
    return report


def _county_id(uow, name: str | None) -> str | None:
    from ostandari_desk.services import reference

    if not name:
        return None
    found = reference.county_id_by_name(uow, name)
    if found is None:
        raise ValidationError(f"شهرستان «{text.clean(name)}» در فهرست شهرستان‌ها نیست")
    return found


def _int(value: str, label: str) -> int:
    try:
        return text.parse_int(value)
    except ValueError:
        raise ValidationError(f"{label} باید عدد باشد: «{value}»") from None


def _date(value: str | None) -> date:
    return jalali.parse_jalali(value) if value else date.today()


def _build(args: argparse.Namespace, engine, out: Path) -> None:
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.services import reporting
    from ostandari_desk.store.uow import UnitOfWork

    uow = UnitOfWork(engine)
    head = reporting.letterhead_values(uow)
    letterhead = Letterhead(head.office_name, head.logo_path)
    printed_on = jalali.format_jalali(date.today())
    kind = args.report_kind
    if kind == "annual":
        from ostandari_desk.reports.annual import build_annual_report
        from ostandari_desk.services.annual import annual_comparison

        data = annual_comparison(
            uow, _int(args.year, "سال"), _county_id(uow, args.county), args.same_period, _date(args.today)
        )
        build_annual_report(data, letterhead, printed_on, out)
    elif kind == "register":
        from ostandari_desk.reports.register import build_register
        from ostandari_desk.services.ngos import NgoFilter

        flt = NgoFilter(text=args.search or "", county_id=_county_id(uow, args.county), status=args.status)
        build_register(reporting.register_data(uow, flt), letterhead, printed_on, out)
    elif kind == "ngo-file":
        from ostandari_desk.reports.ngo_file import build_ngo_file

        ngo_id = reporting.ngo_id_by_national_id(uow, args.national_id)
        build_ngo_file(reporting.ngo_file_data(uow, ngo_id), letterhead, printed_on, out)
    elif kind == "certificate":
        from ostandari_desk.reports.certificate import build_certificate

        ngo_id = reporting.ngo_id_by_national_id(uow, args.national_id)
        build_certificate(reporting.certificate_data(uow, ngo_id), letterhead, printed_on, out)
    elif kind == "expiring":
        from ostandari_desk.reports.expiring import build_expiring

        days = _int(args.days, "بازه هشدار") if args.days else None
        data = reporting.expiring_data(uow, _date(args.today), days, _county_id(uow, args.county))
        build_expiring(data, letterhead, printed_on, out)
    else:  # argparse refuses unknown kinds; kept for a clear message if a kind is added half-way
        raise ValidationError(f"گزارش «{kind}» شناخته نیست")


def run(args: argparse.Namespace, engine) -> int:
    """Build the report ``args`` asks for; 0 on success, 1 on a user error, 2 on a file error."""
    out = Path(args.out)
    if not out.parent.exists():
        print(f"خطا: پوشه «{out.parent}» وجود ندارد.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        _build(args, engine, out)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"خطا: فایل «{out}» نوشته نشد ({exc.strerror or exc}).", file=sys.stderr)
        return 2
    took = text.format_number(time.perf_counter() - started, 2)
    print(f"گزارش در «{out}» ذخیره شد ({took} ثانیه).")
    return 0
