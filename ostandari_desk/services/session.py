"""Opening a desk for the screens and the command line: the database, and a unit of work for an actor.

The ui and cli layers come through here, so they never import the store (an import-linter contract).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ostandari_desk.domain.roles import Actor
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork


def open_desk(path: Path | str) -> Engine:
    """An engine on the database file at ``path``, created or upgraded to the app's schema."""
    return open_database(sqlite_url(path))


def unit_of_work(engine: Engine, actor: Actor) -> UnitOfWork:
    """A unit of work on ``engine`` acting for ``actor`` (one per use case)."""
    return UnitOfWork(engine, actor)
