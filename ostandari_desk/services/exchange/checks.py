"""The checks of a changes file's records before anything is written: each record's action, then the file
as a whole (refused, naming the record and field, when a check fails).

``check_scope``: a county's file carries only that county's records (a child through its parent), reference
lists only come from the province. ``classify``/``decide``: per record, with ``i`` the incoming digest, ``l``
the local one (None: no such row), ``s`` the state (what the sender is known to hold) and ``b`` what the
sender believed this desk holds: ``i == l`` accepts; a record never seen inserts; ``i == s`` (nothing new
from the sender) keeps ours, which goes back in our next file; ``l == s`` or ``l == b`` applies; anything
else waits in the conflict list (a record deleted here that the sender changed too); deletions likewise;
reference lists from the province always apply at a county desk. ``check_references``: every reference an
applied record makes must exist afterwards (one that points at a record waiting for a manager waits too).
``check_dependents``: a deletion whose record is still used here waits as a conflict. ``check_unique``: no
unique key (national ID, centre code, memorandum number, a letter series...) may collide.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.audit_labels import field_label
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.services.exchange.ledger import ABSENT
from ostandari_desk.services.exchange.records import (
    CONFLICT,
    DELETE,
    GONE,
    INSERT,
    MISSING,
    SAME,
    UNCHANGED,
    UPDATE,
    Batch,
    Incoming,
    describe,
    refused,
)
from ostandari_desk.services.exchange.tables import (
    BY_NAME,
    EXCHANGED,
    LINK_TABLES,
    TableSpec,
    chunks,
    derive,
    digest,
    encode_row,
    read_links,
)
from ostandari_desk.store.models import ExchangeState

__all__ = [
    "check_dependents",
    "check_references",
    "check_scope",
    "check_unique",
    "classify",
    "decide",
    "dependents",
    "unique_keys",
]


def check_scope(batch: Batch, me: DeskIdentity) -> None:
    """A county's file carries only its county's records; the province's file (at a county) only reference
    lists, this county's records and the NGOs they name (a provincial NGO at a county's event). Both the
    arriving values and the stored row are checked."""
    sender_county = batch.desk.county_id
    allowed = sender_county if me.county_id is None else me.county_id
    for spec in EXCHANGED:
        recs = batch.records[spec.name]
        if not recs or (spec.name == "ngo" and sender_county is None):
            continue
        if spec.reference:
            if sender_county is not None:
                rec = next(iter(recs.values()))
                raise refused(f"{rec.label}: فهرست‌های پایه تنها از میز استان فرستاده می‌شوند", record=rec.id)
            continue
        arriving = batch.counties(spec, {r.id: r.values for r in recs.values() if not r.deleted})
        stored = batch.counties(spec, batch.local(spec, list(recs)))
        for rec in recs.values():
            for county in (arriving.get(rec.id, MISSING), stored.get(rec.id, MISSING)):
                if county is not MISSING and county != allowed:
                    whose = "این میز" if me.county_id is not None else "شهرستان فرستنده"
                    raise refused(
                        f"{rec.label} از حوزه {whose} نیست؛ پرونده هر شهرستان تنها رکوردهای همان شهرستان را "
                        "می‌آورد",
                        record=rec.id,
                        field="county_id",
                    )


def classify(batch: Batch, force_reference: bool = False) -> None:
    """Set each record's action from its incoming, local and state digests (the module docstring)."""
    for spec in EXCHANGED:
        recs = batch.records[spec.name]
        if not recs:
            continue
        ids = list(recs)
        local = batch.local(spec, ids)
        links = read_links(batch.conn, spec, list(local))
        states = read_states(batch, spec.name, ids)
        for rec in recs.values():
            row = local.get(rec.id)
            if row is not None:
                rec.local = row
                rec.local_links = links.get(rec.id, {})
                rec.local_d = encode_row(spec, row, rec.local_links)
                rec.local_digest = digest(spec, rec.local_d)
            rec.state = states.get(rec.id)
            rec.action = decide(rec, force_reference and spec.reference)


def decide(rec: Incoming, force: bool = False) -> str:
    """The action for one record (``force``: the province's reference lists at a county desk)."""
    i, local, s, b = rec.digest, rec.local_digest, rec.state, rec.base
    if rec.deleted:
        if local is None:
            return GONE
        return DELETE if force or local == s or local == b else CONFLICT
    if local is not None and i == local:
        return SAME
    if force:
        return INSERT if local is None else UPDATE
    if local is None:
        if s is None or s == ABSENT or b == ABSENT:
            return INSERT
        return UNCHANGED if i == s else CONFLICT  # deleted here; changed there: a manager decides
    if i == s:
        return UNCHANGED
    return UPDATE if local == s or local == b else CONFLICT


