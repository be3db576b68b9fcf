"""The benchmark's cases on PostgreSQL, beside the SQLite figures: ``python tests/bench/run.py --pg URL``
(alone: ``python tests/bench/bench_postgres.py URL [runs]``).

``URL`` names a database on a PostgreSQL server (``postgresql://user@host:port/dbname``). It must hold the large
demo; when it holds no NGO yet, the large demo is built there first (``services.demo.build_demo``: COPY, the
indexes built once at the end) and the build is timed. Each case runs beside its FLOOR, measured in the same run
on the same server through a bare psycopg connection (no ORM, no unit of work), cases named ``pg/…``:

- ``pg/list_first_page/service``, ``pg/sort_name_desc/service``, ``pg/sort_county/service``: a page of 200
  NGOs (services.ngos.list_ngo_page). Floor: ``SELECT … FROM ngo ORDER BY name_sort LIMIT 200``. Target ≤ 20 ms.
- ``pg/search_as_you_type/service (count + page)``: per keystroke of what a clerk types (run.py's TYPED), the
  count and the first page, p95. Floor: the bare count over ``ngo_search`` and the first 200 matching seqs.
  Target: p95 ≤ 30 ms at 100,000 NGOs.
- ``pg/grid/<year>``: services.inspections.grid.coverage_grid of the last complete Jalali year and this one.
  Floor: a bare count of the year's visits. Target ≤ 100 ms.
- ``pg/report/annual_province``, ``pg/report/annual_county``: the annual comparison (services.annual) and its
  PDF. Floor: the same grouped counts (bench_reports._RAW) plus ReportLab drawing an empty page. Target ≤ 1 s.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

from timing import timed, unavailable

HERE = Path(__file__).resolve().parent
PAGE = 200
TYPED = ("انجمن حمایت", "علي رضايي", "۱۲۳۴")
PROVINCE = "قزوین"
FLOOR_COLUMNS = "id, name, national_id, registration_no, county_id, level, ceo_name, status, licence_state"


def _p95(xs: list[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(
    name: str, runs: list[float], floor: list[float], target_s: float, target: str, by_p95: bool = False
):
    stat = _p95 if by_p95 else statistics.median
    value, fl = stat(runs), stat(floor)
    return {
        "case": f"pg/{name}",
        "available": True,
        "median_s": statistics.median(runs),
        "p95_s": _p95(runs),
        "floor_s": fl,
        "ratio": value / fl if fl else None,
        "n": len(runs),
        "runs": runs,
        "floor_runs": floor,
        "target": target,
        "ok": value <= target_s,
    }


def _raw(url: str):
    """A bare psycopg connection (autocommit) to the database ``url`` names."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or None,
        port=parsed.port or 5432,
        user=parsed.username or None,
        password=parsed.password or None,
        dbname=parsed.database,
        autocommit=True,
    )


# --- the database ----------------------------------------------------------------------------------------


def ensure_large(url: str) -> dict:
    """The large demo in ``url``'s database: reused when it holds NGOs, else built there now (timed)."""
    from sqlalchemy import text

    from ostandari_desk.services.demo import build_demo
    from ostandari_desk.store.schema import open_database

    engine = open_database(url)
    try:
        with engine.connect() as conn:
            ngos = conn.execute(text("SELECT count(*) FROM ngo")).scalar()
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        if ngos:
            return {
                "case": "pg/build_large_demo",
                "available": True,
                "reused": f"{ngos:,} NGOs, {size / 1e6:.0f} MB",
            }
        last = [""]

        def progress(stage: str, done: int, total: int) -> None:
            if stage != last[0]:
                last[0] = stage
                print(f"  … {stage}", flush=True)

        cpu, wall = time.process_time(), time.perf_counter()
        summary = build_demo(engine, "large", province=PROVINCE, progress=progress)
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        return {
            "case": "pg/build_large_demo",
            "available": True,
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
            "build_demo_seconds": summary.seconds,
            "counts": summary.counts,
            "size_mb": round(size / 1e6),
        }
    finally:
        engine.dispose()


# --- list, sorts and search as you type ----------------------------------------------------------------


