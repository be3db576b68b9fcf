"""Benchmark cases of centres and inspections on the large demo (issue 8): ``python tests/bench/bench_inspections.py DB [runs]``.

Each case beside its FLOOR, measured in the same run on the same file:

- ``grid/<year>``: ``services.inspections.grid.coverage_grid`` of the last complete Jalali year and of this
  one. Floor: a bare ``SELECT count(*)`` over the same range of ``ix_inspection_county_period`` (every
  county, the year) through sqlite3. Target ≤ 100 ms.
- ``grid_gui/<year>``: the «پوشش ماهانه» page (ui/inspections/grid_page.py GridPage, offscreen, on a
  prepared QApplication as the app makes it) from ``load(year)`` to its ``grid_loaded`` signal: the service
  read on a pool thread and the tree filled. Floor: ``coverage_grid`` alone, in the same run. Target ≤ 300 ms.
  ``painted_median_s`` adds the first paint after the signal.
- ``centres/first_page``: ``list_centre_page`` (no filter, by name, 200 rows). Floor: raw sqlite3
  ``SELECT … FROM centre ORDER BY name_sort LIMIT 200``. Target ≤ 20 ms.
- ``visit/open_20_answers_5_photos``: ``get_visit`` of a visit answering a 20-item checklist, with its
  findings, actions and 5 photos. Floor: the same rows read by raw sqlite3 (the visit, its items,
  findings, actions, attachments, notes). Target ≤ 100 ms.
- ``report/inspections_province``: ``report inspections`` for the whole province, last (complete) year
  (``reports.papers.make_paper``). Floor: the bare count over the year's index range plus ReportLab
  drawing an empty page. Target ≤ 1 s. "not available"
  while the registry has no such report (or its paper module is missing).

The visit case writes (a checklist version of 20 items, the visit, 5 attachments), so every case runs on
a private copy of the large demo in a temporary folder beside it, with a private data folder
(OSTANDARI_DESK_HOME) for the attachments: the demo itself is left as it was.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

from timing import case_row, timed, unavailable

GRID_TARGET_S = 0.1
GRID_GUI_TARGET_S = 0.3
PAGE_TARGET_S = 0.02
VISIT_TARGET_S = 0.1
REPORT_TARGET_S = 1.0
PAGE = 200
ANSWERS = 20
PHOTOS = 5


def _png(n: int) -> bytes:
    """A small real PNG (64×64, grey level n), as a phone photo's thumbnail would be."""
    width = height = 64
    raw = b"".join(b"\x00" + bytes([(n * 40 + x) % 256]) * width for x in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (width).to_bytes(4, "big") + (height).to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- the cases ---------------------------------------------------------------------------------------


def _grid_cases(engine, db: Path, runs: int, today: date) -> list[dict]:
    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.inspections.grid import coverage_grid
    from ostandari_desk.store.uow import UnitOfWork

    this_year = jalali.jalali_year_of(today)
    conn = sqlite3.connect(db)
    try:
        counties = [c for (c,) in conn.execute("SELECT id FROM county")]
        marks = ", ".join("?" * len(counties))
        floor_sql = (
            "SELECT count(*) FROM inspection INDEXED BY ix_inspection_county_period "
            f"WHERE county_id IN ({marks}) AND jalali_year = ?"
        )
        results = []
        for year in (this_year - 1, this_year):
            visits = conn.execute(floor_sql, (*counties, year)).fetchone()[0]
            floor = timed(lambda y=year: conn.execute(floor_sql, (*counties, y)).fetchone(), runs)
            case = timed(lambda y=year: coverage_grid(UnitOfWork(engine, SYSTEM), y, today), runs)
            row = case_row(f"grid/{year}", case, floor, GRID_TARGET_S, "≤ 100 ms")
            row["visits"] = visits
            results.append(row)
        return results
    finally:
        conn.close()


def _grid_gui_cases(engine, runs: int, today: date) -> list[dict]:
    """GridPage's load(year) to grid_loaded, beside the service alone (the floor), for last year and this."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from ostandari_desk.app import application
    from ostandari_desk.domain import jalali
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.inspections.grid import coverage_grid
    from ostandari_desk.store.uow import UnitOfWork
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.inspections.grid_page import GridPage

    app = application()
    page = GridPage(AppContext(engine=engine, actor=SYSTEM))
    page.today = lambda: today
    page.resize(1280, 760)
    page.show()

    def until_loaded(start: Callable[[], None]) -> None:
        loop = QEventLoop()
        page.grid_loaded.connect(loop.quit)
        timer = QTimer(singleShot=True, interval=60_000)
        timer.timeout.connect(loop.quit)
        timer.start()
        start()
        loop.exec()
        page.grid_loaded.disconnect(loop.quit)
        if not timer.isActive():
            raise TimeoutError("the grid did not load within a minute")
        timer.stop()

    results = []
    try:
        until_loaded(lambda: None)  # the page's own first load (this year), as it opens
        this_year = jalali.jalali_year_of(today)
        for year in (this_year - 1, this_year):
            until_loaded(lambda y=year: page.load(y))  # warm: the year chosen once
            signalled, painted = [], []
            for _ in range(runs):
                started = time.perf_counter()
                until_loaded(lambda y=year: page.load(y))
                signalled.append(time.perf_counter() - started)
                page.tree.viewport().repaint()
                app.processEvents()
                painted.append(time.perf_counter() - started)
            floor = timed(lambda y=year: coverage_grid(UnitOfWork(engine, SYSTEM), y, today), runs)
            row = case_row(f"grid_gui/{year}", signalled, floor, GRID_GUI_TARGET_S, "≤ 300 ms")
            row["painted_median_s"] = statistics.median(painted)
            row["rows"] = page.model.rowCount()
            results.append(row)
    finally:
        page.close()
        page.deleteLater()
        app.processEvents()
    return results


def _centre_page_case(engine, db: Path, runs: int) -> dict:
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.inspections.centres import CentreFilter, list_centre_page
    from ostandari_desk.store.uow import UnitOfWork

    conn = sqlite3.connect(db)
    try:
        centres = conn.execute("SELECT count(*) FROM centre").fetchone()[0]
        floor = timed(
            lambda: conn.execute(
                "SELECT id, code, name, category_id, county_id, licensing_agency, operator, phone, active "
                f"FROM centre ORDER BY name_sort LIMIT {PAGE}"
            ).fetchall(),
            runs,
        )
        case = timed(
            lambda: list_centre_page(UnitOfWork(engine, SYSTEM), CentreFilter(), "name", False, 0, PAGE), runs
        )
    finally:
        conn.close()
    row = case_row("centres/first_page", case, floor, PAGE_TARGET_S, "≤ 20 ms")
    row["centres"] = centres
    return row


def _make_visit(engine, folder: Path, today: date) -> str:
    """A visit answering a checklist of 20 items (a new version of the first category's), with findings,
    actions and 5 photos; returns its id."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import attachments
    from ostandari_desk.services.inspections import templates, visits
    from ostandari_desk.store.uow import UnitOfWork

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, SYSTEM)

    conn = sqlite3.connect(folder / "copy.sqlite3")
    try:
        category_id, centre_id = conn.execute(
            "SELECT c.category_id, c.id FROM centre c JOIN checklisttemplate t ON t.category_id = c.category_id "
            "AND t.state = 'active' WHERE c.active ORDER BY c.id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    active = templates.active_template(uow(), category_id)
    specs = [i.to_spec() for i in active.items]
    n = 1
    while len(specs) < ANSWERS:
        specs.append(templates.ItemSpec("سنجش کارایی", f"بند افزوده {n} برای سنجش کارایی"))
        n += 1
    draft_id = templates.create_draft(uow(), category_id, from_template_id=active.id)
    draft = templates.get_template(uow(), draft_id)
    templates.save_draft(uow(), draft_id, draft.title, draft.pass_score, specs[:ANSWERS], draft.row_version)
    templates.activate_template(uow(), draft_id)
    items = templates.get_template(uow(), draft_id).items
    answers: dict[str, str] = {}
    for k, item in enumerate(items):
        if item.answer_type == "yes_no":
            answers[item.id] = "خیر" if k % 5 == 1 else "بله"
        elif item.answer_type == "score":
            answers[item.id] = str(item.max_score if k % 3 else 1)
        elif item.answer_type == "number":
            answers[item.id] = "4"
        else:
            answers[item.id] = "بازدید برای سنجش کارایی"
    on = today - timedelta(days=1)
    visit_id = visits.create_visit(
        uow(),
        visits.VisitInput(
            centre_id=centre_id,
            on=on,
            at=dtime(10, 30),
            announced=False,
            inspectors=("بازرس سنجش",),
            answers=answers,
            correction_deadline=on + timedelta(days=14),
            findings=(
                visits.FindingInput(
                    "یافته آزاد سنجش کارایی", "major", None, "رفع نقص", on + timedelta(days=7)
                ),
            ),
        ),
        today=today,
    )
    detail = visits.get_visit(uow(), visit_id)
    finding_ids = [f.id for f in detail.findings]
    for k in range(PHOTOS):
        photo = folder / f"photo-{k + 1}.png"
        photo.write_bytes(_png(k))
        finding = finding_ids[k % len(finding_ids)] if finding_ids and k % 2 else None
        attachments.add_attachment(uow(), attachments.INSPECTION, visit_id, photo, finding_id=finding)
    return visit_id


def _visit_floor(db: Path, visit_id: str) -> tuple[sqlite3.Connection, Callable[[], object]]:
    """The rows get_visit reads, by raw sqlite3: the visit, its centre, category, county and checklist
    version with its items, the findings with their actions (and referral letters), the attachments, the
    notes and the re-inspections."""
    conn = sqlite3.connect(db)

    def read() -> None:
        visit = conn.execute(
            "SELECT centre_id, category_id, county_id, template_id, answers FROM inspection WHERE id = ?",
            (visit_id,),
        ).fetchone()
        centre_id, category_id, county_id, template_id, _ = visit
        conn.execute("SELECT code, name, licensing_agency FROM centre WHERE id = ?", (centre_id,)).fetchone()
        conn.execute("SELECT name FROM referenceitem WHERE id = ?", (category_id,)).fetchone()
        conn.execute("SELECT name FROM county WHERE id = ?", (county_id,)).fetchone()
        conn.execute(
            "SELECT version, title, pass_score FROM checklisttemplate WHERE id = ?", (template_id,)
        ).fetchone()
        conn.execute(
            "SELECT * FROM checklistitem WHERE template_id = ? ORDER BY position, id", (template_id,)
        ).fetchall()
        findings = [
            r[0]
            for r in conn.execute(
                "SELECT id, item_id, text, severity FROM finding WHERE inspection_id = ? ORDER BY created_at, id",
                (visit_id,),
            ).fetchall()
        ]
        marks = ", ".join("?" * len(findings)) or "NULL"
        conn.execute(
            "SELECT a.*, l.number FROM correctiveaction a LEFT JOIN letter l ON l.id = a.referral_letter_id "
            f"WHERE a.finding_id IN ({marks}) ORDER BY a.created_at, a.id",
            findings,
        ).fetchall()
        conn.execute(
            "SELECT * FROM inspectionattachment WHERE inspection_id = ? ORDER BY created_at, id", (visit_id,)
        ).fetchall()
        conn.execute(
            "SELECT * FROM inspectionnote WHERE inspection_id = ? ORDER BY created_at, id", (visit_id,)
        ).fetchall()
        conn.execute(
            "SELECT id FROM inspection WHERE reinspection_of_id = ? ORDER BY inspected_at", (visit_id,)
        ).fetchall()

    return conn, read


def _visit_case(engine, db: Path, folder: Path, runs: int, today: date) -> dict:
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.inspections.visits import get_visit
    from ostandari_desk.store.uow import UnitOfWork

    visit_id = _make_visit(engine, folder, today)
    detail = get_visit(UnitOfWork(engine, SYSTEM), visit_id)
    answered = sum(1 for a in detail.answers if a.value is not None)
    photos = len(detail.attachments) + sum(len(f.attachments) for f in detail.findings)
    conn, floor_fn = _visit_floor(db, visit_id)
    try:
        floor = timed(floor_fn, runs * 4)
    finally:
        conn.close()
    case = timed(lambda: get_visit(UnitOfWork(engine, SYSTEM), visit_id), runs * 4)
    row = case_row("visit/open_20_answers_5_photos", case, floor, VISIT_TARGET_S, "≤ 100 ms")
    row.update(answers=answered, attachments=photos, findings=len(detail.findings))
    return row


def _report_case(engine, db: Path, runs: int, today: date) -> dict:
    """``report inspections`` for the whole province (this year), as the command line makes it."""
    import importlib

    from ostandari_desk.reports import registry

    spec = getattr(registry, "REPORTS", {}).get("inspections")
    if spec is None:
        return unavailable(
            "report/inspections_province", "the report registry has no «inspections» report yet"
        )
    try:
        for target in (spec.gather, spec.paper):
            importlib.import_module(target.partition(":")[0])
    except ImportError as exc:
        return unavailable("report/inspections_province", f"its paper is not there yet ({exc})")
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

    request = registry.request_from_text(
        UnitOfWork(engine, SYSTEM), "inspections", {"year": str(jalali.jalali_year_of(today) - 1)}
    )

    def paper() -> None:
        make_paper(UnitOfWork(engine, SYSTEM), request, io.BytesIO(), printed_on=today)

    conn = sqlite3.connect(db)
    try:
        counties = [c for (c,) in conn.execute("SELECT id FROM county")]
        count = (
            "SELECT count(*) FROM inspection INDEXED BY ix_inspection_county_period "
            f"WHERE county_id IN ({', '.join('?' * len(counties))}) AND jalali_year = ?"
        )
        year = request.year
        paper()  # warm fonts and shaping once, as a running desk has them
        counted = timed(lambda: conn.execute(count, (*counties, year)).fetchone(), runs)
    finally:
        conn.close()
    drawn = timed(empty_page, runs)
    floor = [a + b for a, b in zip(counted, drawn, strict=True)]
    case = timed(paper, runs, warm=0)
    return case_row("report/inspections_province", case, floor, REPORT_TARGET_S, "≤ 1 s")


def bench_inspections(db: Path, runs: int, today: date | None = None) -> list[dict]:
    """The grid, the centre list, opening a visit and the inspections report on a private copy of ``db``."""
    from ostandari_desk.services.session import open_desk

    today = today or date.today()
    results: list[dict] = []
    previous_home = os.environ.get("OSTANDARI_DESK_HOME")
    with tempfile.TemporaryDirectory(prefix="ostandari-bench-inspections-", dir=db.parent) as tmp:
        folder = Path(tmp)
        os.environ["OSTANDARI_DESK_HOME"] = str(folder / "home")
        copy = folder / "copy.sqlite3"
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(db, copy)
        engine = open_desk(copy)
        try:
            for name, case in (
                ("grid", lambda: _grid_cases(engine, copy, runs, today)),
                ("grid_gui", lambda: _grid_gui_cases(engine, runs, today)),
                ("centres/first_page", lambda: [_centre_page_case(engine, copy, runs)]),
                ("visit/open_20_answers_5_photos", lambda: [_visit_case(engine, copy, folder, runs, today)]),
                ("report/inspections_province", lambda: [_report_case(engine, copy, runs, today)]),
            ):
                try:
                    results.extend(case())
                except Exception as exc:  # noqa: BLE001 - one broken case must not hide the others
                    import traceback

                    traceback.print_exc()
                    results.append(unavailable(name, f"{type(exc).__name__}: {exc}"))
        finally:
            engine.dispose()
            if previous_home is None:
                os.environ.pop("OSTANDARI_DESK_HOME", None)
            else:
                os.environ["OSTANDARI_DESK_HOME"] = previous_home
    return results


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for row in bench_inspections(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 5):
        print({k: v for k, v in row.items() if k not in ("runs", "floor_runs")})
    sys.stdout.flush()
    os._exit(0)
