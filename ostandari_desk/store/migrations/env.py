"""Alembic environment: runs on the connection handed over by store.schema.migrate, inside its one
transaction (foreign keys off, begun IMMEDIATE), so an upgrade is applied whole or not at all."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from ostandari_desk.store import models  # noqa: F401 - registers the tables

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line, for writing new revisions
        from ostandari_desk.store.engine import make_engine, writer

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with writer(engine).begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # The caller's transaction holds every migration: SQLite's DDL is transactional once BEGIN
        # is explicit (store/engine.py), and Alembic then leaves the commit to the caller.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
