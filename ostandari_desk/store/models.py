"""SQLModel tables for the whole domain (DOMAIN.md), so later work adds behaviour, not schema.

Every travelling record has a UUID key (records move between county and province databases),
created/updated times, the county it belongs to (None = the province itself) and a row version
for optimistic locking. Dates are stored Gregorian (ISO); the screens show them in Jalali.
Money is rials in BigInteger columns.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from ostandari_desk.domain.text import persian_sort_key

# Pydantic builds a model's validator and serializer when it is first used, not when its class is made:
# the tables skip validation (PITFALLS.md, Store), and building them all cost start-up 0.03–0.04 s.
SQLModel.model_config["defer_build"] = True


def new_id() -> str:
    """A new record key: a UUID4 as 32 hex characters."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    """Aware UTC: SQLModel's UTCDateTime columns refuse naive datetimes."""
    return datetime.now(UTC)


def sort_key_of(source: str):
    """A column default: the Persian sort key of column ``source`` of the row being inserted.

    Inserts that leave the key out (Core ``insert()`` with dicts, ORM objects with the key None) get it
    computed; updates must set it beside ``source`` themselves.
    """

    def default(context) -> str:
        return persian_sort_key(context.get_current_parameters().get(source))

    return default


def _sort_key_field(source: str):
    return Field(
        default=None, nullable=False, sa_column_kwargs={"default": sort_key_of(source), "server_default": ""}
    )


class Record(SQLModel):
    """Columns every travelling record carries."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    row_version: int = Field(default=1)


class CountyOwned(Record):
    """A record that belongs to one county, or to the province when county_id is None."""

    county_id: str | None = Field(default=None, foreign_key="county.id", index=True)


# --- reference data ---------------------------------------------------------------------------


class Province(Record, table=True):
    name: str = Field(unique=True)


class County(Record, table=True):
    province_id: str = Field(foreign_key="province.id", index=True)
    name: str
    name_key: str = Field(index=True)
    active: bool = True
    position: int = 0
    population: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )  # for credits per capita

    __table_args__ = (UniqueConstraint("province_id", "name_key"),)


class ReferenceItem(Record, table=True):
    """An entry of a list an admin edits: fields of activity, centre categories, social harms,
    the sanctions ladder, legal bases of decisions, inquiry agencies."""

    kind: str = Field(index=True)
    name: str
    name_key: str
    position: int = 0
    active: bool = True

    __table_args__ = (UniqueConstraint("kind", "name_key"),)


class Setting(SQLModel, table=True):
    """One setting; keys and types are declared once in ostandari_desk/settings.py."""

    key: str = Field(primary_key=True)
    value: str


class User(Record, table=True):
    """A person who signs in; ``role`` is a domain.roles.Role, ``county_id`` the county of a county user."""

    username: str = Field(unique=True)
    username_key: str = Field(default="", index=True)  # normalized for a case- and letter-blind sign-in
    full_name: str
    password_hash: str | None = None  # argon2id
    role: str = "clerk"  # admin | manager | clerk | county
    county_id: str | None = Field(default=None, foreign_key="county.id")
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """One action on one record (or a sign-in, an export, a report): append-only (revision 0005 triggers).

    ``changes`` is JSON {field: [before, after]} of the fields the action changed; ``owner_id`` is the
    record whose history shows this entry too (an NGO for its board members, a case for its inquiries).
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    at: datetime = Field(default_factory=utc_now, index=True)
    user_id: str | None = None
    username: str
    role: str = ""
    county_id: str | None = None  # the actor's county (a county user's); None: the province
    action: str
    table_name: str
    record_id: str
    owner_id: str | None = None
    changes: str = ""
    detail: str = ""

    __table_args__ = (
        Index("ix_auditentry_record_at", "record_id", "at"),
        Index("ix_auditentry_owner_at", "owner_id", "at"),
        Index("ix_auditentry_username_at", "username", "at"),
    )


# --- NGOs ---------------------------------------------------------------------------------------


