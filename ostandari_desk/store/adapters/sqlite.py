"""SQLite: FTS5 for the NGO search, executemany with the full-text trigger set aside for bulk loads.

The ``ngo_fts`` FTS5 table (rowid = ngo.seq) is kept in step with ``ngo.search_text`` by triggers
(migration 0002). A bulk insert of many NGOs drops the insert trigger, fills the index with one
``INSERT ... SELECT`` and re-creates the trigger from its own stored SQL, all in the caller's transaction.
``inspectioncoverage`` (migration 0006) is kept by three triggers on inspection the same way; the demo's
bulk build sets its insert trigger aside and fills the table in one ``INSERT ... SELECT ... GROUP BY``.
Memorandum's ``paid_total`` and ``latest_progress`` (migration 0007) are kept by triggers on payment and
progressreport; the bulk build sets their insert triggers aside and recomputes both columns in one UPDATE each.
The demo's build runs with this connection's journal in memory, no syncing and no foreign-key checks
(``bulk_build``). An SQLite file is backed up by the desk itself (``file_backups``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    case,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ostandari_desk.domain import text
from ostandari_desk.errors import DatabaseUnavailableError
from ostandari_desk.store.adapters.base import (
    COVERAGE_FILL,
    MEMORANDUM_TOTALS,
    DatabaseAdapters,
    SearchIndexHealth,
    memorandum_total_sql,
)

log = logging.getLogger(__name__)

FTS_INSERT_TRIGGER = "ngo_fts_insert"
FTS_TABLE = "ngo_fts"
FTS_TRIGGERS = (FTS_INSERT_TRIGGER, "ngo_fts_update", "ngo_fts_delete")
# As migration 0002 creates them (tests/services/test_health.py: a rebuild gives the same schema).
FTS_CREATE = (
    "CREATE VIRTUAL TABLE ngo_fts USING fts5(search_text, "
    "tokenize='unicode61 remove_diacritics 0', prefix='1')"
)
FTS_TRIGGER_SQL = (
    (
        "CREATE TRIGGER ngo_fts_insert AFTER INSERT ON ngo BEGIN "
        "INSERT INTO ngo_fts(rowid, search_text) VALUES (new.seq, new.search_text); END"
    ),
    (
        "CREATE TRIGGER ngo_fts_update AFTER UPDATE OF search_text, seq ON ngo BEGIN "
        "DELETE FROM ngo_fts WHERE rowid = old.seq; "
        "INSERT INTO ngo_fts(rowid, search_text) VALUES (new.seq, new.search_text); END"
    ),
    "CREATE TRIGGER ngo_fts_delete AFTER DELETE ON ngo BEGIN DELETE FROM ngo_fts WHERE rowid = old.seq; END",
)
# Below this many rows the per-row trigger costs less than dropping and re-creating it.
FTS_SET_ASIDE_FROM = 500

# As migration 0006 creates them (tests/services/test_health.py: a rebuild gives the same schema).
_COVERAGE_KEY = ("county_id", "jalali_year", "jalali_month", "category_id", "centre_id")
_COVERAGE_OLD = (
    "county_id = coalesce(old.county_id, '') AND jalali_year = old.jalali_year AND "
    "jalali_month = old.jalali_month AND category_id = old.category_id AND centre_id = old.centre_id"
)
_COVERAGE_ADD = (
    "INSERT INTO inspectioncoverage (county_id, jalali_year, jalali_month, category_id, centre_id, visits) "
    "VALUES (coalesce(new.county_id, ''), new.jalali_year, new.jalali_month, new.category_id, new.centre_id, 1) "
    "ON CONFLICT (county_id, jalali_year, jalali_month, category_id, centre_id) "
    "DO UPDATE SET visits = inspectioncoverage.visits + 1"
)
_COVERAGE_TAKE = (
    f"UPDATE inspectioncoverage SET visits = visits - 1 WHERE {_COVERAGE_OLD}; "
    f"DELETE FROM inspectioncoverage WHERE {_COVERAGE_OLD} AND visits <= 0"
)
_COVERAGE_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COVERAGE_KEY)
COVERAGE_INSERT_TRIGGER = "inspectioncoverage_insert"
COVERAGE_TRIGGER_SQL = {  # SearchIndexHealth-style part name -> (trigger, its SQL)
    "on_insert": (
        COVERAGE_INSERT_TRIGGER,
        f"CREATE TRIGGER inspectioncoverage_insert AFTER INSERT ON inspection BEGIN {_COVERAGE_ADD}; END",
    ),
    "on_delete": (
        "inspectioncoverage_delete",
        f"CREATE TRIGGER inspectioncoverage_delete AFTER DELETE ON inspection BEGIN {_COVERAGE_TAKE}; END",
    ),
    "on_update": (
        "inspectioncoverage_update",
        (
            f"CREATE TRIGGER inspectioncoverage_update AFTER UPDATE OF {', '.join(_COVERAGE_KEY)} ON inspection "
            f"WHEN {_COVERAGE_CHANGED} BEGIN {_COVERAGE_TAKE}; {_COVERAGE_ADD}; END"
        ),
    ),
}
# As migration 0007 creates them: memorandum's paid_total and latest_progress, recomputed from the child table
# for the memorandum (or both memoranda) a payment or progress report row touches.
_TOTALS_PREFIX = {"paid_total": "memorandum_paid", "latest_progress": "memorandum_progress"}
MEMORANDUM_TOTALS_TRIGGER_SQL = {  # "<column>:<part>" -> (trigger, its SQL)
    f"{column}:{part}": (
        f"{_TOTALS_PREFIX[column]}_{name}",
        (
            f"CREATE TRIGGER {_TOTALS_PREFIX[column]}_{name} AFTER {event} ON {child} BEGIN "
            f"{memorandum_total_sql(column, target)}; END"
        ),
    )
    for column, child, value, _aggregate in MEMORANDUM_TOTALS
    for part, name, event, target in (
        ("on_insert", "insert", "INSERT", "= new.memorandum_id"),
        (
            "on_update",
            "update",
            f"UPDATE OF memorandum_id, {value}",
            "IN (old.memorandum_id, new.memorandum_id)",
        ),
        ("on_delete", "delete", "DELETE", "= old.memorandum_id"),
    )
}
# the insert triggers a bulk build sets aside: column -> trigger (restore_indexes recomputes the column)
_TOTALS_INSERT_TRIGGERS = {
    column: MEMORANDUM_TOTALS_TRIGGER_SQL[f"{column}:on_insert"][0] for column, *_rest in MEMORANDUM_TOTALS
}
_SET_ASIDE_TRIGGERS = (FTS_INSERT_TRIGGER, COVERAGE_INSERT_TRIGGER, *_TOTALS_INSERT_TRIGGERS.values())


@dataclass(frozen=True)
class SqliteAdapters(DatabaseAdapters):
    """FTS5 search, positional executemany, ``+column`` planner hints."""

    file_backups: ClassVar[bool] = True

    # --- full-text search ------------------------------------------------------------------------

    def ngo_match(self, words: str) -> str:
        """Normalized tokens, each a quoted prefix, ANDed (FTS5 syntax); "" when nothing is left."""
        tokens = [t for t in text.search_key(words).split(" ") if any(ch.isalnum() for ch in t)]
        return " ".join('"' + t.replace('"', '""') + '"*' for t in tokens)

    def ngo_match_seqs(self, match: str) -> Any:
        return sql_text("SELECT rowid FROM ngo_fts WHERE ngo_fts MATCH :fts_match").bindparams(
            fts_match=match
        )

    def ngo_match_count(self, session: Session, match: str) -> int:
        sql = sql_text("SELECT count(*) FROM ngo_fts WHERE ngo_fts MATCH :fts_count").bindparams(
            fts_count=match
        )
        return int(session.execute(sql).scalar() or 0)

    # --- transactions ----------------------------------------------------------------------------

    def begin(self, conn: Connection) -> None:
        """A transaction must be open before DDL or a SAVEPOINT (else each is committed on its own, and a
        RELEASE commits all). The engines of store/engine.py emit BEGIN themselves when SQLAlchemy
        begins (IMMEDIATE for a writer), so this finds one open; a driver left in pysqlite's legacy
        mode, which emits BEGIN only before the first INSERT/UPDATE/DELETE, gets one here, as a writer:
        both callers (a savepoint, the search index set aside) write (PITFALLS.md, Store)."""
        driver = conn.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    # --- bulk loading ----------------------------------------------------------------------------

    def bulk_insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """``insert(table)`` executemany with the bind processing done once per distinct value.

        SQLAlchemy converts every date and datetime of every row on the way in (a third of the time
        of a 100,000-row insert); here the statement is compiled once, each column's processor runs
        once per distinct value (an import shares one timestamp and a few thousand dates), and the
        tuples go to the driver's executemany on the same connection and transaction.
        """
        if not rows:
            return
        keys = list(rows[0])
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
        order = list(compiled.positiontup or ())
        if any(key not in rows[0] for key in order):  # a column computed by a Python-side default
            conn.execute(insert(table), rows)
            return
        processed = []  # (position, processor) of the columns whose values the dialect converts
        for index, key in enumerate(order):
            processor = table.c[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            if processor is not None:
                processed.append((index, _memo(processor)))
        get = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
        if not processed:
            data: list[Any] = [get(row) for row in rows]
        else:
            data = []
            for row in rows:
                values = list(get(row))
                for index, processor in processed:
                    value = values[index]
                    if value is not None:
                        values[index] = processor(value)
                data.append(tuple(values))
        conn.exec_driver_sql(str(compiled), data)

    @contextmanager
    def ngo_search_set_aside(self, conn: Connection, first_seq: int, rows: int) -> Iterator[None]:
        """Drop the per-row FTS trigger for a large insert, then fill the index in one statement; when
        the batch is at least as large as the table, set the ngo table's own sort and search-key indexes
        aside too and build them again at the end (one sort each, instead of a B-tree insert at a random
        place per row and index: a tenth of a 100,000-row import). The unique ones stay.

        The per-row trigger costs four times the insert itself. A failure inside leaves the trigger and
        the indexes dropped in a transaction the caller rolls back, so the schema ends as it began.
        """
        if rows < FTS_SET_ASIDE_FROM:
            yield
            return
        self.begin(conn)
        trigger_sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (FTS_INSERT_TRIGGER,)
        ).scalar()
        indexes: list[Any] = []
        if rows >= (conn.exec_driver_sql("SELECT count(*) FROM ngo").scalar() or 0):
            indexes = conn.exec_driver_sql(  # sql is NULL for a UNIQUE constraint's own index
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ngo' AND sql IS NOT NULL"
            ).all()
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        if trigger_sql:
            conn.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        yield
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)
        if trigger_sql:
            conn.exec_driver_sql(
                "INSERT INTO ngo_fts(rowid, search_text) SELECT seq, search_text FROM ngo WHERE seq >= ?",
                (first_seq,),
            )
            conn.exec_driver_sql(trigger_sql)

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
        """``INSERT INTO auditentry ... SELECT`` with SQLite's JSON functions: no row goes through Python.

        ``json_patch('{}', json_object(...))`` drops the members whose value is null, so a null column
        is left out of the changes as the trail's own comparison leaves it out.
        """
        pairs: list[Any] = []
        for name in fields:
            column = table.c[name]
            pairs += [literal(name), case((column.is_(None), null()), else_=func.json_array(null(), column))]
        changes = func.coalesce(func.nullif(func.json_patch("{}", func.json_object(*pairs)), "{}"), "")
        keys = [table.c[c.name] for c in table.primary_key.columns]
        record_id = keys[0]
        for key in keys[1:]:
            record_id = record_id.op("||")("/").op("||")(key)
        values: dict[str, Any] = {
            name: literal(value, type_=audit.c[name].type) for name, value in entry.items()
        }
        values["id"] = literal(id_prefix).op("||")(func.printf("%08x", func.row_number().over()))
        values["record_id"] = record_id
        values["owner_id"] = table.c[owner] if owner else null()
        values["changes"] = changes
        names = list(values)
        conn.execute(insert(audit).from_select(names, select(*(values[n] for n in names)).where(where)))
        return True

    # --- bulk building on a driver cursor (the demo builder) --------------------------------------

    @contextmanager
    def bulk_build(self, engine: Engine) -> Iterator[Any]:
        """A cursor on the driver's own connection inside one transaction, committed when the block ends
        (rolled back on an error). This connection only: foreign keys off, no syncing, the journal in memory
        (a 1.5 GB transaction would be written twice: WAL, then the checkpoint; the database is new and
        empty, so its rollback journal stays tiny) — a crash simply loses the build."""
        raw = engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            isolation = dbapi.isolation_level
            dbapi.isolation_level = None  # we issue BEGIN/COMMIT ourselves: the DDL below must be inside too
            cur = dbapi.cursor()
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-400000")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA threads=2")  # CREATE INDEX sorts on helper threads
            journal = cur.execute("PRAGMA journal_mode").fetchone()[0]
            cur.execute("PRAGMA journal_mode=MEMORY")
            cur.execute("BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.execute(f"PRAGMA journal_mode={journal}")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA cache_size=-65536")
                cur.close()
                dbapi.isolation_level = isolation
        finally:
            raw.close()

    def settle_statistics(self, engine: Engine, tables: Sequence[str]) -> None:
        """``PRAGMA optimize``: SQLite analyzes what needs it."""
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA optimize")

    def table_columns(self, cursor: Any) -> dict[str, set[str]]:
        tables = [name for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {row[1] for row in cursor.execute(f'PRAGMA table_info("{t}")')} for t in tables}

    def set_aside_indexes(self, cursor: Any, tables: Sequence[str]) -> list[Any]:
        """Drop the tables' secondary indexes and the insert triggers of the NGO search and of the visits'
        coverage; return (type, name, sql) of each.

        The statements are the database's own (sqlite_master), so ``restore_indexes`` puts the schema
        back exactly as the migrations made it. Sorting once at the end is several times cheaper than
        keeping ~60 indexes in step row by row.
        """
        marks = ",".join("?" * len(tables))
        rows = cursor.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ({marks}) "
            f"AND (type = 'index' OR (type = 'trigger' AND name IN ({','.join('?' * len(_SET_ASIDE_TRIGGERS))})))",
            (*tables, *_SET_ASIDE_TRIGGERS),
        ).fetchall()
        for kind, name, _sql in rows:
            cursor.execute(f'DROP {kind.upper()} "{name}"')
        return rows

    def restore_indexes(self, cursor: Any, deferred: list[Any], report: Callable[[int, int], None]) -> None:
        if not deferred:
            return
        for i, (_kind, name, sql) in enumerate(deferred):
            report(i, len(deferred) + 1)
            started = time.perf_counter()
            cursor.execute(sql)
            log.debug("%s rebuilt in %.2f s", name, time.perf_counter() - started)
        if any(name == FTS_INSERT_TRIGGER for _kind, name, _sql in deferred):
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO ngo_fts(rowid, search_text) SELECT seq, search_text FROM ngo ORDER BY seq"
            )
            log.debug("ngo_fts filled in %.2f s", time.perf_counter() - started)
        if any(name == COVERAGE_INSERT_TRIGGER for _kind, name, _sql in deferred):
            started = time.perf_counter()  # after the period index is back: it is read in its order
            cursor.execute("DELETE FROM inspectioncoverage")
            cursor.execute(COVERAGE_FILL)
            log.debug("inspectioncoverage filled in %.2f s", time.perf_counter() - started)
        for column, trigger in _TOTALS_INSERT_TRIGGERS.items():  # after the payment and progress indexes
            if any(name == trigger for _kind, name, _sql in deferred):
                started = time.perf_counter()
                cursor.execute(memorandum_total_sql(column))
                log.debug("memorandum.%s filled in %.2f s", column, time.perf_counter() - started)
        report(len(deferred) + 1, len(deferred) + 1)

    # --- health ------------------------------------------------------------------------------------

    def integrity_problems(
        self, conn: Connection, progress: Callable[[int, int], None] | None = None
    ) -> list[str]:
        """``PRAGMA integrity_check`` (every page, index and constraint of the file), with a progress estimate."""
        from ostandari_desk.store.database_files import integrity_problems

        driver = conn.connection.dbapi_connection
        assert driver is not None
        return integrity_problems(driver, progress)  # type: ignore[arg-type]

    def foreign_key_problems(self, conn: Connection) -> list[str]:
        rows = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        return [f"{table} (ردیف {rowid}) → {parent}" for table, rowid, parent, _fk in rows]

    def search_index_health(self, conn: Connection) -> SearchIndexHealth:
        """The ``ngo_fts`` table and its three triggers exist, FTS5's own integrity check passes, and the
        index holds exactly (seq, search_text) of every NGO."""
        present = {
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name IN (?, ?, ?, ?)", (FTS_TABLE, *FTS_TRIGGERS)
            )
        }
        parts = dict(zip((FTS_TABLE, *FTS_TRIGGERS), SearchIndexHealth.PARTS, strict=True))
        missing = tuple(part for name, part in parts.items() if name not in present)
        if FTS_TABLE not in present:
            return SearchIndexHealth(missing_parts=missing)
        try:
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('integrity-check')")
            damaged = False
        except (DBAPIError, DatabaseUnavailableError):  # SQLITE_CORRUPT_VTAB: index and text disagree
            damaged = True
        missing_rows = conn.exec_driver_sql(
            f"SELECT count(*) FROM ngo LEFT JOIN {FTS_TABLE} f ON f.rowid = ngo.seq "
            "WHERE f.rowid IS NULL OR f.search_text IS NOT ngo.search_text"
        ).scalar()
        stray_rows = conn.exec_driver_sql(
            f"SELECT count(*) FROM {FTS_TABLE} f WHERE NOT EXISTS (SELECT 1 FROM ngo WHERE ngo.seq = f.rowid)"
        ).scalar()
        return SearchIndexHealth(missing, damaged, int(missing_rows or 0), int(stray_rows or 0))

    def rebuild_search_index(self, conn: Connection) -> None:
        """Drop the index and its triggers, create them as migration 0002 does and fill the index."""
        self.begin(conn)
        for name in FTS_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        conn.exec_driver_sql(FTS_CREATE)
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT seq, search_text FROM ngo ORDER BY seq"
        )
        for statement in FTS_TRIGGER_SQL:
            conn.exec_driver_sql(statement)

    def coverage_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        names = {name for name, _sql in COVERAGE_TRIGGER_SQL.values()}
        marks = ", ".join("?" * len(names))
        present = {
            name
            for (name,) in conn.exec_driver_sql(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", tuple(names)
            )
        }
        return tuple(part for part, (name, _sql) in COVERAGE_TRIGGER_SQL.items() if name not in present)

    def rebuild_coverage(self, conn: Connection) -> None:
        """Drop the coverage triggers, refill the table and create the triggers as migration 0006 does."""
        self.begin(conn)
        for name, _sql in COVERAGE_TRIGGER_SQL.values():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        super().rebuild_coverage(conn)
        for _name, sql in COVERAGE_TRIGGER_SQL.values():
            conn.exec_driver_sql(sql)

    def memorandum_totals_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        names = [name for name, _sql in MEMORANDUM_TOTALS_TRIGGER_SQL.values()]
        marks = ", ".join("?" * len(names))
        present = {
            name
            for (name,) in conn.exec_driver_sql(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", tuple(names)
            )
        }
        return tuple(
            part for part, (name, _sql) in MEMORANDUM_TOTALS_TRIGGER_SQL.items() if name not in present
        )

    def rebuild_memorandum_totals(self, conn: Connection) -> None:
        """Drop the triggers, recompute both columns and create the triggers as migration 0007 does."""
        self.begin(conn)
        for name, _sql in MEMORANDUM_TOTALS_TRIGGER_SQL.values():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        super().rebuild_memorandum_totals(conn)
        for _name, sql in MEMORANDUM_TOTALS_TRIGGER_SQL.values():
            conn.exec_driver_sql(sql)

    # --- planner hints ---------------------------------------------------------------------------

    def ties(self, key: Any, descending: bool) -> list[Any]:
        """None: SQLite walks an index in rowid order among equal keys already."""
        return []

    def unindexed(self, column: Any) -> ColumnElement:
        """``+table.column``: keeps the planner off that column's index when another one is better."""
        return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def _memo(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` remembered per value: an import repeats one timestamp and a few thousand dates."""
    cache: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = fn(value)
            return result
        except TypeError:  # unhashable
            return fn(value)

    return cached


SQLITE = SqliteAdapters(name="sqlite")
