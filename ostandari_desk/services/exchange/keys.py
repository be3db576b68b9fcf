"""The desk's own exchange identity: its id and Ed25519 key pair, made once and kept in the settings.

``setup.initialize`` makes them with the province; a database set up before exchange files existed gets them
on first use. They are written below the session so the private key never lands in the audit trail (its entry
says only that a key pair was made, with the fingerprint). Whoever reads the database can read the private
key: it proves which desk wrote a file, it is not a secret from the desk's own users.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update

from ostandari_desk import settings
from ostandari_desk.errors import UserError
from ostandari_desk.store.models import County, Province, Setting
from ostandari_desk.store.uow import UnitOfWork

DESK_ID_KEY = "exchange_desk_id"
PRIVATE_KEY = "exchange_private_key"
PUBLIC_KEY = "exchange_public_key"
KEY_SETTINGS = (DESK_ID_KEY, PRIVATE_KEY, PUBLIC_KEY)

NOT_INITIALIZED = "این پایگاه داده هنوز راه‌اندازی نشده است؛ نخست استان (و شهرستان) آن را برگزینید"
BROKEN_KEY = "کلید تبادل این میز خراب است؛ با پشتیبانی تماس بگیرید"


@dataclass(frozen=True)
class DeskIdentity:
    """Who this desk is in an exchange: its id, province and county (None: the province's own desk)."""

    desk_id: str
    province: str
    province_id: str
    county: str | None
    county_id: str | None
    public_key: bytes
    fingerprint: str

    @property
    def is_province(self) -> bool:
        return self.county_id is None


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key, its first 16 bytes as 8 groups of 4 hex digits ("3f2a 91c0 …")."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _stored(uow: UnitOfWork) -> dict[str, str | None]:
    return {key: settings.get_setting(uow, key) for key in KEY_SETTINGS}


def _complete(values: dict[str, str | None]) -> bool:
    return all(values.get(key) for key in KEY_SETTINGS)


def create_keys(uow: UnitOfWork) -> dict[str, str]:
    """Make the desk id and key pair unless stored (idempotent); in the caller's transaction when inside one.

    Written below the session (the key must not be copied into the audit trail); one audit entry says it was
    made. Returns the three stored values.
    """
    with uow.writing():
        table = Setting.__table__
        conn = uow.s.connection()
        rows = dict(
            conn.execute(select(table.c.key, table.c.value).where(table.c.key.in_(KEY_SETTINGS))).all()
        )
        stored = {key: json.loads(rows[key]) if key in rows else None for key in KEY_SETTINGS}
        if _complete(stored):
            return stored  # type: ignore[return-value]  # another window made them meanwhile
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes_raw()
        values = {
            DESK_ID_KEY: stored[DESK_ID_KEY] or uuid.uuid4().hex,
            PRIVATE_KEY: private.private_bytes_raw().hex(),
            PUBLIC_KEY: public.hex(),
        }
        for key, value in values.items():
            encoded = json.dumps(value)
            if key in rows:
                conn.execute(update(table).where(table.c.key == key).values(value=encoded))
            else:
                conn.execute(insert(table).values(key=key, value=encoded))
        uow.audit(
            "insert",
            "setting",
            PUBLIC_KEY,
            detail=f"کلید تبادل این میز ساخته شد؛ اثر انگشت: {fingerprint(public)}",
        )
        uow.commit()
        return values


def _keys(uow: UnitOfWork) -> dict[str, str]:
    """The stored desk id and keys, made first when missing (a database from before exchange files)."""
    with uow:
        stored = _stored(uow)
    if _complete(stored):
        return stored  # type: ignore[return-value]
    return create_keys(uow)


def _private_key(values: dict[str, str]) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(values[PRIVATE_KEY]))
    except ValueError:
        raise UserError(BROKEN_KEY) from None


def desk_identity(uow: UnitOfWork) -> DeskIdentity:
    """This desk's identity; its key pair is made on first use. Call it outside a reading block (or in a
    writing one): the first use writes.

    Raises:
        UserError: the database is not initialized, or its stored key is damaged.
    """
    with uow:
        province_id = settings.get_setting(uow, "province_id")
        province = uow.s.get(Province, province_id) if province_id else None
        if province is None:
            raise UserError(NOT_INITIALIZED)
        province_name = province.name
    values = _keys(uow)
    with uow:
        county_id = settings.get_setting(uow, "installation_county_id")
        county = uow.s.get(County, county_id) if county_id else None
        public = bytes.fromhex(values[PUBLIC_KEY])
        if _private_key(values).public_key().public_bytes_raw() != public:
            raise UserError(BROKEN_KEY)
        return DeskIdentity(
            desk_id=values[DESK_ID_KEY],
            province=province_name,
            province_id=province_id,
            county=county.name if county is not None else None,
            county_id=county.id if county is not None else None,
            public_key=public,
            fingerprint=fingerprint(public),
        )


def sign(uow: UnitOfWork, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``data`` by this desk's private key (made on first use)."""
    return _private_key(_keys(uow)).sign(bytes(data))


def signer(uow: UnitOfWork):
    """``sign`` bound to this desk, loading the key once: ``container.write_signed(..., signer(uow))``."""
    key = _private_key(_keys(uow))
    return lambda data: key.sign(bytes(data))