class Ngo(CountyOwned, table=True):
    """A سمن. `seq` is a local, stable integer that keys the full-text index."""

    # county_id is indexed by ix_ngo_county_sort, not on its own (revision 0004)
    county_id: str | None = Field(default=None, foreign_key="county.id")
    seq: int = Field(unique=True)
    national_id: str = Field(unique=True, max_length=11)
    registration_no: str = ""
    name: str
    name_key: str = Field(index=True)
    name_sort: str  # indexed by ix_ngo_sort_seq (name_sort, seq)
    level: str  # county | province | national; indexed by ix_ngo_level_sort
    address: str = ""
    phone: str = ""
    founded_on: date | None = None
    registered_on: date | None = None
    ceo_name: str = ""
    ceo_national_code: str = ""
    ceo_sort: str | None = _sort_key_field("ceo_name")  # persian_sort_key(ceo_name); filled on insert
    status: str = "active"  # active | inactive; indexed by ix_ngo_status_sort
    licence_state: str = "none"  # see domain.lifecycle.LicenceState; indexed by ix_ngo_licence_sort
    search_text: str = ""

    __table_args__ = (
        Index("ix_ngo_county_sort", "county_id", "name_sort"),
        Index("ix_ngo_status_sort", "status", "name_sort"),
        # Each list sort walks an index and stops when the page is full (revision 0002); a search
        # probes its matches walking (name_sort, seq) without reading the table.
        Index("ix_ngo_sort_seq", "name_sort", "seq"),
        Index("ix_ngo_registration_sort", "registration_no", "name_sort"),
        Index("ix_ngo_level_sort", "level", "name_sort"),
        Index("ix_ngo_licence_sort", "licence_state", "name_sort"),
        Index("ix_ngo_ceo_sort", "ceo_sort", "name_sort"),
    )


class NgoField(SQLModel, table=True):
    ngo_id: str = Field(foreign_key="ngo.id", primary_key=True)
    field_id: str = Field(foreign_key="referenceitem.id", primary_key=True, index=True)


class BoardMember(Record, table=True):
    ngo_id: str = Field(foreign_key="ngo.id", index=True)
    full_name: str
    national_code: str = Field(max_length=10)
    role: str = "member"  # ceo | chair | deputy | treasurer | member | inspector | founder
    expertise: str = ""
    term_start: date | None = None
    term_end: date | None = None


# --- licences -----------------------------------------------------------------------------------


class LicenceCase(CountyOwned, table=True):
    """A file opened on a request: establishment, renewal, level upgrade or conformity."""

    ngo_id: str = Field(foreign_key="ngo.id", index=True)
    case_type: str  # establishment | renewal | upgrade | conformity
    tracking_no: str = Field(index=True)
    received_on: date = Field(index=True)
    state: str = "received"  # received | documents_checked | inquiring | approved | rejected | closed
    decision: str | None = None  # approved | rejected
    decided_on: date | None = None
    meeting_on: date | None = None
    legal_basis: str = ""
    note: str = ""

    __table_args__ = (
        # The desk counts open cases (a county's too) from this index alone (revision 0003).
        Index("ix_licencecase_state_county", "state", "county_id"),
        # The annual council decisions of the decided cases, read from this index alone (revision 0011).
        Index(
            "ix_licencecase_decided",
            "decided_on",
            "decision",
            "case_type",
            "meeting_on",
            "county_id",
            sqlite_where=sql_text("decided_on IS NOT NULL"),
            postgresql_where=sql_text("decided_on IS NOT NULL"),
        ),
    )


class Inquiry(Record, table=True):
    """One of the four inquiries (استعلامات چهارگانه) of a case."""

    case_id: str = Field(foreign_key="licencecase.id", index=True)
    agency: str  # judiciary | intelligence | police | specialist
    sent_on: date  # indexed by ix_inquiry_sent_case
    due_on: date = Field(index=True)
    letter_no: str = ""
    answered_on: date | None = None
    answer: str | None = None  # favourable | unfavourable
    note: str = ""

    __table_args__ = (
        # The unanswered inquiries only, in due order: the desk's overdue count and list (revision 0003).
        Index(
            "ix_inquiry_unanswered_due",
            "due_on",
            "case_id",
            sqlite_where=sql_text("answered_on IS NULL"),
            postgresql_where=sql_text("answered_on IS NULL"),
        ),
        # Annual inquiry counts per county read the inquiry side from the index alone.
        Index("ix_inquiry_sent_case", "sent_on", "case_id"),
        # ... and the answered ones by their answer's day (revision 0011).
        Index(
            "ix_inquiry_answered_case",
            "answered_on",
            "case_id",
            sqlite_where=sql_text("answered_on IS NOT NULL"),
            postgresql_where=sql_text("answered_on IS NOT NULL"),
        ),
    )


