"""The memoranda list: its filter, one page of rows (each with what is paid, the latest progress and the
overdue flag) and the count. Re-exported by services/memoranda/memoranda.py.

The first page must stay under 20 ms at 100,000 memoranda and 500,000 payments: each sort walks an index
of Memorandum (number, title_sort, signed_on) and stops at the page's end; a row's paid and progress are
its derived columns ``paid_total`` and ``latest_progress``, kept by database triggers on payment and
progressreport (migration 0007). Sorts by paid, progress, end date or state scan the table (no index
leads with them; under 20 ms at 10,000 memoranda), as do the search and the «waiting» filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, cast, func, select
from sqlmodel import col

from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain.jalali import format_jalali, jalali_year_of, year_range
from ostandari_desk.domain.memoranda import PARTY_COUNTY, PARTY_LABELS, STATE_LABELS
from ostandari_desk.services import search
from ostandari_desk.services.ordering import order_terms
from ostandari_desk.settings import SETTINGS
from ostandari_desk.store.models import County, Memorandum, Ngo, ReferenceItem, Setting
from ostandari_desk.store.uow import UnitOfWork

SORT_KEYS = (
    "signed_on",
    "number",
    "title",
    "amount",
    "county",
    "paid",
    "progress",
    "ends_on",
    "state",
)
RELEASE_SETTING = "release_later_min_progress"


def party_name(party_kind: str, ngo_name: str, county_name: str) -> str:
    """«فرمانداری قزوین» for a governorate, else the NGO's name."""
    if party_kind == PARTY_COUNTY:
        return f"فرمانداری {county_name}"
    return ngo_name or PARTY_LABELS.get(party_kind, "")


@dataclass(frozen=True)
class MemorandumRow:
    """One line of the memoranda list."""

    id: str
    number: str
    title: str
    party_kind: str
    ngo_name: str
    county_name: str
    amount: int
    signed_on: date
    ends_on: date
    state: str
    paid: int
    latest_progress: int | None
    overdue: bool
    social_harm_name: str = ""  # "" when none is named

    @property
    def remaining(self) -> int:
        return self.amount - self.paid

    @property
    def party_name(self) -> str:
        return party_name(self.party_kind, self.ngo_name, self.county_name)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def signed_text(self) -> str:
        return format_jalali(self.signed_on)


@dataclass(frozen=True)
class MemorandumFilter:
    search: str = ""  # words found in the number or the title
    county_id: str | None = None
    party_kind: str | None = None
    social_harm_id: str | None = None
    state: str | None = None
    jalali_year: int | None = None  # signed in this Jalali year
    overdue: bool = False  # running, past its end, progress below 100%
    office_id: str | None = None
    waiting: bool = False  # a tranche waits for a progress report (``waiting_condition``)
    today: date | None = None  # for «overdue» (None: today)


def latest_progress_of():
    """The memorandum's highest progress % (its latest; reports never go backwards), 0 before any report: its
    derived column, kept by triggers on progressreport."""
    return Memorandum.__table__.c.latest_progress


def paid_of():
    """What the memorandum's tranches add up to: its derived column, kept by triggers on payment."""
    return Memorandum.__table__.c.paid_total


def release_threshold():
    """The ``release_later_min_progress`` setting read inside the statement (its default when unset), so a
    filter needs no unit of work (the sheet's export builds its conditions without one)."""
    s = Setting.__table__.c
    stored = select(cast(s.value, Integer)).where(s.key == RELEASE_SETTING).scalar_subquery()
    return func.coalesce(stored, SETTINGS[RELEASE_SETTING].default)


def waiting_condition(threshold=None):
    """THE rule of «a tranche waiting for progress» (the list's filter and the start page's count): an active
    memorandum with a tranche paid (amounts are positive) and money left whose latest progress is below the
    release rule's ``threshold`` % (an int, or None: the stored setting, read in SQL)."""
    m = Memorandum.__table__.c
    return and_(
        m.state == rules.ACTIVE,
        m.paid_total > 0,
        m.paid_total < m.amount,
        m.latest_progress < (release_threshold() if threshold is None else threshold),
    )


