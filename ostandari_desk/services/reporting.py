"""Plain frozen data for the printed papers: the NGO register, one NGO's file, a licence certificate,
the expiring/expired licences list, and the letterhead values. Each calls the services that own the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS, Level, LicenceState
from ostandari_desk.errors import NotFoundError, UserError
from ostandari_desk.services import events as event_service
from ostandari_desk.services import letters as letter_service
from ostandari_desk.services import licences as licence_service
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.store.models import County, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "CertificateData",
    "ExpiringData",
    "LetterheadValues",
    "NgoFileData",
    "RegisterData",
    "RegisterRow",
    "certificate_data",
    "describe_filter",
    "expiring_data",
    "letterhead_values",
    "ngo_file_data",
    "ngo_id_by_national_id",
    "register_data",
]

_PAGE = 5000


@dataclass(frozen=True)
class LetterheadValues:
    office_name: str
    logo_path: str | None


def letterhead_values(uow: UnitOfWork) -> LetterheadValues:
    """The office name and logo the settings hold (the caller makes a reports Letterhead of them)."""
    with uow:
        name = settings.get_setting(uow, "office_name") or ""
        logo = settings.get_setting(uow, "logo_path") or None
    return LetterheadValues(name, logo)


def ngo_id_by_national_id(uow: UnitOfWork, national_id: str) -> str:
    """The NGO with this national ID (Persian or Latin digits); NotFoundError otherwise."""
    wanted = text.digits_to_latin(text.clean(national_id)).strip()
    with uow:
        found = uow.s.exec(select(Ngo.id).where(Ngo.national_id == wanted)).first()
    if found is None:
        raise NotFoundError(f"سازمانی با شناسه ملی {text.to_persian_digits(wanted)} ثبت نشده است")
    return found


# --- the register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    name: str
    national_id: str
    registration_no: str
    county_name: str
    level_label: str
    ceo_name: str
    status_label: str
    licence_state_label: str


@dataclass(frozen=True)
class RegisterData:
    filter_text: str
    rows: tuple[RegisterRow, ...]


def describe_filter(uow: UnitOfWork, flt: ngo_service.NgoFilter) -> str:
    """The list filter in words, printed under the register's title."""
    parts = []
    if flt.text.strip():
        parts.append(f"جست‌وجو: «{text.clean(flt.text)}»")
    if flt.county_id == ngo_service.PROVINCE_ONLY:
        parts.append("سازمان‌های استانی (بدون شهرستان)")
    elif flt.county_id:
        with uow:
            county = uow.s.get(County, flt.county_id)
        parts.append(f"شهرستان: {county.name if county else '؟'}")
    if flt.level:
        parts.append(f"سطح: {LEVEL_LABELS.get(Level(flt.level), flt.level)}")
    if flt.status:
        parts.append(f"وضعیت: {ngo_service.STATUS_LABELS.get(flt.status, flt.status)}")
    if flt.licence_state:
        parts.append(
            f"پروانه: {LICENCE_STATE_LABELS.get(LicenceState(flt.licence_state), flt.licence_state)}"
        )
    if flt.field_id:
        parts.append("حوزه فعالیت انتخاب‌شده")
    return "، ".join(parts) if parts else "همه سازمان‌ها"


def register_data(
    uow: UnitOfWork, flt: ngo_service.NgoFilter | None = None, sort: str = "name", descending: bool = False
) -> RegisterData:
    """Every NGO the list filter selects (all pages), in the list's order."""
    flt = flt or ngo_service.NgoFilter()
    rows: list[RegisterRow] = []
    with uow:
        offset = 0
        while True:
            page = ngo_service.list_ngo_page(uow, flt, sort, descending, offset, _PAGE)
            for r in page:
                rows.append(
                    RegisterRow(
                        name=text.to_persian_digits(r.name),
                        national_id=text.to_persian_digits(r.national_id),
                        registration_no=text.to_persian_digits(r.registration_no),
                        county_name=r.county_name,
                        level_label=LEVEL_LABELS.get(Level(r.level), r.level) if r.level else "",
                        ceo_name=text.to_persian_digits(r.ceo_name),
                        status_label=ngo_service.STATUS_LABELS.get(r.status, r.status),
                        licence_state_label=LICENCE_STATE_LABELS.get(
                            LicenceState(r.licence_state), r.licence_state
                        ),
                    )
                )
            if len(page) < _PAGE:
                break
            offset += _PAGE
        described = describe_filter(uow, flt)
    return RegisterData(described, tuple(rows))


