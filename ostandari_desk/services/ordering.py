"""ORDER BY terms for the list pages, with NULL where SQLite puts it on every database.

SQLite orders NULL before every value (first going up, last going down); PostgreSQL orders it after. A sort
column that can be NULL — the county of a record outer-joined to it (the province's own records have none),
a visit's score — is named in ``nullable`` and gets an explicit NULLS FIRST / NULLS LAST, so the province's
rows lead an ascending county sort on both databases. The other columns keep the plain term: PostgreSQL
walks a B-tree index only in its own NULL order, and SQLite plans both forms alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col


def order_terms(columns: Sequence[Any], descending: bool, nullable: Sequence[Any] = ()) -> list[Any]:
    """``columns`` as ORDER BY terms, all descending or all ascending; those of ``nullable`` (the same column
    objects) with NULL first going up and last going down, as SQLite orders them."""
    terms = []
    for column in columns:
        term = col(column).desc() if descending else col(column).asc()
        if any(column is n for n in nullable):
            term = term.nulls_last() if descending else term.nulls_first()
        terms.append(term)
    return terms
