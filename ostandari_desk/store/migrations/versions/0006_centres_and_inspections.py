"""centres and unannounced inspections: codes, versioned checklists, visit results, notes and photos

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:40:00.000000

- centre: the office's ``code`` (unique; existing centres get «C-» and their key), ``name_sort``,
  ``licence_number`` and ``phone``.
- checklisttemplate / checklistitem: a category's checklist, one row per version (draft → active → retired).
- centre and inspection indexes: active centres by county and category (the grid's centres due), visits by
  date, county, kind and result (the annual comparison's visit indicators).
- inspection: ``checklist`` becomes ``answers`` (JSON against ``template_id``'s frozen items); the score,
  the result (and what the answers gave when a manager overrode it, with the reason), the correction
  deadline and notes. The grid's index also carries ``centre_id``, ``result`` and
  ``announced``, so a year's grid and its paper never read the table.
- inspectionnote: corrections to a closed visit. inspectionattachment: its photos and scans.
- finding: the checklist item it came from. correctiveaction: the re-inspection that verified it, and an
  index for the overdue worklist.
- inspectioncoverage: derived, one row per (county, year, month, category, centre) with its visits, kept by
  triggers on inspection (every writer keeps it in step) and filled here from the visits already stored:
  the year's grid counts distinct centres as rows of its primary key (no DISTINCT over a million visits).
Columns are added with ALTER TABLE (no copy of the million-row inspection table).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ostandari_desk.domain.text import persian_sort_key

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def _text(name: str, **kw) -> sa.Column:
    return sa.Column(name, _TEXT(), nullable=False, server_default="", **kw)


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable key column to ``target``. SQLite takes REFERENCES inline in ADD COLUMN, which alembic
    does not write, and a batch copy of the inspection table would rewrite a million rows."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR REFERENCES {target}(id)")
    else:
        op.add_column(table, sa.Column(column, _TEXT(), sa.ForeignKey(f"{target}.id"), nullable=True))


def _backfill_centres() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM centre")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE centre SET code = :code, name_sort = :key WHERE id = :id"),
            [{"id": i, "code": f"C-{i}", "key": persian_sort_key(name)} for i, name in rows],
        )


# The coverage table's key, in order; a visit of the province itself (county_id NULL) counts under "".
_COVERAGE_KEY = ("county_id", "jalali_year", "jalali_month", "category_id", "centre_id")
_COVERAGE_FILL = (
    "INSERT INTO inspectioncoverage (county_id, jalali_year, jalali_month, category_id, centre_id, visits) "
    "SELECT coalesce(county_id, ''), jalali_year, jalali_month, category_id, centre_id, count(*) FROM inspection "
    "GROUP BY county_id, jalali_year, jalali_month, category_id, centre_id"
)
_COVERAGE_OLD = (
    "county_id = coalesce(old.county_id, '') AND jalali_year = old.jalali_year AND "
    "jalali_month = old.jalali_month AND category_id = old.category_id AND centre_id = old.centre_id"
)
_COVERAGE_ADD = (
    "INSERT INTO inspectioncoverage (county_id, jalali_year, jalali_month, category_id, centre_id, visits) "
    "VALUES (coalesce(new.county_id, ''), new.jalali_year, new.jalali_month, new.category_id, new.centre_id, 1) "
    "ON CONFLICT (county_id, jalali_year, jalali_month, category_id, centre_id) "
    "DO UPDATE SET visits = inspectioncoverage.visits + 1"
)
_COVERAGE_TAKE = (
    f"UPDATE inspectioncoverage SET visits = visits - 1 WHERE {_COVERAGE_OLD}",
    f"DELETE FROM inspectioncoverage WHERE {_COVERAGE_OLD} AND visits <= 0",
)
_COVERAGE_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COVERAGE_KEY)
# Also in store/adapters/sqlite.py (the health check's rebuild; tests/services/test_health.py compares them).
_SQLITE_COVERAGE_TRIGGERS = (
    f"CREATE TRIGGER inspectioncoverage_insert AFTER INSERT ON inspection BEGIN {_COVERAGE_ADD}; END",
    f"CREATE TRIGGER inspectioncoverage_delete AFTER DELETE ON inspection BEGIN {'; '.join(_COVERAGE_TAKE)}; END",
    (
        f"CREATE TRIGGER inspectioncoverage_update AFTER UPDATE OF {', '.join(_COVERAGE_KEY)} ON inspection "
        f"WHEN {_COVERAGE_CHANGED} BEGIN {'; '.join(_COVERAGE_TAKE)}; {_COVERAGE_ADD}; END"
    ),
)
_POSTGRES_COVERAGE_TRIGGERS = (
    (
        "CREATE FUNCTION inspectioncoverage_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' AND NOT ({_COVERAGE_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
        "THEN RETURN NULL; END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {'; '.join(_COVERAGE_TAKE)}; END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_COVERAGE_ADD}; END IF; "
        "RETURN NULL; END $$"
    ),
    (
        f"CREATE TRIGGER inspectioncoverage_keep AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_COVERAGE_KEY)} "
        "ON inspection FOR EACH ROW EXECUTE FUNCTION inspectioncoverage_keep()"
    ),
)


def _create_coverage() -> None:
    op.create_table(
        "inspectioncoverage",
        sa.Column("county_id", _TEXT(), nullable=False),
        sa.Column("jalali_year", sa.Integer(), nullable=False),
        sa.Column("jalali_month", sa.Integer(), nullable=False),
        sa.Column("category_id", _TEXT(), nullable=False),
        sa.Column("centre_id", _TEXT(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_COVERAGE_KEY),
        sqlite_with_rowid=False,
    )
    op.execute(_COVERAGE_FILL)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_COVERAGE_TRIGGERS if sqlite else _POSTGRES_COVERAGE_TRIGGERS:
        op.execute(statement)


def _drop_coverage() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER inspectioncoverage_{name}")
    else:
        op.execute("DROP TRIGGER inspectioncoverage_keep ON inspection")
        op.execute("DROP FUNCTION inspectioncoverage_keep()")
    op.drop_table("inspectioncoverage")


def upgrade() -> None:
    for column in (_text("code"), _text("name_sort"), _text("licence_number"), _text("phone")):
        op.add_column("centre", column)
    _backfill_centres()
    op.create_index("ix_centre_code", "centre", ["code"], unique=True)
    op.create_index("ix_centre_name_sort", "centre", ["name_sort"], unique=False)
    op.create_index(
        "ix_centre_active_county_category", "centre", ["active", "county_id", "category_id"], unique=False
    )

    op.create_table(
        "checklisttemplate",
        *_record_columns(),
        sa.Column("category_id", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("title", _TEXT(), nullable=False),
        sa.Column("pass_score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["referenceitem.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category_id", "version"),
    )
    op.create_index("ix_checklisttemplate_category_id", "checklisttemplate", ["category_id"], unique=False)
    op.create_table(
        "checklistitem",
        *_record_columns(),
        sa.Column("template_id", _TEXT(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", _TEXT(), nullable=False),
        sa.Column("text", _TEXT(), nullable=False),
        sa.Column("answer_type", _TEXT(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["checklisttemplate.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checklistitem_template_id", "checklistitem", ["template_id"], unique=False)

    op.execute("ALTER TABLE inspection RENAME COLUMN checklist TO answers")
    _add_reference("inspection", "template_id", "checklisttemplate")
    op.add_column("inspection", sa.Column("score", sa.Integer(), nullable=True))
    op.add_column("inspection", sa.Column("result", _TEXT(), nullable=False, server_default="good"))
    op.add_column("inspection", _text("computed_result"))
    op.add_column("inspection", _text("override_reason"))
    op.add_column("inspection", sa.Column("correction_deadline", sa.Date(), nullable=True))
    op.add_column("inspection", _text("notes"))
    op.drop_index("ix_inspection_county_period", table_name="inspection")
    op.create_index(
        "ix_inspection_county_period",
        "inspection",
        ["county_id", "jalali_year", "jalali_month", "category_id", "centre_id", "result", "announced"],
        unique=False,
    )
    op.create_index("ix_inspection_reinspection_of_id", "inspection", ["reinspection_of_id"], unique=False)
    op.drop_index("ix_inspection_inspected_on", table_name="inspection")
    op.create_index(
        "ix_inspection_on_county",
        "inspection",
        ["inspected_on", "county_id", "announced", "result"],
        unique=False,
    )

    op.create_table(
        "inspectionnote",
        *_record_columns(),
        sa.Column("inspection_id", _TEXT(), nullable=False),
        sa.Column("text", _TEXT(), nullable=False),
        sa.Column("author", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inspectionnote_inspection_id", "inspectionnote", ["inspection_id"], unique=False)
    op.create_table(
        "inspectionattachment",
        *_record_columns(),
        sa.Column("inspection_id", _TEXT(), nullable=False),
        sa.Column("finding_id", _TEXT(), nullable=True),
        sa.Column("file_name", _TEXT(), nullable=False),
        sa.Column("sha256", _TEXT(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_path", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_inspectionattachment_inspection_id", "inspectionattachment", ["inspection_id"], unique=False
    )

    _add_reference("finding", "item_id", "checklistitem")
    _add_reference("correctiveaction", "verified_by_id", "inspection")
    op.create_index("ix_correctiveaction_open", "correctiveaction", ["done_on", "deadline"], unique=False)
    _create_coverage()


def downgrade() -> None:
    _drop_coverage()
    op.drop_index("ix_correctiveaction_open", table_name="correctiveaction")
    with op.batch_alter_table("correctiveaction") as batch_op:
        batch_op.drop_column("verified_by_id")
    with op.batch_alter_table("finding") as batch_op:
        batch_op.drop_column("item_id")
    op.drop_index("ix_inspectionattachment_inspection_id", table_name="inspectionattachment")
    op.drop_table("inspectionattachment")
    op.drop_index("ix_inspectionnote_inspection_id", table_name="inspectionnote")
    op.drop_table("inspectionnote")
    op.drop_index("ix_inspection_on_county", table_name="inspection")
    op.create_index("ix_inspection_inspected_on", "inspection", ["inspected_on"], unique=False)
    op.drop_index("ix_inspection_reinspection_of_id", table_name="inspection")
    op.drop_index("ix_inspection_county_period", table_name="inspection")
    op.create_index(
        "ix_inspection_county_period",
        "inspection",
        ["county_id", "jalali_year", "jalali_month", "category_id"],
        unique=False,
    )
    with op.batch_alter_table("inspection") as batch_op:
        for column in (
            "notes",
            "correction_deadline",
            "override_reason",
            "computed_result",
            "result",
            "score",
            "template_id",
        ):
            batch_op.drop_column(column)
    op.execute("ALTER TABLE inspection RENAME COLUMN answers TO checklist")
    op.drop_index("ix_checklistitem_template_id", table_name="checklistitem")
    op.drop_table("checklistitem")
    op.drop_index("ix_checklisttemplate_category_id", table_name="checklisttemplate")
    op.drop_table("checklisttemplate")
    op.drop_index("ix_centre_active_county_category", table_name="centre")
    op.drop_index("ix_centre_name_sort", table_name="centre")
    op.drop_index("ix_centre_code", table_name="centre")
    with op.batch_alter_table("centre") as batch_op:
        for column in ("phone", "licence_number", "name_sort", "code"):
            batch_op.drop_column(column)
