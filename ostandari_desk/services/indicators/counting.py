"""Counting the indicators: one grouped query per source for both periods and every county.

::

    SELECT kind, county_id, period, SUM(n) FROM (
        SELECT kind, county_id, CASE WHEN on_date BETWEEN this_start AND this_end THEN 1
                                     WHEN on_date BETWEEN last_start AND last_end THEN 0 END AS period,
               COUNT(*) AS n
        FROM licencestep WHERE kind IN (...) AND on_date BETWEEN last_start AND this_end
        GROUP BY kind, on_date, county_id)
    GROUP BY kind, county_id, period

A source with an index on its date groups in that index's order (``Source.order``: here
``(kind, on_date, county_id)``), so the database streams the groups off the index instead of sorting
every row of two years; an outer query adds those rows (one per day and county) up per period, so a few
dozen rows come back. Sources whose index does not lead to their groups (payments, answered inquiries,
council decisions: a date range of their own index since revision 0011) are grouped by their dimensions
alone, each period's figures a conditional sum. The indicators are then picked out of the grouped rows.
On the main thread the sources are split between two connections that count at the same time.

County scope: the statements name plain table columns, which the unit of work does not scope, so a
county user's counts add ``uow.in_scope(<county column>)`` (and always join what finds the county). One
county's count reads what the province's reads, the county a filter, unless its source says otherwise
(``Source.county_first``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from ostandari_desk.services.indicators.declared import COUNT, DAYS, INDICATORS, Indicator
from ostandari_desk.services.indicators.sources import COUNTY, DATE, SOURCES, Source
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["PROVINCE_KEY", "Counts", "Period", "count_indicators"]

PROVINCE_KEY = ""  # the county key of records that belong to the province itself (county_id NULL)


@dataclass(frozen=True)
class Period:
    """Inclusive Gregorian date span."""

    start: date
    end: date


@dataclass
class Counts:
    """Indicator values: ``values[key][county_key] = (last, this)``; county_key "" is the province itself."""

    values: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # averaged indicators (``divide_by``): key -> county_key -> [numerator(last, this), denominator(last, this)]
    parts: dict[str, dict[str, list[list[int]]]] = field(default_factory=dict)

    def total(self, key: str) -> tuple[int, int]:
        if key in self.parts:
            by_part = self.parts[key].values()
            num = [sum(p[0][i] for p in by_part) for i in (0, 1)]
            den = [sum(p[1][i] for p in by_part) for i in (0, 1)]
            return _average(num[0], den[0]), _average(num[1], den[1])
        by_county = self.values.get(key, {})
        return (sum(v[0] for v in by_county.values()), sum(v[1] for v in by_county.values()))

    def of_county(self, key: str, county_key: str) -> tuple[int, int]:
        last, this = self.values.get(key, {}).get(county_key, (0, 0))
        return last, this


def _average(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (0 when nothing was counted), in integers."""
    return (2 * numerator + denominator) // (2 * denominator) if denominator else 0


def _matches(where: tuple[tuple[str, tuple[Any, ...]], ...], dims: dict[str, Any]) -> bool:
    return all(dims.get(name) in values for name, values in where)


def _prefilter(source: Source, dims: dict[str, Any], indicators: Sequence[Indicator]) -> list[Any]:
    """``dim IN (...)`` for the dimension leading the source's index, when every indicator names its values."""
    if source.prefilter_dim is None:
        return []
    wanted: set[str] = set()
    for ind in indicators:
        values = dict(ind.where).get(source.prefilter_dim)
        if values is None:
            return []
        wanted.update(values)
    return [dims[source.prefilter_dim].in_(sorted(wanted))]


