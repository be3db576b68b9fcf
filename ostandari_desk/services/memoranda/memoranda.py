"""The memoranda register: one input and one validator (the dialog's and the ``memoranda`` importer's),
saving with versions, the state, the list page and a memorandum's detail with its ledger.

A memorandum is county-owned (None: the province, «استان»); reads go through the unit of work's session, so a
county user sees only their county's. Numbers are unique across every county, so the duplicate check looks
beyond the scope, as do the party NGO's and the office's look-ups (a county memorandum may name a
provincial NGO).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import col

from ostandari_desk import settings
from ostandari_desk.domain import memoranda as rules
from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import add_months, format_jalali
from ostandari_desk.domain.memoranda import PARTY_COUNTY, PARTY_NGO, STATE_LABELS
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.memoranda.listing import (
    SORT_KEYS,
    MemorandumFilter,
    MemorandumRow,
    count_memoranda,
    filter_conditions,
    list_memorandum_page,
    party_name,
)
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import (
    County,
    FacilitationOffice,
    Memorandum,
    Ngo,
    Payment,
    ProgressAttachment,
    ProgressReport,
    ReferenceItem,
)
from ostandari_desk.store.uow import UnitOfWork

SOCIAL_HARM_KIND = "social_harm"
NUMBER_MAX = 60
TITLE_MIN, TITLE_MAX = 2, 300
STALE_MEMORANDUM = "این تفاهم‌نامه را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"
MISSING_MEMORANDUM = "تفاهم‌نامه پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است"


@dataclass(frozen=True)
class MemorandumInput:
    """What the clerk types (or a sheet row brings) for a memorandum. ``starts_on`` None = the signing
    date; ``duration_months`` None = 3; for an NGO party, ``county_id`` None = the NGO's county."""

    number: str
    title: str
    party_kind: str  # ngo | county
    ngo_id: str | None = None
    county_id: str | None = None
    social_harm_id: str | None = None
    office_id: str | None = None
    amount: int | None = None
    signed_on: date | None = None
    starts_on: date | None = None
    duration_months: int | None = rules.DEFAULT_DURATION_MONTHS
    state: str = rules.ACTIVE


@dataclass(frozen=True)
class ProgressRow:
    id: str
    reported_on: date
    percent: int
    note: str
    scans: int  # attachments (services/attachments.PROGRESS)


@dataclass(frozen=True)
class PaymentRow:
    id: str
    tranche_no: int
    paid_on: date
    amount: int


@dataclass(frozen=True)
class Ledger:
    """Amount, paid, remaining (whole rials) and % paid against % progress."""

    amount: int
    paid: int
    latest_progress: int | None  # the highest (so the latest) progress %, None before any report

    @property
    def remaining(self) -> int:
        return self.amount - self.paid

    @property
    def paid_percent(self) -> int:
        return rules.paid_percent(self.amount, self.paid)

    @property
    def progress_percent(self) -> int:
        return self.latest_progress or 0


@dataclass(frozen=True)
class MemorandumDetail:
    id: str
    number: str
    title: str
    party_kind: str
    ngo_id: str | None
    ngo_name: str
    ngo_national_id: str
    county_id: str | None
    county_name: str
    social_harm_id: str | None
    social_harm_name: str
    office_id: str | None
    office_name: str
    amount: int
    signed_on: date
    starts_on: date
    duration_months: int
    ends_on: date
    state: str
    row_version: int
    progress: tuple[ProgressRow, ...]  # oldest first
    payments: tuple[PaymentRow, ...]  # by tranche
    ledger: Ledger
    overdue: bool

    @property
    def party_name(self) -> str:
        return party_name(self.party_kind, self.ngo_name, self.county_name)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def next_tranche_no(self) -> int:
        return len(self.payments) + 1

    def to_input(self) -> MemorandumInput:
        return MemorandumInput(
            number=self.number,
            title=self.title,
            party_kind=self.party_kind,
            ngo_id=self.ngo_id,
            county_id=self.county_id,
            social_harm_id=self.social_harm_id,
            office_id=self.office_id,
            amount=self.amount,
            signed_on=self.signed_on,
            starts_on=self.starts_on,
            duration_months=self.duration_months,
            state=self.state,
        )