class Licence(CountyOwned, table=True):
    """A licence (پروانه فعالیت) with one validity period; a renewal issues the next one."""

    ngo_id: str = Field(foreign_key="ngo.id", index=True)
    case_id: str | None = Field(default=None, foreign_key="licencecase.id")
    number: str = Field(index=True)
    level: str
    issued_on: date
    expires_on: date = Field(index=True)
    validity_years: int
    state: str = "valid"  # valid | suspended | revoked | renewed; indexed by ix_licence_state_expiry
    renewed_from_id: str | None = Field(default=None, foreign_key="licence.id")

    # Expiring / expired counts (per county too) from the index alone; the desk lists walk it in expiry
    # order (revision 0003).
    __table_args__ = (Index("ix_licence_state_expiry", "state", "expires_on", "county_id"),)


class LicenceStep(CountyOwned, table=True):
    """One dated step of an NGO's licence history; the NGO's timeline and the annual counts read it."""

    ngo_id: str = Field(foreign_key="ngo.id", index=True)
    case_id: str | None = Field(default=None, foreign_key="licencecase.id", index=True)
    licence_id: str | None = Field(default=None, foreign_key="licence.id", index=True)
    kind: str  # see domain.lifecycle.StepKind
    on_date: date
    clerk: str = ""
    letter_no: str = ""
    legal_basis: str = ""
    reason: str = ""
    note: str = ""

    __table_args__ = (
        Index("ix_step_kind_date_county", "kind", "on_date", "county_id"),
        # The few steps without a case (imported approvals and rejections): the annual decisions find
        # them here instead of reading every decision step's row to see its case (revision 0011).
        Index(
            "ix_licencestep_uncased",
            "kind",
            "on_date",
            "county_id",
            sqlite_where=sql_text("case_id IS NULL"),
            postgresql_where=sql_text("case_id IS NULL"),
        ),
    )


# --- events and letters -------------------------------------------------------------------------


class Event(CountyOwned, table=True):
    kind: str  # conference | session | course
    title: str
    title_key: str = ""
    title_sort: str | None = _sort_key_field("title")  # persian_sort_key(title); filled on insert
    starts_on: date
    ends_on: date | None = None
    organizer_ngo_id: str | None = Field(default=None, foreign_key="ngo.id", index=True)
    attendees: int = 0
    training_hours: int = 0
    note: str = ""

    __table_args__ = (
        Index("ix_event_kind_date_county", "kind", "starts_on", "county_id"),
        Index("ix_event_title_sort", "title_sort", "id"),
    )


class EventNgo(SQLModel, table=True):
    event_id: str = Field(foreign_key="event.id", primary_key=True)
    ngo_id: str = Field(foreign_key="ngo.id", primary_key=True, index=True)


class Letter(CountyOwned, table=True):
    direction: str  # incoming | outgoing
    number: str
    jalali_year: int
    dated_on: date
    party: str
    subject: str
    kind: str  # support | punitive | other
    ngo_id: str | None = Field(default=None, foreign_key="ngo.id", index=True)
    licence_step_id: str | None = Field(default=None, foreign_key="licencestep.id")
    search_text: str = ""

    # A letter number is unique per series: a county's own (county_id, direction, Jalali year) and the
    # province's (county_id NULL); two counties' letter «۱۰۰» of one year both stand (revision 0008).
    __table_args__ = (
        Index(
            "ux_letter_county_series",
            "county_id",
            "direction",
            "jalali_year",
            "number",
            unique=True,
            sqlite_where=sql_text("county_id IS NOT NULL"),
            postgresql_where=sql_text("county_id IS NOT NULL"),
        ),
        Index(
            "ux_letter_province_series",
            "direction",
            "jalali_year",
            "number",
            unique=True,
            sqlite_where=sql_text("county_id IS NULL"),
            postgresql_where=sql_text("county_id IS NULL"),
        ),
        # the annual letter counts (by kind, day, county and direction) from this index alone (0011 added
        # the direction)
        Index("ix_letter_kind_date_county", "kind", "dated_on", "county_id", "direction"),
    )


class LetterAttachment(Record, table=True):
    letter_id: str = Field(foreign_key="letter.id", index=True)
    file_name: str
    sha256: str = Field(max_length=64)
    size: int
    stored_path: str


# --- memoranda and facilitation offices ---------------------------------------------------------


