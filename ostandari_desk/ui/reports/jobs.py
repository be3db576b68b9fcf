"""What the reports page asks for (a frozen request) and the function a worker runs to make the PDF.

``produce`` runs on a pool thread: it opens its own unit of work, calls the services for plain rows
and the reports module for the PDF, and returns the bytes. It never touches a widget.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from ostandari_desk.domain import jalali
from ostandari_desk.errors import ValidationError

__all__ = ["REPORT_KINDS", "ReportRequest", "produce"]

#: kind -> the name shown in the list, in the list's order
REPORT_KINDS: dict[str, str] = {
    "annual": "گزارش مقایسه‌ای سالانه",
    "register": "دفتر ثبت سازمان‌ها",
    "ngo_file": "پرونده یک سازمان",
    "certificate": "چاپ پروانه فعالیت",
    "expiring": "پروانه‌های رو به انقضا و منقضی",
}


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    year: int = 0
    county_id: str | None = None
    same_period: bool = False
    ngo_id: str | None = None
    days: int | None = None
    search: str = ""
    today: date | None = None


def produce(engine, request: ReportRequest, progress=None) -> bytes:
    """The PDF of ``request`` as bytes. UserErrors (no licence, unknown county…) reach the caller."""
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.services import reporting
    from ostandari_desk.store.uow import UnitOfWork

    def step(done: int) -> None:
        if progress is not None:
            progress(done, 3)

    uow = UnitOfWork(engine)
    head = reporting.letterhead_values(uow)
    letterhead = Letterhead(head.office_name, head.logo_path)
    today = request.today or date.today()
    printed_on = jalali.format_jalali(date.today())
    out = io.BytesIO()
    step(1)
    kind = request.kind
    if kind == "annual":
        from ostandari_desk.reports.annual import build_annual_report
        from ostandari_desk.services.annual import annual_comparison

        data = annual_comparison(uow, request.year, request.county_id, request.same_period, today)
        step(2)
        build_annual_report(data, letterhead, printed_on, out)
    elif kind == "register":
        from ostandari_desk.reports.register import build_register
        from ostandari_desk.services.ngos import NgoFilter

        data = reporting.register_data(uow, NgoFilter(text=request.search, county_id=request.county_id))
        step(2)
        build_register(data, letterhead, printed_on, out)
    elif kind in ("ngo_file", "certificate"):
        if not request.ngo_id:
            raise ValidationError("نخست سازمان را انتخاب کنید", field="ngo")
        if kind == "ngo_file":
            from ostandari_desk.reports.ngo_file import build_ngo_file

            data = reporting.ngo_file_data(uow, request.ngo_id)
            step(2)
            build_ngo_file(data, letterhead, printed_on, out)
        else:
            from ostandari_desk.reports.certificate import build_certificate

            data = reporting.certificate_data(uow, request.ngo_id)
            step(2)
            build_certificate(data, letterhead, printed_on, out)
    elif kind == "expiring":
        from ostandari_desk.reports.expiring import build_expiring

        data = reporting.expiring_data(uow, today, request.days, request.county_id)
        step(2)
        build_expiring(data, letterhead, printed_on, out)
    else:
        raise ValueError(f"unknown report kind: {kind!r}")
    step(3)
    return out.getvalue()
