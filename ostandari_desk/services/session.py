"""Opening a desk for the screens and the command line: the database, and a unit of work for an actor.

The ui and cli layers come through here, so they never import the store (an import-linter contract).
``database_unavailable(exc)`` names a raw driver error that means the database cannot be used now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from ostandari_desk.domain.roles import SYSTEM, Actor
from ostandari_desk.errors import DatabaseUnavailableError
from ostandari_desk.paths import is_server_url
from ostandari_desk.store import db_errors, schema
from ostandari_desk.store import engine as store_engine
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

log = logging.getLogger(__name__)


def open_desk(path: Path | str) -> Engine:
    """An engine on the database file at ``path`` (or a server's SQLAlchemy URL: services/credentials.py
    opens servers), created or upgraded to the app's schema.

    A database upgraded from before checklists (its centre categories have none) gets the shipped
    checklist templates here; when they are there this costs one query.
    """
    engine = open_database(str(path) if is_server_url(path) else sqlite_url(path))
    _seed_missing_templates(engine)
    return engine


def _seed_missing_templates(engine: Engine) -> None:
    from ostandari_desk.services.inspections import templates

    if templates.templates_missing(UnitOfWork(engine, SYSTEM)):
        try:
            templates.seed_default_templates(UnitOfWork(engine, SYSTEM))
        except DatabaseUnavailableError as exc:  # read-only or locked: the next opening tries again
            log.warning("shipped checklist templates not added now: %s", exc.reason)


def unit_of_work(engine: Engine, actor: Actor) -> UnitOfWork:
    """A unit of work on ``engine`` acting for ``actor`` (one per use case)."""
    return UnitOfWork(engine, actor)


def database_unavailable(error: BaseException) -> DatabaseUnavailableError | None:
    """``error`` (a driver error raised outside the store's engines) as a DatabaseUnavailableError, or None."""
    return db_errors.database_unavailable(error)


def on_lock_wait(listener: Callable[[bool], None]) -> Callable[[], None]:
    """``listener(True)`` when a save starts waiting for another program that holds the database's write
    lock, ``listener(False)`` when the wait ends; called on the waiting thread. Returns the remover."""
    return store_engine.on_lock_wait(listener)


def restore_before_upgrade(database: Path | str, copy: Path | str) -> Path:
    """Put back the copy a failed upgrade named (UpgradeFailedError.copy), keeping the current file aside;
    returns where it was kept. Only while no engine has the database open."""
    return schema.restore_before_upgrade(database, copy)
