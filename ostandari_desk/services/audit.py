"""The audit trail (one AuditEntry per service mutation) and the unit-of-work scope services share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ostandari_desk.store.models import AuditEntry
from ostandari_desk.store.uow import UnitOfWork


def now_utc() -> datetime:
    """An aware UTC timestamp.

    The SQLModel datetime columns (UTCDateTime) refuse naive values, and ``models.utc_now`` — the
    default factory of created_at/updated_at — returns a naive one; until that is fixed, services
    pass ``**stamps()`` when creating records and ``now_utc()`` when touching them.
    """
    return datetime.now(UTC)


def stamps() -> dict[str, datetime]:
    """created_at/updated_at for a new record (see now_utc)."""
    moment = now_utc()
    return {"created_at": moment, "updated_at": moment}


@contextmanager
def ensure_open(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """Enter ``uow`` unless the caller already has; yields it.

    So a service works both ways: ``create_ngo(uow, ...)`` on its own (its own transaction), or
    inside a caller's ``with uow:`` block (the caller's transaction; the service's commit commits it).
    """
    if uow.session is not None:
        yield uow
        return
    with uow:
        yield uow


def record(
    uow: UnitOfWork, username: str, action: str, table_name: str, record_id: str, detail: str = ""
) -> None:
    """Add an audit entry to the open unit of work; it is committed with the change it describes."""
    uow.s.add(
        AuditEntry(
            at=now_utc(),
            username=username or "",
            action=action,
            table_name=table_name,
            record_id=record_id,
            detail=detail,
        )
    )
