"""Attachments (پیوست‌ها) of any record kind: scans of a letter, photos and scans of a visit, scans of a
memorandum's progress report.

A kind is declared once (``AttachmentKind``: its attachment table, the owner id column, the owner model,
Persian labels) and every function takes the kind, so a new record kind gets attachments by adding one
declaration to ``KINDS``. What every kind shares:

- The file is copied into the attachments folder under its SHA-256 (``ab/abcd….pdf``: hex digits and a
  plain suffix only, whatever the original name held); the same content is stored once, whichever records
  use it, and removed (after the commit) only when no attachment row of any kind names it any more.
- ``attachment_path`` checks the stored file's SHA-256 before handing it out (a changed file is refused)
  and resolves the stored path strictly inside the attachments folder (a tampered ``../..``, an absolute
  path or a symlink out is neither opened nor deleted).
- The file name kept and shown loses its bidi and control characters (``evil.\\u202efdp.exe`` is
  ``evil.fdp.exe``).
- Attachment rows are not county-owned: their owner's county scope holds (``uow.get`` on the owner, or the
  kind's ``county_of`` for an owner that is a child itself: a progress report's county is its memorandum's).
- A closed visit is read-only: its attachments are neither added nor removed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import select

from ostandari_desk import paths
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import DuplicateError, NotFoundError, UserError, ValidationError
from ostandari_desk.services import files
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import (
    Finding,
    Inspection,
    InspectionAttachment,
    Letter,
    LetterAttachment,
    Memorandum,
    ProgressAttachment,
    ProgressReport,
)
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "INSPECTION",
    "KINDS",
    "LETTER",
    "MAX_ATTACHMENT_BYTES",
    "PROGRESS",
    "AttachmentKind",
    "AttachmentRow",
    "add_attachment",
    "attachment_path",
    "list_attachments",
    "relative_store_path",
    "remove_attachment",
    "remove_if_unused",
    "remove_owner_attachments",
    "store_file",
    "stored_file",
]

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024  # a scanned file or a photo; anything larger is refused
_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


@dataclass(frozen=True)
class AttachmentKind:
    """The attachments of one record kind."""

    name: str  # "letter", "inspection"
    table: type  # the attachment table's model (LetterAttachment)
    owner_column: str  # its column naming the owner ("letter_id")
    owner_model: type  # the owner's model (Letter); county scope comes from it
    label: str  # the owner in a Persian sentence: «نامه»
    plural: str  # «نامه‌ها»
    missing: str  # NotFound message for the owner
    has_findings: bool = False  # an attachment may name one of the owner's findings
    locked: Callable[[Any], str | None] = lambda owner: None  # a message when the owner is read-only
    # the owner's county when the owner is not county-owned itself (a progress report: its memorandum's)
    county_of: Callable[[UnitOfWork, Any], str | None] | None = None

    def owner_of(self, attachment: Any) -> str:
        return getattr(attachment, self.owner_column)


def _closed_visit(inspection: Inspection) -> str | None:
    if inspection.state == "closed":
        return (
            "این بازدید بسته شده و فقط‌خواندنی است؛ پیوست آن افزوده یا حذف نمی‌شود. "
            "برای اصلاح، یادداشتی به بازدید بیفزایید."
        )
    return None


LETTER = AttachmentKind(
    name="letter",
    table=LetterAttachment,
    owner_column="letter_id",
    owner_model=Letter,
    label="نامه",
    plural="نامه‌ها",
    missing="نامه پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است",
)
INSPECTION = AttachmentKind(
    name="inspection",
    table=InspectionAttachment,
    owner_column="inspection_id",
    owner_model=Inspection,
    label="بازدید",
    plural="بازدیدها",
    missing="بازدید پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است",
    has_findings=True,
    locked=_closed_visit,
)


def _memorandum_county(uow: UnitOfWork, report: ProgressReport) -> str | None:
    """A progress report's county: its memorandum's (read past the session's scope, so another county's
    report is refused as such rather than reported missing)."""
    t = Memorandum.__table__.c
    return uow.s.execute(select(t.county_id).where(t.id == report.memorandum_id)).scalar_one_or_none()


PROGRESS = AttachmentKind(
    name="progress",
    table=ProgressAttachment,
    owner_column="progress_id",
    owner_model=ProgressReport,
    label="گزارش پیشرفت",
    plural="گزارش‌های پیشرفت",
    missing="گزارش پیشرفت پیدا نشد؛ شاید کاربر دیگری آن را حذف کرده است",
    county_of=_memorandum_county,
)
KINDS: tuple[AttachmentKind, ...] = (LETTER, INSPECTION, PROGRESS)


@dataclass(frozen=True)
class AttachmentRow:
    id: str
    owner_id: str  # the letter's or the visit's id
    file_name: str
    size: int
    sha256: str
    finding_id: str | None = None  # a visit's attachment may belong to one of its findings


# --- helpers -------------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def relative_store_path(sha256: str, suffix: str) -> str:
    """Where a file with this content is kept, relative to the attachments folder: only hex digits and a
    plain suffix (``.pdf``), whatever the original name held."""
    suffix = suffix.lower()
    return f"{sha256[:2]}/{sha256}{suffix if _SAFE_SUFFIX.fullmatch(suffix) else ''}"


def stored_file(stored_path: str) -> Path | None:
    """The file of a stored path, resolved inside the attachments folder; None for anything else (an
    absolute path, ``../..``, a symlink out: a tampered row must not reach another file)."""
    found = files.inside(paths.attachments_dir(), stored_path)
    if found is None:
        log.warning("attachment path outside the attachments folder refused: %r", stored_path)
    return found


def _megabytes(size: int) -> str:
    """Whole megabytes, rounded up (a file just over the limit does not read as the limit itself)."""
    return to_persian_digits(str(-(-size // (1024 * 1024))))


def _checked_source(source: Path, name: str) -> int:
    """The size of a regular file within the limit, else a Persian ValidationError."""
    if not source.exists():
        raise ValidationError(f"فایل «{name}» پیدا نشد", field="attachment")
    if not source.is_file():
        raise ValidationError(
            f"«{name}» یک فایل معمولی نیست (پوشه یا دستگاه است) و پیوست نمی‌شود", field="attachment"
        )
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise ValidationError(
            f"فایل «{name}» خوانده نشد ({exc.strerror or exc})", field="attachment"
        ) from exc
    _checked_source_size(size, name)
    return size


def _checked_source_size(size: int, name: str) -> None:
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"فایل «{name}» {_megabytes(size)} مگابایت است؛ "
            f"پیوست بزرگ‌تر از {_megabytes(MAX_ATTACHMENT_BYTES)} مگابایت پذیرفته نمی‌شود",
            field="attachment",
        )


def _hash_source(source: Path, name: str) -> str:
    """The SHA-256 of the file to attach, refusing it when it has grown past the limit since the check."""
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            size += len(chunk)
            if size > MAX_ATTACHMENT_BYTES:
                _checked_source_size(size, name)
            digest.update(chunk)
    return digest.hexdigest()


def _owner(uow: UnitOfWork, kind: AttachmentKind, owner_id: str) -> Any:
    """The owner within the actor's scope (else NotFound/PermissionDenied)."""
    owner = uow.get(kind.owner_model, owner_id, missing=kind.missing)
    if kind.county_of is not None:
        uow.check_county(kind.county_of(uow, owner), record=owner_id)
    return owner


