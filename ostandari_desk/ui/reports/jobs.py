"""What the reports page asks for (a frozen request) and the function a worker runs to make the PDF.

``produce`` runs on a pool thread with a unit of work the page took from ``context.uow()``: it calls
``reports.papers.make_paper`` (the report's gather function from ``reports.registry`` for the rows,
within the user's county; its paper module for the PDF; the audit entry of the printed report) and
returns the bytes. It never touches a widget.
"""

from __future__ import annotations

import io

from ostandari_desk.services.reporting import ReportRequest

__all__ = ["ReportRequest", "produce"]


def produce(uow, request: ReportRequest, progress=None) -> bytes:
    """The PDF of ``request`` as bytes, made with ``uow`` (from ``context.uow()``; one per report).

    UserErrors (no licence, unknown county, another county's record…) reach the caller."""
    from ostandari_desk.reports.papers import make_paper

    out = io.BytesIO()
    make_paper(uow, request, out, progress)
    return out.getvalue()
