"""Identity files and registered desks: which other desk this one exchanges signed files with.

A county's desk writes its identity file (its id, province, county and public key, signed by that key); the
province registers it after comparing the fingerprint shown on both screens, and the county registers the
province's file the same way. Reference ids are deterministic (domain/reference_ids.py), so two desks set up for
one province carry the same province and county ids; a desk set up before that cannot exchange.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import col, select

from ostandari_desk import settings
from ostandari_desk.domain import text
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import NotFoundError, UserError, ValidationError
from ostandari_desk.services.exchange import keys
from ostandari_desk.services.exchange.keys import DeskIdentity
from ostandari_desk.store.models import County, ExchangeDesk
from ostandari_desk.store.uow import UnitOfWork

FORMAT = "ostandari-desk-identity"
VERSION = 1
MAX_IDENTITY_FILE = 64 * 1024
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")

PROVINCE_DESK = "میز استان"
NO_PROVINCE_DESK = (
    "هنوز میز استان ثبت نشده است؛ پرونده شناسایی میز استان را بگیرید و ثبت کنید "
    "(ostandari-desk exchange register)"
)
NO_COUNTY_DESK = (
    "هنوز میز هیچ شهرستانی ثبت نشده است؛ پرونده شناسایی میز شهرستان را ثبت کنید "
    "(ostandari-desk exchange register)"
)
MANY_COUNTY_DESKS = "میز چند شهرستان ثبت شده است؛ شهرستانی را که پرونده برای آن است برگزینید ({names})"
OLD_IDS = (
    "شناسه استان «{province}» در این دو میز یکی نیست: یکی از دو میز پیش از یکسان شدن شناسه‌های پایه راه‌اندازی "
    "شده است و نمی‌تواند پرونده تبادل کند. میز قدیمی را با نسخه تازه از نو راه‌اندازی کنید و داده‌ها را "
    "با پرونده‌های اکسل به آن ببرید"
)
OLD_COUNTY_IDS = (
    "شناسه شهرستان «{county}» در این دو میز یکی نیست: یکی از دو میز پیش از یکسان شدن شناسه‌های پایه "
    "راه‌اندازی شده است و نمی‌تواند پرونده تبادل کند"
)


@dataclass(frozen=True)
class PeerIdentity:
    """Another desk as its identity file describes it (the self-signature checked)."""

    desk_id: str
    province: str
    province_id: str
    county: str | None
    county_id: str | None
    public_key: bytes
    fingerprint: str
    created_at: str

    @property
    def is_province(self) -> bool:
        return self.county_id is None

    @property
    def label(self) -> str:
        """«میز استان» or «میز شهرستان آبیک»."""
        return PROVINCE_DESK if self.is_province else f"میز شهرستان {self.county}"


@dataclass(frozen=True)
class RegisteredDesk:
    """A registered desk as the lists show it; ``county`` is None for the province's desk."""

    desk_id: str
    province: str
    county_id: str | None
    county: str | None
    fingerprint: str
    registered_at: datetime
    registered_by: str
    active: bool
    sent_seq: int
    received_seq: int
    acked_seq: int
    new: bool = False  # register_desk: this call registered it (False: it was registered already)
    replaced: tuple[str, ...] = ()  # register_desk: the ids of the desks it took the place of

    @property
    def label(self) -> str:
        return PROVINCE_DESK if self.county_id is None else f"میز شهرستان {self.county or ''}".strip()


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a self-signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --- the identity file -------------------------------------------------------------------------------


