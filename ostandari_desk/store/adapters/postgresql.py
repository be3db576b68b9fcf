"""PostgreSQL: tsvector GIN indexes for the NGO search, COPY for the demo, jsonb for bulk audit entries.

The search (migration 0009): ``ngo_search_vector(search_text)`` cuts the normalized text into tokens the way
SQLite's FTS5 ``unicode61`` tokenizer cuts it — every run of letters and digits is a token, whatever the
database's locale (cut under the ICU root collation, or on an explicit list of separators on a server built
without ICU) — with their positions. What the clerk typed is cut the same way (``ngo_match``): every word is a
prefix, a word with punctuation inside («۱۲-۳۴») a phrase whose last token is a prefix, the words ANDed, as the
SQLite adapter's quoted ``"word"*`` terms.

The vector is kept twice, each for what it does best:

- ``ngo.search_vector``, a stored generated column with a GIN index: a list page tests it in the row itself, so
  the server either walks the sort's index testing each row (dense matches) or looks the matches up and sorts
  them (few), and chooses well by itself;
- ``ngo_search`` (seq, search_vector), a narrow copy kept by three triggers on ngo (as SQLite's ``ngo_fts``),
  with a GIN index: counting matches must visit every table page a match is on, and it has a quarter of ngo's
  pages. A count asked twice in one transaction that has written nothing (the list's count, then its page)
  is answered once.

The visits' coverage table (migration 0006) and the memoranda's totals (migration 0007) are kept by one
PL/pgSQL trigger each; the demo's bulk build disables them and the search table's insert trigger, and fills
the derived values once at the end, as it drops and re-creates the secondary indexes and foreign keys of
the tables it fills, in one transaction holding the office's write lock (``bulk_build``), and then vacuums and
analyzes them (``settle_statistics``). A database on a server is backed up with ``pg_dump``, not by the desk
(``file_backups`` false).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from ostandari_desk.domain import text
from ostandari_desk.store.adapters.base import (
    COVERAGE_FILL,
    MEMORANDUM_TOTALS,
    DatabaseAdapters,
    SearchIndexHealth,
    memorandum_total_sql,
)
from ostandari_desk.store.engine import WRITE_LOCK_KEY, WROTE

log = logging.getLogger(__name__)

# --- the NGO search (migration 0009 creates these; tests/store/test_postgresql_adapter.py compares) ------

SEARCH_FUNCTION = "ngo_search_vector"
SEARCH_COLUMN = "search_vector"  # ngo's generated column, and the search table's copy
SEARCH_INDEX = "ix_ngo_search_vector"  # GIN on ngo.search_vector
SEARCH_TABLE = "ngo_search"
SEARCH_TABLE_INDEX = "ix_ngo_search_gin"  # GIN on ngo_search.search_vector
SEARCH_KEEPER = "ngo_search_keep"
SEARCH_INSERT_TRIGGER = "ngo_search_insert"
SEARCH_TRIGGERS = (SEARCH_INSERT_TRIGGER, "ngo_search_update", "ngo_search_delete")
ICU_ROOT = "und-x-icu"
# Without ICU: the characters that separate tokens in an NGO's normalized text (ASCII punctuation and
# symbols, Persian and typographic punctuation). With ICU, everything that is not a letter or a digit.
_SEPARATORS = (
    r"\s!-/:-@\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u060c\u061b\u061f\u066a-\u066d\u06d4"
    r"\u2000-\u206f\u2190-\u23ff\u25a0-\u27bf\u3000-\u303f\ufd3e\ufd3f\ufe10-\ufe6f\uff01-\uff0f"
)


def search_function_sql(icu: bool) -> str:
    """``CREATE OR REPLACE FUNCTION ngo_search_vector(text) RETURNS tsvector``: every token with its position.

    ``icu``: cut on every character that is not a letter or digit under the ICU root collation (Unicode's
    own classes, whatever the database's locale); else on ``_SEPARATORS``.
    """
    source = f'search_text COLLATE "{ICU_ROOT}"' if icu else "search_text"
    pattern = "[^[:alnum:]]+" if icu else f"[{_SEPARATORS}]+"
    return (
        f"CREATE OR REPLACE FUNCTION {SEARCH_FUNCTION}(search_text text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "SELECT coalesce(string_agg(token || ':' || position, ' '), '')::tsvector "
        f"FROM regexp_split_to_table({source}, '{pattern}') WITH ORDINALITY AS t(token, position) "
        "WHERE token <> '' $$"
    )


SEARCH_COLUMN_SQL = (
    f"ALTER TABLE ngo ADD COLUMN {SEARCH_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({SEARCH_FUNCTION}(search_text)) STORED"
)
SEARCH_INDEX_SQL = f"CREATE INDEX {SEARCH_INDEX} ON ngo USING gin ({SEARCH_COLUMN})"
SEARCH_TABLE_SQL = f"CREATE TABLE {SEARCH_TABLE} (seq integer PRIMARY KEY, {SEARCH_COLUMN} tsvector NOT NULL)"
SEARCH_FILL = f"INSERT INTO {SEARCH_TABLE} (seq, {SEARCH_COLUMN}) SELECT seq, {SEARCH_COLUMN} FROM ngo"
SEARCH_TABLE_INDEX_SQL = f"CREATE INDEX {SEARCH_TABLE_INDEX} ON {SEARCH_TABLE} USING gin ({SEARCH_COLUMN})"
SEARCH_TRIGGER_SQL = (
    (
        f"CREATE FUNCTION {SEARCH_KEEPER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM {SEARCH_TABLE} WHERE seq = OLD.seq; END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO {SEARCH_TABLE} (seq, {SEARCH_COLUMN}) "
        f"VALUES (NEW.seq, NEW.{SEARCH_COLUMN}); END IF; "
        "RETURN NULL; END $$"
    ),
    f"CREATE TRIGGER ngo_search_insert AFTER INSERT ON ngo FOR EACH ROW EXECUTE FUNCTION {SEARCH_KEEPER}()",
    (
        "CREATE TRIGGER ngo_search_update AFTER UPDATE OF search_text, seq ON ngo FOR EACH ROW "
        f"WHEN (OLD.{SEARCH_COLUMN} IS DISTINCT FROM NEW.{SEARCH_COLUMN} OR OLD.seq IS DISTINCT FROM NEW.seq) "
        f"EXECUTE FUNCTION {SEARCH_KEEPER}()"
    ),
    f"CREATE TRIGGER ngo_search_delete AFTER DELETE ON ngo FOR EACH ROW EXECUTE FUNCTION {SEARCH_KEEPER}()",
)


def has_icu(conn: Any) -> bool:
    """Whether the server has the ICU root collation (``conn``: a SQLAlchemy connection or a DB-API cursor)."""
    sql = f"SELECT count(*) FROM pg_collation WHERE collname = '{ICU_ROOT}'"
    if isinstance(conn, Connection):
        return bool(conn.exec_driver_sql(sql).scalar())
    conn.execute(sql)
    return bool(conn.fetchone()[0])


def create_search_index(conn: Any) -> None:
    """The search function, ngo's column, the search table, their indexes and the triggers afresh, filled
    from ngo (``conn``: a SQLAlchemy connection or a DB-API cursor, in its transaction). Re-adding the column
    rewrites ngo, holding it alone meanwhile: a repair's cost."""
    statements = (
        *(f"DROP TRIGGER IF EXISTS {name} ON ngo" for name in SEARCH_TRIGGERS),
        f"DROP FUNCTION IF EXISTS {SEARCH_KEEPER}()",
        f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
        f"ALTER TABLE ngo DROP COLUMN IF EXISTS {SEARCH_COLUMN}",
        f"DROP INDEX IF EXISTS {SEARCH_INDEX}",  # an expression index of an earlier build of 0009
        search_function_sql(has_icu(conn)),
        SEARCH_COLUMN_SQL,
        SEARCH_INDEX_SQL,
        SEARCH_TABLE_SQL,
        SEARCH_FILL,
        SEARCH_TABLE_INDEX_SQL,
        *SEARCH_TRIGGER_SQL,
    )
    for statement in statements:
        if isinstance(conn, Connection):
            conn.exec_driver_sql(statement)
        else:
            conn.execute(statement)


_TOKEN = re.compile(r"[^\W_]+")
_COUNTS = "ostandari_desk.ngo_match_counts"  # session.info: (its transaction, {match: count})


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


# --- the derived tables' triggers, as migrations 0006 and 0007 create them --------------------------------

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
    f"UPDATE inspectioncoverage SET visits = visits - 1 WHERE {_COVERAGE_OLD}",
    f"DELETE FROM inspectioncoverage WHERE {_COVERAGE_OLD} AND visits <= 0",
)
_COVERAGE_CHANGED = " OR ".join(f"old.{c} IS DISTINCT FROM new.{c}" for c in _COVERAGE_KEY)
COVERAGE_TRIGGER = ("inspectioncoverage_keep", "inspection")  # (trigger and function, its table)
COVERAGE_TRIGGER_SQL = (
    (
        "CREATE FUNCTION inspectioncoverage_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' AND NOT ({_COVERAGE_CHANGED}) "
        "THEN RETURN NULL; END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {'; '.join(_COVERAGE_TAKE)}; END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_COVERAGE_ADD}; END IF; "
        "RETURN NULL; END $$"
    ),
    (
        f"CREATE TRIGGER inspectioncoverage_keep AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_COVERAGE_KEY)} "
        "ON inspection FOR EACH ROW EXECUTE FUNCTION inspectioncoverage_keep()"
    ),
)
# memorandum's derived columns: column -> (trigger and function, the child table, the child's value)
_TOTALS_PREFIX = {"paid_total": "memorandum_paid", "latest_progress": "memorandum_progress"}
TOTALS_TRIGGERS = {
    column: (f"{_TOTALS_PREFIX[column]}_keep", child, value)
    for column, child, value, _agg in MEMORANDUM_TOTALS
}


