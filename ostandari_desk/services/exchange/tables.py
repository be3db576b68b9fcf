"""What travels in an exchange file: the tables, their fields, how a row is written as JSON and digested.

Every table whose rows carry ``id``/``created_at``/``updated_at``/``row_version`` travels (users aside), in
parent-before-child order (the foreign keys of the SQLModel metadata). A record's fields are all its columns
but the local and derived ones (``seq``, ``search_text``, ``*_key``, ``*_sort``, ``paid_total``,
``latest_progress``, ``stored_path``); ``created_at``/``updated_at`` travel but are not compared, the row
version travels beside the fields. The derived columns are recomputed on arrival by the services' own
functions (``derive``); ``ngo.seq`` is this desk's own number, ``paid_total``/``latest_progress`` and
``inspectioncoverage`` are kept by the database's triggers, an attachment's ``stored_path`` is where this
desk stores the file that travels beside it (``files/<sha256>``). Link tables travel inside their parent:
an NGO's fields of activity as ``fields``, an event's NGOs as ``ngos`` (sorted id lists).

Values as JSON: dates and times as ISO text (times in UTC), booleans, integers (money too), text.
``digest(table, fields)`` is the SHA-256 of the canonical JSON of the compared fields: the same record holds
the same digest on every desk, which is how two desks know they agree.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Integer, Select, Table, TypeDecorator, select
from sqlmodel import SQLModel

from ostandari_desk.domain import text
from ostandari_desk.domain.audit_labels import field_label, table_label
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.events import title_key_of as event_title_key
from ostandari_desk.services.inspections.centres import search_text_of as centre_search_text
from ostandari_desk.services.letters import search_text_of as letter_search_text
from ostandari_desk.services.memoranda.memoranda import search_text_of as memorandum_search_text
from ostandari_desk.services.ngos.validation import search_text as ngo_search_text
from ostandari_desk.store import models
from ostandari_desk.store.audit_trail import PARENTS

__all__ = [
    "BY_NAME",
    "EXCHANGED",
    "REFERENCE_TABLES",
    "Link",
    "TableSpec",
    "chunks",
    "compared_json",
    "decode_fields",
    "derive",
    "digest",
    "encode_row",
    "is_record_id",
    "is_sha256",
    "read_links",
    "read_rows",
    "scope_select",
    "stored_fields",
]

CHUNK = 500  # ids in one IN list
BOOKKEEPING = ("created_at", "updated_at")  # travel, not compared
REFERENCE_TABLES = ("province", "county", "referenceitem", "checklisttemplate", "checklistitem")
# Never exchanged (besides the link tables, which travel inside their parent): people, the trail, the
# settings, the exchange's own bookkeeping and what the database derives.
NOT_EXCHANGED = frozenset(
    {
        "user",
        "auditentry",
        "setting",
        "exchangedesk",
        "exchangefile",
        "exchangestate",
        "exchangeconflict",
        "inspectioncoverage",
        "alembic_version",
    }
)
LOCAL_COLUMNS = frozenset({"seq", "search_text", "paid_total", "latest_progress", "stored_path"})


def _local(column: str) -> bool:
    return column in LOCAL_COLUMNS or column.endswith(("_key", "_sort"))


@dataclass(frozen=True)
class Link:
    """A link table travelling inside its parent as a sorted list of the other side's ids."""

    key: str  # "fields"
    table: Table  # ngofield
    parent_column: str  # "ngo_id"
    other_column: str  # "field_id"
    target: str  # the table the ids name: "referenceitem"


@dataclass(frozen=True)
class TableSpec:
    """One exchanged table."""

    name: str
    table: Table
    columns: tuple[str, ...]  # the columns a record's "d" carries (not id, not row_version)
    compared: tuple[str, ...]  # what the digest covers: columns and links, without created_at/updated_at
    derived: tuple[str, ...]  # local columns this desk fills itself
    reference: bool  # province's authority: travels only province → county and always applies there
    parent: tuple[str, str] | None  # (column, parent table): a child row belongs to its parent's county
    links: tuple[Link, ...]
    references: tuple[tuple[str, str], ...]  # (column, table) of every foreign key, self references too
    self_ref: str | None  # a column naming another row of this table (a renewal's predecessor)
    attachment: bool  # its file travels as files/<sha256>

    @property
    def label(self) -> str:
        return table_label(self.name)

    @property
    def county_owned(self) -> bool:
        return "county_id" in self.table.c

    @property
    def fields(self) -> tuple[str, ...]:
        """Every key of a record's "d": the columns, then the links."""
        return self.columns + tuple(link.key for link in self.links)


