"""The audit trail, read: a record's history field by field, and the admin's filtered view and export.

Entries are written by the unit of work (store/audit_trail.py); nothing here changes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar

from sqlalchemy import select, union_all

from ostandari_desk.domain import jalali, text
from ostandari_desk.domain.audit_labels import action_label, field_label, table_label
from ostandari_desk.domain.roles import ROLE_LABELS, Permission, Role
from ostandari_desk.store.models import (
    AuditEntry,
    ChecklistItem,
    ChecklistTemplate,
    County,
    Inspection,
    Ngo,
    ReferenceItem,
    User,
)
from ostandari_desk.store.uow import UnitOfWork

HISTORY_LIMIT = 1000  # entries shown on a record's tab, newest first


def now_utc() -> datetime:
    """An aware UTC timestamp (the SQLModel datetime columns refuse naive values)."""
    return datetime.now(UTC)


def stamps() -> dict[str, datetime]:
    """created_at/updated_at for a new record."""
    moment = now_utc()
    return {"created_at": moment, "updated_at": moment}


@dataclass(frozen=True)
class AuditLine:
    """One changed field of one action (an action without field changes gives one line, field "")."""

    at: datetime
    username: str
    role: str
    action: str
    table_name: str
    record_id: str
    field: str
    before: str
    after: str
    detail: str

    @property
    def at_text(self) -> str:
        local = self.at.astimezone() if self.at.tzinfo else self.at
        return f"{jalali.format_jalali(local.date())} {text.to_persian_digits(local.strftime('%H:%M:%S'))}"

    @property
    def role_label(self) -> str:
        return (
            ROLE_LABELS.get(Role(self.role), self.role) if self.role in Role._value2member_map_ else self.role
        )

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def table_label(self) -> str:
        return table_label(self.table_name)

    @property
    def field_label(self) -> str:
        return field_label(self.field) if self.field else ""


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    record_id: str | None = None
    table_name: str | None = None
    action: str | None = None


EXPORT_HEADERS = (
    "زمان",
    "کاربر",
    "نقش",
    "اقدام",
    "جدول",
    "شناسه رکورد",
    "فیلد",
    "مقدار قبلی",
    "مقدار جدید",
)


def history_of(uow: UnitOfWork, record_id: str) -> list[AuditLine]:
    """Who changed what on a record (and on its children: an NGO's board, a case's inquiries), newest first.

    The record itself must be within the actor's scope; the caller has shown it, so it has read it.
    """
    with uow:
        a = AuditEntry.__table__.c
        own = select(AuditEntry.__table__).where(a.record_id == record_id)
        children = select(AuditEntry.__table__).where(a.owner_id == record_id)
        both = union_all(own, children).subquery()
        stmt = select(both).order_by(both.c.at.desc()).limit(HISTORY_LIMIT)
        entries = uow.s.connection().execute(stmt).mappings().all()
        names = ValueNames(uow)
        return [line for entry in entries for line in _lines(entry, names)]


def audit_lines(uow: UnitOfWork, flt: AuditFilter, limit: int | None = None) -> Iterator[AuditLine]:
    """The admin's view: entries matching ``flt``, newest first, one line per changed field."""
    with uow:
        uow.require(Permission.READ_AUDIT)
        a = AuditEntry.__table__.c
        stmt = select(AuditEntry.__table__).order_by(a.at.desc())
        if flt.username:
            stmt = stmt.where(a.username == flt.username)
        if flt.since:
            stmt = stmt.where(a.at >= datetime.combine(flt.since, datetime.min.time(), UTC))
        if flt.until:
            stmt = stmt.where(
                a.at < datetime.combine(jalali.add_days(flt.until, 1), datetime.min.time(), UTC)
            )
        if flt.record_id:
            stmt = stmt.where((a.record_id == flt.record_id) | (a.owner_id == flt.record_id))
        if flt.table_name:
            stmt = stmt.where(a.table_name == flt.table_name)
        if flt.action:
            stmt = stmt.where(a.action == flt.action)
        if limit is not None:
            stmt = stmt.limit(limit)
        names = ValueNames(uow)
        for entry in uow.s.connection().execute(stmt).mappings():
            yield from _lines(entry, names)


