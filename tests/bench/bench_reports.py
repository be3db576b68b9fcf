"""Report timings against their floor: ``python tests/bench/bench_reports.py DB [runs]``.

``measure(db_path, runs=5)`` returns one dict per case: name, median_s, floor_s, ratio (median / floor).

- ``annual_province``: the province-wide annual comparison (services.annual) and its PDF with charts, in
  a running process (warm). Floor: the same grouped counts by raw SQL through sqlite3 on the same file,
  plus ReportLab drawing an empty page. Target ≤ 0.5 s on the large demo (100k NGOs, 1M inspections).
- ``annual_county``: the same for the first county (no dearer than the province).
- ``annual_process_province`` / ``annual_process_county``: the whole command, ``ostandari-desk report annual
  --year Y [--county NAME] --out F.pdf`` signed in as the demo's manager, from process start to its exit (a
  subprocess's wall time; each run adds the desk's own «login» and «report printed» audit entries, as any
  use of the command does), with its modules' bytecode kept as an installed desk has it (see
  ``_installed``). Target ≤ 1 s. Floor: what no such process can do without — a fresh
  interpreter importing the store's models (SQLAlchemy, SQLModel) and ReportLab's layout engine
  (``python -c "import ostandari_desk.store.models, reportlab.platypus"``), plus the same report made
  warm in a running process (the ``annual_…`` case above). Signing in (an argon2 verify, 0.15 s) is not in
  the floor: it runs beside the report's imports.
- ``table_20_pages``: the NGO register of 20 landscape pages (rows from services.reporting).
  Floor: ReportLab drawing an empty page. Target ≤ 0.7 s.

``copy_text(db_path)`` (``python tests/bench/bench_reports.py DB copy``) makes every registered paper
from the database (a record of each kind picked from it) and gives, per paper, the share of the text it
drew that poppler (pdftotext) and PDFium copy back whole and in order (tests/reports/pdftext.py).
Target ≥ 98% for both. Run it on the small demo (4 s): on the large one the register alone is every NGO's
row, thousands of pages, each line matched back (more than ten minutes).
"""

from __future__ import annotations

import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportlab.pdfgen import canvas

from ostandari_desk.domain import jalali

ROWS_FOR_20_PAGES = 20 * 27  # landscape register rows per page, about


def _timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _empty_page() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(100, 100, "")
    c.showPage()
    c.save()


_RAW = [
    (
        "SELECT kind, county_id, CASE WHEN on_date BETWEEN :t0 AND :t1 THEN 1 WHEN on_date BETWEEN :l0 AND :l1 "
        "THEN 0 END, COUNT(*) FROM licencestep WHERE kind IN ('conformity','issue','renewal','request',"
        "'revocation','suspension','upgrade','approval','rejection') AND on_date >= :l0 AND on_date <= :t1 "
        "GROUP BY 1, 2, 3"
    ),
    (
        "SELECT s.kind, COALESCE(c.case_type, 'establishment'), s.county_id, "
        "CASE WHEN s.on_date BETWEEN :t0 AND :t1 THEN 1 WHEN s.on_date BETWEEN :l0 AND :l1 THEN 0 END, COUNT(*) "
        "FROM licencestep s LEFT JOIN licencecase c ON c.id = s.case_id "
        "WHERE s.kind IN ('approval') AND s.on_date >= :l0 AND s.on_date <= :t1 GROUP BY 1, 2, 3, 4"
    ),
    (
        "SELECT CASE WHEN sent_on BETWEEN :t0 AND :t1 THEN 1 WHEN sent_on BETWEEN :l0 AND :l1 "
        "THEN 0 END, COUNT(*) FROM inquiry WHERE sent_on >= :l0 AND sent_on <= :t1 GROUP BY 1"
    ),
    (
        "SELECT kind, county_id, CASE WHEN starts_on BETWEEN :t0 AND :t1 THEN 1 WHEN starts_on BETWEEN :l0 AND :l1 "
        "THEN 0 END, COUNT(*), SUM(attendees), SUM(training_hours) FROM event "
        "WHERE kind IN ('conference','course','session') AND starts_on >= :l0 AND starts_on <= :t1 GROUP BY 1, 2, 3"
    ),
    (
        "SELECT kind, county_id, CASE WHEN dated_on BETWEEN :t0 AND :t1 THEN 1 WHEN dated_on BETWEEN :l0 AND :l1 "
        "THEN 0 END, COUNT(*) FROM letter WHERE kind IN ('punitive','support') "
        "AND dated_on >= :l0 AND dated_on <= :t1 GROUP BY 1, 2, 3"
    ),
    (
        "SELECT party_kind, county_id, CASE WHEN signed_on BETWEEN :t0 AND :t1 THEN 1 WHEN signed_on BETWEEN :l0 "
        "AND :l1 THEN 0 END, COUNT(*), SUM(amount) FROM memorandum "
        "WHERE signed_on >= :l0 AND signed_on <= :t1 GROUP BY 1, 2, 3"
    ),
]


