"""memorandum and centre search keys; indexes for one county's annual counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 10:00:00.000000

The memoranda's, centres' and visits' searches folded the stored-as-shown text in SQL, a dozen ``replace``
calls per row (0.2–0.7 s a search over 100,000 memoranda). Each now reads a stored key made with
``text.search_key`` as letters' are (revision 0012):

- memorandum.search_text = search_key(f"{number} {title}") (services.memoranda.memoranda.search_text_of);
- centre.search_text = search_key(f"{code} {name} {operator}") (services.inspections.centres.search_text_of).

The old rows' keys are made a batch of BATCH rows at a time (on SQLite in rowid order), each part's fold
computed once (titles and operators repeat), and written by rowid (SQLite) or in one UPDATE over arrays
(PostgreSQL).

The annual comparison of one county (services/indicators) starts from the county's own memoranda for its
payments and from its own visits for its closed corrective actions (``Source.county_first``), and each step
read a table row for a key or a date the index lacked. These indexes hold them (one county of the 2 GB
demo, warm, ms: payments 103 → 9–41, closed actions 180–220 → 57–62):

- memorandum (county_id, id), then payment (memorandum_id, paid_on, amount): a county's memoranda's
  payments of two years, with their amounts;
- inspection (county_id, id), finding (inspection_id, id), correctiveaction (finding_id, done_on): a
  county's visits, their findings and the actions closed in two years (a visit's row, with its answers,
  is the widest read);
- correctiveaction (referral_letter_id), the referred actions only: the annual referrals start from it
  (33 → 11 ms province-wide).

Started from the date range instead (as the province's count is), the closed actions would need each
action's visit read by its key: 300 ms.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ostandari_desk.domain.text import search_key

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000

# (table, the columns its search_text is made of, joined with one space)
_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("memorandum", ("number", "title")),
    ("centre", ("code", "name", "operator")),
)

_REFERRED = "referral_letter_id IS NOT NULL"
# (name, table, columns, partial index condition or None)
_INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    ("ix_memorandum_county_key", "memorandum", ["county_id", "id"], None),
    ("ix_payment_memorandum_paid", "payment", ["memorandum_id", "paid_on", "amount"], None),
    ("ix_inspection_county_key", "inspection", ["county_id", "id"], None),
    ("ix_finding_inspection_key", "finding", ["inspection_id", "id"], None),
    ("ix_correctiveaction_finding_done", "correctiveaction", ["finding_id", "done_on"], None),
    ("ix_correctiveaction_referral", "correctiveaction", ["referral_letter_id"], _REFERRED),
)


def part_by_part(make: Callable[[str], str]) -> Callable[..., str]:
    """``make`` of the parts joined with one space, each part's computed once (``search_key`` commutes with
    joining parts by a space: tests/store/test_migration_0012.py holds it to it)."""
    part = lru_cache(maxsize=100_000)(make)

    def whole(*parts: str | None) -> str:
        return " ".join(key for key in map(part, parts) if key)

    return whole


def _write(bind: sa.Connection, table: str, changes: list[dict]) -> None:
    if bind.dialect.name == "postgresql":
        bind.execute(
            sa.text(
                f"UPDATE {table} AS t SET search_text = v.value "
                "FROM unnest(CAST(:ids AS text[]), CAST(:values AS text[])) AS v(id, value) WHERE t.id = v.id"
            ),
            {"ids": [c["id"] for c in changes], "values": [c["value"] for c in changes]},
        )
    else:
        bind.execute(sa.text(f"UPDATE {table} SET search_text = :value WHERE rowid = :id"), changes)


def _fill(bind: sa.Connection, table: str, sources: tuple[str, ...]) -> None:
    """``search_text`` of every row of ``table`` made from ``sources``, a batch at a time."""
    make = part_by_part(search_key)
    key = "id" if bind.dialect.name == "postgresql" else "rowid"
    read = sa.text(
        f"SELECT {key} AS id, {', '.join(sources)} FROM {table} WHERE {key} > :last ORDER BY {key} LIMIT :n"
    )
    last: object = "" if key == "id" else 0
    while rows := bind.execute(read, {"last": last, "n": BATCH}).all():
        changes = [{"id": row_id, "value": value} for row_id, *parts in rows if (value := make(*parts))]
        if changes:
            _write(bind, table, changes)
        last = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    for table, sources in _KEYS:
        column = sa.Column(
            "search_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
        )
        op.add_column(table, column)
        _fill(bind, table, sources)
    for name, table, columns, where in _INDEXES:
        partial = (
            {} if where is None else {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
        )
        op.create_index(name, table, columns, unique=False, **partial)


def downgrade() -> None:
    for name, table, _columns, _where in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), not a table copy: a copy would drop memorandum's triggers
    for table, _sources in _KEYS:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("search_text")
