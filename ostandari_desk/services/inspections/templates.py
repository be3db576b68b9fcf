"""Checklist templates of the centre categories: versions draft → active → retired, and the shipped defaults.

Only a draft is edited (Permission.EDIT_CHECKLISTS). Activating a draft retires the category's active
version; a visit keeps the id of the version it was answered against, so editing a new draft never
changes an old visit's items. ``seed_default_templates`` gives every category that has no template yet
the shipped one (resources/checklists/default_templates.json) as its active version 1, with ids made from
the category's name (domain/reference_ids.py); drafts a manager makes get random ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import col, select

from ostandari_desk.domain import reference_ids, text
from ostandari_desk.domain.inspections import ANSWER_TYPE_LABELS, AnswerType
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
from ostandari_desk.paths import resources_dir
from ostandari_desk.services.audit import now_utc, stamps
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import ChecklistItem, ChecklistTemplate, ReferenceItem, new_id
from ostandari_desk.store.uow import UnitOfWork

CATEGORY_KIND = "centre_category"
STATE_LABELS: dict[str, str] = {"draft": "پیش‌نویس", "active": "فعال", "retired": "بایگانی‌شده"}
DEFAULT_SECTION = "عمومی"
MAX_ITEMS = 200
MAX_SCORE_LIMIT = 100
MAX_WEIGHT = 100
STALE_TEMPLATE = "این چک‌لیست را کاربر دیگری پس از باز شدن ویرایش کرده است؛ آن را دوباره باز کنید"


@dataclass(frozen=True)
class ItemSpec:
    """One item as the template editor (or the shipped file) gives it."""

    section: str
    text: str
    answer_type: str = AnswerType.YES_NO
    max_score: int = 0
    weight: int = 1
    critical: bool = False


@dataclass(frozen=True)
class ChecklistItemRow:
    id: str
    position: int
    section: str
    text: str
    answer_type: str
    max_score: int
    weight: int
    critical: bool

    @property
    def answer_type_label(self) -> str:
        return ANSWER_TYPE_LABELS.get(self.answer_type, self.answer_type)

    def to_spec(self) -> ItemSpec:
        return ItemSpec(self.section, self.text, self.answer_type, self.max_score, self.weight, self.critical)


@dataclass(frozen=True)
class TemplateRow:
    id: str
    category_id: str
    category_name: str
    version: int
    state: str
    title: str
    pass_score: int
    item_count: int
    row_version: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class TemplateDetail:
    id: str
    category_id: str
    category_name: str
    version: int
    state: str
    title: str
    pass_score: int
    row_version: int
    items: tuple[ChecklistItemRow, ...]

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def sections(self) -> tuple[tuple[str, tuple[ChecklistItemRow, ...]], ...]:
        """The items grouped by section, in the order the sections first appear."""
        groups: dict[str, list[ChecklistItemRow]] = {}
        for item in self.items:
            groups.setdefault(item.section, []).append(item)
        return tuple((name, tuple(items)) for name, items in groups.items())


# --- reads ---------------------------------------------------------------------------------------------


def checklist_items(uow: UnitOfWork, template_id: str) -> tuple[ChecklistItemRow, ...]:
    """The items of a checklist version, in order (a visit's frozen checklist is its version's items)."""
    stmt = (
        select(ChecklistItem)
        .where(ChecklistItem.template_id == template_id)
        .order_by(ChecklistItem.position, ChecklistItem.id)
    )
    return tuple(
        ChecklistItemRow(
            i.id, i.position, i.section, i.text, i.answer_type, i.max_score, i.weight, bool(i.critical)
        )
        for i in uow.s.exec(stmt)
    )


def _detail(uow: UnitOfWork, template: ChecklistTemplate) -> TemplateDetail:
    category = uow.s.get(ReferenceItem, template.category_id)
    return TemplateDetail(
        id=template.id,
        category_id=template.category_id,
        category_name=category.name if category else "",
        version=template.version,
        state=template.state,
        title=template.title,
        pass_score=template.pass_score,
        row_version=template.row_version,
        items=checklist_items(uow, template.id),
    )


def _get(uow: UnitOfWork, template_id: str) -> ChecklistTemplate:
    found = uow.s.get(ChecklistTemplate, template_id)
    if found is None:
        raise NotFoundError("چک‌لیست پیدا نشد", record=template_id)
    return found


def list_templates(uow: UnitOfWork, category_id: str | None = None) -> list[TemplateRow]:
    """Every version of every category's checklist (or of one category), newest version first."""
    with uow:
        count = (
            select(func.count())
            .select_from(ChecklistItem)
            .where(ChecklistItem.template_id == ChecklistTemplate.id)
            .correlate(ChecklistTemplate)
            .scalar_subquery()
        )
        stmt = (
            select(ChecklistTemplate, ReferenceItem.name, count)
            .join(ReferenceItem, ReferenceItem.id == ChecklistTemplate.category_id)
            .order_by(ReferenceItem.position, ReferenceItem.name_key, col(ChecklistTemplate.version).desc())
        )
        if category_id is not None:
            stmt = stmt.where(ChecklistTemplate.category_id == category_id)
        return [
            TemplateRow(
                t.id, t.category_id, name, t.version, t.state, t.title, t.pass_score, n, t.row_version
            )
            for t, name, n in uow.s.exec(stmt)
        ]


