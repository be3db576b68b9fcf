"""NGOs (سمن): validate, create, edit, deactivate, read one, and list/search/count pages in SQL.

Text is stored cleaned (text.clean) beside its keys: name_key (text.normalize) for duplicate checks,
name_sort (text.persian_sort_key) for ORDER BY, and search_text (normalized tokens) which the FTS5
table ``ngo_fts`` (rowid = ngo.seq) indexes through triggers. Reads return frozen rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlalchemy import text as sql_text

from ostandari_desk.domain import ids, text
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, LICENCE_STATE_LABELS, Level, LicenceState
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, NotFoundError, ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.audit import ensure_open, now_utc
from ostandari_desk.store.models import BoardMember, County, Licence, Ngo, NgoField, ReferenceItem, new_id
from ostandari_desk.store.uow import UnitOfWork

PROVINCE_LABEL = "استان"
PROVINCE_ONLY = "__province__"  # NgoFilter.county_id value selecting NGOs of the province itself

STATUS_LABELS = {"active": "فعال", "inactive": "غیرفعال"}
ROLE_LABELS = {
    "ceo": "مدیرعامل",
    "chair": "رئیس هیئت مدیره",
    "deputy": "نایب رئیس",
    "treasurer": "خزانه‌دار",
    "member": "عضو هیئت مدیره",
    "inspector": "بازرس",
    "founder": "عضو مؤسس",
}
NGO_SORT_KEYS = (
    "name",
    "national_id",
    "registration_no",
    "county",
    "level",
    "ceo",
    "status",
    "licence_state",
)


# --- values in and out --------------------------------------------------------------------------


@dataclass(frozen=True)
class NgoInput:
    """What a form or an import row gives for an NGO. county_id None = the province itself."""

    national_id: str
    name: str
    county_id: str | None
    level: str
    registration_no: str = ""
    registered_on: date | None = None
    founded_on: date | None = None
    ceo_name: str = ""
    ceo_national_code: str = ""
    phone: str = ""
    address: str = ""
    field_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardMemberInput:
    full_name: str
    national_code: str
    role: str = "member"
    expertise: str = ""
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class BoardMemberRow:
    id: str
    full_name: str
    national_code: str
    role: str
    role_label: str
    expertise: str
    term_start: date | None
    term_end: date | None

    def to_input(self) -> BoardMemberInput:
        return BoardMemberInput(
            self.full_name, self.national_code, self.role, self.expertise, self.term_start, self.term_end
        )


@dataclass(frozen=True)
class CurrentLicence:
    id: str
    number: str
    level: str
    issued_on: date
    expires_on: date
    validity_years: int
    state: str


@dataclass(frozen=True)
class NgoDetail:
    id: str
    seq: int
    national_id: str
    registration_no: str
    name: str
    county_id: str | None
    county_name: str
    level: str
    level_label: str
    address: str
    phone: str
    founded_on: date | None
    registered_on: date | None
    ceo_name: str
    ceo_national_code: str
    status: str
    status_label: str
    licence_state: str
    licence_state_label: str
    field_ids: tuple[str, ...]
    field_names: tuple[str, ...]
    board: tuple[BoardMemberRow, ...]
    licence: CurrentLicence | None
    row_version: int
    created_at: datetime
    updated_at: datetime

    def to_input(self) -> NgoInput:
        """The values an edit form starts from."""
        return NgoInput(
            national_id=self.national_id,
            name=self.name,
            county_id=self.county_id,
            level=self.level,
            registration_no=self.registration_no,
            registered_on=self.registered_on,
            founded_on=self.founded_on,
            ceo_name=self.ceo_name,
            ceo_national_code=self.ceo_national_code,
            phone=self.phone,
            address=self.address,
            field_ids=self.field_ids,
        )

    def board_inputs(self) -> list[BoardMemberInput]:
        return [m.to_input() for m in self.board]


@dataclass(frozen=True)
class NgoFilter:
    """List filters; None means "any". county_id=PROVINCE_ONLY selects NGOs of the province itself."""

    text: str = ""
    county_id: str | None = None
    level: str | None = None
    field_id: str | None = None
    status: str | None = None
    licence_state: str | None = None


@dataclass(frozen=True)
class NgoRow:
    id: str
    name: str
    national_id: str
    registration_no: str
    county_name: str
    level: str
    ceo_name: str
    status: str
    licence_state: str


# --- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    """An NgoInput after cleaning and format checks (no database needed)."""

    values: dict[str, Any]
    field_ids: tuple[str, ...]
    board: tuple[BoardMemberInput, ...] = field(default=())


def _clean_board(
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...],
) -> tuple[BoardMemberInput, ...]:
    cleaned: list[BoardMemberInput] = []
    seen: dict[str, str] = {}
    for position, member in enumerate(board, start=1):
        name = text.clean(member.full_name)
        if not name:
            raise ValidationError(
                f"نام عضو شماره {text.to_persian_digits(position)} هیئت مدیره وارد نشده است", field="board"
            )
        code = text.digits_to_latin(text.clean(member.national_code)).replace(" ", "").replace("-", "")
        if not ids.is_valid_national_code(code):
            raise ValidationError(f"کد ملی عضو هیئت مدیره «{name}» معتبر نیست", field="board")
        if code in seen:
            raise ValidationError(f"کد ملی «{seen[code]}» و «{name}» در هیئت مدیره یکسان است", field="board")
        seen[code] = name
        if member.role not in ROLE_LABELS:
            raise ValidationError(f"سمت عضو هیئت مدیره «{name}» نامعتبر است", field="board")
        if member.term_start and member.term_end and member.term_end < member.term_start:
            raise ValidationError(f"پایان دوره عضو هیئت مدیره «{name}» پیش از آغاز آن است", field="board")
        cleaned.append(
            BoardMemberInput(
                name, code, member.role, text.clean(member.expertise), member.term_start, member.term_end
            )
        )
    return tuple(cleaned)


def _validated_id(value: str, check, label: str, field_name: str) -> str:
    try:
        return check(value, field=label)
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field_name) from None


def _clean_input(data: NgoInput, board=(), today: date | None = None) -> _Clean:
    """Clean and format-check ``data``; raises ValidationError naming the field."""
    today = today or date.today()
    name = text.clean(data.name)
    if not text.normalize(name):
        raise ValidationError("نام سازمان وارد نشده است", field="name")
    national_id = _validated_id(data.national_id, ids.validate_legal_national_id, "شناسه ملی", "national_id")
    if data.level not in {lv.value for lv in Level}:
        raise ValidationError("سطح فعالیت سازمان انتخاب نشده است", field="level")
    if data.level == Level.COUNTY and not data.county_id:
        raise ValidationError("برای سازمان شهرستانی، شهرستان را انتخاب کنید", field="county_id")
    ceo_name = text.clean(data.ceo_name)
    ceo_code = text.digits_to_latin(text.clean(data.ceo_national_code))
    if ceo_code:
        ceo_code = _validated_id(ceo_code, ids.validate_national_code, "کد ملی مدیرعامل", "ceo_national_code")
        if not ceo_name:
            raise ValidationError("نام مدیرعامل وارد نشده است", field="ceo_name")
    for value, label, field_name in (
        (data.founded_on, "تاریخ تأسیس", "founded_on"),
        (data.registered_on, "تاریخ ثبت", "registered_on"),
    ):
        if value is not None and value > today:
            raise ValidationError(f"{label} نمی‌تواند پس از امروز باشد", field=field_name)
    if data.founded_on and data.registered_on and data.registered_on < data.founded_on:
        raise ValidationError("تاریخ ثبت نمی‌تواند پیش از تاریخ تأسیس باشد", field="registered_on")
    registration_no = text.digits_to_latin(text.clean(data.registration_no))
    board_clean = _clean_board(board)
    if not ceo_name:  # a board member with the CEO role fills an empty CEO
        ceo = next((m for m in board_clean if m.role == "ceo"), None)
        if ceo is not None:
            ceo_name, ceo_code = ceo.full_name, ceo.national_code
    values = {
        "national_id": national_id,
        "registration_no": registration_no,
        "name": name,
        "name_key": text.normalize(name),
        "name_sort": text.persian_sort_key(name),
        "level": str(data.level),
        "county_id": data.county_id or None,
        "address": text.clean(data.address),
        "phone": text.digits_to_latin(text.clean(data.phone)),
        "founded_on": data.founded_on,
        "registered_on": data.registered_on,
        "ceo_name": ceo_name,
        "ceo_national_code": ceo_code,
        "search_text": _search_text(name, national_id, registration_no, ceo_name),
    }
    field_ids = tuple(dict.fromkeys(f for f in data.field_ids if f))
    return _Clean(values, field_ids, board_clean)


def _search_text(name: str, national_id: str, registration_no: str, ceo_name: str) -> str:
    parts = (name, national_id, registration_no, ceo_name)
    return " ".join(p for p in (text.normalize(x) for x in parts) if p)


def _squeezed(key: str) -> str:
    return key.replace(" ", "")


def _check_against_database(uow: UnitOfWork, clean: _Clean, ngo_id: str | None) -> list[str]:
    """Errors that need the database (raised) and warnings (returned)."""
    v = clean.values
    s = uow.s
    if v["county_id"] is not None and s.get(County, v["county_id"]) is None:
        raise ValidationError("شهرستان انتخاب‌شده پیدا نشد", field="county_id")
    if clean.field_ids:
        found = set(
            s.execute(
                select(ReferenceItem.id).where(
                    ReferenceItem.kind == "field", ReferenceItem.id.in_(clean.field_ids)
                )
            ).scalars()
        )
        if len(found) != len(clean.field_ids):
            raise ValidationError("یکی از حوزه‌های فعالیت انتخاب‌شده پیدا نشد", field="field_ids")
    other = s.execute(
        select(Ngo.id, Ngo.name).where(Ngo.national_id == v["national_id"], Ngo.id != (ngo_id or ""))
    ).first()
    if other is not None:
        raise DuplicateError(
            f"شناسه ملی {text.to_persian_digits(v['national_id'])} پیش‌تر برای «{other.name}» ثبت شده است",
            field="national_id",
            record=other.id,
        )
    warnings: list[str] = []
    county_cond = Ngo.county_id.is_(None) if v["county_id"] is None else Ngo.county_id == v["county_id"]
    similar = s.execute(
        select(Ngo.name, Ngo.national_id)
        .where(
            county_cond,
            func.replace(Ngo.name_key, " ", "") == _squeezed(v["name_key"]),
            Ngo.id != (ngo_id or ""),
        )
        .limit(3)
    ).all()
    place = "همین شهرستان" if v["county_id"] is not None else "سطح استان"
    for row in similar:
        warnings.append(
            f"سازمان دیگری با نام مشابه «{row.name}» (شناسه ملی {text.to_persian_digits(row.national_id)}) "
            f"در {place} ثبت شده است"
        )
    if v["registration_no"]:
        same_reg = s.execute(
            select(Ngo.name)
            .where(Ngo.registration_no == v["registration_no"], Ngo.id != (ngo_id or ""))
            .limit(1)
        ).first()
        if same_reg is not None:
            warnings.append(
                f"شماره ثبت {text.to_persian_digits(v['registration_no'])} برای «{same_reg.name}» هم ثبت شده است"
            )
    return warnings


def validate_ngo(
    uow: UnitOfWork,
    data: NgoInput,
    ngo_id: str | None = None,
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...] = (),
) -> list[str]:
    """Check ``data`` (and ``board``); return Persian warnings the clerk may accept.

    Raises:
        ValidationError: a field breaks a rule (message names the field; ``.field`` is the NgoInput name).
        DuplicateError: another NGO has the same national ID.
    """
    clean = _clean_input(data, board)
    with ensure_open(uow):
        return _check_against_database(uow, clean, ngo_id)


def prepare_ngo_values(data: NgoInput, seq: int) -> dict[str, Any]:
    """Column values of a new ``ngo`` row (cleaned, keys computed) for bulk Core inserts.

    Format checks run (ValidationError); database checks (duplicates, county exists) are the caller's.
    Fields of activity and the board are not included: insert NgoField/BoardMember rows separately.
    """
    values = _clean_input(data).values
    moment = now_utc()
    values.update(
        id=new_id(),
        seq=seq,
        created_at=moment,
        updated_at=moment,
        row_version=1,
        status="active",
        licence_state=LicenceState.NONE.value,
    )
    return values


def next_seq(uow: UnitOfWork) -> int:
    """The next free ngo.seq (the full-text index key)."""
    with ensure_open(uow):
        return (uow.s.execute(select(func.max(Ngo.seq))).scalar() or 0) + 1


# --- commands -----------------------------------------------------------------------------------


def _write_children(uow: UnitOfWork, ngo_id: str, clean: _Clean) -> None:
    s = uow.s
    s.execute(delete(NgoField).where(NgoField.ngo_id == ngo_id))
    s.execute(delete(BoardMember).where(BoardMember.ngo_id == ngo_id))
    if clean.field_ids:
        s.execute(insert(NgoField), [{"ngo_id": ngo_id, "field_id": f} for f in clean.field_ids])
    if clean.board:
        moment = now_utc()
        s.execute(
            insert(BoardMember),
            [
                {
                    "id": new_id(),
                    "created_at": moment,
                    "updated_at": moment,
                    "row_version": 1,
                    "ngo_id": ngo_id,
                    "full_name": m.full_name,
                    "national_code": m.national_code,
                    "role": m.role,
                    "expertise": m.expertise,
                    "term_start": m.term_start,
                    "term_end": m.term_end,
                }
                for m in clean.board
            ],
        )


def create_ngo(
    uow: UnitOfWork, data: NgoInput, board: list[BoardMemberInput] | tuple[BoardMemberInput, ...], clerk: str
) -> str:
    """Register a new NGO with its fields and board; returns its id. Commits.

    Warnings from validate_ngo are not repeated here: show them before calling.
    """
    clean = _clean_input(data, board)
    with ensure_open(uow):
        _check_against_database(uow, clean, None)
        values = dict(clean.values)
        moment = now_utc()
        ngo_id = new_id()
        values.update(
            id=ngo_id, seq=next_seq(uow), created_at=moment, updated_at=moment, row_version=1, status="active"
        )
        uow.s.execute(insert(Ngo), [values])
        _write_children(uow, ngo_id, clean)
        audit.record(uow, clerk, "create", "ngo", ngo_id, values["name"])
        uow.commit()
        return ngo_id


def _bump(uow: UnitOfWork, ngo_id: str, expected_version: int | None, values: dict[str, Any]) -> None:
    """Update the ngo row if its version is still ``expected_version``; else ConcurrentEditError."""
    current = uow.s.execute(select(Ngo.row_version).where(Ngo.id == ngo_id)).scalar()
    if current is None:
        raise NotFoundError("سازمان پیدا نشد؛ شاید حذف شده باشد", record=ngo_id)
    stmt = update(Ngo).where(Ngo.id == ngo_id)
    if expected_version is not None:
        stmt = stmt.where(Ngo.row_version == expected_version)
    result = uow.s.execute(
        stmt.values(**values, updated_at=now_utc(), row_version=Ngo.row_version + 1).execution_options(
            synchronize_session=False
        )
    )
    if result.rowcount != 1:
        raise ConcurrentEditError(
            "اطلاعات این سازمان را کاربر دیگری پس از باز کردن شما ذخیره کرده است؛ آن را دوباره باز کنید",
            record=ngo_id,
        )


def update_ngo(
    uow: UnitOfWork,
    ngo_id: str,
    data: NgoInput,
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...],
    expected_version: int,
    clerk: str,
) -> None:
    """Save an edit: the NGO, its fields and its board (replaced) in one transaction. Commits.

    Raises:
        ConcurrentEditError: the record's row_version is no longer ``expected_version``.
    """
    clean = _clean_input(data, board)
    with ensure_open(uow):
        _check_against_database(uow, clean, ngo_id)
        _bump(uow, ngo_id, expected_version, clean.values)
        _write_children(uow, ngo_id, clean)
        audit.record(uow, clerk, "update", "ngo", ngo_id, clean.values["name"])
        uow.commit()


def set_ngo_active(
    uow: UnitOfWork, ngo_id: str, active: bool, clerk: str, expected_version: int | None = None
) -> None:
    """Mark an NGO active or inactive (it stays in the database and its history). Commits."""
    status = "active" if active else "inactive"
    with ensure_open(uow):
        _bump(uow, ngo_id, expected_version, {"status": status})
        audit.record(uow, clerk, "activate" if active else "deactivate", "ngo", ngo_id)
        uow.commit()


# --- reads --------------------------------------------------------------------------------------


def get_ngo(uow: UnitOfWork, ngo_id: str) -> NgoDetail:
    """One NGO with its county, fields, board and current licence."""
    with ensure_open(uow):
        s = uow.s
        ngo = s.get(Ngo, ngo_id, populate_existing=True)
        if ngo is None:
            raise NotFoundError("سازمان پیدا نشد؛ شاید حذف شده باشد", record=ngo_id)
        county = s.get(County, ngo.county_id) if ngo.county_id else None
        fields = s.execute(
            select(ReferenceItem.id, ReferenceItem.name)
            .join(NgoField, NgoField.field_id == ReferenceItem.id)
            .where(NgoField.ngo_id == ngo_id)
            .order_by(ReferenceItem.position, ReferenceItem.name_key)
        ).all()
        role_order = case(
            {r: i for i, r in enumerate(ROLE_LABELS)}, value=BoardMember.role, else_=len(ROLE_LABELS)
        )
        members = s.execute(
            select(BoardMember)
            .where(BoardMember.ngo_id == ngo_id)
            .order_by(role_order, BoardMember.full_name)
        ).scalars()
        board = tuple(
            BoardMemberRow(
                m.id,
                m.full_name,
                m.national_code,
                m.role,
                ROLE_LABELS.get(m.role, m.role),
                m.expertise,
                m.term_start,
                m.term_end,
            )
            for m in members
        )
        lic = s.execute(
            select(Licence)
            .where(Licence.ngo_id == ngo_id, Licence.state != "renewed")
            .order_by(Licence.issued_on.desc(), Licence.created_at.desc())
            .limit(1)
        ).scalar()
        licence = (
            CurrentLicence(
                lic.id, lic.number, lic.level, lic.issued_on, lic.expires_on, lic.validity_years, lic.state
            )
            if lic is not None
            else None
        )
        return NgoDetail(
            id=ngo.id,
            seq=ngo.seq,
            national_id=ngo.national_id,
            registration_no=ngo.registration_no,
            name=ngo.name,
            county_id=ngo.county_id,
            county_name=county.name if county else PROVINCE_LABEL,
            level=ngo.level,
            level_label=LEVEL_LABELS.get(ngo.level, ngo.level),
            address=ngo.address,
            phone=ngo.phone,
            founded_on=ngo.founded_on,
            registered_on=ngo.registered_on,
            ceo_name=ngo.ceo_name,
            ceo_national_code=ngo.ceo_national_code,
            status=ngo.status,
            status_label=STATUS_LABELS.get(ngo.status, ngo.status),
            licence_state=ngo.licence_state,
            licence_state_label=LICENCE_STATE_LABELS.get(ngo.licence_state, ngo.licence_state),
            field_ids=tuple(f.id for f in fields),
            field_names=tuple(f.name for f in fields),
            board=board,
            licence=licence,
            row_version=ngo.row_version,
            created_at=ngo.created_at,
            updated_at=ngo.updated_at,
        )


def fts_query(query: str) -> str:
    """The FTS5 MATCH expression for what the clerk typed: normalized tokens, each a quoted prefix, ANDed.

    Returns "" when nothing searchable is left.
    """
    tokens = [t for t in text.normalize(query).split(" ") if any(ch.isalnum() for ch in t)]
    return " ".join('"' + t.replace('"', '""') + '"*' for t in tokens)


def _fts_rowids(match: str) -> Any:
    return sql_text("SELECT rowid FROM ngo_fts WHERE ngo_fts MATCH :fts_match").bindparams(fts_match=match)


def _fts_count(uow: UnitOfWork, match: str) -> int:
    sql = sql_text("SELECT count(*) FROM ngo_fts WHERE ngo_fts MATCH :m").bindparams(m=match)
    return int(uow.s.execute(sql).scalar() or 0)


def _filter_conditions(flt: NgoFilter) -> list[Any]:
    """WHERE clauses for every filter but the text search."""
    conds: list[Any] = []
    if flt.county_id == PROVINCE_ONLY:
        conds.append(Ngo.county_id.is_(None))
    elif flt.county_id:
        conds.append(Ngo.county_id == flt.county_id)
    if flt.level:
        conds.append(Ngo.level == flt.level)
    if flt.status:
        conds.append(Ngo.status == flt.status)
    if flt.licence_state:
        conds.append(Ngo.licence_state == flt.licence_state)
    if flt.field_id:
        conds.append(Ngo.id.in_(select(NgoField.ngo_id).where(NgoField.field_id == flt.field_id)))
    return conds


def _persian_key_sql(uow: UnitOfWork, column: Any) -> Any:
    """``column``'s Persian sort key computed in SQL (SQLite: a Python function on this connection)."""
    if uow.s.get_bind().dialect.name != "sqlite":
        return column
    raw = uow.s.connection().connection.driver_connection
    raw.create_function("persian_sort_key", 1, _cached_sort_key, deterministic=True)
    return func.persian_sort_key(column)


