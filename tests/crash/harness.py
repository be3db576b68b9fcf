"""Kill a real desk process at a random point of a write, then check what it left behind.

An ``Operation`` makes its starting state once (a template folder), copies it for every kill point, runs
``driver.py`` on the copy and sends SIGKILL a random delay after the driver says ``WORK`` (the delay is
drawn from the span an uninterrupted run of the same work took: ``calibrate``). ``check`` then looks at
the files the way a clerk's next start would, and lists every problem:

- the database opens (``services.session.open_desk``) and is healthy: ``integrity_check`` ok,
  ``foreign_key_check`` empty, the full-text index matches the NGO table row for row with its three
  triggers in place, and an NGO committed now is found by a search;
- the data committed before the kill is all there;
- the interrupted work is wholly absent or wholly present (an import adds 0 or N NGOs; an upgrade is at
  the old revision or at head, every row kept; ``init`` and the demo can be run again and then match an
  uninterrupted run table for table).

The checks read the files directly (sqlite3) rather than through ``ostandari-desk check``.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crash.driver import cli_argv

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.py")
TESTS = ROOT / "tests"

ADMIN, ADMIN_PASSWORD = "boss", "boss-secret-1"
FTS_TRIGGERS = ("ngo_fts_insert", "ngo_fts_update", "ngo_fts_delete")
PROBE_WORD = "سیمرغ"  # no sheet, demo or baseline NGO uses it: a search for it finds only the probes
BASELINE_NGOS = 40
IMPORT_ROWS = 3_000
UPGRADE_NGOS = 5_000
START_TIMEOUT = 60.0
_probe_ids = itertools.count(2_098_000_000)
_sheet_ids = itertools.count(2_097_000_000)


# --- running and killing ---------------------------------------------------------------------------


@dataclass
class Run:
    """What one driver run did: its markers, exit status and how long the work took."""

    lines: list[str]
    returncode: int | None
    killed: bool
    work_seconds: float | None  # WORK -> DONE, when both were seen
    stderr: str

    @property
    def started(self) -> bool:
        return "WORK" in self.lines

    @property
    def done(self) -> bool:
        return "DONE" in self.lines

    def marked(self, prefix: str) -> str | None:
        for line in self.lines:
            if line.startswith(prefix + " "):
                return line[len(prefix) + 1 :]
        return None


_DESK_VARIABLES = (
    "OSTANDARI_DESK_HOME",
    "OSTANDARI_DESK_USER",
    "OSTANDARI_DESK_PASSWORD",
    "OSTANDARI_DESK_NEW_PASSWORD",
)


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DESK_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["OSTANDARI_DESK_HOME"] = str(home)
    env.update(extra)
    return env


def run_cli_here(argv: list[str], home: Path, **extra: str) -> tuple[int, str]:
    """The CLI run again in this process, the way a clerk would after the crash: (exit status, stderr)."""
    from ostandari_desk.cli import main

    saved = {k: os.environ.pop(k, None) for k in _DESK_VARIABLES}
    os.environ.update({"OSTANDARI_DESK_HOME": str(home), **extra})
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(argv)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    return status, err.getvalue()


def run_driver(
    args: list[str], cwd: Path, env: dict[str, str], kill_after: float | None = None, timeout: float = 300
) -> Run:
    """Run ``driver.py args``; with ``kill_after``, SIGKILL it that many seconds after its ``WORK``."""
    err_path = cwd / f"driver-{time.monotonic_ns()}.err"
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(DRIVER), *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            encoding="utf-8",
        )
        lines: list[str] = []
        stamps: dict[str, float] = {}
        work = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.rstrip("\n")
                lines.append(line)
                stamps.setdefault(line, time.perf_counter())
                if line == "WORK":
                    work.set()
            work.set()  # the pipe closed: the process is gone

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        killed = False
        if kill_after is not None and work.wait(START_TIMEOUT) and proc.poll() is None and "WORK" in stamps:
            deadline = stamps["WORK"] + kill_after
            while proc.poll() is None and time.perf_counter() < deadline:
                time.sleep(min(0.002, max(0.0, deadline - time.perf_counter())))
            if proc.poll() is None:
                proc.kill()  # SIGKILL (TerminateProcess on Windows): no handler, no clean-up
                killed = True
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(10)
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    err_path.unlink()
    seconds = stamps["DONE"] - stamps["WORK"] if "DONE" in stamps and "WORK" in stamps else None
    return Run(lines, proc.returncode, killed, seconds, stderr)


# --- reading a database file -----------------------------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=10)


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table (the full-text index's own tables and SQLite's left out)."""
    con = connect(path)
    try:
        names = [
            n
            for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not n.startswith(("sqlite_", "ngo_fts"))
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def revision(path: Path) -> str | None:
    con = connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        con.close()


def national_ids(path: Path) -> set[str]:
    con = connect(path)
    try:
        return {n for (n,) in con.execute("SELECT national_id FROM ngo")}
    except sqlite3.OperationalError:  # no ngo table: nothing of the kind is there
        return set()
    finally:
        con.close()


def file_health(path: Path) -> list[str]:
    """integrity_check, foreign_key_check and the full-text index against the NGO table, read directly."""
    if not path.exists():
        return ["the database file is missing"]
    problems: list[str] = []
    con = connect(path)
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.append(f"integrity_check: {'; '.join(result[:3])}")
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            problems.append(f"foreign_key_check: {len(broken)} broken links, e.g. {broken[0]}")
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
        if "ngo" in names:
            missing = [t for t in FTS_TRIGGERS if t not in names]
            if missing:
                problems.append(f"full-text trigger missing: {', '.join(missing)}")
            if "ngo_fts" not in names:
                problems.append("full-text table ngo_fts missing")
            else:
                ngos = con.execute("SELECT count(*) FROM ngo").fetchone()[0]
                indexed = con.execute("SELECT count(*) FROM ngo_fts").fetchone()[0]
                stale = con.execute(
                    "SELECT count(*) FROM ngo LEFT JOIN ngo_fts f ON f.rowid = ngo.seq "
                    "WHERE f.rowid IS NULL OR f.search_text IS NOT ngo.search_text"
                ).fetchone()[0]
                if indexed != ngos or stale:
                    problems.append(
                        f"full-text index: {indexed} entries for {ngos} NGOs ({stale} missing or stale)"
                    )
                con.execute("INSERT INTO ngo_fts(ngo_fts) VALUES ('integrity-check')")
                con.rollback()
    except sqlite3.DatabaseError as exc:
        problems.append(f"unreadable: {exc}")
    finally:
        con.close()
    return problems


def app_health(path: Path) -> list[str]:
    """The desk opens the file, commits an NGO and finds it by a search (the full-text trigger works)."""
    from ostandari_desk.domain.ids import make_legal_national_id
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.ngos import NgoFilter, NgoInput, count_ngos, create_ngo
    from ostandari_desk.services.session import open_desk, unit_of_work

    try:
        engine = open_desk(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return [f"does not open: {_first_line(exc)}"]
    try:
        before = count_ngos(unit_of_work(engine, SYSTEM), NgoFilter(text=PROBE_WORD))
        data = NgoInput(
            national_id=make_legal_national_id(str(next(_probe_ids))),
            name=f"انجمن {PROBE_WORD} بازیابی",
            county_id=None,
            level="province",
        )
        create_ngo(unit_of_work(engine, SYSTEM), data, [])
        after = count_ngos(unit_of_work(engine, SYSTEM), NgoFilter(text=PROBE_WORD))
    except Exception as exc:  # noqa: BLE001
        return [f"a new NGO cannot be saved and searched: {_first_line(exc)}"]
    finally:
        engine.dispose()
    return [] if after == before + 1 else [f"a just-saved NGO is not found by a search ({before} -> {after})"]


def health(path: Path) -> list[str]:
    problems = file_health(path)
    return problems or app_health(path)


# --- operations ------------------------------------------------------------------------------------


@dataclass
class Case:
    """One kill point's private folder: the database and whatever the operation needs beside it."""

    folder: Path
    db: Path
    home: Path


@dataclass
class Outcome:
    operation: str
    seed: int
    delay: float
    landed: str  # "mid" (killed during the work) or "after" (the work had finished)
    problems: list[str]
    span: float = 0.0  # how long the uninterrupted work took
    notes: list[str] = field(default_factory=list)  # figures that are not failures (leftover copies)


class Operation:
    """A write of the desk under test; subclasses make the start, the driver arguments and the checks."""

    name = ""

    def __init__(self, root: Path):
        self.root = root
        self.template = root / "template"
        self.span: float | None = None
        self.reference: dict[str, object] = {}
        self._serial = itertools.count()
        self._made = False

    def prepare(self) -> None:
        """Make the template once."""
        if not self._made:
            self.make_template()
            self._made = True

    # starting state
    def make_template(self) -> None:
        self.template.mkdir(parents=True, exist_ok=True)

    def new_case(self) -> Case:
        folder = self.root / f"case-{next(self._serial):03d}"
        shutil.copytree(self.template, folder)
        home = folder / "home"
        home.mkdir(exist_ok=True)
        return Case(folder, folder / "desk.sqlite3", home)

    # the work
    def args(self, case: Case) -> list[str]:
        raise NotImplementedError

    def credentials(self) -> dict[str, str]:
        return {}

    def run(self, case: Case, kill_after: float | None = None) -> Run:
        env = child_env(case.home, **self.credentials())
        return run_driver(self.args(case), case.folder, env, kill_after)

    def rerun(self, case: Case, what: str) -> list[str]:
        """Run the command again after the crash (in this process); a problem if it fails."""
        op, db, *extra = self.args(case)
        argv = cli_argv(op, Path(db), extra)
        assert argv is not None, f"{self.name} is not a CLI command"
        status, err = run_cli_here(argv, case.home, **self.credentials())
        if status == 0:
            return []
        tail = err.strip().splitlines()[-1:] or [f"exit {status}"]
        return [f"{what} cannot be run again: {tail[0]}"]

    def calibrate(self) -> None:
        """One uninterrupted run: the span of the work and the state it ends in (the reference)."""
        self.prepare()
        case = self.new_case()
        run = self.run(case)
        assert run.done and run.returncode == 0, f"{self.name} did not finish:\n{run.stderr[-3000:]}"
        self.span = run.work_seconds
        self.remember(case, run)

    def remember(self, case: Case, run: Run) -> None:
        self.reference["counts"] = table_counts(case.db)

    def check(self, case: Case, run: Run) -> list[str]:
        raise NotImplementedError

    def kill_point(self, seed: int) -> Outcome:
        assert self.span is not None, "calibrate() first"
        delay = random.Random(seed).uniform(0.0, self.span)
        case = self.new_case()
        run = self.run(case, kill_after=delay)
        if not run.started:
            return Outcome(
                self.name,
                seed,
                delay,
                "none",
                [f"the driver never started:\n{run.stderr[-2000:]}"],
                self.span,
            )
        landed = "after" if run.done or not run.killed else "mid"
        try:
            problems = self.check(case, run)
        except Exception as exc:  # noqa: BLE001 - a check that cannot even run is a finding too
            problems = [f"check failed: {_first_line(exc)}"]
        notes = self.notes(case)
        if not problems:
            shutil.rmtree(case.folder, ignore_errors=True)
        return Outcome(self.name, seed, delay, landed, problems, self.span, notes)

    def notes(self, case: Case) -> list[str]:
        return []


_office: tuple[Path, set[str]] | None = None


def _make_office(db: Path) -> set[str]:
    """An initialized province with its first admin and BASELINE_NGOS NGOs; returns their national IDs.
    Made once per session, copied afterwards."""
    global _office
    if _office is not None and _office[0].exists():
        shutil.copy(_office[0], db)
        return set(_office[1])
    ids = _build_office(db)
    _office = (db.parent.parent / "office.sqlite3", ids)  # beside the template, not in it
    shutil.copy(db, _office[0])
    return set(ids)


def _build_office(db: Path) -> set[str]:
    from ostandari_desk.domain.ids import make_legal_national_id
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import setup, users
    from ostandari_desk.services.ngos import NgoInput, create_ngo
    from ostandari_desk.services.session import open_desk, unit_of_work

    engine = open_desk(db)
    try:
        setup.initialize(unit_of_work(engine, SYSTEM), "قزوین")
        users.create_first_admin(unit_of_work(engine, SYSTEM), ADMIN, "مدیر آزمون", ADMIN_PASSWORD)
        ids = set()
        for n in range(BASELINE_NGOS):
            nid = make_legal_national_id(str(2_096_000_000 + n))
            data = NgoInput(national_id=nid, name=f"انجمن پایه {n}", county_id=None, level="province")
            create_ngo(unit_of_work(engine, SYSTEM), data, [])
            ids.add(nid)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return ids


class ImportNgos(Operation):
    """``import_file`` of an NGO sheet of IMPORT_ROWS rows (the full-text trigger is set aside)."""

    name = "import"

    def make_template(self) -> None:
        super().make_template()
        if str(TESTS) not in sys.path:
            sys.path.insert(0, str(TESTS))
        from ngo_sheets import good_row, write_xlsx

        from ostandari_desk.domain.ids import make_legal_national_id

        self.reference["baseline"] = _make_office(self.template / "desk.sqlite3")
        rows = [good_row(n, make_legal_national_id(str(next(_sheet_ids)))) for n in range(IMPORT_ROWS)]
        self.reference["sheet"] = {row[0] for row in rows}
        self.reference["sheet_fields"] = sum(2 for n in range(IMPORT_ROWS) if n % 3 == 0)
        write_xlsx(self.template / "ngos.xlsx", rows)

    def args(self, case: Case) -> list[str]:
        return ["import", str(case.db), str(case.folder / "ngos.xlsx")]

    def check(self, case: Case, run: Run) -> list[str]:
        problems = file_health(case.db)
        if problems:
            return problems
        ids = national_ids(case.db)
        before = set(self.reference["baseline"]) | {run.marked("MARK")}
        sheet = set(self.reference["sheet"])
        if not before <= ids:
            problems.append(f"{len(before - ids)} NGOs committed before the import are gone")
        added = len(ids & sheet)
        if added not in (0, len(sheet)):
            problems.append(f"half an import: {added} of {len(sheet)} NGOs")
        elif run.done and added == 0:
            problems.append("the import reported done but its NGOs are absent")
        return problems or app_health(case.db)


class UpgradeOld(Operation):
    """``open_desk`` on a database at revision 0001 holding UPGRADE_NGOS NGOs with their children."""

    name = "upgrade"
    OLD = "0001"

    def make_template(self) -> None:
        super().make_template()
        self.reference["old_counts"] = make_old_database(self.template / "desk.sqlite3", UPGRADE_NGOS)

    def args(self, case: Case) -> list[str]:
        return ["upgrade", str(case.db)]

    def check(self, case: Case, run: Run) -> list[str]:
        from ostandari_desk.store.schema import HEAD_REVISION

        problems = file_health(case.db)
        if problems:
            return problems
        old_counts = dict(self.reference["old_counts"])
        found = revision(case.db)
        if found not in (self.OLD, HEAD_REVISION):
            problems.append(f"left between revisions: {found}")
        elif run.done and found != HEAD_REVISION:
            problems.append(f"the upgrade reported done but the file is at {found}")
        counts = table_counts(case.db)
        lost = {t: (n, counts.get(t)) for t, n in old_counts.items() if counts.get(t) != n}
        if lost:
            problems.append(f"rows changed by the interrupted upgrade: {lost}")
        if problems:
            return problems
        problems = app_health(case.db)  # opening it finishes the upgrade
        if problems:
            return problems
        if revision(case.db) != HEAD_REVISION:
            problems.append(f"reopened, the file is at {revision(case.db)}, not {HEAD_REVISION}")
        counts = table_counts(case.db)
        probe = {"ngo": 1, "auditentry": 1}  # the search probe and its audit entry
        lost = {t: (n, counts.get(t)) for t, n in old_counts.items() if counts.get(t) != n + probe.get(t, 0)}
        if lost:
            problems.append(f"rows changed by the upgrade: {lost}")
        con = connect(case.db)
        try:
            unsorted = con.execute(
                "SELECT count(*) FROM ngo WHERE ceo_sort = '' AND ceo_name != ''"
            ).fetchone()
        finally:
            con.close()
        if unsorted[0]:
            problems.append(f"{unsorted[0]} NGOs without their CEO sort key")
        return problems + file_health(case.db)

    def notes(self, case: Case) -> list[str]:
        """Before-upgrade copies left beside the file (one is expected; a retry should not add another)."""
        copies = sorted(case.folder.glob("desk.before-upgrade-*"))
        notes = [f"{len(copies)} before-upgrade copies"] if len(copies) > 1 else []
        for copy in copies:
            if file_health(copy):
                notes.append(f"a broken before-upgrade copy: {copy.name}")
        return notes


class InitDesk(Operation):
    """The CLI's ``init`` on a new file: migrations from nothing, the province, the first admin."""

    name = "init"

    def args(self, case: Case) -> list[str]:
        return ["init", str(case.db)]

    def credentials(self) -> dict[str, str]:
        return {"OSTANDARI_DESK_PASSWORD": ADMIN_PASSWORD}

    def check(self, case: Case, run: Run) -> list[str]:
        reference = self.reference["counts"]
        complete = case.db.exists() and not file_health(case.db) and table_counts(case.db) == reference
        if case.db.exists():
            problems = file_health(case.db)
            if problems:
                return problems
        if not complete:  # (complete: it committed just before the kill, and a rerun is rightly refused)
            failed = self.rerun(case, "init")
            if failed:
                return failed
        problems = file_health(case.db)
        if not problems and table_counts(case.db) != reference:
            problems.append(f"init left incomplete: {_diff(reference, table_counts(case.db))}")
        return problems or app_health(case.db)


class BuildDemo(Operation):
    """The CLI's ``demo --size small`` on a new file."""

    name = "demo"

    def args(self, case: Case) -> list[str]:
        return ["demo", str(case.db)]

    def leftovers(self, case: Case) -> list[Path]:
        """Files beside the database other than the database, finished safety copies and the harness's own."""
        keep = {case.db.name, "home", "ngos.xlsx"}
        return [
            p
            for p in case.folder.iterdir()
            if p.name not in keep and not p.name.startswith("driver-") and p not in safety_copies(case)
        ]

    def check(self, case: Case, run: Run) -> list[str]:
        reference = self.reference["counts"]
        problems: list[str] = []
        if case.db.exists():
            problems = file_health(case.db)
            if problems:
                return [f"after the kill: {p}" for p in problems]
            if table_counts(case.db) != reference:
                problems.append(f"a half demo under the real name: {_diff(reference, table_counts(case.db))}")
        if problems or not case.db.exists():
            failed = self.rerun(case, "the demo")
            if failed:
                return problems + failed
            if table_counts(case.db) != reference:
                problems.append(f"rebuilt, the demo differs: {_diff(reference, table_counts(case.db))}")
        stray = self.leftovers(case)
        if stray:
            problems.append(f"files left beside the database: {sorted(p.name for p in stray)}")
        return problems or health(case.db)


class ReplaceDemo(BuildDemo):
    """``demo --replace`` over an office database whose last edits are still in its WAL (the window that
    saved them was killed): the old database must stay whole, or be set aside whole, edits and all."""

    name = "demo-replace"

    def make_template(self) -> None:
        Operation.make_template(self)
        db = self.template / "desk.sqlite3"
        self.reference["baseline"] = _make_office(db)
        self.reference["edits"] = leave_edits_in_wal(db, WAL_EDITS)

    def args(self, case: Case) -> list[str]:
        return ["demo", str(case.db), "--replace"]

    def credentials(self) -> dict[str, str]:
        return {"OSTANDARI_DESK_USER": ADMIN, "OSTANDARI_DESK_PASSWORD": ADMIN_PASSWORD}

    def old_data(self, path: Path) -> list[str]:
        """What the old database must still hold: every NGO and every edit that was in its WAL."""
        problems = file_health(path)
        if problems:
            return problems
        if not set(self.reference["baseline"]) <= national_ids(path):
            return ["NGOs of the old database are missing"]
        if addresses(path) != self.reference["edits"]:
            return ["edits of the old database (in its WAL) are missing"]
        return []

    def check(self, case: Case, run: Run) -> list[str]:
        problems = file_health(case.db)
        if problems:
            return [f"after the kill: {p}" for p in problems]
        copies = safety_copies(case)
        if set(self.reference["baseline"]) <= national_ids(case.db):  # the old database is still in place
            problems = self.old_data(case.db)
            if problems:
                return [f"the old database: {p}" for p in problems]
            failed = self.rerun(case, "demo --replace")
            if failed:
                return failed
            copies = safety_copies(case)
        counts = table_counts(case.db)
        if counts != self.reference["counts"]:
            problems.append(f"a half demo under the real name: {_diff(self.reference['counts'], counts)}")
        if len(copies) != 1:
            problems.append(f"{len(copies)} safety copies: {[c.name for c in copies]}")
        else:
            problems += [f"safety copy: {p}" for p in self.old_data(copies[0])]
        stray = [p for p in self.leftovers(case) if p not in copies]
        if stray:
            problems.append(f"files left beside the database: {sorted(p.name for p in stray)}")
        return problems or health(case.db)


def safety_copies(case: Case) -> list[Path]:
    """Finished ``before-demo`` copies (a ``.partial`` one is a leftover)."""
    return sorted(case.folder.glob(f"{case.db.stem}.before-demo-*{case.db.suffix}"))


WAL_EDITS = 100
_EDIT_AND_DIE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_autocheckpoint=0")
for n, seq in enumerate(sys.argv[2].split(",")):
    conn.execute("UPDATE ngo SET address = ? WHERE seq = ?", (f"نشانی تازه {n}", int(seq)))
    conn.commit()
os._exit(0)
"""


def leave_edits_in_wal(db: Path, edits: int) -> dict[int, str]:
    """``edits`` saves committed by a process that then dies: they stay in the WAL, never checkpointed.
    Returns the addresses (by seq) they leave."""
    expected = addresses(db)  # read first: opening the file after the edits would checkpoint them
    seqs = sorted(expected)
    targets = [seqs[n % len(seqs)] for n in range(edits)]
    for n, seq in enumerate(targets):
        expected[seq] = f"نشانی تازه {n}"
    argv = [sys.executable, "-c", _EDIT_AND_DIE, str(db), ",".join(map(str, targets))]
    subprocess.run(argv, check=True, timeout=60)
    Path(f"{db}-shm").unlink(missing_ok=True)
    assert Path(f"{db}-wal").stat().st_size > 0
    return expected


def addresses(path: Path) -> dict[int, str]:
    con = connect(path)
    try:
        return dict(con.execute("SELECT seq, address FROM ngo"))
    finally:
        con.close()


OPERATIONS: dict[str, Callable[[Path], Operation]] = {
    "import": ImportNgos,
    "upgrade": UpgradeOld,
    "init": InitDesk,
    "demo": BuildDemo,
    "demo-replace": ReplaceDemo,
}


def _diff(want: dict[str, int], got: dict[str, int]) -> str:
    """Which tables differ from the reference, briefly: "18 tables differ (ngo 0 of 500, ...)"."""
    differ = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    shown = ", ".join(f"{t} {got.get(t, '-')} of {want.get(t, '-')}" for t in differ[:3])
    return f"{len(differ)} tables differ ({shown}{', ...' if len(differ) > 3 else ''})"


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


# --- an old database (revision 0001) with data -----------------------------------------------------


def make_old_database(path: Path, ngos: int) -> dict[str, int]:
    """A database migrated to 0001 (as store.schema did then), filled through plain SQL with ``ngos``
    NGOs, each with three board members, a licence case, a licence and two steps; returns row counts."""
    from alembic import command
    from alembic.config import Config

    from ostandari_desk.domain import text
    from ostandari_desk.store import schema
    from ostandari_desk.store.engine import make_engine, sqlite_url

    engine = make_engine(sqlite_url(path))
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.commit()
    engine.dispose()

    stamp = "2024-01-01 00:00:00.000000"
    rec = (stamp, stamp, 1)
    ceos = ["یاسر", "پرویز", "چنگیز", "آرش", "علي", "ژاله", "بهرام"]
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("INSERT INTO province VALUES ('p1', ?, ?, ?, 'قزوین')", rec)
    con.execute("INSERT INTO county VALUES ('c1', ?, ?, ?, 'p1', 'آبیک', 'ابیک', 1, 1)", rec)
    ngo_rows, board, cases, licences, steps = [], [], [], [], []
    for n in range(1, ngos + 1):
        ngo, name, ceo = f"n{n}", f"انجمن قدیمی شماره {n}", ceos[n % len(ceos)]
        ngo_rows.append(
            (
                ngo,
                *rec,
                n,
                f"{10_100_000_000 + n}",
                str(100 + n),
                name,
                text.normalize(name),
                text.persian_sort_key(name),
                ceo,
                f"{text.normalize(name)} {text.normalize(ceo)}",
            )
        )
        board += [
            (f"b{n}-{m}", *rec, ngo, f"عضو {m}", role) for m, role in enumerate(("ceo", "chair", "member"))
        ]
        cases.append((f"k{n}", *rec, ngo, f"T-{n}", "2023-01-01"))
        licences.append((f"l{n}", *rec, ngo, f"k{n}", f"L-{n}"))
        steps += [(f"s{n}{kind}", *rec, ngo, f"k{n}", f"l{n}", kind) for kind in ("request", "issue")]
    con.executemany(
        "INSERT INTO ngo (id, created_at, updated_at, row_version, county_id, seq, national_id, "
        "registration_no, name, name_key, name_sort, level, address, phone, ceo_name, ceo_national_code, "
        "status, licence_state, search_text) VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, ?, ?, ?, 'county', '', '', "
        "?, '', 'active', 'valid', ?)",
        ngo_rows,
    )
    con.executemany(
        "INSERT INTO boardmember VALUES (?, ?, ?, ?, ?, ?, '0012345678', ?, '', NULL, NULL)", board
    )
    con.executemany(
        "INSERT INTO licencecase (id, created_at, updated_at, row_version, county_id, ngo_id, case_type, "
        "tracking_no, received_on, state, legal_basis, note) "
        "VALUES (?, ?, ?, ?, 'c1', ?, 'establishment', ?, ?, 'closed', '', '')",
        cases,
    )
    con.executemany(
        "INSERT INTO licence (id, created_at, updated_at, row_version, county_id, ngo_id, case_id, number, "
        "level, issued_on, expires_on, validity_years, state) "
        "VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, 'county', '2023-02-01', '2026-02-01', 3, 'valid')",
        licences,
    )
    con.executemany(
        "INSERT INTO licencestep (id, created_at, updated_at, row_version, county_id, ngo_id, case_id, "
        "licence_id, kind, on_date, clerk, letter_no, legal_basis, reason, note) "
        "VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, ?, '2023-02-01', '', '', '', '', '')",
        steps,
    )
    con.execute(
        "INSERT INTO event (id, created_at, updated_at, row_version, county_id, kind, title, title_key, "
        "starts_on, attendees, training_hours, note) VALUES ('e1', ?, ?, ?, 'c1', 'course', 'پویش گروهی', "
        "'پویش گروهی', '2024-03-01', 0, 0, '')",
        rec,
    )
    con.execute("INSERT INTO eventngo VALUES ('e1', 'n1')")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return table_counts(path)


# --- figures ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Kills per operation, how many landed mid-work, and the failures found."""

    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]

    def lines(self) -> list[str]:
        out = []
        for name in dict.fromkeys(o.operation for o in self.outcomes):
            mine = [o for o in self.outcomes if o.operation == name]
            mid = sum(o.landed == "mid" for o in mine)
            bad = [o for o in mine if o.problems]
            span = mine[0].span
            out.append(f"{name}: work {span:.2f} s, {len(mine)} kills, {mid} mid-work, {len(bad)} failures")
            for o in bad:
                out.append(f"  seed {o.seed} ({o.landed}, {o.delay:.2f} s): {' | '.join(o.problems)[:400]}")
            notes = [n for o in mine for n in o.notes]
            for note in dict.fromkeys(notes):
                out.append(f"  note ({notes.count(note)}×): {note}")
        return out