def _count_source(
    uow: UnitOfWork,
    source: Source,
    indicators: Sequence[Indicator],
    last: Period,
    this: Period,
    county_id: str | None,
    counts: Counts,
    execute: Callable[[Any], Sequence[Any]] | None = None,
) -> None:
    """Count ``indicators`` (all of ``source``) into ``counts``; ``execute(statement) -> rows`` runs the
    query (default: on the unit of work's session)."""
    # a county user's counts need the county column, to be limited to their county
    scoped = uow.county_scope is not None
    by_county = scoped or county_id is not None or any(ind.by_county for ind in indicators)
    # One county's counts read what the province's read, the county a filter on each row found: its county
    # column is kept off its index (``unindexed``), so the planner starts from the date range as it does
    # province-wide. Started from the county's own rows (its cases, its visits), a count probes a date range
    # per row (107 s for one county's answers on the 2 GB demo) or reads the county's visits of every year
    # (0.35 s for its referrals). A source whose two years of rows would each probe tables for their county
    # (``Source.county_first``: payments, closed actions) starts from the county's own rows instead.
    county_first = (scoped or county_id is not None) and source.county_first
    unindexed = _indexed if county_first else uow.db.unindexed
    # the rows counted per key first (``Source.through``: an answer's case), then each key's county found
    through = source.through if by_county else None
    from_clause, date_col, county_col, dims, measures = source.build(by_county and through is None)
    found = county_col  # the column the county's filters name
    if through is not None:
        county_col, target_key, found = through()
    used_dims = sorted({name for ind in indicators for name, _ in ind.where})
    if any(ind.measure == DAYS for ind in indicators):
        used_dims = sorted({*used_dims, "day"})
    used_measures = sorted(
        {m for ind in indicators for m in (ind.measure, ind.divide_by) if m not in (None, COUNT, DAYS)}
    )
    order = source.order if through is None else ()
    by_date = DATE in order and "day" not in used_dims  # distinct days come from _grouped
    # the GROUP BY, in the order of the index the query reads (see Source.order)
    named = {DATE: date_col, COUNTY: county_col if by_county else None}
    grouped = [named[n] if n in named else dims[n] for n in order]
    grouped += [dims[name] for name in used_dims if name not in order]
    if COUNTY not in order:
        grouped.append(named[COUNTY])
    grouped = [c for c in grouped if c is not None]

    if by_date:  # a row per day, and its period (summing CASEs over every row costs more): see _per_period
        period = case(
            (date_col.between(this.start, this.end), 1), (date_col.between(last.start, last.end), 0)
        )
        values = [period, func.count(), *(func.sum(measures[m]) for m in used_measures)]
    else:  # grouped without the date: each period's figures are conditional sums
        values = []
        for span in (last, this):  # per period: the count, then each measure
            within = date_col.between(span.start, span.end)
            values.append(func.sum(case((within, 1), else_=0)))
            values += [func.sum(case((within, measures[m]), else_=0)) for m in used_measures]
    columns = [*(dims[name] for name in used_dims), county_col if by_county else literal(None), *values]
    lo, hi = min(last.start, this.start), max(last.end, this.end)
    conditions = [*_prefilter(source, dims, indicators), date_col >= lo, date_col <= hi]
    in_county = []
    if county_id is not None:
        in_county.append(unindexed(found) == county_id)
    if scoped:  # plain tables: the session does not scope them
        in_county.append(uow.in_scope(unindexed(found)))
    if through is None:
        conditions += in_county
    stmt = select(*columns).select_from(from_clause).where(*conditions)
    if grouped:
        stmt = stmt.group_by(*grouped)
    if by_date:
        stmt = _per_period(stmt, len(used_dims) + 1)
    if through is not None:
        stmt = _through(stmt, len(used_dims), target_key, found, in_county)
    rows = execute(stmt) if execute is not None else uow.s.execute(stmt).all()
    width = 1 + len(used_measures)
    if by_date:
        totals: dict[tuple, list[int]] = _by_period(rows, len(used_dims) + 1, width)
        days: dict[tuple, tuple[set, set]] = {}
    else:
        totals, days = _grouped(rows, used_dims, width)
    _add_totals(totals, days, used_dims, width, used_measures, indicators, counts)


def _indexed(column: Any) -> Any:
    return column


