"""What the memoranda papers print, read through the memoranda services within the actor's county.

Each ``*_paper(uow, request)`` is a report's gather function (named in ``reports.registry``) and returns a
``services.reporting.Gathered``: the paper's frozen data and the words of its «report printed» entry.

- ``credits_paper``: a Jalali year's credits per county (``credits.credits_by_county``: memoranda all / with
  governorates / with NGOs, amount, paid, remaining, average progress; the province's totals);
- ``memorandum_paper``: one memorandum's file (``memoranda.get_memorandum``: parties, amount, schedule,
  progress reports, payments, the ledger), audited on the memorandum;
- ``offices_paper``: the facilitation offices by county (``offices.list_office_page`` and each office's
  projects from ``offices.get_office``).

A county user's papers hold their own county; another county's memorandum or credits are refused
(PermissionDeniedError), not reported as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import NotFoundError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import credits as credit_service
from ostandari_desk.services.memoranda import memoranda as memo_service
from ostandari_desk.services.memoranda import offices as office_service
from ostandari_desk.services.reporting import Gathered, ReportRequest
from ostandari_desk.store.models import Memorandum
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "PROVINCE_SCOPE",
    "CreditsPaperData",
    "MemorandumPaperData",
    "OfficeSection",
    "OfficesPaperData",
    "credits_paper",
    "credits_paper_data",
    "memorandum_id_by_number",
    "memorandum_paper",
    "memorandum_picker",
    "number_text",
    "offices_paper",
    "offices_paper_data",
]

PROVINCE_SCOPE = "کل استان"
_MEMO = Memorandum.__table__.c


def number_text(number: str) -> str:
    """A memorandum number as printed: Persian digits, «123-45» kept in order inside Persian text."""
    return text.protect_hyphenated_numbers(text.to_persian_digits(number))


def _scoped_county(uow: UnitOfWork, county_id: str | None) -> str | None:
    """The county a paper covers: a county user's own when none is chosen; another one is refused."""
    if county_id is None:
        county_id = uow.county_scope
    uow.check_county(county_id)
    return county_id


def _scope_name(uow: UnitOfWork, county_id: str | None) -> str:
    if county_id is None:
        return PROVINCE_SCOPE
    return f"شهرستان {reference.county_name(uow, county_id)}"


# --- look-ups for the registry's --number -----------------------------------------------------------


def memorandum_id_by_number(uow: UnitOfWork, number: str) -> str:
    """The memorandum with this number (any digits); NotFoundError when there is none, PermissionDeniedError
    when it belongs to another county than the actor's."""
    key = memo_service.clean_number(number)
    with uow:  # a plain-table read: the scoped session would hide another county's memorandum, not refuse it
        found = uow.s.execute(select(_MEMO.id, _MEMO.county_id).where(_MEMO.number == key)).first()
    if not key or found is None:
        raise NotFoundError(f"تفاهم‌نامه‌ای با شماره «{number_text(text.clean(number))}» ثبت نشده است")
    uow.check_county(found[1], record=found[0])
    return found[0]


def memorandum_picker(uow: UnitOfWork, query: str) -> list[tuple[str, str]]:
    """(id, «number — title») of the memoranda in scope matching ``query`` (newest first), for the page."""
    rows = memo_service.list_memorandum_page(
        uow, memo_service.MemorandumFilter(search=query), "signed_on", True, 0, 50
    )
    return [(r.id, f"{number_text(r.number)} — {r.title}") for r in rows]


# --- credits by county ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditsPaperData:
    jalali_year: int
    scope_name: str
    county_id: str | None  # None: every county in the actor's scope
    view: credit_service.CreditsView

    @property
    def totals_line(self) -> str:
        """«جمع استان: ۷۷ تفاهم‌نامه، ۴۶ با فرمانداری‌ها، ۳۱ با سمن‌ها، به مبلغ ۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال»."""
        t = self.view.total
        return (
            f"{t.county_name}: {text.format_number(t.memoranda)} تفاهم‌نامه، "
            f"{text.format_number(t.with_governorates)} با فرمانداری‌ها، "
            f"{text.format_number(t.with_ngos)} با سمن‌ها، به مبلغ {text.format_rials(t.amount)}"
        )


def credits_paper_data(uow: UnitOfWork, jalali_year: int, county_id: str | None = None) -> CreditsPaperData:
    county_id = _scoped_county(uow, county_id)
    view = credit_service.credits_by_county(uow, jalali_year, county_id)
    return CreditsPaperData(int(jalali_year), _scope_name(uow, county_id), county_id, view)


def credits_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The year's credits by county (options year, county_id)."""
    year = request.get("year") or jalali.to_jalali(date.today())[0]
    data = credits_paper_data(uow, year, request.get("county_id"))
    return Gathered(data, (f"سال {text.to_persian_digits(year)}", data.scope_name))


# --- one memorandum's file --------------------------------------------------------------------------


@dataclass(frozen=True)
class MemorandumPaperData:
    memorandum: memo_service.MemorandumDetail
    today: date


def memorandum_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """A memorandum's file (option memorandum_id), audited on the memorandum."""
    memorandum_id = request.get("memorandum_id")
    if not memorandum_id:
        raise ValidationError("نخست تفاهم‌نامه را انتخاب کنید", field="number")
    today = request.get("today") or date.today()
    with uow:  # the county is checked before anything of it is read (the scoped session would hide it)
        county = uow.s.execute(select(_MEMO.county_id).where(_MEMO.id == memorandum_id)).first()
        if county is None:
            raise NotFoundError(memo_service.MISSING_MEMORANDUM, record=memorandum_id)
        uow.check_county(county[0], record=memorandum_id)
    detail = memo_service.get_memorandum(uow, memorandum_id, today=today)
    words = (f"شماره {number_text(detail.number)}", f"«{detail.title}»")
    return Gathered(MemorandumPaperData(detail, today), words, "memorandum", memorandum_id)


# --- the facilitation offices -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSection:
    """A county's offices (each with its projects), in the list's order."""

    county_name: str
    offices: tuple[office_service.OfficeDetail, ...]

    @property
    def budget(self) -> int:
        return sum(o.budget for o in self.offices)


@dataclass(frozen=True)
class OfficesPaperData:
    scope_name: str
    today: date
    sections: tuple[OfficeSection, ...]

    @property
    def offices(self) -> int:
        return sum(len(s.offices) for s in self.sections)

    @property
    def budget(self) -> int:
        return sum(s.budget for s in self.sections)

    def count(self, state: str) -> int:
        return sum(1 for s in self.sections for o in s.offices if o.state == state)


def offices_paper_data(
    uow: UnitOfWork, county_id: str | None = None, today: date | None = None
) -> OfficesPaperData:
    today = today or date.today()
    county_id = _scoped_county(uow, county_id)
    flt = office_service.OfficeFilter(county_id=county_id)
    total = office_service.count_offices(uow, flt)
    rows = office_service.list_office_page(uow, flt, "county", False, 0, max(total, 1))
    sections: list[OfficeSection] = []
    for row in rows:
        detail = office_service.get_office(uow, row.id, today)
        if not sections or sections[-1].county_name != row.county_name:
            sections.append(OfficeSection(row.county_name, ()))
        last = sections[-1]
        sections[-1] = OfficeSection(last.county_name, (*last.offices, detail))
    return OfficesPaperData(_scope_name(uow, county_id), today, tuple(sections))


def offices_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The facilitation offices by county with their projects (options county_id, today)."""
    data = offices_paper_data(uow, request.get("county_id"), request.get("today"))
    return Gathered(data, (data.scope_name,))
