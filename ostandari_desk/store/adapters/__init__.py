"""The database-specific parts behind the unit of work: full-text search, bulk loading, planner hints.

Services ask ``uow.db`` and never branch on the dialect. SQLite (adapters/sqlite.py) and PostgreSQL
(adapters/postgresql.py) have adapters; another database is refused with a Persian message.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Engine

from ostandari_desk.errors import DatabaseUnavailableError
from ostandari_desk.store.adapters.base import DatabaseAdapters


def adapters_for(engine: Engine | Connection) -> DatabaseAdapters:
    """The adapters for the dialect of ``engine`` (or of a connection: a session's bind)."""
    return _for_dialect(engine.dialect.name)


@cache
def _for_dialect(name: str) -> DatabaseAdapters:
    if name == "sqlite":
        from ostandari_desk.store.adapters.sqlite import SQLITE

        return SQLITE
    if name == "postgresql":
        from ostandari_desk.store.adapters.postgresql import POSTGRESQL

        return POSTGRESQL
    raise DatabaseUnavailableError(
        DatabaseUnavailableError.CANNOT_OPEN,
        f"این برنامه هنوز با پایگاه داده «{name}» کار نمی‌کند؛ فقط پرونده SQLite و سرور PostgreSQL پشتیبانی می‌شوند.",
    )


__all__ = ["DatabaseAdapters", "adapters_for"]