# --- validation -----------------------------------------------------------------------------------


def clean_number(number: str) -> str:
    """A memorandum number as stored: Latin digits, tidy spaces (``۱۲/ت`` → ``12/ت``)."""
    return text.digits_to_latin(text.clean(number or ""))


def _ngo(uow: UnitOfWork, ngo_id: str):
    """(id, county_id, name) of the NGO, looked up past the scope; None when there is none."""
    t = Ngo.__table__.c
    return uow.s.execute(select(t.id, t.county_id, t.name).where(t.id == ngo_id)).first()


def _county_error(uow: UnitOfWork, county_id: str | None, stored: Memorandum | None) -> str:
    """Why ``county_id`` is refused ("" = it is not); None is the province."""
    if county_id is None:
        if uow.actor.county_scope is not None:
            return "کارشناس شهرستان تفاهم‌نامه استانی ثبت نمی‌کند؛ شهرستان را انتخاب کنید"
        return ""
    county = uow.s.get(County, county_id)
    province_id = settings.get_setting(uow, "province_id")
    if county is None or (province_id and county.province_id != province_id):
        return "شهرستان تفاهم‌نامه در شهرستان‌های استان پیدا نشد"
    if not uow.actor.sees_county(county_id):
        return "کارشناس شهرستان فقط تفاهم‌نامه‌های شهرستان خود را ثبت می‌کند"
    kept = stored is not None and stored.county_id == county_id
    if not county.active and not kept:
        return f"شهرستان «{county.name}» غیرفعال شده است"
    return ""


def _harm_error(uow: UnitOfWork, harm_id: str | None, stored: Memorandum | None) -> str:
    if harm_id is None:
        return ""
    item = uow.s.get(ReferenceItem, harm_id)
    if item is None or item.kind != SOCIAL_HARM_KIND:
        return "حوزه آسیب در فهرست آسیب‌های اجتماعی پیدا نشد"
    kept = stored is not None and stored.social_harm_id == harm_id
    if not item.active and not kept:
        return f"حوزه آسیب «{item.name}» غیرفعال شده است"
    return ""


def _office_error(uow: UnitOfWork, office_id: str | None, county_id: str | None) -> str:
    if office_id is None:
        return ""
    t = FacilitationOffice.__table__.c
    office = uow.s.execute(select(t.county_id, t.name).where(t.id == office_id)).first()
    if office is None:
        return "دفتر تسهیلگری پیدا نشد"
    if office.county_id != county_id:
        return f"دفتر تسهیلگری «{office.name}» در شهرستان این تفاهم‌نامه نیست"
    return ""


def _amount_error(amount: object, paid: int) -> str:
    if amount is None:
        return "مبلغ تفاهم‌نامه وارد نشده است"
    if isinstance(amount, bool) or not isinstance(amount, int):
        return "مبلغ تفاهم‌نامه باید عددی درست به ریال باشد"
    if amount <= 0:
        return "مبلغ تفاهم‌نامه باید بیشتر از صفر ریال باشد"
    if amount > rules.MAX_RIALS:
        return "مبلغ تفاهم‌نامه بیش از اندازه بزرگ است"
    if amount < paid:
        return f"مبلغ تفاهم‌نامه از جمع پرداخت‌های آن ({text.format_rials(paid)}) کمتر نمی‌شود"
    return ""


def _paid(uow: UnitOfWork, memorandum_id: str) -> int:
    found = uow.s.execute(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.memorandum_id == memorandum_id)
    ).scalar_one()
    return int(found)