def _per_period(per_day: Any, n: int) -> Any:
    """``per_day``'s rows (key…, period, figures…), one per key and day as the index streams them, added up
    per key and period by the database: a few dozen rows come back instead of tens of thousands (one per
    kind, day and county), so the query runs in one step outside Python's lock, beside the other
    connection's count, and no Python loop tells each day's period."""
    days = per_day.subquery("per_day")
    columns = list(days.c)
    # the key and the period (NULL: a day of neither span of a same-period comparison)
    keys = columns[: n + 1]
    return select(*keys, *(func.sum(c) for c in columns[n + 1 :])).group_by(*keys)


def _through(per_key: Any, n: int, target_key: Any, county: Any, conditions: list[Any]) -> Any:
    """``per_key``'s rows (dims…, key, figures…) joined by their key to the table ``target_key`` is the key
    of, added up per dims and that table's ``county`` (filtered by ``conditions``): a probe per key (11,000
    cases) instead of one per row (42,000 answers), half the count's time on the 2 GB demo."""
    keyed = per_key.subquery("per_key")
    columns = list(keyed.c)
    dims, key, figures = columns[:n], columns[n], columns[n + 1 :]
    joined = keyed.join(target_key.table, target_key == key)
    summed = select(*dims, county, *(func.sum(f) for f in figures)).select_from(joined)
    return summed.where(*conditions).group_by(*dims, county)


def _by_period(rows: Sequence[Any], n: int, width: int) -> dict[tuple, list[int]]:
    """Rows of (key…, period, count, measures…) as key -> [last figures…, this figures…]; rows of neither
    period are left out."""
    totals: dict[tuple, list[int]] = {}
    for row in rows:
        period = row[n]
        if period is None:
            continue
        key = tuple(row[:n])
        slot = totals.get(key)
        if slot is None:
            slot = totals[key] = [0] * (2 * width)
        offset = width * int(period)
        for i in range(width):
            slot[offset + i] += int(row[n + 1 + i] or 0)
    return totals


def _grouped(
    rows: Sequence[Any], used_dims: list[str], width: int
) -> tuple[dict[tuple, list[int]], dict[tuple, tuple[set, set]]]:
    """Rows of (dims…, county, last figures…, this figures…) per key; the ``day`` dimension (when used) is
    taken out of the key into the key's sets of days (last, this)."""
    n = len(used_dims)
    day_at = used_dims.index("day") if "day" in used_dims else None
    totals: dict[tuple, list[int]] = {}
    days: dict[tuple, tuple[set, set]] = {}
    for row in rows:
        values = [int(v or 0) for v in row[n + 1 :]]
        if not (values[0] or values[width]):  # nothing in either period
            continue
        key = tuple(row[: n + 1])
        if day_at is not None:
            day, key = key[day_at], (*key[:day_at], None, *key[day_at + 1 :])
            seen = days.setdefault(key, (set(), set()))
            for p in (0, 1):
                if values[p * width]:
                    seen[p].add(day)
        slot = totals.get(key)
        if slot is None:
            totals[key] = values
        else:
            for i, v in enumerate(values):
                slot[i] += v
    return totals, days