def read_states(batch: Batch, table: str, ids: list[str]) -> dict[str, str]:
    t = ExchangeState.__table__.c
    found: dict[str, str] = {}
    for chunk in chunks(ids):
        rows = batch.conn.execute(
            select(t.record_id, t.digest).where(
                t.desk_id == batch.desk.id, t.table_name == table, t.record_id.in_(chunk)
            )
        )
        found.update(dict(rows.all()))
    return found


def check_references(batch: Batch) -> None:
    """Every record to be written must point at rows that exist afterwards. One that points at a record
    waiting for a manager, or at one deleted here that the sender still holds, waits as a conflict; anything
    else refuses the file."""
    present: dict[str, set[str]] = {}  # per table: ids known to exist once the batch is written
    for spec in EXCHANGED:
        changed = True
        while changed:  # again while a record of this table turns into a conflict (self references)
            changed = False
            wanted: dict[str, dict[str, list[tuple[Incoming, str]]]] = {}
            for rec in batch.records[spec.name].values():
                if rec.action not in (INSERT, UPDATE):
                    continue
                for column, target in spec.references:
                    value = rec.values[column]
                    if value is not None and value not in present.get(target, ()):
                        wanted.setdefault(target, {}).setdefault(value, []).append((rec, column))
                for link in spec.links:
                    known = present.get(link.target, ())
                    for value in rec.links[link.key]:
                        if value not in known:
                            wanted.setdefault(link.target, {}).setdefault(value, []).append((rec, link.key))
            for target, users in wanted.items():
                target_spec = BY_NAME[target]
                found = batch.exists_after(target_spec, users)
                if target != spec.name:  # a table's own rows may still turn into conflicts in this loop
                    present.setdefault(target, set()).update(found)
                for value, pointing in users.items():
                    if value in found:
                        continue
                    for rec, column in pointing:
                        if rec.action == CONFLICT:
                            continue
                        if batch.waiting(target_spec, value) or batch.deleted_here(target_spec, value):
                            rec.action = CONFLICT  # it waits with (or for) the record it needs
                            changed = True
                            continue
                        raise refused(
                            f"{rec.label} به {target_spec.label}ی اشاره می‌کند ({field_label(column)}) که در این "
                            "میز نیست و در این پرونده هم نیامده است",
                            record=rec.id,
                            field=column,
                        )


def check_dependents(batch: Batch) -> None:
    """A deletion whose record is still used here afterwards (by a row this batch keeps) waits as a
    conflict; children first, so a child that waits keeps its parent waiting too."""
    metadata = EXCHANGED[0].table.metadata
    for spec in reversed(EXCHANGED):
        changed = True
        while changed:
            changed = False
            deletes = [r for r in batch.records[spec.name].values() if r.action == DELETE]
            if not deletes:
                break
            used = dependents(batch, spec, [r.id for r in deletes], metadata)
            for rec in deletes:
                if rec.id in used:
                    rec.action = CONFLICT
                    changed = True


def dependents(batch: Batch, spec: TableSpec, ids: list[str], metadata=None) -> dict[str, list[str]]:
    """{id: [«table», ...]} of the ``ids`` of ``spec`` that rows kept by this batch still point at."""
    metadata = metadata if metadata is not None else spec.table.metadata
    used: dict[str, list[str]] = {}
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table is not spec.table:
                continue
            column = fk.parent
            if table.name in LINK_TABLES:
                _link_dependents(batch, spec, table, column.name, ids, used)
                continue
            keyed = "id" in table.c
            other = BY_NAME.get(table.name)
            for chunk in chunks(ids):
                key = table.c.id if keyed else next(iter(table.primary_key.columns))
                for row_id, target in batch.conn.execute(select(key, column).where(column.in_(chunk))):
                    rec = batch.records[other.name].get(row_id) if other is not None else None
                    if rec is not None and (
                        rec.action == DELETE
                        or rec.action in (INSERT, UPDATE)
                        and rec.values[column.name] != target
                    ):
                        continue
                    used.setdefault(target, []).append(table.name)
    return used


