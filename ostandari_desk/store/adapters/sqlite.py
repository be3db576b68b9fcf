"""SQLite: FTS5 for the NGO search, executemany with the full-text trigger set aside for bulk loads."""

from __future__ import annotations

from ostandari_desk.store.adapters.base import DatabaseAdapters

SQLITE = DatabaseAdapters(name="sqlite")