def _add_totals(
    totals: dict[tuple, list[int]],
    days: dict[tuple, tuple[set, set]],
    used_dims: list[str],
    width: int,
    used_measures: list[str],
    indicators: Sequence[Indicator],
    counts: Counts,
) -> None:
    """Add each group's figures ((dims…, county) -> [last figures…, this figures…]) to the indicators it
    matches; a ``days`` indicator counts the distinct days of the groups it matches."""
    n = len(used_dims)
    meetings: dict[tuple[str, str], tuple[set, set]] = {}
    for key, values in totals.items():
        dim_values = dict(zip(used_dims, key[:n]))
        county_key = key[n] or PROVINCE_KEY
        for ind in indicators:
            if not _matches(ind.where, dim_values):
                continue
            if ind.measure == DAYS:  # distinct days over every group the indicator matches
                union = meetings.setdefault((ind.key, county_key), (set(), set()))
                for p in (0, 1):
                    union[p].update(days[key][p])
                continue
            per_period = [
                {
                    COUNT: values[p * width],
                    **{m: values[p * width + 1 + i] for i, m in enumerate(used_measures)},
                }
                for p in (0, 1)
            ]
            if ind.divide_by is not None:
                part = counts.parts.setdefault(ind.key, {}).setdefault(county_key, [[0, 0], [0, 0]])
                for p in (0, 1):
                    part[0][p] += per_period[p][ind.measure]
                    part[1][p] += per_period[p][ind.divide_by]
            else:
                slot = counts.values.setdefault(ind.key, {}).setdefault(county_key, [0, 0])
                for p in (0, 1):
                    slot[p] += per_period[p][ind.measure]
    for (key, county_key), (last_days, this_days) in meetings.items():
        counts.values.setdefault(key, {})[county_key] = [len(last_days), len(this_days)]


def count_indicators(
    uow: UnitOfWork,
    last: Period,
    this: Period,
    county_id: str | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> Counts:
    """Every indicator for both periods, per county (or only ``county_id``): one query per source.

    A county user's counts hold only their own county's records. Called on the main thread (the command
    line), the sources are split in two halves of about equal work (``Source.weight``) and the second
    half runs at the same time on a connection of its own (the database works outside Python's lock), so
    a large database is counted in about half the time. Each connection reads the database as committed
    when it starts; a report is not hurt by a record saved in between.
    """
    by_source: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        by_source[ind.source].append(ind)
    counts = Counts({ind.key: {} for ind in indicators})
    mine, theirs = _halves(list(by_source), county_id is not None or uow.county_scope is not None)
    with uow:
        if not theirs or not _may_share(uow):
            mine, theirs = mine + theirs, []
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = (
                [
                    pool.submit(
                        _count_apart, uow, [(key, by_source[key]) for key in theirs], last, this, county_id
                    )
                ]
                if theirs
                else []
            )
            for key in mine:
                _count_source(uow, SOURCES[key], by_source[key], last, this, county_id, counts)
            for future in other:
                theirs_counts = future.result()
                counts.values.update({k: v for k, v in theirs_counts.values.items() if v})
                counts.parts.update(theirs_counts.parts)
    for key, by_county in counts.parts.items():  # averages per county (the totals are Counts.total's)
        counts.values[key] = {c: [_average(n[i], d[i]) for i in (0, 1)] for c, (n, d) in by_county.items()}
    return counts


def _halves(keys: list[str], one_county: bool) -> tuple[list[str], list[str]]:
    """The sources in two lists of about equal weight (one county's or the province's), the heaviest first
    (greedy)."""

    def weight(key: str) -> int:
        return SOURCES[key].county_weight if one_county else SOURCES[key].weight

    halves: tuple[list[str], list[str]] = ([], [])
    loads = [0, 0]
    for key in sorted(keys, key=lambda k: -weight(k)):
        side = 0 if loads[0] <= loads[1] else 1
        halves[side].append(key)
        loads[side] += weight(key)
    return halves


def _may_share(uow: UnitOfWork) -> bool:
    """Whether to count on a second connection at the same time: from the main thread only (the command
    line; the GUI counts on a pool thread, where a thread started could meet PySide6's import hook), and
    not on an in-memory database (a single connection)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    return not isinstance(uow.engine.pool, (StaticPool, SingletonThreadPool))


def _count_apart(
    uow: UnitOfWork,
    jobs: list[tuple[str, list[Indicator]]],
    last: Period,
    this: Period,
    county_id: str | None,
) -> Counts:
    """Count ``jobs`` on a connection of their own (in a worker thread): read only, rolled back."""
    counts = Counts()
    with uow.engine.connect() as conn:
        for key, inds in jobs:
            _count_source(
                uow, SOURCES[key], inds, last, this, county_id, counts, lambda stmt: conn.execute(stmt).all()
            )
        conn.rollback()
    return counts
