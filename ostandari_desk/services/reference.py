"""Reference lists an admin edits: the counties of the province and the kinds of ReferenceItem.

Reading is open to every actor; adding, renaming, hiding and moving need Permission.EDIT_REFERENCE.

Names are stored cleaned (text.clean) with a normalized key (text.normalize) so «ي»/«ی» and ZWNJ
variants count as the same name. Read functions return frozen rows ordered by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.domain import text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, NotFoundError, ValidationError
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import County, ReferenceItem
from ostandari_desk.store.uow import UnitOfWork

KIND_LABELS: dict[str, str] = {
    "field": "حوزه فعالیت",
    "centre_category": "نوع مرکز",
    "social_harm": "آسیب اجتماعی",
    "sanction": "مرحله برخورد انضباطی",
    "legal_basis": "مبنای قانونی",
}
KINDS = tuple(KIND_LABELS)


@dataclass(frozen=True)
class CountyRow:
    id: str
    name: str
    active: bool
    position: int
    population: int | None = None  # inhabitants (optional; for credits per 10,000 inhabitants)
    row_version: int = 1


@dataclass(frozen=True)
class ItemRow:
    id: str
    kind: str
    name: str
    active: bool
    position: int


def _clean_name(name: str, label: str) -> tuple[str, str]:
    shown = text.clean(name)
    key = text.normalize(shown)
    if not key:
        raise ValidationError(f"نام {label} وارد نشده است", field="name")
    return shown, key


def _check_kind(kind: str) -> None:
    if kind not in KIND_LABELS:
        raise KeyError(f"unknown reference kind: {kind!r}")


def _touch(row: County | ReferenceItem) -> None:
    row.updated_at = now_utc()
    row.row_version += 1


# --- counties ---------------------------------------------------------------------------------


def _province_id(uow: UnitOfWork) -> str:
    province_id = settings.get_setting(uow, "province_id")
    if not province_id:
        raise ValidationError("پایگاه داده هنوز راه‌اندازی نشده است: استان تعیین نشده است")
    return province_id


def list_counties(uow: UnitOfWork, include_inactive: bool = False) -> list[CountyRow]:
    """The counties of the installation's province, in their list order."""
    with uow:
        stmt = select(County).order_by(County.position, County.name_key)
        if not include_inactive:
            stmt = stmt.where(County.active == True)
        province_id = settings.get_setting(uow, "province_id")
        if province_id:
            stmt = stmt.where(County.province_id == province_id)
        return [
            CountyRow(c.id, c.name, c.active, c.position, c.population, c.row_version)
            for c in uow.s.exec(stmt)
        ]


def counties_in_scope(uow: UnitOfWork) -> list[CountyRow]:
    """The counties the actor may file records under and filter by: the active counties, or for a county
    user their own county alone (even if it has since been hidden). Whether the province itself is a
    choice too: ``uow.county_scope is None``."""
    scope = uow.county_scope
    if scope is None:
        return list_counties(uow)
    return [c for c in list_counties(uow, include_inactive=True) if c.id == scope]


def county_id_by_name(uow: UnitOfWork, name: str) -> str | None:
    """The id of the county whose normalized name equals ``name``'s (inactive ones included)."""
    with uow:
        key = text.normalize(name)
        if not key:
            return None
        stmt = select(County.id).where(County.name_key == key)
        province_id = settings.get_setting(uow, "province_id")
        if province_id:
            stmt = stmt.where(County.province_id == province_id)
        return uow.s.exec(stmt).first()


def county_name(uow: UnitOfWork, county_id: str | None) -> str:
    """The county's name, or «استان» for None (a record of the province itself)."""
    with uow:
        if county_id is None:
            return "استان"
        county = uow.s.get(County, county_id)
        if county is None:
            raise NotFoundError("شهرستان پیدا نشد", record=county_id)
        return county.name


