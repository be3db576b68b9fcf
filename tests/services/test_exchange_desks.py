"""Identity files and registered desks: a county's desk and the province's register each other; every wrong
identity (tampered, another province, the wrong kind of desk, itself, an unknown county, old random ids, a
second key for one county) is refused in Persian and changes nothing."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from ostandari_desk.domain import reference_ids
from ostandari_desk.domain.roles import SYSTEM
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, UserError, ValidationError
from ostandari_desk.services import setup
from ostandari_desk.services.exchange import desks, keys
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.models import AuditEntry, ExchangeDesk
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork


@pytest.fixture(autouse=True)
def _strict(monkeypatch):
    monkeypatch.setattr(UnitOfWork, "strict_writes", True)


@pytest.fixture
def new_desk(tmp_path, _migrated_template):
    """Factory: ``new_desk(province, county=None)`` -> a UnitOfWork on its own freshly set-up database."""
    engines = []

    def make(province: str, county: str | None = None) -> UnitOfWork:
        path = tmp_path / f"desk{len(engines)}.sqlite3"
        shutil.copy(_migrated_template, path)
        engines.append(open_database(sqlite_url(path)))
        uow = UnitOfWork(engines[-1], SYSTEM)
        setup.initialize(uow, province, county=county)
        return uow

    yield make
    for engine in engines:
        engine.dispose()


def identity_of(uow: UnitOfWork, tmp_path, name: str = "desk.json") -> desks.PeerIdentity:
    path = tmp_path / name
    desks.write_identity(uow, path)
    return desks.read_identity(path)


def forged(**fields) -> desks.PeerIdentity:
    """An identity signed properly by a fresh key, with any fields (a desk set up some other way)."""
    key = Ed25519PrivateKey.generate()
    document = {
        "format": "ostandari-desk-identity",
        "version": 1,
        "desk_id": "c" * 32,
        "province": "قزوین",
        "province_id": reference_ids.province_id("قزوین"),
        "county": "آبیک",
        "county_id": reference_ids.county_id("قزوین", "آبیک"),
        "public_key": key.public_key().public_bytes_raw().hex(),
        "created_at": datetime.now(UTC).isoformat(),
        **fields,
    }
    document["signature"] = key.sign(desks.canonical(document)).hex()
    return desks.parse_identity(json.dumps(document).encode())


def desk_rows(uow: UnitOfWork) -> list[tuple]:
    with uow:
        return uow.s.execute(
            select(ExchangeDesk.id, ExchangeDesk.county_id, ExchangeDesk.active).order_by(ExchangeDesk.id)
        ).all()


def register_entries(uow: UnitOfWork) -> list[str]:
    with uow:
        return list(
            uow.s.execute(
                select(AuditEntry.detail).where(
                    AuditEntry.action == "register", AuditEntry.table_name == "exchangedesk"
                )
            ).scalars()
        )


# --- identity files ----------------------------------------------------------------------------------


def test_identity_file_round_trip(desk, new_desk, tmp_path):
    abyek = new_desk("قزوین", county="آبیک")
    me = keys.desk_identity(abyek)
    peer = identity_of(abyek, tmp_path)
    assert (peer.desk_id, peer.province, peer.province_id) == (me.desk_id, "قزوین", desk.province_id)
    assert (peer.county, peer.county_id) == ("آبیک", desk.counties["آبیک"])
    assert (peer.public_key, peer.fingerprint) == (me.public_key, me.fingerprint)
    assert peer.label == "میز شهرستان آبیک"
    document = json.loads((tmp_path / "desk.json").read_text(encoding="utf-8"))
    assert document["format"] == "ostandari-desk-identity" and document["version"] == 1
    assert "exchange_private_key" not in json.dumps(document)
    province = identity_of(desk.uow, tmp_path, "province.json")
    assert province.is_province and province.county is None and province.label == "میز استان"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(county="البرز"), "امضای"),
        (lambda d: d.update(province_id=reference_ids.province_id("کرمان")), "امضای"),
        (lambda d: d.update(signature="0" * 128), "امضای"),
        (
            lambda d: d.update(public_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()),
            "امضای",
        ),
        (lambda d: d.update(format="something"), "میز کار نیست"),
        (lambda d: d.update(version=2), "نسخه"),
        (lambda d: d.pop("created_at"), "کامل"),
        (lambda d: d.update(extra=1), "کامل"),
        (lambda d: d.update(desk_id="not hex"), "desk_id"),
        (lambda d: d.update(county=None), "با هم نمی‌خوانند"),
        (lambda d: d.update(signature=d["signature"][:-2]), "signature"),
    ],
)
def test_a_malformed_or_tampered_identity_is_refused(uow, tmp_path, change, reason):
    setup.initialize(uow, "قزوین", county="آبیک")
    path = tmp_path / "desk.json"
    desks.write_identity(uow, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match=reason) as caught:
        desks.read_identity(path)
    assert "پرونده شناسایی" in caught.value.message


def test_files_that_are_no_identity_are_refused(tmp_path):
    for name, data in (
        ("a.json", b"[1]"),
        ("b.json", b"\xff\xfe junk"),
        ("c.json", b""),
        ("d.json", b"{" * 70000),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValidationError, match="پرونده شناسایی میز کار نیست"):
            desks.read_identity(tmp_path / name)
    with pytest.raises(UserError, match="خوانده نشد"):
        desks.read_identity(tmp_path / "missing.json")


# --- registration ------------------------------------------------------------------------------------


def test_the_province_and_a_county_register_each_other(desk, new_desk, tmp_path):
    abyek = new_desk("قزوین", county="آبیک")
    county_peer = identity_of(abyek, tmp_path, "abyek.json")
    row = desks.register_desk(desk.uow, county_peer)
    assert row.new and row.replaced == ()
    assert (row.desk_id, row.county, row.county_id) == (county_peer.desk_id, "آبیک", desk.counties["آبیک"])
    assert (row.fingerprint, row.registered_by, row.active) == (county_peer.fingerprint, "tester", True)
    assert (row.sent_seq, row.received_seq, row.acked_seq) == (0, 0, 0)
    assert [r.desk_id for r in desks.list_desks(desk.uow)] == [county_peer.desk_id]
    listed = desks.list_desks(desk.uow)[0]
    assert (listed.county, listed.fingerprint, listed.label) == (
        "آبیک",
        county_peer.fingerprint,
        "میز شهرستان آبیک",
    )
    entries = register_entries(desk.uow)
    assert len(entries) == 1 and county_peer.fingerprint in entries[0]
    assert desks.peer_for(desk.uow).id == county_peer.desk_id
    assert desks.peer_for(desk.uow, "آبيک").id == county_peer.desk_id  # Arabic yeh

    # the same key again: nothing changes, nothing is audited
    again = desks.register_desk(desk.uow, county_peer)
    assert not again.new and again.desk_id == county_peer.desk_id
    assert len(register_entries(desk.uow)) == 1 and len(desk_rows(desk.uow)) == 1

    # the county registers the province's desk
    province_peer = identity_of(desk.uow, tmp_path, "province.json")
    row = desks.register_desk(abyek, province_peer)
    assert row.county is None and row.label == "میز استان"
    assert desks.peer_for(abyek).id == province_peer.desk_id
    assert desks.peer_for(abyek, "آبیک").id == province_peer.desk_id


def test_a_manager_may_register_a_clerk_or_county_user_may_not(desk, new_desk, tmp_path, uow_as):
    peer = identity_of(new_desk("قزوین", county="آبیک"), tmp_path)
    for role, county in (("clerk", None), ("county", desk.counties["آبیک"])):
        with pytest.raises(PermissionDeniedError, match="تبادل پرونده با استان / شهرستان"):
            desks.register_desk(uow_as(role, county), peer)
    assert desk_rows(desk.uow) == []
    assert desks.register_desk(uow_as("manager"), peer).new


def test_refused_registrations_change_nothing(desk, new_desk, tmp_path):
    province_peer = identity_of(desk.uow, tmp_path, "province.json")
    abyek = new_desk("قزوین", county="آبیک")
    cases = [
        (desk.uow, identity_of(new_desk("کرمان", county="رفسنجان"), tmp_path, "kerman.json"), "کرمان"),
        (desk.uow, identity_of(new_desk("قزوین"), tmp_path, "province2.json"), "میز استان تنها میزهای"),
        (abyek, identity_of(new_desk("قزوین", county="البرز"), tmp_path, "alborz.json"), "میز شهرستان تنها"),
        (desk.uow, province_peer, "همین میز"),
        (abyek, identity_of(abyek, tmp_path, "self.json"), "همین میز"),
        (
            desk.uow,
            forged(county="ناکجاآباد", county_id=reference_ids.county_id("قزوین", "ناکجاآباد")),
            "ناکجاآباد» در فهرست شهرستان‌های استان قزوین نیست",
        ),
        (desk.uow, forged(province_id="d" * 32), "پیش از یکسان شدن شناسه‌های پایه"),
        (abyek, forged(county=None, county_id=None, province_id="d" * 32), "پیش از یکسان شدن شناسه‌های پایه"),
        (desk.uow, forged(county_id="e" * 32), "شناسه شهرستان «آبیک» در این دو میز یکی نیست"),
    ]
    for uow, peer, reason in cases:
        with pytest.raises(ValidationError, match=reason):
            desks.register_desk(uow, peer)
    assert desk_rows(desk.uow) == [] and desk_rows(abyek) == []
    assert register_entries(desk.uow) == [] and register_entries(abyek) == []


def test_a_second_key_for_a_county_needs_confirmation_and_replaces_the_first(desk, new_desk, tmp_path):
    first = identity_of(new_desk("قزوین", county="آبیک"), tmp_path, "first.json")
    desks.register_desk(desk.uow, first)
    second = identity_of(new_desk("قزوین", county="آبیک"), tmp_path, "second.json")  # the county set up again
    with pytest.raises(ValidationError, match=first.fingerprint):
        desks.register_desk(desk.uow, second)
    assert desk_rows(desk.uow) == [(first.desk_id, desk.counties["آبیک"], True)]

    row = desks.register_desk(desk.uow, second, replace=True)
    assert row.new and row.replaced == (first.desk_id,)
    assert [r.desk_id for r in desks.list_desks(desk.uow)] == [second.desk_id]
    every = desks.list_desks(desk.uow, include_inactive=True)
    assert {(r.desk_id, r.active) for r in every} == {(first.desk_id, False), (second.desk_id, True)}
    assert desks.peer_for(desk.uow, "آبیک").id == second.desk_id
    entries = register_entries(desk.uow)
    assert len(entries) == 2 and second.fingerprint in entries[1] and "پیشین" in entries[1]

    # the same desk with a new key (its keys were made again): also a replacement
    rekeyed = forged(desk_id=second.desk_id)
    with pytest.raises(ValidationError, match=second.fingerprint):
        desks.register_desk(desk.uow, rekeyed)
    assert desks.register_desk(desk.uow, rekeyed, replace=True).fingerprint == rekeyed.fingerprint
    with desk.uow:
        stored = desk.uow.s.get(ExchangeDesk, second.desk_id).public_key
        count = desk.uow.s.execute(select(func.count()).select_from(ExchangeDesk)).scalar_one()
    assert stored == rekeyed.public_key.hex() and count == 2


def test_peer_for_says_what_is_missing(desk, new_desk, tmp_path):
    with pytest.raises(NotFoundError, match="هنوز میز هیچ شهرستانی ثبت نشده است"):
        desks.peer_for(desk.uow)
    abyek = new_desk("قزوین", county="آبیک")
    with pytest.raises(NotFoundError, match="هنوز میز استان ثبت نشده است"):
        desks.peer_for(abyek)
    desks.register_desk(desk.uow, identity_of(abyek, tmp_path, "abyek.json"))
    alborz = identity_of(new_desk("قزوین", county="البرز"), tmp_path, "alborz.json")
    desks.register_desk(desk.uow, alborz)
    with pytest.raises(UserError, match="میز چند شهرستان ثبت شده است") as caught:
        desks.peer_for(desk.uow)
    assert "آبیک" in caught.value.message and "البرز" in caught.value.message
    assert desks.peer_for(desk.uow, "البرز").id == alborz.desk_id
    with pytest.raises(NotFoundError, match="هنوز میز شهرستان «تاکستان» ثبت نشده است"):
        desks.peer_for(desk.uow, "تاکستان")
    with pytest.raises(NotFoundError, match="تهران"):
        desks.peer_for(desk.uow, "تهران")
    order = [c for c in setup.counties_of("قزوین") if c in ("آبیک", "البرز")]  # the counties' own order
    assert [r.county for r in desks.list_desks(desk.uow)] == order
