"""Users: signing in (argon2id, a lockout after repeated failures), and an admin's user management.

The last active admin can be neither disabled nor demoted, so the desk always has someone to manage it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select

from ostandari_desk.domain import text
from ostandari_desk.domain.roles import ROLE_LABELS, SYSTEM, Actor, Permission, Role
from ostandari_desk.errors import AuthenticationError, DuplicateError, NotFoundError, ValidationError
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.store.models import County, User
from ostandari_desk.store.uow import UnitOfWork

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 6
WRONG_CREDENTIALS = "نام کاربری یا گذرواژه نادرست است"

_hasher = PasswordHasher()  # argon2id with the library's current parameters


@dataclass(frozen=True)
class UserRow:
    id: str
    username: str
    full_name: str
    role: str
    county_id: str | None
    county_name: str
    active: bool
    locked_until: datetime | None
    row_version: int

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


def username_key(username: str) -> str:
    return text.normalize(username).casefold()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"گذرواژه دست‌کم باید {text.to_persian_digits(MIN_PASSWORD_LENGTH)} نویسه باشد", field="password"
        )


def _county_name(uow: UnitOfWork, county_id: str | None) -> str:
    if not county_id:
        return ""
    county = uow.s.get(County, county_id)
    return county.name if county else ""


def actor_of(uow: UnitOfWork, user: User) -> Actor:
    return Actor(
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        county_id=user.county_id,
        user_id=user.id,
        county_name=_county_name(uow, user.county_id),
    )


def _find(uow: UnitOfWork, username: str) -> User | None:
    return uow.s.execute(select(User).where(User.username_key == username_key(username))).scalars().first()


def has_users(engine: Engine) -> bool:
    """Whether anyone can sign in yet (an upgraded database may have none: it asks for a first admin)."""
    with UnitOfWork(engine, SYSTEM) as uow:
        return uow.s.execute(select(func.count()).select_from(User)).scalar_one() > 0


# --- signing in ------------------------------------------------------------------------------------


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> Actor:
    """The actor for these credentials; AuthenticationError (Persian) otherwise. Every attempt is logged.

    Five failures in a row lock the user for five minutes; a locked or disabled user cannot sign in even
    with the right password.
    """
    now = now or now_utc()
    with UnitOfWork(engine, SYSTEM) as probe:
        found = _find(probe, username or "")
        actor = actor_of(probe, found) if found is not None else None
    with UnitOfWork(engine, actor or SYSTEM).writing() as uow:
        if actor is None:
            uow.audit("login_failed", "user", "", detail=f"نام کاربری ناشناخته: {text.clean(username)}")
            uow.commit()
            raise AuthenticationError(WRONG_CREDENTIALS, field="username")
        user = _user(uow, actor.user_id or "")
        refusal = _refusal(uow, user, password, now)
        uow.commit()
    if refusal is not None:
        raise refusal
    assert actor is not None
    return actor


def _refusal(uow: UnitOfWork, user: User, password: str, now: datetime) -> AuthenticationError | None:
    """Check one attempt against ``user``, record it, and return the error to raise (None: signed in)."""
    locked_until = user.locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=now.tzinfo)
    if not user.active:
        uow.audit("login_failed", "user", user.id, detail="کاربر غیرفعال")
        return AuthenticationError("این کاربر غیرفعال شده است؛ با مدیر سامانه تماس بگیرید", field="username")
    if locked_until is not None and locked_until > now:
        uow.audit("login_failed", "user", user.id, detail="کاربر قفل است")
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        return AuthenticationError(
            f"به سبب ورودهای نادرست پیاپی، این کاربر تا {text.to_persian_digits(minutes)} دقیقه دیگر قفل است",
            field="username",
        )
    if not _verify(user, password):
        user.failed_logins += 1
        uow.audit("login_failed", "user", user.id, detail="گذرواژه نادرست")
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            uow.audit("lockout", "user", user.id, detail=f"{MAX_FAILED_LOGINS} ورود نادرست پیاپی")
        return AuthenticationError(WRONG_CREDENTIALS, field="password")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    uow.audit("login", "user", user.id)
    return None


def _verify(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def log_out(uow: UnitOfWork) -> None:
    with uow.writing():
        uow.audit("logout", "user", uow.actor.user_id or "")
        uow.commit()


# --- managing users ----------------------------------------------------------------------------


def create_first_admin(uow: UnitOfWork, username: str, full_name: str, password: str) -> str:
    """The desk's first admin (set-up, or the first open of a database that has no users)."""
    with uow.writing():
        if uow.s.execute(select(func.count()).select_from(User)).scalar_one() > 0:
            raise ValidationError("این پایگاه داده کاربر دارد؛ کاربر تازه را مدیر سامانه می‌افزاید")
        user_id = _add(uow, username, full_name, Role.ADMIN, password, None)
        uow.commit()
        return user_id


def create_user(
    uow: UnitOfWork, username: str, full_name: str, role: str, password: str, county_id: str | None = None
) -> str:
    """An admin adds a user; a county user needs their county. Returns the new user's id."""
    with uow.writing():
        uow.require(Permission.MANAGE_USERS)
        user_id = _add(uow, username, full_name, _role(role), password, county_id)
        uow.commit()
        return user_id


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(f"نقش «{role}» شناخته نیست", field="role") from None


