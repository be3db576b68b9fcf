"""``ostandari-desk report ...``: the printed reports from the command line, over the same services.

Wiring in cli/parser.py and cli/records.py::

    from ostandari_desk import cli_report
    cli_report.register(subparsers)          # then: return cli_report.run(args, uow)  (the signed-in user's)

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
from ostandari_desk.errors import DatabaseUnavailableError, UserError, ValidationError

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


def _request(args: argparse.Namespace, uow):
    """The ReportRequest the command line asks for (the reports page builds the same)."""
    from ostandari_desk.services import reporting

    kind = args.report_kind
    if kind == "annual":
        return reporting.ReportRequest(
            "annual",
            year=_int(args.year, "سال"),
            county_id=_county_id(uow, args.county),
            same_period=args.same_period,
            today=_date(args.today),
        )
    if kind == "register":
        return reporting.ReportRequest(
            "register", county_id=_county_id(uow, args.county), search=args.search or "", status=args.status
        )
    if kind in ("ngo-file", "certificate"):
        ngo_id = reporting.ngo_id_by_national_id(uow, args.national_id)
        return reporting.ReportRequest(kind.replace("-", "_"), ngo_id=ngo_id)
    if kind == "expiring":
        days = _int(args.days, "بازه هشدار") if args.days else None
        return reporting.ReportRequest(
            "expiring", county_id=_county_id(uow, args.county), days=days, today=_date(args.today)
        )
    # argparse refuses unknown kinds; kept for a clear message if a kind is added half-way
    raise ValidationError(f"گزارش «{kind}» شناخته نیست")


def _build(args: argparse.Namespace, uow, out: Path) -> None:
    from ostandari_desk.reports.papers import make_paper

    # make_paper reads within the user's county and writes the «report printed» audit entry
    make_paper(uow, _request(args, uow), out)


def run(args: argparse.Namespace, uow) -> int:
    """Build the report ``args`` asks for, acting for ``uow``'s signed-in user; 0 done, 2 refused.

    A UserError (unknown county or national ID, a record outside the user's county, no permission) and a
    file that cannot be written both refuse the request: exit status 2, as the CLI contract says.
    """
    out = Path(args.out)
    if not out.parent.exists():
        print(f"خطا: پوشه «{out.parent}» وجود ندارد.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        _build(args, uow, out)
    except DatabaseUnavailableError:
        raise  # exit status 3 (cli.main)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"خطا: فایل «{out}» نوشته نشد ({exc.strerror or exc}).", file=sys.stderr)
        return 2
    took = text.format_number(time.perf_counter() - started, 2)
    print(f"گزارش در «{out}» ذخیره شد ({took} ثانیه).")
    return 0
