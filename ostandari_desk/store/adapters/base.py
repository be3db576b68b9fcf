"""What a database must offer the services beyond plain SQL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatabaseAdapters:
    """One database's implementations (filled in per dialect; see adapters/sqlite.py)."""

    name: str
