"""Create, edit, deactivate an NGO: one transaction each, with audit entry and row version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ostandari_desk.errors import ConcurrentEditError, NotFoundError
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.ngos.rows import (
    BoardMemberInput,
    NgoInput,
)
from ostandari_desk.services.ngos.validation import _check_against_database, _Clean, _clean_input, next_seq
from ostandari_desk.store.models import BoardMember, Ngo, NgoField, new_id
from ostandari_desk.store.uow import UnitOfWork

# --- commands -----------------------------------------------------------------------------------


def _write_children(uow: UnitOfWork, ngo_id: str, clean: _Clean) -> None:
    s = uow.s
    s.execute(delete(NgoField).where(NgoField.ngo_id == ngo_id))
    s.execute(delete(BoardMember).where(BoardMember.ngo_id == ngo_id))
    if clean.field_ids:
        s.execute(insert(NgoField), [{"ngo_id": ngo_id, "field_id": f} for f in clean.field_ids])
    if clean.board:
        moment = now_utc()
        s.execute(
            insert(BoardMember),
            [
                {
                    "id": new_id(),
                    "created_at": moment,
                    "updated_at": moment,
                    "row_version": 1,
                    "ngo_id": ngo_id,
                    "full_name": m.full_name,
                    "national_code": m.national_code,
                    "role": m.role,
                    "expertise": m.expertise,
                    "term_start": m.term_start,
                    "term_end": m.term_end,
                }
                for m in clean.board
            ],
        )


def create_ngo(
    uow: UnitOfWork, data: NgoInput, board: list[BoardMemberInput] | tuple[BoardMemberInput, ...], clerk: str
) -> str:
    """Register a new NGO with its fields and board; returns its id. Commits.

    Warnings from validate_ngo are not repeated here: show them before calling.
    """
    clean = _clean_input(data, board)
    with uow:
        _check_against_database(uow, clean, None)
        values = dict(clean.values)
        moment = now_utc()
        ngo_id = new_id()
        values.update(
            id=ngo_id, seq=next_seq(uow), created_at=moment, updated_at=moment, row_version=1, status="active"
        )
        uow.s.execute(insert(Ngo), [values])
        _write_children(uow, ngo_id, clean)
        uow.commit()
        return ngo_id


def _bump(uow: UnitOfWork, ngo_id: str, expected_version: int | None, values: dict[str, Any]) -> None:
    """Update the ngo row if its version is still ``expected_version``; else ConcurrentEditError."""
    current = uow.s.execute(select(Ngo.row_version).where(Ngo.id == ngo_id)).scalar()
    if current is None:
        raise NotFoundError("سازمان پیدا نشد؛ شاید حذف شده باشد", record=ngo_id)
    stmt = update(Ngo).where(Ngo.id == ngo_id)
    if expected_version is not None:
        stmt = stmt.where(Ngo.row_version == expected_version)
    result = uow.s.execute(
        stmt.values(**values, updated_at=now_utc(), row_version=Ngo.row_version + 1).execution_options(
            synchronize_session=False
        )
    )
    if result.rowcount != 1:
        raise ConcurrentEditError(
            "اطلاعات این سازمان را کاربر دیگری پس از باز کردن شما ذخیره کرده است؛ آن را دوباره باز کنید",
            record=ngo_id,
        )


def update_ngo(
    uow: UnitOfWork,
    ngo_id: str,
    data: NgoInput,
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...],
    expected_version: int,
    clerk: str,
) -> None:
    """Save an edit: the NGO, its fields and its board (replaced) in one transaction. Commits.

    Raises:
        ConcurrentEditError: the record's row_version is no longer ``expected_version``.
    """
    clean = _clean_input(data, board)
    with uow:
        _check_against_database(uow, clean, ngo_id)
        _bump(uow, ngo_id, expected_version, clean.values)
        _write_children(uow, ngo_id, clean)
        uow.commit()


def set_ngo_active(
    uow: UnitOfWork, ngo_id: str, active: bool, clerk: str, expected_version: int | None = None
) -> None:
    """Mark an NGO active or inactive (it stays in the database and its history). Commits."""
    status = "active" if active else "inactive"
    with uow:
        _bump(uow, ngo_id, expected_version, {"status": status})
        uow.commit()
