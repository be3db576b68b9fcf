"""Writing what a changes file (or a manager's pick in the conflict list) brings, once checks.py passed it.

``store_files`` keeps the attachments' files (checked against their SHA-256) before a row names them;
``write`` inserts and updates parents first, then deletes children first, all through the audit trail (one
entry per row, built by the database for a bulk insert); ``save_states`` records that the sender holds what
was accepted; ``record_conflicts`` keeps the conflicting records aside (an identical open conflict is not
repeated) and ``close_settled`` closes the open ones this file settled.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError

from ostandari_desk import paths
from ostandari_desk.services import attachments
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.exchange.ledger import THEIRS, settle, store_states
from ostandari_desk.services.exchange.records import (
    CONFLICT,
    DELETE,
    INSERT,
    UPDATE,
    Batch,
    Incoming,
    refused,
)
from ostandari_desk.services.exchange.tables import (
    EXCHANGED,
    TableSpec,
    canonical,
    chunks,
    derive,
    encode_row,
    is_sha256,
)
from ostandari_desk.services.ngos import next_seq
from ostandari_desk.store.models import ExchangeConflict
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["close_settled", "record_conflicts", "save_states", "set_state", "store_files", "write"]


def store_files(batch: Batch, members: dict[str, bytes]) -> None:
    """Store the file of every attachment this batch writes (or holds for a manager), checked against its
    SHA-256, with services/attachments.py's own storing; an attachment already stored here keeps its path."""
    for spec in EXCHANGED:
        if not spec.attachment:
            continue
        for rec in batch.records[spec.name].values():
            if rec.deleted or rec.action not in (INSERT, UPDATE, CONFLICT):
                continue
            sha = rec.values["sha256"]
            if rec.local is not None and rec.local["sha256"] == sha and rec.local.get("stored_path"):
                rec.stored_path = rec.local["stored_path"]
                continue
            data = members.get(f"files/{sha}")
            if data is None or not is_sha256(sha):
                raise refused(
                    f"{rec.label}: پرونده پیوست در پرونده تبادل نیامده است", record=rec.id, field="sha256"
                )
            if hashlib.sha256(data).hexdigest() != sha or len(data) != rec.values["size"]:
                raise refused(
                    f"{rec.label}: محتوای پرونده پیوست با اثر SHA-256 آن نمی‌خواند",
                    record=rec.id,
                    field="sha256",
                )
            rec.stored_path = store_bytes(data, rec.values["file_name"], sha)


def store_bytes(data: bytes, name: str, sha: str) -> str:
    """Keep an arriving attachment file in the attachments folder (services/attachments.py's way);
    returns its stored path."""
    folder = paths.attachments_dir()
    temp = folder / f".arriving-{sha}"
    try:
        temp.write_bytes(data)
        return attachments.store_file(temp, name, sha)
    finally:
        temp.unlink(missing_ok=True)


# --- writing ------------------------------------------------------------------------------------------------


def _self_ordered(spec: TableSpec, recs: list[Incoming]) -> list[Incoming]:
    """Rows that name another row of the same batch (a renewal's predecessor) after it."""
    if spec.self_ref is None:
        return recs
    by_id = {r.id: r for r in recs}
    done: list[Incoming] = []
    placed: set[str] = set()

    def place(rec: Incoming, depth: int = 0) -> None:
        if rec.id in placed or depth > len(recs):
            return
        target = rec.values.get(spec.self_ref)  # type: ignore[arg-type]
        if target in by_id and target != rec.id:
            place(by_id[target], depth + 1)
        placed.add(rec.id)
        done.append(rec)

    for rec in recs:
        place(rec)
    return done


def _columns(rec: Incoming, version: int) -> dict[str, Any]:
    """The column values to write for an arriving record (derived ones recomputed, locals left out)."""
    row = {"id": rec.id, **rec.values, **derive(rec.spec, rec.values), "row_version": version}
    if rec.spec.attachment:
        row["stored_path"] = rec.stored_path
    return row


def write(uow: UnitOfWork, batch: Batch) -> None:
    """Inserts and updates parents first, then deletions children first, all through the audit trail.

    Raises:
        ValidationError: the database refused a row all the same (two keys swapped within the file, say).
    """
    try:
        for spec in EXCHANGED:
            recs = batch.records[spec.name].values()
            inserts = _self_ordered(spec, [r for r in recs if r.action == INSERT])
            updates = [r for r in recs if r.action == UPDATE]
            if inserts:
                _insert(uow, batch, spec, inserts)
            if updates:
                _update(uow, spec, updates)
        for spec in reversed(EXCHANGED):
            deletes = [r for r in batch.records[spec.name].values() if r.action == DELETE]
            if deletes:
                _delete(uow, spec, list(reversed(_self_ordered(spec, deletes))))
    except IntegrityError as exc:
        raise refused(
            "پایگاه داده یکی از رکوردها را نپذیرفت (کلید تکراری یا پیوند شکسته)؛ "
            f"هیچ رکوردی تغییر نکرد. {str(exc.orig)[:200]}"
        ) from None


