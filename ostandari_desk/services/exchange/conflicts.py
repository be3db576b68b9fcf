"""The conflict list: records changed here and at the other desk since their last exchange, and a manager's pick.

``keep="theirs"`` applies the other desk's version (a new row version above both, so a form opened before stays
refused), records that this desk now holds it (the state) and adds it to the file's accepted records so the next
receipt tells the sender. ``keep="ours"`` keeps this desk's version and records that the other desk holds its
own: our next file sends ours with that as its base, and the other desk applies it without a new conflict. Both
are audited on the record's history. A conflict over a record whose parent waits too is resolved after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.audit_labels import field_label
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import NotFoundError, UserError, ValidationError
from ostandari_desk.services.exchange import desks
from ostandari_desk.services.exchange.apply import set_state, write
from ostandari_desk.services.exchange.checks import check_references, check_unique, classify, dependents
from ostandari_desk.services.exchange.history import visible_desk_names
from ostandari_desk.services.exchange.ledger import ABSENT, OURS, THEIRS, settle
from ostandari_desk.services.exchange.records import (
    CONFLICT,
    DELETE,
    GONE,
    INSERT,
    UPDATE,
    Batch,
    Incoming,
    describe,
)
from ostandari_desk.services.exchange.tables import BY_NAME, TableSpec, decode_fields, digest, stored_fields
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeFile
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["ConflictRow", "FieldDiff", "conflict_fields", "list_conflicts", "resolve_conflict"]

RESOLUTION_LABELS = {OURS: "نسخه این میز ماند", THEIRS: "نسخه میز دیگر پذیرفته شد"}


@dataclass(frozen=True)
class ConflictRow:
    """One conflict as the list shows it."""

    id: str
    desk_id: str
    county: str  # the other desk: its county, or «استان …»
    table_name: str
    table_label: str
    record_id: str
    record: str  # «سمن «انجمن …»»
    deleted_here: bool
    deleted_there: bool
    at: datetime
    resolved_at: datetime | None
    resolution: str | None  # ours | theirs
    resolved_by: str

    @property
    def resolution_label(self) -> str:
        return RESOLUTION_LABELS.get(self.resolution or "", "در انتظار تصمیم")


@dataclass(frozen=True)
class FieldDiff:
    """One field of a conflicting record: this desk's value and the other desk's, as a clerk reads them."""

    field: str
    label: str
    ours: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.ours != self.theirs


def _current(uow: UnitOfWork, spec: TableSpec, record_id: str) -> dict[str, Any] | None:
    """This desk's record as its exchanged "d" (None: not here)."""
    return stored_fields(uow.s.connection(), spec, record_id)


def _row(uow: UnitOfWork, conflict: ExchangeConflict, names: dict[str, str]) -> ConflictRow:
    spec = BY_NAME[conflict.table_name]
    incoming = json.loads(conflict.incoming or "{}")
    here = _current(uow, spec, conflict.record_id)
    shown = incoming or here or json.loads(conflict.local or "{}")
    return ConflictRow(
        id=conflict.id,
        desk_id=conflict.desk_id,
        county=names.get(conflict.desk_id, ""),
        table_name=spec.name,
        table_label=spec.label,
        record_id=conflict.record_id,
        record=describe(spec, shown, conflict.record_id),
        deleted_here=here is None,
        deleted_there=not incoming,
        at=conflict.at,
        resolved_at=conflict.resolved_at,
        resolution=conflict.resolution,
        resolved_by=conflict.resolved_by,
    )


def list_conflicts(uow: UnitOfWork, open_only: bool = True) -> list[ConflictRow]:
    """The conflicts (open ones only unless ``open_only`` is False), the newest first."""
    with uow:
        names = visible_desk_names(uow)
        if not names:
            return []
        stmt = select(ExchangeConflict).where(ExchangeConflict.desk_id.in_(list(names)))
        if open_only:
            stmt = stmt.where(ExchangeConflict.resolved_at.is_(None))
        stmt = stmt.order_by(
            ExchangeConflict.at.desc(), ExchangeConflict.table_name, ExchangeConflict.record_id
        )
        return [_row(uow, c, names) for c in uow.s.execute(stmt).scalars()]


