"""The exchange's history: the files this desk sent and received, and a summary for the page's header.

Read-only and open to every signed-in user (the exchange page shows it to clerks too); a county user sees
only the files exchanged with the province's desk or with their own county's desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from ostandari_desk.domain import jalali, text
from ostandari_desk.services.exchange.ledger import CHANGES, RECEIPT, RECEIVED, SENT
from ostandari_desk.store.models import County, ExchangeConflict, ExchangeDesk, ExchangeFile
from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "DIRECTION_LABELS",
    "KIND_LABELS",
    "DeskSummary",
    "ExchangeSummary",
    "FileRow",
    "describe_import",
    "exchange_summary",
    "jalali_time",
    "list_files",
    "peer_name",
    "visible_desk_names",
]

DIRECTION_LABELS = {SENT: "ارسالی", RECEIVED: "دریافتی"}
KIND_LABELS = {CHANGES: "پرونده تبادل", RECEIPT: "رسید"}


def jalali_time(when: datetime | None) -> str:
    """«۱۴۰۳/۰۹/۱۰ ۱۵:۳۰» in local time with Persian digits; "" for None (stored times are UTC)."""
    if when is None:
        return ""
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone()
    return f"{jalali.format_jalali(local.date())} {text.to_persian_digits(local.strftime('%H:%M'))}"


def peer_name(desk: ExchangeDesk, counties: dict[str, str]) -> str:
    """The other desk as the clerk knows it: its county's name, or «استان <name>» for the province's desk."""
    if desk.county_id is None:
        return f"استان {desk.province}"
    return counties.get(desk.county_id, "")


@dataclass(frozen=True)
class FileRow:
    """One file sent to or received from another desk (a changes file or a receipt)."""

    id: str
    desk_id: str
    peer: str  # the other desk: its county's name, or «استان …»
    direction: str  # sent | received
    kind: str  # changes | receipt
    seq: int
    at: datetime
    username: str
    file_name: str
    sha256: str
    records: int
    applied: int
    conflicts: int  # conflicts the file raised when it was taken
    open_conflicts: int  # of those, still waiting for a manager
    acked_at: datetime | None

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def at_text(self) -> str:
        return jalali_time(self.at)

    @property
    def acked(self) -> bool:
        return self.acked_at is not None

    @property
    def acked_text(self) -> str:
        """A changes file's receipt: when it came (sent) or was written (received), else what is awaited;
        "—" for a receipt itself."""
        if self.kind != CHANGES:
            return "—"
        if self.acked_at is not None:
            return jalali_time(self.acked_at)
        return "در انتظار رسید" if self.direction == SENT else "رسید نوشته نشده"


@dataclass(frozen=True)
class DeskSummary:
    """Where the exchange with one registered desk stands."""

    desk_id: str
    county_id: str | None  # None: the province's desk
    county: str | None  # the county's name (None: the province's desk)
    peer: str  # as shown: the county's name, or «استان …»
    fingerprint: str
    registered_at: datetime
    active: bool
    sent_seq: int
    received_seq: int
    acked_seq: int
    last_sent_at: datetime | None
    last_received_at: datetime | None
    open_conflicts: int

    @property
    def unacked(self) -> int:
        """Changes files sent to this desk whose receipt has not come yet."""
        return max(self.sent_seq - self.acked_seq, 0)


@dataclass(frozen=True)
class ExchangeSummary:
    """The page header: conflicts waiting, and each registered desk's last files."""

    open_conflicts: int
    desks: tuple[DeskSummary, ...]


def _visible_desks(uow: UnitOfWork) -> tuple[list[ExchangeDesk], dict[str, str]]:
    """The desks whose files and conflicts the actor sees (a county user: the province's desk and their own
    county's), and {county id: name}."""
    scope = uow.county_scope
    query = select(ExchangeDesk)
    if scope is not None:
        query = query.where((ExchangeDesk.county_id.is_(None)) | (ExchangeDesk.county_id == scope))
    desks = list(uow.s.execute(query).scalars())
    counties = {c.id: c.name for c in uow.s.execute(select(County)).scalars()}
    return desks, counties


def visible_desk_names(uow: UnitOfWork) -> dict[str, str]:
    """{desk id: its name as the clerk knows it (peer_name)} of the desks the actor sees."""
    desks, counties = _visible_desks(uow)
    return {d.id: peer_name(d, counties) for d in desks}


