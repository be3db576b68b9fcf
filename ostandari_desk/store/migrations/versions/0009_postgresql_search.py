"""NGO search on PostgreSQL: the normalized search text as a tsvector, in ngo's row and in a narrow table of its own

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00.000000

- ngo_search_vector(search_text): the normalized text cut into tokens as SQLite's FTS5 unicode61 tokenizer
  cuts it (every run of letters and digits, whatever the database's locale: under the ICU root collation, or on
  an explicit list of separators on a server built without ICU), each with its position.
- ngo.search_vector: a stored generated column of it, GIN-indexed (ix_ngo_search_vector): a list page tests it in
  the row (PostgreSQL only: not a model column).
- ngo_search (seq, search_vector): one row per NGO, as SQLite's ngo_fts (rowid = ngo.seq), GIN-indexed
  (ix_ngo_search_gin), kept by the triggers ngo_search_insert, ngo_search_update (of search_text or seq) and
  ngo_search_delete on ngo, through ngo_search_keep(): counting matches visits its few pages, not ngo's.

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


_TRIGGERS = (
    (
        "CREATE FUNCTION ngo_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM ngo_search WHERE seq = OLD.seq; END IF; "
        "IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO ngo_search (seq, search_vector) "
        "VALUES (NEW.seq, NEW.search_vector); END IF; "
        "RETURN NULL; END $$"
    ),
    "CREATE TRIGGER ngo_search_insert AFTER INSERT ON ngo FOR EACH ROW EXECUTE FUNCTION ngo_search_keep()",
    (
        "CREATE TRIGGER ngo_search_update AFTER UPDATE OF search_text, seq ON ngo FOR EACH ROW "
        "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector OR OLD.seq IS DISTINCT FROM NEW.seq) "
        "EXECUTE FUNCTION ngo_search_keep()"
    ),
    "CREATE TRIGGER ngo_search_delete AFTER DELETE ON ngo FOR EACH ROW EXECUTE FUNCTION ngo_search_keep()",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    icu = bool(
        bind.exec_driver_sql(f"SELECT count(*) FROM pg_collation WHERE collname = '{_ICU_ROOT}'").scalar()
    )
    op.execute(_function_sql(icu))
    op.execute(
        "ALTER TABLE ngo ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (ngo_search_vector(search_text)) STORED"
    )
    op.execute("CREATE INDEX ix_ngo_search_vector ON ngo USING gin (search_vector)")
    op.execute("CREATE TABLE ngo_search (seq integer PRIMARY KEY, search_vector tsvector NOT NULL)")
    op.execute("INSERT INTO ngo_search (seq, search_vector) SELECT seq, search_vector FROM ngo")
    op.execute("CREATE INDEX ix_ngo_search_gin ON ngo_search USING gin (search_vector)")
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER ngo_search_{name} ON ngo")
    op.execute("DROP FUNCTION ngo_search_keep()")
    op.execute("DROP TABLE ngo_search")
    op.execute("ALTER TABLE ngo DROP COLUMN search_vector")
    op.execute("DROP FUNCTION ngo_search_vector(text)")
