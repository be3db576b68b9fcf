"""What a database must offer the services beyond plain SQL, with the portable defaults.

A dialect's adapters (adapters/sqlite.py) subclass ``DatabaseAdapters`` and override what their
database does better or differently: the NGO full-text search, the bulk loader and the planner hints.
Every method works inside the caller's transaction and never commits, except the demo builder's own
transaction (``bulk_build``) and ``settle_statistics``, which work on the engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Connection, Engine, Table, func, insert, select
from sqlalchemy import table as table_clause
from sqlalchemy.orm import Session

# The derived visits per (county, year, month, category, centre) of migration 0006, from inspection in the
# order of its period index (no sort); a visit of the province itself counts under county "".
COVERAGE_FILL = (
    "INSERT INTO inspectioncoverage (county_id, jalali_year, jalali_month, category_id, centre_id, visits) "
    "SELECT coalesce(county_id, ''), jalali_year, jalali_month, category_id, centre_id, count(*) FROM inspection "
    "GROUP BY county_id, jalali_year, jalali_month, category_id, centre_id"
)

# The derived columns of memorandum (migration 0007): (column, child table, the child's value, aggregate), each
# the aggregate of its child rows, 0 when none: what is paid (sum of payments) and the latest progress (the
# highest percent: reports never go backwards).
MEMORANDUM_TOTALS = (
    ("paid_total", "payment", "amount", "sum"),
    ("latest_progress", "progressreport", "percent", "max"),
)


def memorandum_total_sql(column: str, target: str = "") -> str:
    """``UPDATE memorandum`` recomputing ``column`` (of MEMORANDUM_TOTALS) from its child table, for the memoranda
    ``target`` names (e.g. "= new.memorandum_id"; "" for every memorandum), as migration 0007 writes it."""
    _column, child, value, aggregate = next(spec for spec in MEMORANDUM_TOTALS if spec[0] == column)
    where = f" WHERE id {target}" if target else ""
    return (
        f"UPDATE memorandum SET {column} = (SELECT coalesce({aggregate}({child}.{value}), 0) FROM {child} "
        f"WHERE {child}.memorandum_id = memorandum.id){where}"
    )


@dataclass(frozen=True)
class SearchIndexHealth:
    """What ``search_index_health`` found. ``missing_parts``: which of ``PARTS`` are gone (the index itself,
    what adds, updates and removes an NGO's entry: SQLite's triggers); ``damaged``: the index's own check
    failed; ``missing_rows``: NGOs not in it (or in it with other text); ``stray_rows``: entries with no NGO."""

    PARTS = ("index", "on_insert", "on_update", "on_delete")

    missing_parts: tuple[str, ...] = ()
    damaged: bool = False
    missing_rows: int = 0
    stray_rows: int = 0

    @property
    def healthy(self) -> bool:
        return not (self.missing_parts or self.damaged or self.missing_rows or self.stray_rows)


@dataclass(frozen=True)
class DatabaseAdapters(ABC):
    """One database's implementations: the full-text search each database must give; the other methods
    here are portable defaults."""

    name: str

    # Whether the desk itself backs this database up and restores it as one file (services/backup.py,
    # services/restore.py): an SQLite file, yes; a database on a server is backed up by the server's tools.
    file_backups: ClassVar[bool] = False

    # --- full-text search of NGOs ----------------------------------------------------------------

    @abstractmethod
    def ngo_match(self, words: str) -> str:
        """The search expression for what the clerk typed; "" when nothing searchable is left."""

    @abstractmethod
    def ngo_match_seqs(self, match: str) -> Any:
        """A subquery of the ``ngo.seq`` values matching ``match`` (for ``Ngo.seq.in_(...)``)."""

    @abstractmethod
    def ngo_match_count(self, session: Session, match: str) -> int:
        """How many NGOs match ``match`` (the whole province: scope it with a join when needed)."""

    def ngo_match_in(self, seq: Any, match: str, walk: bool) -> ColumnElement:
        """``seq`` (ngo.seq) among the NGOs matching ``match``, for a list page that either walks its sort's
        index probing each row (``walk``: the matches are dense) or looks the matches up and sorts them.

        The default keeps the planner off ngo's seq index when walking (``seq + 0``), as SQLite needs.
        """
        return (seq + 0 if walk else seq).in_(self.ngo_match_seqs(match))

    def estimated_rows(self, session: Session, table: str) -> int:
        """About how many rows ``table`` has, for choosing a plan (exact by default)."""
        return int(session.execute(select(func.count()).select_from(table_clause(table))).scalar() or 0)

    # --- transactions ----------------------------------------------------------------------------

    def begin(self, conn: Connection) -> None:
        """Make sure the driver really has a transaction open (before DDL or a SAVEPOINT)."""

    # --- bulk loading ----------------------------------------------------------------------------

    def bulk_insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts with the same keys) into ``table`` on ``conn``, in its transaction.

        Below the session: the rows are neither scoped nor audited here (``UnitOfWork.audit_rows``).
        """
        if rows:
            conn.execute(insert(table), rows)

    @contextmanager
    def ngo_search_set_aside(self, conn: Connection, first_seq: int, rows: int) -> Iterator[None]:
        """Around a bulk insert of ``rows`` NGOs numbered from ``first_seq``: keep the search index cheap.

        The default keeps it as it is (the database maintains it row by row).
        """
        yield

    def audit_inserted(
        self,
        conn: Connection,
        audit: Table,
        table: Table,
        where: Any,
        fields: Sequence[str],
        owner: str | None,
        entry: Mapping[str, Any],
        id_prefix: str,
    ) -> bool:
        """Write one "insert" audit entry per row of ``table`` that ``where`` selects, built by the database
        in ``conn``'s transaction (rows a bulk loader just wrote).

        ``entry``: the columns every entry shares (at, user, role, action, table_name, detail...); each
        entry's id is ``id_prefix`` and a number, its record id the primary key ('/'-joined), its owner
        the ``owner`` column, its changes ``{field: [null, value]}`` of the non-null ``fields``, values as
        the database stores them. Returns False when this database cannot (the caller then records the
        rows it reads back, in Python).
        """
        return False

    # --- bulk building on a driver cursor (the demo builder) --------------------------------------

    PLACEHOLDER: ClassVar[str] = "?"  # the driver's parameter marker (sqlite3: qmark; psycopg: %s)

    @abstractmethod
    def bulk_build(self, engine: Engine) -> AbstractContextManager[Any]:
        """A DB-API cursor on the driver's own connection inside one transaction, set up for writing a whole
        demo database at once (on a server with the office's write lock held), committed when the block ends
        and rolled back on an error; the connection's settings are put back afterwards."""

    def settle_statistics(self, engine: Engine, tables: Sequence[str]) -> None:
        """Let the planner know the rows a bulk build just committed to ``tables`` (on ``engine``, outside
        any transaction of the caller's): a plain ``ANALYZE`` by default."""
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    def write_rows(self, cursor: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert ``rows`` (tuples in ``columns`` order, values in the demo's stored forms) on a DB-API
        cursor, in its transaction: ``executemany`` by default."""
        marks = ", ".join([self.PLACEHOLDER] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def table_columns(self, cursor: Any) -> dict[str, set[str]]:
        """Every table's columns as the database has them (``cursor``: a DB-API cursor)."""
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        columns: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, set()).add(column)
        return columns

    def set_aside_indexes(self, cursor: Any, tables: Sequence[str]) -> list[Any]:
        """Drop the secondary indexes (and the search trigger) of ``tables`` before a bulk build, in the
        cursor's transaction; returns what ``restore_indexes`` needs. The default keeps them."""
        return []

    def restore_indexes(self, cursor: Any, deferred: list[Any], report: Callable[[int, int], None]) -> None:
        """Re-create what ``set_aside_indexes`` dropped and refill the search index."""

    # --- health: is the file sound, is what is derived in step (services/health.py) ----------------

    def integrity_problems(
        self, conn: Connection, progress: Callable[[int, int], None] | None = None
    ) -> list[str]:
        """The database's own consistency check of its storage: [] when sound, else its report lines."""
        return []

    def foreign_key_problems(self, conn: Connection) -> list[str]:
        """Rows whose reference points at nothing, one line each (table, row, referenced table)."""
        return []

    def search_index_health(self, conn: Connection) -> SearchIndexHealth:
        """Whether the NGO full-text index is there, kept up by its triggers and holds every NGO as it is."""
        return SearchIndexHealth()

    def rebuild_search_index(self, conn: Connection) -> None:
        """Build the NGO full-text index (and what keeps it up) afresh from the NGO table, in ``conn``'s
        transaction (begun as a writer)."""

    def coverage_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        """Which of the triggers keeping ``inspectioncoverage`` (migration 0006) are gone: of "on_insert",
        "on_update", "on_delete"."""
        return ()

    def rebuild_coverage(self, conn: Connection) -> None:
        """Fill ``inspectioncoverage`` afresh from inspection (and re-create what keeps it up), in ``conn``'s
        transaction (begun as a writer)."""
        conn.exec_driver_sql("DELETE FROM inspectioncoverage")
        conn.exec_driver_sql(COVERAGE_FILL)

    def memorandum_totals_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        """Which of the triggers keeping memorandum's ``paid_total`` and ``latest_progress`` (migration 0007) are
        gone, as "<column>:<on_insert|on_update|on_delete>"."""
        return ()

    def rebuild_memorandum_totals(self, conn: Connection) -> None:
        """Recompute ``paid_total`` and ``latest_progress`` of every memorandum (and re-create what keeps them
        up), in ``conn``'s transaction (begun as a writer)."""
        for column, *_rest in MEMORANDUM_TOTALS:
            conn.exec_driver_sql(memorandum_total_sql(column))

    # --- planner hints ---------------------------------------------------------------------------

    def ties(self, key: Any, descending: bool) -> list[Any]:
        """The last ORDER BY term that makes a list's order total (``key``: a unique column)."""
        return [key.desc() if descending else key]

    def unindexed(self, column: Any) -> ColumnElement:
        """``column`` in a form the planner will not answer from that column's own index."""
        return column
