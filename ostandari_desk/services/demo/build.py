"""Build a demo database: a province with realistic NGOs, licence histories, events, letters and inspections.

``build_demo(engine)`` fills an empty, migrated database in place. ``build_demo_file(path)`` is what the
command line uses: it builds into a temporary file in the same folder and renames it over ``path`` only
when complete, so a kill, a full disk or an error leaves ``path`` as it was (the build runs with the
journal in memory, which is harmless in a file nobody else has). With ``replace`` an existing database is
first copied aside with SQLite's online backup API, so edits still in its WAL are in the copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from ostandari_desk import settings
from ostandari_desk.domain.roles import SYSTEM, Role
from ostandari_desk.errors import UserError
from ostandari_desk.services import setup, users
from ostandari_desk.services.demo.activity import LetterBook, add_activity
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys, stamp
from ostandari_desk.services.demo.centres import add_centres, load_checklists
from ostandari_desk.services.demo.memoranda import county_populations
from ostandari_desk.services.demo.registry import Place, RegistryBuilder
from ostandari_desk.services.inspections.templates import seed_default_templates
from ostandari_desk.store import database_files
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.models import County, Ngo, ReferenceItem, User, utc_now
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

FIRST_YEAR = 1399  # the app's records begin here; older licences come in as imported history

# The demo database's well-known user: the login dialog and the README name it.
DEMO_USER = "demo"
DEMO_PASSWORD = "demo"
DEMO_FULL_NAME = "کاربر نمونه"


@dataclass(frozen=True)
class DemoSize:
    ngos: int
    inspections: int
    activity_scale: float  # multiplies the yearly counts of events, letters and memoranda
    board: bool
    memoranda: int | None = None  # exactly this many memoranda (None: yearly volumes and the exact year)


SIZES = {
    "small": DemoSize(ngos=500, inspections=5_000, activity_scale=1.0, board=True),
    "large": DemoSize(
        ngos=100_000, inspections=1_000_000, activity_scale=40.0, board=False, memoranda=100_000
    ),
}


@dataclass(frozen=True)
class DemoSummary:
    size: str
    seed: int
    province: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # table name -> rows written
    set_aside: Path | None = None  # build_demo_file(replace=True): the copy of the database it replaced

    @property
    def ngos(self) -> int:
        return self.counts.get("ngo", 0)

    @property
    def inspections(self) -> int:
        return self.counts.get("inspection", 0)


_NOT_EMPTY = "پایگاه داده خالی نیست؛ داده نمونه فقط در پایگاه داده تازه ساخته می‌شود."


def _ensure_setup(engine: Engine, province: str) -> None:
    """Initialize a fresh database, add the demo user and mark it a demo, in one transaction.

    A database already initialized that has no NGOs yet is accepted (its province is kept).
    """
    uow = UnitOfWork(engine, SYSTEM)
    with uow.writing():
        if uow.s.exec(select(func.count()).select_from(Ngo)).one()[0]:
            raise UserError(_NOT_EMPTY)
        if not setup.is_initialized(uow):
            setup.initialize(uow, province)
        seed_default_templates(uow)  # before the centres: their visits answer these checklists
        known = select(User.id).where(User.username_key == users.username_key(DEMO_USER))
        if uow.s.exec(known).first() is None:
            users.add_demo_user(uow, DEMO_USER, DEMO_FULL_NAME, Role.MANAGER, DEMO_PASSWORD)
        settings.set_setting(uow, "demo_database", True)
        uow.commit()


def _places(engine: Engine, rng: random.Random) -> tuple[str, list[Place], dict[str, list[tuple[str, str]]]]:
    uow = UnitOfWork(engine, SYSTEM)
    with uow:
        from ostandari_desk.store.models import Province

        province = uow.s.exec(select(Province.name)).one()[0]
        counties = uow.s.exec(
            select(County.id, County.name).where(County.active).order_by(County.position)
        ).all()
        items = uow.s.exec(
            select(ReferenceItem.kind, ReferenceItem.id, ReferenceItem.name)
            .where(ReferenceItem.active)
            .order_by(ReferenceItem.kind, ReferenceItem.position)
        ).all()
    if not counties:
        raise UserError("برای این استان شهرستانی تعریف نشده است.")
    # The capital county holds the most NGOs.
    places = [
        Place(cid, name, (3.0 if i == 0 else 1.0) * rng.uniform(0.7, 1.3))
        for i, (cid, name) in enumerate(counties)
    ]
    lists: dict[str, list[tuple[str, str]]] = {}
    for kind, item_id, name in items:
        lists.setdefault(kind, []).append((item_id, name))
    return province, places, lists


# Tables the demo fills: their secondary indexes are dropped and rebuilt in the same transaction.
DEMO_TABLES = (
    "ngo",
    "ngofield",
    "boardmember",
    "licencecase",
    "inquiry",
    "licence",
    "licencestep",
    "letter",
    "event",
    "eventngo",
    "memorandum",
    "progressreport",
    "payment",
    "facilitationoffice",
    "centre",
    "inspection",
    "inspectionnote",
    "finding",
    "correctiveaction",
)
# What the build fills, the derived tables too: their statistics are settled once it is committed.
SETTLED_TABLES = (*DEMO_TABLES, "inspectioncoverage", "county", "auditentry")


def build_demo(
    engine: Engine,
    size: str = "small",
    province: str = "قزوین",
    progress: Progress | None = None,
    seed: int = 1401,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data; the same seed and ``today`` give the same rows.

    ``size`` is "small" (~500 NGOs, ~5,000 inspections, seconds) or "large" (100,000 NGOs,
    1,000,000 inspections). ``progress(stage, done, total)`` is called now and then.

    Raises:
        UserError: the database already holds NGOs, or the province is unknown.
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size: {size!r}")
    spec = SIZES[size]
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    report("راه‌اندازی", 0, 1)
    _ensure_setup(engine, province)
    rng = random.Random(seed)
    key = Keys(random.Random(seed * 7919 + 1), seed)
    province_name, places, lists = _places(engine, rng)
    today = today or dt.date.today()
    cal = Calendar(1385, today + dt.timedelta(days=6 * 366))
    today_n = today.toordinal()
    start_n = cal.day(FIRST_YEAR, 1, 1)
    now = stamp(utc_now())
    fields = {name: item_id for item_id, name in lists.get("field", [])}
    checklists = load_checklists(UnitOfWork(engine, SYSTEM))
    visits_from = cal.day(cal.year(today_n) - 1, 1, 1)  # two Jalali years of visits: last year and this
    report("راه‌اندازی", 1, 1)

    db = adapters_for(engine)  # the build runs on the driver's own cursor, in one transaction
    with db.bulk_build(engine) as cur:
        bulk = Bulk(cur, db.table_columns(cur), chunk=50_000, write=db.write_rows)
        try:
            registry = RegistryBuilder(
                bulk,
                rng,
                key,
                cal,
                today_n,
                start_n,
                now,
                fields,
                places,
                province_name,
                with_board=spec.board,
            )
            letters = LetterBook(bulk, key, cal, now)
            # large builds sort each index once at the end instead of keeping it in step row by row
            deferred = db.set_aside_indexes(cur, DEMO_TABLES) if spec.ngos >= 5_000 else []
            prefixes = rng.sample(range(10**8), spec.ngos)
            step = max(1, spec.ngos // 50)
            for i in range(spec.ngos):
                registry.add_ngo(i + 1, prefixes[i])
                if i % step == 0:
                    report("سمن‌ها و پروانه‌ها", i, spec.ngos)
            report("سمن‌ها و پروانه‌ها", spec.ngos, spec.ngos)
            report("رویدادها، مکاتبات و تفاهم‌نامه‌ها", 0, 1)
            add_activity(
                bulk,
                rng,
                key,
                cal,
                today_n,
                start_n,
                now,
                places,
                registry.ngos,
                lists.get("social_harm", []),
                letters,
                registry.punitive,
                spec.activity_scale,
                spec.memoranda,
            )
            bulk.wait()  # the writer thread shares the cursor
            mark = db.PLACEHOLDER
            cur.executemany(
                f"UPDATE county SET population = {mark} WHERE id = {mark}", county_populations(rng, places)
            )
            report("رویدادها، مکاتبات و تفاهم‌نامه‌ها", 1, 1)
            add_centres(
                bulk,
                rng,
                key,
                cal,
                today_n,
                visits_from,
                now,
                places,
                lists.get("centre_category", []),
                letters,
                spec.inspections,
                registry.person,
                lambda done, total: report("مراکز و بازدیدها", done, total),
                checklists,
            )
            bulk.close()
            db.restore_indexes(cur, deferred, lambda done, total: report("ساخت نمایه‌ها", done, total))
            report("ذخیره", 0, 1)
        except BaseException:
            bulk.close_quietly()
            raise
    report("ذخیره", 1, 1)
    db.settle_statistics(engine, SETTLED_TABLES)  # the planner learns the new rows
    counts = {name: n for name, n in bulk.counts().items() if n}
    return DemoSummary(size, seed, province_name, time.perf_counter() - started, counts)


# --- building into a file ---------------------------------------------------------------------------

BUILDING = ".building"  # a temporary build beside the target: ".<name>.<random>.building"
PARTIAL = ".partial"  # a safety copy being written: "<stem>.before-demo-<time><suffix>.partial"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def build_demo_file(
    path: Path | str,
    size: str = "small",
    province: str = "قزوین",
    progress: Progress | None = None,
    seed: int = 1401,
    today: dt.date | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Build the demo in a temporary file beside ``path``; rename it over ``path`` only when complete.

    ``path`` may be missing or hold a database without a province. With ``replace``, an initialized
    database there is copied aside first (``<stem>.before-demo-<time><suffix>``, returned as
    ``set_aside``) with SQLite's online backup API: the copy has every committed edit, those still in the
    WAL too. Temporary files of builds (and safety copies) that died midway are removed.

    Raises:
        UserError: ``path`` holds an initialized database and ``replace`` is false, or another program has
            it open (it is left as it was).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_builds(path)
    used = path.exists() and _initialized(path)
    if used and not replace:
        raise UserError(_NOT_EMPTY)
    if path.exists():
        _take_out_of_use(path)  # refused now, not after a long build, when another program has it open
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=BUILDING, dir=path.parent)
    os.close(handle)
    building = Path(name)
    try:
        engine = open_database(sqlite_url(building))
        try:
            summary = build_demo(engine, size, province, progress, seed, today)
        finally:
            engine.dispose()
        _settle(building)
        if path.exists():
            _take_out_of_use(path)
        kept = _copy_aside(path) if used else None
        os.replace(building, path)
        _sync_folder(path.parent)
    except BaseException:
        _remove_database(building)
        raise
    return dataclasses.replace(summary, set_aside=kept)


def _initialized(path: Path) -> bool:
    """Whether the file holds a province or any NGO (a database someone has used)."""
    return database_files.holds_records(path, ("province", "ngo"))


def _take_out_of_use(path: Path) -> None:
    """Take the file alone for a moment (store/database_files.py): SQLite refuses while another connection,
    of any program, has it open, and then the desk refuses too. Closing the one connection folds the WAL
    into the file, so nothing beside ``path`` belongs to it any more (a stale -wal beside the renamed file
    would be replayed into it)."""
    try:
        with database_files.exclusive_access(path, wait=1.0):
            pass
    except database_files.DatabaseBusyError as exc:
        raise UserError(
            f"پایگاه داده «{path}» در برنامه دیگری باز است؛ آن را ببندید و دوباره بکوشید. چیزی تغییر نکرد."
        ) from exc


def _copy_aside(path: Path) -> Path:
    """A copy of the database at ``path`` made with the online backup API (every committed edit, those
    still in its WAL too), written under a temporary name and renamed when whole."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-demo-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.before-demo-{stamp}-{n}{path.suffix}")
    partial = target.with_name(target.name + PARTIAL)
    try:
        database_files.snapshot(path, partial)
        _sync_file(partial)
        os.replace(partial, target)
    except BaseException:
        _remove_database(partial)
        raise
    return target


def _settle(building: Path) -> None:
    """The build wrote without syncing: checkpoint whatever is in its WAL, then flush the file to disk."""
    with closing(sqlite3.connect(building)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    _sync_file(building)


def _sync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX; Windows has no handle on a folder to sync)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _remove_database(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _being_built(build: Path) -> bool:
    """Whether another process is writing the temporary build ``build`` (it holds the write lock). A file
    cut off mid-write is no database any more: dead too."""
    try:
        with closing(sqlite3.connect(build, timeout=0)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.rollback()
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.DatabaseError:
        return False
    return False


def _remove_dead_builds(path: Path) -> None:
    """Remove temporary builds of ``path`` left by a process that died; one being written holds its lock."""
    for stale in path.parent.glob(f".{path.name}.*{BUILDING}"):
        if _being_built(stale):
            continue
        log.info("removing a dead demo build: %s", stale)
        _remove_database(stale)
    for partial in path.parent.glob(f"{path.stem}.before-demo-*{path.suffix}{PARTIAL}"):
        log.info("removing a safety copy cut off midway: %s", partial)  # the database it copied is intact
        _remove_database(partial)