def _refuse_if_locked(kind: AttachmentKind, owner: Any) -> None:
    message = kind.locked(owner)
    if message:
        raise UserError(message, record=owner.id)


def _check_finding(uow: UnitOfWork, kind: AttachmentKind, owner_id: str, finding_id: str | None) -> None:
    if finding_id is None:
        return
    if not kind.has_findings:
        raise ValidationError(f"پیوست {kind.label} به یافته‌ای وابسته نمی‌شود", field="finding")
    finding = uow.s.get(Finding, finding_id)
    if finding is None or finding.inspection_id != owner_id:
        raise ValidationError(f"یافته انتخاب‌شده از این {kind.label} نیست", field="finding", record=finding_id)


def _get_attachment(uow: UnitOfWork, kind: AttachmentKind, attachment_id: str) -> tuple[Any, Any]:
    """(the attachment, its owner), if the owner is within the actor's scope (else NotFound/PermissionDenied)."""
    attachment = uow.s.get(kind.table, attachment_id)
    if attachment is None:
        raise NotFoundError("پیوست پیدا نشد", record=attachment_id)
    return attachment, _owner(uow, kind, kind.owner_of(attachment))


def remove_if_unused(uow: UnitOfWork, stored_path: str) -> None:
    """Delete a stored file that no attachment of any kind names any more (run after the commit)."""
    with uow:
        for kind in KINDS:
            if uow.s.exec(select(kind.table.id).where(kind.table.stored_path == stored_path)).first():
                return
    path = stored_file(stored_path)
    if path is not None:
        path.unlink(missing_ok=True)


def store_file(source: Path, name: str, sha: str) -> str:
    """Copy ``source`` into the attachments folder (whole or absent, fsynced) unless a sound copy is there;
    returns its path relative to the folder. Refused when the source changes while it is copied."""
    relative = relative_store_path(sha, Path(name).suffix)
    target = paths.attachments_dir() / relative
    if target.is_file() and _sha256_of(target) == sha:
        return relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with files.atomic_path(target) as temp:
            shutil.copyfile(source, temp)
            if _sha256_of(temp) != sha:
                raise UserError(f"فایل «{name}» هنگام پیوست شدن تغییر کرد؛ دوباره بکوشید")
    except OSError as exc:
        raise files.unwritable(f"پیوست {name}", exc) from exc
    return relative


# --- commands ------------------------------------------------------------------------------------


