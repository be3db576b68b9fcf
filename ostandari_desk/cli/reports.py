"""``ostandari-desk report NAME ... --out FILE.pdf``: one sub-command per report of ``reports.registry``.

The sub-commands, their options and their help are generated from the registry (the reports page is
built from the same declarations), so a report added there is offered here under the same name::

    report annual --year 1401 [--county NAME] [--same-period] [--today DATE] --out FILE.pdf
    report register [--county NAME] [--search TEXT] [--status active|inactive] --out FILE.pdf
    report ngo-file|certificate --national-id ID --out FILE.pdf
    report expiring [--days N] [--county NAME] [--today DATE] --out FILE.pdf

Exit status: 0 written; 2 refused (an unknown county or national ID, a record outside the user's county,
no permission, a bad number or date, a file that cannot be written), with a Persian message on stderr;
a DatabaseUnavailableError goes up to cli.main (3).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ostandari_desk.cli.common import EXIT_OK, EXIT_REFUSED
from ostandari_desk.domain import text
from ostandari_desk.errors import DatabaseUnavailableError, UserError

__all__ = ["COMMAND", "prepare", "register", "run"]

COMMAND = "report"


def register(
    subparsers: argparse._SubParsersAction, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add ``report`` and a sub-command per registered report to the main parser's sub-parsers;
    ``parents`` give each sub-command the shared options (``--db`` and ``--user`` after any command)."""
    from ostandari_desk.reports.registry import REPORTS, Input

    report = subparsers.add_parser(COMMAND, help="تهیه گزارش‌های چاپی (PDF)", parents=list(parents))
    kinds = report.add_subparsers(dest="report_kind", required=True)
    for spec in REPORTS.values():
        sub = kinds.add_parser(spec.name, help=spec.help or spec.title, parents=list(parents))
        for param in spec.cli_params():
            if param.input is Input.FLAG:
                sub.add_argument(param.option, action="store_true", help=param.help)
                continue
            options: dict = {"help": param.help, "required": param.required}
            if param.choices:
                options["choices"] = [value for value, _label in param.choices]
            if param.metavar:
                options["metavar"] = param.metavar
            sub.add_argument(param.option, **options)
        sub.add_argument("--out", required=True, help="مسیر فایل PDF")
    return report


def prepare(args: argparse.Namespace) -> None:
    """Import what the report ``args`` asks for needs: its service, its paper's module and ReportLab (0.2 s),
    while the password is verified (cli.common.sign_in). Nothing is read or written."""
    from ostandari_desk.reports import registry

    importlib.import_module("ostandari_desk.reports.papers")  # ReportLab, the letterhead, the fonts
    spec = registry.spec_of(args.report_kind)
    spec.gatherer()
    spec.builder()


def _build(args: argparse.Namespace, uow, out: Path) -> None:
    from ostandari_desk.reports import registry
    from ostandari_desk.reports.papers import make_paper

    spec = registry.spec_of(args.report_kind)
    texts = {param.key: getattr(args, param.dest, None) for param in spec.cli_params()}
    request = registry.request_from_text(uow, spec.name, texts)
    # make_paper reads within the user's county and writes the «report printed» audit entry
    make_paper(uow, request, out)


def run(args: argparse.Namespace, uow) -> int:
    """Build the report ``args`` asks for, acting for ``uow``'s signed-in user; 0 done, 2 refused."""
    out = Path(args.out)
    if not out.parent.exists():
        print(f"خطا: پوشه «{out.parent}» وجود ندارد.", file=sys.stderr)
        return EXIT_REFUSED
    started = time.perf_counter()
    try:
        _build(args, uow, out)
    except DatabaseUnavailableError:
        raise  # exit status 3 (cli.main)
    except UserError as exc:
        print(f"خطا: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:
        print(f"خطا: فایل «{out}» نوشته نشد ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_REFUSED
    took = text.format_number(time.perf_counter() - started, 2)
    print(f"گزارش در «{out}» ذخیره شد ({took} ثانیه).")
    return EXIT_OK
