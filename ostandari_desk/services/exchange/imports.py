"""Taking an exchange file from a registered desk: a changes file (its records applied) or a receipt.

One transaction, begun as a writer; any refusal rolls everything back. The file is checked before a record
is read: signed by the registered ``from_desk`` (container.py), addressed to this desk, of this province and
of the sender's county, numbered after the last file taken from that desk (the very same file again changes
nothing and says so). A receipt goes to receipts.py. A changes file's record lines are parsed here, checked
as a whole by checks.py (the sender's scope, each record's action, references, dependents, unique keys: its
module docstring) and written by apply.py; what was accepted is kept for the receipt
(``ExchangeFile.accepted``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ostandari_desk.domain import text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.exchange import container, desks, keys, receipts
from ostandari_desk.services.exchange.apply import (
    close_settled,
    record_conflicts,
    save_states,
    store_files,
    write,
)
from ostandari_desk.services.exchange.checks import (
    check_dependents,
    check_references,
    check_scope,
    check_unique,
    classify,
    decide,
    unique_keys,
)
from ostandari_desk.services.exchange.container import ExchangeFileError, SignedFile
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.services.exchange.ledger import (
    ABSENT,
    CHANGES,
    RECEIPT,
    RECEIVED,
    ImportResult,
    audit_file,
    check_sequence,
    find_file,
    last_seq,
    received_file,
)
from ostandari_desk.services.exchange.records import (
    ACCEPTED,
    CONFLICT,
    DELETE,
    GONE,
    INSERT,
    RECORDS_MEMBER,
    SAME,
    UNCHANGED,
    UPDATE,
    Batch,
    Incoming,
    refused,
)
from ostandari_desk.services.exchange.tables import BY_NAME, decode_fields, digest, is_record_id, is_sha256
from ostandari_desk.store.models import ExchangeDesk
from ostandari_desk.store.uow import UnitOfWork

# ABSENT, the actions, Incoming, decide and unique_keys live in ledger.py, records.py and checks.py: they are
# exported here too for the tests that took them from here
__all__ = [
    "ABSENT",
    "CONFLICT",
    "DELETE",
    "GONE",
    "INSERT",
    "SAME",
    "UNCHANGED",
    "UPDATE",
    "ImportResult",
    "Incoming",
    "decide",
    "import_file",
    "open_file",
    "parse_records",
    "unique_keys",
]


# --- opening a file: who sent it, to whom -------------------------------------------------------------------


def _county_name(uow: UnitOfWork, county_id: str | None) -> str | None:
    from ostandari_desk.store.models import County

    county = uow.s.get(County, county_id) if county_id else None
    return county.name if county is not None else None


def open_file(uow: UnitOfWork, path: str | Path) -> tuple[DeskIdentity, ExchangeDesk, SignedFile]:
    """Read and verify a file sent to this desk by a registered, active desk of this province.

    Raises:
        ExchangeFileError: not an exchange file, tampered, unknown or replaced sender, addressed elsewhere.
    """
    me = keys.desk_identity(uow)
    name = Path(path).name

    def key_for(header: dict[str, Any]) -> bytes:
        sender = header["from_desk"]
        desk = uow.s.get(ExchangeDesk, sender)
        if desk is None:
            raise ExchangeFileError(
                f"فرستنده پرونده «{name}» (میز {sender}) در این میز ثبت نشده است؛ نخست پرونده شناسایی آن "
                "میز را ثبت کنید",
                record=name,
            )
        if not desk.active:
            raise ExchangeFileError(
                f"کلید میز فرستنده پرونده «{name}» جایگزین شده یا از کار افتاده است؛ پرونده را از میز تازه "
                "بگیرید",
                record=name,
            )
        return bytes.fromhex(desk.public_key)

    signed = container.read_signed(path, key_for)
    header = signed.header
    desk = uow.s.get(ExchangeDesk, header["from_desk"])
    assert desk is not None
    if header["to_desk"] != me.desk_id:
        raise ExchangeFileError(f"پرونده «{name}» برای میز دیگری نوشته شده است، نه این میز", record=name)
    if text.normalize(header["province"]) != text.normalize(me.province) or text.normalize(
        desk.province
    ) != text.normalize(me.province):
        raise ExchangeFileError(
            f"پرونده «{name}» از استان «{header['province']}» است و این میز از استان «{me.province}»",
            record=name,
        )
    sender_county = _county_name(uow, desk.county_id)
    if text.normalize(header["from_county"] or "") != text.normalize(sender_county or ""):
        shown = header["from_county"] or "استان"
        raise ExchangeFileError(
            f"پرونده «{name}» خود را از «{shown}» می‌خواند، اما میز فرستنده برای "
            f"«{sender_county or 'استان'}» ثبت شده است",
            record=name,
        )
    if text.normalize(header["to_county"] or "") != text.normalize(me.county or ""):
        raise ExchangeFileError(
            f"پرونده «{name}» برای «{header['to_county'] or 'استان'}» است و این میز «{me.county or 'استان'}»",
            record=name,
        )
    return me, desk, signed


def import_file(
    uow: UnitOfWork, path: str | Path, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Take an exchange file (changes or a receipt) from a registered desk; see the module docstring.

    Raises:
        PermissionDeniedError: the actor may not exchange files (manager or admin only).
        ExchangeFileError: the file is not ours, tampered, truncated, not for this desk, replayed or older
            than the last one taken.
        ValidationError: a record out of the sender's scope, a broken reference, a unique key taken here, an
            attachment whose bytes do not match (Persian, naming the record and field).
    """
    with uow.writing():
        uow.require(Permission.EXCHANGE)
        me, desk, signed = open_file(uow, path)
        name = Path(path).name
        kind, seq = signed.header["kind"], signed.header["seq"]
        recorded = find_file(uow, desk.id, RECEIVED, kind, seq)
        if recorded is not None and recorded.sha256 == signed.sha256:
            newest = last_seq(uow, desk.id, RECEIVED, kind)
            if seq < newest:  # an old file played back after newer ones: refused, not silently skipped
                check_sequence(desk, seq, newest, False, "پرونده تبادل" if kind != RECEIPT else "رسید")
            return ImportResult(kind, desks.desk_row(uow, desk), seq, recorded.records, 0, 0, 0, 0, True)
        if kind == RECEIPT:
            result = receipts.apply_receipt(uow, me, desk, signed, name, recorded is not None)
        else:
            result = _take_changes(uow, me, desk, signed, name, recorded is not None, progress)
        uow.commit()
        return result


