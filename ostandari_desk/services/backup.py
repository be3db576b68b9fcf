"""Backups: one file with the database, the attachments and a manifest of SHA-256s; the daily automatic one.

The archive (``FORMAT``, version 2) is the database followed by a zip:

- bytes ``0 … size``: the database, copied with SQLite's online backup API while the desk may be open
  (store/database_files.py: one consistent snapshot) straight into the backup file, so its gigabyte is
  written once — version 1 copied it into a scratch file and then again into the zip, 5× a plain copy;
- then a zip (offsets counted from the file's start, as in a self-extracting archive; any zip tool opens
  it) with ``attachments/<path>``, every file of the attachments folder, stored, and ``manifest.json``:
  the format, the time (UTC and Jalali), the office, the schema revision, who made it, whether it was the
  automatic one, ``database``: ``{"offset", "size", "sha256"}``, and ``members``: ``{name: {"sha256",
  "size"}}`` of every attachment. The database is hashed on a second thread while the attachments are
  written.

services/restore.py reads version 1 (the database as the zip member ``database.sqlite3``) too.

The zip is written to a temporary name beside its target, fsynced and renamed (services/files.py), so a
full disk or a pulled USB drive never leaves a half backup under the real name. An admin's right
(Permission.BACKUP); each backup is an audit entry "backup" and sets the ``last_backup_at`` setting.

A database on a PostgreSQL server is not backed up here: backing a server up is the server's job
(``pg_dump``), and ``make_backup`` (and restoring, services/restore.py) refuses it with a Persian message
saying so (``SERVER_BACKUP``); it has no automatic backup and no warning about a stale one.

The automatic backup runs when the desk closes, once a day, into the backups folder (the
``backup_folder`` setting, default «backups» in the data folder; it may be a USB drive), and keeps 7 daily,
4 weekly and 12 monthly copies (``backups_to_keep``). The start page warns after ``STALE_AFTER`` without one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ostandari_desk import paths, settings
from ostandari_desk.domain import jalali
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import UserError
from ostandari_desk.services.files import atomic_path, fsync_file, unwritable
from ostandari_desk.store import database_files, db_errors
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "SERVER_BACKUP",
    "BackupResult",
    "BackupStatus",
    "Progress",
    "StageProgress",
    "backup_name",
    "backup_status",
    "backups_folder",
    "backups_to_keep",
    "jalali_stamp",
    "make_automatic_backup",
    "make_backup",
    "prune_automatic_backups",
    "refuse_on_server",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

FORMAT = "ostandari-desk-backup"
FORMAT_VERSION = 2
DATABASE_MEMBER = "database.sqlite3"

SERVER_BACKUP = (
    "پایگاه داده این میز کار روی سرور PostgreSQL است و پشتیبان‌گیری و بازگردانی آن کار خود سرور است، نه "
    "این برنامه؛ از این‌جا چیزی نوشته یا جایگزین نشد. مسئول سرور با ‎pg_dump‎ از آن پشتیبان می‌گیرد (مثلاً "
    "‎pg_dump -Fc -f office.dump <نام-پایگاه-داده>‎، هر شب با زمان‌بند سرور) و با ‎pg_restore‎ بازمی‌گرداند. "
    "از پوشه پیوست‌ها جداگانه رونوشت بگیرید."
)


def on_server(engine: Any) -> bool:
    """Whether ``engine`` (or a unit of work's) is on a database server rather than an SQLite file: its
    database adapters say the desk does not back it up as a file."""
    return not adapters_for(getattr(engine, "engine", engine)).file_backups


def refuse_on_server(engine: Any) -> None:
    """UserError (``SERVER_BACKUP``) when ``engine`` (or a unit of work's) is on a PostgreSQL server."""
    if on_server(engine):
        raise UserError(SERVER_BACKUP)


MANIFEST_MEMBER = "manifest.json"
ATTACHMENTS_PREFIX = "attachments/"
STALE_AFTER = timedelta(days=7)
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
_CHUNK = 4 << 20
_HASH_BESIDE_FROM = 32 << 20  # files this big are hashed on a second thread while they are written


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes of the zip
    members: int  # the database and the attachments
    database_sha256: str
    seconds: float


# --- names and places ---------------------------------------------------------------------------------


def default_folder() -> Path:
    return paths.data_dir() / "backups"


def backups_folder(uow: UnitOfWork) -> Path:
    """The folder of the automatic backups, and the default of a manual one (``backup_folder`` setting)."""
    with uow:
        chosen = settings.get_setting(uow, "backup_folder")
    return Path(chosen) if chosen else default_folder()


def jalali_stamp(when: datetime) -> str:
    """«1403-09-10-153045»: the Jalali date and the local time, for file names."""
    local = when.astimezone() if when.tzinfo else when
    jy, jm, jd = jalali.to_jalali(local.date())
    return f"{jy:04d}-{jm:02d}-{jd:02d}-{local:%H%M%S}"


def backup_name(db_path: Path, when: datetime, automatic: bool = False) -> str:
    """«ostandari-1403-09-10-153045.zip» (the database's name, the Jalali date and the local time);
    automatic backups say «-auto-» so that only they are ever rotated away."""
    return f"{Path(db_path).stem}{'-auto' if automatic else ''}-{jalali_stamp(when)}.zip"


def _automatic_pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(Path(db_path).stem) + r"-auto-(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})\.zip"
    )


def _automatic_stamp(name: str, pattern: re.Pattern[str]) -> datetime | None:
    found = pattern.fullmatch(name)
    if found is None:
        return None
    jy, jm, jd, hh, mm, ss = (int(part) for part in found.groups())
    try:
        day = jalali.from_jalali(jy, jm, jd)
        return datetime(day.year, day.month, day.day, hh, mm, ss)
    except ValueError:
        return None


# --- rotation -----------------------------------------------------------------------------------------


def _week(stamp: datetime) -> date:
    """The Saturday that begins the (Iranian) week of ``stamp``."""
    day = stamp.date()
    return day - timedelta(days=(day.weekday() - 5) % 7)


def backups_to_keep(
    stamps: Iterable[datetime],
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> set[datetime]:
    """Which of the automatic backups taken at ``stamps`` to keep: the newest of each of the ``daily`` last
    days that have one, of each of the ``weekly`` last weeks (Saturday to Friday) and of each of the
    ``monthly`` last Jalali months. A backup may count for a day, its week and its month at once."""
    ordered = sorted(set(stamps), reverse=True)
    buckets: Sequence[tuple[int, Callable[[datetime], object]]] = (
        (daily, lambda s: s.date()),
        (weekly, _week),
        (monthly, lambda s: jalali.jalali_month_of(s.date())),
    )
    keep: set[datetime] = set()
    for limit, bucket in buckets:
        seen: list[object] = []
        for stamp in ordered:
            key = bucket(stamp)
            if key in seen:
                continue
            if len(seen) == limit:
                break
            seen.append(key)
            keep.add(stamp)
    return keep


def prune_automatic_backups(folder: Path, db_path: Path) -> list[Path]:
    """Remove the automatic backups of ``db_path`` in ``folder`` that ``backups_to_keep`` lets go; returns
    them. Other files (manual backups, other databases' backups) are never touched."""
    pattern = _automatic_pattern(db_path)
    found: dict[datetime, Path] = {}
    for path in Path(folder).glob("*.zip"):
        stamp = _automatic_stamp(path.name, pattern)
        if stamp is not None:
            found[stamp] = path
    keep = backups_to_keep(found)
    removed = []
    for stamp, path in sorted(found.items()):
        if stamp in keep:
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError as exc:  # a copy someone has open: it goes next time
            log.warning("old automatic backup %s not removed: %s", path, exc)
    return removed


# --- status -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupStatus:
    """``last_at``: the last backup of this database (aware UTC; None: never). A demo database, and one on a
    server (``server``: backed up by the server's own tools), is never backed up automatically nor warned
    about."""

    last_at: datetime | None
    folder: Path
    demo: bool
    now: datetime
    server: bool = False

    @property
    def days_since(self) -> int | None:
        return None if self.last_at is None else max(0, (self.now - self.last_at).days)

    @property
    def stale(self) -> bool:
        """No backup for more than STALE_AFTER (the start page's warning)."""
        if self.demo or self.server:
            return False
        return self.last_at is None or self.now - self.last_at > STALE_AFTER

    @property
    def due(self) -> bool:
        """No backup yet today (local time): the automatic one runs when the desk closes."""
        if self.demo or self.server:
            return False
        return self.last_at is None or self.last_at.astimezone().date() < self.now.astimezone().date()


def backup_status(uow: UnitOfWork, now: datetime | None = None) -> BackupStatus:
    with uow:
        stored = settings.get_setting(uow, "last_backup_at")
        demo = bool(settings.get_setting(uow, "demo_database"))
        folder = settings.get_setting(uow, "backup_folder")
    last = None
    if stored:
        try:
            last = datetime.fromisoformat(stored)
            last = last if last.tzinfo else last.replace(tzinfo=UTC)
        except ValueError:
            log.warning("unreadable last_backup_at setting %r", stored)
    return BackupStatus(
        last,
        Path(folder) if folder else default_folder(),
        demo,
        now or datetime.now(UTC),
        server=on_server(uow.engine),
    )


# --- making one ---------------------------------------------------------------------------------------


class StageProgress:
    """Progress over weighted stages, reported as (done, 1000): byte counts overflow Qt's int signals."""

    SCALE = 1000

    def __init__(self, progress: Progress | None, weights: Sequence[float]):
        self._progress = progress
        total = sum(weights) or 1.0
        self._starts = [sum(weights[:i]) / total for i in range(len(weights))]
        self._spans = [w / total for w in weights]
        self._last = -1

    def part(self, index: int) -> Progress:
        def report(done: int, total: int) -> None:
            fraction = self._starts[index] + self._spans[index] * (min(done, total) / total if total else 0)
            self._emit(int(fraction * self.SCALE))

        return report

    def _emit(self, value: int) -> None:
        if self._progress is not None and value != self._last:
            self._last = value
            self._progress(value, self.SCALE)

    def done(self) -> None:
        self._emit(self.SCALE)


def _attachment_files() -> list[tuple[str, Path]]:
    """(member name, file) of every regular file in the attachments folder, in a stable order."""
    root = paths.attachments_dir()
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith((".part", ".tmp")):
            found.append((ATTACHMENTS_PREFIX + path.relative_to(root).as_posix(), path))
    return found


def _store(zf: zipfile.ZipFile, name: str, path: Path, when: datetime, progress: Progress) -> tuple[str, int]:
    """Add ``path`` as the uncompressed member ``name``; returns its SHA-256 and size. A big file is hashed
    on a second thread while the zip writes it (hashlib and the writes both let go of the GIL)."""
    size = path.stat().st_size
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as src, zf.open(info, "w") as member:
        if size < _HASH_BESIDE_FROM:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                member.write(chunk)
                done += len(chunk)
                progress(done, size)
        else:
            hashing: threading.Thread | None = None
            while chunk := src.read(_CHUNK):
                if hashing is not None:
                    hashing.join()
                hashing = threading.Thread(target=digest.update, args=(chunk,))
                hashing.start()
                member.write(chunk)
                done += len(chunk)
                progress(done, size)
            if hashing is not None:
                hashing.join()
    return digest.hexdigest(), size


def _sha256_of(path: Path, size: int, progress: Progress) -> str:
    """SHA-256 of the first ``size`` bytes of ``path`` (hashlib lets go of the GIL on big chunks)."""
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as src:
        while done < size and (chunk := src.read(min(_CHUNK, size - done))):
            digest.update(chunk)
            done += len(chunk)
            progress(done, size)
    return digest.hexdigest()


class _Beside(threading.Thread):
    """``work()`` on a second thread (hashlib and fsync both let go of the GIL); ``result()`` joins it and
    raises its error on the caller's thread."""

    def __init__(self, name: str, work: Callable[[], object]):
        super().__init__(name=name, daemon=True)
        self._work = work
        self._value: object = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread by result()
            self._error = exc

    def result(self) -> object:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


def _append_zip(
    archive: Path,
    database_size: int,
    attachments: list[tuple[str, Path]],
    now: datetime,
    fields: dict,
    meter: StageProgress,
) -> tuple[str, dict[str, dict]]:
    """After the database in ``archive``: the attachments, then the manifest; returns the database's
    SHA-256 and the attachments' manifest entries."""
    # the database's pages go to the disk while they are hashed, and both while the attachments are written
    syncing = _Beside("backup-fsync", lambda: fsync_file(archive))
    hashing = _Beside("backup-hash", lambda: _sha256_of(archive, database_size, meter.part(1)))
    members: dict[str, dict] = {}
    attachment_bytes = sum(path.stat().st_size for _, path in attachments)
    try:
        with archive.open("r+b") as handle:
            handle.seek(database_size)
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                step = meter.part(2)
                written = 0
                for member_name, path in attachments:
                    try:
                        sha_a, size_a = _store(zf, member_name, path, now, lambda _d, _t: None)
                    except (
                        FileNotFoundError
                    ):  # removed meanwhile (its letter deleted): not part of the backup
                        log.info("attachment %s went away during the backup", path)
                        continue
                    members[member_name] = {"sha256": sha_a, "size": size_a}
                    written += size_a
                    step(written, attachment_bytes)
                database = {"offset": 0, "size": database_size, "sha256": str(hashing.result())}
                local = now.astimezone()
                body = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": now.isoformat(),
                    "created_at_jalali": f"{jalali.format_jalali(local.date(), False)} {local:%H:%M}",
                    **fields,
                    "database": database,
                    "members": members,
                }
                zf.writestr(
                    MANIFEST_MEMBER,
                    json.dumps(body, ensure_ascii=False, indent=1),
                    compress_type=zipfile.ZIP_DEFLATED,
                )
    finally:
        hashing.join()
        syncing.join()
    syncing.result()
    return database["sha256"], members


def write_archive(
    source: Path | sqlite3.Connection,
    out: Path,
    *,
    manifest: dict,
    progress: Progress | None = None,
) -> BackupResult:
    """Write the backup ``out`` of the database ``source`` (its file, or the connection holding it: a
    restore's safety copy) and of the attachments folder; ``manifest`` gives the descriptive fields.

    Raises:
        UserError: the file could not be written (folder gone, disk full, no permission: Persian).
        DatabaseUnavailableError: the database could not be read.
    """
    started = time.perf_counter()
    now = datetime.now(UTC)
    attachments = _attachment_files()
    attachment_bytes = sum(path.stat().st_size for _, path in attachments)
    database_bytes = database_files.size_of(source)
    # the copy costs about 1.5 times the hashing of the same bytes (measured on the large demo)
    meter = StageProgress(progress, [1.5 * database_bytes, database_bytes, attachment_bytes])
    _ensure_folder(out.parent)
    try:
        with atomic_path(out) as temp:
            try:
                database_files.snapshot(source, temp, meter.part(0))
            except sqlite3.Error as exc:
                translated = db_errors.database_unavailable(exc)
                if translated is None:
                    raise
                raise translated from exc
            revision = database_files.revision_of(temp)
            database_size = temp.stat().st_size
            database_sha256, members = _append_zip(
                temp, database_size, attachments, now, {**manifest, "schema_revision": revision}, meter
            )
    except OSError as exc:
        raise unwritable(out, exc) from exc
    meter.done()
    return BackupResult(
        path=out,
        size=out.stat().st_size,
        members=len(members) + 1,
        database_sha256=database_sha256,
        seconds=time.perf_counter() - started,
    )


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"پوشه پشتیبان‌ها «{folder}» در دسترس نیست ({exc.strerror or exc}). اگر فلش یا دیسک جداشدنی "
            "است آن را وصل کنید، یا پوشه دیگری برگزینید."
        ) from exc