def identity_document(uow: UnitOfWork) -> tuple[DeskIdentity, dict[str, Any]]:
    """This desk's identity and its signed identity document (what ``write_identity`` writes)."""
    me = keys.desk_identity(uow)
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "desk_id": me.desk_id,
        "province": me.province,
        "province_id": me.province_id,
        "county": me.county,
        "county_id": me.county_id,
        "public_key": me.public_key.hex(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    document["signature"] = keys.sign(uow, canonical(document)).hex()
    return me, document


def write_identity(uow: UnitOfWork, path: str | os.PathLike[str]) -> DeskIdentity:
    """Write this desk's identity file (JSON, signed by its own key) to ``path``, atomically."""
    me, document = identity_document(uow)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    handle, temp = tempfile.mkstemp(prefix=".identity-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return me


def parse_identity(data: bytes, name: str = "پرونده") -> PeerIdentity:
    """Check an identity file's bytes (shape and self-signature); see ``read_identity``."""

    def bad(what: str) -> ValidationError:
        return ValidationError(f"پرونده شناسایی «{name}» پذیرفته نشد: {what}", record=name)

    if len(data) > MAX_IDENTITY_FILE:
        raise bad("پرونده شناسایی میز کار نیست")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise bad("پرونده شناسایی میز کار نیست") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise bad("پرونده شناسایی میز کار نیست")
    if document.get("version") != VERSION or isinstance(document.get("version"), bool):
        raise bad("نسخه این پرونده را این برنامه نمی‌شناسد")
    expected = {
        "format",
        "version",
        "desk_id",
        "province",
        "province_id",
        "county",
        "county_id",
        "public_key",
        "created_at",
        "signature",
    }
    if set(document) != expected:
        raise bad("بخش‌های پرونده کامل یا درست نیست")

    def hex_field(key: str, pattern: re.Pattern[str], nullable: bool = False) -> str | None:
        value = document[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise bad(f"مقدار {key} درست نیست")
        return value

    desk_id = hex_field("desk_id", _HEX32)
    province_id = hex_field("province_id", _HEX32)
    county_id = hex_field("county_id", _HEX32, nullable=True)
    public_hex = hex_field("public_key", _HEX64)
    signature_hex = hex_field("signature", _HEX128)
    province, county, created_at = document["province"], document["county"], document["created_at"]
    if not isinstance(province, str) or not text.clean(province):
        raise bad("نام استان نیست")
    if county is not None and (not isinstance(county, str) or not text.clean(county)):
        raise bad("نام شهرستان درست نیست")
    if (county is None) != (county_id is None):
        raise bad("شهرستان و شناسه آن با هم نمی‌خوانند")
    if not isinstance(created_at, str):
        raise bad("زمان ساخت درست نیست")
    assert desk_id and province_id and public_hex and signature_hex
    public = bytes.fromhex(public_hex)
    signed = {k: v for k, v in document.items() if k != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(signature_hex), canonical(signed))
    except (InvalidSignature, ValueError):
        raise bad("امضای پرونده درست نیست: پس از ساخت تغییر کرده است") from None
    return PeerIdentity(
        desk_id=desk_id,
        province=text.clean(province),
        province_id=province_id,
        county=text.clean(county) if county is not None else None,
        county_id=county_id,
        public_key=public,
        fingerprint=keys.fingerprint(public),
        created_at=created_at,
    )


def read_identity(path: str | os.PathLike[str]) -> PeerIdentity:
    """Read another desk's identity file and check its self-signature.

    Raises:
        ValidationError: not an identity file, malformed, or changed after it was signed (Persian).
    """
    source = Path(path)
    try:
        if source.stat().st_size > MAX_IDENTITY_FILE:
            raise ValidationError(
                f"پرونده شناسایی «{source.name}» پذیرفته نشد: پرونده شناسایی میز کار نیست", record=source.name
            )
        data = source.read_bytes()
    except OSError as error:
        raise UserError(f"پرونده «{source.name}» خوانده نشد: {error.strerror or error}") from None
    return parse_identity(data, source.name)


# --- registration ------------------------------------------------------------------------------------


def desk_row(uow: UnitOfWork, desk: ExchangeDesk, **extra: Any) -> RegisteredDesk:
    """A registered desk as the lists show it (``extra``: register_desk's ``new``/``replaced``)."""
    county = uow.s.get(County, desk.county_id) if desk.county_id else None
    return RegisteredDesk(
        desk_id=desk.id,
        province=desk.province,
        county_id=desk.county_id,
        county=county.name if county is not None else None,
        fingerprint=desk.fingerprint,
        registered_at=desk.registered_at,
        registered_by=desk.registered_by,
        active=bool(desk.active),
        sent_seq=desk.sent_seq,
        received_seq=desk.received_seq,
        acked_seq=desk.acked_seq,
        **extra,
    )


def _check_peer(uow: UnitOfWork, me: DeskIdentity, peer: PeerIdentity) -> None:
    """ValidationError (Persian) unless ``peer`` is a desk this one may exchange with."""
    if peer.desk_id == me.desk_id or peer.public_key == me.public_key:
        raise ValidationError(
            "این پرونده شناسایی همین میز است؛ پرونده میز دیگر را ثبت کنید", record=peer.desk_id
        )
    if text.normalize(peer.province) != text.normalize(me.province):
        raise ValidationError(
            f"این پرونده از میز استان «{peer.province}» است و این میز از استان «{me.province}»",
            field="province",
            record=peer.desk_id,
        )
    if peer.province_id != me.province_id:
        raise ValidationError(OLD_IDS.format(province=me.province), field="province_id", record=peer.desk_id)
    if me.is_province and peer.is_province:
        raise ValidationError(
            "این پرونده از میز استان دیگری است؛ میز استان تنها میزهای شهرستان‌ها را ثبت می‌کند",
            record=peer.desk_id,
        )
    if not me.is_province and not peer.is_province:
        raise ValidationError(
            f"این پرونده از میز شهرستان «{peer.county}» است؛ میز شهرستان تنها میز استان را ثبت می‌کند",
            record=peer.desk_id,
        )
    if peer.is_province:
        return
    county = uow.s.get(County, peer.county_id)
    if county is not None and county.province_id == me.province_id:
        return
    key = text.normalize(peer.county or "")
    named = uow.s.exec(
        select(County).where(County.province_id == me.province_id, County.name_key == key)
    ).first()
    if named is not None:
        raise ValidationError(
            OLD_COUNTY_IDS.format(county=named.name), field="county_id", record=peer.desk_id
        )
    raise ValidationError(
        f"شهرستان «{peer.county}» در فهرست شهرستان‌های استان {me.province} نیست",
        field="county",
        record=peer.desk_id,
    )


def register_desk(uow: UnitOfWork, peer: PeerIdentity, replace: bool = False) -> RegisteredDesk:
    """Register ``peer`` (from ``read_identity``) as a desk this one exchanges with; audited.

    The province registers county desks, a county the province's desk. Registering the same key again
    changes nothing. A county (or the province, at a county desk) that already has another active key is
    refused unless ``replace`` (the caller confirmed it): then the old desk is deactivated.

    Raises:
        PermissionDeniedError: the actor may not exchange files (manager or admin only).
        ValidationError: another province, the wrong kind of desk, this desk itself, an unknown county, a
            desk set up before deterministic ids, another key already registered (without ``replace``).
    """
    with uow.writing():
        uow.require(Permission.EXCHANGE)
        me = keys.desk_identity(uow)
        _check_peer(uow, me, peer)
        public_hex = peer.public_key.hex()
        existing = uow.s.get(ExchangeDesk, peer.desk_id)
        if existing is not None and existing.active and existing.public_key == public_hex:
            return desk_row(uow, existing)
        others = list(
            uow.s.exec(
                select(ExchangeDesk).where(
                    ExchangeDesk.county_id == peer.county_id
                    if peer.county_id is not None
                    else col(ExchangeDesk.county_id).is_(None),
                    ExchangeDesk.active == True,
                    ExchangeDesk.id != peer.desk_id,
                )
            )
        )
        changed_key = existing is not None and existing.public_key != public_hex
        if (others or changed_key) and not replace:
            shown = others[0].fingerprint if others else existing.fingerprint  # type: ignore[union-attr]
            raise ValidationError(
                f"برای {peer.label} کلید دیگری (اثر انگشت {shown}) ثبت شده است؛ "
                "اگر آن میز از نو راه‌اندازی شده است، جایگزینی را تأیید کنید",
                field="public_key",
                record=peer.desk_id,
            )
        for other in others:
            other.active = False
            uow.s.add(other)
        if existing is None:
            existing = ExchangeDesk(
                id=peer.desk_id,
                province=peer.province,
                county_id=peer.county_id,
                public_key=public_hex,
                fingerprint=peer.fingerprint,
                registered_by=uow.actor.username,
            )
        else:
            existing.public_key = public_hex
            existing.fingerprint = peer.fingerprint
            existing.province = peer.province
            existing.county_id = peer.county_id
            existing.active = True
            existing.registered_at = datetime.now(UTC)
            existing.registered_by = uow.actor.username
        uow.s.add(existing)
        uow.s.flush()
        replaced = tuple(o.id for o in others)
        detail = f"{peer.label} ثبت شد؛ اثر انگشت: {peer.fingerprint}"
        if replaced or changed_key:
            detail += " (به جای کلید پیشین)"
        uow.audit("register", "exchangedesk", peer.desk_id, detail=detail)
        row = desk_row(uow, existing, new=True, replaced=replaced)
        uow.commit()
        return row


def list_desks(uow: UnitOfWork, include_inactive: bool = False) -> list[RegisteredDesk]:
    """The registered desks: the province's first, then the counties in their order; active ones only unless
    ``include_inactive``."""
    with uow:
        stmt = select(ExchangeDesk)
        if not include_inactive:
            stmt = stmt.where(ExchangeDesk.active == True)
        rows = [desk_row(uow, desk) for desk in uow.s.exec(stmt)]
        positions = {c.id: (c.position, c.name) for c in uow.s.exec(select(County))}
        return sorted(
            rows,
            key=lambda r: (
                r.county_id is not None,
                positions.get(r.county_id or "", (0, "")),
                not r.active,
                r.registered_at,
            ),
        )


def _kept(uow: UnitOfWork, desk: ExchangeDesk) -> ExchangeDesk:
    """``desk`` as it stays usable: inside a caller's block the session's own row (to update its numbers);
    called on its own, a detached copy (the block's end would otherwise expire it)."""
    if uow.outermost:
        uow.s.expunge(desk)
    return desk


def peer_for(uow: UnitOfWork, county: str | None = None) -> ExchangeDesk:
    """The active desk a file goes to (or comes from): at a county desk, the province's; at the province,
    ``county``'s (a name; needed only when more than one county desk is registered). Inside the caller's
    block it is the session's row (update ``sent_seq`` on it); called on its own, a detached copy.

    Raises:
        UserError: no such desk registered, several and no county named, an unknown county.
    """
    with uow:
        if not settings.get_setting(uow, "province_id"):
            raise UserError(keys.NOT_INITIALIZED)
        active = ExchangeDesk.active == True
        if settings.get_setting(uow, "installation_county_id"):
            found = uow.s.exec(
                select(ExchangeDesk).where(active, col(ExchangeDesk.county_id).is_(None))
            ).first()
            if found is None:
                raise NotFoundError(NO_PROVINCE_DESK)
            return _kept(uow, found)
        desks = list(uow.s.exec(select(ExchangeDesk).where(active, col(ExchangeDesk.county_id).is_not(None))))
        if county is not None and text.normalize(county):
            province_id = settings.get_setting(uow, "province_id")
            row = uow.s.exec(
                select(County).where(
                    County.province_id == province_id, County.name_key == text.normalize(county)
                )
            ).first()
            if row is None:
                raise NotFoundError(f"شهرستان «{text.clean(county)}» در فهرست شهرستان‌ها نیست", field="county")
            found = next((d for d in desks if d.county_id == row.id), None)
            if found is None:
                raise NotFoundError(
                    f"هنوز میز شهرستان «{row.name}» ثبت نشده است؛ پرونده شناسایی آن را ثبت کنید "
                    "(ostandari-desk exchange register)",
                    field="county",
                )
            return _kept(uow, found)
        if not desks:
            raise NotFoundError(NO_COUNTY_DESK)
        if len(desks) > 1:
            names = {c.id: c.name for c in uow.s.exec(select(County))}
            shown = "، ".join(sorted(names.get(d.county_id or "", "") for d in desks))
            raise UserError(MANY_COUNTY_DESKS.format(names=shown), field="county")
        return _kept(uow, desks[0])
