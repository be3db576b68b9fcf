"""The desk's exchange identity: made at set-up (or on first use for an older database), stable, signing with
a key whose fingerprint is shown; the key settings are hidden from the settings page and from set_setting."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, select

from ostandari_desk import settings
from ostandari_desk.domain import reference_ids
from ostandari_desk.errors import PermissionDeniedError, UserError
from ostandari_desk.services import setup
from ostandari_desk.services.exchange import keys
from ostandari_desk.store.models import AuditEntry, Setting
from ostandari_desk.store.uow import UnitOfWork


@pytest.fixture(autouse=True)
def _strict(monkeypatch):
    monkeypatch.setattr(UnitOfWork, "strict_writes", True)


def stored_keys(uow) -> dict[str, str]:
    with uow:
        rows = uow.s.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys.KEY_SETTINGS)))
        return dict(rows.all())


def test_fingerprint_is_eight_groups_of_the_keys_sha256():
    # SHA-256 of 32 zero bytes is 66687aad f862bd77 6c8fc18b 8e9f8e20 089714856ee2…
    assert keys.fingerprint(bytes(32)) == "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20"
    assert keys.fingerprint(b"\x01" + bytes(31)) != keys.fingerprint(bytes(32))


def test_set_up_makes_the_identity_and_it_stays(desk):
    assert len(stored_keys(desk.uow)) == 3  # made by initialize itself
    me = keys.desk_identity(desk.uow)
    assert (me.province, me.province_id, me.county, me.county_id) == ("قزوین", desk.province_id, None, None)
    assert me.is_province
    assert re.fullmatch(r"[0-9a-f]{32}", me.desk_id)
    assert len(me.public_key) == 32
    assert re.fullmatch(r"([0-9a-f]{4} ){7}[0-9a-f]{4}", me.fingerprint)
    assert me.fingerprint == keys.fingerprint(me.public_key)
    assert keys.desk_identity(desk.uow) == me  # made once


def test_sign_verifies_with_the_public_key(desk):
    me = keys.desk_identity(desk.uow)
    signature = keys.sign(desk.uow, "پرونده".encode())
    assert len(signature) == 64
    Ed25519PublicKey.from_public_bytes(me.public_key).verify(signature, "پرونده".encode())
    Ed25519PublicKey.from_public_bytes(me.public_key).verify(keys.signer(desk.uow)(b"abc"), b"abc")


def test_a_county_desk_knows_its_county(uow):
    setup.initialize(uow, "قزوین", county="آبیک")
    me = keys.desk_identity(uow)
    assert me.county == "آبیک" and not me.is_province
    assert me.county_id == reference_ids.county_id("قزوین", "آبیک")


def test_an_uninitialized_database_has_no_identity(uow):
    with pytest.raises(UserError, match="راه‌اندازی نشده"):
        keys.desk_identity(uow)


def test_an_older_database_gets_its_keys_on_first_use_and_the_private_key_is_never_audited(desk):
    with desk.uow.writing():  # as a database set up before exchange files (below the session: not audited)
        desk.uow.s.connection().execute(delete(Setting).where(Setting.key.in_(keys.KEY_SETTINGS)))
        desk.uow.commit()
    assert stored_keys(desk.uow) == {}
    me = keys.desk_identity(desk.uow)
    stored = stored_keys(desk.uow)
    assert len(stored) == 3
    assert keys.desk_identity(desk.uow) == me
    with desk.uow:
        entries = desk.uow.s.execute(
            select(AuditEntry.table_name, AuditEntry.record_id, AuditEntry.changes, AuditEntry.detail)
        ).all()
    made = [e for e in entries if e.table_name == "setting" and e.record_id == keys.PUBLIC_KEY]
    assert len(made) == 2  # at set-up and now, each with its fingerprint
    assert me.fingerprint in made[-1].detail
    private = stored[keys.PRIVATE_KEY].strip('"')
    assert len(private) == 64
    assert not any(private in (e.changes or "") + (e.detail or "") for e in entries)


def test_a_damaged_key_is_refused(desk):
    with desk.uow.writing():
        row = desk.uow.s.get(Setting, keys.PRIVATE_KEY)
        row.value = '"' + "00" * 32 + '"'  # another key than the stored public one
        desk.uow.commit()
    with pytest.raises(UserError, match="خراب"):
        keys.desk_identity(desk.uow)


def test_the_key_settings_are_hidden_and_not_settable(desk):
    values = settings.all_settings(desk.uow)
    assert not set(keys.KEY_SETTINGS) & set(values)
    assert "office_name" in values
    before = stored_keys(desk.uow)
    for key in keys.KEY_SETTINGS:
        with pytest.raises(PermissionDeniedError):
            settings.set_setting(desk.uow, key, "00" * 32)
    assert stored_keys(desk.uow) == before
    assert settings.get_setting(desk.uow, keys.DESK_ID_KEY) == keys.desk_identity(desk.uow).desk_id
