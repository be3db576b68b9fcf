"""memoranda, progress and payments in tranches, facilitation offices, county population

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:20:00.000000

- memorandum: its ``number`` (unique; existing rows get «M-» and their key), ``title_sort``, the facilitation
  ``office_id`` it funds and ``ends_on`` (start + duration in Jalali months). A year's credits by county read
  (signed_on, county_id, party_kind, amount) alone; the overdue list walks (state, ends_on).
- progressreport: (memorandum_id, percent, reported_on): a memorandum's latest progress is its last entry.
  progressattachment: scans of a progress report.
- payment: one row per tranche, (memorandum_id, tranche_no) unique; (memorandum_id, amount) for paid totals.
- facilitationoffice: ``name_key`` (the normalized name), unique within its county; a name repeated in a
  county (the old demo made some) gets « (۲)», « (۳)»… so the upgrade never fails on it.
- county: ``population`` (optional), for the credits per 10,000 inhabitants.
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


def upgrade() -> None:
    for column in (_text("number"), _text("title_sort")):
        op.add_column("memorandum", column)
    op.add_column("memorandum", sa.Column("ends_on", sa.Date(), nullable=False, server_default="2000-01-01"))
    _add_reference("memorandum", "office_id", "facilitationoffice")
    op.add_column("facilitationoffice", _text("name_key"))
    op.add_column("county", sa.Column("population", sa.BigInteger(), nullable=True))
    _backfill()
    op.create_index("ix_memorandum_number", "memorandum", ["number"], unique=True)
    op.create_index("ix_memorandum_office_id", "memorandum", ["office_id"], unique=False)
    op.drop_index("ix_memorandum_signed_on", table_name="memorandum")
    op.create_index(
        "ix_memorandum_signed_county",
        "memorandum",
        ["signed_on", "county_id", "party_kind", "amount"],
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
    with op.batch_alter_table("county") as batch_op:
        batch_op.drop_column("population")
    with op.batch_alter_table("facilitationoffice") as batch_op:
        batch_op.drop_column("name_key")
    with op.batch_alter_table("memorandum") as batch_op:
        for column in ("office_id", "ends_on", "title_sort", "number"):
            batch_op.drop_column(column)
