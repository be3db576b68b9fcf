"""Plain frozen data for the printed papers: the NGO register, one NGO's file, a licence certificate,
the expiring/expired licences list, and the letterhead values. Each calls the services that own the data.

County scope: a county user's papers hold their county alone (no county chosen means theirs); asking for
another county, or for the file or certificate of another county's NGO, raises PermissionDeniedError.

:class:`ReportRequest` is what the reports page and the command line ask for; each report's gather
function (``annual_paper``, ``register_paper``…, named in ``reports.registry``) gives its data with the
words the audit keeps, and :func:`record_printed` writes the «report printed» entry once the paper exists
(``reports.papers.make_paper`` does both, for the GUI and the CLI alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS, Level, LicenceState
from ostandari_desk.errors import NotFoundError, UserError, ValidationError
from ostandari_desk.services.annual import AnnualComparison, annual_comparison
from ostandari_desk.store.models import County, Ngo, Province
from ostandari_desk.store.uow import UnitOfWork

if TYPE_CHECKING:  # imported where used: the annual report needs none of them
    from ostandari_desk.services import events as event_service
    from ostandari_desk.services import letters as letter_service
    from ostandari_desk.services import licences as licence_service
    from ostandari_desk.services import ngos as ngo_service

__all__ = [
    "AnnualPaper",
    "CertificateData",
    "ExpiringData",
    "Gathered",
    "LetterheadValues",
    "NgoFileData",
    "PaperData",
    "RegisterData",
    "RegisterRow",
    "ReportRequest",
    "Signer",
    "annual_paper",
    "certificate_data",
    "certificate_paper",
    "describe_filter",
    "expiring_data",
    "expiring_paper",
    "letterhead_values",
    "ngo_file_data",
    "ngo_file_paper",
    "ngo_id_by_national_id",
    "record_printed",
    "register_data",
    "register_paper",
    "signer_values",
]

_PAGE = 5000


@dataclass(frozen=True)
class LetterheadValues:
    office_name: str
    logo_path: str | None
    province_name: str = ""  # the installation's province (the letterhead's «استانداری …»)


def letterhead_values(uow: UnitOfWork) -> LetterheadValues:
    """The office name and logo the settings hold (the caller makes a reports Letterhead of them)."""
    with uow:
        name = settings.get_setting(uow, "office_name") or ""
        logo = settings.get_setting(uow, "logo_path") or None
        province_id = settings.get_setting(uow, "province_id")
        province = uow.s.get(Province, province_id) if province_id else None
        return LetterheadValues(name, logo, province.name if province is not None else "")


def ngo_id_by_national_id(uow: UnitOfWork, national_id: str) -> str:
    """The NGO with this national ID (Persian or Latin digits); NotFoundError otherwise."""
    wanted = text.digits_to_latin(text.clean(national_id)).strip()
    with uow:
        found = uow.s.exec(select(Ngo.id).where(Ngo.national_id == wanted)).first()
    if found is None:
        raise NotFoundError(f"سازمانی با شناسه ملی {text.to_persian_digits(wanted)} ثبت نشده است")
    return found


def _check_ngo(uow: UnitOfWork, ngo_id: str) -> None:
    """NotFoundError for an unknown NGO, PermissionDeniedError for one outside the actor's county."""
    ngo = Ngo.__table__.c  # a plain-table read: the session would hide the NGO instead of refusing it
    with uow:
        found = uow.s.execute(select(ngo.county_id).where(ngo.id == ngo_id)).first()
    if found is None:
        raise NotFoundError("سازمان پیدا نشد؛ شاید حذف شده باشد", record=ngo_id)
    uow.check_county(found[0], record=ngo_id)


def _scoped_county(uow: UnitOfWork, county_id: str | None) -> str | None:
    """The county a paper covers: a county user's own when none is chosen; another one is refused."""
    if county_id is None:
        county_id = uow.county_scope
    uow.check_county(county_id)
    return county_id


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
    from ostandari_desk.services import ngos as ngo_service

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
        labels = {**LICENCE_STATE_LABELS, ngo_service.LICENCE_EXPIRED: ngo_service.LICENCE_EXPIRED_LABEL}
        parts.append(f"پروانه: {labels.get(flt.licence_state, flt.licence_state)}")
    if flt.field_id:
        parts.append("حوزه فعالیت انتخاب‌شده")
    return "، ".join(parts) if parts else "همه سازمان‌ها"