def _add(
    uow: UnitOfWork,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    county_id: str | None,
    *,
    check_password: bool = True,
) -> str:
    name = text.clean(username)
    if not name or any(ch.isspace() for ch in name):
        raise ValidationError("نام کاربری باید یک واژه بی‌فاصله باشد", field="username")
    if not text.clean(full_name):
        raise ValidationError("نام و نام خانوادگی کاربر وارد نشده است", field="full_name")
    if check_password:
        _check_password(password)
    county_id = _checked_county(uow, role, county_id)
    if _find(uow, name) is not None:
        raise DuplicateError(f"نام کاربری «{name}» پیش‌تر ثبت شده است", field="username")
    user = User(
        **stamps(),
        username=name,
        username_key=username_key(name),
        full_name=text.clean(full_name),
        password_hash=hash_password(password),
        role=role.value,
        county_id=county_id,
    )
    uow.s.add(user)
    uow.s.flush()
    return user.id


def add_demo_user(uow: UnitOfWork, username: str, full_name: str, role: Role, password: str) -> str:
    """The demo database's well-known user (its short password is printed on the login dialog)."""
    with uow.writing():
        user_id = _add(uow, username, full_name, role, password, None, check_password=False)
        uow.commit()
        return user_id


def _checked_county(uow: UnitOfWork, role: Role, county_id: str | None) -> str | None:
    if role is not Role.COUNTY:
        return None
    if not county_id or uow.s.get(County, county_id) is None:
        raise ValidationError("برای کارشناس شهرستان، شهرستان را برگزینید", field="county")
    return county_id


def _user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.s.get(User, user_id)
    if user is None:
        raise NotFoundError("کاربر پیدا نشد", record=user_id)
    return user


def _other_active_admins(uow: UnitOfWork, user_id: str) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user_id)
    )
    return uow.s.execute(stmt).scalar_one()


def _keep_an_admin(uow: UnitOfWork, user: User) -> None:
    if user.role == Role.ADMIN.value and user.active and _other_active_admins(uow, user.id) == 0:
        raise ValidationError(
            "این کاربر تنها مدیر سامانه فعال است؛ نخست مدیر سامانه دیگری تعریف کنید",
            field="role",
            record=user.id,
        )


def update_user(
    uow: UnitOfWork, user_id: str, full_name: str, role: str, county_id: str | None = None
) -> None:
    """An admin edits a user's name, role and county."""
    with uow.writing():
        uow.require(Permission.MANAGE_USERS)
        user = _user(uow, user_id)
        new_role = _role(role)
        if new_role is not Role.ADMIN:
            _keep_an_admin(uow, user)
        if not text.clean(full_name):
            raise ValidationError("نام و نام خانوادگی کاربر وارد نشده است", field="full_name")
        user.full_name = text.clean(full_name)
        user.role = new_role.value
        user.county_id = _checked_county(uow, new_role, county_id)
        user.updated_at = now_utc()
        user.row_version += 1
        uow.commit()


def set_user_active(uow: UnitOfWork, user_id: str, active: bool) -> None:
    """An admin disables (or enables again) a user; a disabled user cannot sign in."""
    with uow.writing():
        uow.require(Permission.MANAGE_USERS)
        user = _user(uow, user_id)
        if not active:
            _keep_an_admin(uow, user)
        user.active = active
        user.updated_at = now_utc()
        user.row_version += 1
        uow.commit()


def reset_password(uow: UnitOfWork, user_id: str, new_password: str) -> None:
    """An admin sets a user's new password (and lifts a lockout)."""
    with uow.writing():
        uow.require(Permission.MANAGE_USERS)
        _set_password(uow, _user(uow, user_id), new_password)
        uow.commit()


def change_own_password(uow: UnitOfWork, old_password: str, new_password: str) -> None:
    """The signed-in user changes their password; the old one must be right."""
    with uow.writing():
        user = _user(uow, uow.actor.user_id or "")
        if not _verify(user, old_password):
            raise ValidationError("گذرواژه کنونی نادرست است", field="old_password")
        _set_password(uow, user, new_password)
        uow.commit()


def _set_password(uow: UnitOfWork, user: User, new_password: str) -> None:
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = now_utc()
    uow.audit("password", "user", user.id, detail=user.username)


def user_id_of(uow: UnitOfWork, username: str) -> str:
    with uow:
        user = _find(uow, username)
        if user is None:
            raise NotFoundError(f"کاربر «{text.clean(username)}» پیدا نشد", record=username)
        return user.id


def list_users(uow: UnitOfWork) -> list[UserRow]:
    """Every user, by username (an admin's list)."""
    with uow:
        uow.require(Permission.MANAGE_USERS)
        counties = {c.id: c.name for c in uow.s.execute(select(County)).scalars()}
        return [
            UserRow(
                id=u.id,
                username=u.username,
                full_name=u.full_name,
                role=u.role,
                county_id=u.county_id,
                county_name=counties.get(u.county_id or "", ""),
                active=u.active,
                locked_until=u.locked_until,
                row_version=u.row_version,
            )
            for u in uow.s.execute(select(User).order_by(User.username_key)).scalars()
        ]