def get_template(uow: UnitOfWork, template_id: str) -> TemplateDetail:
    with uow:
        return _detail(uow, _get(uow, template_id))


def active_template(uow: UnitOfWork, category_id: str) -> TemplateDetail | None:
    """The version new visits of ``category_id`` are answered against, if the category has one."""
    with uow:
        found = _active(uow, category_id)
        return _detail(uow, found) if found is not None else None


def _active(uow: UnitOfWork, category_id: str) -> ChecklistTemplate | None:
    stmt = select(ChecklistTemplate).where(
        ChecklistTemplate.category_id == category_id, ChecklistTemplate.state == "active"
    )
    return uow.s.exec(stmt).first()


# --- editing -------------------------------------------------------------------------------------------


def _category(uow: UnitOfWork, category_id: str) -> ReferenceItem:
    item = uow.s.get(ReferenceItem, category_id)
    if item is None or item.kind != CATEGORY_KIND:
        raise ValidationError("نوع مرکز پیدا نشد", field="category")
    return item


def _clean_items(items: list[ItemSpec] | tuple[ItemSpec, ...]) -> list[dict[str, Any]]:
    """The item columns of ``items`` (positions 1..n); ValidationError naming the item otherwise."""
    if not items:
        raise ValidationError("چک‌لیست دست‌کم یک بند می‌خواهد", field="items")
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            f"چک‌لیست بیش از {text.to_persian_digits(MAX_ITEMS)} بند نمی‌تواند داشته باشد", field="items"
        )
    rows = []
    for position, spec in enumerate(items, start=1):
        where = f"بند {text.to_persian_digits(position)}"
        body = text.clean(spec.text)
        if not body:
            raise ValidationError(f"متن {where} وارد نشده است", field="items", record=str(position))
        kind = spec.answer_type
        if kind not in AnswerType._value2member_map_:
            raise ValidationError(f"نوع پاسخ {where} درست نیست", field="items", record=str(position))
        max_score = int(spec.max_score or 0)
        if kind == AnswerType.SCORE and not 1 <= max_score <= MAX_SCORE_LIMIT:
            raise ValidationError(
                f"بیشینه امتیاز {where} باید از ۱ تا {text.to_persian_digits(MAX_SCORE_LIMIT)} باشد",
                field="items",
                record=str(position),
            )
        scored = kind in (AnswerType.YES_NO, AnswerType.SCORE)
        weight = int(spec.weight) if scored else 0
        if scored and not 1 <= weight <= MAX_WEIGHT:
            raise ValidationError(
                f"وزن {where} باید از ۱ تا {text.to_persian_digits(MAX_WEIGHT)} باشد",
                field="items",
                record=str(position),
            )
        if spec.critical and not scored:
            raise ValidationError(
                f"{where}: فقط بند بله/خیر یا امتیازی می‌تواند حیاتی باشد", field="items", record=str(position)
            )
        rows.append(
            {
                "position": position,
                "section": text.clean(spec.section) or DEFAULT_SECTION,
                "text": body,
                "answer_type": str(kind),
                "max_score": max_score if kind == AnswerType.SCORE else 0,
                "weight": weight,
                "critical": bool(spec.critical),
            }
        )
    return rows


