"""The signed exchange file: magic, header length, JSON header, a zip body, and an Ed25519 signature last.

Layout: ``MAGIC`` (26 bytes), a 4-byte big-endian header length, the header (UTF-8 JSON object), the body (a
zip of ``records.jsonl`` and ``files/<sha256>`` attachment blobs, or ``receipt.json``), and the 64-byte
signature of everything before it. ``read_signed`` checks the magic, the header and the signature BEFORE it
opens the zip, so a tampered or truncated file never reaches the zip reader; a file is written to a temporary
name beside its target and renamed, so a crash leaves no half file under the real name.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.errors import UserError

MAGIC = b"OSTANDARI-DESK-EXCHANGE 1\n"
FORMAT = "ostandari-desk-exchange"
VERSION = 1
KINDS = ("changes", "receipt")
SIGNATURE_SIZE = 64
LENGTH_SIZE = 4
MAX_HEADER = 1 << 20  # a header is a few hundred bytes; anything near a megabyte is not ours
MAX_FILE = 4 << 30  # 4 GiB: read whole into memory, so refuse what cannot be an exchange file
MAX_MEMBERS = 1_000_000
MAX_MEMBER_SIZE = 1 << 30
HEADER_FIELDS = (
    "format",
    "version",
    "kind",
    "from_desk",
    "to_desk",
    "province",
    "from_county",
    "to_county",
    "seq",
    "created_at",
    "records",
)

NOT_EXCHANGE = "پرونده «{name}» پرونده تبادل میز کار نیست"
TRUNCATED = "پرونده تبادل «{name}» ناقص است (بریده شده یا کامل کپی نشده است)"
TAMPERED = "امضای پرونده تبادل «{name}» درست نیست: پرونده پس از امضا تغییر کرده یا از میز دیگری است"
BAD_HEADER = "سرآیند پرونده تبادل «{name}» خراب است: {what}"
BAD_BODY = "محتوای پرونده تبادل «{name}» خراب است"
UNREADABLE = "پرونده «{name}» خوانده نشد: {error}"


class ExchangeFileError(UserError):
    """An exchange file that cannot be taken: not ours, truncated, tampered, malformed (Persian message)."""


@dataclass(frozen=True)
class SignedFile:
    """A verified exchange file: its header, its body's members (name -> bytes) and the file's SHA-256."""

    header: dict[str, Any]
    members: dict[str, bytes]
    sha256: str


def _body(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, bytes(data))
    return buffer.getvalue()


def encode(header: Mapping[str, Any], members: Mapping[str, bytes], sign: Callable[[bytes], bytes]) -> bytes:
    """The signed file's bytes (see the module docstring)."""
    head = json.dumps(dict(header), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(head) > MAX_HEADER:
        raise ValueError("exchange header too large")
    signed = MAGIC + len(head).to_bytes(LENGTH_SIZE, "big") + head + _body(members)
    signature = bytes(sign(signed))
    if len(signature) != SIGNATURE_SIZE:
        raise ValueError("an Ed25519 signature is 64 bytes")
    return signed + signature


def write_signed(
    path: str | os.PathLike[str],
    header: Mapping[str, Any],
    members: Mapping[str, bytes],
    sign: Callable[[bytes], bytes],
) -> str:
    """Write the signed file to ``path`` atomically (temporary file + rename); returns its SHA-256 (hex)."""
    target = Path(path)
    data = encode(header, members, sign)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".exchange-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def _check_header(header: Any, name: str) -> dict[str, Any]:
    def bad(what: str) -> ExchangeFileError:
        return ExchangeFileError(BAD_HEADER.format(name=name, what=what), record=name)

    if not isinstance(header, dict):
        raise bad("سرآیند باید یک شیء JSON باشد")
    if header.get("format") != FORMAT:
        raise bad("قالب پرونده شناخته نیست")
    version = header.get("version")
    if version != VERSION or isinstance(version, bool):
        raise bad(f"نسخه {to_persian_digits(str(version))} این قالب را این برنامه نمی‌شناسد")
    missing = [key for key in HEADER_FIELDS if key not in header]
    if missing:
        raise bad("بخش‌های " + "، ".join(missing) + " نیست")
    if header["kind"] not in KINDS:
        raise bad("نوع پرونده شناخته نیست")
    for key in ("from_desk", "to_desk", "province", "created_at"):
        if not isinstance(header[key], str) or not header[key]:
            raise bad(f"مقدار {key} درست نیست")
    for key in ("from_county", "to_county"):
        if header[key] is not None and not isinstance(header[key], str):
            raise bad(f"مقدار {key} درست نیست")
    for key in ("seq", "records"):
        value = header[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad(f"مقدار {key} درست نیست")
    return header


def decode(
    data: bytes, public_key_for: Callable[[dict[str, Any]], bytes], name: str = "پرونده"
) -> SignedFile:
    """Verify and open a signed file's bytes (see ``read_signed``)."""
    if len(data) < len(MAGIC) or not data.startswith(MAGIC):
        if MAGIC.startswith(data[: len(MAGIC)]) and data:
            raise ExchangeFileError(TRUNCATED.format(name=name), record=name)
        raise ExchangeFileError(NOT_EXCHANGE.format(name=name), record=name)
    start = len(MAGIC) + LENGTH_SIZE
    if len(data) < start:
        raise ExchangeFileError(TRUNCATED.format(name=name), record=name)
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    if length == 0 or length > MAX_HEADER:
        raise ExchangeFileError(BAD_HEADER.format(name=name, what="اندازه سرآیند نامعقول است"), record=name)
    if len(data) < start + length + SIGNATURE_SIZE:
        raise ExchangeFileError(TRUNCATED.format(name=name), record=name)
    try:
        header = json.loads(data[start : start + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # a flipped byte in the header; said as tampering (which it is) unless the file could not be ours
        raise ExchangeFileError(TAMPERED.format(name=name), record=name) from None
    header = _check_header(header, name)
    signed, signature = data[:-SIGNATURE_SIZE], data[-SIGNATURE_SIZE:]
    key = public_key_for(header)  # may raise its own ExchangeFileError (an unknown desk)
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key)).verify(signature, signed)
    except (InvalidSignature, ValueError):
        raise ExchangeFileError(TAMPERED.format(name=name), record=name) from None
    members = _members(data[start + length : -SIGNATURE_SIZE], name)
    return SignedFile(header=header, members=members, sha256=hashlib.sha256(data).hexdigest())


def _members(body: bytes, name: str) -> dict[str, bytes]:
    """The body's members; only after the signature proved the body is the sender's own."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS or any(i.file_size > MAX_MEMBER_SIZE for i in infos):
                raise ExchangeFileError(BAD_BODY.format(name=name), record=name)
            members: dict[str, bytes] = {}
            for info in infos:
                if info.is_dir():
                    continue
                if info.filename in members:
                    raise ExchangeFileError(BAD_BODY.format(name=name), record=name)
                members[info.filename] = archive.read(info)
            return members
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise ExchangeFileError(BAD_BODY.format(name=name), record=name) from None


def read_signed(
    path: str | os.PathLike[str], public_key_for: Callable[[dict[str, Any]], bytes]
) -> SignedFile:
    """Read and verify an exchange file. ``public_key_for(header)`` names the key the sender must have signed
    with (raw 32 bytes); it may raise an ExchangeFileError of its own (an unregistered desk).

    Raises:
        ExchangeFileError: not an exchange file, truncated, malformed header, bad signature, broken body.
    """
    source = Path(path)
    name = source.name
    try:
        size = source.stat().st_size
        if size > MAX_FILE:
            raise ExchangeFileError(NOT_EXCHANGE.format(name=name), record=name)
        data = source.read_bytes()
    except OSError as error:
        raise ExchangeFileError(
            UNREADABLE.format(name=name, error=error.strerror or error), record=name
        ) from None
    return decode(data, public_key_for, name)
