"""users and a field-level, append-only audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:30:00.000000

- user: ``username_key`` (normalized sign-in name), ``failed_logins`` and ``locked_until`` (the lockout).
- auditentry: the actor's ``user_id``, ``role`` and ``county_id``; ``owner_id`` (whose history shows the
  entry too) and ``changes`` (JSON of each changed field's before and after). The history of a record reads
  (record_id, at) and (owner_id, at); the admin's view filters by (username, at).
- Triggers refuse any UPDATE or DELETE of an audit entry: the trail is append-only below every service.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    (
        "CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
    ),
    (
        "CREATE TRIGGER auditentry_no_delete BEFORE DELETE ON auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
    ),
)
_POSTGRES_TRIGGERS = (
    (
        "CREATE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$"
    ),
    (
        "CREATE TRIGGER auditentry_no_change BEFORE UPDATE OR DELETE ON auditentry "
        "FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()"
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("username_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_user_username_key", ["username_key"], unique=False)
    op.execute('UPDATE "user" SET username_key = lower(username)')
    with op.batch_alter_table("auditentry") as batch_op:
        batch_op.add_column(sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("county_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("changes", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.drop_index("ix_auditentry_record_id")
        batch_op.create_index("ix_auditentry_record_at", ["record_id", "at"], unique=False)
        batch_op.create_index("ix_auditentry_owner_at", ["owner_id", "at"], unique=False)
        batch_op.create_index("ix_auditentry_username_at", ["username", "at"], unique=False)
    triggers = _SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER auditentry_no_update")
        op.execute("DROP TRIGGER auditentry_no_delete")
    else:
        op.execute("DROP TRIGGER auditentry_no_change ON auditentry")
        op.execute("DROP FUNCTION auditentry_append_only()")
    with op.batch_alter_table("auditentry") as batch_op:
        batch_op.drop_index("ix_auditentry_username_at")
        batch_op.drop_index("ix_auditentry_owner_at")
        batch_op.drop_index("ix_auditentry_record_at")
        batch_op.create_index("ix_auditentry_record_id", ["record_id"], unique=False)
        for column in ("changes", "owner_id", "county_id", "role", "user_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_index("ix_user_username_key")
        for column in ("locked_until", "failed_logins", "username_key"):
            batch_op.drop_column(column)