def _add_items(uow: UnitOfWork, template_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert a template's items in one statement (audited row by row by the unit of work)."""
    if not rows:
        return
    moment = stamps()
    uow.s.execute(
        insert(ChecklistItem),
        [{"id": new_id(), **moment, "row_version": 1, "template_id": template_id, **row} for row in rows],
    )


def _next_version(uow: UnitOfWork, category_id: str) -> int:
    last = uow.s.exec(
        select(func.max(ChecklistTemplate.version)).where(ChecklistTemplate.category_id == category_id)
    ).one()
    return int(last or 0) + 1


def create_draft(uow: UnitOfWork, category_id: str, from_template_id: str | None = None) -> str:
    """A new draft version of a category's checklist; returns its id.

    It starts as a copy of ``from_template_id`` (any version of the same category), or of the active
    version when None (empty when the category has none). A category has at most one draft.
    """
    with uow.writing():
        uow.require(Permission.EDIT_CHECKLISTS)
        category = _category(uow, category_id)
        draft = uow.s.exec(
            select(ChecklistTemplate.version).where(
                ChecklistTemplate.category_id == category_id, ChecklistTemplate.state == "draft"
            )
        ).first()
        if draft is not None:
            raise UserError(
                f"چک‌لیست «{category.name}» پیش‌تر یک پیش‌نویس (نسخه {text.to_persian_digits(draft)}) دارد؛ "
                "همان را ویرایش کنید",
                field="category",
            )
        source = _get(uow, from_template_id) if from_template_id else _active(uow, category_id)
        if source is not None and source.category_id != category_id:
            raise ValidationError("چک‌لیست مبدأ از نوع مرکز دیگری است", field="from_template")
        template = ChecklistTemplate(
            **stamps(),
            category_id=category_id,
            version=_next_version(uow, category_id),
            state="draft",
            title=source.title if source else f"چک‌لیست بازدید {category.name}",
            pass_score=source.pass_score if source else 80,
        )
        uow.s.add(template)
        uow.s.flush()
        if source is not None:
            rows = [
                {
                    "position": i.position,
                    "section": i.section,
                    "text": i.text,
                    "answer_type": i.answer_type,
                    "max_score": i.max_score,
                    "weight": i.weight,
                    "critical": i.critical,
                }
                for i in checklist_items(uow, source.id)
            ]
            _add_items(uow, template.id, rows)
        uow.commit()
        return template.id


def _draft(uow: UnitOfWork, template_id: str) -> ChecklistTemplate:
    template = _get(uow, template_id)
    if template.state != "draft":
        raise UserError("فقط پیش‌نویس چک‌لیست ویرایش می‌شود؛ برای تغییر، نسخه تازه‌ای بسازید", record=template_id)
    return template


def save_draft(
    uow: UnitOfWork,
    template_id: str,
    title: str,
    pass_score: int,
    items: list[ItemSpec] | tuple[ItemSpec, ...],
    expected_version: int,
) -> None:
    """Replace a draft's title, pass score and items (opened at ``expected_version``)."""
    with uow.writing():
        uow.require(Permission.EDIT_CHECKLISTS)
        template = _draft(uow, template_id)
        if template.row_version != expected_version:
            raise ConcurrentEditError(STALE_TEMPLATE, record=template_id)
        shown = text.clean(title)
        if not shown:
            raise ValidationError("عنوان چک‌لیست وارد نشده است", field="title")
        if pass_score is None or not 0 <= int(pass_score) <= 100:
            raise ValidationError("حد قبولی باید عددی از ۰ تا ۱۰۰ باشد", field="pass_score")
        rows = _clean_items(items)
        save_versioned(
            uow, template, expected_version, {"title": shown, "pass_score": int(pass_score)}, STALE_TEMPLATE
        )
        uow.s.execute(delete(ChecklistItem).where(col(ChecklistItem.template_id) == template_id))
        _add_items(uow, template_id, rows)
        uow.commit()


def activate_template(uow: UnitOfWork, template_id: str) -> None:
    """Make a draft the category's active version; the version active until now is retired."""
    with uow.writing():
        uow.require(Permission.EDIT_CHECKLISTS)
        template = _draft(uow, template_id)
        if not checklist_items(uow, template_id):
            raise ValidationError("چک‌لیست بدون بند فعال نمی‌شود", field="items")
        current = _active(uow, template.category_id)
        if current is not None:
            _set_state(current, "retired")
        uow.s.flush()
        _set_state(template, "active")
        uow.commit()


def retire_template(uow: UnitOfWork, template_id: str) -> None:
    """Retire the active version: new visits of the category then have no checklist until one is activated."""
    with uow.writing():
        uow.require(Permission.EDIT_CHECKLISTS)
        template = _get(uow, template_id)
        if template.state != "active":
            raise UserError("فقط چک‌لیست فعال بایگانی می‌شود", record=template_id)
        _set_state(template, "retired")
        uow.commit()


def delete_draft(uow: UnitOfWork, template_id: str) -> None:
    """Throw a draft away (no visit can name a draft)."""
    with uow.writing():
        uow.require(Permission.EDIT_CHECKLISTS)
        template = _draft(uow, template_id)
        uow.s.execute(delete(ChecklistItem).where(col(ChecklistItem.template_id) == template_id))
        uow.s.delete(template)
        uow.commit()


def _set_state(template: ChecklistTemplate, state: str) -> None:
    template.state = state
    template.updated_at = now_utc()
    template.row_version += 1


# --- the shipped defaults ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_templates() -> tuple[tuple[str, str, int, tuple[ItemSpec, ...]], ...]:
    """(category name, title, pass score, items) of every shipped template."""
    path = resources_dir() / "checklists" / "default_templates.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for entry in data["templates"]:
        items = tuple(
            ItemSpec(
                section=i["section"],
                text=i["text"],
                answer_type=i.get("type", AnswerType.YES_NO),
                max_score=int(i.get("max_score", 0)),
                weight=int(i.get("weight", 1)),
                critical=bool(i.get("critical", False)),
            )
            for i in entry["items"]
        )
        found.append((entry["category"], entry["title"], int(entry.get("pass_score", 80)), items))
    return tuple(found)


@lru_cache(maxsize=16)
def _default_rows(category: str) -> tuple[dict[str, Any], ...]:
    """The item columns of the shipped template of ``category`` (checked once per process)."""
    items = next(items for name, _, _, items in default_templates() if name == category)
    return tuple(_clean_items(items))


def templates_missing(uow: UnitOfWork) -> bool:
    """Whether the database has no checklist at all while some centre category has a shipped one (a
    database upgraded from before checklists). One query once any template exists (run on every opening)."""
    with uow:
        if uow.s.exec(select(ChecklistTemplate.id).limit(1)).first() is not None:
            return False
        keys = set(uow.s.exec(select(ReferenceItem.name_key).where(ReferenceItem.kind == CATEGORY_KIND)))
        return bool(keys & {text.normalize(name) for name, *_ in default_templates()})


def seed_default_templates(uow: UnitOfWork) -> int:
    """Give every centre category without any checklist its shipped template, active as version 1.

    Categories are matched by normalized name; one a user renamed or added gets nothing. Idempotent: a
    category with any version (even a draft) is left alone. The desk's own work (set-up, the demo, an
    upgrade), so no permission is asked. Returns how many templates were created.
    """
    with uow.writing():
        categories = {
            key: category_id
            for category_id, key in uow.s.exec(
                select(ReferenceItem.id, ReferenceItem.name_key).where(ReferenceItem.kind == CATEGORY_KIND)
            )
        }
        having = set(uow.s.exec(select(ChecklistTemplate.category_id).distinct()))
        moment = stamps()
        templates: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for name, title, pass_score, _ in default_templates():
            key = text.normalize(name)
            category_id = categories.get(key)
            if category_id is None or category_id in having:
                continue
            # ids from the category's name: separately set-up desks of one province agree on them; a renamed
            # category whose old name's checklist is here already gets none (its id is taken)
            template_id = reference_ids.template_id(key, 1)
            if uow.s.get(ChecklistTemplate, template_id) is not None:
                continue
            having.add(category_id)
            templates.append(
                {
                    "id": template_id,
                    **moment,
                    "row_version": 1,
                    "category_id": category_id,
                    "version": 1,
                    "state": "active",
                    "title": title,
                    "pass_score": pass_score,
                }
            )
            items += (
                {
                    "id": reference_ids.checklist_item_id(template_id, row["position"]),
                    **moment,
                    "row_version": 1,
                    "template_id": template_id,
                    **row,
                }
                for row in _default_rows(name)
            )
        created = len(templates)
        if created:  # two statements, audited row by row by the unit of work
            uow.s.execute(insert(ChecklistTemplate), templates)
            uow.s.execute(insert(ChecklistItem), items)
        if created:
            uow.commit()
        return created
