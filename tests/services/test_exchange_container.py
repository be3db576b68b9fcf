"""The signed exchange file: a round trip, and every way a file can be wrong refused in Persian before its body
is opened (a flipped byte anywhere, truncation, another desk's key, files that are not exchange files)."""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ostandari_desk.services.exchange import container
from ostandari_desk.services.exchange.container import MAGIC, ExchangeFileError, read_signed, write_signed

PERSIAN = re.compile(r"[\u0600-\u06ff]")

HEADER = {
    "format": "ostandari-desk-exchange",
    "version": 1,
    "kind": "changes",
    "from_desk": "a" * 32,
    "to_desk": "b" * 32,
    "province": "قزوین",
    "from_county": "آبیک",
    "to_county": None,
    "seq": 3,
    "created_at": "2024-03-20T08:30:00+00:00",
    "records": 2,
}
MEMBERS = {
    "records.jsonl": '{"t":"ngo","id":"1","d":{"name":"انجمن"}}\n{"t":"ngo","id":"2","del":true}\n'.encode(),
    "files/" + hashlib.sha256(b"\x00\x01\xff" * 500).hexdigest(): b"\x00\x01\xff" * 500,
}


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def write(path, key, header=HEADER, members=MEMBERS) -> str:
    return write_signed(path, header, members, key.sign)


def refused(path, key) -> ExchangeFileError:
    with pytest.raises(ExchangeFileError) as caught:
        read_signed(path, lambda header: public(key))
    assert PERSIAN.search(caught.value.message), caught.value.message
    return caught.value


def test_round_trip_gives_back_the_header_and_identical_members(tmp_path, key):
    path = tmp_path / "out.ostx"
    digest = write(path, key)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    asked = []
    signed = read_signed(path, lambda header: asked.append(header) or public(key))
    assert signed.header == HEADER and asked == [HEADER]
    assert signed.members == MEMBERS
    assert signed.sha256 == digest
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    assert json.loads(data[len(MAGIC) + 4 : len(MAGIC) + 4 + length]) == HEADER
    public_key = key.public_key()
    public_key.verify(data[-64:], data[:-64])  # the signature covers everything before it


def test_a_receipt_with_an_empty_body_member(tmp_path, key):
    header = {**HEADER, "kind": "receipt", "records": 0}
    path = tmp_path / "receipt.ostx"
    write(path, key, header, {"receipt.json": b"{}"})
    assert read_signed(path, lambda h: public(key)).members == {"receipt.json": b"{}"}


def test_flipping_any_single_byte_is_refused(tmp_path, key, monkeypatch):
    path = tmp_path / "out.ostx"
    write(path, key)
    original = path.read_bytes()
    opened = []
    real_zip = container.zipfile.ZipFile
    monkeypatch.setattr(container.zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real_zip(*a, **k))
    # every byte: the magic, the header length, the header, the body and the signature
    for position in range(len(original)):
        data = bytearray(original)
        data[position] ^= 0x5A
        path.write_bytes(bytes(data))
        with pytest.raises(ExchangeFileError) as caught:
            read_signed(path, lambda header: public(key))
        assert PERSIAN.search(caught.value.message)
    assert opened == []  # the body is never unzipped before the signature holds
    path.write_bytes(original)
    assert read_signed(path, lambda header: public(key)).members == MEMBERS
    assert opened == [1]


def test_named_positions_give_the_right_reason(tmp_path, key):
    path = tmp_path / "out.ostx"
    write(path, key)
    original = path.read_bytes()

    def flip(position: int) -> str:
        data = bytearray(original)
        data[position] ^= 0x01
        path.write_bytes(bytes(data))
        return refused(path, key).message

    assert "پرونده تبادل میز کار نیست" in flip(0)  # the magic
    assert "امضای" in flip(len(original) - 1)  # the signature's last byte
    assert "امضای" in flip(len(original) - 100)  # inside the body
    head_end = len(MAGIC) + 4 + int.from_bytes(original[len(MAGIC) : len(MAGIC) + 4], "big")
    assert "امضای" in flip(original.index(b'"seq":3') + 6)  # a header value: still valid JSON, seq 2
    assert "امضای" in flip(head_end)  # the body's first byte