def _where(flt: MemorandumFilter) -> list:
    # the number and the title, in the key stored beside them (search_text_of; a scan of one column)
    conds: list = [search.contains(Memorandum.search_text, word) for word in search.words(flt.search)]
    if flt.county_id:
        conds.append(Memorandum.county_id == flt.county_id)
    if flt.party_kind:
        conds.append(Memorandum.party_kind == flt.party_kind)
    if flt.social_harm_id:
        conds.append(Memorandum.social_harm_id == flt.social_harm_id)
    if flt.state:
        conds.append(Memorandum.state == flt.state)
    if flt.office_id:
        conds.append(Memorandum.office_id == flt.office_id)
    if flt.jalali_year:
        first, last = year_range(flt.jalali_year)
        conds.append(col(Memorandum.signed_on).between(first, last))
    if flt.overdue:
        today = flt.today or date.today()
        conds += [
            Memorandum.state == rules.ACTIVE,
            Memorandum.ends_on < today,
            latest_progress_of() < 100,
        ]
    if flt.waiting:
        conds.append(waiting_condition())
    return conds


def filter_conditions(flt: MemorandumFilter) -> list:
    """The SQL conditions of ``flt`` over Memorandum (for the sheet's export of a filtered list)."""
    return _where(flt)


def count_memoranda(uow: UnitOfWork, flt: MemorandumFilter = MemorandumFilter()) -> int:
    with uow:
        return int(
            uow.s.execute(select(func.count()).select_from(Memorandum).where(*_where(flt))).scalar_one()
        )


def _order(sort: str, descending: bool) -> list:
    columns = {
        "number": [Memorandum.number],  # unique
        "title": [Memorandum.title_sort, Memorandum.id],
        "signed_on": [Memorandum.signed_on, Memorandum.id],
        "amount": [Memorandum.amount, Memorandum.id],
        "county": [County.position, County.name_key, Memorandum.signed_on, Memorandum.id],
        "paid": [paid_of(), Memorandum.id],
        "progress": [latest_progress_of(), Memorandum.id],
        "ends_on": [Memorandum.ends_on, Memorandum.id],
        "state": [Memorandum.state, Memorandum.ends_on, Memorandum.id],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key: {sort!r}")
    return order_terms(columns[sort], descending, nullable=(County.position, County.name_key))


def list_memorandum_page(
    uow: UnitOfWork,
    flt: MemorandumFilter = MemorandumFilter(),
    sort: str = "signed_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[MemorandumRow]:
    """One page of memoranda matching ``flt`` (newest signed first by default; ties broken by id, so pages
    are stable), each with what is paid, its latest progress (None while it is 0: no report, or none above
    0%) and the overdue flag."""
    ngo = Ngo.__table__  # past the scope: a county memorandum may name a provincial NGO
    harm = ReferenceItem.__table__  # one primary-key look-up per row of the page
    latest = latest_progress_of()
    today = flt.today or date.today()
    with uow:
        stmt = (
            select(
                Memorandum.id,
                Memorandum.number,
                Memorandum.title,
                Memorandum.party_kind,
                ngo.c.name,
                County.name,
                Memorandum.amount,
                Memorandum.signed_on,
                Memorandum.ends_on,
                Memorandum.state,
                paid_of(),
                latest,
                harm.c.name,
            )
            .select_from(Memorandum)
            .outerjoin(County, County.id == Memorandum.county_id)
            .outerjoin(ngo, ngo.c.id == Memorandum.ngo_id)
            .outerjoin(harm, harm.c.id == Memorandum.social_harm_id)
            .where(*_where(flt))
            .order_by(*_order(sort, descending))
            .offset(max(0, offset))
            .limit(max(0, limit))
        )
        return [
            MemorandumRow(
                id=r[0],
                number=r[1],
                title=r[2],
                party_kind=r[3],
                ngo_name=r[4] or "",
                county_name=r[5] or "استان",
                amount=int(r[6]),
                signed_on=r[7],
                ends_on=r[8],
                state=r[9],
                paid=int(r[10]),
                latest_progress=r[11] or None,
                overdue=rules.is_overdue(r[8], r[11], r[9], today),
                social_harm_name=r[12] or "",
            )
            for r in uow.s.execute(stmt)
        ]


def memorandum_years(uow: UnitOfWork) -> list[int]:
    """The Jalali years in which memoranda in the actor's scope were signed, oldest first (the list's year
    filter). One index seek per year: the first signing date, then the first after each year found."""
    years: list[int] = []
    after = None
    with uow:
        while True:
            stmt = select(func.min(Memorandum.signed_on))
            if after is not None:
                stmt = stmt.where(Memorandum.signed_on > after)
            first = uow.s.execute(stmt).scalar_one()
            if first is None:
                return years
            year = jalali_year_of(first)
            years.append(year)
            after = year_range(year)[1]


__all__ = [
    "SORT_KEYS",
    "MemorandumFilter",
    "MemorandumRow",
    "count_memoranda",
    "filter_conditions",
    "latest_progress_of",
    "list_memorandum_page",
    "memorandum_years",
    "paid_of",
    "party_name",
    "release_threshold",
    "waiting_condition",
]
