"""The demo on PostgreSQL: the same seed builds the same province as on SQLite, and the server's desk is sound.

Also what a server is not asked to do: the desk's own backup and restore refuse it in Persian (the server's
pg_dump backs it up). Runs on a real server (tests/conftest.py ``pg_server``: ``OSTANDARI_TEST_PG_URL`` or a
throwaway cluster; skipped with one line when there is none).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from ostandari_desk import settings
from ostandari_desk.domain.roles import SYSTEM, Actor, Role
from ostandari_desk.errors import UserError
from ostandari_desk.services import backup, health, restore
from ostandari_desk.services.demo import build_demo
from ostandari_desk.services.demo.build import DEMO_TABLES
from ostandari_desk.services.ngos import NgoFilter, count_ngos, list_ngo_page
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.models import AuditEntry
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres

TODAY = dt.date(2026, 11, 23)
ADMIN = Actor(username="tester", full_name="کارشناس آزمون", role=Role.ADMIN)
# the build's own moment (utc_now), not the seed's: differs between any two builds
_MOMENT = {"created_at", "updated_at", "at"}


@pytest.fixture(scope="module")
def demos(pg_server, tmp_path_factory, _migrated_template):
    """The small demo built with one seed on PostgreSQL and on SQLite: (postgres engine, sqlite engine)."""
    from tests.pg_server import unique_prefix

    name = f"{unique_prefix()}_demo"
    pg = open_database(pg_server.create_database(name))
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(_migrated_template, path)
    lite = open_database(sqlite_url(path))
    summaries = [build_demo(engine, "small", seed=1401, today=TODAY) for engine in (pg, lite)]
    yield pg, lite, summaries
    pg.dispose()
    lite.dispose()
    pg_server.drop_database(name)


def _rows(engine, table_name: str) -> list[tuple]:
    table = SQLModel.metadata.tables[table_name]
    columns = [c for c in table.columns if c.name not in _MOMENT]
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(select(*columns)))


def test_the_same_seed_builds_the_same_province_on_both(demos):
    pg, lite, (on_pg, on_sqlite) = demos
    assert on_pg.counts == on_sqlite.counts and on_pg.ngos == 500
    for table in (*DEMO_TABLES, "inspectioncoverage", "county", "referenceitem", "checklisttemplate"):
        assert _rows(pg, table) == _rows(lite, table), table


def test_the_list_search_and_counts_agree_with_sqlite(demos):
    pg, lite, _ = demos
    for typed in ("", "انجمن", "انجمن حما", "علي رضايي", "۱۲", "خیریه ام"):
        found = []
        for engine in (pg, lite):
            with UnitOfWork(engine, SYSTEM) as uow:
                flt = NgoFilter(text=typed)
                found.append((count_ngos(uow, flt), [r.name for r in list_ngo_page(uow, flt, limit=50)]))
        assert found[0] == found[1], typed
        assert found[0][0] > 0 or typed == "علي رضايي"


def test_the_demo_on_the_server_is_healthy_and_its_bulk_path_restores_the_schema(demos):
    pg, _lite, _ = demos
    report = health.check_health(UnitOfWork(pg, ADMIN))
    assert report.healthy, report.lines()

    def catalog(cursor) -> list[tuple]:
        cursor.execute(
            "SELECT 'i', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION ALL "
            "SELECT 'c', conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace UNION ALL "
            "SELECT 't', tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
        )
        return cursor.fetchall()

    db = adapters_for(pg)
    raw = pg.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        before = catalog(cursor)
        deferred = db.set_aside_indexes(cursor, DEMO_TABLES)
        kinds = {kind for kind, *_rest in deferred}
        assert kinds == {"index", "constraint", "trigger"}
        assert len(catalog(cursor)) < len(before)
        cursor.execute("DELETE FROM inspectioncoverage")  # what the build leaves for the refill
        cursor.execute("UPDATE memorandum SET paid_total = 0, latest_progress = 0")
        steps = []
        db.restore_indexes(cursor, deferred, lambda done, total: steps.append((done, total)))
        assert catalog(cursor) == before and steps[-1][0] == steps[-1][1]
        raw.driver_connection.commit()
    finally:
        raw.close()
    assert health.check_health(UnitOfWork(pg, ADMIN)).healthy


def test_a_second_build_on_the_server_is_refused(demos):
    pg, _lite, _ = demos
    with pytest.raises(UserError, match="خالی نیست"):
        build_demo(pg, "small", seed=7, today=TODAY)


def test_the_desks_own_backup_and_restore_refuse_a_server_database(demos, tmp_path):
    pg, _lite, _ = demos
    with pytest.raises(UserError) as caught:
        backup.make_backup(UnitOfWork(pg, ADMIN), tmp_path / "desk.sqlite3", tmp_path / "out.zip")
    assert "pg_dump" in caught.value.message and "PostgreSQL" in caught.value.message
    assert not (tmp_path / "out.zip").exists()
    assert backup.make_automatic_backup(UnitOfWork(pg, SYSTEM), tmp_path / "desk.sqlite3") is None
    status = backup.backup_status(UnitOfWork(pg, ADMIN))
    assert status.server and not status.stale and not status.due
    archive = tmp_path / "some-backup.zip"
    archive.write_bytes(b"not read")
    for where in (None, "postgresql://clerk@db.office/desk"):
        with pytest.raises(UserError, match="pg_restore"):
            restore.prepare_restore(archive, where)
    with UnitOfWork(pg, ADMIN) as uow:  # nothing was recorded as backed up
        assert not settings.get_setting(uow, "last_backup_at")
        assert not uow.s.exec(select(AuditEntry.id).where(AuditEntry.action == "backup")).first()