def _first_record_on(uow: UnitOfWork, memorandum_id: str) -> date | None:
    """The earliest progress report or payment of a memorandum (they may not come before its signing)."""
    firsts = [
        uow.s.execute(
            select(func.min(ProgressReport.reported_on)).where(ProgressReport.memorandum_id == memorandum_id)
        ).scalar(),
        uow.s.execute(
            select(func.min(Payment.paid_on)).where(Payment.memorandum_id == memorandum_id)
        ).scalar(),
    ]
    found = [d for d in firsts if d is not None]
    return min(found) if found else None


def cancel_error(uow: UnitOfWork, memorandum_id: str, on: date) -> str:
    """Why a memorandum may not be cancelled on ``on`` ("" = it may): a payment dated after it."""
    later = uow.s.execute(
        select(func.max(Payment.paid_on)).where(Payment.memorandum_id == memorandum_id, Payment.paid_on > on)
    ).scalar()
    if later is None:
        return ""
    return (
        f"پرداختی به تاریخ {format_jalali(later)} پس از لغو ({format_jalali(on)}) ثبت شده است؛ "
        "تفاهم‌نامه‌ای که پس از لغو پرداخت دارد لغو نمی‌شود"
    )


def _checked(
    uow: UnitOfWork, data: MemorandumInput, stored: Memorandum | None, today: date
) -> tuple[dict, list[ValidationError]]:
    """The column values of ``data`` and every rule it breaks (the values are meaningless unless none)."""
    errors: list[ValidationError] = []

    def fail(field: str, message: str) -> None:
        errors.append(ValidationError(message, field=field, record=stored.id if stored else None))

    number = clean_number(data.number)
    if not number:
        fail("number", "شماره تفاهم‌نامه وارد نشده است")
    elif len(number) > NUMBER_MAX:
        fail("number", f"شماره تفاهم‌نامه بیش از {text.to_persian_digits(NUMBER_MAX)} نویسه است")
    title = text.clean(data.title)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        fail(
            "title",
            "عنوان تفاهم‌نامه وارد نشده است"
            if not title
            else f"عنوان تفاهم‌نامه باید {text.to_persian_digits(TITLE_MIN)} تا "
            f"{text.to_persian_digits(TITLE_MAX)} نویسه باشد",
        )
    county_id = data.county_id
    ngo_id = None
    if data.party_kind == PARTY_COUNTY:
        if county_id is None:
            fail("county_id", "طرف تفاهم‌نامه فرمانداری است؛ شهرستان آن را انتخاب کنید")
    elif data.party_kind == PARTY_NGO:
        ngo = _ngo(uow, data.ngo_id) if data.ngo_id else None
        if not data.ngo_id:
            fail("ngo_id", "سمن طرف تفاهم‌نامه انتخاب نشده است")
        elif ngo is None:
            fail("ngo_id", "سمن طرف تفاهم‌نامه در فهرست سمن‌ها پیدا نشد")
        else:
            ngo_id = ngo.id
            if county_id is None:
                county_id = ngo.county_id
    else:
        fail("party_kind", "طرف تفاهم‌نامه (فرمانداری یا سمن) را انتخاب کنید")
    if not any(e.field == "county_id" for e in errors) and (reason := _county_error(uow, county_id, stored)):
        fail("county_id", reason)
    if reason := _harm_error(uow, data.social_harm_id, stored):
        fail("social_harm_id", reason)
    if reason := _office_error(uow, data.office_id, county_id):
        fail("office_id", reason)
    paid = _paid(uow, stored.id) if stored is not None else 0
    if reason := _amount_error(data.amount, paid):
        fail("amount", reason)
    signed_on, starts_on = data.signed_on, data.starts_on
    if not isinstance(signed_on, date):
        fail("signed_on", "تاریخ انعقاد تفاهم‌نامه وارد نشده است")
        signed_on = None
    elif signed_on > today:
        fail("signed_on", f"تاریخ انعقاد ({format_jalali(signed_on)}) پس از امروز است")
    elif stored is not None and (first := _first_record_on(uow, stored.id)) and first < signed_on:
        fail(
            "signed_on",
            f"گزارش پیشرفت یا پرداختی به تاریخ {format_jalali(first)} پیش از این تاریخ انعقاد ثبت شده است",
        )
    if starts_on is None:
        starts_on = signed_on
    elif not isinstance(starts_on, date):
        fail("starts_on", "تاریخ شروع نادرست است")
        starts_on = None
    elif signed_on is not None and starts_on < signed_on:
        fail(
            "starts_on",
            f"تاریخ شروع ({format_jalali(starts_on)}) پیش از تاریخ انعقاد ({format_jalali(signed_on)}) است",
        )
    duration = rules.DEFAULT_DURATION_MONTHS if data.duration_months is None else data.duration_months
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not (rules.DURATION_MIN <= duration <= rules.DURATION_MAX)
    ):
        fail(
            "duration_months",
            f"مدت تفاهم‌نامه باید {text.to_persian_digits(rules.DURATION_MIN)} تا "
            f"{text.to_persian_digits(rules.DURATION_MAX)} ماه باشد",
        )
        duration = None
    state = data.state or rules.ACTIVE
    if state not in STATE_LABELS:
        fail("state", "وضعیت تفاهم‌نامه (جاری، خاتمه‌یافته یا لغوشده) را انتخاب کنید")
    elif (
        stored is not None
        and state == rules.CANCELLED
        and stored.state != rules.CANCELLED
        and (reason := cancel_error(uow, stored.id, today))
    ):
        fail("state", reason)
    values = {
        "number": number,
        "title": title,
        "title_sort": text.persian_sort_key(title),
        "search_text": search_text_of(number, title),
        "party_kind": data.party_kind,
        "ngo_id": ngo_id,
        "county_id": county_id,
        "social_harm_id": data.social_harm_id,
        "office_id": data.office_id,
        "amount": data.amount,
        "signed_on": signed_on,
        "starts_on": starts_on,
        "duration_months": duration,
        "ends_on": add_months(starts_on, duration) if starts_on and duration else None,
        "state": state,
    }
    return values, errors


