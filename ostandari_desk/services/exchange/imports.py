"""Taking an exchange file from a registered desk: a changes file (its records applied) or a receipt.

One transaction, begun as a writer; any refusal rolls everything back. The file is checked before a record is
read: signed by the registered ``from_desk`` (container.py), addressed to this desk, of this province and of the
sender's county, numbered after the last file taken from that desk (the very same file again changes nothing and
says so). Then every record: a county's file may carry only that county's records (a child through its parent),
reference lists only come from the province. Per record, with ``i`` the incoming digest, ``l`` the local one
(None: no such row), ``s`` the state (what the sender is known to hold) and ``b`` what the sender believed this
desk holds: ``i == l`` accepts; a record never seen inserts; ``i == s`` (nothing new from the sender) keeps
ours, which goes back in our next file; ``l == s`` or ``l == b`` applies; anything else waits in the conflict
list (a record deleted here that the sender changed too). Deletions likewise, and a deletion whose record is
still used here (a board member added here under a deleted NGO) waits as a conflict. Reference lists from the
province always apply at a county desk. Before anything is written: every reference an applied record makes
must exist afterwards, and no unique key (national ID, centre code, memorandum number, a letter series...) may
collide; either refuses the whole file naming the record and field. What was accepted is kept for the receipt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ostandari_desk import paths
from ostandari_desk.domain import text
from ostandari_desk.domain.audit_labels import field_label
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import attachments
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.exchange import container, desks, keys
from ostandari_desk.services.exchange.container import ExchangeFileError, SignedFile
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.services.exchange.tables import (
    BY_NAME,
    EXCHANGED,
    LINK_TABLES,
    TableSpec,
    chunks,
    decode_fields,
    derive,
    digest,
    encode_row,
    is_record_id,
    read_links,
    read_rows,
)
from ostandari_desk.services.ngos import next_seq
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeFile, ExchangeState
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["ImportResult", "import_file"]

CHANGES, RECEIPT = "changes", "receipt"
SENT, RECEIVED = "sent", "received"
RECORDS_MEMBER = "records.jsonl"
ABSENT = ""  # a state digest: the peer is known NOT to hold the record (we kept ours over its deletion)
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
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MISSING = object()


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


# --- opening a file: who sent it, to whom ----------------------------------------------------------------


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
    from ostandari_desk.services.exchange import receipts

    with uow.writing():
        uow.require(Permission.EXCHANGE)
        me, desk, signed = open_file(uow, path)
        name = Path(path).name
        kind, seq = signed.header["kind"], signed.header["seq"]
        recorded = uow.s.execute(
            select(ExchangeFile).where(
                ExchangeFile.desk_id == desk.id,
                ExchangeFile.direction == RECEIVED,
                ExchangeFile.kind == kind,
                ExchangeFile.seq == seq,
            )
        ).scalar_one_or_none()
        if recorded is not None and recorded.sha256 == signed.sha256:
            return ImportResult(kind, desks.desk_row(uow, desk), seq, recorded.records, 0, 0, 0, 0, True)
        if kind == RECEIPT:
            result = receipts.apply_receipt(uow, me, desk, signed, name, recorded is not None)
        else:
            result = _take_changes(uow, me, desk, signed, name, recorded is not None, progress)
        uow.commit()
        return result


def _check_sequence(desk: ExchangeDesk, seq: int, last: int, recorded: bool, what: str) -> None:
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
    if base is not None and not (base == ABSENT or isinstance(base, str) and _HEX64.fullmatch(base)):
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
        _MISSING when a parent is nowhere."""
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
        return {i: found.get(row.get(column), _MISSING) for i, row in rows.items()}


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
    _check_sequence(desk, seq, desk.received_seq, recorded, "پرونده تبادل")
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
    file = ExchangeFile(
        desk_id=desk.id,
        direction=RECEIVED,
        kind=CHANGES,
        seq=seq,
        sha256=signed.sha256,
        file_name=name,
        username=uow.actor.username,
        records=len(records),
        applied=counts[INSERT] + counts[UPDATE] + counts[DELETE],
        conflicts=counts[CONFLICT],
        accepted=json.dumps(accepted, ensure_ascii=False, separators=(",", ":")),
    )
    uow.s.add(file)
    desk.received_seq = seq
    uow.s.add(desk)
    uow.s.flush()
    write(uow, batch)
    if progress is not None:
        progress(total * 5 // 6, total)
    save_states(batch, [r for r in batch.all() if r.action in ACCEPTED])
    record_conflicts(batch, file.id, [r for r in batch.all() if r.action == CONFLICT])
    close_settled(batch, [r for r in batch.all() if r.action in ACCEPTED])
    fa = text.to_persian_digits
    uow.audit(
        "import",
        "exchangefile",
        file.id,
        detail=(
            f"پرونده تبادل شماره {fa(seq)} «{name}» از {desks.desk_row(uow, desk).label} گرفته شد: "
            f"{fa(len(records))} رکورد، {fa(file.applied)} اعمال‌شده، {fa(file.conflicts)} ناسازگاری؛ "
            f"SHA-256: {signed.sha256}"
        ),
    )
    if progress is not None:
        progress(total, total)
    return ImportResult(
        kind=CHANGES,
        desk=desks.desk_row(uow, desk),
        seq=seq,
        records=len(records),
        applied=counts[INSERT] + counts[UPDATE],
        unchanged=counts[SAME] + counts[GONE] + counts[UNCHANGED],
        deleted=counts[DELETE],
        conflicts=counts[CONFLICT],
    )


# --- the checks -----------------------------------------------------------------------------------------------


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
            for county in (arriving.get(rec.id, _MISSING), stored.get(rec.id, _MISSING)):
                if county is not _MISSING and county != allowed:
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
            if data is None or not _HEX64.fullmatch(sha):
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


# --- writing --------------------------------------------------------------------------------------------------


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


# --- bookkeeping ------------------------------------------------------------------------------------------------


def save_states(batch: Batch, recs: list[Incoming]) -> None:
    """The sender holds what it sent: state := (version, digest), or no state for a deletion."""
    table = ExchangeState.__table__
    t = table.c
    desk_id = batch.desk.id
    by_table: dict[str, list[Incoming]] = {}
    for rec in recs:
        by_table.setdefault(rec.spec.name, []).append(rec)
    for name, group in by_table.items():
        stale = [r.id for r in group if r.state is not None]  # a record never seen has no state to replace
        for chunk in chunks(stale):
            batch.conn.execute(
                delete(table).where(t.desk_id == desk_id, t.table_name == name, t.record_id.in_(chunk))
            )
        rows = [
            {
                "desk_id": desk_id,
                "table_name": name,
                "record_id": r.id,
                "version": r.version,
                "digest": r.digest,
            }
            for r in group
            if r.digest is not None
        ]
        if rows:
            batch.uow.db.bulk_insert(batch.conn, table, rows)


def set_state(
    uow: UnitOfWork, desk_id: str, table_name: str, record_id: str, version: int, value: str | None
) -> None:
    """One record's state for ``desk_id`` (None: none, the peer holds nothing we know of)."""
    table = ExchangeState.__table__
    t = table.c
    conn = uow.s.connection()
    conn.execute(
        delete(table).where(t.desk_id == desk_id, t.table_name == table_name, t.record_id == record_id)
    )
    if value is not None:
        conn.execute(
            insert(table).values(
                desk_id=desk_id, table_name=table_name, record_id=record_id, version=version, digest=value
            )
        )


def _json(d: dict[str, Any] | None) -> str:
    return json.dumps(d or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_conflicts(batch: Batch, file_id: str, recs: list[Incoming]) -> None:
    """Keep each conflicting record aside; an open conflict with the same incoming record is not repeated,
    one with an older incoming record takes the new one."""
    moment = now_utc()
    for rec in recs:
        incoming = _json(None if rec.deleted else rec.d or encode_row(rec.spec, rec.values, rec.links))
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
        conflict.local = _json(rec.local_d)
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
            conflict.resolved_at = moment
            conflict.resolution = "theirs"
            conflict.resolved_by = batch.uow.actor.username
            batch.uow.s.add(conflict)
