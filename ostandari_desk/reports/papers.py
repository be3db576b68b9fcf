"""One door for every printed paper: ``make_paper(uow, request, out)`` reads the data through the
services (within the actor's county), lays out the PDF and writes the «report printed» audit entry.

Every paper gets the official letterhead (reports.letterhead): the office with its province and the
settings' signer; a paper of a county-level record turns it into the county governorate's.

The report is looked up by name in ``reports.registry`` (its gather function and its paper module). The
reports page (on a worker thread) and ``ostandari-desk report`` both call it, so both are scoped and
audited the same way. A paper is audited once its PDF exists: a failed one leaves no entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ostandari_desk.domain import jalali
from ostandari_desk.reports import registry
from ostandari_desk.reports.letterhead import OfficialLetterhead
from ostandari_desk.services import reporting
from ostandari_desk.services.reporting import ReportRequest

if TYPE_CHECKING:
    from ostandari_desk.store.uow import UnitOfWork

__all__ = ["STEPS", "make_paper"]

STEPS = 3  # progress(done, STEPS): letterhead read, data read, PDF made


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
    spec = registry.spec_of(request.kind)
    build = spec.builder()  # imported on demand: the annual report pulls in the chart code

    def step(done: int) -> None:
        if progress is not None:
            progress(done, STEPS)

    head = reporting.letterhead_values(uow)
    signer = reporting.signer_values(uow)
    letterhead = OfficialLetterhead(
        head.office_name,
        head.logo_path,
        province=head.province_name,
        signer_name=signer.name,
        signer_title=signer.title,
    )
    step(1)
    paper = registry.paper_data(uow, request)
    step(2)
    build(paper.data, letterhead, jalali.format_jalali(printed_on or date.today()), out)
    reporting.record_printed(uow, paper)
    step(3)
    return paper