def search_text_of(number: str, title: str) -> str:
    """A memorandum's ``search_text``: its number and title as the list's search compares them (hamza forms
    folded, half-spaces joined: services/search.py); every writer of a memorandum stores this."""
    return text.search_key(f"{number} {title}")


def memorandum_errors(
    uow: UnitOfWork, data: MemorandumInput, stored: Memorandum | None = None, *, today: date | None = None
) -> list[ValidationError]:
    """Every rule ``data`` breaks, in the form's order, each naming its MemorandumInput field ([] = none).

    THE rules of a memorandum: the dialog (through ``create_memorandum`` / ``update_memorandum``) and the
    «تفاهم‌نامه‌ها» sheet's importer both use them. ``stored``: the memorandum being edited (an inactive county
    or social harm it has may stay; its amount may not fall below what is paid, its signing not after its
    first report or payment, and it is cancelled only without a payment after ``today``). Fields: number,
    title, party_kind, ngo_id, county_id, social_harm_id, office_id, amount, signed_on, starts_on,
    duration_months, state. The number's uniqueness is ``validate_memorandum``'s last check.
    """
    with uow:
        return _checked(uow, data, stored, today or date.today())[1]


def _check_unique_number(uow: UnitOfWork, number: str, except_id: str | None) -> None:
    t = Memorandum.__table__.c
    found = uow.s.execute(select(t.id, t.county_id, t.title).where(t.number == number)).first()
    if found is not None and found.id != except_id:
        visible = uow.actor.sees_county(found.county_id)
        owner = f" (تفاهم‌نامه «{found.title}»)" if visible else " در شهرستان دیگری"
        raise DuplicateError(
            f"شماره تفاهم‌نامه «{text.to_persian_digits(number)}» پیش‌تر{owner} ثبت شده است",
            field="number",
            record=found.id if visible else None,
        )


def validate_memorandum(
    uow: UnitOfWork, data: MemorandumInput, stored: Memorandum | None = None, *, today: date | None = None
) -> dict:
    """The column values of ``data`` (``ends_on`` computed, ``title_sort`` beside the title); raises the
    first of ``memorandum_errors``, then DuplicateError (field «number») when the number is taken."""
    with uow:
        values, errors = _checked(uow, data, stored, today or date.today())
        if errors:
            raise errors[0]
        _check_unique_number(uow, values["number"], stored.id if stored is not None else None)
        return values


