"""Create, edit, deactivate an NGO: one transaction each, with row version; the unit of work audits.

Fields and board members are saved as a difference against what is stored (a member is matched by
national code), so the NGO's history shows what changed, not a delete and re-insert of everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ostandari_desk.errors import ConcurrentEditError, NotFoundError
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.ngos.rows import BoardMemberInput, NgoInput
from ostandari_desk.services.ngos.validation import _check_against_database, _Clean, _clean_input, next_seq
from ostandari_desk.store.models import BoardMember, Ngo, NgoField, new_id
from ostandari_desk.store.uow import UnitOfWork

_MEMBER_FIELDS = ("full_name", "role", "expertise", "term_start", "term_end")


def _member_values(member: BoardMemberInput) -> dict[str, Any]:
    return {name: getattr(member, name) for name in _MEMBER_FIELDS}


def _write_fields(uow: UnitOfWork, ngo_id: str, field_ids: tuple[str, ...]) -> None:
    stored = set(uow.s.execute(select(NgoField.field_id).where(NgoField.ngo_id == ngo_id)).scalars())
    wanted = set(field_ids)
    if stored - wanted:
        uow.s.execute(
            delete(NgoField).where(NgoField.ngo_id == ngo_id, NgoField.field_id.in_(stored - wanted))
        )
    added = [f for f in field_ids if f not in stored]
    if added:
        uow.s.execute(insert(NgoField), [{"ngo_id": ngo_id, "field_id": f} for f in added])


def _write_board(uow: UnitOfWork, ngo_id: str, board: tuple[BoardMemberInput, ...]) -> None:
    """Make the stored board equal ``board``: update members kept, delete those gone, insert the new."""
    s = uow.s
    table = BoardMember.__table__
    stored = {
        row["national_code"]: row
        for row in s.execute(select(table).where(table.c.ngo_id == ngo_id)).mappings()
    }
    wanted = {m.national_code: m for m in board}
    gone = [row["id"] for code, row in stored.items() if code not in wanted]
    if gone:
        s.execute(delete(BoardMember).where(BoardMember.id.in_(gone)))
    moment = now_utc()
    for code, member in wanted.items():
        row = stored.get(code)
        if row is None:
            continue
        values = _member_values(member)
        if any(row[k] != v for k, v in values.items()):  # one statement per row: the trail audits each
            s.execute(
                update(BoardMember)
                .where(BoardMember.id == row["id"])
                .values(**values, updated_at=moment, row_version=BoardMember.row_version + 1)
                .execution_options(synchronize_session=False)
            )
    new = [m for code, m in wanted.items() if code not in stored]
    if new:
        s.execute(
            insert(BoardMember),
            [
                {
                    "id": new_id(),
                    "created_at": moment,
                    "updated_at": moment,
                    "row_version": 1,
                    "ngo_id": ngo_id,
                    "national_code": m.national_code,
                    **_member_values(m),
                }
                for m in new
            ],
        )


def _write_children(uow: UnitOfWork, ngo_id: str, clean: _Clean) -> None:
    _write_fields(uow, ngo_id, clean.field_ids)
    _write_board(uow, ngo_id, clean.board)


def create_ngo(
    uow: UnitOfWork, data: NgoInput, board: list[BoardMemberInput] | tuple[BoardMemberInput, ...] = ()
) -> str:
    """Register a new NGO with its fields and board; returns its id.

    Warnings from validate_ngo are not repeated here: show them before calling.

    Raises:
        PermissionDeniedError: a county user registering an NGO of another county or of the province.
    """
    clean = _clean_input(data, board)
    with uow.writing():
        uow.check_county(clean.values["county_id"])
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


def _bump(uow: UnitOfWork, ngo_id: str, expected_version: int | None, values: dict[str, Any]) -> int:
    """Update the ngo row if its version is still ``expected_version``; else ConcurrentEditError.
    Returns the new version.

    The read is scoped to the actor's county: another county's NGO is not found. Without
    ``expected_version`` (the desk's own work, never a clerk's form) the version read here is the one
    the UPDATE requires: the block began IMMEDIATE, so nothing can come between.
    """
    current = uow.s.execute(select(Ngo.row_version).where(Ngo.id == ngo_id)).scalar()
    if current is None:
        raise NotFoundError("سازمان پیدا نشد؛ شاید حذف شده باشد", record=ngo_id)
    version = current if expected_version is None else expected_version
    stmt = update(Ngo).where(Ngo.id == ngo_id, Ngo.row_version == version)
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
    return version + 1


def update_ngo(
    uow: UnitOfWork,
    ngo_id: str,
    data: NgoInput,
    board: list[BoardMemberInput] | tuple[BoardMemberInput, ...],
    expected_version: int,
) -> None:
    """Save an edit: the NGO, its fields and its board in one transaction.

    Raises:
        ConcurrentEditError: the record's row_version is no longer ``expected_version``.
        PermissionDeniedError: moving the NGO out of a county user's county.
    """
    clean = _clean_input(data, board)
    with uow.writing():
        _check_against_database(uow, clean, ngo_id)
        _bump(uow, ngo_id, expected_version, clean.values)
        _write_children(uow, ngo_id, clean)
        uow.commit()


def set_ngo_active(uow: UnitOfWork, ngo_id: str, active: bool, *, expected_version: int | None = None) -> int:
    """Mark an NGO active or inactive (it stays in the database and its history); returns its new row
    version. A screen passes the version it showed as ``expected_version``.

    Raises:
        ConcurrentEditError: the record's row_version is no longer ``expected_version``.
    """
    status = "active" if active else "inactive"
    with uow.writing():
        version = _bump(uow, ngo_id, expected_version, {"status": status})
        uow.commit()
        return version