def _raw_counts(db_path: str, year: int) -> None:
    l0, l1 = jalali.year_range(year - 1)
    t0, t1 = jalali.year_range(year)
    params = {"l0": l0.isoformat(), "l1": l1.isoformat(), "t0": t0.isoformat(), "t1": t1.isoformat()}
    conn = sqlite3.connect(db_path)
    try:
        for sql in _RAW:
            conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _busiest_year(db_path: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        last = conn.execute("SELECT MAX(on_date) FROM licencestep").fetchone()[0]
    finally:
        conn.close()
    if not last:
        return jalali.today_jalali_year()
    from datetime import date

    return jalali.jalali_year_of(date.fromisoformat(last)) - 1  # the last complete year


def measure(db_path: str | Path, runs: int = 5) -> list[dict]:
    """Median timings of the report cases and of their floors on the database file ``db_path``."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.reports.annual import build_annual_report
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.reports.register import build_register
    from ostandari_desk.services import reference, reporting
    from ostandari_desk.services.annual import annual_comparison
    from ostandari_desk.services.ngos import NgoFilter
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database
    from ostandari_desk.store.uow import UnitOfWork

    db_path = str(db_path)
    engine = open_database(sqlite_url(db_path))
    letterhead = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری")
    year = _busiest_year(db_path)
    county = reference.list_counties(UnitOfWork(engine, SYSTEM))[0]

    def annual(county_id=None) -> None:
        data = annual_comparison(UnitOfWork(engine, SYSTEM), year, county_id)
        build_annual_report(data, letterhead, "۱۴۰۵/۰۱/۰۱", io.BytesIO())

    register = reporting.register_data(UnitOfWork(engine, SYSTEM), NgoFilter())
    rows = reporting.RegisterData(register.filter_text, register.rows[:ROWS_FOR_20_PAGES])

    def table() -> None:
        build_register(rows, letterhead, "۱۴۰۵/۰۱/۰۱", io.BytesIO())

    annual()  # warm caches (fonts, shaping) once, as a running desk has them
    table()
    floor_empty = _timed(_empty_page, runs)
    floor_annual = _timed(lambda: _raw_counts(db_path, year), runs) + floor_empty
    timings = []
    for name, fn, floor in (
        ("annual_province", annual, floor_annual),
        ("annual_county", lambda: annual(county.id), floor_annual),
        ("table_20_pages", table, floor_empty),
    ):
        timings.append((name, _timed(fn, runs), floor))
    engine.dispose()
    warm = {name: median for name, median, _floor in timings}
    with tempfile.TemporaryDirectory(prefix="bench-bytecode-") as bytecode:
        env = _installed(bytecode)
        _run([sys.executable, "-c", _FLOOR_IMPORTS], env)  # compiled once, as an installed desk is
        imports = _timed(lambda: _run([sys.executable, "-c", _FLOOR_IMPORTS], env), runs)
        for name, options, report in (
            ("annual_process_province", [], "annual_province"),
            ("annual_process_county", ["--county", county.name], "annual_county"),
        ):
            _report_process(db_path, year, options, env)
            median = _timed(lambda o=options: _report_process(db_path, year, o, env), runs)
            timings.append((name, median, imports + warm[report]))
    return [
        {
            "name": name,
            "median_s": round(median, 4),
            "floor_s": round(floor, 4),
            "ratio": round(median / floor, 1) if floor else None,
        }
        for name, median, floor in timings
    ]


#: the floor's imports: the store's models (SQLAlchemy, SQLModel) and ReportLab's layout engine
_FLOOR_IMPORTS = "import ostandari_desk.store.models, reportlab.platypus"


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[-6:]} failed ({done.returncode}): {done.stderr[-500:]}")


def _installed(bytecode: str) -> dict[str, str]:
    """The environment of a command run as an installed desk runs: its modules' bytecode kept (in
    ``bytecode``; pip and the frozen build compile them once), which a source tree run with
    PYTHONDONTWRITEBYTECODE would compile again in every process (0.1–0.2 s); signed in as the demo's
    manager."""
    from ostandari_desk.services.demo import DEMO_PASSWORD, DEMO_USER

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "PYTHONPYCACHEPREFIX": bytecode,
        "OSTANDARI_DESK_USER": DEMO_USER,
        "OSTANDARI_DESK_PASSWORD": DEMO_PASSWORD,
    }


def _report_process(db_path: str, year: int, options: list[str], env: dict[str, str]) -> None:
    """``ostandari-desk report annual`` in a process of its own (``env``: _installed)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "annual.pdf"
        command = [sys.executable, "-m", "ostandari_desk", "--db", db_path, "report", "annual"]
        _run([*command, "--year", str(year), *options, "--out", str(out)], env)
        if not out.stat().st_size:
            raise RuntimeError("report annual wrote an empty file")