def add_attachment(
    uow: UnitOfWork,
    kind: AttachmentKind,
    owner_id: str,
    source_path: str | Path,
    *,
    finding_id: str | None = None,
) -> str:
    """Copy a file into the attachments folder (named by its SHA-256) and link it to a record; returns the id.

    The same content attached twice to one record is refused; attached to two records (of any kind), it is
    stored once. ``finding_id`` (visits only) must be one of that visit's findings. A closed visit refuses.

    Raises:
        ValidationError: no such file, not a regular file, too large, a finding of another record.
        DuplicateError: this content is already attached to this record.
        UserError: the owner is read-only, or the file could not be stored.
    """
    source = Path(source_path)
    name = files.safe_file_name(source.name)
    _checked_source(source, name)
    with uow.writing():
        owner = _owner(uow, kind, owner_id)
        _refuse_if_locked(kind, owner)
        _check_finding(uow, kind, owner_id, finding_id)
        sha = _hash_source(source, name)
        table = kind.table
        existing = uow.s.exec(
            select(table.id).where(getattr(table, kind.owner_column) == owner_id, table.sha256 == sha)
        ).first()
        if existing:
            raise DuplicateError(f"فایل «{name}» پیش‌تر به این {kind.label} پیوست شده است", record=existing)
        relative = store_file(source, name, sha)
        stored = paths.attachments_dir() / relative
        values: dict[str, Any] = {
            kind.owner_column: owner_id,
            "file_name": name,
            "sha256": sha,
            "size": stored.stat().st_size,
            "stored_path": relative,
        }
        if kind.has_findings:
            values["finding_id"] = finding_id
        attachment = table(**stamps(), **values)
        uow.s.add(attachment)
        uow.s.flush()
        uow.commit()
        return attachment.id


def remove_attachment(uow: UnitOfWork, kind: AttachmentKind, attachment_id: str) -> None:
    """Unlink an attachment from its record; the stored file goes when no attachment of any kind uses it
    any more (once the transaction is committed: never inside a caller's block). A closed visit refuses."""
    with uow.writing():
        attachment, owner = _get_attachment(uow, kind, attachment_id)
        _refuse_if_locked(kind, owner)
        stored = attachment.stored_path
        uow.s.delete(attachment)
        uow.after_commit(partial(remove_if_unused, uow, stored))
        uow.commit()


def remove_owner_attachments(uow: UnitOfWork, kind: AttachmentKind, owner_id: str) -> None:
    """Delete every attachment row of a record that is itself being deleted (call it inside the deleting
    service's block, before deleting the owner); unused stored files go after the commit. The owner's
    read-only state is the deleting service's business."""
    with uow.writing():
        _owner(uow, kind, owner_id)
        table = kind.table
        attachments = list(uow.s.exec(select(table).where(getattr(table, kind.owner_column) == owner_id)))
        for attachment in attachments:
            uow.s.delete(attachment)
            uow.after_commit(partial(remove_if_unused, uow, attachment.stored_path))
        uow.s.flush()
        uow.commit()


# --- reads ---------------------------------------------------------------------------------------


def list_attachments(uow: UnitOfWork, kind: AttachmentKind, owner_id: str) -> list[AttachmentRow]:
    """A record's attachments, oldest first."""
    with uow:
        _owner(uow, kind, owner_id)
        table = kind.table
        stmt = (
            select(table)
            .where(getattr(table, kind.owner_column) == owner_id)
            .order_by(table.created_at, table.file_name)
        )
        return [
            AttachmentRow(
                a.id,
                kind.owner_of(a),
                files.safe_file_name(a.file_name),
                a.size,
                a.sha256,
                getattr(a, "finding_id", None),
            )
            for a in uow.s.exec(stmt)
        ]


def attachment_path(uow: UnitOfWork, kind: AttachmentKind, attachment_id: str) -> Path:
    """The stored file of an attachment, after checking its SHA-256 still matches.

    Raises:
        NotFoundError: the attachment or its file is gone.
        UserError: «فایل پیوست تغییر کرده است» when the file's content no longer matches, or the stored
            path leads outside the attachments folder (a tampered row).
    """
    with uow:
        attachment, _owner_row = _get_attachment(uow, kind, attachment_id)
        path = stored_file(attachment.stored_path)
        name, sha = files.safe_file_name(attachment.file_name), attachment.sha256
    if path is None:
        raise UserError(
            f"محل نگهداری پیوست «{name}» بیرون از پوشه پیوست‌ها است و باز نمی‌شود؛ "
            "این رکورد دست‌کاری شده است، به مدیر سامانه خبر دهید.",
            record=attachment_id,
        )
    if not path.is_file():
        raise NotFoundError(f"فایل پیوست «{name}» در پوشه پیوست‌ها پیدا نشد", record=attachment_id)
    if _sha256_of(path) != sha:
        raise UserError(f"فایل پیوست تغییر کرده است: «{name}»", record=attachment_id)
    return path
