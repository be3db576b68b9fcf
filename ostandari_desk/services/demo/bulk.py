"""Fast bulk writing for the demo generator: a calendar cache, seeded keys, and ordered bulk-insert buffers.

The demo writes millions of rows. SQLAlchemy's Core ``insert()`` with dicts still converts every value
through its type processors (~10 µs a row); here rows are built as tuples of values already in the form
SQLAlchemy stores on SQLite (ISO text for dates, ``YYYY-MM-DD HH:MM:SS.ffffff`` for datetimes, 0/1 for
booleans) and handed to the database adapter's ``write_rows``: the driver's ``executemany`` on SQLite, COPY
on PostgreSQL (whose server parses the same text by the columns' types). The column list of each statement
comes from the SQLModel table, and a missing NOT NULL column fails at once, so the generator cannot drift
from the schema.
"""

from __future__ import annotations

import datetime as dt
import queue
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table

from ostandari_desk.domain import jalali


def stamp(d: dt.datetime) -> str:
    """A naive UTC datetime as SQLAlchemy's SQLite DateTime stores it."""
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


class Calendar:
    """Day numbers (date.toordinal) in a window, with their ISO text and Jalali parts precomputed.

    jdatetime costs ~20 µs a call; the generator converts dates a few million times.
    """

    def __init__(self, first_jalali_year: int, last: dt.date):
        self.first = jalali.from_jalali(first_jalali_year, 1, 1).toordinal()
        self.last = last.toordinal()
        self.iso: list[str] = []
        self.ymd: list[tuple[int, int, int]] = []
        self._index: dict[tuple[int, int, int], int] = {}
        # Count Jalali days forward (jdatetime per day would take a second); checked against it below.
        jy, jm, jd = first_jalali_year, 1, 1
        month_len = jalali.days_in_month(jy, jm)
        for n in range(self.first, self.last + 1):
            parts = (jy, jm, jd)
            self._index[parts] = n
            self.iso.append(dt.date.fromordinal(n).isoformat())
            self.ymd.append(parts)
            jd += 1
            if jd > month_len:
                jd, jm = 1, jm + 1
                if jm > 12:
                    jy, jm = jy + 1, 1
                month_len = jalali.days_in_month(jy, jm)
        assert self.ymd[-1] == jalali.to_jalali(last), "calendar drifted from jalali.to_jalali"

    def text(self, n: int) -> str:
        return self.iso[n - self.first]

    def jalali(self, n: int) -> tuple[int, int, int]:
        return self.ymd[n - self.first]

    def year(self, n: int) -> int:
        return self.ymd[n - self.first][0]

    def day(self, jy: int, jm: int, jd: int) -> int:
        """Day number of a Jalali date (Esfand 30 of a common year falls back to the 29th)."""
        n = self._index.get((jy, jm, jd))
        if n is None:
            n = self._index.get((jy, jm, jd - 1))
        if n is None:
            return jalali.from_jalali(jy, jm, min(jd, jalali.days_in_month(jy, jm))).toordinal()
        return n

    def add_years(self, n: int, years: int) -> int:
        jy, jm, jd = (
            self.ymd[n - self.first]
            if self.first <= n <= self.last
            else jalali.to_jalali(dt.date.fromordinal(n))
        )
        return self.day(jy + years, jm, jd)

    def month_days(self, jy: int, jm: int) -> tuple[int, int]:
        """First and last day numbers of a Jalali month."""
        start = self.day(jy, jm, 1)
        return start, self.day(jy, jm, jalali.days_in_month(jy, jm))


class Keys:
    """Seeded 32-hex keys laid out as UUIDv7 (a 48-bit time part, then random bits).

    The time part counts up from a seed-derived instant, so a seed gives the same database and each
    table's primary-key index is filled in order (random UUID4 keys cost ~3× more to insert here).
    """

    def __init__(self, rng: random.Random, seed: int):
        bits = rng.getrandbits
        self._tick = 1_600_000_000_000 + (seed % 100_000) * 10_000_000  # ms since 1970, in 2020–2023
        # version nibble, 12 random bits, variant bits, 62 random bits; the unique tick goes in front
        self._tails = [f"7{bits(12):03x}{bits(62) | 0x8000000000000000:016x}" for _ in range(1 << 16)]

    def __call__(self) -> str:
        self._tick = tick = self._tick + 1
        return f"{tick:012x}" + self._tails[tick & 0xFFFF]


