"""Opening databases: fresh, older (backed up and upgraded), newer (refused)."""

from __future__ import annotations

import sqlite3

import pytest

from ostandari_desk.errors import SchemaError
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import current_revision, head_revision, open_database


def test_new_database_is_migrated_to_head_with_wal_and_foreign_keys(tmp_path):
    engine = open_database(sqlite_url(tmp_path / "new.sqlite3"))
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert {"ngo", "licence", "licencestep", "inspection", "memorandum", "ngo_fts"} <= names


def test_database_newer_than_the_app_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(sqlite_url(path)).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    with pytest.raises(SchemaError, match="تازه‌تر"):
        open_database(sqlite_url(path))


def test_backup_before_upgrade_copies_the_whole_database(tmp_path):
    from ostandari_desk.store.schema import _backup

    path = tmp_path / "old.sqlite3"
    engine = open_database(sqlite_url(path))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO setting(key, value) VALUES ('office_name', 'اداره کل')")
    copy = _backup(engine, "0001")
    assert copy is not None and copy.name.startswith("old.before-upgrade-0001-")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT value FROM setting").fetchone() == ("اداره کل",)


def test_head_constant_matches_the_migration_scripts():
    from ostandari_desk.store.schema import HEAD_REVISION

    assert HEAD_REVISION == head_revision()


def test_up_to_date_file_opens_without_importing_alembic(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "ready.sqlite3"
    open_database(sqlite_url(path)).dispose()
    code = (
        "import sys; from ostandari_desk.store.schema import open_database;"
        f"open_database({sqlite_url(path)!r}); print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