def _county_duplicate(uow: UnitOfWork, province_id: str, key: str, except_id: str | None) -> bool:
    stmt = select(County.id).where(County.province_id == province_id, County.name_key == key)
    found = uow.s.exec(stmt).first()
    return found is not None and found != except_id


def add_county(uow: UnitOfWork, name: str) -> str:
    """Add a county at the end of the list; returns its id."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        province_id = _province_id(uow)
        shown, key = _clean_name(name, "شهرستان")
        if _county_duplicate(uow, province_id, key, None):
            raise DuplicateError(f"شهرستان «{shown}» پیش‌تر ثبت شده است", field="name")
        last = uow.s.exec(select(func.max(County.position)).where(County.province_id == province_id)).one()
        county = County(
            **stamps(), province_id=province_id, name=shown, name_key=key, position=(last or 0) + 1
        )
        uow.s.add(county)
        uow.commit()
        return county.id


def _get_county(uow: UnitOfWork, county_id: str) -> County:
    county = uow.s.get(County, county_id)
    if county is None:
        raise NotFoundError("شهرستان پیدا نشد", record=county_id)
    return county


def rename_county(uow: UnitOfWork, county_id: str, name: str) -> None:
    """Rename a county (records keep pointing at it)."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        county = _get_county(uow, county_id)
        shown, key = _clean_name(name, "شهرستان")
        if _county_duplicate(uow, county.province_id, key, county.id):
            raise DuplicateError(f"شهرستان «{shown}» پیش‌تر ثبت شده است", field="name")
        county.name, county.name_key = shown, key
        _touch(county)
        uow.commit()


def set_county_active(uow: UnitOfWork, county_id: str, active: bool) -> None:
    """Hide a county from new records (or show it again); existing records keep it."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        county = _get_county(uow, county_id)
        county.active = bool(active)
        _touch(county)
        uow.commit()


POPULATION_MAX = 10**10  # beyond any county
STALE_COUNTY = "این شهرستان را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"


def set_county_population(
    uow: UnitOfWork, county_id: str, population: int | None, expected_version: int
) -> None:
    """Record a county's population (None: unknown), for the credits per 10,000 inhabitants.

    Raises:
        ValidationError: not a whole number ≥ 0 (field «population»).
        ConcurrentEditError: the county was changed since it was read at ``expected_version``.
    """
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        county = _get_county(uow, county_id)
        if population is not None:
            if isinstance(population, bool) or not isinstance(population, int):
                raise ValidationError(
                    "جمعیت شهرستان باید عددی صحیح باشد", field="population", record=county_id
                )
            if population < 0:
                raise ValidationError(
                    "جمعیت شهرستان نمی‌تواند منفی باشد", field="population", record=county_id
                )
            if population > POPULATION_MAX:
                raise ValidationError(
                    "جمعیت شهرستان بیش از اندازه بزرگ است", field="population", record=county_id
                )
        if county.row_version != expected_version:
            raise ConcurrentEditError(STALE_COUNTY, record=county_id)
        save_versioned(uow, county, expected_version, {"population": population}, STALE_COUNTY)
        uow.commit()


# --- reference items --------------------------------------------------------------------------


def list_items(uow: UnitOfWork, kind: str, include_inactive: bool = False) -> list[ItemRow]:
    """The items of one list in their order. Unknown kind -> KeyError."""
    with uow:
        _check_kind(kind)
        stmt = (
            select(ReferenceItem)
            .where(ReferenceItem.kind == kind)
            .order_by(ReferenceItem.position, ReferenceItem.name_key)
        )
        if not include_inactive:
            stmt = stmt.where(ReferenceItem.active == True)
        return [ItemRow(i.id, i.kind, i.name, i.active, i.position) for i in uow.s.exec(stmt)]


def item_id_by_name(uow: UnitOfWork, kind: str, name: str) -> str | None:
    """The id of the item of ``kind`` whose normalized name equals ``name``'s."""
    with uow:
        _check_kind(kind)
        key = text.normalize(name)
        if not key:
            return None
        stmt = select(ReferenceItem.id).where(ReferenceItem.kind == kind, ReferenceItem.name_key == key)
        return uow.s.exec(stmt).first()