# --- a changes file -----------------------------------------------------------------------------------------


def parse_records(signed: SignedFile, name: str) -> list[Incoming]:
    """The record lines of a changes file, checked for shape and values (nothing read from the database)."""
    data = signed.members.get(RECORDS_MEMBER)
    if data is None:
        raise ExchangeFileError(container.BAD_BODY.format(name=name), record=name)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ExchangeFileError(container.BAD_BODY.format(name=name), record=name) from None
    lines = [line for line in lines if line.strip()]
    if len(lines) != signed.header["records"]:
        raise ExchangeFileError(container.BAD_BODY.format(name=name), record=name)
    try:  # one parse for the whole file; a line that does not parse is found one by one below
        items: list[Any] = json.loads("[" + ",".join(lines) + "]")
    except ValueError:
        items = [_json_line(line, number) for number, line in enumerate(lines, start=1)]
    if len(items) != len(lines):  # a line holding two values
        items = [_json_line(line, number) for number, line in enumerate(lines, start=1)]
    out: list[Incoming] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(items, start=1):
        out.append(_parse_item(item, number, seen))
    return out


def _json_line(line: str, number: int) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise refused(f"سطر {text.to_persian_digits(number)} پرونده خوانا نیست") from None


_RECORD_KEYS = frozenset({"t", "id", "v", "b", "d"})
_DELETION_KEYS = frozenset({"t", "id", "del", "b", "v"})


