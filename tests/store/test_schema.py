"""Opening databases: fresh, older (backed up and upgraded), newer (refused).

An upgrade is one transaction: a failure or a kill leaves the file exactly as it was (issue 7, finding 2),
its before-upgrade copy is made once, with the backup API, and can be restored.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from ostandari_desk.errors import DatabaseUnavailableError, SchemaError
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
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    with pytest.raises(SchemaError, match="تازه‌تر"):
        open_database(sqlite_url(path))


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


# --- upgrades that fail or die -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
OLD = "0004"


def _old_database(path: Path) -> None:
    """A database at revision 0004 with one setting, as an older desk left it."""
    from ostandari_desk.store import schema
    from ostandari_desk.store.engine import make_engine

    engine = make_engine(sqlite_url(path))
    schema.migrate(engine, OLD)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO setting(key, value) VALUES ('office_name', '\"اداره کل\"')")
    engine.dispose()


def _shape(path: Path) -> tuple:
    """The file's revision, schema and setting rows: what an interrupted upgrade must not change."""
    with closing(sqlite3.connect(path)) as conn, conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        sql = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        rows = conn.execute("SELECT key, value FROM setting ORDER BY key").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return revision, sql, rows


def _copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.before-upgrade-*"))


def _upgrades_then(monkeypatch, then) -> None:
    """From now on every upgrade runs all its migrations, then ``then(connection)`` (raising, say)."""
    from alembic import command

    real = command.upgrade

    def upgrade(config, target, *args, **kwargs):
        real(config, target, *args, **kwargs)
        then(config.attributes["connection"])

    monkeypatch.setattr(command, "upgrade", upgrade)


def _fail(_connection) -> None:
    raise RuntimeError("a migration failed")


def test_a_failed_upgrade_leaves_the_file_as_it_was_and_names_its_one_copy(tmp_path, monkeypatch):
    from ostandari_desk.errors import UpgradeFailedError

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    before = _shape(path)
    _upgrades_then(monkeypatch, _fail)
    with pytest.raises(UpgradeFailedError) as first:
        open_database(sqlite_url(path))
    assert _shape(path) == before
    assert first.value.copy in first.value.message and Path(first.value.copy).exists()
    with pytest.raises(UpgradeFailedError) as second:  # a retry reuses the copy
        open_database(sqlite_url(path))
    assert second.value.copy == first.value.copy
    assert _copies(path) == [Path(first.value.copy)]
    assert _shape(path) == before

    monkeypatch.undo()
    engine = open_database(sqlite_url(path))
    assert current_revision(engine) == head_revision()
    engine.dispose()
    (copy,) = _copies(path)  # still one copy, now stamped with its time
    assert copy.name.startswith(f"old.before-upgrade-{OLD}-")
    assert _shape(copy) == before


def test_an_upgrade_that_breaks_a_link_is_taken_back_whole(tmp_path, monkeypatch):
    from ostandari_desk.errors import UpgradeFailedError

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    before = _shape(path)
    _upgrades_then(
        monkeypatch,
        lambda conn: conn.exec_driver_sql(
            "INSERT INTO county (id, created_at, updated_at, row_version, province_id, name, name_key, position, "
            "active) VALUES ('c9', '2024-01-01', '2024-01-01', 1, 'no-such-province', 'x', 'x', 1, 1)"
        ),
    )
    with pytest.raises(UpgradeFailedError, match="پیوند شکسته"):
        open_database(sqlite_url(path))
    assert _shape(path) == before


KILLED_UPGRADE = """
import os, sys
from alembic import command
real = command.upgrade
def killed(config, target, *args, **kwargs):
    real(config, target, *args, **kwargs)
    os._exit(9)  # every migration has run; nothing was committed: a kill -9 now
command.upgrade = killed
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import open_database
open_database(sqlite_url(sys.argv[1]))
"""


def _killed_upgrade(path: Path) -> None:
    argv = [sys.executable, "-c", KILLED_UPGRADE, str(path)]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    assert result.returncode == 9, result.stderr.decode()


def test_an_upgrade_killed_before_it_commits_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    before = _shape(path)
    _killed_upgrade(path)
    assert _shape(path) == before  # not "duplicate column name: ceo_sort" on the next start
    _killed_upgrade(path)
    assert len(_copies(path)) == 1  # the retry reused the first attempt's copy
    engine = open_database(sqlite_url(path))
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert len(_copies(path)) == 1


def test_a_new_database_whose_creation_was_killed_is_created_cleanly_next_time(tmp_path):
    """The first part of ``init``: the schema of a new file is all there or not at all."""
    path = tmp_path / "new.sqlite3"
    _killed_upgrade(path)
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)
    engine = open_database(sqlite_url(path))  # not "table auditentry already exists"
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert _copies(path) == []


def test_a_failed_creation_of_a_new_database_leaves_no_tables(tmp_path, monkeypatch):
    path = tmp_path / "new.sqlite3"
    _upgrades_then(monkeypatch, _fail)
    with pytest.raises(RuntimeError, match="a migration failed"):
        open_database(sqlite_url(path))
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_the_before_upgrade_copy_has_what_the_wal_holds_while_the_file_is_in_use(tmp_path):
    """The backup API copies the committed state, WAL included, even while a reader holds an old
    snapshot (a checkpoint then cannot finish, and a file copy would miss the WAL's rows)."""
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM setting").fetchone()  # holds the snapshot before the write
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("INSERT INTO setting(key, value) VALUES ('inquiry_due_days', '45')")
    writer.close()
    try:
        engine = open_database(sqlite_url(path))
        engine.dispose()
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    (copy,) = _copies(path)
    with closing(sqlite3.connect(copy)) as conn, conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM setting")}
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (OLD,)
    assert keys == {"office_name", "inquiry_due_days"}


def test_restoring_the_before_upgrade_copy_keeps_the_current_file_aside(tmp_path):
    from ostandari_desk.services.session import restore_before_upgrade
    from ostandari_desk.store.schema import copy_database, pending_copy_path

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    copy = pending_copy_path(path, OLD)
    copy_database(path, copy)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO setting(key, value) VALUES ('inquiry_due_days', '45')")
    holder = sqlite3.connect(path)  # another window still has it open: refused, nothing changed
    holder.execute("SELECT count(*) FROM setting").fetchone()
    with pytest.raises(DatabaseUnavailableError) as busy:
        restore_before_upgrade(path, copy)
    holder.close()
    assert busy.value.reason == "locked"
    assert len(_shape(path)[2]) == 2
    aside = restore_before_upgrade(path, copy)
    with closing(sqlite3.connect(path)) as conn, conn:
        assert {k for (k,) in conn.execute("SELECT key FROM setting")} == {"office_name"}
    with closing(sqlite3.connect(aside)) as conn, conn:
        assert {k for (k,) in conn.execute("SELECT key FROM setting")} == {"office_name", "inquiry_due_days"}
    assert aside.name.startswith("old.failed-upgrade-")
