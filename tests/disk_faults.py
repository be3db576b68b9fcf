"""A disk that fills up half-way through a file: for tests that writes leave no cut-off file behind."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path


class _Filling:
    """A file object that writes up to ``budget`` bytes (or characters), then fails as a full disk does."""

    def __init__(self, handle, budget: int):
        self._handle = handle
        self._left = budget

    def write(self, data):
        if len(data) > self._left:
            self._handle.write(data[: self._left])
            self._handle.flush()
            self._left = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._left -= len(data)
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def fill_disk_after(monkeypatch, folder: Path, budget: int = 2048) -> None:
    """From now on, every file opened for writing in ``folder`` fails after ``budget`` bytes.

    Covers ``open``, ``io.open`` and ``Path.open`` (csv, openpyxl's zip, ReportLab's PDF); files elsewhere
    (openpyxl's own temporary rows) and ``os.open`` are left alone.
    """
    real_open = io.open
    folder = Path(folder).resolve()

    def opening(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        writing = isinstance(file, (str, os.PathLike)) and set(mode) & set("wax+")
        if writing and Path(file).resolve().parent == folder:
            return _Filling(handle, budget)
        return handle

    monkeypatch.setattr(io, "open", opening)
    monkeypatch.setattr(builtins, "open", opening)


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` with its bytes (a leftover temporary file shows up here)."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}