def _parse_item(item: Any, number: int, seen: set[tuple[str, str]]) -> Incoming:
    where = f"سطر {text.to_persian_digits(number)} پرونده"
    if type(item) is not dict:
        raise refused(f"{where} خوانا نیست")
    spec = BY_NAME.get(item.get("t"))  # type: ignore[arg-type]
    record_id = item.get("id")
    if spec is None:
        raise refused(f"{where}: جدول «{item.get('t')}» را این میز نمی‌شناسد")
    if not is_record_id(record_id):
        raise refused(f"{where}: شناسه رکورد درست نیست")
    if (spec.name, record_id) in seen:
        raise refused(f"{where}: {spec.label} {record_id} دو بار آمده است", record=record_id)
    seen.add((spec.name, record_id))
    base = item.get("b")
    if base is not None and not (base == ABSENT or is_sha256(base)):
        raise refused(f"{where}: نسخه پایه رکورد درست نیست", record=record_id)
    if item.get("del") is True:
        if not item.keys() <= _DELETION_KEYS:
            raise refused(f"{where} خوانا نیست", record=record_id)
        return Incoming(spec, record_id, 0, base, True)
    if item.keys() != _RECORD_KEYS:
        raise refused(f"{where} خوانا نیست", record=record_id)
    version = item["v"]
    if type(version) is not int or version < 1:
        raise refused(f"{where}: نسخه رکورد درست نیست", record=record_id)
    try:
        values, links, d = decode_fields(spec, item["d"], record_id)
    except ValidationError as exc:
        raise refused(f"{where}: {exc.message}", record=record_id, field=exc.field) from None
    # "d" itself is not kept (a county's year is 150,000 records): a conflict rebuilds it from the values
    return Incoming(spec, record_id, version, base, False, values, links, {}, digest(spec, d))


def _take_changes(
    uow: UnitOfWork,
    me: DeskIdentity,
    desk: ExchangeDesk,
    signed: SignedFile,
    name: str,
    recorded: bool,
    progress: Callable[[int, int], None] | None,
) -> ImportResult:
    seq = signed.header["seq"]
    check_sequence(desk, seq, desk.received_seq, recorded, "پرونده تبادل")
    records = parse_records(signed, name)
    total = max(len(records), 1)
    if progress is not None:
        progress(0, total)
    batch = Batch(uow, desk, records)
    check_scope(batch, me)
    classify(batch, force_reference=me.county_id is not None)
    if progress is not None:
        progress(total // 3, total)
    check_references(batch)
    check_dependents(batch)
    check_unique(batch)
    store_files(batch, signed.members)
    counts = {action: 0 for action in (SAME, INSERT, UPDATE, DELETE, GONE, UNCHANGED, CONFLICT)}
    for rec in batch.all():
        counts[rec.action] += 1
    accepted = [[r.spec.name, r.id, r.version, r.digest] for r in batch.all() if r.action in ACCEPTED]
    desk.received_seq = seq
    uow.s.add(desk)
    file = received_file(
        uow,
        desk,
        signed,
        name,
        records=len(records),
        applied=counts[INSERT] + counts[UPDATE] + counts[DELETE],
        conflicts=counts[CONFLICT],
        accepted=json.dumps(accepted, ensure_ascii=False, separators=(",", ":")),
    )
    write(uow, batch)
    if progress is not None:
        progress(total * 5 // 6, total)
    save_states(batch, [r for r in batch.all() if r.action in ACCEPTED])
    record_conflicts(batch, file.id, [r for r in batch.all() if r.action == CONFLICT])
    close_settled(batch, [r for r in batch.all() if r.action in ACCEPTED])
    fa = text.to_persian_digits
    sender = desks.desk_row(uow, desk)
    summary = f"{fa(len(records))} رکورد، {fa(file.applied)} اعمال‌شده، {fa(file.conflicts)} ناسازگاری"
    audit_file(uow, file, sender.label, summary)
    if progress is not None:
        progress(total, total)
    return ImportResult(
        kind=CHANGES,
        desk=sender,
        seq=seq,
        records=len(records),
        applied=counts[INSERT] + counts[UPDATE],
        unchanged=counts[SAME] + counts[GONE] + counts[UNCHANGED],
        deleted=counts[DELETE],
        conflicts=counts[CONFLICT],
    )