def register_data(
    uow: UnitOfWork, flt: ngo_service.NgoFilter | None = None, sort: str = "name", descending: bool = False
) -> RegisterData:
    """Every NGO the list filter selects (all pages), in the list's order (a county user: their county's)."""
    from ostandari_desk.services import ngos as ngo_service

    flt = flt or ngo_service.NgoFilter()
    if flt.county_id == ngo_service.PROVINCE_ONLY:
        uow.check_county(None)
    else:
        flt = replace(flt, county_id=_scoped_county(uow, flt.county_id))
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
    from ostandari_desk.services import events as event_service
    from ostandari_desk.services import letters as letter_service
    from ostandari_desk.services import licences as licence_service
    from ostandari_desk.services import ngos as ngo_service

    with uow:
        _check_ngo(uow, ngo_id)
        return NgoFileData(
            ngo=ngo_service.get_ngo(uow, ngo_id),
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
    level: str = ""  # the licence's level (county/province/national): who signs it


def certificate_data(uow: UnitOfWork, ngo_id: str) -> CertificateData:
    """What the licence certificate prints; UserError when the NGO holds no valid licence."""
    from ostandari_desk.services import licences as licence_service
    from ostandari_desk.services import ngos as ngo_service

    with uow:
        _check_ngo(uow, ngo_id)
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
        level=licence.level,
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
    from ostandari_desk.services import licences as licence_service

    today = today or date.today()
    with uow:
        if within_days is None:
            within_days = int(settings.get_setting(uow, "expiring_window_days"))
        county_id = _scoped_county(uow, county_id)
        scope = "کل استان"
        if county_id is not None:
            county = uow.s.get(County, county_id)
            if county is None:
                raise NotFoundError("شهرستان انتخاب‌شده پیدا نشد")
            scope = f"شهرستان {county.name}"
        expiring = licence_service.expiring_licences(uow, today, within_days, county_id)
        expired = licence_service.expired_licences(uow, today, county_id) if include_expired else []
    return ExpiringData(today, within_days, scope, tuple(expiring), tuple(expired))


# --- what is asked for, and the audit of what was printed ------------------------------------------


class ReportRequest:
    """A report (its registry name: ``annual``, ``ngo-file``…) and its options by parameter key.

    ``ReportRequest("annual", year=1401, county_id=None)``; ``request.get("days")`` (None when not
    given) or ``request.year``. Frozen and comparable; made by the reports page and the command line
    through ``reports.registry``.
    """

    __slots__ = ("kind", "values")
    kind: str
    values: Mapping[str, Any]

    def __init__(self, kind: str, **values: Any):
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "values", MappingProxyType(dict(values)))

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("ReportRequest is frozen")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportRequest):
            return NotImplemented
        return self.kind == other.kind and dict(self.values) == dict(other.values)

    def __hash__(self) -> int:
        return hash((self.kind, tuple(sorted(self.values.items()))))

    def __repr__(self) -> str:
        options = "".join(f", {k}={v!r}" for k, v in self.values.items())
        return f"ReportRequest({self.kind!r}{options})"


@dataclass(frozen=True)
class Gathered:
    """What a report's gather function read: the paper's data, and for the audit the words after the
    report's title (its options in Persian) and the record the entry belongs to (an NGO's paper on the NGO)."""

    data: Any
    words: tuple[str, ...] = ()
    table: str = "report"
    record_id: str = ""


@dataclass(frozen=True)
class PaperData:
    """The data of one requested paper and how the audit names it (table, record id, words)."""

    request: ReportRequest
    data: Any
    table: str
    record_id: str
    detail: str


@dataclass(frozen=True)
class Signer:
    """Who signs a paper (settings ``signer_name`` and ``signer_title``); an empty name leaves a line to sign."""

    name: str
    title: str


def signer_values(uow: UnitOfWork) -> Signer:
    """The signer the settings name."""
    with uow:
        return Signer(
            (settings.get_setting(uow, "signer_name") or "").strip(),
            (settings.get_setting(uow, "signer_title") or "").strip(),
        )


@dataclass(frozen=True)
class AnnualPaper:
    """The annual report's data: the comparison, who approves it and who prepared it (the acting user)."""

    comparison: AnnualComparison
    signer: Signer
    prepared_by: str


def annual_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The annual comparison (options year, county_id, same_period, today), with its signature block.

    The year still running is compared to date whatever ``same_period`` says; a finished one in whole
    unless ``same_period`` asks for the same span (services.annual).
    """
    today = request.get("today") or date.today()
    year = request.get("year") or jalali.to_jalali(today)[0]
    with uow:
        data = annual_comparison(uow, year, request.get("county_id"), bool(request.get("same_period")), today)
        signer = signer_values(uow)
    words = [f"سال {text.to_persian_digits(year)}", data.scope_name]
    if data.same_period:
        words.append(data.period_note)
    return Gathered(AnnualPaper(data, signer, uow.actor.full_name), tuple(words))


def register_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The NGO register (options county_id, search, status)."""
    from ostandari_desk.services import ngos as ngo_service

    flt = ngo_service.NgoFilter(
        text=request.get("search", ""), county_id=request.get("county_id"), status=request.get("status")
    )
    data = register_data(uow, flt)
    return Gathered(data, (data.filter_text, f"{text.format_number(len(data.rows))} سازمان"))


def expiring_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """Expiring and expired licences (options county_id, days, today)."""
    today = request.get("today") or date.today()
    data = expiring_data(uow, today, request.get("days"), request.get("county_id"))
    until = f"تا {text.format_number(data.within_days)} روز پس از {jalali.format_jalali(today)}"
    return Gathered(data, (data.scope_name, until))


def _ngo_of(request: ReportRequest) -> str:
    ngo_id = request.get("ngo_id")
    if not ngo_id:
        raise ValidationError("نخست سازمان را انتخاب کنید", field="ngo")
    return ngo_id


def _ngo_words(name: str, national_id: str) -> tuple[str, ...]:
    return (f"«{name}»", f"شناسه ملی {text.to_persian_digits(national_id)}")


def ngo_file_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """One NGO's file (option ngo_id), audited on the NGO's record."""
    ngo_id = _ngo_of(request)
    data = ngo_file_data(uow, ngo_id)
    return Gathered(data, _ngo_words(data.ngo.name, data.ngo.national_id), "ngo", ngo_id)


def certificate_paper(uow: UnitOfWork, request: ReportRequest) -> Gathered:
    """The licence certificate of an NGO (option ngo_id), audited on the NGO's record."""
    ngo_id = _ngo_of(request)
    data = certificate_data(uow, ngo_id)
    return Gathered(data, _ngo_words(data.ngo_name, data.national_id), "ngo", ngo_id)


def record_printed(uow: UnitOfWork, paper: PaperData) -> None:
    """Write «report printed» (the report, its options; an NGO's paper on the NGO's record), committed."""
    with uow.writing():
        uow.audit("report", paper.table, paper.record_id, detail=paper.detail)
        uow.commit()
