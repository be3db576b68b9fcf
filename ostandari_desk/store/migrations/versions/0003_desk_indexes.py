"""desk indexes: licence (state, expires_on, county_id), licencecase (state, county_id), unanswered inquiries
by due day, inquiries by (sent_on, case_id)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:45:00.000000

The desk's tiles and lists read few rows, but without these indexes SQLite read every valid licence,
every case and every inquiry's case to find them (desk_counts ≈ 0.4 s at 100,000 NGOs, 1 s for a county):

- ``ix_licence_state_expiry`` (state, expires_on, county_id): the expiring / expired counts are covering
  range reads (0.1 / 0.6 ms), a county's too; the lists walk it in expiry order and stop at the page.
- ``ix_licencecase_state_county`` (state, county_id): open cases counted from the index alone.
- ``ix_inquiry_unanswered_due`` (due_on, case_id) WHERE answered_on IS NULL: a partial index of the
  unanswered inquiries only (≈ 13,000 of 200,000), read in due order for the overdue count and list.
- ``ix_inquiry_sent_case`` (sent_on, case_id): the annual inquiry counts per county read the inquiry
  side from the index alone (0.15 → 0.10 s for two years at 100,000 NGOs).

An (inspected_on, county_id) index was measured for future inspection indicators and left out: a
two-year count by county took 0.31 s with it, while the existing (county_id, jalali_year, ...) index
answers the same count by Jalali year in 0.08 s.

Plain CREATE INDEX (no table copy), so the ngo full-text triggers and child rows are untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNANSWERED = sa.text("answered_on IS NULL")


def upgrade() -> None:
    op.create_index("ix_licence_state_expiry", "licence", ["state", "expires_on", "county_id"], unique=False)
    op.create_index("ix_licencecase_state_county", "licencecase", ["state", "county_id"], unique=False)
    op.create_index(
        "ix_inquiry_unanswered_due",
        "inquiry",
        ["due_on", "case_id"],
        unique=False,
        sqlite_where=UNANSWERED,
        postgresql_where=UNANSWERED,
    )
    op.create_index("ix_inquiry_sent_case", "inquiry", ["sent_on", "case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inquiry_sent_case", table_name="inquiry")
    op.drop_index("ix_inquiry_unanswered_due", table_name="inquiry")
    op.drop_index("ix_licencecase_state_county", table_name="licencecase")
    op.drop_index("ix_licence_state_expiry", table_name="licence")