class Memorandum(CountyOwned, table=True):
    """A memorandum (تفاهم‌نامه) with a county's governorate or an NGO; its credit is released in tranches
    against progress (the release rule: domain/memoranda.py, thresholds in settings)."""

    number: str = Field(unique=True, index=True)
    title: str
    title_sort: str = _sort_key_field("title")
    search_text: str = ""  # services.memoranda.memoranda.search_text_of(number, title), 0013
    party_kind: str  # ngo | county
    ngo_id: str | None = Field(default=None, foreign_key="ngo.id", index=True)
    social_harm_id: str | None = Field(default=None, foreign_key="referenceitem.id")
    office_id: str | None = Field(default=None, foreign_key="facilitationoffice.id", index=True)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    signed_on: date  # indexed by ix_memorandum_signed_county
    starts_on: date
    duration_months: int = 3
    ends_on: date  # starts_on + duration_months (Jalali months), stored for the overdue flag and its index
    state: str = "active"  # active | completed | cancelled
    # Derived, kept by database triggers on payment and progressreport (migration 0007), so every writer keeps
    # them in step: the sum of its payments' amounts and its highest (so latest) progress percent, 0 when none.
    # The ORM never writes them (a new row takes 0); not audited; the health check compares them with their
    # sources and ``--repair`` recomputes them.
    paid_total: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0")
    )
    latest_progress: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0, server_default="0")
    )

    __table_args__ = (
        # a year's credits by county read this index alone (with each memorandum's paid total and progress);
        # the overdue list walks (state, ends_on)
        Index(
            "ix_memorandum_signed_county",
            "signed_on",
            "county_id",
            "party_kind",
            "amount",
            "paid_total",
            "latest_progress",
        ),
        Index("ix_memorandum_state_ends", "state", "ends_on"),
        Index("ix_memorandum_title_sort", "title_sort"),
        # the list's sorts by amount and by county (and a county user's first page) walk these
        Index("ix_memorandum_amount", "amount"),
        Index("ix_memorandum_county_signed", "county_id", "signed_on"),
        # a county's memoranda's keys, from this index alone (one county's annual payments, revision 0013)
        Index("ix_memorandum_county_key", "county_id", "id"),
    )


class ProgressReport(Record, table=True):
    memorandum_id: str = Field(foreign_key="memorandum.id")
    reported_on: date
    percent: int
    note: str = ""

    # a memorandum's latest progress is the last entry of this index
    __table_args__ = (
        Index("ix_progressreport_memorandum_percent", "memorandum_id", "percent", "reported_on"),
    )


class ProgressAttachment(Record, table=True):
    """A scan of a progress report (stored by services/attachments.py)."""

    progress_id: str = Field(foreign_key="progressreport.id", index=True)
    file_name: str
    sha256: str = Field(max_length=64)
    size: int
    stored_path: str


class Payment(Record, table=True):
    memorandum_id: str = Field(foreign_key="memorandum.id")
    paid_on: date
    tranche_no: int
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))

    __table_args__ = (
        Index("ix_payment_tranche", "memorandum_id", "tranche_no", unique=True),
        # a memorandum's paid total (the credits view sums a year's) from this index alone
        Index("ix_payment_memorandum_amount", "memorandum_id", "amount"),
        # the annual payments and credits by the day paid, from this index alone (revision 0011)
        Index("ix_payment_paid_memorandum_amount", "paid_on", "memorandum_id", "amount"),
        # one county's annual payments: its memoranda's, of two years, from this index alone (revision 0013)
        Index("ix_payment_memorandum_paid", "memorandum_id", "paid_on", "amount"),
    )


class FacilitationOffice(CountyOwned, table=True):
    """A facilitation office (دفتر تسهیلگری) an NGO runs in a county's neighbourhoods."""

    name: str
    name_key: str = ""  # the normalized name: unique within its county
    ngo_id: str | None = Field(default=None, foreign_key="ngo.id")
    neighbourhoods: str = ""  # names separated by «، »
    opened_on: date | None = None
    budget: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    state: str = "open"  # planned | open | closed

    __table_args__ = (Index("ix_facilitationoffice_county_name", "county_id", "name_key", unique=True),)


# --- centres and inspections --------------------------------------------------------------------


