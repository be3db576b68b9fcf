"""Shared fixtures: offscreen Qt, a private data folder, and a migrated database per test.

The store and service tests run on SQLite and on PostgreSQL (``-m postgres`` / ``-m "not postgres"`` pick
one): the server is ``OSTANDARI_TEST_PG_URL``'s, else a throwaway cluster this session starts and stops
(tests/pg_server.py); without one, the PostgreSQL tests are skipped with one line saying why.
"""

from __future__ import annotations

import itertools
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


# --- the database backends ----------------------------------------------------------------------------
# The store and service tests that use a database (the ``engine`` fixture, hence ``uow`` and ``desk``) run on
# SQLite and on PostgreSQL: ``backend`` is "sqlite" or "postgres", marked as such (``-m postgres``,
# ``-m "not postgres"``). Everything else, and a test marked ``sqlite_only`` (WAL, the file's backup and
# restore, old files' migrations, PRAGMAs...) or asking for the SQLite file (``db_path``), runs on SQLite
# only. A test asking for the server itself (``pg_url``, ``pg_server``) is marked ``postgres``.
BOTH_BACKENDS = ("tests/store/", "tests/services/")
_TESTS = Path(__file__).resolve().parent


def _runs_on_both(metafunc) -> bool:
    where = Path(str(metafunc.definition.path)).resolve()
    try:
        relative = where.relative_to(_TESTS.parent).as_posix()
    except ValueError:
        return False
    return (
        relative.startswith(BOTH_BACKENDS)
        and "engine" in metafunc.fixturenames
        and "db_path" not in metafunc.fixturenames
        and metafunc.definition.get_closest_marker("sqlite_only") is None
    )


def pytest_generate_tests(metafunc):
    if _runs_on_both(metafunc):
        metafunc.parametrize(
            "backend",
            [
                pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite"),
                pytest.param("postgres", marks=pytest.mark.postgres, id="postgres"),
            ],
        )


def pytest_collection_modifyitems(items):
    for item in items:
        used = getattr(item, "fixturenames", ())
        marked = item.get_closest_marker("postgres") or item.get_closest_marker("sqlite")
        if "pg_server" in used and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)  # asks for the server itself (pg_url, pg_server)
        elif ("backend" in used or "db_path" in used) and not marked:
            item.add_marker(pytest.mark.sqlite)  # on the SQLite engine or file, not parametrized


@pytest.fixture
def backend() -> str:
    """Which database a test's ``engine`` is on: "sqlite" unless parametrized (pytest_generate_tests)."""
    return "sqlite"


_pg_skip_reason: list[str] = []


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server (``OSTANDARI_TEST_PG_URL``, or a throwaway cluster started now and stopped at
    the end); skips every test needing it, with one reason, when there is none."""
    from tests.pg_server import PgServer, PgUnavailable

    try:
        server = PgServer.from_environment()
    except PgUnavailable as exc:
        _pg_skip_reason.append(str(exc))
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _pg_template(pg_server) -> str:
    """A migrated database on the server, made once per session: each test's database is a copy of it."""
    from ostandari_desk.store.schema import open_database
    from tests.pg_server import unique_prefix

    prefix = unique_prefix()
    name = f"{prefix}_template"
    open_database(pg_server.create_database(name)).dispose()
    return name


_pg_databases = itertools.count(1)


@pytest.fixture
def pg_url(pg_server, _pg_template):
    """The URL of a fresh migrated PostgreSQL database for this test (dropped after it)."""
    name = f"{_pg_template.removesuffix('_template')}_{next(_pg_databases)}"
    url = pg_server.create_database(name, template=_pg_template)
    yield url
    pg_server.drop_database(name)


def pytest_terminal_summary(terminalreporter):
    if _pg_skip_reason:
        terminalreporter.write_line(_pg_skip_reason[0], yellow=True)


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
    """The test's SQLite file (a copy of the migrated template); asking for it makes a test SQLite-only."""
    path = tmp_path / "desk.sqlite3"
    shutil.copy(_migrated_template, path)
    return path


@pytest.fixture
def engine(request, backend):
    """An engine on a fresh migrated database of the test's ``backend``."""
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    if backend == "postgres":
        url = request.getfixturevalue("pg_url")
    else:
        url = sqlite_url(request.getfixturevalue("db_path"))
    engine = open_database(url)
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