def usernames(uow: UnitOfWork) -> list[str]:
    """Every username that appears in the trail or the user list (the admin view's filter)."""
    with uow:
        uow.require(Permission.READ_AUDIT)
        stored = set(uow.s.execute(select(User.username)).scalars().all())
        return sorted(stored | {"system"})


class ValueNames:
    """Names for ids in before/after values (a county, a list item, an NGO), looked up once each."""

    _MODELS: ClassVar[dict[str, type]] = {
        "county_id": County,
        "field_id": ReferenceItem,
        "category_id": ReferenceItem,
        "social_harm_id": ReferenceItem,
        "ngo_id": Ngo,
        "organizer_ngo_id": Ngo,
    }

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.cache: dict[tuple[str, str], str] = {}
        self.items: dict[str, list] = {}  # checklist version id -> its items

    def _template_name(self, template_id: str) -> str:
        """A checklist version as «title — نسخه N»."""
        key = ("checklisttemplate", template_id)
        if key not in self.cache:
            t = ChecklistTemplate.__table__.c
            row = (
                self.uow.s.connection().execute(select(t.title, t.version).where(t.id == template_id)).first()
            )
            self.cache[key] = f"{row[0]} — نسخه {text.to_persian_digits(row[1])}" if row else template_id
        return self.cache[key]

    def _template_items(self, template_id: str | None) -> list:
        if not template_id:
            return []
        if template_id not in self.items:
            c = ChecklistItem.__table__.c
            stmt = select(c.id, c.position, c.answer_type, c.max_score).where(c.template_id == template_id)
            self.items[template_id] = list(self.uow.s.connection().execute(stmt))
        return self.items[template_id]

    def answers(self, visit_id: str, changes: dict, before: object, after: object) -> tuple[str, str] | None:
        """A visit's answers field as («», «بند ۲: بله ← خیر؛ …»): the changed items only, decoded against
        the visit's checklist version; None when they cannot be read (then the raw values are shown)."""
        from ostandari_desk.services.audit_values import answer_changes_text, stored_answers

        template = changes.get("template_id")
        if template is not None:
            old_template, new_template = template
        else:
            t = Inspection.__table__.c
            current = self.uow.s.connection().execute(select(t.template_id).where(t.id == visit_id)).scalar()
            old_template = new_template = current
        old_items, new_items = self._template_items(old_template), self._template_items(new_template)
        old = stored_answers(old_items, before)
        new = stored_answers(new_items, after)
        if old is None or new is None or not (old_items or new_items):
            return None
        if old_template != new_template and old:
            # another checklist version: its items are not these; say what the new one holds
            return "", answer_changes_text(new_items, {}, new)
        return "", answer_changes_text(new_items or old_items, old, new)

    def value(self, field: str, raw: object) -> str:
        if raw is None or raw == "":
            return ""
        if field == "template_id" and isinstance(raw, str):
            return self._template_name(raw)
        model = self._MODELS.get(field)
        if model is not None and isinstance(raw, str):
            key = (model.__tablename__, raw)
            if key not in self.cache:
                row = (
                    self.uow.s.connection()
                    .execute(select(model.__table__.c.name).where(model.__table__.c.id == raw))
                    .first()
                )
                self.cache[key] = row[0] if row else raw
            return self.cache[key]
        if isinstance(raw, bool):
            return "بله" if raw else "خیر"
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:
                return jalali.format_jalali(date.fromisoformat(raw))
            except ValueError:
                pass
        return text.to_persian_digits(raw) if isinstance(raw, int) else str(raw)


def _lines(entry, names: ValueNames) -> Iterator[AuditLine]:
    at = entry["at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    changes = json.loads(entry["changes"]) if entry["changes"] else {}
    common = {
        "at": at,
        "username": entry["username"],
        "role": entry["role"],
        "action": entry["action"],
        "table_name": entry["table_name"],
        "record_id": entry["record_id"],
        "detail": entry["detail"],
    }
    if not changes:
        yield AuditLine(**common, field="", before="", after="")
        return
    for field in sorted(changes, key=lambda f: field_label(f)):
        before, after = changes[field]
        if field == "answers" and entry["table_name"] == "inspection":
            readable = names.answers(entry["record_id"], changes, before, after)
            if readable is not None:
                yield AuditLine(**common, field=field, before=readable[0], after=readable[1])
                continue
        yield AuditLine(
            **common, field=field, before=names.value(field, before), after=names.value(field, after)
        )
