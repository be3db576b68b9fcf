"""Restoring a backup (services/backup.py): verify everything first, keep the current data, then replace.

``prepare_restore`` reads the zip and refuses it unless every member's SHA-256 and size match the manifest,
the database inside passes SQLite's ``integrity_check`` and its schema revision is one this app knows.
It unpacks beside the live files (same disks), so nothing the office has is touched yet.

``restore_backup`` then takes the database file for itself alone (store/database_files.py: refused while
another window of the desk or any other program has it open), backs the current data up into the
backups folder, writes the audit entry "restore" into the database being restored, swaps the attachments
folder and copies the new database into the live file in one journalled transaction (its ``-wal`` and
``-shm`` stay consistent: SQLite writes them). A failure before the copy leaves everything as it was.

A database on a PostgreSQL server is restored with the server's own tools (``pg_restore``): both functions
refuse it (services/backup.py ``SERVER_BACKUP``) before touching anything.

A current database that is missing or unreadable (damaged) cannot sign anyone in: it is restored without
a unit of work, the damaged files set aside under «.broken-<time>» (nothing is deleted).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ostandari_desk import paths, settings
from ostandari_desk.domain import jalali
from ostandari_desk.domain.roles import SYSTEM, Actor, Permission
from ostandari_desk.domain.text import format_number, to_persian_digits
from ostandari_desk.errors import DatabaseUnavailableError, PermissionDeniedError, UserError
from ostandari_desk.services import backup
from ostandari_desk.services.backup import Progress, StageProgress
from ostandari_desk.services.files import inside
from ostandari_desk.services.session import open_desk, unit_of_work
from ostandari_desk.store import database_files
from ostandari_desk.store.engine import is_server_url
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "MISSING",
    "READABLE",
    "UNREADABLE",
    "BackupInfo",
    "PreparedRestore",
    "RestoreResult",
    "database_state",
    "prepare_restore",
    "restore_backup",
]

MISSING, READABLE, UNREADABLE = "missing", "readable", "unreadable"
IN_USE = (
    "پایگاه داده باز است: پنجره دیگری از میز کار یا برنامه‌ای دیگر آن را باز کرده است. "
    "همه پنجره‌های میز کار (و هر برنامه‌ای که این پرونده را باز کرده) را ببندید و دوباره بکوشید؛ چیزی جایگزین نشد."
)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 4 << 20


@dataclass(frozen=True)
class BackupInfo:
    """What a verified backup holds (from its manifest)."""

    path: Path
    created_at: datetime | None
    office: str
    revision: str
    created_by: str
    automatic: bool
    database_size: int
    attachments: int

    def describe(self) -> list[str]:
        """Persian lines for the confirmation question."""
        when = "نامعلوم"
        if self.created_at is not None:
            local = self.created_at.astimezone()
            when = to_persian_digits(f"{jalali.format_jalali(local.date(), False)} ساعت {local:%H:%M}")
        return [
            f"پرونده پشتیبان: {self.path}",
            f"ساخته‌شده در: {when}" + (" (پشتیبان خودکار)" if self.automatic else ""),
            f"اداره: {self.office or '—'}",
            (
                f"پایگاه داده: {format_number(self.database_size / 1e6, 1)} مگابایت، "
                f"{to_persian_digits(self.attachments)} پرونده پیوست"
            ),
        ]


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    safety_backup: Path | None  # the current data, backed up before it was replaced
    set_aside: Path | None  # a damaged current database, moved aside
    seconds: float


def _damaged(path: Path, why: str = "") -> UserError:
    detail = f" ({why})" if why else ""
    return UserError(
        f"پرونده پشتیبان «{path.name}» آسیب دیده است یا پشتیبان این برنامه نیست{detail}؛ "
        "چیزی جایگزین نشد. نسخه پشتیبان دیگری را برگزینید."
    )


class PreparedRestore:
    """A verified backup unpacked beside the live files; ``close()`` (or the ``with`` block) removes it."""

    def __init__(self, info: BackupInfo, work: Path, staging: Path):
        self.info = info
        self.work = work  # beside the database: the unpacked database and its scratch files
        self.database = work / backup.DATABASE_MEMBER
        self.staging = staging  # beside the attachments folder: the backup's attachments
        self.attachments = staging / "attachments"

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _entry_ok(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and bool(_HEX64.fullmatch(entry["sha256"]))
        and isinstance(entry.get("size"), int)
        and entry["size"] >= 0
    )


def _database_entry(manifest: dict) -> dict:
    """The database's {"size", "sha256"} (and "offset" in version 2)."""
    return manifest["database"] if manifest["version"] >= 2 else manifest["members"][backup.DATABASE_MEMBER]


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(backup.MANIFEST_MEMBER).decode("utf-8"))
    except KeyError:
        raise _damaged(path, "فهرست چکیده‌ها ندارد") from None
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path, "فهرست چکیده‌ها خوانده نشد") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != backup.FORMAT:
        raise _damaged(path)
    if not isinstance(manifest.get("version"), int) or manifest["version"] > backup.FORMAT_VERSION:
        raise UserError("این پشتیبان با نسخه‌ای تازه‌تر از برنامه ساخته شده است؛ برنامه را به‌روز کنید.")
    members = manifest.get("members")
    if not isinstance(members, dict):
        raise _damaged(path)
    if manifest["version"] >= 2:  # the database before the zip, described apart
        database = manifest.get("database")
        if not _entry_ok(database) or database.get("offset") != 0 or backup.DATABASE_MEMBER in members:
            raise _damaged(path)
    elif backup.DATABASE_MEMBER not in members:  # version 1: the database is a zip member
        raise _damaged(path)
    if not all(_entry_ok(entry) for entry in members.values()):
        raise _damaged(path)
    names = [n for n in zf.namelist() if n != backup.MANIFEST_MEMBER]
    if (
        len(names) != len(set(names))
        or set(names) != set(members)
        or zf.namelist().count(backup.MANIFEST_MEMBER) != 1
    ):
        raise _damaged(path, "پرونده‌های درون آن با فهرست نمی‌خواند")
    return manifest


