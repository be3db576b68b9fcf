"""report indexes: the annual counts that scanned a table read a covering index instead

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00.000000

The annual report counts two years of each source (services/indicators). Four of its counts read whole
tables or a row per decision on the 2 GB demo (a fresh process, two connections: 0.77 s of counting):

- ``ix_payment_paid_memorandum_amount`` (paid_on, memorandum_id, amount): the payments and credits of the
  two years are a range of this index, not a scan of all 500,000 payments (0.20 → 0.06 s).
- ``ix_inquiry_answered_case`` (answered_on, case_id) WHERE answered_on IS NOT NULL: the answered
  inquiries by their answer's day, without scanning every inquiry (the join to the case for its county
  stays).
- ``ix_licencecase_decided`` (decided_on, decision, case_type, meeting_on, county_id) WHERE decided_on IS
  NOT NULL: the council decisions of the decided cases, a covering range instead of a scan of the cases.
- ``ix_licencestep_uncased`` (kind, on_date, county_id) WHERE case_id IS NULL: the approvals and rejections
  imported without a case. ix_step_kind_date_county found them only by reading the row of every decision
  step of the two years (35,000 rows, 0.15 s) to see its case; this index holds those few steps alone.
  Together with the previous one, the decisions count went 0.28 → 0.05 s.
- ``ix_letter_kind_date_county`` gains ``direction``, the one column the letter counts read from each
  row (20,000 rows of two years, read one by one on a fresh process: 0.2 → 0.03 s). Built again under its
  name; the old index is a prefix of the new one.

Plain CREATE INDEX (no table copy): about 1 s in all on the 2 GB demo. EXPLAIN QUERY PLAN of each count is
checked in tests/services/test_indicator_plans.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERED = sa.text("answered_on IS NOT NULL")
DECIDED = sa.text("decided_on IS NOT NULL")
UNCASED = sa.text("case_id IS NULL")


def upgrade() -> None:
    op.drop_index("ix_letter_kind_date_county", table_name="letter")
    op.create_index(
        "ix_letter_kind_date_county", "letter", ["kind", "dated_on", "county_id", "direction"], unique=False
    )
    op.create_index(
        "ix_payment_paid_memorandum_amount", "payment", ["paid_on", "memorandum_id", "amount"], unique=False
    )
    op.create_index(
        "ix_inquiry_answered_case",
        "inquiry",
        ["answered_on", "case_id"],
        unique=False,
        sqlite_where=ANSWERED,
        postgresql_where=ANSWERED,
    )
    op.create_index(
        "ix_licencecase_decided",
        "licencecase",
        ["decided_on", "decision", "case_type", "meeting_on", "county_id"],
        unique=False,
        sqlite_where=DECIDED,
        postgresql_where=DECIDED,
    )
    op.create_index(
        "ix_licencestep_uncased",
        "licencestep",
        ["kind", "on_date", "county_id"],
        unique=False,
        sqlite_where=UNCASED,
        postgresql_where=UNCASED,
    )


def downgrade() -> None:
    op.drop_index("ix_licencestep_uncased", table_name="licencestep")
    op.drop_index("ix_licencecase_decided", table_name="licencecase")
    op.drop_index("ix_inquiry_answered_case", table_name="inquiry")
    op.drop_index("ix_payment_paid_memorandum_amount", table_name="payment")
    op.drop_index("ix_letter_kind_date_county", table_name="letter")
    op.create_index("ix_letter_kind_date_county", "letter", ["kind", "dated_on", "county_id"], unique=False)
