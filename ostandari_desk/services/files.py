"""Files the desk writes or keeps for the office: whole or not at all, and never outside their folder.

Every export, error workbook, template and PDF is written with ``atomic_path`` (or ``write_bytes``): the
bytes go to a temporary file in the target's own folder, are flushed and fsynced, and only then renamed
over the real name. A full disk, a crash or a writer that raises half-way leaves the old file (or none),
never a cut-off file under the real name. The temporary name starts with a dot and ends in ``.tmp``.

Stored attachments are addressed by a path relative to the attachments folder; ``inside`` resolves one
and refuses anything that would land outside it (``../../x``, an absolute path, a symlink out).
``safe_file_name`` drops the bidi controls that make ``evil.\\u202efdp.exe`` look like a PDF.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ostandari_desk.errors import UserError

__all__ = [
    "BIDI_CONTROLS",
    "atomic_path",
    "inside",
    "safe_file_name",
    "unwritable",
    "write_bytes",
]

# LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, ALM
BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
_NAME_DROP = {ord(c): None for c in BIDI_CONTROLS} | {cp: None for cp in range(0x20)} | {0x7F: None}
_TEMP_SUFFIX = ".tmp"
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on a clean exit make it ``target`` in one rename.

    The caller writes the whole file to the yielded path (by name: openpyxl, ReportLab and ``open`` all
    take one). Then the file is fsynced, renamed over ``target`` and the folder fsynced, so after a power
    cut the name holds either the old bytes or the new ones. If the block raises, the temporary file is
    removed and ``target`` is untouched. OSErrors reach the caller (see ``unwritable``).
    """
    target = Path(target)
    folder = target.parent
    temp = _create_temp(folder, target.name)
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (a PDF already made in memory, say); returns the path."""
    target = Path(target)
    with atomic_path(target) as temp, temp.open("wb") as handle:
        handle.write(data)
    return target


def unwritable(path: Path | str, exc: OSError) -> UserError:
    """The Persian message for a file that could not be written, saying what the clerk can do."""
    if isinstance(exc, PermissionError):
        return UserError(
            f"پرونده «{path}» نوشته نشد؛ شاید در برنامه دیگری (اکسل) باز است یا این پوشه اجازه نوشتن ندارد."
        )
    if exc.errno in _DISK_FULL:
        return UserError(
            f"پرونده «{path}» نوشته نشد: جای خالی دیسک تمام شده است؛ جا باز کنید و دوباره بکوشید."
        )
    if exc.errno == errno.EROFS:
        return UserError(
            f"پرونده «{path}» نوشته نشد: این دیسک یا پوشه فقط‌خواندنی است؛ جای دیگری را برگزینید."
        )
    return UserError(f"پرونده «{path}» نوشته نشد ({exc.strerror or exc}).")


def inside(root: Path | str, relative: str) -> Path | None:
    """``root / relative`` (links and ``..`` resolved), or None when that is not strictly inside ``root``.

    Absolute paths, drive letters, ``..`` steps and symlinks that lead out are all refused; the file
    need not exist.
    """
    if not relative or "\x00" in relative:
        return None
    base = Path(root).resolve()
    candidate = Path(relative.replace("\\", "/"))
    if candidate.is_absolute() or candidate.drive or candidate.root:
        return None
    resolved = (base / candidate).resolve()
    if resolved == base or not resolved.is_relative_to(base):
        return None
    return Path(root) / resolved.relative_to(base)


def safe_file_name(name: str, fallback: str = "پیوست") -> str:
    """A file name to show and store: no folders, no bidi controls, no control characters."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = base.translate(_NAME_DROP).strip()
    return cleaned if cleaned.strip(".") else fallback


def _create_temp(folder: Path, name: str) -> Path:
    """A new empty file in ``folder``, created exclusively with the umask's usual mode (not 0600)."""
    stem = name[:80]
    for _ in range(100):
        temp = folder / f".{stem}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return temp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def fsync_file(path: Path) -> None:
    """Put ``path``'s written bytes on the disk (services/backup.py starts it early, beside the hashing)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder and needs no such step."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        # some file systems (network shares) refuse fsync on a folder; the rename already happened
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