def make_backup(
    uow: UnitOfWork,
    db_path: Path,
    out: Path | None = None,
    *,
    automatic: bool = False,
    progress: Progress | None = None,
) -> BackupResult:
    """Back up the database file ``db_path`` (open in ``uow``'s engine, maybe in use) into ``out`` (default:
    the backups folder, named by ``backup_name``; a folder: that name inside it). An admin's right; the
    audit entry "backup" and the ``last_backup_at`` setting are written once the file is complete.

    Raises:
        UserError: the database is on a PostgreSQL server (``SERVER_BACKUP``: the server's own backups).
    """
    refuse_on_server(uow)
    db_path = Path(db_path)
    with uow:
        uow.require(Permission.BACKUP)
        office = str(settings.get_setting(uow, "office_name") or "")
        folder = backups_folder(uow)
    name = backup_name(db_path, datetime.now(), automatic)
    target = Path(out) if out else folder / name
    if target.is_dir():
        target = target / name
    result = write_archive(
        db_path,
        target,
        manifest={"office": office, "created_by": uow.actor.username, "automatic": automatic},
        progress=progress,
    )
    with uow.writing():
        uow.audit(
            "backup",
            "",
            "",
            detail=f"{'پشتیبان خودکار' if automatic else 'پشتیبان'}: {result.path} — {result.size} بایت، "
            f"{result.members} پرونده، SHA-256 پایگاه داده {result.database_sha256}",
        )
        settings.set_setting(uow, "last_backup_at", datetime.now(UTC).isoformat())
        uow.commit()
    return result


def make_automatic_backup(
    uow: UnitOfWork, db_path: Path, *, progress: Progress | None = None
) -> BackupResult | None:
    """The automatic backup (when the desk closes): once a day into the backups folder, then the old ones
    rotated away; None when today's is done already, or the database is the demo or on a server. ``uow`` acts for the
    desk itself (domain.roles.SYSTEM), so a clerk's desk is backed up too.

    Raises:
        UserError: the backups folder is unavailable (a USB drive not plugged in) or full.
    """
    status = backup_status(uow)
    if not status.due:
        return None
    target = status.folder / backup_name(db_path, datetime.now(), automatic=True)
    result = make_backup(uow, db_path, target, automatic=True, progress=progress)
    prune_automatic_backups(result.path.parent, db_path)
    return result