_PICK = {  # a request value per parameter key, read from the database (None: the paper's own default)
    "ngo_id": "SELECT ngo_id FROM licence ORDER BY issued_on DESC LIMIT 1",
    "centre_id": "SELECT centre_id FROM inspection ORDER BY inspected_on DESC LIMIT 1",
    "category_id": "SELECT category_id FROM centre LIMIT 1",
    "memorandum_id": "SELECT id FROM memorandum ORDER BY signed_on DESC LIMIT 1",
    "letter_id": "SELECT id FROM letter WHERE direction = 'outgoing' ORDER BY dated_on DESC LIMIT 1",
}


def copy_text(db_path: str | Path) -> list[dict]:
    """Per registered paper: how much of the text it drew poppler and PDFium copy back (0–100)."""
    from datetime import date

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
    from pdftext import copy_figures, drawn_lines

    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.reports.document import Letterhead
    from ostandari_desk.reports.registry import REPORTS, paper_data
    from ostandari_desk.services.reporting import ReportRequest
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database
    from ostandari_desk.store.uow import UnitOfWork

    db_path = str(db_path)
    engine = open_database(sqlite_url(db_path))
    conn = sqlite3.connect(db_path)
    try:
        picked = {key: (conn.execute(sql).fetchone() or (None,))[0] for key, sql in _PICK.items()}
        on = conn.execute(
            "SELECT MAX(inspected_on) FROM inspection WHERE centre_id = ?", (picked["centre_id"],)
        )
        picked["on"] = date.fromisoformat(on.fetchone()[0]) if picked["centre_id"] else None
    finally:
        conn.close()
    picked.update(year=_busiest_year(db_path), days=60, search="")
    letterhead = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری قزوین")
    rows = []
    for name, spec in REPORTS.items():
        request = ReportRequest(name, **{p.key: picked.get(p.key) for p in spec.params})
        try:
            paper = paper_data(UnitOfWork(engine, SYSTEM), request)
        except Exception as exc:  # noqa: BLE001 - a kind the database has no record of: said, not hidden
            rows.append({"name": name, "available": False, "reason": f"{type(exc).__name__}: {exc}"})
            continue
        out = io.BytesIO()
        with drawn_lines() as drawn:
            spec.builder()(paper.data, letterhead, "۱۴۰۵/۰۱/۰۱", out)
        figures = copy_figures(out.getvalue(), drawn)
        rows.append(
            {
                "name": name,
                "poppler_pct": round(100 * figures.poppler, 1),
                "pdfium_pct": round(100 * figures.pdfium, 1),
                "ok": min(figures.poppler, figures.pdfium) >= 0.98,
            }
        )
    engine.dispose()
    return rows


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    if len(sys.argv) > 2 and sys.argv[2] == "copy":
        for row in copy_text(sys.argv[1]):
            print(row)
        sys.exit(0)
    for row in measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5):
        print(row)
