"""The exchange window's three tables declared once: registered desks, files sent and received, conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.services.exchange.history import jalali_time
from ostandari_desk.ui.exchange.models import Column

__all__ = ["conflict_columns", "conflict_state", "count", "desk_columns", "file_columns"]


def count(value: int) -> str:
    return to_persian_digits(value)


def desk_columns() -> tuple[Column, ...]:
    return (
        Column("میز", lambda d: d.peer, width=110),
        Column("اثر انگشت", lambda d: d.fingerprint, width=320, ltr=True),
        Column("وضعیت", lambda d: "فعال" if d.active else "جایگزین‌شده", lambda d: not d.active, width=80),
        Column("ثبت", lambda d: jalali_time(d.registered_at), _time_key("registered_at"), width=120),
        Column("آخرین ارسال", lambda d: jalali_time(d.last_sent_at) or "—", _time_key("last_sent_at"), 120),
        Column(
            "آخرین دریافت",
            lambda d: jalali_time(d.last_received_at) or "—",
            _time_key("last_received_at"),
            120,
        ),
        Column("در انتظار رسید", lambda d: count(d.unacked), lambda d: d.unacked, width=95),
        Column("ناسازگاری باز", lambda d: count(d.open_conflicts), lambda d: d.open_conflicts, width=95),
    )


def _time_key(name: str) -> Callable[[Any], float]:
    def key(row: Any) -> float:
        value = getattr(row, name)
        return value.timestamp() if value is not None else 0.0

    return key


def file_columns() -> tuple[Column, ...]:
    return (
        Column("زمان", lambda f: f.at_text, lambda f: f.at.timestamp(), width=130),
        Column("ارسالی / دریافتی", lambda f: f.direction_label, width=100),
        Column("نوع", lambda f: f.kind_label, width=100),
        Column("شماره", lambda f: count(f.seq), lambda f: f.seq, width=60),
        Column("میز", lambda f: f.peer, width=130),
        Column("رکورد", lambda f: count(f.records), lambda f: f.records, width=70),
        Column("اعمال‌شده", lambda f: count(f.applied), lambda f: f.applied, width=75),
        Column("ناسازگاری", lambda f: count(f.conflicts), lambda f: f.conflicts, width=75),
        Column("رسید", lambda f: f.acked_text, lambda f: f.acked_at.timestamp() if f.acked_at else 0.0, 130),
    )


def conflict_columns() -> tuple[Column, ...]:
    return (
        Column("زمان", lambda c: jalali_time(c.at), lambda c: c.at.timestamp(), width=130),
        Column("میز", lambda c: c.county, width=130),
        Column("نوع رکورد", lambda c: c.table_label, width=130),
        Column("رکورد", lambda c: c.record, width=300),
        Column("چه شده", conflict_state, width=200),
    )


def conflict_state(conflict: Any) -> str:
    """What happened to the record on each side."""
    if conflict.deleted_here:
        return "در این میز حذف و در میز دیگر تغییر کرده"
    if conflict.deleted_there:
        return "در میز دیگر حذف و در این میز تغییر کرده"
    return "در هر دو میز تغییر کرده"
