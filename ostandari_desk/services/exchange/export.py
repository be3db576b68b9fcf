"""Writing a changes file for the other desk: every record in its scope that it is not known to hold as it is.

A record travels when its digest differs from ``ExchangeState(peer, table, id)`` (what the peer is known to
hold, from its receipts and from the files taken from it) or when it has no state; a state whose record is
gone (or left the peer's scope) travels as a deletion. Nothing is marked as sent: until the peer's receipt
comes, the next file carries the same records again, so a lost file costs nothing. A record waiting in the
conflict list stays home until a manager decides. A county's desk sends its own county's records; the
province sends one county its reference lists and that county's records. Each file is numbered
``sent_seq + 1``, signed, and carries the files of its attachments (``files/<sha256>``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import UserError
from ostandari_desk.services import attachments
from ostandari_desk.services.exchange import desks, keys
from ostandari_desk.services.exchange.ledger import ABSENT, CHANGES, send_file
from ostandari_desk.services.exchange.records import RECORDS_MEMBER, describe
from ostandari_desk.services.exchange.tables import (
    BOOKKEEPING,
    BY_NAME,
    EXCHANGED,
    TableSpec,
    canonical,
    chunks,
    compared_json,
    digest_of,
    encode_row,
    read_links,
    read_rows,
    scope_select,
)
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeState
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["ExportResult", "collect_changes", "export_changes"]

_READ = 2000  # rows of a table read at a time


@dataclass(frozen=True)
class ExportResult:
    """What a changes file carries; ``desk``: the desk it is for (desks.RegisteredDesk)."""

    seq: int
    records: int
    deletions: int
    attachments: int
    sha256: str
    desk: Any


@dataclass
class Changes:
    """The lines of a changes file and the attachment files they need."""

    lines: list[str]
    files: dict[str, bytes]
    records: int = 0
    deletions: int = 0


def _line(spec: TableSpec, record_id: str, version: int, base: str | None, compared: str, d: dict) -> str:
    """A record line; "d" is the compared fields' canonical JSON with the two times added (key order is free)."""
    times = "".join(f',"{name}":{canonical(d[name])}' for name in BOOKKEEPING)
    body = compared[:-1] + times + "}" if compared != "{}" else "{" + times[1:] + "}"
    b = "null" if base is None else f'"{base}"'
    return f'{{"t":"{spec.name}","id":"{record_id}","v":{int(version)},"b":{b},"d":{body}}}'


def _attachment_file(spec: TableSpec, row: dict[str, Any]) -> bytes:
    """The stored file of an attachment row, checked against its SHA-256."""
    path = attachments.stored_file(row["stored_path"] or "")
    data = path.read_bytes() if path is not None and path.is_file() else None
    if data is None or hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise UserError(
            f"پرونده {describe(spec, row, row['id'])} در پوشه پیوست‌ها نیست یا تغییر کرده است و پرونده تبادل "
            "ساخته نشد؛ بررسی سلامت (‎ostandari-desk check‎) را اجرا کنید",
            record=row["id"],
        )
    return data


