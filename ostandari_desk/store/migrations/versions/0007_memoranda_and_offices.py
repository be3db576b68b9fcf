"""memoranda, progress and payments in tranches, facilitation offices, county population

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:20:00.000000

- memorandum: its ``number`` (unique; existing rows get «M-» and their key), ``title_sort``, the facilitation
  ``office_id`` it funds and ``ends_on`` (start + duration in Jalali months). A year's credits by county read
  (signed_on, county_id, party_kind, amount, paid_total, latest_progress) alone; the overdue list walks
  (state, ends_on).
- progressreport: (memorandum_id, percent, reported_on): a memorandum's latest progress is its last entry.
  progressattachment: scans of a progress report.
- payment: one row per tranche, (memorandum_id, tranche_no) unique; (memorandum_id, amount) for paid totals.
- facilitationoffice: ``name_key`` (the normalized name), unique within its county; a name repeated in a
  county (the old demo made some) gets « (۲)», « (۳)»… so the upgrade never fails on it.
- county: ``population`` (optional), for the credits per 10,000 inhabitants.
- memorandum: derived ``paid_total`` (the sum of its payments' amounts) and ``latest_progress`` (its highest
  progress percent: reports never go backwards), 0 when none, kept by triggers AFTER INSERT / UPDATE / DELETE
  on payment and progressreport that recompute the affected memorandum(s) from the child table, and filled
  here by one UPDATE each; ``ix_memorandum_signed_county`` carries them, so a year's credits read it alone.
Columns are added with ALTER TABLE.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import normalize, persian_sort_key, to_persian_digits

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def _text(name: str) -> sa.Column:
    return sa.Column(name, _TEXT(), nullable=False, server_default="")


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable key column to ``target`` (SQLite takes REFERENCES inline in ADD COLUMN; alembic won't)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR REFERENCES {target}(id)")
    else:
        op.add_column(table, sa.Column(column, _TEXT(), sa.ForeignKey(f"{target}.id"), nullable=True))


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _backfill() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title, starts_on, duration_months FROM memorandum")).all()
    if rows:
        bind.execute(
            sa.text(
                "UPDATE memorandum SET number = :number, title_sort = :key, ends_on = :ends WHERE id = :id"
            ),
            [
                {
                    "id": i,
                    "number": f"M-{i}",
                    "key": persian_sort_key(title),
                    "ends": jalali.add_months(_date(starts), months),
                }
                for i, title, starts, months in rows
            ],
        )
    # office names become unique within a county: a repeated name gets « (۲)», « (۳)»… in its order of entry
    offices = bind.execute(
        sa.text("SELECT id, county_id, name FROM facilitationoffice ORDER BY created_at, id")
    ).all()
    taken: set[tuple[str | None, str]] = set()
    renamed = []
    for office_id, county_id, name in offices:
        shown, n = name, 1
        while (county_id, normalize(shown)) in taken:
            n += 1
            shown = f"{name} ({to_persian_digits(n)})"
        taken.add((county_id, normalize(shown)))
        renamed.append({"id": office_id, "name": shown, "key": normalize(shown)})
    if renamed:
        bind.execute(
            sa.text("UPDATE facilitationoffice SET name = :name, name_key = :key WHERE id = :id"), renamed
        )


# Each derived column of memorandum: (column, child table, the child's value, the aggregate, trigger prefix).
_TOTALS = (
    ("paid_total", "payment", "amount", "sum", "memorandum_paid"),
    ("latest_progress", "progressreport", "percent", "max", "memorandum_progress"),
)


def _recompute(column: str, child: str, value: str, aggregate: str, target: str = "") -> str:
    """UPDATE memorandum's ``column`` from ``child`` (the memoranda ``target`` names, e.g. "= new.memorandum_id";
    "" for all)."""
    where = f" WHERE id {target}" if target else ""
    return (
        f"UPDATE memorandum SET {column} = (SELECT coalesce({aggregate}({child}.{value}), 0) FROM {child} "
        f"WHERE {child}.memorandum_id = memorandum.id){where}"
    )


def _sqlite_triggers(column: str, child: str, value: str, aggregate: str, prefix: str) -> tuple[str, ...]:
    keep = {
        "insert": ("INSERT", "= new.memorandum_id"),
        "update": (f"UPDATE OF memorandum_id, {value}", "IN (old.memorandum_id, new.memorandum_id)"),
        "delete": ("DELETE", "= old.memorandum_id"),
    }
    return tuple(
        f"CREATE TRIGGER {prefix}_{name} AFTER {event} ON {child} BEGIN "
        f"{_recompute(column, child, value, aggregate, target)}; END"
        for name, (event, target) in keep.items()
    )


# Also in store/adapters/sqlite.py (the health check's rebuild; tests/services/test_health.py compares them).
_SQLITE_TOTALS_TRIGGERS = tuple(statement for spec in _TOTALS for statement in _sqlite_triggers(*spec))
_POSTGRES_TOTALS_TRIGGERS = tuple(
    statement
    for column, child, value, aggregate, prefix in _TOTALS
    for statement in (
        (
            f"CREATE FUNCTION {prefix}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            f"{_recompute(column, child, value, aggregate, '= OLD.memorandum_id')}; END IF; "
            f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.memorandum_id IS DISTINCT FROM OLD.memorandum_id) "
            f"THEN {_recompute(column, child, value, aggregate, '= NEW.memorandum_id')}; END IF; "
            "RETURN NULL; END $$"
        ),
        (
            f"CREATE TRIGGER {prefix}_keep AFTER INSERT OR DELETE OR UPDATE OF memorandum_id, {value} "
            f"ON {child} FOR EACH ROW EXECUTE FUNCTION {prefix}_keep()"
        ),
    )
)


def _create_totals() -> None:
    op.add_column("memorandum", sa.Column("paid_total", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column(
        "memorandum", sa.Column("latest_progress", sa.Integer(), nullable=False, server_default="0")
    )
    for column, child, value, aggregate, _prefix in _TOTALS:
        op.execute(_recompute(column, child, value, aggregate))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_TOTALS_TRIGGERS if sqlite else _POSTGRES_TOTALS_TRIGGERS:
        op.execute(statement)


def _drop_totals() -> None:
    for _column, child, _value, _aggregate, prefix in _TOTALS:
        if op.get_bind().dialect.name == "sqlite":
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {prefix}_{name}")
        else:
            op.execute(f"DROP TRIGGER {prefix}_keep ON {child}")
            op.execute(f"DROP FUNCTION {prefix}_keep()")


def upgrade() -> None:
    for column in (_text("number"), _text("title_sort")):
        op.add_column("memorandum", column)
    op.add_column("memorandum", sa.Column("ends_on", sa.Date(), nullable=False, server_default="2000-01-01"))
    _add_reference("memorandum", "office_id", "facilitationoffice")
    op.add_column("facilitationoffice", _text("name_key"))
    op.add_column("county", sa.Column("population", sa.BigInteger(), nullable=True))
    _backfill()
    _create_totals()
    op.create_index("ix_memorandum_number", "memorandum", ["number"], unique=True)
    op.create_index("ix_memorandum_office_id", "memorandum", ["office_id"], unique=False)
    op.drop_index("ix_memorandum_signed_on", table_name="memorandum")
    op.create_index(
        "ix_memorandum_signed_county",
        "memorandum",
        ["signed_on", "county_id", "party_kind", "amount", "paid_total", "latest_progress"],
        unique=False,
    )
    op.create_index("ix_memorandum_state_ends", "memorandum", ["state", "ends_on"], unique=False)
    op.create_index("ix_memorandum_title_sort", "memorandum", ["title_sort"], unique=False)
    op.create_index("ix_memorandum_amount", "memorandum", ["amount"], unique=False)
    op.create_index("ix_memorandum_county_signed", "memorandum", ["county_id", "signed_on"], unique=False)
    op.drop_index("ix_progressreport_memorandum_id", table_name="progressreport")
    op.create_index(
        "ix_progressreport_memorandum_percent",
        "progressreport",
        ["memorandum_id", "percent", "reported_on"],
        unique=False,
    )
    op.drop_index("ix_payment_memorandum_id", table_name="payment")
    op.create_index("ix_payment_tranche", "payment", ["memorandum_id", "tranche_no"], unique=True)
    op.create_index("ix_payment_memorandum_amount", "payment", ["memorandum_id", "amount"], unique=False)
    op.create_index(
        "ix_facilitationoffice_county_name", "facilitationoffice", ["county_id", "name_key"], unique=True
    )
    op.create_table(
        "progressattachment",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("progress_id", _TEXT(), nullable=False),
        sa.Column("file_name", _TEXT(), nullable=False),
        sa.Column("sha256", _TEXT(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_path", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["progress_id"], ["progressreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_progressattachment_progress_id", "progressattachment", ["progress_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_progressattachment_progress_id", table_name="progressattachment")
    op.drop_table("progressattachment")
    op.drop_index("ix_facilitationoffice_county_name", table_name="facilitationoffice")
    op.drop_index("ix_payment_memorandum_amount", table_name="payment")
    op.drop_index("ix_payment_tranche", table_name="payment")
    op.create_index("ix_payment_memorandum_id", "payment", ["memorandum_id"], unique=False)
    op.drop_index("ix_progressreport_memorandum_percent", table_name="progressreport")
    op.create_index("ix_progressreport_memorandum_id", "progressreport", ["memorandum_id"], unique=False)
    for name in (
        "ix_memorandum_county_signed",
        "ix_memorandum_amount",
        "ix_memorandum_title_sort",
        "ix_memorandum_state_ends",
        "ix_memorandum_signed_county",
    ):
        op.drop_index(name, table_name="memorandum")
    op.create_index("ix_memorandum_signed_on", "memorandum", ["signed_on"], unique=False)
    op.drop_index("ix_memorandum_office_id", table_name="memorandum")
    op.drop_index("ix_memorandum_number", table_name="memorandum")
    _drop_totals()
    with op.batch_alter_table("county") as batch_op:
        batch_op.drop_column("population")
    with op.batch_alter_table("facilitationoffice") as batch_op:
        batch_op.drop_column("name_key")
    with op.batch_alter_table("memorandum") as batch_op:
        for column in ("latest_progress", "paid_total", "office_id", "ends_on", "title_sort", "number"):
            batch_op.drop_column(column)
