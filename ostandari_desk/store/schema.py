"""Opening a database: create or upgrade it by Alembic migrations, refuse one newer than the app.

Migrations run with foreign keys off (a batch migration on SQLite copies and drops tables, which
would cascade-delete children) and are followed by `PRAGMA foreign_key_check`. An existing SQLite
file is copied aside before it is upgraded.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from ostandari_desk.errors import SchemaError
from ostandari_desk.store.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest migration. Kept here so opening an up-to-date file needs no Alembic import (a third of
# a second at start-up); tests/store/test_schema.py checks it against the migration scripts.
HEAD_REVISION = "0005"


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
        raise SchemaError(
            "این پایگاه داده با نسخه‌ای تازه‌تر از این برنامه ساخته شده است و باز نمی‌شود؛ "
            "لطفاً برنامه را به‌روز کنید."
        )
    if current is not None:
        _backup(engine, current)
    _upgrade(engine, config)
    return engine


def _backup(engine: Engine, revision: str) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.stem}.before-upgrade-{revision}-{stamp}{source.suffix}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    shutil.copy2(source, target)
    return target


def _upgrade(engine: Engine, config: Config) -> None:
    from alembic import command

    with engine.connect() as conn:
        sqlite = engine.url.get_backend_name() == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
        if sqlite:
            broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise SchemaError(f"پس از به‌روزرسانی پایگاه داده، {len(broken)} پیوند شکسته یافت شد.")
