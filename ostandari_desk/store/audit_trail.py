"""What a unit of work writes down: each changed field of each record, and who may touch which county.

Session events do the work, so no service can forget it:
- ``do_orm_execute``: an ORM-enabled SELECT gets the actor's county as loader criteria (a county user
  reads only their county's records); an INSERT/UPDATE/DELETE statement on a table is checked against the
  actor's county and its rows are recorded before and after.
- ``before_flush``/``after_flush``: the same for objects added, changed or deleted through the session.
Writes below the session (a raw driver ``executemany`` in a bulk loader) record themselves with
``UnitOfWork.audit``/``audit_rows``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import SQLModel

from ostandari_desk.domain.roles import Actor
from ostandari_desk.errors import PermissionDeniedError
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.models import AuditEntry, CountyOwned, new_id, utc_now

# Derived or bookkeeping columns: never worth a line of history.
SKIP_COLUMNS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "row_version",
        "search_text",
        "name_key",
        "title_key",
        "username_key",
        "name_sort",
        "ceo_sort",
        "title_sort",
        "seq",
        "password_hash",  # a change of password is its own entry, never its hash
        "failed_logins",  # sign-in bookkeeping: failures and lockouts are their own entries
        "locked_until",
        "paid_total",  # memorandum's, derived by triggers from its payments (migration 0007)
        "latest_progress",  # memorandum's, derived by triggers from its progress reports
    }
)
# Tables whose rows are not office records (the trail itself, the schema's version, what the database derives
# by triggers: the NGO search index, the visits' coverage).
UNAUDITED = frozenset(
    {
        "auditentry",
        "alembic_version",
        "ngo_fts",
        "inspectioncoverage",
        "exchangefile",
        "exchangestate",
        "exchangeconflict",
    }
)

# table -> (column naming its parent, parent table): a child row belongs to its parent's county, and its
# history is shown with the parent's.
PARENTS: dict[str, tuple[str, str]] = {
    "ngofield": ("ngo_id", "ngo"),
    "boardmember": ("ngo_id", "ngo"),
    "inquiry": ("case_id", "licencecase"),
    "eventngo": ("event_id", "event"),
    "letterattachment": ("letter_id", "letter"),
    "progressreport": ("memorandum_id", "memorandum"),
    "payment": ("memorandum_id", "memorandum"),
    "progressattachment": ("progress_id", "progressreport"),
    "finding": ("inspection_id", "inspection"),
    "correctiveaction": ("finding_id", "finding"),
    "inspectionnote": ("inspection_id", "inspection"),
    "inspectionattachment": ("inspection_id", "inspection"),
    "checklistitem": ("template_id", "checklisttemplate"),
}
# County-owned records whose history also shows on their NGO's.
_NGO_OWNED = frozenset({"licencecase", "licence", "licencestep"})

_JSON = json.JSONEncoder(ensure_ascii=False)  # the same text json.dumps(..., ensure_ascii=False) gives

OUT_OF_SCOPE = "این رکورد به شهرستان دیگری تعلق دارد و در دسترس شما نیست"


def encode(value: Any) -> Any:
    """A JSON-safe form of a column value (dates as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def owner_of(table: str, row: Mapping[str, Any]) -> str | None:
    parent = PARENTS.get(table)
    if parent is not None:
        return row.get(parent[0])
    if table in _NGO_OWNED:
        return row.get("ngo_id")
    return None


def _owner_column(table: str) -> str | None:
    """The column naming the record whose history also shows a row of ``table`` (see owner_of)."""
    parent = PARENTS.get(table)
    if parent is not None:
        return parent[0]
    return "ngo_id" if table in _NGO_OWNED else None


def record_id_of(table: Table, row: Mapping[str, Any]) -> str:
    keys = [str(row.get(column.name, "")) for column in table.primary_key.columns]
    return "/".join(keys)


def field_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list]:
    """{field: [before, after]} for every field whose value differs (skipped columns left out)."""
    before = before or {}
    after = after or {}
    changes: dict[str, list] = {}
    for key in {*before, *after}:
        if key in SKIP_COLUMNS:
            continue
        old, new = encode(before.get(key)), encode(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


class AuditTrail:
    """The entries of one unit of work, buffered and written in its transaction just before it commits."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.rows: list[dict[str, Any]] = []
        self._county_cache: dict[tuple[str, str], str | None] = {}

    # --- entries -------------------------------------------------------------------------------

    def log(
        self,
        action: str,
        table_name: str,
        record_id: str,
        changes: Mapping[str, list] | None = None,
        detail: str = "",
        owner_id: str | None = None,
    ) -> None:
        self.rows.append(
            {
                **self._shared(action, table_name),
                "id": new_id(),
                "record_id": record_id,
                "owner_id": owner_id,
                "changes": json.dumps(changes, ensure_ascii=False) if changes else "",
                "detail": detail,
            }
        )

    def row_written(
        self, action: str, table: Table, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
    ) -> None:
        """Record an insert (before None), update or delete (after None) of one row of ``table``."""
        if table.name in UNAUDITED:
            return
        changes = field_changes(before, after)
        if action == "update" and not changes:
            return
        row = after if after is not None else before
        assert row is not None
        self.log(action, table.name, record_id_of(table, row), changes, owner_id=owner_of(table.name, row))

    def rows_inserted(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record inserts of many rows of ``table`` (a bulk loader; every row has the same keys).

        The same entries ``row_written`` makes, built in one pass: one moment for the batch, ids that
        share a random prefix (cheaper than a UUID each, and in order for the index), no per-field
        comparison. An import of 100,000 NGOs must cost at most 1.3× the same import without audit.
        """
        if table.name in UNAUDITED or not rows:
            return
        keys = [k for k in rows[0] if k not in SKIP_COLUMNS]
        primary = [c.name for c in table.primary_key.columns]
        owner_key = _owner_column(table.name)
        base = self._shared("insert", table.name)
        prefix = new_id()[:24]
        dumps = _JSON.encode
        append = self.rows.append
        for n, row in enumerate(rows):
            changes = {}
            for key in keys:
                value = row[key]
                if value is not None:
                    changes[key] = [None, value if type(value) is str else encode(value)]
            if len(primary) == 1:
                record_id = str(row[primary[0]])
            else:
                record_id = "/".join(str(row.get(k, "")) for k in primary)
            append(
                {
                    **base,
                    "id": f"{prefix}{n:08x}",
                    "record_id": record_id,
                    "owner_id": row.get(owner_key) if owner_key else None,
                    "changes": dumps(changes) if changes else "",
                }
            )

    def rows_loaded(self, session: Session, table: Table, where: Any) -> None:
        """Record the rows of ``table`` that ``where`` selects, just written below the session by a bulk
        loader: the entries ``rows_inserted`` makes, built by the database itself where its adapter can
        (no row comes back into Python), in the session's transaction."""
        if table.name in UNAUDITED:
            return
        self._check_loaded(session, table, where)
        conn = session.connection()
        fields = [c.name for c in table.columns if c.name not in SKIP_COLUMNS]
        entry = self._shared("insert", table.name)
        built = adapters_for(conn).audit_inserted(
            conn, AuditEntry.__table__, table, where, fields, _owner_column(table.name), entry, new_id()[:24]
        )
        if not built:
            self.rows_inserted(table, [dict(r) for r in conn.execute(select(table).where(where)).mappings()])

    def _shared(self, action: str, table_name: str) -> dict[str, Any]:
        """The columns every entry of one batch shares."""
        actor = self.actor
        return {
            "at": utc_now(),
            "user_id": actor.user_id,
            "username": actor.username,
            "role": actor.role.value,
            "county_id": actor.county_scope,
            "action": action,
            "table_name": table_name,
            "detail": "",
        }

    def _check_loaded(self, session: Session, table: Table, where: Any) -> None:
        """PermissionDeniedError if a county user's bulk load wrote a row of another county."""
        scope = self.actor.county_scope
        if scope is None:
            return
        parent = PARENTS.get(table.name)
        if "county_id" in table.c:
            owner, county = table, table.c.county_id
            stmt = select(table.c[table.primary_key.columns[0].name])
        elif parent is not None and "county_id" in table.metadata.tables[parent[1]].c:
            owner = table.metadata.tables[parent[1]]
            county = owner.c.county_id
            stmt = select(owner.c.id).select_from(table.join(owner, table.c[parent[0]] == owner.c.id))
        else:  # deeper families: row by row
            for row in session.connection().execute(select(table).where(where)).mappings():
                self.check_row(session, table, row)
            return
        outside = stmt.where(where, or_(county.is_(None), county != scope)).limit(1)
        found = session.connection().execute(outside).first()
        if found is not None:
            raise PermissionDeniedError(OUT_OF_SCOPE, record=str(found[0]))

    def write(self, session: Session) -> None:
        """Insert the buffered entries on the session's connection (same transaction)."""
        if self.rows:
            rows, self.rows = self.rows, []
            conn = session.connection()
            adapters_for(conn).bulk_insert(conn, AuditEntry.__table__, rows)

    # --- county scope ----------------------------------------------------------------------------

    def check_row(self, session: Session, table: Table, row: Mapping[str, Any]) -> None:
        """PermissionDeniedError unless the row belongs to the actor's county (or the actor sees all)."""
        if self.actor.county_scope is None or table.name in UNAUDITED:
            return
        county_id = self._county_of(session, table, row)
        if county_id is _NOT_COUNTY_OWNED:
            return
        if not self.actor.sees_county(county_id):
            raise PermissionDeniedError(OUT_OF_SCOPE, record=record_id_of(table, row))

    def _county_of(self, session: Session, table: Table, row: Mapping[str, Any]) -> Any:
        if "county_id" in table.c and table.name not in {"user", "auditentry"}:
            if "county_id" in row:
                return row["county_id"]
            return self._lookup(session, table, record_id_of(table, row))
        parent = PARENTS.get(table.name)
        if parent is None:
            return _NOT_COUNTY_OWNED
        parent_id = row.get(parent[0])
        if parent_id is None:
            return None
        return self._lookup(session, table.metadata.tables[parent[1]], parent_id)

    def _lookup(self, session: Session, table: Table, record_id: str) -> Any:
        key = (table.name, record_id)
        if key not in self._county_cache:
            found = (
                session.connection().execute(select(table).where(table.c.id == record_id)).mappings().first()
            )
            self._county_cache[key] = None if found is None else self._county_of(session, table, found)
        return self._county_cache[key]


_NOT_COUNTY_OWNED = object()


# --- session events --------------------------------------------------------------------------------


def install(session: Session, trail: AuditTrail) -> None:
    """Hook ``trail`` into ``session``: scoped reads, checked and recorded writes."""
    from sqlalchemy import event

    event.listen(session, "do_orm_execute", lambda state: _on_execute(state, trail))
    event.listen(session, "before_flush", lambda s, _ctx, _inst: _before_flush(s, trail))
    event.listen(session, "after_flush", lambda s, _ctx: _after_flush(s, trail))


def _on_execute(state: ORMExecuteState, trail: AuditTrail):
    scope = trail.actor.county_scope
    if state.is_select:
        if scope is not None and not state.is_column_load and not state.is_relationship_load:
            state.statement = state.statement.options(
                *(
                    with_loader_criteria(model, lambda cls: cls.county_id == scope, include_aliases=True)
                    for model in _county_owned_models()
                )
            )
        return None
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = state.statement.table
    if not isinstance(table, Table) or table.name in UNAUDITED:
        return None
    if state.is_insert:
        rows = _insert_rows(state)
        for row in rows:
            trail.check_row(state.session, table, row)
        result = state.invoke_statement()
        for row in rows:
            trail.row_written("insert", table, None, row)
        return result
    return _update_or_delete(state, trail, table)


@cache
def _county_owned_models() -> tuple[type, ...]:
    """Every mapped table of a county-owned record."""
    return tuple(
        mapper.class_ for mapper in SQLModel._sa_registry.mappers if issubclass(mapper.class_, CountyOwned)
    )


def _insert_rows(state: ORMExecuteState) -> list[dict[str, Any]]:
    params = state.parameters
    if isinstance(params, Mapping) and params:
        rows = [dict(params)]
    elif isinstance(params, list | tuple) and params:
        rows = [dict(p) for p in params]
    else:
        compiled = state.statement.compile(dialect=state.session.get_bind().dialect)
        rows = [dict(compiled.params)]
    return rows


def _update_or_delete(state: ORMExecuteState, trail: AuditTrail, table: Table):
    session = state.session
    before = _rows_touched(session, table, state.statement.whereclause, state.parameters)
    for row in before:
        trail.check_row(session, table, row)
    result = state.invoke_statement()
    if state.is_delete:
        for row in before:
            trail.row_written("delete", table, row, None)
        return result
    keys = [r["id"] for r in before] if "id" in table.c else None
    if keys is None:
        after_rows = before  # composite-key tables are only inserted and deleted
    else:
        after_rows = []
        for chunk in _chunks(keys, 500):
            after_rows += [
                dict(r)
                for r in session.connection().execute(select(table).where(table.c.id.in_(chunk))).mappings()
            ]
    after_by_id = {r.get("id"): r for r in after_rows}
    for row in before:
        after = after_by_id.get(row.get("id"), row)
        trail.check_row(session, table, after)
        trail.row_written("update", table, row, after)
    return result


def _rows_touched(session: Session, table: Table, where: Any, parameters: Any) -> list[dict[str, Any]]:
    """The rows an UPDATE/DELETE is about to change, as they are: for one statement, or for each parameter
    set of an executemany (a WHERE with bind parameters, or an ORM bulk update by primary key)."""
    sets = list(parameters) if isinstance(parameters, list | tuple) else [parameters or {}]
    primary = list(table.primary_key.columns)
    conn = session.connection()
    found: dict[str, dict[str, Any]] = {}
    for params in sets:
        if where is None and params and all(column.name in params for column in primary):
            query = select(table).where(*(column == params[column.name] for column in primary))
        else:
            query = select(table) if where is None else select(table).where(where)
        for row in conn.execute(query, dict(params)).mappings():
            found.setdefault(record_id_of(table, row), dict(row))
    return list(found.values())


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _state_dict(obj: Any, which: str) -> dict[str, Any]:
    """Column values of an ORM object: ``after`` its current values, ``before`` as loaded."""
    mapper = inspect(obj).mapper
    insp = inspect(obj)
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        key = attr.key
        history = insp.attrs[key].history
        if which == "before" and history.deleted:
            values[key] = history.deleted[0]
        elif which == "before" and history.added:
            values[key] = None if not history.unchanged else history.unchanged[0]
        else:
            values[key] = getattr(obj, key, None)
    return values


def _before_flush(session: Session, trail: AuditTrail) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = inspect(obj).mapper.local_table
        if isinstance(table, Table):
            if obj in session.dirty:
                trail.check_row(session, table, _state_dict(obj, "before"))
            trail.check_row(session, table, _state_dict(obj, "after"))


def _after_flush(session: Session, trail: AuditTrail) -> None:
    for obj in session.new:
        table = inspect(obj).mapper.local_table
        trail.row_written("insert", table, None, _state_dict(obj, "after"))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            table = inspect(obj).mapper.local_table
            trail.row_written("update", table, _state_dict(obj, "before"), _state_dict(obj, "after"))
    for obj in session.deleted:
        table = inspect(obj).mapper.local_table
        trail.row_written("delete", table, _state_dict(obj, "after"), None)
