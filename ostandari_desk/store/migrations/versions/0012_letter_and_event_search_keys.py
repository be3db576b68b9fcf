"""letter and event search keys: made with domain.text.search_key, as the NGO search folds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00.000000

Every list now searches as the NGO list does (services/search.py): the typed words folded with
``text.search_key`` (hamza forms: ؤ→و, ئ→ی, أ إ→ا, ۀ→ه; half-spaces joined: «مردمنهاد» finds «مردم‌نهاد»),
each found in the record's stored key, which must be made with the same fold:

- letter.search_text = search_key(f"{number} {party} {subject}") (services.letters.search_text_of);
- event.title_key = search_key(title) (services.events.title_key_of; the event sheet's import also matches an
  event by it).

Both were ``text.normalize`` of the same text. The names themselves are untouched. Neither column is
indexed: rows are read and written in batches of BATCH (on SQLite in rowid order, the table's own), each
value made part by part (a hundred thousand letters repeat a few thousand parties and subjects), only the
changed values written (SQLite: executemany by rowid; PostgreSQL: one UPDATE over arrays). A downgrade
makes them again with ``text.normalize``, as the code before 0012 did.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

from ostandari_desk.domain.text import normalize, search_key

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000

# (table, the key column, the columns it is made of, joined with one space)
_KEYS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("letter", "search_text", ("number", "party", "subject")),
    ("event", "title_key", ("title",)),
)


def part_by_part(make: Callable[[str], str]) -> Callable[..., str]:
    """``make`` of the parts joined with one space, as the parts' own, each part's computed once: both folds
    commute with joining parts by a space (tests/store/test_migration_0012.py holds them to it), and a
    hundred thousand letters repeat a few thousand parties and subjects."""
    part = lru_cache(maxsize=100_000)(make)

    def whole(*parts: str | None) -> str:
        return " ".join(key for key in map(part, parts) if key)

    return whole


def _write_sqlite(bind: sa.Connection, table: str, column: str, changes: list[dict]) -> None:
    bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE rowid = :id"), changes)


def _write_postgresql(bind: sa.Connection, table: str, column: str, changes: list[dict]) -> None:
    bind.execute(
        sa.text(
            f"UPDATE {table} AS t SET {column} = v.value "
            "FROM unnest(CAST(:ids AS text[]), CAST(:values AS text[])) AS v(id, value) WHERE t.id = v.id"
        ),
        {"ids": [c["id"] for c in changes], "values": [c["value"] for c in changes]},
    )


def _remake(bind: sa.Connection, table: str, column: str, sources: tuple[str, ...], make: Callable) -> None:
    """``column`` of every row of ``table`` made again from ``sources``, a batch at a time."""
    postgresql = bind.dialect.name == "postgresql"
    write = _write_postgresql if postgresql else _write_sqlite
    key = "id" if postgresql else "rowid"
    read = sa.text(
        f"SELECT {key} AS id, {column} AS stored, {', '.join(sources)} FROM {table} "
        f"WHERE {key} > :last ORDER BY {key} LIMIT :n"
    )
    last: object = "" if postgresql else 0
    while True:
        rows = bind.execute(read, {"last": last, "n": BATCH}).all()
        if not rows:
            return
        changes = []
        for row_id, stored, *parts in rows:
            value = make(*(part or "" for part in parts))
            if value != stored:
                changes.append({"id": row_id, "value": value})
        if changes:
            write(bind, table, column, changes)
        last = rows[-1][0]


def _remake_all(make: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for table, column, sources in _KEYS:
        _remake(bind, table, column, sources, part_by_part(make))


def upgrade() -> None:
    _remake_all(search_key)


def downgrade() -> None:
    _remake_all(normalize)
