"""Receipts: telling the other desk what this one accepted from its files, and taking its receipts.

``write_receipt`` lists, for each changes file taken from the peer since the last receipt, the records this desk
now holds as the peer sent them ([table, id, version, digest], digest null for a deletion), conflicts a manager
settled in the peer's favour included. When nothing new came since, it writes the last file's receipt again (a
lost receipt is replaced; taking one twice is harmless). Taking a receipt sets ``ExchangeState(peer, ...)`` to
what the peer accepted, marks our sent files acknowledged, and closes a waiting conflict when the peer turns
out to hold our version already. Receipts are numbered on their own; an older one than the last taken is
refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import NotFoundError
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.exchange import container, desks, keys
from ostandari_desk.services.exchange.container import ExchangeFileError, SignedFile
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.services.exchange.ledger import (
    CHANGES,
    OURS,
    RECEIPT,
    RECEIVED,
    SENT,
    ImportResult,
    audit_file,
    check_sequence,
    find_file,
    last_seq,
    received_file,
    send_file,
    settle,
    store_states,
)
from ostandari_desk.services.exchange.tables import (
    BY_NAME,
    digest,
    is_record_id,
    is_sha256,
    stored_fields,
)
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeFile
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["ReceiptResult", "apply_receipt", "write_receipt"]

RECEIPT_MEMBER = "receipt.json"


@dataclass(frozen=True)
class ReceiptResult:
    """A receipt written: its number, how many records and files it confirms; ``desk``: the desk it is for."""

    seq: int
    records: int
    files: int
    sha256: str
    desk: Any


def write_receipt(uow: UnitOfWork, path: str | Path, county: str | None = None) -> ReceiptResult:
    """Write the signed receipt for the desk whose files this desk took (at the province: ``county``'s).

    Raises:
        PermissionDeniedError: the actor may not exchange files (manager or admin only).
        UserError: no such desk registered, or nothing ever taken from it.
    """
    with uow.writing():
        uow.require(Permission.EXCHANGE)
        me = keys.desk_identity(uow)
        peer = desks.peer_for(uow, county)
        peer_row = desks.desk_row(uow, peer)
        taken = (
            ExchangeFile.desk_id == peer.id,
            ExchangeFile.direction == RECEIVED,
            ExchangeFile.kind == CHANGES,
        )
        files = list(
            uow.s.execute(
                select(ExchangeFile).where(*taken, ExchangeFile.acked_at.is_(None)).order_by(ExchangeFile.seq)
            ).scalars()
        )
        if not files:
            last = uow.s.execute(
                select(ExchangeFile).where(*taken).order_by(ExchangeFile.seq.desc())
            ).scalars()
            files = list(last)[:1]
        if not files:
            raise NotFoundError(f"هنوز پرونده تبادلی از {peer_row.label} دریافت نشده است که رسیدش نوشته شود")
        body = {
            "files": [
                {"seq": f.seq, "sha256": f.sha256, "accepted": json.loads(f.accepted or "[]")} for f in files
            ]
        }
        records = sum(len(entry["accepted"]) for entry in body["files"])
        seq = 1 + last_seq(uow, peer.id, SENT, RECEIPT)
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        moment = now_utc()
        for f in files:
            f.acked_at = f.acked_at or moment  # a taken file is acknowledged once its receipt is written
            uow.s.add(f)
        fa = text.to_persian_digits
        sha256 = send_file(
            uow,
            path,
            me,
            peer_row,
            RECEIPT,
            seq,
            {RECEIPT_MEMBER: data},
            records=records,
            applied=len(files),
            summary=f"{fa(records)} رکورد از {fa(len(files))} پرونده",
        )
        try:
            uow.commit()
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise
        return ReceiptResult(seq, records, len(files), sha256, peer_row)


def _entries(signed: SignedFile, name: str) -> list[tuple[int, str, list[tuple[str, str, int, str | None]]]]:
    """(seq, sha256, [(table, id, version, digest)]) of each file a receipt confirms, checked for shape."""
    bad = ExchangeFileError(container.BAD_BODY.format(name=name), record=name)
    try:
        body = json.loads(signed.members[RECEIPT_MEMBER].decode("utf-8"))
    except (KeyError, UnicodeDecodeError, ValueError):
        raise bad from None
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):
        raise bad
    out = []
    for entry in body["files"]:
        if not isinstance(entry, dict) or set(entry) != {"seq", "sha256", "accepted"}:
            raise bad
        seq, sha, accepted = entry["seq"], entry["sha256"], entry["accepted"]
        if isinstance(seq, bool) or not isinstance(seq, int) or not is_sha256(sha):
            raise bad
        if not isinstance(accepted, list):
            raise bad
        records = []
        for item in accepted:
            if not isinstance(item, list) or len(item) != 4:
                raise bad
            table, record_id, version, value = item
            if table not in BY_NAME or not is_record_id(record_id) or isinstance(version, bool):
                raise bad
            if not isinstance(version, int) or not (value is None or is_sha256(value)):
                raise bad
            records.append((table, record_id, version, value))
        out.append((seq, sha, records))
    if sum(len(r) for _s, _h, r in out) != signed.header["records"]:
        raise bad
    return sorted(out, key=lambda e: e[0])


def apply_receipt(
    uow: UnitOfWork, me: DeskIdentity, desk: ExchangeDesk, signed: SignedFile, name: str, recorded: bool
) -> ImportResult:
    """Take a receipt (inside import_file's transaction); see the module docstring."""
    seq = signed.header["seq"]
    check_sequence(desk, seq, last_seq(uow, desk.id, RECEIVED, RECEIPT), recorded, "رسید")
    files = _entries(signed, name)
    fa = text.to_persian_digits
    sent: list[ExchangeFile] = []
    for file_seq, sha, _records in files:
        ours = find_file(uow, desk.id, SENT, CHANGES, file_seq)
        if ours is None or ours.sha256 != sha:
            raise ExchangeFileError(
                f"رسید «{name}» پرونده شماره {fa(file_seq)} را تأیید می‌کند که این میز آن را نفرستاده است",
                record=name,
            )
        sent.append(ours)
    final: dict[tuple[str, str], tuple[int, str | None]] = {}
    for _seq, _sha, records in files:  # in file order: a later file's word stands
        for table, record_id, version, value in records:
            final[(table, record_id)] = (version, value)
    store_states(uow, desk.id, [(t, i, version, value) for (t, i), (version, value) in final.items()])
    moment = now_utc()
    for ours in sent:
        ours.acked_at = ours.acked_at or moment
        uow.s.add(ours)
    desk.acked_seq = max([desk.acked_seq, *(f.seq for f in sent)])
    uow.s.add(desk)
    _close_settled(uow, desk, final)
    file = received_file(uow, desk, signed, name, records=len(final), applied=len(sent))
    sender = desks.desk_row(uow, desk)
    audit_file(uow, file, sender.label, f"{fa(len(final))} رکورد از {fa(len(sent))} پرونده تأیید شد")
    return ImportResult(RECEIPT, sender, seq, len(final), len(sent), 0, 0, 0)


def _close_settled(
    uow: UnitOfWork, desk: ExchangeDesk, final: dict[tuple[str, str], tuple[int, str | None]]
) -> int:
    """Close the open conflicts over records the peer now holds exactly as this desk does (ours stood)."""
    conn = uow.s.connection()
    moment = now_utc()
    closed = 0
    conflicts = uow.s.execute(
        select(ExchangeConflict).where(
            ExchangeConflict.desk_id == desk.id, ExchangeConflict.resolved_at.is_(None)
        )
    ).scalars()
    for conflict in conflicts:
        entry = final.get((conflict.table_name, conflict.record_id))
        if entry is None:
            continue
        spec = BY_NAME[conflict.table_name]
        d = stored_fields(conn, spec, conflict.record_id)
        here = digest(spec, d) if d is not None else None
        if here == entry[1]:
            settle(uow, conflict, OURS, moment)
            closed += 1
    return closed
