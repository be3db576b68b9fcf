"""Demo centres of every category in every county, with monthly unannounced inspections and findings."""

from __future__ import annotations

import random
from collections.abc import Callable

from ostandari_desk.domain.text import persian_sort_key
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.activity import LetterBook
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.services.demo.registry import Place
from ostandari_desk.store.models import Centre, CorrectiveAction, Finding, Inspection

SEVERITIES = ("minor", "major", "critical")


def add_centres(
    bulk: Bulk,
    rng: random.Random,
    key: Keys,
    cal: Calendar,
    today: int,
    start: int,
    stamp: str,
    places: list[Place],
    categories: list[tuple[str, str]],
    letters: LetterBook,
    target: int,
    person: Callable[[], str],
    progress: Callable[[int, int], None],
) -> int:
    """Centres and about ``target`` inspections (one per centre per month, a few months missed per county)."""
    counties = [p for p in places if p.county_id]
    months: list[tuple[int, int]] = []
    jy, jm = cal.jalali(start)[:2]
    ty, tm, _ = cal.jalali(today)
    while (jy, jm) <= (ty, tm):
        months.append((jy, jm))
        jy, jm = (jy + 1, 1) if jm == 12 else (jy, jm + 1)

    # Centres: spread the total over county × category so every pair has at least one.
    pairs = [(p, c) for p in counties for c in categories]
    total_centres = max(len(pairs), round(target / len(months) / 0.99))
    w_centre = bulk.writer(
        Centre.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "county_id",
            "category_id",
            "code",
            "name",
            "name_sort",
            "address",
            "operator",
            "licensing_agency",
            "active",
        ),
    )
    centres: list[
        tuple[str, str, str, int, int]
    ] = []  # id, county_id, category_id, county index, category idx
    for i in range(total_centres):
        place, (cat_id, cat_name) = pairs[i % len(pairs)]
        ci, ki = counties.index(place), categories.index((cat_id, cat_name))
        centre_id = key()
        label = rng.choice(names.CENTRE_NAMES.get(cat_name, (cat_name,)))
        name = f"{label} {rng.choice(names.EPONYMS)} {place.name}"
        address = f"{place.name}، {rng.choice(names.STREETS)}، پلاک {rng.randint(1, 300)}"
        bulk.add(
            w_centre,
            (
                centre_id,
                stamp,
                stamp,
                1,
                place.county_id,
                cat_id,
                f"{ci + 1:02d}-{ki + 1}-{i + 1:05d}",
                name,
                persian_sort_key(name),
                address,
                person(),
                names.LICENSING_AGENCY.get(cat_name, ""),
                1,
            ),
        )
        centres.append((centre_id, place.county_id, cat_id, ci, ki))
    centres.sort()  # key order: the centre_id index then grows at its end

    # Missed months: for each county a few (month, category) pairs and, now and then, a whole month.
    missed: set[tuple[int, int, int]] = set()
    for ci in range(len(counties)):
        for _ in range(rng.randint(2, 5)):
            missed.add((ci, rng.randrange(len(months) - 1), rng.randrange(len(categories))))
        if rng.random() < 0.5:
            m = rng.randrange(len(months) - 1)
            missed.update((ci, m, k) for k in range(len(categories)))

    w_insp = bulk.writer(
        Inspection.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "county_id",
            "centre_id",
            "category_id",
            "inspected_at",
            "inspected_on",
            "jalali_year",
            "jalali_month",
            "announced",
            "inspectors",
            "answers",
            "state",
        ),
    )
    w_find = bulk.writer(
        Finding.__table__,
        ("id", "created_at", "updated_at", "row_version", "inspection_id", "text", "severity"),
    )
    w_action = bulk.writer(
        CorrectiveAction.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "finding_id",
            "action",
            "deadline",
            "done_on",
            "referral_letter_id",
        ),
    )
    inspectors = [f"{person()}، {person()}" for _ in range(40)]
    hours = [f" {h:02d}:{m:02d}:00.000000" for h in range(8, 15) for m in (0, 15, 30, 45)]
    done = 0
    rand = rng.random

    def randrange(n: int) -> int:
        return int(rand() * n)

    def choice(seq):  # rng.choice without its checks, ~2× faster
        return seq[int(rand() * len(seq))]

    add_insp, add_find, add_action = (
        (lambda r: bulk.add(w_insp, r)),
        (lambda r: bulk.add(w_find, r)),
        (lambda r: bulk.add(w_action, r)),
    )
    for mi, (jy, jm) in enumerate(months):
        first, last = cal.month_days(jy, jm)
        last = min(last, today)
        span = last - first + 1
        iso = cal.iso
        base = cal.first
        recent = today - 45
        for centre_id, county_id, cat_id, ci, ki in centres:
            if (ci, mi, ki) in missed:
                continue
            if bulk._pending >= bulk.chunk:
                bulk.flush()
            day = first + randrange(span)
            day_text = iso[day - base]
            insp_id = key()
            if rand() >= 0.12:
                add_insp(
                    (
                        insp_id,
                        stamp,
                        stamp,
                        1,
                        county_id,
                        centre_id,
                        cat_id,
                        day_text + choice(hours),
                        day_text,
                        jy,
                        jm,
                        1 if rand() < 0.04 else 0,
                        choice(inspectors),
                        "",
                        "closed",
                    )
                )
                done += 1
                continue
            # An inspection with findings; the parent row goes in first (a flush may come at any add).
            found = []
            state = "closed"
            for _ in range(1 if rand() < 0.7 else 2):
                s = rand()
                severity = "minor" if s < 0.6 else "major" if s < 0.92 else "critical"
                deadline = day + (14 if severity == "major" else 7)
                done_on = deadline - randrange(7) if deadline < today and rand() < 0.85 else None
                if severity != "minor" and done_on is None and day >= recent:
                    state = "open"
                found.append((severity, deadline, done_on))
            add_insp(
                (
                    insp_id,
                    stamp,
                    stamp,
                    1,
                    county_id,
                    centre_id,
                    cat_id,
                    day_text + choice(hours),
                    day_text,
                    jy,
                    jm,
                    1 if rand() < 0.04 else 0,
                    choice(inspectors),
                    "",
                    state,
                )
            )
            for severity, deadline, done_on in found:
                finding_id = key()
                add_find((finding_id, stamp, stamp, 1, insp_id, choice(names.FINDINGS[severity]), severity))
                if severity == "minor":
                    continue
                letter_id = None
                if severity == "critical" and rand() < 0.3:
                    letter_id, _ = letters.add(
                        day + 1,
                        "outgoing",
                        "other",
                        "اداره کل بهزیستی استان",
                        "نامه ارجاع یافته‌های بازدید سرزده",
                        county_id,
                    )
                add_action(
                    (
                        key(),
                        stamp,
                        stamp,
                        1,
                        finding_id,
                        choice(names.ACTIONS),
                        iso[deadline - base],
                        iso[done_on - base] if done_on is not None else None,
                        letter_id,
                    )
                )
            done += 1
        progress(done, target)
    return done


def month_count(cal: Calendar, start: int, today: int) -> int:
    """How many Jalali months from ``start`` to ``today`` inclusive."""
    (y0, m0, _), (y1, m1, _) = cal.jalali(start), cal.jalali(today)
    return (y1 - y0) * 12 + (m1 - m0) + 1