def _totals_trigger_sql(column: str) -> tuple[str, str]:
    name, child, value = TOTALS_TRIGGERS[column]
    return (
        (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            f"{memorandum_total_sql(column, '= OLD.memorandum_id')}; END IF; "
            f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.memorandum_id IS DISTINCT FROM OLD.memorandum_id) "
            f"THEN {memorandum_total_sql(column, '= NEW.memorandum_id')}; END IF; "
            "RETURN NULL; END $$"
        ),
        (
            f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF memorandum_id, {value} "
            f"ON {child} FOR EACH ROW EXECUTE FUNCTION {name}()"
        ),
    )


# the triggers a bulk build disables: (trigger, table)
_SET_ASIDE_TRIGGERS = (COVERAGE_TRIGGER, *((name, child) for name, child, _v in TOTALS_TRIGGERS.values()))
_PARTS = ("on_insert", "on_update", "on_delete")


def _enabled_triggers(conn: Connection, names: Sequence[str]) -> set[str]:
    rows = conn.execute(
        sql_text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname = ANY(:n)"
        ),
        {"n": list(names)},
    )
    return {name for (name,) in rows}


@dataclass(frozen=True)
class PostgresAdapters(DatabaseAdapters):
    """tsvector search, COPY for bulk builds, jsonb-built audit entries."""

    # --- full-text search ------------------------------------------------------------------------

    def ngo_match(self, words: str) -> str:
        """A tsquery: each typed word a prefix (a word with punctuation inside: a phrase ending in a prefix),
        ANDed; "" when nothing searchable is left."""
        terms = []
        for word in text.search_key(words).split(" "):
            tokens = _TOKEN.findall(word)
            if tokens:
                terms.append(" <-> ".join([*map(_lexeme, tokens[:-1]), _lexeme(tokens[-1]) + ":*"]))
        if not terms:
            return ""
        return " & ".join(f"({term})" if " <-> " in term else term for term in terms)

    def ngo_match_seqs(self, match: str) -> Any:
        return sql_text(
            f"SELECT seq FROM {SEARCH_TABLE} WHERE {SEARCH_COLUMN} @@ CAST(:fts_match AS tsquery)"
        ).bindparams(fts_match=match)

    def ngo_match_in(self, seq: Any, match: str, walk: bool) -> Any:
        """The match tested in ngo's own row (its generated column): the server walks the sort's index
        testing each row, or looks the matches up in the column's index and sorts them, whichever its
        statistics say is cheaper (``walk``, the service's own guess, is not needed)."""
        vector = literal_column(f"{seq.table.name}.{SEARCH_COLUMN}")
        return vector.op("@@")(cast(bindparam("fts_match_in", match, type_=Text), TSQUERY))

    def estimated_rows(self, session: Session, table: str) -> int:
        """The planner's own estimate (kept by ANALYZE and autovacuum); exact when the table was never
        analyzed."""
        estimate = session.execute(
            sql_text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
        ).scalar()
        if estimate is None or estimate < 0:
            return super().estimated_rows(session, table)
        return int(estimate)

    def ngo_match_count(self, session: Session, match: str) -> int:
        """The count; asked again in the same transaction while it has written nothing, the first answer
        (store/engine.py marks a transaction that ran anything but a SELECT)."""
        conn = session.connection()  # the transaction begins now if it has not
        transaction = session.get_transaction()
        memo = session.info.get(_COUNTS)
        fresh = memo is not None and memo[0] is transaction and not conn.info.get(WROTE, True)
        if fresh and match in memo[1]:
            return memo[1][match]
        sql = sql_text(
            f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_COLUMN} @@ CAST(:fts_count AS tsquery)"
        ).bindparams(fts_count=match)
        count = int(session.execute(sql).scalar() or 0)
        if not fresh:
            memo = session.info[_COUNTS] = (transaction, {})
        if not conn.info.get(WROTE, True):
            memo[1][match] = count
        return count

    # --- bulk loading ----------------------------------------------------------------------------

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
        """``INSERT INTO auditentry ... SELECT`` with jsonb: no row goes through Python.

        ``jsonb_strip_nulls`` drops the fields whose value is null, as the trail's own comparison leaves them
        out; the object is built 40 fields at a time (a function takes at most 100 arguments).
        """
        parts = []
        for start in range(0, len(fields), 40):
            pairs: list[Any] = []
            for name in fields[start : start + 40]:
                column = table.c[name]
                pairs += [
                    literal_column(f"'{name}'::text"),
                    case((column.is_(None), null()), else_=func.jsonb_build_array(null(), column)),
                ]
            parts.append(func.jsonb_build_object(*pairs))
        built = parts[0] if parts else literal_column("'{}'::jsonb")
        for part in parts[1:]:
            built = built.op("||")(part)
        changes = func.coalesce(func.nullif(cast(func.jsonb_strip_nulls(built), Text), "{}"), "")
        keys = [cast(table.c[c.name], Text) for c in table.primary_key.columns]
        record_id = keys[0]
        for key in keys[1:]:
            record_id = record_id.op("||")("/").op("||")(key)
        values: dict[str, Any] = {
            name: literal(value, type_=audit.c[name].type) for name, value in entry.items()
        }
        number = func.lpad(func.to_hex(func.row_number().over()), 8, "0")
        values["id"] = literal(id_prefix, type_=Text).op("||")(number)
        values["record_id"] = record_id
        values["owner_id"] = table.c[owner] if owner else null()
        values["changes"] = changes
        names = list(values)
        conn.execute(insert(audit).from_select(names, select(*(values[n] for n in names)).where(where)))
        return True

    # --- bulk building on a driver cursor (the demo builder) --------------------------------------

    PLACEHOLDER: ClassVar[str] = "%s"

    @contextmanager
    def bulk_build(self, engine: Engine) -> Iterator[Any]:
        """A cursor on psycopg's own connection inside one transaction (the office's write lock held, as any
        writer's), committed when the block ends, rolled back on an error. The commit need not wait for the
        disk (a crash loses the build, nothing else); index builds may use more memory."""
        raw = engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            dbapi.rollback()  # a clean transaction of our own
            cur = dbapi.cursor()
            try:
                cur.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                cur.execute("SET LOCAL TIME ZONE 'UTC'")  # the demo's timestamps are UTC text
                cur.execute("SET LOCAL synchronous_commit = off")
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cur.execute("SET LOCAL work_mem = '64MB'")
                yield cur
                dbapi.commit()
            except BaseException:
                dbapi.rollback()
                raise
            finally:
                cur.close()
        finally:
            raw.close()

    def settle_statistics(self, engine: Engine, tables: Sequence[str]) -> None:
        """``VACUUM (ANALYZE)`` of each table (outside a transaction, as VACUUM must be): the planner learns
        the new rows and the pages are marked all-visible, so counts are answered from the indexes alone."""
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')

    def write_rows(self, cursor: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """COPY the rows in (values in the demo's stored forms: ISO text, 0/1 booleans — the server parses
        them by the columns' types)."""
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)

    def set_aside_indexes(self, cursor: Any, tables: Sequence[str]) -> list[Any]:
        """Drop the tables' secondary indexes (the search table's too when ngo is among them) and the foreign
        keys from or to them, and disable the search table's insert trigger and the coverage and totals
        triggers; return (kind, name, table, what re-creates it) of each, kind "index", "constraint" or
        "trigger", in the order ``restore_indexes`` takes them (the search table is filled before its index).

        The definitions are the server's own (pg_get_indexdef, pg_get_constraintdef), so
        ``restore_indexes`` puts the schema back exactly as the migrations made it. Building each index once
        at the end, and checking each foreign key with one join, is several times cheaper than keeping them
        in step row by row.
        """
        names = list(tables)
        if "ngo" in names:  # the search table is filled from ngo once at the end
            names.append(SEARCH_TABLE)
        cursor.execute(
            "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "AND (t.relname = ANY(%s) OR r.relname = ANY(%s)) ORDER BY c.conname",
            (names, names),
        )
        foreign = [
            ("constraint", name, table, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for name, table, definition in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT c.relname, t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            (names,),
        )
        indexes = [("index", name, table, definition) for name, table, definition in cursor.fetchall()]
        triggers = [("trigger", name, table, "") for name, table in _SET_ASIDE_TRIGGERS if table in names]
        if "ngo" in names:  # refilled first, before its index is built
            triggers.insert(0, ("trigger", SEARCH_INSERT_TRIGGER, "ngo", ""))
        for _kind, name, table, _sql in foreign:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for _kind, name, _table, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for _kind, name, table, _sql in triggers:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
        search = [entry for entry in triggers if entry[1] == SEARCH_INSERT_TRIGGER]
        return [*search, *indexes, *foreign, *(entry for entry in triggers if entry not in search)]

    def restore_indexes(self, cursor: Any, deferred: list[Any], report: Callable[[int, int], None]) -> None:
        if not deferred:
            return
        total = len(deferred) + 1
        for i, (kind, name, table, sql) in enumerate(deferred):
            report(i, total)
            started = time.perf_counter()
            if kind == "trigger":
                self._refill(cursor, name)
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
            else:
                cursor.execute(sql)
            log.debug("%s %s restored in %.2f s", kind, name, time.perf_counter() - started)
        report(total, total)

    @staticmethod
    def _refill(cursor: Any, trigger: str) -> None:
        """Recompute what ``trigger`` keeps (it was disabled during the build)."""
        if trigger == SEARCH_INSERT_TRIGGER:
            cursor.execute(f"DELETE FROM {SEARCH_TABLE}")
            cursor.execute(SEARCH_FILL)
            return
        if trigger == COVERAGE_TRIGGER[0]:
            cursor.execute("DELETE FROM inspectioncoverage")
            cursor.execute(COVERAGE_FILL)
            return
        for column, (name, _child, _value) in TOTALS_TRIGGERS.items():
            if name == trigger:
                cursor.execute(memorandum_total_sql(column))

    # --- health ------------------------------------------------------------------------------------

    def integrity_problems(
        self, conn: Connection, progress: Callable[[int, int], None] | None = None
    ) -> list[str]:
        """The server checks its own storage; here: indexes left invalid (a build that failed midway)."""
        rows = conn.exec_driver_sql(
            "SELECT c.relname, t.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = current_schema()::regnamespace "
            "AND NOT (i.indisvalid AND i.indisready) ORDER BY c.relname"
        ).fetchall()
        if progress is not None:
            progress(1, 1)
        return [f"نمایه «{index}» جدول {table} ناتمام یا نامعتبر است" for index, table in rows]

    def foreign_key_problems(self, conn: Connection) -> list[str]:
        """The server enforces foreign keys; a key added NOT VALID (never checked) is listed."""
        rows = conn.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND NOT convalidated AND connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        ).fetchall()
        return [f"{table}: پیوند {name} بررسی نشده است" for table, name in rows]

    def search_index_health(self, conn: Connection) -> SearchIndexHealth:
        """The function, ngo's generated column, the search table, both GIN indexes and the three triggers
        are there (and enabled); the function cuts as this version does, the column is generated by it and
        the indexes are valid; the table holds exactly each NGO's vector."""
        function = conn.exec_driver_sql(
            f"SELECT p.prosrc FROM pg_proc p WHERE p.proname = '{SEARCH_FUNCTION}' "
            "AND p.pronamespace = current_schema()::regnamespace"
        ).scalar()
        generated = conn.exec_driver_sql(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_attrdef d "
            "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = to_regclass('ngo') "
            f"AND a.attname = '{SEARCH_COLUMN}' AND a.attgenerated = 's' AND NOT a.attisdropped"
        ).scalar()
        indexes = dict(
            conn.exec_driver_sql(
                "SELECT c.relname, i.indisvalid AND i.indisready FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                f"WHERE c.relname IN ('{SEARCH_INDEX}', '{SEARCH_TABLE_INDEX}') "
                f"AND t.relname IN ('ngo', '{SEARCH_TABLE}') AND c.relnamespace = current_schema()::regnamespace"
            ).all()
        )
        present = _enabled_triggers(conn, SEARCH_TRIGGERS)
        whole = function is not None and generated is not None and len(indexes) == 2
        missing = (() if whole else ("index",)) + tuple(
            part
            for name, part in zip(SEARCH_TRIGGERS, SearchIndexHealth.PARTS[1:], strict=True)
            if name not in present
        )
        if not whole:
            return SearchIndexHealth(missing_parts=missing)
        expected = search_function_sql(has_icu(conn)).split("AS $$", 1)[1].rsplit("$$", 1)[0]
        damaged = (
            not all(indexes.values())
            or " ".join(function.split()) != " ".join(expected.split())
            or not re.fullmatch(rf"{SEARCH_FUNCTION}\(\(?search_text\)?(::text)?\)", generated)
        )
        missing_rows = conn.exec_driver_sql(
            f"SELECT count(*) FROM ngo LEFT JOIN {SEARCH_TABLE} s ON s.seq = ngo.seq "
            f"WHERE s.seq IS NULL OR s.{SEARCH_COLUMN} IS DISTINCT FROM ngo.{SEARCH_COLUMN}"
        ).scalar()
        stray_rows = conn.exec_driver_sql(
            f"SELECT count(*) FROM {SEARCH_TABLE} s WHERE NOT EXISTS (SELECT 1 FROM ngo WHERE ngo.seq = s.seq)"
        ).scalar()
        return SearchIndexHealth(missing, damaged, int(missing_rows or 0), int(stray_rows or 0))

    def rebuild_search_index(self, conn: Connection) -> None:
        """Drop the search function, column, table and triggers; create them as migration 0009 does."""
        create_search_index(conn)

    def coverage_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        """One trigger does all three on PostgreSQL: when it is gone (or disabled), all three are."""
        return () if _enabled_triggers(conn, [COVERAGE_TRIGGER[0]]) else _PARTS

    def rebuild_coverage(self, conn: Connection) -> None:
        """Drop the coverage trigger, refill the table and create the trigger as migration 0006 does."""
        name, table = COVERAGE_TRIGGER
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
        super().rebuild_coverage(conn)
        for statement in COVERAGE_TRIGGER_SQL:
            conn.exec_driver_sql(statement)

    def memorandum_totals_triggers_missing(self, conn: Connection) -> tuple[str, ...]:
        present = _enabled_triggers(conn, [name for name, _c, _v in TOTALS_TRIGGERS.values()])
        return tuple(
            f"{column}:{part}"
            for column, (name, _child, _value) in TOTALS_TRIGGERS.items()
            if name not in present
            for part in _PARTS
        )

    def rebuild_memorandum_totals(self, conn: Connection) -> None:
        """Drop the triggers, recompute both columns and create the triggers as migration 0007 does."""
        for name, child, _value in TOTALS_TRIGGERS.values():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {child}")
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
        super().rebuild_memorandum_totals(conn)
        for column in TOTALS_TRIGGERS:
            for statement in _totals_trigger_sql(column):
                conn.exec_driver_sql(statement)


POSTGRESQL = PostgresAdapters(name="postgresql")