class Centre(CountyOwned, table=True):
    """A supervised centre (slaughterhouse, care centre, addiction camp…) the counties visit unannounced."""

    code: str = Field(unique=True, index=True)  # the office's own code: letters, digits, «-»
    category_id: str = Field(foreign_key="referenceitem.id", index=True)
    name: str
    name_sort: str = _sort_key_field("name")
    search_text: str = ""  # services.inspections.centres.search_text_of(code, name, operator), 0013
    address: str = ""
    operator: str = ""
    licensing_agency: str = ""
    licence_number: str = ""
    phone: str = ""
    active: bool = True

    __table_args__ = (
        Index("ix_centre_name_sort", "name_sort"),
        # the grid's centres due: active ones counted by county and category from this index alone
        Index("ix_centre_active_county_category", "active", "county_id", "category_id"),
    )


class ChecklistTemplate(Record, table=True):
    """One version of a category's checklist. draft → active → retired; only a draft is edited, so a
    visit that names an active or retired version keeps exactly the items it was answered against."""

    category_id: str = Field(foreign_key="referenceitem.id", index=True)
    version: int
    state: str = "draft"  # draft | active | retired
    title: str
    pass_score: int = 80  # % of weighted points at or above which a visit is «مطلوب»

    __table_args__ = (UniqueConstraint("category_id", "version"),)


class ChecklistItem(Record, table=True):
    template_id: str = Field(foreign_key="checklisttemplate.id", index=True)
    position: int
    section: str
    text: str
    answer_type: str  # yes_no | score | number | text
    max_score: int = 0  # a «score» item is answered 0..max_score
    weight: int = 1
    critical: bool = False  # failed: the visit is «تخلف جدی»


class Inspection(CountyOwned, table=True):
    """A visit; jalali_year/month are stored for the monthly coverage grid's index."""

    # county_id is indexed by ix_inspection_county_period, not on its own (revision 0004)
    county_id: str | None = Field(default=None, foreign_key="county.id")
    centre_id: str = Field(foreign_key="centre.id", index=True)
    category_id: str = Field(foreign_key="referenceitem.id")
    inspected_at: datetime  # the time of day is 00:00 when the visit's time is not known
    inspected_on: date  # indexed by ix_inspection_on_county (the annual comparison's visit indicators)
    jalali_year: int
    jalali_month: int
    announced: bool = False
    inspectors: str = ""  # names separated by «، »
    template_id: str | None = Field(default=None, foreign_key="checklisttemplate.id")
    answers: str = ""  # JSON {checklist item id: answer}, against template_id's frozen items
    score: int | None = None  # % of weighted points
    result: str = "good"  # good | needs_fix | serious
    computed_result: str = ""  # what the answers gave, when the result was overridden
    override_reason: str = ""
    correction_deadline: date | None = None
    notes: str = ""
    state: str = "closed"  # open | closed; a closed visit is read-only
    reinspection_of_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)

    __table_args__ = (
        # a month's visits of a county (the grid's cells), and the grid paper's results and unannounced
        # share, from this index alone
        Index(
            "ix_inspection_county_period",
            "county_id",
            "jalali_year",
            "jalali_month",
            "category_id",
            "centre_id",
            "result",
            "announced",
        ),
        Index("ix_inspection_on_county", "inspected_on", "county_id", "announced", "result"),
        # a county's visits' keys, from this index alone (one county's annual closed actions, revision 0013)
        Index("ix_inspection_county_key", "county_id", "id"),
    )


class InspectionCoverage(SQLModel, table=True):
    """Derived: the visits of each centre in each Jalali month, kept by database triggers on inspection
    (migration 0006), so every writer — services, imports, the demo, a restore — keeps it in step. The year's
    grid counts a cell's distinct centres as its rows here (no DISTINCT over a million visits). Not audited,
    not exchanged; the health check compares it with inspection and ``--repair`` rebuilds it.

    ``county_id`` is "" for a visit of the province itself (a primary key column cannot be NULL)."""

    county_id: str = Field(primary_key=True)
    jalali_year: int = Field(primary_key=True)
    jalali_month: int = Field(primary_key=True)
    category_id: str = Field(primary_key=True)
    centre_id: str = Field(primary_key=True)
    visits: int = 0

    __table_args__ = {"sqlite_with_rowid": False}


class InspectionNote(Record, table=True):
    """A correction to a closed visit: the visit itself stays as it was closed."""

    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    text: str
    author: str = ""


class Finding(Record, table=True):
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    item_id: str | None = Field(default=None, foreign_key="checklistitem.id")  # None: a free-text finding
    text: str
    severity: str = "minor"  # minor | major | critical

    # a county's visits' findings, from this index alone (one county's annual closed actions, revision 0013)
    __table_args__ = (Index("ix_finding_inspection_key", "inspection_id", "id"),)