def _insert(uow: UnitOfWork, batch: Batch, spec: TableSpec, recs: list[Incoming]) -> None:
    conn = batch.conn
    rows = [_columns(rec, rec.version) for rec in recs]
    if spec.name == "ngo":
        first = next_seq(uow)
        for n, row in enumerate(rows):
            row["seq"] = first + n
        with uow.db.ngo_search_set_aside(conn, first, len(rows)):
            uow.db.bulk_insert(conn, spec.table, rows)
    else:
        for total in ("paid_total", "latest_progress"):
            if total in spec.table.c:
                for row in rows:
                    row[total] = 0  # the triggers keep it from the payments and reports that follow
        uow.db.bulk_insert(conn, spec.table, rows)
    ids = [row["id"] for row in rows]
    for chunk in chunks(ids):  # one entry per row, built by the database from the rows just written
        uow.audit_loaded(spec.table, spec.table.c.id.in_(chunk))
    for link in spec.links:
        link_rows = [
            {link.parent_column: rec.id, link.other_column: other}
            for rec in recs
            for other in rec.links[link.key]
        ]
        if link_rows:
            uow.db.bulk_insert(conn, link.table, link_rows)
            parent = link.table.c[link.parent_column]
            for chunk in chunks(ids):
                uow.audit_loaded(link.table, parent.in_(chunk))


def _update(uow: UnitOfWork, spec: TableSpec, recs: list[Incoming]) -> None:
    table = spec.table
    params = []
    for rec in recs:
        assert rec.local is not None
        version = max(rec.version, rec.local["row_version"] + 1)  # a form opened before stays refused
        row = _columns(rec, version)
        params.append({f"p_{k}": v for k, v in row.items()})
    names = [k for k in params[0] if k != "p_id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("p_id"))
        .values({name[2:]: bindparam(name) for name in names})
    )
    for chunk in chunks(params):
        uow.s.execute(stmt, chunk)
    for link in spec.links:
        parent, other = link.table.c[link.parent_column], link.table.c[link.other_column]
        for rec in recs:
            before = set(rec.local_links.get(link.key, ()))
            after = set(rec.links[link.key])
            if before - after:
                uow.s.execute(delete(link.table).where(parent == rec.id, other.in_(sorted(before - after))))
            if after - before:
                uow.s.execute(
                    insert(link.table),
                    [{link.parent_column: rec.id, link.other_column: o} for o in sorted(after - before)],
                )


def _delete(uow: UnitOfWork, spec: TableSpec, recs: list[Incoming]) -> None:
    ids = [rec.id for rec in recs]
    for link in spec.links:
        parent = link.table.c[link.parent_column]
        for chunk in chunks(ids):
            uow.s.execute(delete(link.table).where(parent.in_(chunk)))
    if spec.self_ref is None:
        for chunk in chunks(ids):
            uow.s.execute(delete(spec.table).where(spec.table.c.id.in_(chunk)))
    else:  # one by one, in the order that deletes a renewal before its predecessor
        for record_id in ids:
            uow.s.execute(delete(spec.table).where(spec.table.c.id == record_id))
    if spec.attachment:
        for rec in recs:
            if rec.local is not None and rec.local.get("stored_path"):
                uow.after_commit(partial(attachments.remove_if_unused, uow, rec.local["stored_path"]))


# --- bookkeeping --------------------------------------------------------------------------------------------


def save_states(batch: Batch, recs: list[Incoming]) -> None:
    """The sender holds what it sent: state := (version, digest), or no state for a deletion."""
    store_states(
        batch.uow,
        batch.desk.id,
        [(r.spec.name, r.id, r.version, r.digest) for r in recs],
        replace=[(r.spec.name, r.id) for r in recs if r.state is not None],  # a record never seen has none
    )


def set_state(
    uow: UnitOfWork, desk_id: str, table_name: str, record_id: str, version: int, value: str | None
) -> None:
    """One record's state for ``desk_id`` (None: none, the peer holds nothing we know of)."""
    store_states(uow, desk_id, [(table_name, record_id, version, value)])


def record_conflicts(batch: Batch, file_id: str, recs: list[Incoming]) -> None:
    """Keep each conflicting record aside; an open conflict with the same incoming record is not repeated,
    one with an older incoming record takes the new one."""
    moment = now_utc()
    for rec in recs:
        incoming = canonical({} if rec.deleted else rec.d or encode_row(rec.spec, rec.values, rec.links))
        open_one = batch.open_conflicts.get((rec.spec.name, rec.id))
        if open_one is not None:
            if open_one.incoming == incoming and open_one.incoming_base == rec.base:
                continue
            conflict = open_one
        else:
            conflict = ExchangeConflict(
                desk_id=batch.desk.id,
                file_id=file_id,
                table_name=rec.spec.name,
                record_id=rec.id,
                incoming="",
            )
        conflict.file_id = file_id
        conflict.incoming_version = rec.version
        conflict.incoming_base = rec.base
        conflict.incoming = incoming
        conflict.local = canonical(rec.local_d or {})
        conflict.at = moment
        batch.uow.s.add(conflict)
        batch.open_conflicts[(rec.spec.name, rec.id)] = conflict
    batch.uow.s.flush()


def close_settled(batch: Batch, recs: list[Incoming]) -> None:
    """An open conflict over a record this file settled (both desks now hold the same) is closed."""
    moment = now_utc()
    for rec in recs:
        conflict = batch.open_conflicts.pop((rec.spec.name, rec.id), None)
        if conflict is not None:
            settle(batch.uow, conflict, THEIRS, moment)
