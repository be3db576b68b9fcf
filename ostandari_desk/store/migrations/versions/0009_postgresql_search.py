"""NGO search on PostgreSQL: a tsvector GIN expression index over the normalized search text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00.000000

- ngo_search_vector(search_text): the normalized text cut into tokens as SQLite's FTS5 unicode61 tokenizer
  cuts it (every run of letters and digits, whatever the database's locale: under the ICU root collation, or on
  an explicit list of separators on a server built without ICU), each with its position.
- ix_ngo_search_vector: GIN over it; PostgreSQL keeps it in step with every write to ngo.

SQLite has its FTS5 table since 0001: nothing changes there. Also in store/adapters/postgresql.py (the health
check's rebuild; tests/store/test_postgresql_adapter.py compares them).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ICU_ROOT = "und-x-icu"
_SEPARATORS = (
    r"\s!-/:-@\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u060c\u061b\u061f\u066a-\u066d\u06d4"
    r"\u2000-\u206f\u2190-\u23ff\u25a0-\u27bf\u3000-\u303f\ufd3e\ufd3f\ufe10-\ufe6f\uff01-\uff0f"
)


def _function_sql(icu: bool) -> str:
    source = f'search_text COLLATE "{_ICU_ROOT}"' if icu else "search_text"
    pattern = "[^[:alnum:]]+" if icu else f"[{_SEPARATORS}]+"
    return (
        "CREATE OR REPLACE FUNCTION ngo_search_vector(search_text text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "SELECT coalesce(string_agg(token || ':' || position, ' '), '')::tsvector "
        f"FROM regexp_split_to_table({source}, '{pattern}') WITH ORDINALITY AS t(token, position) "
        "WHERE token <> '' $$"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    icu = bool(
        bind.exec_driver_sql(f"SELECT count(*) FROM pg_collation WHERE collname = '{_ICU_ROOT}'").scalar()
    )
    op.execute(_function_sql(icu))
    op.execute("CREATE INDEX ix_ngo_search_vector ON ngo USING gin (ngo_search_vector(search_text))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_ngo_search_vector")
    op.execute("DROP FUNCTION IF EXISTS ngo_search_vector(text)")