class Writer:
    """Rows for one table, buffered and written (``Bulk``'s ``write``) with the given column order."""

    def __init__(self, table: Table, columns: Sequence[str]):
        names = {c.name for c in table.columns}
        unknown = set(columns) - names
        if unknown:
            raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
        missing = [
            c.name for c in table.columns if not c.nullable and c.name not in columns and c.default is None
        ]
        if missing:
            raise ValueError(f"{table.name}: NOT NULL columns missing {missing}")
        self.table = table
        self.columns = tuple(columns)
        self.rows: list[tuple] = []
        self.written = 0


class Bulk:
    """Ordered writers on one connection; a flush writes parents before children.

    Batches are executed by one background thread, in order: the drivers release the GIL while the
    database works, so on two cores the next rows are generated while the last ones are written.
    ``write(cursor, table, columns, rows)`` writes one table's batch (DatabaseAdapters.write_rows).
    """

    def __init__(
        self,
        cursor,
        db_columns: dict[str, set[str]],
        chunk: int = 100_000,
        on_flush: Callable[[int], None] | None = None,
        write: Callable[[Any, str, Sequence[str], list[tuple]], None] | None = None,
    ):
        self.cursor = cursor  # a DB-API cursor inside the build's transaction
        self._write = write or _executemany
        self.chunk = chunk
        self.writers: list[Writer] = []
        self._by_name: dict[str, Writer] = {}
        self._pending = 0
        self._on_flush = on_flush
        # The columns the database really has (read before the writer thread uses the cursor):
        # columns a later migration adds are filled only where the file has them.
        self._db_columns = db_columns
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _work(self) -> None:
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                if self._error is None:
                    for table, columns, rows in batch:
                        self._write(self.cursor, table, columns, rows)
            except BaseException as exc:  # noqa: BLE001 - handed to the generating thread by wait()
                self._error = exc
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        """Block until every batch handed over is written; re-raise a writing error here."""
        if self._thread is not None:
            self._queue.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def close(self) -> None:
        """Write what is buffered and stop the writer thread."""
        try:
            self.flush()
            self.wait()
        finally:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
                self._thread = None

    def writer(self, table: Table, columns: Sequence[str]) -> Writer:
        w = Writer(table, columns)
        self.writers.append(w)
        self._by_name[table.name] = w
        return w

    def has_column(self, table: Table, column: str) -> bool:
        """Whether both the model and the database file have ``column`` (optional derived columns)."""
        return column in table.columns and column in self._db_columns.get(table.name, set())

    def add(self, w: Writer, row: tuple) -> None:
        """Buffer a row; it is written by the next flush, never in the middle of a record's family."""
        w.rows.append(row)
        self._pending += 1

    def maybe_flush(self) -> None:
        """Call between records (when every buffered child has its parent buffered too)."""
        if self._pending >= self.chunk:
            self.flush()

    def close_quietly(self) -> None:
        """Stop the writer thread after a failure, dropping what is buffered (the caller rolls back)."""
        for w in self.writers:
            w.rows = []
        try:
            self.close()
        except BaseException:  # noqa: BLE001 - the first error is already on its way up
            return

    def flush(self) -> None:
        """Hand the buffered rows to the writer thread, tables in dependency order."""
        if self._error is not None:
            self.wait()
        written = 0
        batch = []
        for w in self.writers:
            if w.rows:
                batch.append((w.table.name, w.columns, w.rows))
                w.written += len(w.rows)
                written += len(w.rows)
                w.rows = []
        self._pending = 0
        if batch:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="demo-writer", daemon=True)
                self._thread.start()
            self._queue.put(batch)
        if self._on_flush is not None and written:
            self._on_flush(written)

    def counts(self) -> dict[str, int]:
        return {w.table.name: w.written + len(w.rows) for w in self.writers}


def _executemany(cursor: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """sqlite3's executemany (qmark placeholders): the default ``write``."""
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