def _link_dependents(batch: Batch, spec: TableSpec, table, column: str, ids: list[str], used: dict) -> None:
    for owner in EXCHANGED:
        for link in owner.links:
            if link.table is not table:
                continue
            if column == link.parent_column:
                return  # the record's own links go with it
            parent_col, other_col = table.c[link.parent_column], table.c[link.other_column]
            for chunk in chunks(ids):
                for parent_id, target in batch.conn.execute(
                    select(parent_col, other_col).where(other_col.in_(chunk))
                ):
                    rec = batch.records[owner.name].get(parent_id)
                    if rec is not None and (
                        rec.action == DELETE
                        or rec.action in (INSERT, UPDATE)
                        and target not in rec.links[link.key]
                    ):
                        continue
                    used.setdefault(target, []).append(owner.name)
            return


_WHERE = re.compile(r"^\s*(\w+)\s+IS\s+(NOT\s+)?NULL\s*$", re.IGNORECASE)


def unique_keys(spec: TableSpec) -> list[tuple[tuple[str, ...], tuple[str, bool] | None]]:
    """The unique keys of ``spec``'s table (constraints, unique indexes and columns; ``seq`` and the primary
    key aside): (columns, (column, must be null) of a partial index or None)."""
    table = spec.table
    keys: list[tuple[tuple[str, ...], tuple[str, bool] | None]] = []
    for constraint in table.constraints:
        if constraint.__class__.__name__ == "UniqueConstraint":
            keys.append((tuple(c.name for c in constraint.columns), None))
    for index in table.indexes:
        if not index.unique:
            continue
        condition = None
        where = index.dialect_options["sqlite"].get("where")
        if where is not None:
            match = _WHERE.match(str(where))
            assert match is not None, f"unsupported partial index {index.name}"
            condition = (match.group(1), not match.group(2))
        keys.append((tuple(c.name for c in index.columns), condition))
    for column in table.columns:
        if column.unique and column.name not in {"seq", "id"}:
            keys.append(((column.name,), None))
    return [k for k in dict.fromkeys(keys) if "seq" not in k[0]]


def _final_row(rec: Incoming) -> dict[str, Any]:
    return {**rec.values, **derive(rec.spec, rec.values)}


_SERIES = frozenset(
    {"county_id", "province_id", "direction", "jalali_year", "kind", "category_id", "memorandum_id"}
)


def _key_text(columns: tuple[str, ...], values: Any) -> tuple[str, str, str]:
    """(the key's field as a clerk names it, its value, the field's column) of a unique key: its identifying
    columns, the series it is unique within left out (a letter's number, not its county and year)."""
    shown = [c for c in columns if c not in _SERIES] or list(columns)
    fields = [c.removesuffix("_key") if c.endswith("_key") else c for c in shown]
    value = " ".join(str(values[c]) for c in shown)
    return "، ".join(field_label(f) for f in fields), text.to_persian_digits(value), fields[-1]


def check_unique(batch: Batch) -> None:
    """No written record may take a unique key another record holds (here or in this batch)."""
    for spec in EXCHANGED:
        writes = [r for r in batch.records[spec.name].values() if r.action in (INSERT, UPDATE)]
        if not writes:
            continue
        table = spec.table
        for columns, condition in unique_keys(spec):
            taken: dict[tuple, Incoming] = {}
            for rec in writes:
                row = _final_row(rec)
                if condition is not None and (row[condition[0]] is None) != condition[1]:
                    continue
                key = tuple(row[c] for c in columns)
                if None in key:
                    continue
                other = taken.get(key)
                if other is not None:
                    named, value, column = _key_text(columns, row)
                    raise refused(
                        f"{rec.label} و {other.label} {named} یکسان «{value}» دارند",
                        record=rec.id,
                        field=column,
                    )
                taken[key] = rec
            first = table.c[columns[0]]
            for chunk in chunks(sorted({k[0] for k in taken}, key=str)):
                stmt = select(table).where(first.in_(chunk))
                if condition is not None:
                    cond_col = table.c[condition[0]]
                    stmt = stmt.where(cond_col.is_(None) if condition[1] else cond_col.is_not(None))
                for row in batch.conn.execute(stmt).mappings():
                    rec = taken.get(tuple(row[c] for c in columns))
                    if rec is None or row["id"] == rec.id:
                        continue
                    mine = batch.records[spec.name].get(row["id"])
                    if mine is not None and mine.action in (DELETE, UPDATE):
                        continue  # that row gives the key up in this batch (a kept key was caught above)
                    named, value, column = _key_text(columns, row)
                    raise refused(
                        f"{rec.label}: {named} «{value}» در این میز پیش‌تر برای "
                        f"{describe(spec, dict(row), row['id'])} ثبت شده است",
                        record=rec.id,
                        field=column,
                    )
