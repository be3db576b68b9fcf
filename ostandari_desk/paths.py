"""Where the application keeps its files; OSTANDARI_DESK_HOME overrides (tests, portable use).

Also which database the desk opened last: an SQLite file's path, or a PostgreSQL server's URL
(``postgresql://user@host:port/dbname``). A URL is never a file name (``is_server_url`` is asked before
anything becomes a ``Path``) and a password written in it is never remembered (``without_password``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

APP_NAME = "OstandariDesk"
RECENT_FILE = "databases.json"
RECENT_LIMIT = 8

# postgresql://, postgres:// and postgresql+<driver>:// (SQLAlchemy's spelling)
_SERVER_URL = re.compile(r"^postgres(?:ql)?(?:\+[a-z0-9_]+)?://", re.IGNORECASE)


def data_dir() -> Path:
    """The user data folder (AppData on Windows); created on first use."""
    override = os.environ.get("OSTANDARI_DESK_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database() -> Path:
    return data_dir() / "ostandari.sqlite3"


def is_server_url(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a PostgreSQL server (``postgresql://…``) rather than a file."""
    return isinstance(location, str) and bool(_SERVER_URL.match(location.strip()))


def without_password(url: str) -> str:
    """``url`` with the password taken out of it (``user:secret@host`` becomes ``user@host``, and a
    ``password=`` parameter is dropped)."""
    parts = urlsplit(url.strip())
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.partition(':')[0]}@{hostport}" if at else parts.netloc
    query = "&".join(p for p in parts.query.split("&") if p and p.split("=", 1)[0].lower() != "password")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _recent_path() -> Path:
    return data_dir() / RECENT_FILE


def recent_databases() -> list[str]:
    """The databases opened lately, the last one first: file paths and server URLs (no passwords)."""
    try:
        stored = json.loads(_recent_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: nothing remembered
        return []
    recent = stored.get("recent") if isinstance(stored, dict) else None
    if not isinstance(recent, list):
        return []
    return [item for item in recent if isinstance(item, str) and item][:RECENT_LIMIT]


def remember_database(location: str | os.PathLike[str]) -> None:
    """Remember ``location`` as the database opened last (a server URL without its password)."""
    if is_server_url(location):
        entry = without_password(str(location))
    else:
        entry = str(Path(location).resolve())
    recent = [entry] + [item for item in recent_databases() if item != entry]
    target = _recent_path()
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_text(json.dumps({"recent": recent[:RECENT_LIMIT]}, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


def last_database() -> Path | str:
    """The database the desk opens without ``--db``: the one opened last (a server URL as a string, or a
    file that is still there), else the user's own file."""
    for entry in recent_databases():
        if is_server_url(entry):
            return entry
        if Path(entry).is_file():
            return Path(entry)
    return default_database()


def attachments_dir() -> Path:
    path = data_dir() / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The shipped resources: beside the package, or inside a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def forms_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "forms"
    return Path(__file__).resolve().parent.parent / "forms"
