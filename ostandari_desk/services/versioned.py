"""Saving a versioned record: one UPDATE that names the version the clerk opened, and bumps it.

``UPDATE ... SET ..., row_version = row_version + 1 WHERE id = ? AND row_version = ?``: a save from a
form opened before someone else's save matches no row and is refused (ConcurrentEditError, Persian),
whatever the database's isolation. The unit of work audits the statement like any other write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ostandari_desk.errors import ConcurrentEditError
from ostandari_desk.services.audit import now_utc
from ostandari_desk.store.uow import UnitOfWork


def save_versioned(
    uow: UnitOfWork, record: Any, expected_version: int, values: dict[str, Any], stale: str
) -> int:
    """Write ``values`` to the loaded ``record`` if it is still at ``expected_version``; returns the new
    version. ``stale``: the Persian message when it is not (someone saved it in between)."""
    model = type(record)
    record_id = record.id
    result = uow.s.execute(
        update(model)
        .where(model.id == record_id, model.row_version == expected_version)
        .values(**values, updated_at=now_utc(), row_version=model.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    uow.s.expire(record)  # its attributes reload from the row just written
    if result.rowcount != 1:
        raise ConcurrentEditError(stale, record=record_id)
    return expected_version + 1
