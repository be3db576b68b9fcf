"""The names of the sheet kinds, in menu order: one module each under ``services/transfer`` (its ``KIND``).

Kept apart from the ``services.transfer`` package so that the command line's parser can offer them for
``template|import|export KIND`` without importing the importers (openpyxl, every kind's rows).
"""

from __future__ import annotations

__all__ = ["SHEET_KINDS"]

SHEET_KINDS: tuple[str, ...] = (
    "ngos",
    "licences",
    "boards",
    "events",
    "letters",
    "centres",
    "inspections",
    "memoranda",
    "progress",
    "payments",
    "offices",
)
