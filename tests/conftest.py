"""Shared fixtures: offscreen Qt, a private data folder, and a migrated database per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Nothing a test does touches the real user data folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("OSTANDARI_DESK_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory) -> Path:
    """Migrating takes a moment: do it once and copy the file for each test."""
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = open_database(sqlite_url(path))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db_path(tmp_path, _migrated_template) -> Path:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(_migrated_template, path)
    return path


@pytest.fixture
def engine(db_path):
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    engine = open_database(sqlite_url(db_path))
    yield engine
    engine.dispose()


TEST_CLERK = "کارشناس آزمون"


@pytest.fixture
def actor():
    """Who the tests act as: a system admin (every permission, every county) named like a clerk."""
    from ostandari_desk.domain.roles import Actor, Role

    return Actor(username="tester", full_name=TEST_CLERK, role=Role.ADMIN)


@pytest.fixture
def uow(engine, actor):
    from ostandari_desk.store.uow import UnitOfWork

    return UnitOfWork(engine, actor)


@pytest.fixture
def uow_as(engine):
    """Factory: ``uow_as(role, county_id=None, username=...)`` -> a UnitOfWork acting as such a user."""
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.store.uow import UnitOfWork

    def make(role: str, county_id: str | None = None, username: str | None = None) -> UnitOfWork:
        actor = Actor(
            username=username or f"test-{role}", full_name=TEST_CLERK, role=Role(role), county_id=county_id
        )
        return UnitOfWork(engine, actor)

    return make
