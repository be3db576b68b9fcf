"""The exchange's bookkeeping: the files sent and received, what the peer is known to hold, settled conflicts.

Shared by the export, the receipts, taking a file and the conflict list: a file's signed header, its
``ExchangeFile`` row and its one audit entry (``send_file``, ``received_file``, ``audit_file``), the numbering
checks (``find_file``, ``last_seq``, ``check_sequence``), the per-record ``ExchangeState`` (``store_states``)
and closing an open ``ExchangeConflict`` (``settle``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from ostandari_desk.domain import text
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.exchange import container, keys
from ostandari_desk.services.exchange.container import ExchangeFileError, SignedFile
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.services.exchange.tables import chunks
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeFile, ExchangeState
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "ABSENT",
    "CHANGES",
    "FILE_ACTIONS",
    "OURS",
    "RECEIPT",
    "RECEIVED",
    "SENT",
    "THEIRS",
    "ImportResult",
    "audit_file",
    "check_sequence",
    "find_file",
    "last_seq",
    "received_file",
    "send_file",
    "settle",
    "store_states",
]

CHANGES, RECEIPT = "changes", "receipt"  # ExchangeFile.kind, the header's "kind"
SENT, RECEIVED = "sent", "received"  # ExchangeFile.direction
ABSENT = ""  # a state digest: the peer is known NOT to hold the record (we kept ours over its deletion)
OURS, THEIRS = "ours", "theirs"  # ExchangeConflict.resolution: whose version stands
FILE_ACTIONS = {SENT: "export", RECEIVED: "import"}  # the audit action of a file written, of one taken


@dataclass(frozen=True)
class ImportResult:
    """What taking a file did. ``desk``: the sender (desks.RegisteredDesk); for a receipt, ``records`` is the
    number of records it confirmed and ``applied`` the files it acknowledged."""

    kind: str
    desk: Any
    seq: int
    records: int
    applied: int
    unchanged: int
    deleted: int
    conflicts: int
    already_received: bool = False


# --- files --------------------------------------------------------------------------------------------------


def find_file(uow: UnitOfWork, desk_id: str, direction: str, kind: str, seq: int) -> ExchangeFile | None:
    """The file numbered ``seq`` of this kind sent to (or received from) ``desk_id``, if any."""
    return uow.s.execute(
        select(ExchangeFile).where(
            ExchangeFile.desk_id == desk_id,
            ExchangeFile.direction == direction,
            ExchangeFile.kind == kind,
            ExchangeFile.seq == seq,
        )
    ).scalar_one_or_none()


def last_seq(uow: UnitOfWork, desk_id: str, direction: str, kind: str) -> int:
    """The highest number of the files of this kind sent to (or received from) ``desk_id``; 0 for none."""
    return (
        uow.s.execute(
            select(func.max(ExchangeFile.seq)).where(
                ExchangeFile.desk_id == desk_id,
                ExchangeFile.direction == direction,
                ExchangeFile.kind == kind,
            )
        ).scalar()
        or 0
    )


def check_sequence(desk: ExchangeDesk, seq: int, last: int, recorded: bool, what: str) -> None:
    """Refuse a file numbered ``seq`` that was taken before as another file (``recorded``: a replay or a
    tampered copy) or that is not newer than the ``last`` taken; ``what`` names the file's kind in Persian."""
    fa = text.to_persian_digits
    if recorded:
        raise ExchangeFileError(
            f"{what} شماره {fa(seq)} از این میز پیش‌تر دریافت شده است و این پرونده با آن یکی نیست: "
            "پرونده تکراری (بازپخش) یا دست‌کاری‌شده است",
            record=desk.id,
        )
    if seq <= last:
        raise ExchangeFileError(
            f"{what} شماره {fa(seq)} کهنه‌تر از آخرین {what} دریافت‌شده از این میز (شماره {fa(last)}) است: "
            "ترتیب پرونده‌ها به هم خورده است و این پرونده گرفته نمی‌شود",
            record=desk.id,
        )