def get_stored(uow: UnitOfWork, memorandum_id: str) -> Memorandum:
    """The memorandum within the actor's scope, else NotFoundError / PermissionDeniedError (inside a block)."""
    return uow.get(Memorandum, memorandum_id, missing=MISSING_MEMORANDUM)


# --- commands ------------------------------------------------------------------------------------


def create_memorandum(uow: UnitOfWork, data: MemorandumInput, *, today: date | None = None) -> str:
    """Store a new memorandum; returns its id.

    Raises:
        ValidationError: a field breaks a rule (the error names it).
        DuplicateError: the number is taken.
    """
    with uow.writing():
        values = validate_memorandum(uow, data, today=today)
        memorandum = Memorandum(**stamps(), **values)
        uow.s.add(memorandum)
        uow.s.flush()
        uow.commit()
        return memorandum.id


def update_memorandum(
    uow: UnitOfWork,
    memorandum_id: str,
    data: MemorandumInput,
    expected_version: int,
    *,
    today: date | None = None,
) -> None:
    """Save changes to a memorandum opened at ``expected_version``.

    Raises:
        ConcurrentEditError: someone saved it since it was opened.
        PermissionDeniedError: another county's memorandum.
        ValidationError, DuplicateError: as ``validate_memorandum``.
    """
    with uow.writing():
        memorandum = get_stored(uow, memorandum_id)
        if memorandum.row_version != expected_version:
            raise ConcurrentEditError(STALE_MEMORANDUM, record=memorandum_id)
        values = validate_memorandum(uow, data, memorandum, today=today)
        save_versioned(uow, memorandum, expected_version, values, STALE_MEMORANDUM)
        uow.commit()


def set_memorandum_state(
    uow: UnitOfWork, memorandum_id: str, state: str, expected_version: int, *, on: date | None = None
) -> None:
    """Mark a memorandum جاری / خاتمه‌یافته / لغوشده. Cancelling on ``on`` (default today) is refused while a
    payment is dated after it; «خاتمه‌یافته» is fine any time."""
    with uow.writing():
        memorandum = get_stored(uow, memorandum_id)
        if memorandum.row_version != expected_version:
            raise ConcurrentEditError(STALE_MEMORANDUM, record=memorandum_id)
        if state not in STATE_LABELS:
            raise ValidationError(
                "وضعیت تفاهم‌نامه (جاری، خاتمه‌یافته یا لغوشده) را انتخاب کنید",
                field="state",
                record=memorandum_id,
            )
        if state == rules.CANCELLED and (reason := cancel_error(uow, memorandum_id, on or date.today())):
            raise ValidationError(reason, field="state", record=memorandum_id)
        save_versioned(uow, memorandum, expected_version, {"state": state}, STALE_MEMORANDUM)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def find_memorandum_id(uow: UnitOfWork, number: str) -> str | None:
    """The id of the memorandum with this number (typed with any digits), within the actor's scope."""
    key = clean_number(number)
    if not key:
        return None
    with uow:
        return uow.s.execute(select(Memorandum.id).where(Memorandum.number == key)).scalar()


def memorandum_ids_by_number(uow: UnitOfWork, numbers: list[str]) -> dict[str, str]:
    """{stored number: id} of those of ``numbers`` that name a memorandum in scope (the importers' look-up)."""
    keys = sorted({clean_number(n) for n in numbers} - {""})
    found: dict[str, str] = {}
    with uow:
        for start in range(0, len(keys), 500):
            stmt = select(Memorandum.number, Memorandum.id).where(
                col(Memorandum.number).in_(keys[start : start + 500])
            )
            found.update({number: mid for number, mid in uow.s.execute(stmt)})
    return found


