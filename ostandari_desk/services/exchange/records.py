"""The records of an exchange file and what this desk makes of them: ``Incoming`` (one record line, its
digests and its action) and ``Batch`` (the records of one file, or of one conflict being resolved, with the
stored rows around them, read once). ``checks.py`` sets the actions, ``apply.py`` writes them.

The actions: ``SAME`` (this desk holds it already), ``INSERT``, ``UPDATE``, ``DELETE``, ``GONE`` (deleted on
both sides), ``UNCHANGED`` (nothing new from the sender: ours stands and goes back in our next file),
``CONFLICT`` (waits for a manager).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.exchange.ledger import ABSENT
from ostandari_desk.services.exchange.tables import BY_NAME, EXCHANGED, TableSpec, read_rows
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeState
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "ACCEPTED",
    "CONFLICT",
    "DELETE",
    "GONE",
    "INSERT",
    "MISSING",
    "RECORDS_MEMBER",
    "SAME",
    "UNCHANGED",
    "UPDATE",
    "Batch",
    "Incoming",
    "describe",
    "refused",
]

RECORDS_MEMBER = "records.jsonl"  # the member of a changes file that holds its record lines
# what happens to an incoming record
SAME, INSERT, UPDATE, DELETE, GONE, UNCHANGED, CONFLICT = (
    "same",
    "insert",
    "update",
    "delete",
    "gone",
    "unchanged",
    "conflict",
)
ACCEPTED = frozenset({SAME, INSERT, UPDATE, DELETE, GONE})  # this desk now holds what the sender sent
MISSING = object()  # Batch.counties: a row whose parent is nowhere


@dataclass
class Incoming:
    """One record line of a changes file, and what this desk makes of it."""

    spec: TableSpec
    id: str
    version: int
    base: str | None  # the digest the sender believed this desk holds
    deleted: bool
    values: dict[str, Any] = field(default_factory=dict)  # column values (Python)
    links: dict[str, list[str]] = field(default_factory=dict)
    d: dict[str, Any] = field(default_factory=dict)  # "d" in canonical JSON form (when kept)
    digest: str | None = None  # None for a deletion
    action: str = ""
    local: dict[str, Any] | None = None  # the stored row
    local_d: dict[str, Any] | None = None
    local_digest: str | None = None
    local_links: dict[str, list[str]] = field(default_factory=dict)
    state: str | None = None  # ExchangeState.digest for the sender, None: no state
    stored_path: str = ""  # an attachment's file, stored here

    @property
    def label(self) -> str:
        return describe(self.spec, self.values or self.local or {}, self.id)


def describe(spec: TableSpec, values: dict[str, Any], record_id: str) -> str:
    """«سمن «انجمن …»», «مکاتبه شماره ۱۰۰ «موضوع»»: a record in a Persian sentence."""
    number, subject = values.get("number"), values.get("subject")
    if isinstance(number, str) and number and isinstance(subject, str):
        return f"{spec.label} شماره {text.to_persian_digits(number)} «{_short(subject)}»"
    for key in ("name", "title", "number", "code", "full_name", "tracking_no", "file_name", "text", "action"):
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            shown = text.to_persian_digits(value) if key in {"number", "tracking_no"} else value
            return f"{spec.label} «{_short(shown)}»"
    return f"{spec.label} {record_id}"


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"


def refused(message: str, *, record: str | None = None, field: str | None = None) -> ValidationError:
    return ValidationError(f"پرونده تبادل پذیرفته نشد: {message}", record=record, field=field)


class Batch:
    """The records of one file (or one conflict being resolved) and what is stored of them and around them."""

    def __init__(self, uow: UnitOfWork, desk: ExchangeDesk, records: Iterable[Incoming] = ()):
        self.uow = uow
        self.conn = uow.s.connection()
        self.desk = desk
        self.records: dict[str, dict[str, Incoming]] = {spec.name: {} for spec in EXCHANGED}
        for rec in records:
            self.records[rec.spec.name][rec.id] = rec
        self._rows: dict[str, dict[str, Any]] = {spec.name: {} for spec in EXCHANGED}
        self.open_conflicts: dict[tuple[str, str], ExchangeConflict] = {
            (c.table_name, c.record_id): c
            for c in uow.s.execute(
                select(ExchangeConflict).where(
                    ExchangeConflict.desk_id == desk.id, ExchangeConflict.resolved_at.is_(None)
                )
            ).scalars()
        }

    def all(self) -> Iterable[Incoming]:
        for spec in EXCHANGED:
            yield from self.records[spec.name].values()

    def local(self, spec: TableSpec, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of these ids (cached; absent ids are left out)."""
        cache = self._rows[spec.name]
        missing = [i for i in dict.fromkeys(ids) if i not in cache]
        if missing:
            found = read_rows(self.conn, spec, missing)
            for record_id in missing:
                cache[record_id] = found.get(record_id)
        return {i: cache[i] for i in ids if cache.get(i) is not None}

    def exists_after(self, spec: TableSpec, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` will be rows of ``spec`` once this batch is written."""
        ids = list(ids)
        batch = self.records[spec.name]
        stored = self.local(spec, [i for i in ids if i not in batch])
        out = set(stored)
        for record_id in ids:
            rec = batch.get(record_id)
            if rec is None:
                continue
            if rec.action in (INSERT, UPDATE, SAME) or rec.action in (UNCHANGED, CONFLICT) and rec.local:
                out.add(record_id)
        return out

    def waiting(self, spec: TableSpec, record_id: str) -> bool:
        """Whether the record waits for a manager (a conflict of this batch or an open one)."""
        rec = self.records[spec.name].get(record_id)
        return (rec is not None and rec.action == CONFLICT) or (spec.name, record_id) in self.open_conflicts

    def deleted_here(self, spec: TableSpec, record_id: str) -> bool:
        """Whether the sender holds a record this desk deleted (a state without a row)."""
        t = ExchangeState.__table__.c
        found = self.conn.execute(
            select(t.digest).where(
                t.desk_id == self.desk.id, t.table_name == spec.name, t.record_id == record_id
            )
        ).first()
        return found is not None and found[0] != ABSENT

    def counties(self, spec: TableSpec, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """{id: county id} of these rows (values of ``spec``), through their parents for a child table;
        MISSING when a parent is nowhere."""
        if spec.county_owned:
            return {i: row.get("county_id") for i, row in rows.items()}
        assert spec.parent is not None, spec.name
        column, parent_name = spec.parent
        parent = BY_NAME[parent_name]
        wanted = {row[column] for row in rows.values() if row.get(column) is not None}
        parents: dict[str, dict[str, Any]] = {}
        for parent_id in wanted:
            rec = self.records[parent_name].get(parent_id)
            if rec is not None and not rec.deleted:
                parents[parent_id] = rec.values
        parents.update(self.local(parent, [i for i in wanted if i not in parents]))
        found = self.counties(parent, parents)
        return {i: found.get(row.get(column), MISSING) for i, row in rows.items()}