_LINKS: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "ngo": (("fields", "ngofield", "ngo_id", "field_id", "referenceitem"),),
    "event": (("ngos", "eventngo", "event_id", "ngo_id", "ngo"),),
}
_LINK_TABLES = frozenset(link[1] for links in _LINKS.values() for link in links)
_ATTACHMENT_TABLES = frozenset({"letterattachment", "progressattachment", "inspectionattachment"})


def _travels(table: Table) -> bool:
    needed = {"id", "created_at", "updated_at", "row_version"}
    return table.name not in NOT_EXCHANGED and needed <= set(table.c.keys())


def _ordered(tables: list[Table]) -> list[Table]:
    """Parents before children (foreign keys between exchanged tables; self references aside), otherwise
    in the models' order."""
    names = {t.name for t in tables}
    done: list[Table] = []
    placed: set[str] = set()
    pending = list(tables)
    while pending:
        for table in pending:
            needs = {fk.column.table.name for fk in table.foreign_keys} & names - {table.name}
            if needs <= placed:
                done.append(table)
                placed.add(table.name)
                pending.remove(table)
                break
        else:  # a cycle between tables: none in this schema (a test holds it)
            raise RuntimeError(f"foreign-key cycle among {[t.name for t in pending]}")
    return done


def _spec(table: Table) -> TableSpec:
    metadata = table.metadata
    columns = tuple(
        c.name for c in table.columns if c.name not in {"id", "row_version"} and not _local(c.name)
    )
    links = tuple(
        Link(key, metadata.tables[link_table], parent, other, target)
        for key, link_table, parent, other, target in _LINKS.get(table.name, ())
    )
    compared = tuple(c for c in columns if c not in BOOKKEEPING) + tuple(link.key for link in links)
    references = tuple((fk.parent.name, fk.column.table.name) for fk in table.foreign_keys)
    self_ref = next((column for column, target in references if target == table.name), None)
    return TableSpec(
        name=table.name,
        table=table,
        columns=columns,
        compared=compared,
        derived=tuple(c.name for c in table.columns if _local(c.name)),
        reference=table.name in REFERENCE_TABLES,
        parent=PARENTS.get(table.name),
        links=links,
        references=tuple(sorted(references)),
        self_ref=self_ref,
        attachment=table.name in _ATTACHMENT_TABLES,
    )


def _models_metadata():
    assert models.Ngo.__table__ is not None  # the models are imported: their tables are in the metadata
    return SQLModel.metadata


EXCHANGED: tuple[TableSpec, ...] = tuple(
    _spec(t) for t in _ordered([t for t in _models_metadata().tables.values() if _travels(t)])
)
BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in EXCHANGED}
LINK_TABLES = _LINK_TABLES


# --- derived columns ---------------------------------------------------------------------------------------


def _name_key(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"name_key": text.normalize(values["name"])}


def _ngo(values: Mapping[str, Any]) -> dict[str, Any]:
    """As services/ngos/validation.py builds them."""
    name, ceo = values["name"], values["ceo_name"]
    return {
        "name_key": text.normalize(name),
        "name_sort": text.persian_sort_key(name),
        "ceo_sort": text.persian_sort_key(ceo),
        "search_text": ngo_search_text(name, values["national_id"], values["registration_no"], ceo),
    }


def _event(values: Mapping[str, Any]) -> dict[str, Any]:
    """As services/events.py builds them."""
    return {
        "title_key": event_title_key(values["title"]),
        "title_sort": text.persian_sort_key(values["title"]),
    }


def _letter(values: Mapping[str, Any]) -> dict[str, Any]:
    """As services/letters.py builds it."""
    return {"search_text": letter_search_text(values["number"], values["party"], values["subject"])}


def _memorandum(values: Mapping[str, Any]) -> dict[str, Any]:
    """As services/memoranda/memoranda.py builds them."""
    return {
        "title_sort": text.persian_sort_key(values["title"]),
        "search_text": memorandum_search_text(values["number"], values["title"]),
    }


def _centre(values: Mapping[str, Any]) -> dict[str, Any]:
    """As services/inspections/centres.py builds them."""
    return {
        "name_sort": text.persian_sort_key(values["name"]),
        "search_text": centre_search_text(values["code"], values["name"], values["operator"]),
    }