def _list_and_search(engine, raw, runs: int, typed: tuple[str, ...], page: int) -> list[dict]:
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.ngos import NgoFilter, count_ngos, list_ngo_page
    from ostandari_desk.store.adapters.postgresql import POSTGRESQL, SEARCH_COLUMN, SEARCH_TABLE
    from ostandari_desk.store.uow import UnitOfWork

    n = max(10, runs * 4)

    def floor_page(order: str) -> Callable[[], object]:
        sql = f"SELECT {FLOOR_COLUMNS} FROM ngo ORDER BY {order} LIMIT {page}"
        return lambda: raw.execute(sql).fetchall()

    def service_page(sort: str = "name", descending: bool = False) -> Callable[[], object]:
        def run() -> object:
            with UnitOfWork(engine, SYSTEM) as uow:
                return list_ngo_page(uow, NgoFilter(), sort=sort, descending=descending, limit=page)

        return run

    floor_first = timed(floor_page("name_sort, seq"), n)
    floor_desc = timed(floor_page("name_sort DESC, seq DESC"), n)
    results = [
        _row("list_first_page/service", timed(service_page(), n), floor_first, 0.020, "≤ 20 ms"),
        _row("sort_name_desc/service", timed(service_page(descending=True), n), floor_desc, 0.020, "≤ 20 ms"),
        _row("sort_county/service", timed(service_page("county"), n), floor_first, 0.020, "≤ 20 ms"),
    ]

    keystrokes = [t[:i] for t in typed for i in range(2, len(t) + 1) if t[:i].strip() == t[:i]]
    count_sql = f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_COLUMN} @@ %s::tsquery"
    seqs_sql = f"SELECT seq FROM {SEARCH_TABLE} WHERE {SEARCH_COLUMN} @@ %s::tsquery LIMIT {page}"

    def floor_key(prefix: str) -> None:
        match = POSTGRESQL.ngo_match(prefix)
        raw.execute(count_sql, (match,)).fetchone()
        raw.execute(seqs_sql, (match,)).fetchall()

    def service_key(prefix: str) -> None:
        with UnitOfWork(engine, SYSTEM) as uow:
            flt = NgoFilter(text=prefix)
            count_ngos(uow, flt)
            list_ngo_page(uow, flt, limit=page)

    for key in keystrokes:  # warm the server's cache once, as a desk in use has it
        service_key(key)
    floor_s, service_s, per_key = [], [], {}
    for _ in range(max(1, runs)):
        for key in keystrokes:
            floor_s.append(timed(lambda key=key: floor_key(key), 1, warm=0)[0])
            t = timed(lambda key=key: service_key(key), 1, warm=0)[0]
            service_s.append(t)
            per_key.setdefault(key, []).append(t)
    row = _row(
        "search_as_you_type/service (count + page)", service_s, floor_s, 0.030, "p95 ≤ 30 ms", by_p95=True
    )
    row["slowest_keys"] = sorted(
        ((k, statistics.median(v)) for k, v in per_key.items()), key=lambda kv: -kv[1]
    )[:3]
    with UnitOfWork(engine, SYSTEM) as uow:
        row["matches"] = {k: count_ngos(uow, NgoFilter(text=k)) for k in typed}
    results.append(row)
    return results


# --- the inspections grid ----------------------------------------------------------------------------------


def _grid(engine, raw, runs: int, today: date) -> list[dict]:
    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.inspections.grid import coverage_grid
    from ostandari_desk.store.uow import UnitOfWork

    this_year = jalali.jalali_year_of(today)
    counties = [c for (c,) in raw.execute("SELECT id FROM county").fetchall()]
    floor_sql = "SELECT count(*) FROM inspection WHERE county_id = ANY(%s) AND jalali_year = %s"
    results = []
    for year in (this_year - 1, this_year):
        visits = raw.execute(floor_sql, (counties, year)).fetchone()[0]
        floor = timed(lambda y=year: raw.execute(floor_sql, (counties, y)).fetchone(), runs)
        case = timed(lambda y=year: coverage_grid(UnitOfWork(engine, SYSTEM), y, today), runs)
        row = _row(f"grid/{year}", case, floor, 0.100, "≤ 100 ms")
        row["visits"] = visits
        results.append(row)
    return results


# --- the annual report -------------------------------------------------------------------------------------


def _annual(engine, raw, runs: int) -> list[dict]:
    from bench_reports import _RAW, _empty_page

    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.reports.annual import build_annual_report
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.services import reference
    from ostandari_desk.services.annual import annual_comparison
    from ostandari_desk.store.uow import UnitOfWork

    last = raw.execute("SELECT max(on_date) FROM licencestep").fetchone()[0]
    year = (jalali.jalali_year_of(last) if last else jalali.today_jalali_year()) - 1  # the last complete year
    county = reference.list_counties(UnitOfWork(engine, SYSTEM))[0].id
    letterhead = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری")
    l0, l1 = jalali.year_range(year - 1)
    t0, t1 = jalali.year_range(year)
    params = {"l0": l0, "l1": l1, "t0": t0, "t1": t1}
    counts = [re.sub(r":(\w+)", r"%(\1)s", sql) for sql in _RAW]

    def raw_counts() -> None:
        for sql in counts:
            raw.execute(sql, params).fetchall()

    def annual(county_id: str | None = None) -> None:
        data = annual_comparison(UnitOfWork(engine, SYSTEM), year, county_id)
        build_annual_report(data, letterhead, "۱۴۰۵/۰۱/۰۱", io.BytesIO())

    annual()  # fonts and shaping warm once, as a running desk has them
    empty = timed(_empty_page, runs)
    floor = [a + b for a, b in zip(timed(raw_counts, runs), empty, strict=True)]
    return [
        _row("report/annual_province", timed(annual, runs, warm=0), floor, 1.0, "≤ 1 s"),
        _row("report/annual_county", timed(lambda: annual(county), runs, warm=0), floor, 1.0, "≤ 1 s"),
    ]


# --- all of them -------------------------------------------------------------------------------------------


def bench_postgres(
    url: str, runs: int, typed: tuple[str, ...] = TYPED, page: int = PAGE, today: date | None = None
) -> list[dict]:
    """Every PostgreSQL case on ``url``'s database (the large demo built there first when it holds no NGO)."""
    from ostandari_desk.store.schema import open_database

    results = [ensure_large(url)]
    engine = open_database(url)
    raw = _raw(url)
    try:
        version = raw.execute("SHOW server_version").fetchone()[0]
        results[0]["server_version"] = version
        for name, case in (
            ("pg/list_and_search", lambda: _list_and_search(engine, raw, runs, typed, page)),
            ("pg/grid", lambda: _grid(engine, raw, runs, today or date.today())),
            ("pg/report", lambda: _annual(engine, raw, runs)),
        ):
            try:
                results.extend(case())
            except Exception as exc:  # noqa: BLE001 - one broken case must not hide the others
                traceback.print_exc()
                results.append(unavailable(name, f"{type(exc).__name__}: {exc}"))
    finally:
        raw.close()
        engine.dispose()
    return results


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.path.insert(0, str(HERE))
    for result in bench_postgres(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5):
        print({k: v for k, v in result.items() if k not in ("runs", "floor_runs")})
    sys.stdout.flush()
    os._exit(0)