def _item_duplicate(uow: UnitOfWork, kind: str, key: str, except_id: str | None) -> bool:
    found = item_id_by_name(uow, kind, key)
    return found is not None and found != except_id


def _get_item(uow: UnitOfWork, item_id: str) -> ReferenceItem:
    item = uow.s.get(ReferenceItem, item_id)
    if item is None:
        raise NotFoundError("مورد پیدا نشد", record=item_id)
    return item


def add_item(uow: UnitOfWork, kind: str, name: str) -> str:
    """Append an item to the list of ``kind``; returns its id."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        _check_kind(kind)
        label = KIND_LABELS[kind]
        shown, key = _clean_name(name, label)
        if _item_duplicate(uow, kind, key, None):
            raise DuplicateError(f"{label} «{shown}» پیش‌تر ثبت شده است", field="name")
        last = uow.s.exec(select(func.max(ReferenceItem.position)).where(ReferenceItem.kind == kind)).one()
        item = ReferenceItem(**stamps(), kind=kind, name=shown, name_key=key, position=(last or 0) + 1)
        uow.s.add(item)
        uow.s.flush()
        uow.commit()
        return item.id


def rename_item(uow: UnitOfWork, item_id: str, name: str) -> None:
    """Rename an item; records that use it show the new name."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        item = _get_item(uow, item_id)
        label = KIND_LABELS.get(item.kind, "مورد")
        shown, key = _clean_name(name, label)
        if _item_duplicate(uow, item.kind, key, item.id):
            raise DuplicateError(f"{label} «{shown}» پیش‌تر ثبت شده است", field="name")
        item.name, item.name_key = shown, key
        _touch(item)
        uow.commit()


def set_item_active(uow: UnitOfWork, item_id: str, active: bool) -> None:
    """Hide an item from new choices (or show it again); records that use it keep it."""
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        item = _get_item(uow, item_id)
        item.active = bool(active)
        _touch(item)
        uow.commit()


def move_item(uow: UnitOfWork, item_id: str, delta: int) -> None:
    """Move an item ``delta`` places up (negative) or down (positive) in its list.

    Positions are renumbered 1..n, so the order stays well defined after any number of moves.
    """
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        item = _get_item(uow, item_id)
        items = list(
            uow.s.exec(
                select(ReferenceItem)
                .where(ReferenceItem.kind == item.kind)
                .order_by(ReferenceItem.position, ReferenceItem.name_key)
            )
        )
        index = next(i for i, it in enumerate(items) if it.id == item.id)
        target = max(0, min(len(items) - 1, index + delta))
        if target == index:
            return
        items.insert(target, items.pop(index))
        for position, it in enumerate(items, start=1):
            if it.position != position:
                it.position = position
                _touch(it)
        uow.commit()


def move_county(uow: UnitOfWork, county_id: str, delta: int) -> None:
    """Move a county ``delta`` places up (negative) or down (positive) in its province's list.

    The list order (``position``) is the county order of the NGO list's county sort and of the annual
    report. Positions are renumbered 1..n (inactive counties keep their place among them).
    """
    with uow.writing():
        uow.require(Permission.EDIT_REFERENCE)
        county = _get_county(uow, county_id)
        counties = list(
            uow.s.exec(
                select(County)
                .where(County.province_id == county.province_id)
                .order_by(County.position, County.name_key)
            )
        )
        index = next(i for i, c in enumerate(counties) if c.id == county.id)
        target = max(0, min(len(counties) - 1, index + delta))
        if target == index:
            return
        counties.insert(target, counties.pop(index))
        for position, c in enumerate(counties, start=1):
            if c.position != position:
                c.position = position
                _touch(c)
        uow.commit()