class CorrectiveAction(Record, table=True):
    finding_id: str = Field(foreign_key="finding.id", index=True)
    action: str
    deadline: date | None = None
    done_on: date | None = None
    verified_by_id: str | None = Field(default=None, foreign_key="inspection.id")  # the re-inspection
    referral_letter_id: str | None = Field(default=None, foreign_key="letter.id")

    __table_args__ = (
        Index("ix_correctiveaction_open", "done_on", "deadline"),
        # a finding's actions closed in two years, from this index alone (one county's annual count, 0013)
        Index("ix_correctiveaction_finding_done", "finding_id", "done_on"),
        # a referral letter's action (the annual referrals), the referred actions only (revision 0013)
        Index(
            "ix_correctiveaction_referral",
            "referral_letter_id",
            sqlite_where=sql_text("referral_letter_id IS NOT NULL"),
            postgresql_where=sql_text("referral_letter_id IS NOT NULL"),
        ),
    )


class InspectionAttachment(Record, table=True):
    """A photo or scan of a visit, optionally of one of its findings (stored by services/attachments.py)."""

    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    file_name: str
    sha256: str = Field(max_length=64)
    size: int
    stored_path: str


# --- exchange between desks (revision 0008) -----------------------------------------------------


class ExchangeDesk(SQLModel, table=True):
    """Another desk this one exchanges signed files with: a county's desk registered at the province, or the
    province's desk registered at a county. ``id`` is that desk's own id (from its identity file)."""

    id: str = Field(primary_key=True, max_length=32)
    province: str
    county_id: str | None = Field(default=None, foreign_key="county.id", index=True)  # None: the province's
    public_key: str  # Ed25519, raw 32 bytes as hex
    fingerprint: str
    registered_at: datetime = Field(default_factory=utc_now)
    registered_by: str = ""
    active: bool = True
    sent_seq: int = 0  # the number of the last changes file this desk wrote for it
    received_seq: int = 0  # the number of the last changes file taken from it
    acked_seq: int = 0  # the last of our changes files its receipts acknowledged


class ExchangeFile(SQLModel, table=True):
    """A file sent to or received from a desk: the history page, the replay check and the receipts.

    ``accepted``: for a received changes file, JSON [[table, record id, version, digest], ...] of what this desk
    applied or already held (its receipt says so; digest null for a deletion); ``acked_at``: for a sent changes
    file, when its receipt came.
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    desk_id: str = Field(foreign_key="exchangedesk.id")
    direction: str  # sent | received
    kind: str  # changes | receipt
    seq: int
    sha256: str = Field(max_length=64)
    file_name: str = ""
    at: datetime = Field(default_factory=utc_now)
    username: str = ""
    records: int = 0
    applied: int = 0
    conflicts: int = 0
    acked_at: datetime | None = None
    accepted: str = ""

    __table_args__ = (UniqueConstraint("desk_id", "direction", "kind", "seq"),)


class ExchangeState(SQLModel, table=True):
    """The version of a record that this desk and ``desk_id`` are both known to hold; a record whose row_version
    differs (or that has no state) is a change to send, a state whose record is gone a deletion to send."""

    desk_id: str = Field(foreign_key="exchangedesk.id", primary_key=True)
    table_name: str = Field(primary_key=True)
    record_id: str = Field(primary_key=True)
    version: int  # the row_version the peer holds
    digest: str  # tables.digest of the exchanged fields the peer holds


class ExchangeConflict(SQLModel, table=True):
    """A record changed here and at ``desk_id`` since their last exchange: kept aside until a manager picks.

    ``incoming``/``local``: JSON of the two records' exchanged fields ({} for a side that deleted it)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    desk_id: str = Field(foreign_key="exchangedesk.id")
    file_id: str = Field(foreign_key="exchangefile.id")
    table_name: str
    record_id: str
    incoming_version: int
    incoming_base: str | None = None  # the digest the sender believed this desk held
    incoming: str
    local: str
    at: datetime = Field(default_factory=utc_now)
    resolved_at: datetime | None = None
    resolution: str | None = None  # ours | theirs
    resolved_by: str = ""

    __table_args__ = (Index("ix_exchangeconflict_desk_open", "desk_id", "resolved_at", "record_id"),)
