"""``ostandari-desk plan --year Y --month M [--county NAME] [--out F.pdf]``: the monthly unannounced plan.

Without ``--out`` the plan is printed as a tab-separated table (a heading line per county, then a line per
centre: row, weekday, planned date, code, centre, category, status, visit date); with ``--out`` it is a PDF
(reports/inspection_grid.py ``build_plan``), audited as a printed report. Without ``--county`` a county user
gets their own county's plan and a manager every county's. Who may see a plan is the service's rule
(services/inspections/plan.py): refused with a Persian message and exit status 2 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ostandari_desk.cli.common import EXIT_OK, EXIT_REFUSED
from ostandari_desk.domain import text
from ostandari_desk.errors import UserError

__all__ = ["PLAN_TITLE", "run"]

PLAN_TITLE = "برنامه بازدیدهای سرزده"
HEADER = ("ردیف", "روز", "تاریخ برنامه", "کد مرکز", "مرکز", "رده", "وضعیت", "تاریخ بازدید")


def _request(args: argparse.Namespace, uow):
    from ostandari_desk.reports import registry
    from ostandari_desk.services.reporting import ReportRequest

    year = registry.year().from_text(uow, args.year)
    month = registry.number("month", "--month", "ماه", minimum=1, maximum=12).from_text(uow, args.month)
    county_id = registry.county().from_text(uow, args.county)
    return ReportRequest("plan", year=year, month=month, county_id=county_id)


def _print(data) -> None:
    for n, plan in enumerate(data.plans):
        if n:
            print()
        print(
            f"{PLAN_TITLE} شهرستان {plan.county_name} — {plan.month_label}: "
            f"{text.format_number(len(plan.rows))} مرکز، {text.format_number(plan.done_count)} انجام‌شده، "
            f"{text.format_number(plan.pending_count)} در انتظار"
        )
        print("\t".join(HEADER))
        for i, r in enumerate(plan.rows, start=1):
            cells = (
                text.to_persian_digits(i),
                r.weekday_label,
                r.planned_text,
                text.to_persian_digits(r.code),
                r.name,
                r.category_name,
                r.status_label,
                r.visited_text or "—",
            )
            print("\t".join(cells))


def _write(uow, request, gathered, out: Path) -> None:
    from ostandari_desk.domain import jalali
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.reports.inspection_grid import build_plan
    from ostandari_desk.services import reporting

    head = reporting.letterhead_values(uow)
    build_plan(
        gathered.data, Letterhead(head.office_name, head.logo_path), jalali.format_jalali(date.today()), out
    )
    detail = "؛ ".join([PLAN_TITLE, *gathered.words])
    reporting.record_printed(
        uow, reporting.PaperData(request, gathered.data, gathered.table, gathered.record_id, detail)
    )


def run(args: argparse.Namespace, uow) -> int:
    """Print or write the plan ``args`` asks for, acting for ``uow``'s user; 0 done, 2 refused (a Persian
    message on stderr); a DatabaseUnavailableError goes up to cli.main (3)."""
    from ostandari_desk.services.inspections.papers import plan_paper

    out = Path(args.out) if args.out else None
    if out is not None and not out.parent.exists():
        print(f"خطا: پوشه «{out.parent}» وجود ندارد.", file=sys.stderr)
        return EXIT_REFUSED
    try:
        request = _request(args, uow)
        gathered = plan_paper(uow, request)
    except UserError as exc:  # a bad year or month, an unknown county, no right to see the plan
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    if out is None:
        _print(gathered.data)
        return EXIT_OK
    try:
        _write(uow, request, gathered, out)
    except OSError as exc:
        print(f"خطا: فایل «{out}» نوشته نشد ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_REFUSED
    print(f"برنامه در «{out}» ذخیره شد.")
    return EXIT_OK