@lru_cache(maxsize=65536)
def _cached_sort_key(value: str | None) -> str:
    return text.persian_sort_key(value)


def _order_by(uow: UnitOfWork, sort: str, descending: bool) -> list[Any]:
    """ORDER BY terms: the sort column, then name_sort (indexed, so the default sort is an index scan)."""
    if sort not in NGO_SORT_KEYS:
        raise KeyError(f"unknown NGO sort key: {sort!r}")
    if sort == "county":  # list order of the counties; the province itself first
        positions = uow.s.execute(select(County.id, County.position).order_by(County.position)).all()
        county_rank = (
            case({cid: pos for cid, pos in positions}, value=Ngo.county_id, else_=-1)
            if positions
            else literal(0)
        )
        primary = [county_rank]
    elif sort == "level":
        primary = [case({"county": 0, "province": 1, "national": 2}, value=Ngo.level, else_=3)]
    elif sort == "ceo":
        primary = [_persian_key_sql(uow, Ngo.ceo_name)]
    elif sort == "national_id":
        primary = [Ngo.national_id]  # unique
    else:
        primary = {
            "name": [],
            "registration_no": [Ngo.registration_no],
            "status": [Ngo.status],
            "licence_state": [Ngo.licence_state],
        }[sort]
    keys = [*primary] if sort == "national_id" else [*primary, Ngo.name_sort]
    if uow.s.get_bind().dialect.name != "sqlite":
        keys.append(Ngo.seq)  # SQLite breaks ties by rowid in index order already
    return [k.desc() for k in keys] if descending else keys