def audit_file(uow: UnitOfWork, file: ExchangeFile, peer: str, summary: str) -> None:
    """The one audit entry of a file written for (or taken from) ``peer`` (a desk's label): «پرونده تبادل
    شماره ۳ «…» برای میز شهرستان آبیک نوشته شد: ``summary``؛ SHA-256: …»."""
    fa = text.to_persian_digits
    what = "پرونده تبادل" if file.kind == CHANGES else "رسید"
    done = f"برای {peer} نوشته شد" if file.direction == SENT else f"از {peer} گرفته شد"
    uow.audit(
        FILE_ACTIONS[file.direction],
        "exchangefile",
        file.id,
        detail=f"{what} شماره {fa(file.seq)} «{file.file_name}» {done}: {summary}؛ SHA-256: {file.sha256}",
    )


def send_file(
    uow: UnitOfWork,
    path: str | Path,
    me: DeskIdentity,
    peer: Any,
    kind: str,
    seq: int,
    members: Mapping[str, bytes],
    *,
    records: int,
    applied: int = 0,
    summary: str,
) -> str:
    """Sign and write file ``seq`` of ``kind`` for ``peer`` (desks.RegisteredDesk) to ``path``, record it as
    sent and audit it (``summary``: what it carries, in Persian); returns the file's SHA-256. The caller
    commits, and removes the file when the commit fails: one the desk does not count as sent must not travel.
    """
    header = {
        "format": container.FORMAT,
        "version": container.VERSION,
        "kind": kind,
        "from_desk": me.desk_id,
        "to_desk": peer.desk_id,
        "province": me.province,
        "from_county": me.county,
        "to_county": peer.county,
        "seq": seq,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": records,
    }
    sha256 = container.write_signed(path, header, members, keys.signer(uow))
    file = ExchangeFile(
        desk_id=peer.desk_id,
        direction=SENT,
        kind=kind,
        seq=seq,
        sha256=sha256,
        file_name=Path(path).name,
        username=uow.actor.username,
        records=records,
        applied=applied,
    )
    uow.s.add(file)
    uow.s.flush()
    audit_file(uow, file, peer.label, summary)
    return sha256


def received_file(
    uow: UnitOfWork,
    desk: ExchangeDesk,
    signed: SignedFile,
    name: str,
    *,
    records: int,
    applied: int,
    conflicts: int = 0,
    accepted: str = "",
) -> ExchangeFile:
    """Record a file taken from ``desk`` (flushed, so its id is known)."""
    file = ExchangeFile(
        desk_id=desk.id,
        direction=RECEIVED,
        kind=signed.header["kind"],
        seq=signed.header["seq"],
        sha256=signed.sha256,
        file_name=name,
        username=uow.actor.username,
        records=records,
        applied=applied,
        conflicts=conflicts,
        accepted=accepted,
    )
    uow.s.add(file)
    uow.s.flush()
    return file


# --- what the peer holds, and settled conflicts -------------------------------------------------------------


def store_states(
    uow: UnitOfWork,
    desk_id: str,
    entries: Iterable[tuple[str, str, int, str | None]],
    replace: Iterable[tuple[str, str]] | None = None,
) -> None:
    """What ``desk_id`` is known to hold: for each (table, id, version, digest), its state becomes (version,
    digest), or none when the digest is None (a deletion). ``replace``: the (table, id) that may have a state
    already, removed first (all the entries when not given; a record never seen has none to replace)."""
    table = ExchangeState.__table__
    t = table.c
    conn = uow.s.connection()
    entries = list(entries)
    by_table: dict[str, list[str]] = {}
    for name, record_id in replace if replace is not None else ((e[0], e[1]) for e in entries):
        by_table.setdefault(name, []).append(record_id)
    for name, ids in by_table.items():
        for chunk in chunks(ids):
            conn.execute(
                delete(table).where(t.desk_id == desk_id, t.table_name == name, t.record_id.in_(chunk))
            )
    rows = [
        {"desk_id": desk_id, "table_name": name, "record_id": record_id, "version": version, "digest": value}
        for name, record_id, version, value in entries
        if value is not None
    ]
    if rows:
        uow.db.bulk_insert(conn, table, rows)


def settle(
    uow: UnitOfWork, conflict: ExchangeConflict, resolution: str, moment: datetime | None = None
) -> None:
    """Close an open conflict: ``resolution`` OURS or THEIRS, by the actor, at ``moment`` (now by default)."""
    conflict.resolved_at = moment or now_utc()
    conflict.resolution = resolution
    conflict.resolved_by = uow.actor.username
    uow.s.add(conflict)
