"""drop redundant indexes: single-column indexes that are the left prefix of a later composite index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:40:00.000000

Each of these answers nothing its composite cannot (an equality or range on the first column, a foreign
key lookup, a count), yet every insert, update and import maintained it, and the large demo build spent
a share of its index rebuild on them:

- ngo: ``ix_ngo_county_id`` ⊂ ``ix_ngo_county_sort`` (county_id, name_sort); ``ix_ngo_level`` ⊂
  ``ix_ngo_level_sort``; ``ix_ngo_licence_state`` ⊂ ``ix_ngo_licence_sort``; ``ix_ngo_status`` ⊂
  ``ix_ngo_status_sort``; ``ix_ngo_name_sort`` ⊂ ``ix_ngo_sort_seq`` (name_sort, seq).
- inspection: ``ix_inspection_county_id`` ⊂ ``ix_inspection_county_period`` (county_id, jalali_year, ...).
- licence: ``ix_licence_state`` ⊂ ``ix_licence_state_expiry`` (state, expires_on, county_id).
- inquiry: ``ix_inquiry_sent_on`` ⊂ ``ix_inquiry_sent_case`` (sent_on, case_id).

Kept: ``ix_licencecase_county_id`` (no index starts with county_id there) and ``ix_inquiry_due_on``
(``ix_inquiry_unanswered_due`` is partial, so it cannot stand in for it).

Plain DROP / CREATE INDEX (no table copy), so the ngo full-text triggers and child rows are untouched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns), as revision 0001 created them
REDUNDANT = [
    ("ix_ngo_county_id", "ngo", ["county_id"]),
    ("ix_ngo_level", "ngo", ["level"]),
    ("ix_ngo_licence_state", "ngo", ["licence_state"]),
    ("ix_ngo_status", "ngo", ["status"]),
    ("ix_ngo_name_sort", "ngo", ["name_sort"]),
    ("ix_inspection_county_id", "inspection", ["county_id"]),
    ("ix_licence_state", "licence", ["state"]),
    ("ix_inquiry_sent_on", "inquiry", ["sent_on"]),
]


def upgrade() -> None:
    for name, table, _columns in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REDUNDANT:
        op.create_index(name, table, columns, unique=False)