# Search plans. An FTS match set is either looked up row by row and sorted (cheap for few matches) or
# probed while walking the name_sort index (cheap when matches are dense). Costs in µs per row, measured
# on 100,000 NGOs: see tests/bench.
_LOOKUP_COST = 3.2
_SCAN_COST = 6.0


def _walk_index(uow: UnitOfWork, match: str, sort: str, offset: int, limit: int) -> bool:
    if sort != "name":
        return False
    matches = _fts_count(uow, match)
    if matches == 0:
        return False
    total = int(uow.s.execute(select(func.count()).select_from(Ngo)).scalar() or 0)
    rows_walked = (offset + limit) * total / matches
    return rows_walked * _SCAN_COST < matches * _LOOKUP_COST


def list_ngo_page(
    uow: UnitOfWork,
    flt: NgoFilter,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[NgoRow]:
    """One page of NGOs matching ``flt``, sorted in SQL (Persian order by name)."""
    offset, limit = max(0, offset), max(0, limit)
    match = fts_query(flt.text) if text.normalize(flt.text) else None
    if match == "":
        return []
    county_name = select(County.name).where(County.id == Ngo.county_id).scalar_subquery()
    with ensure_open(uow):
        conds = _filter_conditions(flt)
        if match is not None:
            seq = (Ngo.seq + 0) if _walk_index(uow, match, sort, offset, limit) else Ngo.seq
            conds.append(seq.in_(_fts_rowids(match)))
        stmt = (
            select(
                Ngo.id,
                Ngo.name,
                Ngo.national_id,
                Ngo.registration_no,
                func.coalesce(county_name, literal(PROVINCE_LABEL)),
                Ngo.level,
                Ngo.ceo_name,
                Ngo.status,
                Ngo.licence_state,
            )
            .where(*conds)
            .order_by(*_order_by(uow, sort, descending))
            .offset(offset)
            .limit(limit)
        )
        return [NgoRow(*row) for row in uow.s.execute(stmt)]


def count_ngos(uow: UnitOfWork, flt: NgoFilter) -> int:
    """How many NGOs match ``flt``."""
    match = fts_query(flt.text) if text.normalize(flt.text) else None
    if match == "":
        return 0
    with ensure_open(uow):
        conds = _filter_conditions(flt)
        if match is not None:
            if not conds:  # every FTS row is one NGO (kept in step by triggers)
                return _fts_count(uow, match)
            conds.append(Ngo.seq.in_(_fts_rowids(match)))
        return int(uow.s.execute(select(func.count()).select_from(Ngo).where(*conds)).scalar() or 0)
