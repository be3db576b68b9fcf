"""Benchmark cases of the backup and the health check on the large demo (issue 7).

- backup: ``services.backup.make_backup`` of the large demo into a zip against its FLOOR, a plain file copy
  of the same database file (``shutil.copyfile``, then fsync: a copy that is on the disk, as the backup's is).
  Copy and backup alternate, so both meet the same page cache; medians are compared. Target ≤ 1.5×.
  The backup's own parts are timed once each: the consistent copy with SQLite's backup API, and the
  packing (SHA-256 of every member, the zip written and fsynced).
- check: ``services.health.check_health`` on it (integrity_check, foreign keys, the search index, the sort
  keys, the attachments, the revision). Target < 60 s.

The cases run with a private data folder (OSTANDARI_DESK_HOME), so no real attachments are read; the
backup writes its audit entry and ``last_backup_at`` into the demo database, as any backup does.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

BACKUP_TARGET_RATIO = 1.5
CHECK_TARGET_S = 60.0


def _copy_and_sync(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bench_backup(db: Path, runs: int) -> list[dict]:
    """The backup of ``db`` vs a plain copy of it, and the health check on it."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import backup, health
    from ostandari_desk.services.session import open_desk, unit_of_work
    from ostandari_desk.store import database_files

    results: list[dict] = []
    previous_home = os.environ.get("OSTANDARI_DESK_HOME")
    with tempfile.TemporaryDirectory(prefix="ostandari-bench-backup-", dir=db.parent) as tmp:
        folder = Path(tmp)
        os.environ["OSTANDARI_DESK_HOME"] = str(folder / "home")
        engine = open_desk(db)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            copies, backups = [], []
            for i in range(runs + 1):  # the first pair warms the cache and is not counted
                target = folder / "copy.sqlite3"
                started = time.perf_counter()
                _copy_and_sync(db, target)
                copy_s = time.perf_counter() - started
                target.unlink()
                out = folder / "backup.zip"
                started = time.perf_counter()
                backup.make_backup(unit_of_work(engine, SYSTEM), db, out)
                backup_s = time.perf_counter() - started
                out.unlink()
                if i:
                    copies.append(copy_s)
                    backups.append(backup_s)
            # where the time goes, once: the consistent copy, then the packing
            started = time.perf_counter()
            database_files.snapshot(db, folder / "snapshot.sqlite3")
            snapshot_s = time.perf_counter() - started
            (folder / "snapshot.sqlite3").unlink()
            floor, median = statistics.median(copies), statistics.median(backups)
            results.append(
                {
                    "case": "backup/large_demo",
                    "available": True,
                    "median_s": median,
                    "floor_s": floor,
                    "ratio": median / floor,
                    "runs": backups,
                    "floor_runs": copies,
                    "snapshot_s": snapshot_s,
                    "size_mb": round(db.stat().st_size / 1e6),
                    "target": f"≤ {BACKUP_TARGET_RATIO}× copy+fsync",
                    "ok": median <= BACKUP_TARGET_RATIO * floor,
                }
            )
            started = time.perf_counter()
            report = health.check_health(unit_of_work(engine, SYSTEM))
            check_s = time.perf_counter() - started
            results.append(
                {
                    "case": "check/large_demo",
                    "available": True,
                    "median_s": check_s,
                    "floor_s": None,
                    "ratio": None,
                    "healthy": report.healthy,
                    "target": f"< {CHECK_TARGET_S:.0f} s",
                    "ok": check_s < CHECK_TARGET_S and report.healthy,
                }
            )
        finally:
            engine.dispose()
            if previous_home is None:
                os.environ.pop("OSTANDARI_DESK_HOME", None)
            else:
                os.environ["OSTANDARI_DESK_HOME"] = previous_home
    return results
