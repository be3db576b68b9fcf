"""The «تفاهم‌نامه‌ها» sheet: import and export of memoranda.

A memorandum is identified by its number (unique across every county). A row whose number is stored with
the same details counts as unchanged, so a file imported twice adds nothing; a row whose number is stored
with other details, or in a county the actor does not see, is an error on «شماره تفاهم‌نامه»; the same
number twice in the file is an error on the later row.

Each row is read into the MemorandumInput the memorandum dialog gives and checked by THE memorandum
validator (``services.memoranda.memoranda.validate_memorandum``; ``memorandum_errors`` lists every rule a
bad row breaks). «طرف تفاهم‌نامه» is «فرمانداری» (the governorate of the row's county) or an NGO's national
ID; «شهرستان» is a county or «استان» (for an NGO party, «استان» is the NGO's own county, as in the dialog);
«دفتر تسهیلگری» is the name of an office stored in that county. Import order for this area: offices,
memoranda, progress reports, payments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.memoranda import PARTY_COUNTY, PARTY_LABELS, PARTY_NGO, STATE_LABELS
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.memoranda.memoranda import (
    NUMBER_MAX,
    SOCIAL_HARM_KIND,
    TITLE_MAX,
    MemorandumFilter,
    MemorandumInput,
    clean_number,
    filter_conditions,
    memorandum_errors,
    validate_memorandum,
)
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    county_guard,
    finish_import,
    read_rows,
)
from ostandari_desk.services.transfer.record_rows import RecordRows, insert_new
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_digits,
    cell_int,
    cell_text,
)
from ostandari_desk.store.models import County, FacilitationOffice, Memorandum, Ngo, ReferenceItem
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND", "PROVINCE_LABEL"]

H_NUMBER = "شماره تفاهم‌نامه"
H_TITLE = "عنوان"
H_PARTY = "طرف تفاهم‌نامه"
H_COUNTY = "شهرستان"
H_HARM = "حوزه آسیب"
H_OFFICE = "دفتر تسهیلگری"
H_AMOUNT = "مبلغ (ریال)"
H_SIGNED = "تاریخ انعقاد"
H_STARTS = "تاریخ شروع"
H_DURATION = "مدت (ماه)"
H_STATE = "وضعیت"

PROVINCE_LABEL = "استان"
GOVERNORATE = PARTY_LABELS[PARTY_COUNTY]  # «فرمانداری»

COLUMNS = (
    Column(H_NUMBER, "number", True, max_length=NUMBER_MAX + 40),
    Column(H_TITLE, "title", True, max_length=TITLE_MAX + 100),
    Column(H_PARTY, "party", True, max_length=100),
    Column(H_COUNTY, "county", True, max_length=100),
    Column(H_HARM, "harm", max_length=300),
    Column(H_OFFICE, "office", max_length=300),
    Column(H_AMOUNT, "amount", True, max_length=60),
    Column(H_SIGNED, "signed_on", True, max_length=40),
    Column(H_STARTS, "starts_on", max_length=40),
    Column(H_DURATION, "duration", max_length=20),
    Column(H_STATE, "state", max_length=60),
)

_FIELD_HEADERS = {
    "number": H_NUMBER,
    "title": H_TITLE,
    "party_kind": H_PARTY,
    "ngo_id": H_PARTY,
    "county_id": H_COUNTY,
    "social_harm_id": H_HARM,
    "office_id": H_OFFICE,
    "amount": H_AMOUNT,
    "signed_on": H_SIGNED,
    "starts_on": H_STARTS,
    "duration_months": H_DURATION,
    "state": H_STATE,
}
_STATES = {text.normalize(label).replace(" ", ""): code for code, label in STATE_LABELS.items()}
# the columns a re-imported row must match to count as the stored memorandum
_COMPARED = (
    "title",
    "party_kind",
    "ngo_id",
    "county_id",
    "social_harm_id",
    "office_id",
    "amount",
    "signed_on",
    "starts_on",
    "duration_months",
    "state",
)
_PROGRESS_EVERY = 500
_EXPORT_PAGE = 2000


class _Lookups:
    """The names and IDs a row may give: counties, NGOs (every one: a county memorandum may name a
    province NGO), social harms, offices (by county and normalized name), stored numbers."""

    def __init__(self, uow: UnitOfWork):
        s = uow.s
        c = County.__table__.c
        self.counties = {key: cid for cid, key in s.execute(select(c.id, c.name_key))}
        self.county_names = dict(s.execute(select(c.id, c.name)).all())
        n = Ngo.__table__.c
        self.ngos = {
            nid: (ngo_id, county_id)
            for ngo_id, nid, county_id in s.execute(select(n.id, n.national_id, n.county_id))
        }
        r = ReferenceItem.__table__.c
        self.harms = {
            text.normalize(name): item_id
            for item_id, name in s.execute(select(r.id, r.name).where(r.kind == SOCIAL_HARM_KIND))
        }
        o = FacilitationOffice.__table__.c
        self.offices = {(cid, key): oid for oid, cid, key in s.execute(select(o.id, o.county_id, o.name_key))}
        m = Memorandum.__table__.c
        self.numbers = {number: mid for mid, number in s.execute(select(m.id, m.number))}


def _read(
    number: int, values: tuple, get: dict, known: _Lookups, county_refused
) -> tuple[MemorandumInput, list[RowError]]:
    """The row as the MemorandumInput the dialog would give, and the errors of cells that could not be read."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        if not any(e.column == header for e in errors):  # one reason per cell
            errors.append(RowError(number, header, reason))

    county_text = cell_text(get["county"](values))
    county_key = text.normalize(county_text)
    county_id = None
    province = county_key == text.normalize(PROVINCE_LABEL)
    if not county_key:
        fail(H_COUNTY, "شهرستان وارد نشده است؛ برای تفاهم‌نامه استانی «استان» بنویسید")
    elif not province:
        county_id = known.counties.get(county_key)
        if county_id is None:
            fail(H_COUNTY, f"شهرستان «{county_text}» در فهرست شهرستان‌های استان نیست")
    if (county_id is not None or province) and (reason := county_refused(county_id, county_text)):
        fail(H_COUNTY, reason)

    party_cell = get["party"](values)
    party_text = cell_text(party_cell)
    party_kind = ""
    ngo_id = None
    office_county = county_id
    if not party_text:
        fail(H_PARTY, "طرف تفاهم‌نامه وارد نشده است؛ «فرمانداری» یا شناسه ملی سمن")
    elif text.normalize(party_text) == text.normalize(GOVERNORATE):
        party_kind = PARTY_COUNTY
        if province:
            fail(H_COUNTY, "طرف تفاهم‌نامه فرمانداری است؛ شهرستان آن را بنویسید («استان» فرمانداری ندارد)")
    else:
        party_kind = PARTY_NGO
        found = known.ngos.get(cell_digits(party_cell))
        if found is None:
            fail(
                H_PARTY,
                f"طرف تفاهم‌نامه «{text.to_persian_digits(party_text)}» نه «فرمانداری» است و نه شناسه ملی "
                "سمنی ثبت‌شده",
            )
        else:
            ngo_id = found[0]
            if province:
                office_county = found[1]  # the validator puts the memorandum in the NGO's county

    harm_text = cell_text(get["harm"](values))
    harm_id = None
    if harm_text:
        harm_id = known.harms.get(text.normalize(harm_text))
        if harm_id is None:
            fail(H_HARM, f"حوزه آسیب «{harm_text}» در فهرست آسیب‌های اجتماعی نیست")

    office_text = cell_text(get["office"](values))
    office_id = None
    if office_text and not any(e.column in (H_COUNTY, H_PARTY) for e in errors):
        office_id = known.offices.get((office_county, text.normalize(office_text)))
        if office_id is None:
            where = known.county_names.get(office_county, "") if office_county else ""
            in_county = f" در شهرستان «{where}»" if where else ""
            fail(
                H_OFFICE,
                f"دفتر تسهیلگری «{office_text}»{in_county} ثبت نشده است؛ نخست دفاتر تسهیلگری را وارد کنید",
            )

    amount: int | None = None
    try:
        amount = cell_int(get["amount"](values))
    except ValidationError as exc:
        fail(H_AMOUNT, f"مبلغ باید عددی صحیح به ریال باشد: {exc.message}")

    dates: dict[str, Any] = {}
    for key, header in (("signed_on", H_SIGNED), ("starts_on", H_STARTS)):
        try:
            dates[key] = cell_date(get[key](values))
        except ValidationError as exc:
            fail(header, exc.message)
            dates[key] = None

    duration: int | None = None
    try:
        duration = cell_int(get["duration"](values))
    except ValidationError as exc:
        fail(H_DURATION, f"مدت باید عددی صحیح از ۱ تا ۳۶ ماه باشد: {exc.message}")

    state_text = cell_text(get["state"](values))
    state = "active"
    if state_text:
        found_state = _STATES.get(text.normalize(state_text).replace(" ", ""))
        if found_state is None:
            fail(H_STATE, f"وضعیت «{state_text}» نادرست است؛ جاری، خاتمه‌یافته یا لغوشده (خالی = جاری)")
        else:
            state = found_state

    data = MemorandumInput(
        number=cell_text(get["number"](values)),
        title=cell_text(get["title"](values)),
        party_kind=party_kind,
        ngo_id=ngo_id,
        county_id=county_id,
        social_harm_id=harm_id,
        office_id=office_id,
        amount=amount,
        signed_on=dates["signed_on"],
        starts_on=dates["starts_on"],
        duration_months=duration,
        state=state,
    )
    return data, errors


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        known = _Lookups(uow)
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        county_refused = county_guard(uow)
        rows = RecordRows(
            uow,
            report,
            validate=validate_memorandum,
            rule_errors=memorandum_errors,
            headers=_FIELD_HEADERS,
            key_header=H_NUMBER,
            key_field="number",
            compared=_COMPARED,
            repeated=lambda key, row, first: (
                f"شماره تفاهم‌نامه «{text.to_persian_digits(key)}» در ردیف "
                f"{text.to_persian_digits(first)} همین پرونده هم آمده است"
            ),
            changed=lambda key, stored: (
                f"تفاهم‌نامه «{text.to_persian_digits(key)}» پیش‌تر («{stored.title}») با اطلاعات "
                "دیگری ثبت شده است؛ ویرایش آن را در برنامه انجام دهید"
            ),
        )

        def check(number: int, values: tuple) -> tuple[dict | None, list[RowError]]:
            data, errors = _read(number, values, get, known, county_refused)
            key = clean_number(data.number)
            stored_id = known.numbers.get(key)
            stored = uow.s.get(Memorandum, stored_id) if stored_id else None  # None: another county's
            return rows.check(number, data, errors, key, stored)

        def store(good: list[dict[str, Any]]) -> None:
            insert_new(uow, Memorandum, good, chunk=1000)  # through the session: audited

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, store)


