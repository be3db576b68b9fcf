"""Users: signing in, the lockout, disabled users, passwords, the last admin, who may manage users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ostandari_desk.domain.roles import SYSTEM, Role
from ostandari_desk.errors import AuthenticationError, DuplicateError, PermissionDeniedError, ValidationError
from ostandari_desk.services import users
from ostandari_desk.services.audit import now_utc
from ostandari_desk.store.models import AuditEntry, County
from ostandari_desk.store.uow import UnitOfWork

PASSWORD = "secret-123"


@pytest.fixture
def office(engine):
    """An initialized desk with its first admin; returns (engine, admin actor, county ids)."""
    from ostandari_desk.services import setup

    setup.initialize(UnitOfWork(engine, SYSTEM), "قزوین")
    users.create_first_admin(UnitOfWork(engine, SYSTEM), "admin", "مدیر سامانه آزمون", PASSWORD)
    admin = users.authenticate(engine, "admin", PASSWORD)
    with UnitOfWork(engine, SYSTEM) as uow:
        counties = [c.id for c in uow.s.execute(select(County).order_by(County.position)).scalars()]
    return engine, admin, counties


def _actions(engine, username: str | None = None) -> list[str]:
    table = AuditEntry.__table__
    stmt = select(table.c.action).order_by(table.c.at)
    if username:
        stmt = stmt.where(table.c.username == username)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def test_sign_in_gives_the_actor_and_is_logged(office):
    engine, admin, _ = office
    assert (admin.username, admin.role, admin.county_scope) == ("admin", Role.ADMIN, None)
    assert admin.user_id
    assert users.authenticate(engine, "ADMIN", PASSWORD).user_id == admin.user_id  # case-blind username
    assert _actions(engine, "admin").count("login") == 2


def test_a_county_user_carries_their_county(office):
    engine, admin, counties = office
    users.create_user(UnitOfWork(engine, admin), "abyek", "کارشناس آبیک", "county", PASSWORD, counties[1])
    actor = users.authenticate(engine, "abyek", PASSWORD)
    assert actor.county_scope == counties[1] and actor.county_name
    assert "کارشناس شهرستان" in actor.display


def test_wrong_password_is_refused_and_logged(office):
    engine, _, _ = office
    with pytest.raises(AuthenticationError, match="نادرست"):
        users.authenticate(engine, "admin", "wrong")
    with pytest.raises(AuthenticationError, match="نادرست"):
        users.authenticate(engine, "nobody", PASSWORD)
    assert _actions(engine).count("login_failed") == 2


def test_five_failures_lock_the_user_for_five_minutes(office):
    engine, _, _ = office
    start = now_utc()
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            users.authenticate(engine, "admin", "wrong", now=start)
    assert "lockout" in _actions(engine, "admin")
    # locked: even the right password is refused
    with pytest.raises(AuthenticationError, match="قفل"):
        users.authenticate(engine, "admin", PASSWORD, now=start + timedelta(minutes=4))
    # five minutes on, the right password works again
    assert (
        users.authenticate(engine, "admin", PASSWORD, now=start + timedelta(minutes=5, seconds=1)).username
        == "admin"
    )


def test_a_success_resets_the_failure_count(office):
    engine, _, _ = office
    for _ in range(users.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationError):
            users.authenticate(engine, "admin", "wrong")
    users.authenticate(engine, "admin", PASSWORD)
    for _ in range(users.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationError):
            users.authenticate(engine, "admin", "wrong")
    assert users.authenticate(engine, "admin", PASSWORD).username == "admin"


def test_a_disabled_user_cannot_sign_in(office):
    engine, admin, _ = office
    user_id = users.create_user(UnitOfWork(engine, admin), "reza", "رضا", "clerk", PASSWORD)
    users.set_user_active(UnitOfWork(engine, admin), user_id, False)
    with pytest.raises(AuthenticationError, match="غیرفعال"):
        users.authenticate(engine, "reza", PASSWORD)
    users.set_user_active(UnitOfWork(engine, admin), user_id, True)
    assert users.authenticate(engine, "reza", PASSWORD).role is Role.CLERK


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(office):
    engine, admin, _ = office
    with pytest.raises(ValidationError, match="تنها مدیر سامانه"):
        users.set_user_active(UnitOfWork(engine, admin), admin.user_id, False)
    with pytest.raises(ValidationError, match="تنها مدیر سامانه"):
        users.update_user(UnitOfWork(engine, admin), admin.user_id, "مدیر", "manager")
    second = users.create_user(UnitOfWork(engine, admin), "admin2", "مدیر دوم", "admin", PASSWORD)
    users.update_user(UnitOfWork(engine, admin), admin.user_id, "مدیر", "manager")  # another admin remains
    with pytest.raises(ValidationError, match="تنها مدیر سامانه"):
        users.set_user_active(
            UnitOfWork(engine, users.authenticate(engine, "admin2", PASSWORD)), second, False
        )


def test_only_an_admin_manages_users(office):
    engine, admin, _ = office
    users.create_user(UnitOfWork(engine, admin), "boss", "مدیر کل", "manager", PASSWORD)
    manager = users.authenticate(engine, "boss", PASSWORD)
    with pytest.raises(PermissionDeniedError):
        users.create_user(UnitOfWork(engine, manager), "x", "ایکس", "clerk", PASSWORD)
    with pytest.raises(PermissionDeniedError):
        users.list_users(UnitOfWork(engine, manager))
    with pytest.raises(PermissionDeniedError):
        users.reset_password(UnitOfWork(engine, manager), admin.user_id, "another-pass")


def test_user_input_is_checked(office):
    engine, admin, _ = office
    uow = UnitOfWork(engine, admin)
    with pytest.raises(ValidationError, match="گذرواژه"):
        users.create_user(uow, "short", "کوتاه", "clerk", "123")
    with pytest.raises(ValidationError, match="شهرستان"):
        users.create_user(uow, "nocounty", "بی‌شهرستان", "county", PASSWORD)
    with pytest.raises(DuplicateError):
        users.create_user(uow, "Admin", "تکراری", "clerk", PASSWORD)
    with pytest.raises(ValidationError, match="نقش"):
        users.create_user(uow, "odd", "عجیب", "superuser", PASSWORD)
    with pytest.raises(ValidationError):
        users.create_first_admin(UnitOfWork(engine, SYSTEM), "late", "دیرآمده", PASSWORD)


def test_passwords_change_and_reset(office):
    engine, admin, _ = office
    user_id = users.create_user(UnitOfWork(engine, admin), "sara", "سارا", "clerk", PASSWORD)
    sara = users.authenticate(engine, "sara", PASSWORD)
    with pytest.raises(ValidationError, match="کنونی"):
        users.change_own_password(UnitOfWork(engine, sara), "wrong", "new-password")
    users.change_own_password(UnitOfWork(engine, sara), PASSWORD, "new-password")
    with pytest.raises(AuthenticationError):
        users.authenticate(engine, "sara", PASSWORD)
    users.reset_password(UnitOfWork(engine, admin), user_id, "reset-password")
    assert users.authenticate(engine, "sara", "reset-password").username == "sara"
    assert _actions(engine).count("password") == 2
    with engine.connect() as conn:  # a password's hash never reaches the trail
        assert not any(
            "argon2" in (c or "") for c in conn.execute(select(AuditEntry.__table__.c.changes)).scalars()
        )


def test_users_are_listed_for_an_admin(office):
    engine, admin, counties = office
    users.create_user(UnitOfWork(engine, admin), "abyek", "کارشناس آبیک", "county", PASSWORD, counties[1])
    rows = users.list_users(UnitOfWork(engine, admin))
    assert [r.username for r in rows] == ["abyek", "admin"]
    assert rows[0].role_label == "کارشناس شهرستان" and rows[0].county_name
    assert users.has_users(engine)