def _get(uow: UnitOfWork, conflict_id: str) -> ExchangeConflict:
    conflict = uow.s.get(ExchangeConflict, conflict_id)
    if conflict is None or conflict.desk_id not in visible_desk_names(uow):
        raise NotFoundError("این ناسازگاری پیدا نشد", record=conflict_id)
    return conflict


class _Shown:
    """A field's JSON value as a clerk reads it (names for ids, Jalali dates, labels for codes)."""

    def __init__(self, uow: UnitOfWork, table: str):
        from ostandari_desk.services.audit import ValueNames

        self.names = ValueNames(uow)
        self.table = table

    def __call__(self, name: str, value: Any, present: bool) -> str:
        from ostandari_desk.services.audit_values import readable_value

        if not present:
            return "(حذف شده)"
        if value is None or value == "":
            return "—"
        if isinstance(value, list):
            column = {"fields": "field_id", "ngos": "ngo_id"}.get(name, name)
            return "، ".join(self.names.value(column, v) for v in value) or "—"
        if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] == "T":
            try:
                moment = datetime.fromisoformat(value).astimezone()
            except ValueError:
                return value
            return f"{jalali.format_jalali(moment.date())} {text.to_persian_digits(moment.strftime('%H:%M'))}"
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            try:
                return jalali.format_jalali(date.fromisoformat(value))
            except ValueError:
                return value
        shown = self.names.value(name, value)
        return readable_value(shown, self.table, name) if isinstance(value, str) else shown


def conflict_fields(uow: UnitOfWork, conflict_id: str) -> list[FieldDiff]:
    """The compared fields of a conflicting record: this desk's value now and the other desk's, field by field
    (a side that deleted the record shows «(حذف شده)»)."""
    with uow:
        conflict = _get(uow, conflict_id)
        spec = BY_NAME[conflict.table_name]
        theirs = json.loads(conflict.incoming or "{}")
        ours = _current(uow, spec, conflict.record_id)
        shown = _Shown(uow, spec.name)
        return [
            FieldDiff(
                field=name,
                label=field_label(name) if name not in {"fields", "ngos"} else _LINK_LABELS[name],
                ours=shown(name, (ours or {}).get(name), ours is not None),
                theirs=shown(name, theirs.get(name), bool(theirs)),
            )
            for name in spec.compared
        ]


_LINK_LABELS = {"fields": "زمینه‌های فعالیت", "ngos": "سمن‌های شرکت‌کننده"}


def resolve_conflict(uow: UnitOfWork, conflict_id: str, keep: str) -> None:
    """Settle a conflict: ``keep`` "ours" (this desk's version stands) or "theirs" (the other desk's is applied).

    Raises:
        PermissionDeniedError: the actor may not exchange files (manager or admin only).
        NotFoundError: no such conflict.
        UserError: already settled; the other desk's version needs a record that waits for a decision
            itself or is not here; deleting it would orphan records that use it; its unique key is taken.
    """
    if keep not in (OURS, THEIRS):
        raise ValueError(f"keep must be 'ours' or 'theirs', not {keep!r}")
    with uow.writing():
        uow.require(Permission.EXCHANGE)
        conflict = _get(uow, conflict_id)
        if conflict.resolved_at is not None:
            raise UserError("این ناسازگاری پیش‌تر حل شده است", record=conflict_id)
        desk = uow.s.get(ExchangeDesk, conflict.desk_id)
        assert desk is not None
        spec = BY_NAME[conflict.table_name]
        rec = _incoming(spec, conflict)
        batch = Batch(uow, desk, [rec])
        batch.open_conflicts.pop((spec.name, rec.id), None)  # this one is being settled
        classify(batch)
        if keep == THEIRS:
            _apply_theirs(uow, batch, rec, conflict)
        else:
            set_state(uow, desk.id, spec.name, rec.id, rec.version, ABSENT if rec.deleted else rec.digest)
        settle(uow, conflict, keep)
        peer = desks.desk_row(uow, desk).label
        kept = (
            f"نسخه {peer} پذیرفته شد" if keep == THEIRS else f"نسخه این میز ماند و برای {peer} فرستاده می‌شود"
        )
        uow.audit(
            "resolve",
            spec.name,
            rec.id,
            detail=f"ناسازگاری {describe(spec, rec.values or rec.local or {}, rec.id)} حل شد: {kept}",
            owner_id=_owner(spec, rec),
        )
        uow.commit()