def collect_changes(
    uow: UnitOfWork,
    peer: ExchangeDesk,
    county_id: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> Changes:
    """The changes for ``peer``: records of ``county_id`` (reference lists too when this is the province's
    desk, ``county_id`` being the peer's county) that the peer does not hold as they are."""
    conn = uow.s.connection()
    st = ExchangeState.__table__.c
    states: dict[str, dict[str, str]] = {}
    for table_name, record_id, value in conn.execute(
        select(st.table_name, st.record_id, st.digest).where(st.desk_id == peer.id)
    ):
        states.setdefault(table_name, {})[record_id] = value
    waiting = {
        (t, r)
        for t, r in conn.execute(
            select(ExchangeConflict.table_name, ExchangeConflict.record_id).where(
                ExchangeConflict.desk_id == peer.id, ExchangeConflict.resolved_at.is_(None)
            )
        )
    }
    province_desk = peer.county_id is not None  # this desk is the province's: it sends the reference lists
    # NGOs of other counties (or of the province) that the county's records name (a provincial NGO at a
    # county's event): they go too, or the county could not store the records that name them
    context = _named_ngos(conn, county_id) if province_desk and county_id is not None else set()
    out = Changes([], {})
    for step, spec in enumerate(EXCHANGED):
        if progress is not None:
            progress(step, len(EXCHANGED) + 1)
        if spec.reference and not province_desk:
            continue
        known = states.pop(spec.name, {})

        def take(rows: list[Any], spec: TableSpec = spec, known: dict[str, str] = known) -> None:
            links = read_links(conn, spec, [r["id"] for r in rows])
            for row in rows:
                record_id = row["id"]
                base = known.pop(record_id, None)
                d = encode_row(spec, row, links.get(record_id))
                compared = compared_json(spec, d)
                if base == digest_of(compared) or (spec.name, record_id) in waiting:
                    continue
                out.lines.append(_line(spec, record_id, row["row_version"], base, compared, d))
                out.records += 1
                if spec.attachment and row["sha256"] not in out.files:
                    out.files[row["sha256"]] = _attachment_file(spec, dict(row))

        stmt = select(spec.table) if spec.reference else scope_select(spec, county_id)  # type: ignore[arg-type]
        result = conn.execute(stmt.execution_options(yield_per=_READ)).mappings()
        for rows in result.partitions(_READ):
            take(list(rows))
        if spec.name == "ngo" and context:
            take(list(read_rows(conn, spec, sorted(context)).values()))
        leftover = [r for r, base in known.items() if base != ABSENT and (spec.name, r) not in waiting]
        # a record gone from this desk is a deletion; one still here but outside the peer's scope (moved to
        # another county) is one too when the province sends it, never when a county does: a county does
        # not speak for records beyond its own
        kept = set(read_rows(conn, spec, leftover)) if leftover and not province_desk else set()
        for record_id in leftover:
            if record_id not in kept:
                out.lines.append(
                    json.dumps({"t": spec.name, "id": record_id, "del": True, "b": known[record_id]})
                )
                out.deletions += 1
    return out


def _named_ngos(conn: Any, county_id: str) -> set[str]:
    """The NGOs outside ``county_id`` that its records name (a column, or an event's NGOs)."""
    named: set[str] = set()
    for spec in EXCHANGED:
        if spec.reference:
            continue
        scoped = scope_select(spec, county_id)
        for column in (column for column, target in spec.references if target == "ngo"):
            named.update(i for (i,) in conn.execute(scoped.with_only_columns(spec.table.c[column])) if i)
        for link in (link for link in spec.links if link.target == "ngo"):
            owners = scoped.with_only_columns(spec.table.c.id)
            found = select(link.table.c[link.other_column]).where(
                link.table.c[link.parent_column].in_(owners)
            )
            named.update(i for (i,) in conn.execute(found))
    ngo = BY_NAME["ngo"].table
    inside: set[str] = set()
    for chunk in chunks(sorted(named)):
        stmt = select(ngo.c.id).where(ngo.c.id.in_(chunk), ngo.c.county_id == county_id)
        inside.update(i for (i,) in conn.execute(stmt))
    return named - inside


def export_changes(
    uow: UnitOfWork,
    path: str | Path,
    county: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write the signed changes file for the other desk (at the province: ``county``'s desk, needed when
    more than one is registered) to ``path``; see the module docstring.

    Raises:
        PermissionDeniedError: the actor may not exchange files (manager or admin only).
        UserError: no desk registered for it, an attachment's file missing or changed here.
    """
    with uow.writing():
        uow.require(Permission.EXCHANGE)
        me = keys.desk_identity(uow)
        peer = desks.peer_for(uow, county)
        scope = peer.county_id if me.county_id is None else me.county_id
        changes = collect_changes(uow, peer, scope, progress)
        seq = peer.sent_seq + 1
        peer_row = desks.desk_row(uow, peer)
        members = {RECORDS_MEMBER: ("\n".join(changes.lines) + "\n" if changes.lines else "").encode("utf-8")}
        for sha, data in sorted(changes.files.items()):
            members[f"files/{sha}"] = data
        peer.sent_seq = seq
        uow.s.add(peer)
        fa = text.to_persian_digits
        sha256 = send_file(
            uow,
            path,
            me,
            peer_row,
            CHANGES,
            seq,
            members,
            records=len(changes.lines),
            summary=(
                f"{fa(changes.records)} رکورد، {fa(changes.deletions)} حذف، {fa(len(changes.files))} پیوست"
            ),
        )
        try:
            uow.commit()
        except BaseException:
            Path(path).unlink(missing_ok=True)  # a file the desk does not count as sent must not travel
            raise
        if progress is not None:
            progress(1, 1)
        return ExportResult(seq, changes.records, changes.deletions, len(changes.files), sha256, peer_row)