# table -> its derived columns from the arriving values (services/reference.py and memoranda/offices.py key a
# county, a list item and an office by text.normalize of the name). seq, stored_path and the trigger-kept
# totals are filled where a row is written (imports.py), never from the values alone.
_DERIVE: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "ngo": _ngo,
    "event": _event,
    "letter": _letter,
    "memorandum": _memorandum,
    "centre": _centre,
    "county": _name_key,
    "referenceitem": _name_key,
    "facilitationoffice": _name_key,
}
WRITTEN_ELSEWHERE = frozenset({"seq", "stored_path", "paid_total", "latest_progress"})


def derive(spec: TableSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The derived columns of a row of ``spec`` from its (decoded) column values."""
    make = _DERIVE.get(spec.name)
    return make(values) if make is not None else {}


# --- values as JSON ----------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # stored UTC without an offset
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _python_type(kind: Any) -> type:
    """The Python type a column holds (a TypeDecorator such as SQLModel's UTCDateTime: its implementation's)."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for sql_type, python in ((Boolean, bool), (Integer, int), (DateTime, datetime), (Date, date)):
        if isinstance(kind, sql_type):
            return python
    return str


# per table: (column, Python type, nullable, maximum length) of each column a record's "d" carries
_PLANS: dict[str, tuple[tuple[str, type, bool, int | None], ...]] = {
    spec.name: tuple(
        (
            name,
            _python_type(spec.table.c[name].type),
            bool(spec.table.c[name].nullable),
            getattr(spec.table.c[name].type, "length", None),
        )
        for name in spec.columns
    )
    for spec in EXCHANGED
}
_TEMPORAL: dict[str, tuple[str, ...]] = {
    name: tuple(column for column, kind, _n, _l in plan if kind in (date, datetime))
    for name, plan in _PLANS.items()
}


def encode_row(
    spec: TableSpec, row: Mapping[str, Any], links: Mapping[str, Sequence[str]] | None = None
) -> dict:
    """A record's "d": its columns as JSON values and its links as sorted id lists."""
    d = {name: row[name] for name in spec.columns}
    for name in _TEMPORAL[spec.name]:
        if d[name] is not None:
            d[name] = _encode(d[name])
    for link in spec.links:
        d[link.key] = sorted((links or {}).get(link.key, ()))
    return d


_DUMPS = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def canonical(fields: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``fields`` (sorted keys, no spaces, UTF-8 letters as they are)."""
    return _DUMPS(fields)


def compared_json(spec: TableSpec, fields: Mapping[str, Any]) -> str:
    """The canonical JSON of the compared fields of a record's "d": what its digest is taken of."""
    return _DUMPS({name: fields[name] for name in spec.compared})


def digest_of(text_json: str) -> str:
    return hashlib.sha256(text_json.encode("utf-8")).hexdigest()


def digest(table: str | TableSpec, fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the compared fields of a record's "d" (JSON values)."""
    spec = table if isinstance(table, TableSpec) else BY_NAME[table]
    return digest_of(compared_json(spec, fields))


def _bad(spec: TableSpec, record: str, field: str, why: str) -> ValidationError:
    return ValidationError(
        f"{spec.label} {record}: مقدار «{field_label(field)}» ({field}) درست نیست: {why}",
        field=field,
        record=record,
    )


_ID = re.compile(r"[0-9a-f]{32}")
_INT_RANGE = range(-(2**63), 2**63)


def _is_id(value: Any) -> bool:
    return type(value) is str and _ID.fullmatch(value) is not None


def _decode(kind: type, raw: Any, length: int | None) -> tuple[Any, Any]:
    """(the Python value, its canonical JSON value) of a non-null JSON value; ValueError when it does not fit."""
    if kind is str:
        if type(raw) is not str:
            raise ValueError("باید متن باشد")
        if length is not None and len(raw) > length:
            raise ValueError("بلندتر از اندازه مجاز است")
        return raw, raw
    if kind is int:
        if type(raw) is not int or raw not in _INT_RANGE:
            raise ValueError("باید عدد صحیح باشد")
        return raw, raw
    if kind is bool:
        if type(raw) is not bool:
            raise ValueError("باید درست/نادرست باشد")
        return raw, raw
    if type(raw) is not str:
        raise ValueError("باید تاریخ یا زمان باشد")
    if kind is date:
        try:
            value = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            value = None
        if value is None:
            raise ValueError("باید تاریخ باشد")
        return value, value.isoformat()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("باید زمان باشد") from None
    if moment.tzinfo is None:
        raise ValueError("زمان بی‌منطقه زمانی است")
    moment = moment.astimezone(UTC)
    return moment, moment.isoformat()


def decode_fields(spec: TableSpec, d: Any, record: str) -> tuple[dict[str, Any], dict[str, list[str]], dict]:
    """Check a record's "d": (column values as Python values, link id lists, "d" in canonical JSON form).

    Raises:
        ValidationError: a field missing or unknown, or a value of the wrong kind (Persian, naming it).
    """
    if type(d) is not dict:
        raise ValidationError(f"{spec.label} {record}: داده رکورد درست نیست", record=record)
    if d.keys() != set(spec.fields):
        wrong = sorted(set(d) ^ set(spec.fields))
        raise ValidationError(
            f"{spec.label} {record}: بخش‌های رکورد با این نسخه برنامه نمی‌خواند ({'، '.join(wrong)})",
            field=wrong[0],
            record=record,
        )
    values: dict[str, Any] = {}
    canonical_d: dict[str, Any] = {}
    for name, kind, nullable, length in _PLANS[spec.name]:
        raw = d[name]
        if raw is None:
            if not nullable:
                raise _bad(spec, record, name, "خالی است")
            values[name] = canonical_d[name] = None
            continue
        try:
            values[name], canonical_d[name] = _decode(kind, raw, length)
        except ValueError as exc:
            raise _bad(spec, record, name, str(exc)) from None
    links: dict[str, list[str]] = {}
    for link in spec.links:
        ids = d[link.key]
        if type(ids) is not list or not all(map(_is_id, ids)) or len(set(ids)) != len(ids):
            raise _bad(spec, record, link.key, "فهرست شناسه‌ها نیست")
        links[link.key] = canonical_d[link.key] = sorted(ids)
    return values, links, canonical_d


def is_record_id(value: Any) -> bool:
    """A record id as every desk makes them: 32 lowercase hex digits."""
    return _is_id(value)


_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(value: Any) -> bool:
    """A SHA-256 as the exchange writes them (a record digest, an attachment's or a file's): 64 lowercase
    hex digits."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


# --- reading rows ------------------------------------------------------------------------------------------


def chunks(items: Sequence[Any] | Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_rows(conn: Connection, spec: TableSpec, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of ``spec`` with these ids, every column, by id (``IN`` lists of CHUNK ids)."""
    table = spec.table
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for row in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            found[row["id"]] = dict(row)
    return found


def read_links(conn: Connection, spec: TableSpec, ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """The link lists of the records ``ids`` of ``spec``: {id: {"fields": [...]}} (only records with links)."""
    if not spec.links:
        return {}
    found: dict[str, dict[str, list[str]]] = {}
    for chunk in chunks(ids):
        for link in spec.links:
            parent, other = link.table.c[link.parent_column], link.table.c[link.other_column]
            for owner, target in conn.execute(select(parent, other).where(parent.in_(chunk))):
                found.setdefault(owner, {}).setdefault(link.key, []).append(target)
    return found


def stored_fields(conn: Connection, spec: TableSpec, record_id: str) -> dict | None:
    """The stored record ``record_id`` of ``spec`` as its exchanged "d" (None: no such row here)."""
    row = conn.execute(select(spec.table).where(spec.table.c.id == record_id)).mappings().first()
    if row is None:
        return None
    return encode_row(spec, row, read_links(conn, spec, [record_id]).get(record_id))


def owner_chain(spec: TableSpec) -> list[tuple[str, TableSpec]]:
    """How a row of ``spec`` finds its county: [(column, parent spec), ...] up to a county-owned (or
    reference) table; [] for a table that has its own county_id (or is reference data)."""
    chain: list[tuple[str, TableSpec]] = []
    current = spec
    while not current.county_owned and not current.reference and current.parent is not None:
        column, parent = current.parent
        current = BY_NAME[parent]
        chain.append((column, current))
    return chain


def scope_select(spec: TableSpec, county_id: str) -> Select:
    """``SELECT`` of the rows of ``spec`` belonging to ``county_id`` (joined up to their county-owned
    ancestor for a child table)."""
    table = spec.table
    stmt = select(table)
    owner, below = table, table
    for column, parent in owner_chain(spec):
        stmt = stmt.join(parent.table, parent.table.c.id == below.c[column])
        owner = below = parent.table
    return stmt.where(owner.c.county_id == county_id)
