"""Demo memoranda (with progress reports and tranches paid against them), facilitation offices and county
populations.

- **An East Azerbaijan-like year** (the small demo's last complete Jalali year, ``exact_year``): exactly
  ``EXACT_MEMORANDA`` memoranda, ``EXACT_GOVERNORATES`` with county governorates and the rest with NGOs,
  adding up to exactly ``EXACT_RIALS`` (amounts in steps of ``UNIT`` rials, nudged until the sum is exact).
  A few are cancelled, a few stall past their end without 100% (overdue).
- **Other years**: the volumes of the rest of the demo (``BASE_PER_YEAR`` × the year's growth factor); the
  large demo spreads exactly ``memoranda_total`` memoranda over the years instead (no exact year there).
- **Kerman-like facilitation offices**: about ``OFFICES`` across the counties, each run by an NGO with a
  budget of ``OFFICE_BUDGET`` rials, funded by three-month memoranda (``office_id``) that never add up to
  more than the budget; an office opened long ago has spent it and sits idle.

Every memorandum keeps the release rule (domain/memoranda.py): the first tranche at most 50% of the amount
on or after the start; every later one only after a progress report of at least 50% dated on or before it;
the tranches add up to the amount at most, numbered 1, 2, 3… without gaps, none after a cancellation.
Progress never goes down; ``ends_on`` is domain.jalali.add_months(starts_on, duration_months) (computed on
the Calendar, which the tests check against it). Numbers read «ت/1404/007» (unique: the year and the order
of signing within it).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ostandari_desk.domain import jalali, text
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.services.demo.registry import NgoRef, Place
from ostandari_desk.services.memoranda.memoranda import search_text_of
from ostandari_desk.store.models import FacilitationOffice, Memorandum, Payment, ProgressReport

EXACT_MEMORANDA = 77
EXACT_GOVERNORATES = 46
EXACT_RIALS = 10_800_000_000
UNIT = 5_000_000  # amounts of the exact year are whole multiples of this (half a million toman)
EXACT_CANCELLED = 3
EXACT_STALLED = 6
BASE_PER_YEAR = 12  # memoranda a year in the small demo (× the year's growth factor)
OFFICES = 10
OFFICE_BUDGET = 2_000_000_000
OFFICE_PROJECT_MONTHS = 3
OFFICE_PROJECTS_MAX = 4
FIRST_SHARES = (30, 40, 50)  # the first tranche's share of the amount, percent (the rule allows ≤ 50)
SMALL_PARTS = (1, 2, 2)  # tranches after the first (the large demo: more, ~5 payments a memorandum)
LARGE_PARTS = (3, 4, 5, 6, 7)
RELEASE_AT = 50  # later tranches wait for a progress report at least this high

# Growth over the years as the seeds tell it (1401 about 2.5× 1400); index by Jalali year.
YEAR_FACTOR = {1399: 0.35, 1400: 0.4, 1401: 1.0, 1402: 1.15, 1403: 1.25, 1404: 1.3, 1405: 1.0}

NORMAL, STALLED, CANCELLED = "normal", "stalled", "cancelled"
GENERAL_AMOUNTS = tuple(m * 1_000_000 for m in (50, 80, 100, 140, 200, 250, 300, 500, 800))  # rials
GENERAL_MONTHS = (3, 3, 3, 6, 6, 12)

T = TypeVar("T")


@dataclass
class _Office:
    id: str
    county_id: str
    name: str
    ngo: NgoRef
    hoods: list[str]
    opened: int | None
    state: str


@dataclass
class _Spec:
    county_id: str | None
    party: str  # county | ngo
    ngo_id: str | None
    harm_id: str | None
    title: str
    signed: int
    months: int
    amount: int
    office_id: str | None = None
    fate: str = NORMAL


def add_months(cal: Calendar, day: int, months: int) -> int:
    """domain.jalali.add_months on day numbers, through the Calendar's tables."""
    jy, jm, jd = cal.jalali(day)
    jy, jm = divmod(jy * 12 + (jm - 1) + months, 12)
    jm += 1
    return cal.day(jy, jm, min(jd, jalali.days_in_month(jy, jm)))


def county_populations(rng: random.Random, places: list[Place]) -> list[tuple[int | None, str]]:
    """(population, county id) for every county: the capital's in the hundreds of thousands, the others
    tens of thousands; the last county's is left unknown (None), as a real province's list often is."""
    counties = [p for p in places if p.county_id]
    out: list[tuple[int | None, str]] = []
    for i, place in enumerate(counties):
        if i == len(counties) - 1 and len(counties) > 1:
            population = None
        elif i == 0:
            population = rng.randint(450_000, 1_250_000)
        else:
            population = round(rng.uniform(28_000, 95_000) * place.weight)
        out.append((population, place.county_id))  # type: ignore[arg-type]
    return out


