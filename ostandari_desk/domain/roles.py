"""Who is acting: the four roles of the office, what each may do, and the actor a unit of work carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"
    COUNTY = "county"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "مدیر سامانه",
    Role.MANAGER: "مدیر",
    Role.CLERK: "کارشناس استان",
    Role.COUNTY: "کارشناس شهرستان",
}


class Permission(StrEnum):
    """What a role may do beyond reading and editing the records in its scope."""

    MANAGE_USERS = "manage_users"
    EDIT_REFERENCE = "edit_reference"  # counties and the editable lists
    EDIT_SETTINGS = "edit_settings"
    BACKUP = "backup"  # backups and restores
    READ_AUDIT = "read_audit"  # the whole audit trail (a record's own history is open to whoever sees it)
    DECIDE = "decide"  # council decisions on a licence case
    SANCTION = "sanction"  # suspension, revocation, lifting a suspension
    EDIT_CHECKLISTS = "edit_checklists"  # checklist templates of the centre categories
    SEE_PLANS = "see_plans"  # every county's unannounced plan (a county user sees only their own)
    EXCHANGE = "exchange"  # registering desks, exchange files and their conflicts (services/exchange/)


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.MANAGE_USERS: "مدیریت کاربران",
    Permission.EDIT_REFERENCE: "ویرایش فهرست‌های پایه و شهرستان‌ها",
    Permission.EDIT_SETTINGS: "تغییر تنظیمات",
    Permission.BACKUP: "پشتیبان‌گیری و بازگردانی",
    Permission.READ_AUDIT: "دیدن سابقه کامل تغییرات",
    Permission.DECIDE: "ثبت تصمیم شورا",
    Permission.SANCTION: "تعلیق، لغو و رفع تعلیق پروانه",
    Permission.EDIT_CHECKLISTS: "ویرایش چک‌لیست‌های بازدید",
    Permission.SEE_PLANS: "دیدن برنامه بازدیدهای سرزده همه شهرستان‌ها",
    Permission.EXCHANGE: "تبادل پرونده با استان / شهرستان",
}

_MANAGER = frozenset(
    {
        Permission.DECIDE,
        Permission.SANCTION,
        Permission.EDIT_CHECKLISTS,
        Permission.SEE_PLANS,
        Permission.EXCHANGE,
    }
)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: _MANAGER,
    Role.CLERK: frozenset(),
    Role.COUNTY: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The person a unit of work acts for. ``county_id`` limits a county user to that county's records."""

    username: str
    full_name: str
    role: Role
    county_id: str | None = None
    user_id: str | None = None
    county_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        if self.role is Role.COUNTY and not self.county_id:
            raise ValueError("a county user needs a county")

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def county_scope(self) -> str | None:
        """The one county this actor's records are limited to; None for the whole province."""
        return self.county_id if self.role is Role.COUNTY else None

    def sees_county(self, county_id: str | None) -> bool:
        """Whether a record of ``county_id`` (None: the province itself) is within this actor's scope."""
        scope = self.county_scope
        return scope is None or county_id == scope

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def display(self) -> str:
        """«نام — نقش (شهرستان)» for the status bar."""
        where = f" ({self.county_name})" if self.county_scope and self.county_name else ""
        return f"{self.full_name} — {self.role_label}{where}"


SYSTEM = Actor(username="system", full_name="سامانه", role=Role.ADMIN)
"""The actor of the desk's own work: first-time set-up, the demo generator, upgrades."""