def _owner(spec: TableSpec, rec: Incoming) -> str | None:
    values = rec.values or rec.local or {}
    if spec.parent is not None:
        return values.get(spec.parent[0])
    return values.get("ngo_id") if spec.name in {"licencecase", "licence", "licencestep"} else None


def _incoming(spec: TableSpec, conflict: ExchangeConflict) -> Incoming:
    incoming = json.loads(conflict.incoming or "{}")
    if not incoming:
        return Incoming(spec, conflict.record_id, conflict.incoming_version, conflict.incoming_base, True)
    values, links, d = decode_fields(spec, incoming, conflict.record_id)
    return Incoming(
        spec,
        conflict.record_id,
        conflict.incoming_version,
        conflict.incoming_base,
        False,
        values,
        links,
        d,
        digest(spec, d),
    )


def _apply_theirs(uow: UnitOfWork, batch: Batch, rec: Incoming, conflict: ExchangeConflict) -> None:
    spec = rec.spec
    if rec.deleted:
        rec.action = DELETE if rec.local is not None else GONE
        if rec.action == DELETE:
            used = dependents(batch, spec, [rec.id]).get(rec.id)
            if used:
                names = "، ".join(sorted({BY_NAME[t].label if t in BY_NAME else t for t in used}))
                raise UserError(
                    f"{describe(spec, rec.local or {}, rec.id)} را نمی‌توان حذف کرد: هنوز رکوردهایی ({names}) در این "
                    "میز به آن وابسته‌اند؛ نخست تکلیف آن‌ها را روشن کنید",
                    record=rec.id,
                )
    else:
        rec.action = UPDATE if rec.local is not None else INSERT
        check_references(batch)
        if rec.action == CONFLICT:
            raise UserError(
                f"{describe(spec, rec.values, rec.id)} به رکوردی وابسته است که در این میز نیست (حذف شده یا خود در "
                "انتظار تصمیم است)؛ نخست تکلیف آن رکورد را روشن کنید",
                record=rec.id,
            )
        check_unique(batch)
        if spec.attachment:
            rec.stored_path = _stored_attachment(rec)
        if rec.local is not None:
            rec.version = max(conflict.incoming_version, rec.local["row_version"]) + 1  # above both
    try:
        write(uow, batch)
    except ValidationError as exc:
        raise UserError(exc.message, record=rec.id) from None
    set_state(uow, batch.desk.id, spec.name, rec.id, conflict.incoming_version, rec.digest)
    file = uow.s.get(ExchangeFile, conflict.file_id)
    if file is not None:  # the next receipt tells the sender this desk now holds its version
        accepted = json.loads(file.accepted or "[]")
        accepted.append([spec.name, rec.id, conflict.incoming_version, rec.digest])
        file.accepted = json.dumps(accepted, ensure_ascii=False, separators=(",", ":"))
        file.acked_at = None
        uow.s.add(file)


def _stored_attachment(rec: Incoming) -> str:
    """The stored path of a conflicting attachment's file, kept when its file arrived."""
    from ostandari_desk.services import attachments

    relative = attachments.relative_store_path(rec.values["sha256"], Path(rec.values["file_name"]).suffix)
    path = attachments.stored_file(relative)
    if path is None or not path.is_file():
        raise UserError(
            f"پرونده {describe(rec.spec, rec.values, rec.id)} در این میز نیست؛ از میز فرستنده بخواهید آن را دوباره "
            "بفرستد",
            record=rec.id,
        )
    return relative