def test_truncated_files_are_refused(tmp_path, key):
    path = tmp_path / "out.ostx"
    write(path, key)
    original = path.read_bytes()
    for size in (len(original) - 1, len(original) // 2, len(MAGIC) + 4 + 10, len(MAGIC) + 2, 10):
        path.write_bytes(original[:size])
        refused(path, key)
    path.write_bytes(original[: len(MAGIC) + 2])
    assert "ناقص" in refused(path, key).message


def test_a_file_signed_by_another_key_is_refused(tmp_path, key):
    path = tmp_path / "out.ostx"
    write(path, Ed25519PrivateKey.generate())
    assert "امضای" in refused(path, key).message


def test_files_that_are_not_exchange_files_are_refused(tmp_path, key):
    from openpyxl import Workbook

    sheet = tmp_path / "licences.xlsx"
    book = Workbook()
    book.active["A1"] = "نام"
    book.save(sheet)
    random_bytes = tmp_path / "noise.bin"
    random_bytes.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.ostx"
    empty.write_bytes(b"")
    for path in (sheet, random_bytes, empty):
        assert "پرونده تبادل میز کار نیست" in refused(path, key).message
    missing = tmp_path / "gone.ostx"
    assert "خوانده نشد" in refused(missing, key).message


def test_absurd_header_lengths_are_refused(tmp_path, key):
    path = tmp_path / "big.ostx"
    for length in (0, 2**31, container.MAX_HEADER + 1):
        path.write_bytes(MAGIC + length.to_bytes(4, "big") + b"{}" * 100 + b"\x00" * 64)
        assert "اندازه سرآیند" in refused(path, key).message


def test_a_malformed_header_is_refused_before_any_key_is_looked_up(tmp_path, key):
    path = tmp_path / "bad.ostx"
    bad_headers = (
        {**HEADER, "format": "something-else"},
        {**HEADER, "version": 2},
        {**HEADER, "kind": "everything"},
        {k: v for k, v in HEADER.items() if k != "seq"},
        {**HEADER, "seq": "3"},
        {**HEADER, "seq": -1},
        {**HEADER, "from_county": 7},
        {**HEADER, "to_desk": ""},
    )
    for header in bad_headers:
        write(path, key, header)
        with pytest.raises(ExchangeFileError, match="سرآیند"):
            read_signed(path, lambda h: pytest.fail("the key was asked for a malformed header"))
    # a header that is JSON but not an object, signed by the right key
    body = b"[1, 2]"
    signed = MAGIC + len(body).to_bytes(4, "big") + body + b"PK"
    path.write_bytes(signed + key.sign(signed))
    with pytest.raises(ExchangeFileError, match="سرآیند"):
        read_signed(path, lambda h: public(key))


def test_a_signed_body_that_is_not_a_zip_is_refused(tmp_path, key):
    head = json.dumps(HEADER).encode()
    signed = MAGIC + len(head).to_bytes(4, "big") + head + b"not a zip at all"
    path = tmp_path / "odd.ostx"
    path.write_bytes(signed + key.sign(signed))
    assert "محتوای" in refused(path, key).message


def test_the_key_lookup_may_refuse_an_unknown_desk(tmp_path, key):
    path = tmp_path / "out.ostx"
    write(path, key)

    def unknown(header):
        raise ExchangeFileError(f"میز {header['from_desk'][:4]} ثبت نشده است")

    with pytest.raises(ExchangeFileError, match="ثبت نشده"):
        read_signed(path, unknown)


def test_writing_is_atomic(tmp_path, key):
    path = tmp_path / "out" / "file.ostx"
    write(path, key)
    first = path.read_bytes()
    write(path, key, {**HEADER, "seq": 4})
    assert path.read_bytes() != first
    assert read_signed(path, lambda h: public(key)).header["seq"] == 4

    def broken(data: bytes) -> bytes:
        raise RuntimeError("the key is gone")

    with pytest.raises(RuntimeError):
        write_signed(path, {**HEADER, "seq": 5}, MEMBERS, broken)
    assert read_signed(path, lambda h: public(key)).header["seq"] == 4  # the old file stays whole
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.ostx"]  # no temporary file left
