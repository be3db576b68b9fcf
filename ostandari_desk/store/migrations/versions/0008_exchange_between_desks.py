"""exchange between desks: registered desks, files sent and received, per-record exchange state, conflicts;
letter numbers per county series

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:20:00.000000

- exchangedesk: another desk (a county's at the province, the province's at a county) with its Ed25519 public
  key and the numbers of the last files each way.
- exchangefile: the history of files sent and received (replays are refused by it).
- exchangestate: per desk and record, the version both desks are known to hold; what differs is a change to send.
- exchangeconflict: a record changed on both sides since the last exchange, waiting for a manager.
- letter: the number is unique per (county, direction, Jalali year) for a county's letters and per (direction,
  Jalali year) for the province's own, two partial unique indexes instead of one unique constraint (SQLite
  rebuilds the table in batch mode to drop the old constraint, which had no name).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # names the old constraint so batch mode can drop it
_OLD_UNIQUE = "uq_letter_direction"


def _drop_old_letter_unique() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("letter", recreate="always", naming_convention=_UNNAMED) as batch:
            batch.drop_constraint(_OLD_UNIQUE, type_="unique")
    else:
        op.drop_constraint("letter_direction_jalali_year_number_key", "letter", type_="unique")


def _letter_series_indexes() -> None:
    op.create_index(
        "ux_letter_county_series",
        "letter",
        ["county_id", "direction", "jalali_year", "number"],
        unique=True,
        sqlite_where=sa.text("county_id IS NOT NULL"),
        postgresql_where=sa.text("county_id IS NOT NULL"),
    )
    op.create_index(
        "ux_letter_province_series",
        "letter",
        ["direction", "jalali_year", "number"],
        unique=True,
        sqlite_where=sa.text("county_id IS NULL"),
        postgresql_where=sa.text("county_id IS NULL"),
    )


def upgrade() -> None:
    op.create_table(
        "exchangedesk",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("province", _TEXT(), nullable=False),
        sa.Column("county_id", _TEXT(), nullable=True),
        sa.Column("public_key", _TEXT(), nullable=False),
        sa.Column("fingerprint", _TEXT(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("registered_by", _TEXT(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sent_seq", sa.Integer(), nullable=False),
        sa.Column("received_seq", sa.Integer(), nullable=False),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["county_id"], ["county.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exchangedesk_county_id", "exchangedesk", ["county_id"], unique=False)
    op.create_table(
        "exchangefile",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("desk_id", _TEXT(), nullable=False),
        sa.Column("direction", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sha256", _TEXT(length=64), nullable=False),
        sa.Column("file_name", _TEXT(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", _TEXT(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.Column("accepted", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["exchangedesk.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("desk_id", "direction", "kind", "seq"),
    )
    op.create_table(
        "exchangestate",
        sa.Column("desk_id", _TEXT(), nullable=False),
        sa.Column("table_name", _TEXT(), nullable=False),
        sa.Column("record_id", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["exchangedesk.id"]),
        sa.PrimaryKeyConstraint("desk_id", "table_name", "record_id"),
    )
    op.create_table(
        "exchangeconflict",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("desk_id", _TEXT(), nullable=False),
        sa.Column("file_id", _TEXT(), nullable=False),
        sa.Column("table_name", _TEXT(), nullable=False),
        sa.Column("record_id", _TEXT(), nullable=False),
        sa.Column("incoming_version", sa.Integer(), nullable=False),
        sa.Column("incoming_base", _TEXT(), nullable=True),
        sa.Column("incoming", _TEXT(), nullable=False),
        sa.Column("local", _TEXT(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", _TEXT(), nullable=True),
        sa.Column("resolved_by", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["exchangedesk.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["exchangefile.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_exchangeconflict_desk_open",
        "exchangeconflict",
        ["desk_id", "resolved_at", "record_id"],
        unique=False,
    )
    _drop_old_letter_unique()
    _letter_series_indexes()


def downgrade() -> None:
    op.drop_index("ux_letter_province_series", table_name="letter")
    op.drop_index("ux_letter_county_series", table_name="letter")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("letter", recreate="always") as batch:
            batch.create_unique_constraint(_OLD_UNIQUE, ["direction", "jalali_year", "number"])
    else:
        op.create_unique_constraint(
            "letter_direction_jalali_year_number_key", "letter", ["direction", "jalali_year", "number"]
        )
    op.drop_index("ix_exchangeconflict_desk_open", table_name="exchangeconflict")
    op.drop_table("exchangeconflict")
    op.drop_table("exchangestate")
    op.drop_table("exchangefile")
    op.drop_index("ix_exchangedesk_county_id", table_name="exchangedesk")
    op.drop_table("exchangedesk")
