"""Opening a database: create or upgrade it by Alembic migrations, refuse one newer than the app.

All the migrations of an upgrade (or of a new file) run in ONE transaction begun IMMEDIATE (store/engine.py
emits BEGIN itself, so the DDL is inside it): a kill or an error leaves the file exactly as it was, and a
second process opening the same old file waits, then finds it upgraded. Foreign keys are off around that
transaction (a batch migration on SQLite copies and drops tables, which would cascade-delete children;
the pragma cannot change inside a transaction) and `PRAGMA foreign_key_check` runs before it commits.

An existing SQLite file is copied aside before it is upgraded, with SQLite's online backup API, once per
revision: «<name>.before-upgrade-<revision>» while the upgrade from that revision is pending (a retry
reuses it), stamped with the time once the upgrade is done. A failed upgrade raises UpgradeFailedError
naming that copy, and ``restore_before_upgrade`` puts it back (the current file kept aside).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ostandari_desk.errors import DatabaseUnavailableError, SchemaError, UpgradeFailedError, UserError
from ostandari_desk.store.engine import make_engine, writer

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest migration. Kept here so opening an up-to-date file needs no Alembic import (a third of
# a second at start-up); tests/store/test_schema.py checks it against the migration scripts.
HEAD_REVISION = "0013"


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_file_at_head(url: str) -> bool:
    """A read-only peek with the standard library: is this SQLite file already at HEAD_REVISION?"""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    path = Path(parsed.database)
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == HEAD_REVISION


def open_database(url: str) -> Engine:
    """An engine on an up-to-date schema; raises SchemaError for a database newer than the app."""
    if _sqlite_file_at_head(url):
        return make_engine(url)
    from alembic.script import ScriptDirectory

    engine = make_engine(url)
    config = _alembic_config()
    scripts = ScriptDirectory.from_config(config)
    current = current_revision(engine)
    head = scripts.get_current_head()
    if current == head:
        return engine
    if current is not None and current not in {rev.revision for rev in scripts.walk_revisions()}:
        engine.dispose()
        raise SchemaError(reason=SchemaError.NEWER, database=engine.url.database)
    copy = _copy_before_upgrade(engine, current) if current is not None else None
    try:
        migrate(engine, "head", config=config)
    except Exception as exc:
        engine.dispose()
        if copy is None or isinstance(exc, DatabaseUnavailableError) and not isinstance(exc, SchemaError):
            raise  # a new file (nothing to restore), or locked, full, read-only...: said as such
        why = f"{exc.message} " if isinstance(exc, UserError) else ""
        raise UpgradeFailedError(
            "به‌روزرسانی پایگاه داده برای این نسخه برنامه انجام نشد و پرونده همان‌گونه که بود ماند. "
            f"{why}رونوشتی که پیش از به‌روزرسانی گرفته شد: {copy}",
            copy=str(copy),
            database=engine.url.database,
        ) from exc
    if copy is not None:
        _archive(copy)
    return engine


def migrate(
    engine: Engine, target: str = "head", *, downgrade: bool = False, config: Config | None = None
) -> None:
    """Upgrade (or downgrade) to ``target`` in one transaction, with foreign keys off around it.

    Raises SchemaError when the result breaks a foreign key (nothing is kept then).
    """
    from alembic import command

    config = config or _alembic_config()
    sqlite = engine.url.get_backend_name() == "sqlite"
    with writer(engine).connect() as conn:
        driver = conn.connection.driver_connection if sqlite else None
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=OFF")  # before BEGIN: a no-op inside a transaction
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                (command.downgrade if downgrade else command.upgrade)(config, target)
                if driver is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaError(f"پس از به‌روزرسانی پایگاه داده، {len(broken)} پیوند شکسته یافت شد.")
        finally:
            config.attributes.pop("connection", None)
            if driver is not None:
                try:
                    driver.execute("PRAGMA foreign_keys=ON")
                except sqlite3.Error:  # never hand a connection without foreign keys back to the pool
                    conn.invalidate()


# --- the before-upgrade copy -------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def pending_copy_path(database: Path, revision: str) -> Path:
    """Where the copy of ``database`` made before upgrading it from ``revision`` waits for the upgrade."""
    return database.with_name(f"{database.stem}.before-upgrade-{revision}{database.suffix}")


def _copy_before_upgrade(engine: Engine, revision: str) -> Path | None:
    """The copy of the database at ``revision``: made now, or the one an earlier attempt made."""
    source = _sqlite_path(engine)
    if source is None:
        return None
    target = pending_copy_path(source, revision)
    if not target.exists():  # written under a temporary name: it exists only when complete
        copy_database(source, target)
    return target


def _archive(copy: Path) -> Path:
    """After a successful upgrade: the copy gets its time, so a later upgrade from the same revision
    (after a restore, say) makes a fresh one."""
    stamp = datetime.fromtimestamp(copy.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
    done = copy.with_name(f"{copy.stem}-{stamp}{copy.suffix}")
    os.replace(copy, done)
    return done


def copy_database(source: Path | str | sqlite3.Connection, target: Path) -> None:
    """Copy the SQLite database ``source`` (its committed state, WAL included, while others may use it)
    to ``target`` with SQLite's online backup API (store/database_files.py); the copy is written under a
    temporary name, flushed to disk and renamed, so ``target`` is never half a database."""
    from ostandari_desk.store import database_files  # it imports this module

    partial = target.with_name(f"partial-{target.name}")
    try:
        database_files.snapshot(source if isinstance(source, sqlite3.Connection) else Path(source), partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on Windows: renames there are durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def restore_before_upgrade(database: Path | str, copy: Path | str) -> Path:
    """Put the before-upgrade ``copy`` back as ``database``; the current file is kept aside first (a copy
    made with the backup API). Returns where it was kept.

    Done holding the file alone (store/database_files.py), in one transaction: a crash leaves the file
    as it was. Raises DatabaseUnavailableError ("locked") while another window or program has it open.
    """
    from ostandari_desk.store import database_files  # it imports this module

    database, copy = Path(database), Path(copy)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = database.with_name(f"{database.stem}.failed-upgrade-{stamp}{database.suffix}")
    try:
        with database_files.exclusive_access(database) as held:
            copy_database(held, aside)
            database_files.replace_contents(held, copy)
    except database_files.DatabaseBusyError as exc:
        raise DatabaseUnavailableError(DatabaseUnavailableError.LOCKED, database=str(database)) from exc
    except database_files.NotADatabaseError:  # nobody can use a file SQLite cannot read: move it aside
        os.replace(database, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        copy_database(copy, database)
    return aside