def _progress_rows(uow: UnitOfWork, memorandum_id: str) -> tuple[ProgressRow, ...]:
    scans = (
        select(func.count())
        .where(ProgressAttachment.progress_id == ProgressReport.id)
        .correlate(ProgressReport)
        .scalar_subquery()
    )
    stmt = (
        select(
            ProgressReport.id, ProgressReport.reported_on, ProgressReport.percent, ProgressReport.note, scans
        )
        .where(ProgressReport.memorandum_id == memorandum_id)
        .order_by(ProgressReport.reported_on, ProgressReport.percent, ProgressReport.created_at)
    )
    return tuple(ProgressRow(r[0], r[1], r[2], r[3], int(r[4])) for r in uow.s.execute(stmt))


def _payment_rows(uow: UnitOfWork, memorandum_id: str) -> tuple[PaymentRow, ...]:
    stmt = (
        select(Payment.id, Payment.tranche_no, Payment.paid_on, Payment.amount)
        .where(Payment.memorandum_id == memorandum_id)
        .order_by(Payment.tranche_no)
    )
    return tuple(PaymentRow(r[0], r[1], r[2], int(r[3])) for r in uow.s.execute(stmt))


def get_memorandum(uow: UnitOfWork, memorandum_id: str, *, today: date | None = None) -> MemorandumDetail:
    """A memorandum with its progress reports, payments and ledger."""
    with uow:
        m = get_stored(uow, memorandum_id)
        ngo = _ngo(uow, m.ngo_id) if m.ngo_id else None
        ngo_national = (
            uow.s.execute(select(Ngo.__table__.c.national_id).where(Ngo.__table__.c.id == m.ngo_id)).scalar()
            if m.ngo_id
            else None
        )
        harm = uow.s.get(ReferenceItem, m.social_harm_id) if m.social_harm_id else None
        office_t = FacilitationOffice.__table__.c
        office = (
            uow.s.execute(select(office_t.name).where(office_t.id == m.office_id)).scalar()
            if m.office_id
            else None
        )
        progress = _progress_rows(uow, m.id)
        payments = _payment_rows(uow, m.id)
        latest = max((p.percent for p in progress), default=None)
        ledger = Ledger(m.amount, sum(p.amount for p in payments), latest)
        return MemorandumDetail(
            id=m.id,
            number=m.number,
            title=m.title,
            party_kind=m.party_kind,
            ngo_id=m.ngo_id,
            ngo_name=ngo.name if ngo else "",
            ngo_national_id=ngo_national or "",
            county_id=m.county_id,
            county_name=reference.county_name(uow, m.county_id),
            social_harm_id=m.social_harm_id,
            social_harm_name=harm.name if harm else "",
            office_id=m.office_id,
            office_name=office or "",
            amount=m.amount,
            signed_on=m.signed_on,
            starts_on=m.starts_on,
            duration_months=m.duration_months,
            ends_on=m.ends_on,
            state=m.state,
            row_version=m.row_version,
            progress=progress,
            payments=payments,
            ledger=ledger,
            overdue=rules.is_overdue(m.ends_on, latest, m.state, today or date.today()),
        )


def social_harm_choices(uow: UnitOfWork, include_inactive: bool = False) -> list[reference.ItemRow]:
    """The social harms of the reference list, in its order."""
    return reference.list_items(uow, SOCIAL_HARM_KIND, include_inactive=include_inactive)


__all__ = [
    "SORT_KEYS",
    "Ledger",
    "MemorandumDetail",
    "MemorandumFilter",
    "MemorandumInput",
    "MemorandumRow",
    "PaymentRow",
    "ProgressRow",
    "cancel_error",
    "clean_number",
    "count_memoranda",
    "create_memorandum",
    "filter_conditions",
    "find_memorandum_id",
    "get_memorandum",
    "get_stored",
    "list_memorandum_page",
    "memorandum_errors",
    "memorandum_ids_by_number",
    "search_text_of",
    "set_memorandum_state",
    "social_harm_choices",
    "update_memorandum",
    "validate_memorandum",
]