def _open_conflicts_by(uow: UnitOfWork, column) -> dict[str, int]:
    rows = uow.s.execute(
        select(column, func.count()).where(ExchangeConflict.resolved_at.is_(None)).group_by(column)
    )
    return {key: count for key, count in rows}


def list_files(uow: UnitOfWork) -> list[FileRow]:
    """Every file sent or received, newest first."""
    with uow:
        names = visible_desk_names(uow)
        if not names:
            return []
        open_by_file = _open_conflicts_by(uow, ExchangeConflict.file_id)
        files = uow.s.execute(
            select(ExchangeFile)
            .where(ExchangeFile.desk_id.in_(list(names)))
            .order_by(ExchangeFile.at.desc(), ExchangeFile.seq.desc())
        ).scalars()
        return [
            FileRow(
                id=f.id,
                desk_id=f.desk_id,
                peer=names[f.desk_id],
                direction=f.direction,
                kind=f.kind,
                seq=f.seq,
                at=f.at,
                username=f.username,
                file_name=f.file_name,
                sha256=f.sha256,
                records=f.records,
                applied=f.applied,
                conflicts=f.conflicts,
                open_conflicts=open_by_file.get(f.id, 0),
                acked_at=f.acked_at,
            )
            for f in files
        ]


def exchange_summary(uow: UnitOfWork) -> ExchangeSummary:
    """Open conflicts in all, and per registered desk its numbers and when its last files went and came."""
    with uow:
        desks, counties = _visible_desks(uow)
        ids = [d.id for d in desks]
        open_by_desk = _open_conflicts_by(uow, ExchangeConflict.desk_id)
        last: dict[tuple[str, str], datetime] = {}
        if ids:
            rows = uow.s.execute(
                select(ExchangeFile.desk_id, ExchangeFile.direction, func.max(ExchangeFile.at))
                .where(ExchangeFile.desk_id.in_(ids), ExchangeFile.kind == CHANGES)
                .group_by(ExchangeFile.desk_id, ExchangeFile.direction)
            )
            last = {(desk_id, direction): at for desk_id, direction, at in rows}
        summaries = sorted(
            (
                DeskSummary(
                    desk_id=d.id,
                    county_id=d.county_id,
                    county=counties.get(d.county_id) if d.county_id else None,
                    peer=peer_name(d, counties),
                    fingerprint=d.fingerprint,
                    registered_at=d.registered_at,
                    active=bool(d.active),
                    sent_seq=d.sent_seq,
                    received_seq=d.received_seq,
                    acked_seq=d.acked_seq,
                    last_sent_at=last.get((d.id, SENT)),
                    last_received_at=last.get((d.id, RECEIVED)),
                    open_conflicts=open_by_desk.get(d.id, 0),
                )
                for d in desks
            ),
            key=lambda s: (not s.active, s.county_id is not None, text.persian_sort_key(s.peer)),
        )
        return ExchangeSummary(
            open_conflicts=sum(s.open_conflicts for s in summaries), desks=tuple(summaries)
        )


def describe_import(result: Any) -> list[str]:
    """What taking a file did (imports.ImportResult), in Persian: the command line prints these lines and the
    exchange window shows them."""
    fa = text.to_persian_digits
    sender = result.desk.label
    if result.already_received:
        what = "رسید" if result.kind == RECEIPT else "پرونده تبادل"
        return [f"این {what} (شماره {fa(result.seq)} از {sender}) پیش‌تر دریافت شده است؛ چیزی تغییر نکرد."]
    if result.kind == RECEIPT:
        confirmed = (
            f"رسید شماره {fa(result.seq)} از {sender} دریافت شد: {fa(result.records)} رکورد از "
            f"{fa(result.applied)} پرونده تبادل تأیید شد و دیگر فرستاده نمی‌شود."
        )
        return [confirmed]
    counts = (
        f"اعمال شد: {fa(result.applied)}؛ بی‌تغییر: {fa(result.unchanged)}؛ حذف شد: {fa(result.deleted)}؛ "
        f"ناسازگاری: {fa(result.conflicts)}."
    )
    lines = [
        f"پرونده تبادل شماره {fa(result.seq)} از {sender} دریافت شد: {fa(result.records)} رکورد.",
        counts,
    ]
    if result.conflicts:
        lines.append(f"{fa(result.conflicts)} رکورد در هر دو میز تغییر کرده و در انتظار تصمیم مدیر است.")
    return lines