# --- one NGO's file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NgoFileData:
    ngo: ngo_service.NgoDetail
    timeline: tuple[licence_service.TimelineEntry, ...]
    events: tuple[event_service.NgoEventRow, ...]
    letters: tuple[letter_service.LetterRow, ...]


def ngo_file_data(uow: UnitOfWork, ngo_id: str) -> NgoFileData:
    """The NGO's details and board, its licence timeline, its events and its letters."""
    ngo = ngo_service.get_ngo(uow, ngo_id)
    return NgoFileData(
        ngo=ngo,
        timeline=tuple(licence_service.timeline(uow, ngo_id)),
        events=tuple(event_service.events_of_ngo(uow, ngo_id)),
        letters=tuple(letter_service.letters_of_ngo(uow, ngo_id)),
    )


# --- the licence certificate ----------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateData:
    ngo_name: str
    national_id: str
    registration_no: str
    level_label: str
    county_name: str
    fields: tuple[str, ...]
    ceo_name: str
    address: str
    licence_number: str
    issued_on: str
    expires_on: str
    validity_years: int
    licence_state: str
    issuer: str


def certificate_data(uow: UnitOfWork, ngo_id: str) -> CertificateData:
    """What the licence certificate prints; UserError when the NGO holds no valid licence."""
    ngo = ngo_service.get_ngo(uow, ngo_id)
    licence = licence_service.current_licence_info(uow, ngo_id)
    if licence is None:
        raise UserError(f"«{ngo.name}» پروانه فعالیتی ندارد که چاپ شود")
    if licence.state != "valid":
        raise UserError(f"پروانه «{ngo.name}» معتبر نیست و چاپ نمی‌شود")
    level = Level(licence.level) if licence.level in {lv.value for lv in Level} else None
    issuers = {Level.COUNTY: f"فرمانداری {ngo.county_name}", Level.NATIONAL: "وزارت کشور"}
    issuer = issuers.get(level, "استانداری") if level else "استانداری"
    return CertificateData(
        ngo_name=ngo.name,
        national_id=text.to_persian_digits(ngo.national_id),
        registration_no=text.to_persian_digits(ngo.registration_no),
        level_label=LEVEL_LABELS.get(level, licence.level) if level else licence.level,
        county_name=ngo.county_name,
        fields=tuple(ngo.field_names),
        ceo_name=ngo.ceo_name,
        address=ngo.address,
        licence_number=text.to_persian_digits(licence.number),
        issued_on=jalali.format_jalali(licence.issued_on),
        expires_on=jalali.format_jalali(licence.expires_on),
        validity_years=licence.validity_years,
        licence_state=licence.state,
        issuer=issuer,
    )


# --- expiring and expired licences ----------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringData:
    today: date
    within_days: int
    scope_name: str
    expiring: tuple[licence_service.LicenceRow, ...]
    expired: tuple[licence_service.LicenceRow, ...]


def expiring_data(
    uow: UnitOfWork,
    today: date | None = None,
    within_days: int | None = None,
    county_id: str | None = None,
    include_expired: bool = True,
) -> ExpiringData:
    """Valid licences expiring within ``within_days`` (setting by default) and, optionally, expired ones."""
    today = today or date.today()
    if within_days is None:
        within_days = int(settings.get_setting(uow, "expiring_window_days"))
    scope = "کل استان"
    if county_id is not None:
        with uow:
            county = uow.s.get(County, county_id)
        if county is None:
            raise NotFoundError("شهرستان انتخاب‌شده پیدا نشد")
        scope = f"شهرستان {county.name}"
    expiring = licence_service.expiring_licences(uow, today, within_days, county_id)
    expired = licence_service.expired_licences(uow, today, county_id) if include_expired else []
    return ExpiringData(today, within_days, scope, tuple(expiring), tuple(expired))
