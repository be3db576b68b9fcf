"""Every setting declared once (name, type, default); values live JSON-encoded in the Setting table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from ostandari_desk.domain.inspection_plan import valid_interval
from ostandari_desk.domain.lifecycle import Level
from ostandari_desk.domain.roles import Permission
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import PermissionDeniedError, ValidationError
from ostandari_desk.store.models import Setting
from ostandari_desk.store.uow import UnitOfWork


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting. ``kind`` is the Python type of a value; ``nullable`` allows None; a whole
    number lies in ``minimum``–``maximum`` (the settings page's spin boxes take their range from here)."""

    key: str
    kind: type
    default: Any
    label: str
    nullable: bool = False
    minimum: int = 1
    maximum: int | None = None
    # the desk's own bookkeeping (its exchange keys): never listed by all_settings (the settings page), never
    # written through set_setting; the service that owns it writes it below the session (services/exchange/keys.py)
    internal: bool = False


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("office_name", str, "اداره کل امور اجتماعی و فرهنگی استانداری", "نام اداره"),
        SettingSpec("logo_path", str, None, "نشان اداره", nullable=True),
        # who signs the office's reports (the annual report's approval block); empty name: a line to sign on
        SettingSpec("signer_name", str, "", "نام امضاکننده گزارش‌ها"),
        SettingSpec("signer_title", str, "مدیرکل امور اجتماعی و فرهنگی", "سمت امضاکننده گزارش‌ها"),
        SettingSpec("province_id", str, None, "استان", nullable=True),
        SettingSpec("installation_county_id", str, None, "شهرستان نصب", nullable=True),
        SettingSpec("licence_validity_years_county", int, 4, "اعتبار پروانه شهرستانی (سال)", maximum=20),
        SettingSpec("licence_validity_years_province", int, 4, "اعتبار پروانه استانی (سال)", maximum=20),
        SettingSpec("licence_validity_years_national", int, 5, "اعتبار پروانه ملی (سال)", maximum=20),
        SettingSpec("demo_database", bool, False, "پایگاه داده نمونه"),
        SettingSpec("board_term_years", int, 2, "دوره هیئت مدیره (سال)", maximum=10),
        SettingSpec("inquiry_due_days", int, 60, "مهلت پاسخ استعلام (روز)", maximum=365),
        SettingSpec("expiring_window_days", int, 60, "هشدار انقضای پروانه (روز پیش از انقضا)", maximum=365),
        # None: the «backups» folder in the data folder (services/backup.py); may be a USB drive
        SettingSpec("backup_folder", str, None, "پوشه نسخه‌های پشتیبان", nullable=True),
        SettingSpec("last_backup_at", str, None, "زمان آخرین پشتیبان‌گیری (UTC، ISO)", nullable=True),
        # {category name: months between visits (1–12)}; a category not named is visited monthly
        SettingSpec("inspection_interval_months", dict, {}, "فاصله بازدید هر نوع مرکز (ماه)"),
        # the unannounced plan's HMAC key, made on first use (services/inspections/plan.py)
        SettingSpec("inspection_plan_secret", str, None, "کلید برنامه بازدید سرزده", nullable=True),
        # the release rule of memoranda (domain/memoranda.py): the first tranche's ceiling, later tranches' floor
        SettingSpec(
            "release_first_tranche_max_percent",
            int,
            50,
            "سقف مرحله نخست پرداخت تفاهم‌نامه (درصد)",
            maximum=100,
        ),
        SettingSpec(
            "release_later_min_progress", int, 50, "پیشرفت لازم برای مرحله‌های بعدی پرداخت (درصد)", maximum=100
        ),
        # the desk's exchange identity (services/exchange/keys.py): a uuid4 hex and its Ed25519 pair (raw, hex)
        SettingSpec("exchange_desk_id", str, None, "شناسه میز تبادل", nullable=True, internal=True),
        SettingSpec("exchange_private_key", str, None, "کلید خصوصی تبادل", nullable=True, internal=True),
        SettingSpec("exchange_public_key", str, None, "کلید عمومی تبادل", nullable=True, internal=True),
    )
}

_VALIDITY_KEYS = {
    Level.COUNTY: "licence_validity_years_county",
    Level.PROVINCE: "licence_validity_years_province",
    Level.NATIONAL: "licence_validity_years_national",
}


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise KeyError(f"unknown setting: {key!r}") from None


def _check(spec: SettingSpec, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ValidationError(f"مقدار «{spec.label}» وارد نشده است", field=spec.key)
    if spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"مقدار «{spec.label}» باید عدد صحیح باشد", field=spec.key)
        if spec.maximum is not None and not spec.minimum <= value <= spec.maximum:
            low, high = to_persian_digits(spec.minimum), to_persian_digits(spec.maximum)
            raise ValidationError(f"مقدار «{spec.label}» باید عددی از {low} تا {high} باشد", field=spec.key)
        if value < spec.minimum:
            low = to_persian_digits(spec.minimum)
            raise ValidationError(f"مقدار «{spec.label}» باید دست‌کم {low} باشد", field=spec.key)
        return value
    if not isinstance(value, spec.kind):
        raise ValidationError(f"مقدار «{spec.label}» نادرست است", field=spec.key)
    if spec.key == "inspection_interval_months" and not all(
        isinstance(k, str) and valid_interval(v) for k, v in value.items()
    ):
        raise ValidationError(f"هر مقدار «{spec.label}» باید عددی از ۱ تا ۱۲ باشد", field=spec.key)
    return value


def get_setting(uow: UnitOfWork, key: str) -> Any:
    """The stored value of ``key`` or its declared default. Unknown key -> KeyError."""
    with uow:
        spec = _spec(key)
        row = uow.s.get(Setting, key)
        if row is None:
            return spec.default
        return json.loads(row.value)


def set_setting(uow: UnitOfWork, key: str, value: Any) -> None:
    """Store ``value`` for ``key`` (an admin's right); commits unless called inside a caller's block.

    Raises:
        KeyError: unknown key.
        PermissionDeniedError: the actor may not change settings, or the key is the desk's own (internal).
        ValidationError: a value of the wrong type (Persian message naming the setting).
    """
    with uow.writing():
        uow.require(Permission.EDIT_SETTINGS)
        spec = _spec(key)
        if spec.internal:
            raise PermissionDeniedError(f"«{spec.label}» را میز کار خودش نگه می‌دارد و دستی تغییر نمی‌کند")
        value = _check(spec, value)
        encoded = json.dumps(value, ensure_ascii=False)
        row = uow.s.get(Setting, key)
        if row is None:
            uow.s.add(Setting(key=key, value=encoded))
        else:
            row.value = encoded
        uow.commit()


def all_settings(uow: UnitOfWork) -> dict[str, Any]:
    """Every declared key with its current value (defaults filled in), the internal ones left out."""
    with uow:
        stored = {row.key: row.value for row in uow.s.exec(select(Setting))}
        return {
            key: (json.loads(stored[key]) if key in stored else spec.default)
            for key, spec in SETTINGS.items()
            if not spec.internal
        }


def validity_years_for(uow: UnitOfWork, level: str) -> int:
    """Years a new licence of ``level`` (county/province/national) stays valid, from the settings."""
    with uow:
        return int(get_setting(uow, _VALIDITY_KEYS[Level(level)]))