def _unpack(
    zf: zipfile.ZipFile, name: str, target: Path, expected: dict, path: Path, report: Progress
) -> None:
    """Extract one member, checking its size and SHA-256 (and the zip's CRC) on the way."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zf.open(name) as src, target.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
                report(len(chunk), 0)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:  # a CRC or a header that does not add up
        raise _damaged(path, f"«{name}» خوانده نشد") from exc
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise _damaged(path, f"چکیده «{name}» با فهرست نمی‌خواند")


def _copy_database(path: Path, entry: dict, target: Path, report: Progress) -> None:
    """Version 2: the database is the backup file's first ``size`` bytes; copy them, checking the SHA-256."""
    digest = hashlib.sha256()
    left = entry["size"]
    with path.open("rb") as src, target.open("wb") as dst:
        src.seek(entry["offset"])
        while left and (chunk := src.read(min(_CHUNK, left))):
            digest.update(chunk)
            dst.write(chunk)
            left -= len(chunk)
            report(len(chunk), 0)
    if left or digest.hexdigest() != entry["sha256"]:
        raise _damaged(path, "چکیده پایگاه داده با فهرست نمی‌خواند")


def _created_at(manifest: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(manifest.get("created_at")))
    except ValueError:
        return None


def _unpack_all(
    zf: zipfile.ZipFile, members: dict[str, dict], work: Path, staging: Path, path: Path, step: Progress
) -> None:
    """Every member to its place (a version 1 database into ``work``, the attachments under ``staging``),
    each checked against the manifest; a name that would land elsewhere is refused."""
    for name, expected in members.items():
        if name == backup.DATABASE_MEMBER:
            target = work / backup.DATABASE_MEMBER
        elif name.startswith(backup.ATTACHMENTS_PREFIX):
            target = inside(staging / "attachments", name[len(backup.ATTACHMENTS_PREFIX) :])
            if target is None:
                raise _damaged(path, f"نشانی نادرست «{name}»")
        else:
            raise _damaged(path, f"پرونده ناشناخته «{name}»")
        _unpack(zf, name, target, expected, path, step)
    (staging / "attachments").mkdir(exist_ok=True)


def _verify_database(database: Path, manifest: dict, path: Path, report: Progress) -> str:
    """The unpacked database passes integrity_check and has a revision this app knows; returns it."""
    try:
        problems = database_files.file_integrity_problems(database, report)
        revision = database_files.revision_of(database)
    except database_files.NotADatabaseError as exc:
        raise _damaged(path, "پایگاه داده درون آن خوانده نمی‌شود") from exc
    if problems:
        raise _damaged(path, "پایگاه داده درون آن آسیب دیده است: " + problems[0])
    if revision is None or revision != manifest.get("schema_revision"):
        raise _damaged(path, "نسخه ساختار پایگاه داده با فهرست نمی‌خواند")
    if not database_files.known_revision(revision):
        raise UserError(
            "پایگاه داده این پشتیبان با نسخه‌ای تازه‌تر از این برنامه ساخته شده است؛ نخست برنامه را به‌روز "
            "کنید. چیزی جایگزین نشد."
        )
    return revision


