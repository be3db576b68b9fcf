"""The unit of work: nested blocks, the county scope on reads and writes, the audit it writes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select, update

from ostandari_desk.domain import text
from ostandari_desk.domain.roles import SYSTEM, Actor, Permission, Role
from ostandari_desk.errors import NotFoundError, PermissionDeniedError
from ostandari_desk.store.models import AuditEntry, BoardMember, County, Ngo, new_id
from ostandari_desk.store.uow import UnitOfWork

_seq = iter(range(1, 10_000))


@pytest.fixture
def counties(engine) -> list[str]:
    from ostandari_desk.services import setup

    setup.initialize(UnitOfWork(engine, SYSTEM), "قزوین")
    with UnitOfWork(engine, SYSTEM) as uow:
        return [c.id for c in uow.s.execute(select(County).order_by(County.position)).scalars()]


def _ngo_row(county_id: str | None, name: str = "انجمن آزمون") -> dict:
    seq = next(_seq)
    return {
        "id": new_id(),
        "seq": seq,
        "national_id": f"{10100000000 + seq}",
        "name": name,
        "name_key": text.normalize(name),
        "name_sort": text.persian_sort_key(name),
        "level": "county",
        "county_id": county_id,
    }


def _add_ngo(engine, county_id: str | None, name: str = "انجمن آزمون") -> str:
    row = _ngo_row(county_id, name)
    with UnitOfWork(engine, SYSTEM) as uow:
        uow.s.execute(insert(Ngo), [row])
        uow.commit()
    return row["id"]


def _county_user(county_id: str) -> Actor:
    return Actor(username="shahrestan", full_name="کارشناس شهرستان", role=Role.COUNTY, county_id=county_id)


def _entries(engine, record_id: str) -> list[SimpleNamespace]:
    table = AuditEntry.__table__
    with engine.connect() as conn:
        stmt = select(table).where(table.c.record_id == record_id).order_by(table.c.at)
        return [SimpleNamespace(**row) for row in conn.execute(stmt).mappings()]


def test_unit_of_work_needs_an_actor(engine):
    with pytest.raises(TypeError):
        UnitOfWork(engine)  # type: ignore[call-arg]


def _count(engine, model) -> int:
    with UnitOfWork(engine, SYSTEM) as check:
        return check.s.execute(select(func.count()).select_from(model)).scalar_one()


def test_only_the_outermost_block_commits(engine, counties):
    uow = UnitOfWork(engine, SYSTEM)
    with pytest.raises(RuntimeError), uow:
        with uow:  # a service called inside another's block
            uow.s.execute(insert(Ngo), [_ngo_row(counties[0])])
            uow.commit()  # only flushes: the outer block decides
        assert _count(engine, Ngo) == 0  # not committed yet
        raise RuntimeError("the caller's next step fails")  # everything rolls back, audit included
    with UnitOfWork(engine, SYSTEM) as check:
        assert check.s.execute(select(func.count()).select_from(Ngo)).scalar_one() == 0
        assert (
            check.s.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.table_name == "ngo")
            ).scalar_one()
            == 0
        )

    with uow, uow:  # a caller that only wraps a service keeps the service's work
        uow.s.execute(insert(Ngo), [_ngo_row(counties[0])])
        uow.commit()
    assert _count(engine, Ngo) == 1

    with uow:  # a dry run discards what the inner block asked to keep
        with uow:
            uow.s.execute(insert(Ngo), [_ngo_row(counties[0])])
            uow.commit()
        uow.rollback()
    assert _count(engine, Ngo) == 1

    with uow:  # a block that writes and never commits leaves nothing
        uow.s.execute(insert(Ngo), [_ngo_row(counties[0])])
    assert _count(engine, Ngo) == 1


def test_each_write_is_recorded_field_by_field_with_the_actor(engine, counties):
    ngo_id = _add_ngo(engine, counties[0], "انجمن نخست")
    clerk = Actor(username="ali", full_name="علی", role=Role.CLERK, user_id="u-ali")
    with UnitOfWork(engine, clerk) as uow:
        uow.s.execute(
            update(Ngo).where(Ngo.id == ngo_id).values(name="انجمن دوم", phone="0281", row_version=2)
        )
        uow.commit()
    with UnitOfWork(engine, clerk) as uow:
        ngo = uow.get(Ngo, ngo_id)
        ngo.address = "قزوین، خیابان نادری"
        uow.commit()

    inserted, updated, orm_updated = _entries(engine, ngo_id)
    assert (inserted.action, inserted.username, inserted.role) == ("insert", "system", "admin")
    assert json.loads(inserted.changes)["name"] == [None, "انجمن نخست"]
    assert (updated.action, updated.username, updated.role, updated.user_id) == (
        "update",
        "ali",
        "clerk",
        "u-ali",
    )
    assert json.loads(updated.changes) == {"name": ["انجمن نخست", "انجمن دوم"], "phone": ["", "0281"]}
    assert json.loads(orm_updated.changes) == {"address": ["", "قزوین، خیابان نادری"]}


def test_a_child_row_is_recorded_under_its_parent(engine, counties):
    ngo_id = _add_ngo(engine, counties[0])
    member_id = new_id()
    with UnitOfWork(engine, SYSTEM) as uow:
        uow.s.execute(
            insert(BoardMember),
            [{"id": member_id, "ngo_id": ngo_id, "full_name": "مریم", "national_code": "0012345678"}],
        )
        uow.s.execute(delete(BoardMember).where(BoardMember.id == member_id))
        uow.commit()
    added, removed = _entries(engine, member_id)
    assert (added.action, added.owner_id) == ("insert", ngo_id)
    assert (removed.action, removed.owner_id) == ("delete", ngo_id)
    assert json.loads(removed.changes)["full_name"] == ["مریم", None]


def test_a_county_user_reads_only_their_county(engine, counties):
    mine = _add_ngo(engine, counties[0], "انجمن من")
    theirs = _add_ngo(engine, counties[1], "انجمن دیگر")
    _add_ngo(engine, None, "انجمن استانی")
    with UnitOfWork(engine, _county_user(counties[0])) as uow:
        assert uow.s.execute(select(Ngo.id)).scalars().all() == [mine]
        assert uow.s.execute(select(func.count()).select_from(Ngo)).scalar_one() == 1
        assert uow.get(Ngo, mine).name == "انجمن من"
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            uow.get(Ngo, theirs)
    with UnitOfWork(engine, SYSTEM) as uow:
        assert uow.s.execute(select(func.count()).select_from(Ngo)).scalar_one() == 3


@pytest.mark.parametrize(
    "how", ["core update", "core delete", "orm", "insert", "province insert", "child insert"]
)
def test_a_county_user_cannot_write_another_countys_records(engine, counties, how):
    theirs = _add_ngo(engine, counties[1], "انجمن دیگر")
    uow = UnitOfWork(engine, _county_user(counties[0]))
    with pytest.raises(PermissionDeniedError), uow:
        if how == "core update":
            uow.s.execute(update(Ngo).where(Ngo.id == theirs).values(name="دستکاری"))
        elif how == "core delete":
            uow.s.execute(delete(Ngo).where(Ngo.id == theirs))
        elif how == "orm":
            assert uow.s.get(Ngo, theirs) is None  # out of scope even by primary key
            uow.s.add(Ngo(**_ngo_row(counties[1])))
            uow.flush()
        elif how == "insert":
            uow.s.execute(insert(Ngo), [_ngo_row(counties[1])])
        elif how == "province insert":
            uow.s.execute(insert(Ngo), [_ngo_row(None)])
        else:
            uow.s.execute(
                insert(BoardMember),
                [{"id": new_id(), "ngo_id": theirs, "full_name": "x", "national_code": "0"}],
            )
        uow.commit()
    with UnitOfWork(engine, SYSTEM) as check:
        assert check.get(Ngo, theirs).name == "انجمن دیگر"
        assert check.s.execute(select(func.count()).select_from(Ngo)).scalar_one() == 1
        assert check.s.execute(select(func.count()).select_from(BoardMember)).scalar_one() == 0


def test_a_county_user_cannot_move_their_record_to_another_county(engine, counties):
    mine = _add_ngo(engine, counties[0])
    with pytest.raises(PermissionDeniedError), UnitOfWork(engine, _county_user(counties[0])) as uow:
        uow.s.execute(update(Ngo).where(Ngo.id == mine).values(county_id=counties[1]))
        uow.commit()


def test_permissions_follow_the_role(engine):
    clerk = UnitOfWork(engine, Actor(username="a", full_name="الف", role=Role.CLERK))
    with pytest.raises(PermissionDeniedError, match="اجازه"):
        clerk.require(Permission.DECIDE)
    UnitOfWork(engine, Actor(username="m", full_name="م", role=Role.MANAGER)).require(Permission.SANCTION)
    with pytest.raises(PermissionDeniedError):
        UnitOfWork(engine, Actor(username="m", full_name="م", role=Role.MANAGER)).require(
            Permission.MANAGE_USERS
        )


def test_the_audit_is_append_only_even_through_a_unit_of_work(engine, counties):
    ngo_id = _add_ngo(engine, counties[0])
    for statement in (
        update(AuditEntry).where(AuditEntry.record_id == ngo_id).values(username="x"),
        delete(AuditEntry).where(AuditEntry.record_id == ngo_id),
    ):
        with pytest.raises(Exception, match="append-only"), UnitOfWork(engine, SYSTEM) as uow:
            uow.s.execute(statement)
            uow.commit()
    assert len(_entries(engine, ngo_id)) == 1


def test_an_executemany_update_is_recorded_row_by_row_and_checked(engine, counties):
    from sqlalchemy import bindparam

    first, second = _add_ngo(engine, counties[0], "انجمن یک"), _add_ngo(engine, counties[0], "انجمن دو")
    theirs = _add_ngo(engine, counties[1], "انجمن دیگر")
    ngo = Ngo.__table__  # a plain-table executemany (the ORM reads a list as a bulk update by key)
    statement = update(ngo).where(ngo.c.id == bindparam("target")).values(phone=bindparam("new_phone"))
    with UnitOfWork(engine, SYSTEM).writing() as uow:
        uow.s.execute(
            statement, [{"target": first, "new_phone": "0281"}, {"target": second, "new_phone": "0282"}]
        )
        uow.commit()
    assert json.loads(_entries(engine, first)[-1].changes) == {"phone": ["", "0281"]}
    assert json.loads(_entries(engine, second)[-1].changes) == {"phone": ["", "0282"]}
    with pytest.raises(PermissionDeniedError), UnitOfWork(engine, _county_user(counties[0])).writing() as uow:
        uow.s.execute(statement, [{"target": first, "new_phone": "1"}, {"target": theirs, "new_phone": "2"}])
        uow.commit()
    assert len(_entries(engine, theirs)) == 1


def test_an_orm_bulk_update_by_primary_key_is_recorded(engine, counties):
    ngo_id = _add_ngo(engine, counties[0], "انجمن یک")
    with UnitOfWork(engine, SYSTEM).writing() as uow:
        uow.s.execute(update(Ngo), [{"id": ngo_id, "address": "قزوین"}])
        uow.commit()
    assert json.loads(_entries(engine, ngo_id)[-1].changes) == {"address": ["", "قزوین"]}
