"""A «سمن‌ها» row that changes a stored NGO (transfer/ngos.py reads the rows; this updates or refuses).

The rule (module doc of transfer/ngos.py): a sheet made after the NGO's last change in the app (the
workbook's creation time, or a CSV's modification time: ``sheets.sheet_made_at``) holds the clerk's edits,
so the NGO is updated — changed columns only, empty cells keeping the stored values, the fields of activity
replaced when their cell is filled, the status («وضعیت») set when its cell is filled — audited field by field by the unit of work. A sheet made before it may
be older than the app's record: the row is refused, naming the columns with both values and both dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.lifecycle import LEVEL_LABELS, Level
from ostandari_desk.errors import ConcurrentEditError
from ostandari_desk.services import audit
from ostandari_desk.services.ngos.rows import STATUS_LABELS
from ostandari_desk.services.transfer.sheets import ImportReport, RowError
from ostandari_desk.store.models import County, Ngo, NgoField
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "EDITABLE",
    "OTHER_COUNTY",
    "NgoChange",
    "apply_changes",
    "changed_since_error",
    "note_changes",
    "unchanged_since",
]

OTHER_COUNTY = (
    "سمنی با این شناسه ملی در شهرستان دیگری ثبت شده است؛ شما فقط سمن‌های شهرستان خود را ویرایش می‌کنید"
)
PROVINCE_WORD = "استان"
NOTES_MAX = 200  # rows named in the report's notes of updated NGOs; the count says the rest
_CHUNK = 5000
# the ngo columns a sheet's row may change, and those computed from them
EDITABLE = (
    "name",
    "county_id",
    "level",
    "registration_no",
    "registered_on",
    "ceo_name",
    "ceo_national_code",
    "phone",
    "address",
    "status",
)
_WRITTEN = (*EDITABLE, "name_key", "name_sort", "ceo_sort", "search_text")

# values_of(row, seq, moment, ngo_id) -> the ngo columns of a cleaned row (transfer/ngos.py new_values)
ValuesOf = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class NgoChange:
    """A stored NGO a row changes: the row's cleaned cells (EDITABLE keys), the fields of activity when they
    change, the headers of the changed columns (for the report's note)."""

    number: int
    ngo_id: str
    version: int
    row: dict[str, Any]
    fields: tuple[str, ...] | None
    headers: tuple[str, ...]


def _utc(moment: datetime) -> datetime:
    """An aware UTC moment (SQLite gives the stored stamps back without their zone: they are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def unchanged_since(updated_at: datetime | None, made_at: datetime | None) -> bool:
    """Whether a record last changed no later than the sheet was made (to the second: a workbook's time has
    no fraction, and an export made in the same second as the edit before it comes after it)."""
    if updated_at is None:
        return True
    if made_at is None:
        return False
    return _utc(updated_at).replace(microsecond=0) <= _utc(made_at)


def _moment(moment: datetime | None) -> str:
    """«۱۴۰۵/۰۹/۱۰ ساعت ۱۸:۵۹» in the desk's local time."""
    if moment is None:
        return "نامعلوم"
    local = _utc(moment).astimezone()
    return f"{jalali.format_jalali(local.date())} ساعت {text.to_persian_digits(local.strftime('%H:%M'))}"


def _shown(uow: UnitOfWork, key: str, value: Any) -> str:
    """A stored ngo column as the sheet writes it."""
    if key == "county_id":
        county = uow.s.get(County, value) if value else None
        return county.name if county is not None else PROVINCE_WORD
    if key == "level":
        return LEVEL_LABELS[Level(value)] if value in Level._value2member_map_ else str(value)
    if key == "registered_on":
        return jalali.format_jalali(value) if value else ""
    if key == "status":
        return STATUS_LABELS.get(value, str(value or ""))
    return str(value or "")


def changed_since_error(
    uow: UnitOfWork,
    number: int,
    ngo_id: str,
    diffs: Sequence[tuple[str, str | None, str]],
    made_at: datetime | None,
) -> RowError:
    """The row error of an NGO changed in the app after the sheet was made: the differing columns
    (``diffs``: header, ngo column or None for the fields of activity, the cell as typed) with the sheet's
    and the app's values, and both dates."""
    stored = uow.s.execute(select(Ngo.__table__).where(Ngo.__table__.c.id == ngo_id)).mappings().one()
    fa = text.to_persian_digits
    parts = []
    for header, key, cell in diffs[:4]:
        if key is None:
            parts.append(f"«{header}»")
        else:
            parts.append(
                f"«{header}» (در پرونده «{fa(cell)}»، در برنامه «{fa(_shown(uow, key, stored[key]))}»)"
            )
    more = len(diffs) - len(parts)
    listed = "، ".join(parts) + (f" و {fa(more)} ستون دیگر" if more > 0 else "")
    reason = (
        f"سمن «{stored['name']}» پس از تهیه این پرونده ({_moment(made_at)}) در برنامه ویرایش شده است "
        f"({_moment(stored['updated_at'])}) و این ستون‌ها با آن یکی نیست: {listed}؛ "
        "پرونده تازه‌ای از برنامه بگیرید و ویرایش کنید، یا این سمن را در برنامه ویرایش کنید"
    )
    return RowError(number, diffs[0][0], reason)


def note_changes(report: ImportReport, changes: Sequence[NgoChange], dry_run: bool) -> None:
    """Name the NGOs the rows update (the first ``NOTES_MAX``) among the report's notes (its warnings)."""
    fa = text.to_persian_digits
    would = "به‌روز می‌شود" if dry_run else "به‌روز شد"
    for change in changes[:NOTES_MAX]:
        columns = "، ".join(change.headers)
        report.warnings.append(f"ردیف {fa(change.number)}: سمن «{change.row['name']}» {would} ({columns})")
    if len(changes) > NOTES_MAX:
        report.warnings.append(f"و {fa(len(changes) - NOTES_MAX)} سمن دیگر {would}")


def apply_changes(uow: UnitOfWork, changes: Sequence[NgoChange], values_of: ValuesOf) -> None:
    """Update each changed NGO (the changed columns; an empty cell keeps the stored value) and its fields of
    activity, through the session so the unit of work audits every field; in the caller's transaction.

    Raises:
        ConcurrentEditError: an NGO's version moved since its row was checked (another program's save).
    """
    table = Ngo.__table__
    moment = audit.now_utc()
    for start in range(0, len(changes), _CHUNK):
        chunk = changes[start : start + _CHUNK]
        ids = [c.ngo_id for c in chunk]
        stored = {r["id"]: r for r in uow.s.execute(select(table).where(table.c.id.in_(ids))).mappings()}
        for change in chunk:
            old = stored[change.ngo_id]
            merged = {
                key: old[key] if change.row[key] in ("", None) and key != "county_id" else change.row[key]
                for key in EDITABLE
            }
            merged["national_id"] = old["national_id"]
            values = values_of(merged, old["seq"], moment, ngo_id=change.ngo_id)
            changed = {key: values[key] for key in _WRITTEN if values[key] != old[key]}
            result = uow.s.execute(
                update(table)
                .where(table.c.id == change.ngo_id, table.c.row_version == change.version)
                .values(**changed, updated_at=moment, row_version=table.c.row_version + 1)
            )
            if result.rowcount != 1:
                raise ConcurrentEditError(
                    f"سمن «{old['name']}» هم‌زمان در برنامه ویرایش شد؛ پرونده را دوباره وارد کنید",
                    record=change.ngo_id,
                )
            if change.fields is not None:
                _replace_fields(uow, change.ngo_id, change.fields)


def _replace_fields(uow: UnitOfWork, ngo_id: str, wanted: tuple[str, ...]) -> None:
    fields = NgoField.__table__
    stored = set(uow.s.execute(select(fields.c.field_id).where(fields.c.ngo_id == ngo_id)).scalars())
    gone = stored - set(wanted)
    if gone:
        uow.s.execute(delete(fields).where(fields.c.ngo_id == ngo_id, fields.c.field_id.in_(gone)))
    added = [f for f in wanted if f not in stored]
    if added:
        uow.s.execute(insert(fields), [{"ngo_id": ngo_id, "field_id": f} for f in added])
