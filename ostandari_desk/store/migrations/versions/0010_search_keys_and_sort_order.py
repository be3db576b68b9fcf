"""search keys and sort order: the stored search text and sort keys recomputed with issue 12's rules

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000

- ngo.search_text = domain.text.search_text(name, national ID, registration number, CEO): hamza forms
  folded (ؤ→و, ئ→ی besides أ إ→ا, ۀ→ه), a half-spaced word held joined and in halves («مردمنهاد نهاد»). The
  names themselves are untouched. SQLite's ngo_fts follows through its update trigger, PostgreSQL's search
  vector (a generated column) and ngo_search table through theirs (0009); only changed rows are written.
- ngo.name_sort, ngo.ceo_sort, event.title_sort, memorandum.title_sort, centre.name_sort =
  domain.text.persian_sort_key: Persian dictionary order as ICU's fa collation (آ before ا, the hamza
  forms in ء's place, a half-space not counted). On SQLite the indexes holding a sort key are set aside and
  built again once the keys are in (sorting once beats ~120,000 rows × 7 index entries moved one by one).
- licencecase.state: a case waiting on inquiries whose every inquiry is answered moves on to
  «inquiries_answered» (domain.lifecycle.CaseState.INQUIRIES_ANSWERED), as answer_inquiry now does.

Rows are read and written in batches of BATCH (on SQLite in rowid order, the table's own). The schema does
not change; a downgrade puts the case states back and leaves the keys (the old code sorts and searches with
them as well as it did with its own).
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

from ostandari_desk.domain.text import persian_sort_key, search_text

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000


def _word_by_word(make: Callable[[str], str]) -> Callable[[str], str]:
    """``make`` of a text as the words' own, each computed once: both keys are made word by word (joining
    parts with one space commutes with them; tests/domain/test_search_folding.py holds them to it), and a
    hundred thousand names repeat a few thousand words."""
    word = lru_cache(maxsize=200_000)(make)

    def whole(value: str) -> str:
        return " ".join(key for key in map(word, value.split(" ")) if key)

    return whole


_sort_key = _word_by_word(persian_sort_key)
_search_words = _word_by_word(search_text)


def _ngo_search_text(name: str, national_id: str, registration_no: str, ceo_name: str) -> str:
    """domain.text.search_text(name, national ID, registration number, CEO), as services.ngos stores it."""
    return _search_words(f"{name} {national_id} {registration_no} {ceo_name}")


# (table, target column, source columns, how the value is made from them)
_DERIVED: tuple[tuple[str, str, tuple[str, ...], Callable[..., str]], ...] = (
    ("ngo", "name_sort", ("name",), _sort_key),
    ("ngo", "ceo_sort", ("ceo_name",), _sort_key),
    ("ngo", "search_text", ("name", "national_id", "registration_no", "ceo_name"), _ngo_search_text),
    ("event", "title_sort", ("title",), _sort_key),
    ("memorandum", "title_sort", ("title",), _sort_key),
    ("centre", "name_sort", ("name",), _sort_key),
)
Target = tuple[str, tuple[str, ...], Callable[..., str]]


def _columns(bind: sa.Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(bind).get_columns(table)}


def _set_aside(bind: sa.Connection, tables: set[str]) -> list[str]:
    """SQLite: drop what the new keys would move one row at a time, and return the statements that make it
    again: the indexes holding a sort key, and the NGO full-text table with its triggers (filled again in
    one INSERT, a fifth of the time its update trigger takes row by row). The statements are the
    database's own (sqlite_master), so the schema ends as the migrations made it."""
    marks = ", ".join(f"'{t}'" for t in sorted(tables))
    indexes = bind.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"
    ).all()
    again = []
    for name, sql in indexes:
        if "_sort" in sql:
            bind.exec_driver_sql(f'DROP INDEX "{name}"')
            again.append(sql)
    fts = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ngo_fts'"
    ).scalar()
    if "ngo" in tables and fts:
        triggers = bind.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ngo' AND sql LIKE '%ngo_fts%'"
        ).all()
        for name, _sql in triggers:
            bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
        bind.exec_driver_sql("DROP TABLE ngo_fts")
        again += [
            fts,
            "INSERT INTO ngo_fts(rowid, search_text) SELECT seq, search_text FROM ngo ORDER BY seq",
        ]
        again += [sql for _name, sql in triggers]
    return again


def _write_sqlite(bind: sa.Connection, table: str, rows: list[dict]) -> None:
    """One UPDATE by rowid per row, executemany per set of changed columns."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for columns, group in groups.items():
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        bind.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE rowid = :id"), group)


def _write_postgresql(bind: sa.Connection, table: str, rows: list[dict], targets: list[str]) -> None:
    """One UPDATE over arrays per column, of the rows whose value of it changes (a search text left alone
    is not rewritten: its generated vector and search row stay)."""
    for column in targets:
        changed = [(row["id"], row[column]) for row in rows if column in row]
        if not changed:
            continue
        ids, values = zip(*changed, strict=True)
        bind.execute(
            sa.text(
                f"UPDATE {table} AS t SET {column} = v.value "
                "FROM unnest(CAST(:ids AS text[]), CAST(:values AS text[])) AS v(id, value) WHERE t.id = v.id"
            ),
            {"ids": list(ids), "values": list(values)},
        )


def _recompute(bind: sa.Connection, table: str, targets: list[Target]) -> None:
    """Every target column of ``table`` made again from its sources, a batch at a time (in rowid order on
    SQLite, the table's own); only the values that change are written."""
    postgresql = bind.dialect.name == "postgresql"
    sources = sorted({s for _target, cols, _make in targets for s in cols})
    names = [target for target, _cols, _make in targets]
    key = "id" if postgresql else "rowid"
    read = sa.text(
        f"SELECT {key} AS id, {', '.join(names)}, {', '.join(sources)} FROM {table} "
        f"WHERE {key} > :last ORDER BY {key} LIMIT :n"
    )
    last: object = "" if postgresql else 0
    while True:
        rows = bind.execute(read, {"last": last, "n": BATCH}).mappings().all()
        if not rows:
            return
        changes = []
        for row in rows:
            change = {}
            for target, cols, make in targets:
                value = make(*(row[c] or "" for c in cols))
                if value != row[target]:
                    change[target] = value
            if change:
                changes.append({"id": row["id"], **change})
        if postgresql:
            _write_postgresql(bind, table, changes, names)
        else:
            _write_sqlite(bind, table, changes)
        last = rows[-1]["id"]


def _answered_cases(bind: sa.Connection) -> None:
    bind.execute(
        sa.text(
            "UPDATE licencecase SET state = 'inquiries_answered' WHERE state = 'inquiring' "
            "AND EXISTS (SELECT 1 FROM inquiry WHERE inquiry.case_id = licencecase.id) "
            "AND NOT EXISTS (SELECT 1 FROM inquiry WHERE inquiry.case_id = licencecase.id "
            "AND inquiry.answer IS NULL)"
        )
    )


def upgrade() -> None:
    bind = op.get_bind()
    by_table: dict[str, list[Target]] = {}
    for table, target, cols, make in _DERIVED:
        if {target, *cols} <= _columns(bind, table):
            by_table.setdefault(table, []).append((target, cols, make))
    again = _set_aside(bind, set(by_table)) if bind.dialect.name == "sqlite" else []
    for table, targets in by_table.items():
        _recompute(bind, table, targets)
    for statement in again:
        bind.exec_driver_sql(statement)
    _answered_cases(bind)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE licencecase SET state = 'inquiring' WHERE state = 'inquiries_answered'"))