def _exact_units(rng: random.Random, fixed: int, free: list[int], total_units: int) -> list[int]:
    """``free`` nudged one unit at a time (within 4–160 units) until ``fixed`` + their sum is ``total_units``."""
    units = list(free)
    diff = total_units - fixed - sum(units)
    while diff:
        i = rng.randrange(len(units))
        step = 1 if diff > 0 else -1
        if 4 <= units[i] + step <= 160:
            units[i] += step
            diff -= step
    return units


class MemorandumBook:
    """Writes memoranda with their progress reports and payments (see the module's docstring)."""

    def __init__(
        self, bulk: Bulk, rng: random.Random, key: Keys, cal: Calendar, today: int, stamp: str, large: bool
    ):
        self.bulk, self.rng, self.key, self.cal, self.today, self.stamp = bulk, rng, key, cal, today, stamp
        self.large = large
        self.w_memo = bulk.writer(
            Memorandum.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "number",
                "title",
                "title_sort",
                "search_text",
                "party_kind",
                "ngo_id",
                "social_harm_id",
                "office_id",
                "amount",
                "signed_on",
                "starts_on",
                "duration_months",
                "ends_on",
                "state",
            ),
        )
        self.w_progress = bulk.writer(
            ProgressReport.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "memorandum_id",
                "reported_on",
                "percent",
                "note",
            ),
        )
        self.w_payment = bulk.writer(
            Payment.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "memorandum_id",
                "paid_on",
                "tranche_no",
                "amount",
            ),
        )
        self._sort_keys: dict[str, str] = {}

    def write(self, spec: _Spec, number: str) -> None:
        # rnd() in place of randint: the large demo draws a few million numbers here
        cal, today, stamp, key, rnd = self.cal, self.today, self.stamp, self.key, self.rng.random
        add, w_progress, w_payment, text_of = self.bulk.add, self.w_progress, self.w_payment, cal.text
        starts = spec.signed + int(rnd() * 16)
        ends = add_months(cal, starts, spec.months)
        span = ends - starts
        # progress reports: about one a month (at most six), the last a few days after the end
        count = min(6, max(2, spec.months if spec.months <= 3 else 3 + spec.months // 4))
        days, prev = [], starts
        for i in range(1, count):
            prev = max(starts + span * i // count + int(rnd() * 7) - 3, prev + 1)
            days.append(prev)
        days.append(max(ends + int(rnd() * 11), prev + 1))
        target = 20 + int(rnd() * 71) if spec.fate == STALLED else 100
        weights = [0.6 + 0.8 * rnd() for _ in range(count)]
        whole, cum, percents = sum(weights), 0.0, []
        for w in weights:
            cum += w
            percents.append(min(target, int(target * cum / whole)))
        percents[-1] = target
        # tranches: the first on or after the start, later ones after reports of ≥ 50%, the rest at 100%
        amount = spec.amount
        first = amount * FIRST_SHARES[int(rnd() * len(FIRST_SHARES))] // 100
        choices = LARGE_PARTS if self.large else SMALL_PARTS
        parts = choices[int(rnd() * len(choices))]
        later = amount - first
        each = later // parts
        queue = [each] * (parts - 1) + [later - each * (parts - 1)]
        pays = [(starts + int(rnd() * 11), first)]
        for day, pct in zip(days, percents, strict=True):
            if not queue:
                break
            if pct >= 100:
                for rials in queue:
                    pays.append((max(pays[-1][0] + 1 + int(rnd() * 4), day + 2 + int(rnd() * 11)), rials))
                queue = []
            elif pct >= RELEASE_AT and len(queue) > 1:
                pays.append((max(pays[-1][0] + 1, day + 2 + int(rnd() * 11)), queue.pop(0)))
        # what has happened by today (and, when cancelled, before the cancellation)
        cut = today + 1
        if spec.fate == CANCELLED:
            cut = min(cut, starts + 10 + int(rnd() * max(1, span * 2 // 3 - 9)))
        memo_id = key()
        written = [(d, p) for d, p in zip(days, percents, strict=True) if d < cut]
        for day, pct in written:
            add(w_progress, (key(), stamp, stamp, 1, memo_id, text_of(day), pct, ""))
        for n, (day, rials) in enumerate(pays, start=1):
            if day >= cut:
                break  # the days rise with the tranche number: no gaps
            add(w_payment, (key(), stamp, stamp, 1, memo_id, text_of(day), n, rials))
        if spec.fate == CANCELLED:
            state = "cancelled"
        elif written and written[-1][1] == 100:
            state = "completed"
        else:
            state = "active"
        sort = self._sort_keys.get(spec.title)
        if sort is None:
            sort = self._sort_keys[spec.title] = text.persian_sort_key(spec.title)
        self.bulk.add(
            self.w_memo,
            (
                memo_id,
                stamp,
                stamp,
                1,
                spec.county_id,
                number,
                spec.title,
                sort,
                search_text_of(number, spec.title),
                spec.party,
                spec.ngo_id,
                spec.harm_id,
                spec.office_id,
                amount,
                cal.text(spec.signed),
                cal.text(starts),
                spec.months,
                cal.text(ends),
                state,
            ),
        )


def _offices(
    bulk: Bulk,
    rng: random.Random,
    key: Keys,
    cal: Calendar,
    today: int,
    stamp: str,
    counties: list[Place],
    licensed: list[NgoRef],
    count: int,
) -> list[_Office]:
    """``count`` offices spread over the counties (names unique within a county), written to ``bulk``."""
    by_county: dict[str | None, list[NgoRef]] = {}
    for ngo in licensed:
        by_county.setdefault(ngo.county_id, []).append(ngo)
    order = list(counties)
    rng.shuffle(order)
    used: dict[str, set[str]] = {}
    offices: list[_Office] = []
    this_year = cal.year(today)
    earliest = cal.day(this_year - 3, 1, 1)
    for i in range(count):
        place = order[i % len(order)]
        assert place.county_id is not None
        taken = used.setdefault(place.county_id, set())
        free = [h for h in names.NEIGHBOURHOODS if h not in taken] or list(names.NEIGHBOURHOODS)
        hoods = [rng.choice(free)]
        extra = [h for h in names.NEIGHBOURHOODS if h not in taken and h != hoods[0]]
        if extra and rng.random() < 0.5:
            hoods.append(rng.choice(extra))
        name = f"دفتر تسهیلگری محله {hoods[0]} {place.name}"
        n = 1
        while text.normalize(name) in taken:
            n += 1
            name = f"دفتر تسهیلگری محله {hoods[0]} {place.name} {text.to_persian_digits(n)}"
        taken.add(text.normalize(name))
        taken.update(hoods)
        state = "planned" if i % 10 == 9 else "closed" if i % 10 == 6 else "open"
        if state == "planned":
            opened = None
        elif state == "closed":
            opened = rng.randint(earliest, earliest + 300)
        else:  # most opened in the last year and a half: their projects are still running
            opened = (
                rng.randint(max(earliest, today - 560), today - 45)
                if i % 4
                else rng.randint(earliest, today - 500)
            )
        ngo = rng.choice(by_county.get(place.county_id) or licensed)
        office = _Office(key(), place.county_id, name, ngo, hoods, opened, state)
        offices.append(office)
    w_office = bulk.writer(
        FacilitationOffice.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "county_id",
            "name",
            "name_key",
            "ngo_id",
            "neighbourhoods",
            "opened_on",
            "budget",
            "state",
        ),
    )
    for o in offices:
        bulk.add(
            w_office,
            (
                o.id,
                stamp,
                stamp,
                1,
                o.county_id,
                o.name,
                text.normalize(o.name),
                o.ngo.id,
                "، ".join(o.hoods),
                cal.text(o.opened) if o.opened is not None else None,
                OFFICE_BUDGET,
                o.state,
            ),
        )
    return offices


def _office_projects(
    rng: random.Random, today: int, offices: list[_Office], harms: list[tuple[str, str]]
) -> list[_Spec]:
    """Three-month projects of each opened office, one after another, never over its budget."""
    specs = []
    for office in offices:
        if office.opened is None:
            continue
        day = office.opened + rng.randint(5, 30)
        last = today if office.state == "open" else office.opened + rng.randint(250, 400)
        spent = 0
        for _ in range(OFFICE_PROJECTS_MAX):
            amount = rng.randint(30, 100) * UNIT
            if day > min(last, today) or spent + amount > OFFICE_BUDGET:
                break
            spent += amount
            harm_id, harm = rng.choice(harms)
            title = rng.choice(names.OFFICE_PROJECT_TITLES).format(harm=harm, office=office.name)
            fate = STALLED if rng.random() < 0.1 else NORMAL
            specs.append(
                _Spec(
                    office.county_id,
                    "ngo",
                    office.ngo.id,
                    harm_id,
                    title,
                    day,
                    OFFICE_PROJECT_MONTHS,
                    amount,
                    office.id,
                    fate,
                )
            )
            day += 92 + rng.randint(5, 60)  # the three-month clock, then the next approval
    return specs


def add_memoranda(
    bulk: Bulk,
    rng: random.Random,
    key: Keys,
    cal: Calendar,
    today: int,
    start: int,
    stamp: str,
    places: list[Place],
    licensed: list[NgoRef],
    harms: list[tuple[str, str]],
    scale: float,
    memoranda_total: int | None = None,
) -> None:
    """Offices, then every memorandum from ``start`` to ``today`` (see the module's docstring).

    ``memoranda_total`` None: the small demo's volumes with its exact year (the last complete Jalali year);
    a number: exactly that many memoranda over the years, no exact year.
    """
    counties = [p for p in places if p.county_id]
    cumulative = list(itertools.accumulate(p.weight for p in counties))
    rnd = rng.random  # in place of choice/choices: the large demo picks a few hundred thousand times

    def pick(items: Sequence[T]) -> T:
        return items[int(rnd() * len(items))]

    large = memoranda_total is not None
    offices = _offices(
        bulk, rng, key, cal, today, stamp, counties, licensed, max(1, round(OFFICES * scale**0.5))
    )
    projects = _office_projects(rng, today, offices, harms)
    this_year = cal.year(today)
    exact_year = None if large else this_year - 1
    years = list(range(cal.year(start), this_year + 1))

    def general(
        signed: int, party: str | None = None, amount: int | None = None, fate: str | None = None
    ) -> _Spec:
        harm_id, harm = pick(harms)
        party = party or ("county" if rnd() < 0.6 else "ngo")
        if party == "county":
            place = counties[bisect.bisect(cumulative, rnd() * cumulative[-1], hi=len(counties) - 1)]
            county_id, ngo_id = place.county_id, None
        else:
            ngo = pick(licensed)
            county_id, ngo_id = ngo.county_id, ngo.id
        if fate is None:
            r = rnd()
            fate = CANCELLED if r < 0.03 else STALLED if r < 0.11 else NORMAL
        if amount is None:
            amount = pick(GENERAL_AMOUNTS)
        title = pick(names.MEMO_TITLES).format(harm=harm)
        return _Spec(
            county_id,
            party,
            ngo_id,
            harm_id,
            title,
            signed,
            pick(GENERAL_MONTHS),
            amount,
            None,
            fate,
        )

    if large:
        factors = [YEAR_FACTOR.get(jy, 1.0) for jy in years]
        left = memoranda_total - len(projects)
        counts = [int(left * f / sum(factors)) for f in factors]
        counts[-1] += left - sum(counts)
    else:
        counts = [max(1, round(BASE_PER_YEAR * scale * YEAR_FACTOR.get(jy, 1.0))) for jy in years]
    book = MemorandumBook(bulk, rng, key, cal, today, stamp, large)
    for jy, count in zip(years, counts, strict=True):
        first, last = cal.day(jy, 1, 1), min(today, cal.day(jy + 1, 1, 1) - 1)
        first = max(first, start)
        specs = [p for p in projects if first <= p.signed <= last]
        if jy == exact_year:
            specs = specs[: EXACT_MEMORANDA - EXACT_GOVERNORATES - 5]  # room for the NGOs' own memoranda
            ngo_own = EXACT_MEMORANDA - EXACT_GOVERNORATES - len(specs)
            parties = ["county"] * EXACT_GOVERNORATES + ["ngo"] * ngo_own
            units = [rng.randint(10, 60) if p == "county" else rng.randint(6, 40) for p in parties]
            fixed = sum(s.amount for s in specs)
            assert fixed % UNIT == 0
            units = _exact_units(rng, fixed // UNIT, units, EXACT_RIALS // UNIT)
            fates = [NORMAL] * len(parties)
            picked = rng.sample(range(len(parties)), EXACT_CANCELLED + EXACT_STALLED)
            for i in picked[:EXACT_CANCELLED]:
                fates[i] = CANCELLED
            for i in picked[EXACT_CANCELLED:]:
                fates[i] = STALLED
            specs += [
                general(rng.randint(first, last), p, u * UNIT, f)
                for p, u, f in zip(parties, units, fates, strict=True)
            ]
        else:
            specs += [general(first + int(rnd() * (last - first + 1))) for _ in range(count)]
        specs.sort(key=lambda s: s.signed)
        width = max(3, len(str(len(specs))))
        for n, spec in enumerate(specs, start=1):
            bulk.maybe_flush()
            book.write(spec, f"ت/{jy}/{n:0{width}d}")