# --- export -------------------------------------------------------------------------------------


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    """Every memorandum in the actor's scope (matching ``flt`` when it is a MemorandumFilter), by number,
    a page at a time."""
    conditions = filter_conditions(flt) if isinstance(flt, MemorandumFilter) else []
    with uow:
        county_names = dict(uow.s.execute(select(County.id, County.name)).all())
        r = ReferenceItem.__table__.c
        harm_names = dict(uow.s.execute(select(r.id, r.name).where(r.kind == SOCIAL_HARM_KIND)).all())
        ngo, office = Ngo.__table__, FacilitationOffice.__table__
    after: str | None = None
    while True:
        with uow:
            stmt = (
                select(Memorandum, ngo.c.national_id, office.c.name)
                .outerjoin(ngo, ngo.c.id == Memorandum.ngo_id)
                .outerjoin(office, office.c.id == Memorandum.office_id)
                .where(*conditions)
                .order_by(Memorandum.number)
                .limit(_EXPORT_PAGE)
            )
            if after is not None:
                stmt = stmt.where(Memorandum.number > after)
            page = uow.s.execute(stmt).all()
            rows = [
                (
                    m.number,
                    m.title,
                    GOVERNORATE if m.party_kind == PARTY_COUNTY else (national_id or ""),
                    county_names.get(m.county_id, "") if m.county_id else PROVINCE_LABEL,
                    harm_names.get(m.social_harm_id, "") if m.social_harm_id else "",
                    office_name or "",
                    int(m.amount),
                    format_jalali(m.signed_on),
                    "" if m.starts_on == m.signed_on else format_jalali(m.starts_on),
                    m.duration_months,
                    STATE_LABELS.get(m.state, m.state),
                )
                for m, national_id, office_name in page
            ]
            if page:
                after = page[-1][0].number
        yield from rows
        if len(page) < _EXPORT_PAGE:
            return


KIND = TransferKind(
    name="memoranda",
    title="تفاهم‌نامه‌ها",
    unit="تفاهم‌نامه",
    table="memorandum",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
