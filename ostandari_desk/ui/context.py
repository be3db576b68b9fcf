"""AppContext: what every page needs — the engine, the signed-in actor, a fresh unit of work, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AppContext"]


@dataclass
class AppContext:
    """Shared by the main window and every page; pages call services with ``context.uow()``.

    Attributes:
        engine: the SQLAlchemy engine of the open database.
        actor: the signed-in user (domain.roles.Actor); every unit of work acts for them.
        db_path: the database file, shown in the status bar (None for a non-file URL).
    """

    engine: Any
    actor: Any
    db_path: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def uow(self):
        """A new UnitOfWork on the engine acting for the signed-in user (one per use case)."""
        from ostandari_desk.services.session import unit_of_work

        return unit_of_work(self.engine, self.actor)

    # --- settings (services/settings.py) ------------------------------------------------------

    def setting(self, key: str) -> Any:
        """The current value of a declared setting."""
        from ostandari_desk import settings

        return settings.get_setting(self.uow(), key)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting (validated by settings.py; ValidationError carries a Persian message)."""
        from ostandari_desk import settings

        settings.set_setting(self.uow(), key, value)
        self._cache.pop("all", None)

    def all_settings(self) -> dict[str, Any]:
        from ostandari_desk import settings

        return settings.all_settings(self.uow())

    @property
    def database_label(self) -> str:
        """The open database as the status bar names it: the file, or the server's URL (no password)."""
        if self.db_path is not None:
            return str(self.db_path)
        from ostandari_desk.services.credentials import describe

        return describe(self.engine)

    @property
    def office_name(self) -> str:
        return str(self.setting("office_name") or "")

    @classmethod
    def open(cls, engine: Any, actor: Any, db_path: Path | None = None) -> AppContext:
        """A context for ``actor`` (signed in by the login dialog, or the wizard's first admin)."""
        return cls(engine=engine, actor=actor, db_path=db_path)
