"""Benchmark cases of memoranda and credits on the large demo (issue 9): ``python tests/bench/bench_memoranda.py DB [runs]``.

The large demo holds 100,000 memoranda and about 500,000 payments. Each case beside its FLOOR, measured in
the same run on the same file:

- ``memoranda/first_page``: ``services.memoranda.memoranda.list_memorandum_page`` (no filter, newest signed
  first, 200 rows, each with its paid sum, latest progress and overdue flag). Floor: raw sqlite3
  ``SELECT … FROM memorandum ORDER BY signed_on DESC, id DESC LIMIT 200`` (the bare rows, no sums).
  Target ≤ 20 ms.
- ``credits/<year>``: ``services.memoranda.credits.credits_by_county`` for the last complete Jalali year
  (the busiest). Floor: the bare grouped count and sum of the year's memoranda by county and party kind over
  ``ix_memorandum_signed_county`` (no paid sums, no progress). Target ≤ 100 ms.
- ``report/credits_province``: ``report credits`` for that year and the whole province
  (``reports.papers.make_paper``). Floor: the bare grouped count plus ReportLab drawing an empty page.
  Target ≤ 1 s. "not available" while the registry has no such report (or its modules are missing).

The cases only read: they run on ``DB`` itself.
"""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from datetime import date
from pathlib import Path

from timing import case_row, timed, unavailable

PAGE_TARGET_S = 0.02
CREDITS_TARGET_S = 0.1
REPORT_TARGET_S = 1.0
PAGE = 200

FLOOR_PAGE = (
    "SELECT id, number, title, party_kind, county_id, ngo_id, amount, signed_on, ends_on, state "
    f"FROM memorandum ORDER BY signed_on DESC, id DESC LIMIT {PAGE}"
)
FLOOR_CREDITS = (
    "SELECT county_id, party_kind, count(*), sum(amount) FROM memorandum "
    "WHERE signed_on BETWEEN ? AND ? GROUP BY county_id, party_kind"
)


def _page_case(engine, conn: sqlite3.Connection, runs: int, today: date) -> dict:
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.store.uow import UnitOfWork

    try:
        from ostandari_desk.services.memoranda.memoranda import MemorandumFilter, list_memorandum_page
    except ImportError as exc:
        return unavailable("memoranda/first_page", f"the list is not there yet ({exc})")
    n = max(10, runs * 4)
    floor = timed(lambda: conn.execute(FLOOR_PAGE).fetchall(), n)
    flt = MemorandumFilter(today=today)
    case = timed(lambda: list_memorandum_page(UnitOfWork(engine, SYSTEM), flt, "signed_on", True, 0, PAGE), n)
    row = case_row("memoranda/first_page", case, floor, PAGE_TARGET_S, "≤ 20 ms")
    row["memoranda"] = conn.execute("SELECT count(*) FROM memorandum").fetchone()[0]
    row["payments"] = conn.execute("SELECT count(*) FROM payment").fetchone()[0]
    return row


def _credits_case(engine, conn: sqlite3.Connection, runs: int, year: int) -> dict:
    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.store.uow import UnitOfWork

    try:
        from ostandari_desk.services.memoranda.credits import credits_by_county
    except ImportError as exc:
        return unavailable(f"credits/{year}", f"the credits view is not there yet ({exc})")
    first, last = (d.isoformat() for d in jalali.year_range(year))
    n = max(10, runs * 2)
    floor = timed(lambda: conn.execute(FLOOR_CREDITS, (first, last)).fetchall(), n)
    case = timed(lambda: credits_by_county(UnitOfWork(engine, SYSTEM), year), n)
    row = case_row(f"credits/{year}", case, floor, CREDITS_TARGET_S, "≤ 100 ms")
    row["memoranda_of_year"] = credits_by_county(UnitOfWork(engine, SYSTEM), year).total.memoranda
    return row


def _report_case(engine, conn: sqlite3.Connection, runs: int, year: int, today: date) -> dict:
    """``report credits --year Y`` for the whole province, as the command line makes it."""
    import importlib

    from ostandari_desk.reports import registry

    name = "report/credits_province"
    spec = getattr(registry, "REPORTS", {}).get("credits")
    if spec is None:
        return unavailable(name, "the report registry has no «credits» report yet")
    try:
        for target in (spec.gather, spec.paper):
            module, _, attr = target.partition(":")
            getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        return unavailable(name, f"its paper is not there yet ({exc})")
    from reportlab.pdfgen import canvas

    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.reports.papers import make_paper
    from ostandari_desk.store.uow import UnitOfWork

    def empty_page() -> None:
        c = canvas.Canvas(io.BytesIO())
        c.drawString(100, 100, "")
        c.showPage()
        c.save()

    request = registry.request_from_text(UnitOfWork(engine, SYSTEM), "credits", {"year": str(year)})

    def paper() -> None:
        make_paper(UnitOfWork(engine, SYSTEM), request, io.BytesIO(), printed_on=today)

    first, last = (d.isoformat() for d in jalali.year_range(year))
    paper()  # warm fonts and shaping once, as a running desk has them
    counted = timed(lambda: conn.execute(FLOOR_CREDITS, (first, last)).fetchall(), runs)
    drawn = timed(empty_page, runs)
    floor = [a + b for a, b in zip(counted, drawn, strict=True)]
    case = timed(paper, runs, warm=0)
    return case_row(name, case, floor, REPORT_TARGET_S, "≤ 1 s")


def bench_memoranda(db: Path, runs: int, today: date | None = None) -> list[dict]:
    """The memoranda list's first page, the year's credits by county and ``report credits`` on ``db``."""
    from ostandari_desk.domain import jalali
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    today = today or date.today()
    year = jalali.jalali_year_of(today) - 1  # the last complete year: the busiest
    results: list[dict] = []
    engine = open_database(sqlite_url(db))
    conn = sqlite3.connect(db)
    try:
        for name, case in (
            ("memoranda/first_page", lambda: _page_case(engine, conn, runs, today)),
            (f"credits/{year}", lambda: _credits_case(engine, conn, runs, year)),
            ("report/credits_province", lambda: _report_case(engine, conn, runs, year, today)),
        ):
            try:
                results.append(case())
            except Exception as exc:  # noqa: BLE001 - one broken case must not hide the others
                import traceback

                traceback.print_exc()
                results.append(unavailable(name, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        engine.dispose()
    return results


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for row in bench_memoranda(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 5):
        print({k: v for k, v in row.items() if k not in ("runs", "floor_runs")})
    sys.stdout.flush()
    os._exit(0)