def prepare_restore(
    backup_path: Path, db_path: Path | str | None, progress: Progress | None = None
) -> PreparedRestore:
    """Verify the backup at ``backup_path`` and unpack it beside ``db_path`` and the attachments folder.

    Raises:
        UserError: the file is missing, damaged, tampered with, not a backup, or from a newer app; or the
            database is on a server (``db_path`` a ``postgresql://`` URL, or None: no file).
    """
    if db_path is None or is_server_url(str(db_path)):
        raise UserError(backup.SERVER_BACKUP)
    backup_path, db_path = Path(backup_path), Path(db_path)
    if not backup_path.is_file():
        raise UserError(f"پرونده پشتیبان «{backup_path}» پیدا نشد.")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{db_path.name}.restore-", dir=db_path.parent))
    staging = Path(tempfile.mkdtemp(prefix=".attachments-restore-", dir=paths.attachments_dir().parent))
    try:
        try:
            zf = zipfile.ZipFile(backup_path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _damaged(backup_path) from exc
        with zf:
            manifest = _manifest(zf, backup_path)
            members: dict[str, dict] = manifest["members"]
            database = _database_entry(manifest)
            database_size = database["size"]
            unpacked = sum(m["size"] for m in members.values())
            if manifest["version"] >= 2:
                unpacked += database_size
            meter = StageProgress(progress, [unpacked, 2 * database_size])
            unpack = meter.part(0)
            done = [0]

            def step(chunk: int, _total: int) -> None:
                done[0] += chunk
                unpack(done[0], unpacked or 1)

            if manifest["version"] >= 2:
                _copy_database(backup_path, database, work / backup.DATABASE_MEMBER, step)
            _unpack_all(zf, members, work, staging, backup_path, step)
        revision = _verify_database(work / backup.DATABASE_MEMBER, manifest, backup_path, meter.part(1))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info = BackupInfo(
        path=backup_path,
        created_at=_created_at(manifest),
        office=str(manifest.get("office") or ""),
        revision=revision,
        created_by=str(manifest.get("created_by") or ""),
        automatic=bool(manifest.get("automatic")),
        database_size=database_size,
        attachments=len(members) - (1 if backup.DATABASE_MEMBER in members else 0),
    )
    meter.done()
    return PreparedRestore(info, work, staging)


def database_state(db_path: Path) -> str:
    """MISSING (no file), READABLE (a sound database, maybe busy: someone must sign in to replace it) or
    UNREADABLE (damaged, or not a database: nobody can sign in to it)."""
    if not Path(db_path).exists():
        return MISSING
    return READABLE if database_files.readable(Path(db_path), thorough=True) else UNREADABLE


def _side_files(db_path: Path) -> list[Path]:
    return [Path(f"{db_path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def _aside_name(db_path: Path, stamp: str) -> Path:
    return db_path.with_name(f"{db_path.name}.broken-{stamp}")


def _set_aside(db_path: Path, stamp: str) -> None:
    """Move a damaged database and its side files (or a missing one's stray side files) to
    «<name>.broken-<stamp>…»: nothing is deleted."""
    if db_path.exists():
        os.replace(db_path, _aside_name(db_path, stamp))
    for side in _side_files(db_path):
        if side.exists():
            os.replace(
                side, side.with_name(f"{_aside_name(db_path, stamp).name}{side.name[len(db_path.name) :]}")
            )


def _stamp_restored(
    prepared: PreparedRestore, actor: Actor, safety: Path | None, set_aside: Path | None
) -> None:
    """Write the audit entry "restore" into the database being restored (upgrading it first if it is from
    an older version), and record the safety backup as its last backup."""
    engine = open_desk(prepared.database)
    try:
        uow = unit_of_work(engine, actor)
        with uow.writing():
            detail = f"بازگردانی از «{prepared.info.path}»"
            if safety is not None:
                detail += f"؛ داده پیشین پشتیبان‌گیری شد در «{safety}»"
            if set_aside is not None:
                detail += f"؛ پایگاه داده آسیب‌دیده پیشین کنار گذاشته شد: «{set_aside}»"
            uow.audit("restore", "", "", detail=detail)
            if safety is not None:
                settings.set_setting(uow, "last_backup_at", datetime.now(UTC).isoformat())
            uow.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


class _AttachmentSwap:
    """The backup's attachments folder put in place of the live one, with a way back until ``keep``."""

    def __init__(self, staged: Path, stamp: str):
        self.live = paths.attachments_dir()
        self.old = self.live.with_name(f"attachments.before-restore-{stamp}")
        try:
            os.replace(self.live, self.old)
            try:
                os.replace(staged, self.live)
            except OSError:
                os.replace(self.old, self.live)
                raise
        except OSError as exc:
            raise UserError(
                f"پوشه پیوست‌ها جایگزین نشد ({exc.strerror or exc})؛ شاید پرونده‌ای از آن در برنامه دیگری باز "
                "است. آن را ببندید و دوباره بکوشید؛ چیزی جایگزین نشد."
            ) from exc

    def undo(self) -> None:
        shutil.rmtree(self.live, ignore_errors=True)
        os.replace(self.old, self.live)

    def keep(self, old_folder: bool) -> Path | None:
        """Done: remove the old folder (it is in the safety backup) unless ``old_folder``."""
        if old_folder:
            return self.old
        shutil.rmtree(self.old, ignore_errors=True)
        return None


def restore_backup(
    prepared: PreparedRestore,
    db_path: Path,
    *,
    uow: UnitOfWork | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Put the verified backup ``prepared`` in place of the database ``db_path`` and the attachments.

    ``uow``: the signed-in admin on the current database (its engine is disposed here, so that this process
    holds no connection of its own); None only when the current database is missing or unreadable.

    Raises:
        PermissionDeniedError: not an admin, or no sign-in for a database that opens.
        DatabaseUnavailableError: (locked) another window or program has the database open.
        UserError: the safety backup or the attachments folder could not be written; or the database is on
            a server (``uow``'s engine: restored with pg_restore).
    """
    if uow is not None:
        backup.refuse_on_server(uow)
    started = time.perf_counter()
    db_path = Path(db_path)
    state = database_state(db_path)
    actor, folder, office = SYSTEM, backup.default_folder(), prepared.info.office
    if uow is not None:
        uow.require(Permission.BACKUP)
        actor = uow.actor
        if state == READABLE:  # a damaged file cannot tell its settings
            with uow:
                folder = backup.backups_folder(uow)
                office = str(settings.get_setting(uow, "office_name") or "")
        uow.engine.dispose()
    elif state == READABLE:
        raise PermissionDeniedError(
            "برای بازگرداندن پشتیبان، مدیر سامانه باید با پایگاه داده کنونی وارد شود."
        )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    current_size = database_files.size_of(db_path) if state == READABLE else 0
    meter = StageProgress(progress, [2.5 * current_size, prepared.info.database_size])
    with ExitStack() as stack:
        held = _hold(stack, db_path) if state != MISSING else None
        if held is not None and state == UNREADABLE:  # only asked whether anyone has it open
            stack.close()
            held = None
        safety = None
        set_aside = None if held is not None or not db_path.exists() else _aside_name(db_path, stamp)
        if held is not None:
            safety = backup.write_archive(
                held,
                _safety_target(folder)
                / f"{db_path.stem}-before-restore-{backup.jalali_stamp(datetime.now())}.zip",
                manifest={"office": office, "created_by": actor.username, "automatic": False},
                progress=meter.part(0),
            ).path
        _stamp_restored(prepared, actor, safety, set_aside)
        swap = _AttachmentSwap(prepared.attachments, stamp)
        try:
            if held is not None:
                database_files.replace_contents(held, prepared.database, meter.part(1))
            else:
                _set_aside(db_path, stamp)
                os.replace(prepared.database, db_path)
        except BaseException:
            swap.undo()
            raise
        swap.keep(old_folder=safety is None)
    meter.done()
    return RestoreResult(prepared.info, safety, set_aside, time.perf_counter() - started)


def _hold(stack: ExitStack, db_path: Path) -> Any:
    """The database file held alone (store/database_files.exclusive_access), or None when it is not a
    database SQLite can lock. Refused while anyone else has it open."""
    try:
        return stack.enter_context(database_files.exclusive_access(db_path))
    except database_files.DatabaseBusyError:
        raise DatabaseUnavailableError(
            DatabaseUnavailableError.LOCKED, IN_USE, database=str(db_path)
        ) from None
    except database_files.NotADatabaseError:
        return None


def _safety_target(folder: Path) -> Path:
    """The backups folder, or the default one when it is out of reach (a USB drive not plugged in)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        fallback = backup.default_folder()
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback
