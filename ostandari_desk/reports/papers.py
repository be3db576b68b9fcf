"""One door for every printed paper: ``make_paper(uow, request, out)`` reads the data through the
services (within the actor's county), lays out the PDF and writes the «report printed» audit entry.

The reports page (on a worker thread) and ``ostandari-desk report`` both call it, so both are scoped and
audited the same way. A paper is audited once its PDF exists: a failed one leaves no entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ostandari_desk.domain import jalali
from ostandari_desk.reports.document import Letterhead
from ostandari_desk.services import reporting
from ostandari_desk.services.reporting import ReportRequest

if TYPE_CHECKING:
    from ostandari_desk.store.uow import UnitOfWork

__all__ = ["STEPS", "make_paper"]

STEPS = 3  # progress(done, STEPS): letterhead read, data read, PDF made


def _builder(kind: str) -> Callable:
    # imported on demand: the annual report pulls in the chart code
    if kind == "annual":
        from ostandari_desk.reports.annual import build_annual_report

        return build_annual_report
    if kind == "register":
        from ostandari_desk.reports.register import build_register

        return build_register
    if kind == "ngo_file":
        from ostandari_desk.reports.ngo_file import build_ngo_file

        return build_ngo_file
    if kind == "certificate":
        from ostandari_desk.reports.certificate import build_certificate

        return build_certificate
    if kind == "expiring":
        from ostandari_desk.reports.expiring import build_expiring

        return build_expiring
    raise ValueError(f"unknown report kind: {kind!r}")


def make_paper(
    uow: UnitOfWork,
    request: ReportRequest,
    out: str | Path | IO[bytes],
    progress: Callable[[int, int], None] | None = None,
    printed_on: date | None = None,
) -> reporting.PaperData:
    """Write the PDF of ``request`` to ``out`` and record it in the audit; returns what was printed.

    UserErrors (no licence, no NGO chosen, another county's record…) reach the caller, and nothing is
    written to the audit then.
    """
    build = _builder(request.kind)

    def step(done: int) -> None:
        if progress is not None:
            progress(done, STEPS)

    head = reporting.letterhead_values(uow)
    letterhead = Letterhead(head.office_name, head.logo_path)
    step(1)
    paper = reporting.paper_data(uow, request)
    step(2)
    build(paper.data, letterhead, jalali.format_jalali(printed_on or date.today()), out)
    reporting.record_printed(uow, paper)
    step(3)
    return paper
