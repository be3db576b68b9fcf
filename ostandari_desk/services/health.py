"""The health check (``ostandari-desk check``, «بررسی سلامت»): is the file sound, is what is derived in step.

Parts, in order: the database's own storage check (SQLite's ``integrity_check``), references between
records (``foreign_key_check``), the NGO search index against the NGO table (its adapter knows the index),
the visits' coverage table (``inspectioncoverage``, derived by triggers) against a GROUP BY over inspection,
memorandum's ``paid_total`` and ``latest_progress`` (derived by triggers) against its payments and progress,
the stored Persian sort keys (``name_sort``, ``ceo_sort``, ``title_sort`` = ``persian_sort_key`` of their
text), each attachment's file (of every kind in services/attachments.py) against its SHA-256, and the schema revision. ``repair=True`` then
rebuilds what is derived — the search index, the coverage table, the memoranda's totals and the sort keys —
and checks those parts
again.
An admin's right (Permission.BACKUP). ``progress(done, 1000)`` for the progress bar.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError

from ostandari_desk import paths
from ostandari_desk.domain.roles import Permission
from ostandari_desk.domain.text import persian_sort_key, to_persian_digits
from ostandari_desk.services.attachments import KINDS as ATTACHMENT_KINDS
from ostandari_desk.services.backup import Progress, StageProgress
from ostandari_desk.services.files import inside
from ostandari_desk.store import schema
from ostandari_desk.store.models import Event, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["PARTS", "Finding", "HealthReport", "check_health"]

STORAGE = "ساختار پرونده پایگاه داده"
REFERENCES = "پیوند میان رکوردها"
SEARCH = "نمایه جست‌وجوی سمن‌ها"
COVERAGE = "جدول پوشش بازدید مراکز"
MEMORANDA_TOTALS = "جمع پرداخت‌ها و آخرین پیشرفت تفاهم‌نامه‌ها"
SORT_KEYS = "کلیدهای مرتب‌سازی فارسی"
ATTACHMENTS = "پرونده‌های پیوست " + " و ".join(kind.plural for kind in ATTACHMENT_KINDS)  # of every kind
REVISION = "نسخه ساختار پایگاه داده"
PARTS = (STORAGE, REFERENCES, SEARCH, COVERAGE, MEMORANDA_TOTALS, SORT_KEYS, ATTACHMENTS, REVISION)
_WEIGHTS = (
    60.0,
    10.0,
    4.0,
    4.0,
    2.0,
    10.0,
    15.0,
    1.0,
)  # shares of the progress bar (integrity_check dominates)
_SHOWN = 20  # problems listed one by one per part; the rest are counted
_INDEX_PARTS = {  # SearchIndexHealth.PARTS as a clerk reads them
    "index": "جدول نمایه",
    "on_insert": "افزودن سمن‌های تازه به نمایه",
    "on_update": "به‌روز کردن نمایه پس از ویرایش",
    "on_delete": "برداشتن سمن حذف‌شده از نمایه",
}
_COVERAGE_PARTS = {  # DatabaseAdapters.coverage_triggers_missing as a clerk reads them
    "on_insert": "افزودن بازدید تازه",
    "on_update": "جابه‌جایی بازدید به مرکز، شهرستان یا ماه دیگر",
    "on_delete": "برداشتن بازدید حذف‌شده",
}
_TOTALS_EVENTS = {  # DatabaseAdapters.memorandum_totals_triggers_missing as a clerk reads them
    "paid_total:on_insert": "افزودن پرداخت تازه به جمع پرداخت‌ها",
    "paid_total:on_update": "ویرایش مبلغ یا تفاهم‌نامه پرداخت",
    "paid_total:on_delete": "برداشتن پرداخت حذف‌شده از جمع",
    "latest_progress:on_insert": "ثبت گزارش پیشرفت تازه",
    "latest_progress:on_update": "ویرایش درصد یا تفاهم‌نامه گزارش پیشرفت",
    "latest_progress:on_delete": "برداشتن گزارش پیشرفت حذف‌شده",
}
# How many memoranda's paid_total and latest_progress differ from their payments and progress reports.
_TOTALS_COMPARE = sql_text(
    "SELECT coalesce(sum(CASE WHEN paid_total <> (SELECT coalesce(sum(p.amount), 0) FROM payment AS p "
    "WHERE p.memorandum_id = m.id) THEN 1 ELSE 0 END), 0), "
    "coalesce(sum(CASE WHEN latest_progress <> (SELECT coalesce(max(r.percent), 0) FROM progressreport AS r "
    "WHERE r.memorandum_id = m.id) THEN 1 ELSE 0 END), 0) FROM memorandum AS m"
)
# Each (county, year, month, category, centre) of the visits against its row of the coverage table.
_COVERAGE_COMPARE = sql_text(
    "SELECT count(*), count(v.visits), coalesce(sum(CASE WHEN v.visits = g.n THEN 1 ELSE 0 END), 0) "
    "FROM (SELECT coalesce(county_id, '') AS county_id, jalali_year, jalali_month, category_id, centre_id, "
    "count(*) AS n FROM inspection GROUP BY county_id, jalali_year, jalali_month, category_id, centre_id) AS g "
    "LEFT JOIN inspectioncoverage AS v ON v.county_id = g.county_id AND v.jalali_year = g.jalali_year "
    "AND v.jalali_month = g.jalali_month AND v.category_id = g.category_id AND v.centre_id = g.centre_id"
)
_CHUNK = 4 << 20

# (table, its id column, the text column, its sort key column)
_SORT_KEYS = (
    (Ngo.__table__, "name", "name_sort"),
    (Ngo.__table__, "ceo_name", "ceo_sort"),
    (Event.__table__, "title", "title_sort"),
)


@dataclass(frozen=True)
class Finding:
    part: str  # one of PARTS
    problem: str  # Persian
    repairable: bool = False  # --repair rebuilds it


@dataclass(frozen=True)
class HealthReport:
    findings: tuple[Finding, ...]  # what is wrong (after a repair: what is still wrong)
    repaired: tuple[str, ...] = ()  # the parts a repair rebuilt
    notes: tuple[str, ...] = field(default=())  # counts of what was checked

    @property
    def healthy(self) -> bool:
        return not self.findings

    @property
    def repairable(self) -> bool:
        return any(f.repairable for f in self.findings)

    def lines(self, command_line: bool = True) -> list[str]:
        """The Persian report: one line per part, then its problems, then the verdict (``command_line``:
        name the ``--repair`` option, else the window's «بازسازی» button)."""
        out = []
        for part in PARTS:
            problems = [f for f in self.findings if f.part == part]
            if part in self.repaired and not problems:
                out.append(f"• {part}: بازسازی شد و اکنون درست است")
            elif problems:
                out.append(f"• {part}: {to_persian_digits(len(problems))} مشکل")
                out += [f"    - {f.problem}" for f in problems]
            else:
                out.append(f"• {part}: درست")
        out += [f"  {note}" for note in self.notes]
        if self.healthy:
            out.append("نتیجه: پایگاه داده سالم است.")
        else:
            out.append(f"نتیجه: {to_persian_digits(len(self.findings))} مشکل یافت شد.")
            if self.repairable:
                how = "‎check --repair‎" if command_line else "دکمه «بازسازی نمایه و کلیدها»"
                out.append(
                    "نمایه جست‌وجو، جدول پوشش بازدیدها، جمع پرداخت‌ها و پیشرفت تفاهم‌نامه‌ها و کلیدهای "
                    f"مرتب‌سازی با {how} از نو ساخته می‌شوند."
                )
            if any(f.part == STORAGE for f in self.findings):
                out.append("پرونده پایگاه داده آسیب دیده است: آخرین نسخه پشتیبان را بازگردانید.")
        return out


def _listed(part: str, problems: list[str], repairable: bool = False) -> list[Finding]:
    shown = [Finding(part, p, repairable) for p in problems[:_SHOWN]]
    if len(problems) > _SHOWN:
        rest = to_persian_digits(len(problems) - _SHOWN)
        shown.append(Finding(part, f"و {rest} مورد دیگر", repairable))
    return shown


def _search_findings(uow: UnitOfWork) -> list[Finding]:
    with uow.writing():  # FTS5's own check is an INSERT: it needs the write lock for a moment
        health = uow.db.search_index_health(uow.s.connection())
        uow.rollback()
    problems = []
    if health.missing_parts:
        missing = "، ".join(_INDEX_PARTS.get(name, name) for name in health.missing_parts)
        problems.append(f"بخش‌هایی از نمایه نیست: {missing}")
    if health.damaged:
        problems.append("نمایه با متن ذخیره‌شده‌اش نمی‌خواند (آسیب دیده)")
    if health.missing_rows:
        problems.append(f"{to_persian_digits(health.missing_rows)} سمن در نمایه نیست یا با متن کهنه است")
    if health.stray_rows:
        problems.append(f"{to_persian_digits(health.stray_rows)} ردیف نمایه سمنی ندارد")
    return _listed(SEARCH, problems, repairable=True)


def _coverage_findings(uow: UnitOfWork) -> list[Finding]:
    """The coverage table's triggers are there and it holds exactly the visits' count per (county, year,
    month, category, centre)."""
    conn = uow.s.connection()
    problems = []
    missing_parts = uow.db.coverage_triggers_missing(conn)
    if missing_parts:
        missing = "، ".join(_COVERAGE_PARTS.get(name, name) for name in missing_parts)
        problems.append(f"بخش‌هایی از نگه‌داری جدول نیست: {missing}")
    groups, present, matching = conn.execute(_COVERAGE_COMPARE).one()
    rows = conn.execute(sql_text("SELECT count(*) FROM inspectioncoverage")).scalar_one()
    if groups - present:
        problems.append(f"{to_persian_digits(groups - present)} مرکز و ماهِ بازدیدشده در جدول نیست")
    if present - matching:
        problems.append(f"{to_persian_digits(present - matching)} ردیف جدول شمار بازدید نادرست دارد")
    if rows - present:
        problems.append(f"{to_persian_digits(rows - present)} ردیف جدول بازدیدی ندارد")
    return _listed(COVERAGE, problems, repairable=True)


def _totals_findings(uow: UnitOfWork) -> list[Finding]:
    """The triggers keeping memorandum's paid_total and latest_progress are there, and every memorandum's
    values equal the sum of its payments and its highest progress percent."""
    conn = uow.s.connection()
    problems = []
    missing_parts = uow.db.memorandum_totals_triggers_missing(conn)
    if missing_parts:
        missing = "، ".join(_TOTALS_EVENTS.get(name, name) for name in missing_parts)
        problems.append(f"بخش‌هایی از نگه‌داری این ستون‌ها نیست: {missing}")
    wrong_paid, wrong_progress = conn.execute(_TOTALS_COMPARE).one()
    if wrong_paid:
        problems.append(
            f"جمع پرداخت‌های {to_persian_digits(wrong_paid)} تفاهم‌نامه با پرداخت‌های ثبت‌شده‌اش نمی‌خواند"
        )
    if wrong_progress:
        problems.append(
            f"آخرین پیشرفت {to_persian_digits(wrong_progress)} تفاهم‌نامه با گزارش‌های پیشرفتش نمی‌خواند"
        )
    return _listed(MEMORANDA_TOTALS, problems, repairable=True)


def _wrong_sort_keys(uow: UnitOfWork) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """{(table, key column): [(id, the right key)]} of every stored key that is not what it should be."""
    wrong: dict[tuple[str, str], list[tuple[str, str]]] = {}
    conn = uow.s.connection()
    for table, source, key in _SORT_KEYS:
        rows = conn.execute(select(table.c.id, table.c[source], table.c[key]))
        bad = [
            (row_id, right) for row_id, text, stored in rows if (right := persian_sort_key(text)) != stored
        ]
        if bad:
            wrong[(table.name, key)] = bad
    return wrong


def _sort_key_findings(wrong: dict[tuple[str, str], list[tuple[str, str]]]) -> list[Finding]:
    return [
        Finding(SORT_KEYS, f"{to_persian_digits(len(rows))} مقدار نادرست در ستون {key} جدول {table}", True)
        for (table, key), rows in wrong.items()
    ]


def _attachment_findings(uow: UnitOfWork, report: Progress) -> tuple[list[Finding], int]:
    """Each stored file once (whichever kinds' attachments name it): there, inside the attachments folder,
    and with the recorded SHA-256."""
    files: dict[str, tuple[str, int, str]] = {}
    for kind in ATTACHMENT_KINDS:
        table = kind.table.__table__
        rows = uow.s.connection().execute(
            select(table.c.stored_path, table.c.sha256, table.c.size, table.c.file_name).order_by(
                table.c.stored_path
            )
        )
        for stored_path, sha, size, name in rows:
            files.setdefault(stored_path, (sha, size, name))
    files = dict(sorted(files.items()))
    root = paths.attachments_dir()
    total = sum(size or 0 for _, size, _ in files.values()) or 1
    done = 0
    problems = []
    for stored_path, (sha, size, name) in files.items():
        path = inside(root, stored_path)
        if path is None:
            problems.append(f"«{name}»: نشانی پرونده بیرون از پوشه پیوست‌هاست ({stored_path})")
        elif not path.is_file():
            problems.append(f"«{name}»: پرونده پیدا نشد ({stored_path})")
        elif _sha256(path) != sha:
            problems.append(f"«{name}»: محتوای پرونده تغییر کرده است ({stored_path})")
        done += size or 0
        report(done, total)
    return _listed(ATTACHMENTS, problems), len(files)


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _revision_findings(uow: UnitOfWork) -> list[Finding]:
    try:
        current = schema.current_revision(uow.engine)
    except DBAPIError:
        current = None
    if current == schema.HEAD_REVISION:
        return []
    return [
        Finding(
            REVISION,
            f"نسخه ساختار «{current or 'نامعلوم'}» است و این برنامه «{schema.HEAD_REVISION}» را می‌شناسد",
        )
    ]


def _repair(uow: UnitOfWork, wrong: dict[tuple[str, str], list[tuple[str, str]]]) -> None:
    """Rebuild the search index, the coverage table and the memoranda's totals and put the right sort keys in, in
    one transaction. Derived values are
    written below the session (not field by field), and the repair is one audit entry of its own."""
    with uow.writing():
        conn = uow.s.connection()
        fixed = sum(len(rows) for rows in wrong.values())
        uow.audit(
            "repair",
            "database",
            "",
            detail=(
                "نمایه جست‌وجو، جدول پوشش بازدیدها و جمع پرداخت‌ها و پیشرفت تفاهم‌نامه‌ها بازسازی شد؛ "
                f"{to_persian_digits(fixed)} کلید ترتیب"
            ),
        )
        uow.db.rebuild_search_index(conn)
        uow.db.rebuild_coverage(conn)
        uow.db.rebuild_memorandum_totals(conn)
        tables = {table.name: table for table, _, _ in _SORT_KEYS}
        for (table_name, key), rows in wrong.items():
            table = tables[table_name]
            conn.execute(
                update(table).where(table.c.id == bindparam("_id")).values({key: bindparam("_key")}),
                [{"_id": row_id, "_key": right} for row_id, right in rows],
            )
        uow.commit()


def check_health(
    uow: UnitOfWork, *, repair: bool = False, progress: Callable[[int, int], None] | None = None
) -> HealthReport:
    """Check every part (see the module docstring); with ``repair``, rebuild the derived ones and check
    them again. Returns the report; ``healthy`` when nothing is left wrong."""
    meter = StageProgress(progress, [*_WEIGHTS, 10.0 if repair else 0.0])
    with uow:
        uow.require(Permission.BACKUP)
        conn = uow.s.connection()
        findings = _listed(STORAGE, uow.db.integrity_problems(conn, meter.part(0)))
        meter.part(1)(0, 1)
        findings += _listed(REFERENCES, uow.db.foreign_key_problems(conn))
        meter.part(2)(0, 1)
    findings += _search_findings(uow)
    meter.part(3)(0, 1)
    with uow:
        findings += _coverage_findings(uow)
        meter.part(4)(0, 1)
        findings += _totals_findings(uow)
        meter.part(5)(0, 1)
        wrong = _wrong_sort_keys(uow)
        findings += _sort_key_findings(wrong)
        attachment_findings, files = _attachment_findings(uow, meter.part(6))
        findings += attachment_findings
        findings += _revision_findings(uow)
    notes = (f"{to_persian_digits(files)} پرونده پیوست بررسی شد.",)
    repaired: tuple[str, ...] = ()
    if repair:
        meter.part(8)(0, 1)
        _repair(uow, wrong)
        again = _search_findings(uow)
        with uow:
            again += _coverage_findings(uow) + _totals_findings(uow)
            again += _sort_key_findings(_wrong_sort_keys(uow))
        rebuilt = (SEARCH, COVERAGE, MEMORANDA_TOTALS, SORT_KEYS)
        findings = [f for f in findings if f.part not in rebuilt] + again
        repaired = tuple(part for part in rebuilt if not any(f.part == part for f in again))
    meter.done()
    return HealthReport(tuple(findings), repaired, notes)
