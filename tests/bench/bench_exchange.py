"""Benchmark case of the exchange between desks: a county's year of changes, exported, imported, imported again.

The county desk of آبیک holds a year's work — 5,000 NGOs with their boards and fields, a case each with its
four inquiries and its steps, a licence each; 1,000 centres with 50,000 visits and their findings and
actions — written with Core bulk inserts (the build is not timed). The province's desk registered it and
it registered the province's. Timed (issue 10's targets):

- ``exchange/export``: ``export_changes`` at the county (every record: nothing acknowledged yet) ≤ 10 s,
  beside a floor that reads the same rows with plain SQL;
- ``exchange/import``: ``import_file`` of that file at the province ≤ 20 s (each run on a fresh copy of the
  province's database);
- ``exchange/reimport``: the same file again ≤ 2 s, adding nothing.

Run alone: ``python tests/bench/run.py --skip startup --skip queries --skip reports --skip import
--skip import_audit --skip audit --skip backup --skip inspections --skip memoranda``.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from timing import case_row

PROVINCE, COUNTY = "قزوین", "آبیک"
NGOS, BOARD, FIELDS, STEPS = 5_000, 3, 2, 6
CENTRES, VISITS = 1_000, 50_000
EXPORT_S, IMPORT_S, REIMPORT_S = 10.0, 20.0, 2.0
TARGETS = {"export": "≤ 10 s", "import": "≤ 20 s", "reimport": "≤ 2 s, adds 0"}
AGENCIES = ("judiciary", "intelligence", "police", "expert")
STEP_KINDS = ("request", "documents", "inquiry_sent", "inquiry_answered", "approval", "issue")


@contextmanager
def _home(folder: Path) -> Iterator[None]:
    """Run in a desk's own data folder (its attachments), as the app does for one desk."""
    before = os.environ.get("OSTANDARI_DESK_HOME")
    os.environ["OSTANDARI_DESK_HOME"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OSTANDARI_DESK_HOME", None)
        else:
            os.environ["OSTANDARI_DESK_HOME"] = before


class Desk:
    """A desk's database file, its data folder and an admin's unit of work (opened on demand)."""

    def __init__(self, name: str, folder: Path, county: str | None):
        self.name, self.county = name, county
        self.path = folder / f"{name}.sqlite3"
        self.home = folder / f"{name}-home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.engine: Any = None

    def open(self):
        from ostandari_desk.domain.roles import Actor, Role
        from ostandari_desk.store.engine import sqlite_url
        from ostandari_desk.store.schema import open_database
        from ostandari_desk.store.uow import UnitOfWork

        self.engine = open_database(sqlite_url(self.path))
        return UnitOfWork(
            self.engine, Actor(username=f"{self.name}-admin", full_name="مدیر", role=Role.ADMIN)
        )

    def close(self) -> None:
        if self.engine is not None:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.engine.dispose()
            self.engine = None

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.timed_call(fn, *args, **kwargs)[0]

    def timed_call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
        """``fn(uow, ...)`` in this desk's folder, its wall seconds and its CPU seconds (opening the database
        not counted): on a shared machine the CPU seconds say what the wall would be on an idle one."""
        uow = self.open()
        try:
            with _home(self.home):
                started, cpu = time.perf_counter(), time.process_time()
                result = fn(uow, *args, **kwargs)
                return result, time.perf_counter() - started, time.process_time() - cpu
        finally:
            self.close()


def _initialized(desk: Desk) -> None:
    from ostandari_desk.services import setup

    desk.call(lambda uow: setup.initialize(uow, PROVINCE, county=desk.county))


def _register(province: Desk, county: Desk, folder: Path) -> None:
    from ostandari_desk.services.exchange import desks

    for here, there in ((province, county), (county, province)):
        identity = folder / f"{there.name}.identity"
        there.call(desks.write_identity, identity)
        peer = desks.read_identity(identity)
        here.call(lambda uow, peer=peer: desks.register_desk(uow, peer))


# --- a county's year, written below the services ----------------------------------------------------------


def _fill_county(desk: Desk, seed: int = 10) -> dict[str, int]:
    """The county's year of records (Core bulk inserts in one transaction); {table: rows}."""
    from sqlalchemy import insert, select

    from ostandari_desk.domain import text
    from ostandari_desk.domain.ids import make_legal_national_id, make_national_code
    from ostandari_desk.domain.jalali import to_jalali
    from ostandari_desk.store import models as m
    from ostandari_desk.store.models import new_id

    rng = random.Random(seed)
    desk.open()
    moment = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    stamps = {"created_at": moment, "updated_at": moment, "row_version": 1}
    first = date(2024, 3, 20)  # 1403/01/01
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, **values: Any) -> str:
        row_id = values.pop("id", None) or new_id()
        rows.setdefault(table, []).append({"id": row_id, **stamps, **values})
        return row_id

    with desk.engine.begin() as conn:
        county_id = conn.execute(select(m.County.id).where(m.County.name == COUNTY)).scalar_one()
        fields = list(
            conn.execute(select(m.ReferenceItem.id).where(m.ReferenceItem.kind == "field")).scalars()
        )
        categories = list(
            conn.execute(
                select(m.ReferenceItem.id).where(m.ReferenceItem.kind == "centre_category")
            ).scalars()
        )
        links: list[dict[str, str]] = []
        for n in range(NGOS):
            name = f"انجمن شماره {n} آبیک"
            day = first + timedelta(days=rng.randrange(300))
            ngo = add(
                "ngo",
                county_id=county_id,
                seq=n + 1,
                national_id=make_legal_national_id(str(1_060_000_000 + n)),
                name=name,
                name_key=text.normalize(name),
                name_sort=text.persian_sort_key(name),
                level="county",
                phone=f"028{rng.randrange(10**7, 10**8)}",
                ceo_name="مدیر نمونه",
                ceo_sort=text.persian_sort_key("مدیر نمونه"),
                licence_state="valid",
                search_text=text.normalize(f"{name} {n}"),
            )
            for k in range(BOARD):
                add(
                    "boardmember",
                    ngo_id=ngo,
                    full_name=f"عضو {k} انجمن {n}",
                    national_code=make_national_code(f"{100_000_000 + n * BOARD + k:09d}"),
                    role="ceo" if k == 0 else "member",
                )
            for field_id in rng.sample(fields, FIELDS):
                links.append({"ngo_id": ngo, "field_id": field_id})
            case = add(
                "licencecase",
                county_id=county_id,
                ngo_id=ngo,
                case_type="establishment",
                tracking_no=f"1403{n:06d}",
                received_on=day,
                state="closed",
                decision="approved",
                decided_on=day + timedelta(days=40),
            )
            for agency in AGENCIES:
                add(
                    "inquiry",
                    case_id=case,
                    agency=agency,
                    sent_on=day + timedelta(days=5),
                    due_on=day + timedelta(days=65),
                    answered_on=day + timedelta(days=20),
                    answer="favourable",
                )
            licence = add(
                "licence",
                county_id=county_id,
                ngo_id=ngo,
                case_id=case,
                number=f"{n}/1403",
                level="county",
                issued_on=day + timedelta(days=45),
                expires_on=day + timedelta(days=45 + 4 * 365),
                validity_years=4,
            )
            for k, kind in enumerate(STEP_KINDS):
                add(
                    "licencestep",
                    county_id=county_id,
                    ngo_id=ngo,
                    case_id=case,
                    licence_id=licence if kind == "issue" else None,
                    kind=kind,
                    on_date=day + timedelta(days=9 * k),
                    clerk="کارشناس نمونه",
                )
        centres = []
        for n in range(CENTRES):
            name = f"مرکز شماره {n}"
            centres.append(
                (
                    add(
                        "centre",
                        county_id=county_id,
                        code=f"AB-{n}",
                        category_id=categories[n % len(categories)],
                        name=name,
                        name_sort=text.persian_sort_key(name),
                        licensing_agency="اداره کل دامپزشکی",
                    ),
                    categories[n % len(categories)],
                )
            )
        for n in range(VISITS):
            centre, category = centres[n % CENTRES]
            day = first + timedelta(days=(n // CENTRES) * 7 + rng.randrange(7))
            jy, jm, _jd = to_jalali(day)
            bad = rng.random() < 0.5
            visit = add(
                "inspection",
                county_id=county_id,
                centre_id=centre,
                category_id=category,
                inspected_at=datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC),
                inspected_on=day,
                jalali_year=jy,
                jalali_month=jm,
                inspectors="بازرس یکم، بازرس دوم",
                score=60 if bad else 95,
                result="needs_fix" if bad else "good",
                correction_deadline=day + timedelta(days=30) if bad else None,
            )
            if bad:
                finding = add(
                    "finding", inspection_id=visit, text="نبود گواهی بهداشت کارکنان", severity="major"
                )
                add(
                    "correctiveaction",
                    finding_id=finding,
                    action="اخذ گواهی",
                    deadline=day + timedelta(days=30),
                )
        for table, batch in rows.items():
            model = m.SQLModel.metadata.tables[table]
            for start in range(0, len(batch), 20_000):
                conn.execute(insert(model), batch[start : start + 20_000])
        conn.execute(insert(m.NgoField.__table__), links)
    desk.close()
    counts = {table: len(batch) for table, batch in rows.items()}
    counts["ngofield"] = len(links)
    return counts


def _floor_read(path: Path, tables: list[str]) -> Callable[[], object]:
    """The least an export can cost: every row of the exchanged tables read with plain SQL."""

    def read() -> object:
        conn = sqlite3.connect(path)
        try:
            return sum(len(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
        finally:
            conn.close()

    return read


def bench_exchange(folder: Path, runs: int) -> list[dict]:
    """The three timed cases (see the module docstring)."""
    from ostandari_desk.services.exchange import export, imports, tables
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    folder = folder / "exchange"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.sqlite3"
    open_database(sqlite_url(template)).dispose()
    province, county = Desk("province", folder, None), Desk("county", folder, COUNTY)
    for desk in (province, county):
        shutil.copy(template, desk.path)
        _initialized(desk)
    _register(province, county, folder)
    built = time.perf_counter()
    counts = _fill_county(county)
    print(
        f"  county desk: {sum(counts.values()):,} rows ({counts['ngo']:,} NGOs, {counts['inspection']:,} visits) "
        f"in {time.perf_counter() - built:.1f} s",
        flush=True,
    )
    pristine = folder / "province-pristine.sqlite3"
    shutil.copy(province.path, pristine)

    export_runs, export_cpu, files, records = [], [], [], 0
    for n in range(max(1, min(runs, 3))):
        out = folder / f"county-{n + 1}.oex"
        result, seconds, cpu = county.timed_call(export.export_changes, out)
        export_runs.append(seconds)
        export_cpu.append(cpu)
        files.append(out)
        records = result.records
    names = [spec.name for spec in tables.EXCHANGED] + ["ngofield", "eventngo"]
    floor = _floor_read(county.path, names)
    floor()
    floor_runs = []
    for _ in export_runs:
        started = time.perf_counter()
        floor()
        floor_runs.append(time.perf_counter() - started)
    size_mb = files[0].stat().st_size / 1e6

    import_runs, import_cpu, reimport_runs, applied, again = [], [], [], 0, None
    for _ in range(max(1, min(runs, 2))):
        shutil.copy(pristine, province.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{province.path}{suffix}").unlink(missing_ok=True)
        taken, seconds, cpu = province.timed_call(imports.import_file, files[0])
        import_runs.append(seconds)
        import_cpu.append(cpu)
        applied = taken.applied
        again, seconds, _cpu = province.timed_call(imports.import_file, files[0])
        reimport_runs.append(seconds)

    rows = [
        case_row("exchange/export", export_runs, floor_runs, EXPORT_S, TARGETS["export"]),
        case_row("exchange/import", import_runs, None, IMPORT_S, TARGETS["import"]),
        case_row("exchange/reimport", reimport_runs, None, REIMPORT_S, TARGETS["reimport"]),
    ]
    rows[0].update(records=records, file_mb=round(size_mb, 1), rows=counts, cpu_s=export_cpu)
    rows[1].update(applied=applied, ok=rows[1]["ok"] and applied == records, cpu_s=import_cpu)
    added = 0 if again is None else again.applied
    rows[2].update(already_received=bool(again and again.already_received), added=added)
    rows[2]["ok"] = rows[2]["ok"] and added == 0
    print(
        f"  {records:,} records, {size_mb:.1f} MB; CPU seconds: export {min(export_cpu):.2f}, "
        f"import {min(import_cpu):.2f} (wall beyond them is waiting for a CPU or the disk)",
        flush=True,
    )
    return rows
