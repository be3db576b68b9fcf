"""Transactions on SQLite: BEGIN is explicit, writers begin IMMEDIATE, readers DEFERRED; the lock wait.

Issue 7, findings 2 and 3: pysqlite ran DDL and reads outside any transaction (so a rollback or a kill
kept half the work), and keys were chosen before the write lock was taken.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select, text

from ostandari_desk.domain.roles import SYSTEM
from ostandari_desk.store import engine as store_engine
from ostandari_desk.store import uow as store_uow
from ostandari_desk.store.engine import make_engine, sqlite_url
from ostandari_desk.store.models import Setting
from ostandari_desk.store.uow import UnitOfWork

# pysqlite's BEGIN and SQLite's locks (PostgreSQL's writers and readers: test_postgresql_adapter.py)
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setattr(UnitOfWork, "strict_writes", True)


def _trigger_exists(engine, name: str = "ngo_fts_insert") -> bool:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        )
        return found.first() is not None


def _holder(db_path) -> sqlite3.Connection:
    """Another program's connection (the standard library's, autocommit) on the same file."""
    return sqlite3.connect(db_path, timeout=0, isolation_level=None, check_same_thread=False)


def test_ddl_before_the_first_write_is_rolled_back(engine):
    """The DDL of an import or a migration is inside its transaction: a rollback takes it back."""
    assert _trigger_exists(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP TRIGGER ngo_fts_insert")
        conn.rollback()
    assert _trigger_exists(engine)
    uow = UnitOfWork(engine, SYSTEM)
    with uow.writing():
        uow.s.connection().exec_driver_sql("DROP TRIGGER ngo_fts_insert")
        uow.rollback()
    assert _trigger_exists(engine)


def test_reads_of_one_block_see_one_snapshot(engine, db_path):
    """A reader's block is one transaction: a commit elsewhere between two reads is not seen."""
    other = _holder(db_path)
    uow = UnitOfWork(engine, SYSTEM)
    with uow:
        before = uow.s.execute(select(Setting.value).where(Setting.key == "office_name")).first()
        other.execute("INSERT OR REPLACE INTO setting(key, value) VALUES ('office_name', '\"تازه\"')")
        again = uow.s.execute(select(Setting.value).where(Setting.key == "office_name")).first()
    other.close()
    assert before == again


def test_busy_timeout_is_at_least_ten_seconds(engine):
    assert store_engine.BUSY_TIMEOUT_MS >= 10_000
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_a_database_file_is_read_through_a_memory_map_but_not_on_a_share(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == store_engine.MMAP_SIZE > 0
    assert store_engine._may_map("/home/clerk/desk.sqlite3") and store_engine._may_map(r"C:\Users\x\d.db")
    for unmapped in (r"\\server\share\desk.sqlite3", "//server/share/desk.sqlite3", ":memory:", "", None):
        assert not store_engine._may_map(unmapped), unmapped
    memory = make_engine("sqlite://")
    try:
        with memory.connect() as conn:
            assert not conn.exec_driver_sql("PRAGMA mmap_size").scalar()  # None: nothing to map
    finally:
        memory.dispose()


def test_a_writer_holds_the_write_lock_from_its_first_read(engine, db_path):
    uow = UnitOfWork(engine, SYSTEM)
    other = _holder(db_path)
    try:
        with uow.writing():
            uow.s.execute(select(Setting.key)).all()  # a read only, so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the block ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_reader_never_waits_for_a_writer(engine, db_path):
    other = _holder(db_path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO setting(key, value) VALUES ('office_name', '\"در حال ورود\"')")
    try:
        started = time.perf_counter()
        uow = UnitOfWork(engine, SYSTEM)
        with uow:
            assert uow.s.execute(select(Setting.value).where(Setting.key == "office_name")).first() is None
        assert time.perf_counter() - started < 0.5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_writer_nested_in_a_reader_that_has_read_is_refused_in_tests(engine, strict):
    uow = UnitOfWork(engine, SYSTEM)
    with uow:
        uow.s.execute(select(Setting.key)).all()  # began DEFERRED
        with pytest.raises(store_uow.UndeclaredWriteError):
            uow.writing()


def test_a_writer_nested_in_a_block_not_begun_yet_begins_it_immediate(engine, strict):
    uow = UnitOfWork(engine, SYSTEM)
    with uow, uow.writing():
        uow.s.add(Setting(key="office_name", value='"اداره"'))
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM setting WHERE key = 'office_name'")).scalar() == '"اداره"'


def test_a_write_committed_from_a_reader_transaction_is_refused_in_tests(engine, strict):
    uow = UnitOfWork(engine, SYSTEM)
    with pytest.raises(store_uow.UndeclaredWriteError), uow:
        uow.s.add(Setting(key="office_name", value='"اداره"'))
        uow.commit()


def test_a_savepoint_in_a_reader_block_stays_inside_its_transaction(engine):
    """The adapters' begin() before a SAVEPOINT: the RELEASE must not commit on its own."""
    uow = UnitOfWork(engine, SYSTEM)
    with uow:
        with uow.savepoint():
            uow.s.add(Setting(key="office_name", value='"اداره"'))
            uow.flush()
        uow.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM setting WHERE key = 'office_name'")).scalar() == 0


def test_a_writer_kept_waiting_is_announced_and_then_gets_the_lock(engine, db_path):
    heard: list[bool] = []
    remove = store_engine.on_lock_wait(heard.append)
    other = _holder(db_path)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.8, lambda: other.execute("ROLLBACK"))
    release.start()
    try:
        started = time.perf_counter()
        uow = UnitOfWork(engine, SYSTEM)
        with uow.writing():
            uow.s.add(Setting(key="office_name", value='"اداره"'))
            uow.commit()
        waited = time.perf_counter() - started
    finally:
        release.join()
        other.close()
        remove()
    assert heard == [True, False]
    assert 0.6 < waited < 5


def test_a_writer_that_does_not_wait_says_nothing(engine):
    heard: list[bool] = []
    remove = store_engine.on_lock_wait(heard.append)
    try:
        uow = UnitOfWork(engine, SYSTEM)
        with uow.writing():
            uow.s.add(Setting(key="office_name", value='"اداره"'))
            uow.commit()
    finally:
        remove()
    assert heard == []


def test_a_writer_gives_up_after_the_busy_timeout_with_a_persian_error(tmp_path, monkeypatch):
    from ostandari_desk.errors import DatabaseUnavailableError

    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "busy.sqlite3"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
    other = _holder(path)
    other.execute("BEGIN IMMEDIATE")
    heard: list[bool] = []
    remove = store_engine.on_lock_wait(heard.append)
    try:
        with pytest.raises(DatabaseUnavailableError) as caught, store_engine.writer(engine).begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        remove()
        other.execute("ROLLBACK")
        other.close()
        engine.dispose()
    assert caught.value.reason == "locked"
    assert heard == [True, False]
