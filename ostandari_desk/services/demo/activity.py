"""Demo events and letters; memoranda with progress and payments, and facilitation offices, come from
services/demo/memoranda.py."""

from __future__ import annotations

import random

from ostandari_desk.domain import text
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.services.demo.memoranda import add_memoranda
from ostandari_desk.services.demo.registry import NgoRef, Place
from ostandari_desk.services.events import title_key_of
from ostandari_desk.services.letters import search_text_of
from ostandari_desk.store.models import (
    Event,
    EventNgo,
    Letter,
)

# Growth over the years as the seeds tell it (1401 about 2.5× 1400); index by Jalali year.
YEAR_FACTOR = {1399: 0.35, 1400: 0.4, 1401: 1.0, 1402: 1.15, 1403: 1.25, 1404: 1.3, 1405: 1.0}


class LetterBook:
    """Letters with a number unique per direction and Jalali year («۱۲۳/ص» outgoing, «۱۲۳/و» incoming)."""

    def __init__(self, bulk: Bulk, key: Keys, cal: Calendar, stamp: str):
        self.bulk, self.key, self.cal, self.stamp = bulk, key, cal, stamp
        self._counters: dict[tuple[str, int], int] = {}
        self.w = bulk.writer(
            Letter.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "direction",
                "number",
                "jalali_year",
                "dated_on",
                "party",
                "subject",
                "kind",
                "ngo_id",
                "licence_step_id",
                "search_text",
            ),
        )

    def add(
        self,
        day: int,
        direction: str,
        kind: str,
        party: str,
        subject: str,
        county_id: str | None,
        ngo: NgoRef | None = None,
        step_id: str | None = None,
    ) -> tuple[str, str]:
        jy = self.cal.year(day)
        n = self._counters.get((direction, jy), 0) + 1
        self._counters[(direction, jy)] = n
        number = f"{n}/{'ص' if direction == 'outgoing' else 'و'}"
        letter_id = self.key()
        search = search_text_of(number, party, subject)
        self.bulk.add(
            self.w,
            (
                letter_id,
                self.stamp,
                self.stamp,
                1,
                county_id,
                direction,
                number,
                jy,
                self.cal.text(day),
                party,
                subject,
                kind,
                ngo.id if ngo else None,
                step_id,
                search,
            ),
        )
        return letter_id, number


def per_year(cal: Calendar, base: float, start: int, today: int) -> list[tuple[int, int, int]]:
    """(Jalali year, first day, last day) with a count for each year from ``start`` to ``today``."""
    out = []
    for jy in range(cal.year(start), cal.year(today) + 1):
        first, last = cal.day(jy, 1, 1), min(today, cal.day(jy + 1, 1, 1) - 1)
        out.append((jy, first, last, max(1, round(base * YEAR_FACTOR.get(jy, 1.0)))))
    return out


def add_activity(
    bulk: Bulk,
    rng: random.Random,
    key: Keys,
    cal: Calendar,
    today: int,
    start: int,
    stamp: str,
    places: list[Place],
    ngos: list[NgoRef],
    harms: list[tuple[str, str]],
    letters: LetterBook,
    punitive: list[tuple[str, str, str | None, int, str]],
    scale: float,
    memoranda_total: int | None = None,
) -> None:
    """Everything but the NGOs' own history and the inspections; ``scale`` multiplies the yearly counts
    (``memoranda_total``: exactly that many memoranda instead, the large demo's)."""
    ngo_by_id = {n.id: n for n in ngos}
    licensed = [n for n in ngos if n.state in ("valid", "suspended")] or ngos
    counties = [p for p in places if p.county_id]

    # Punitive letters for every suspension and revocation, referenced by the step.
    for step_id, ngo_id, county_id, day, kind in punitive:
        subject = "اعلام تعلیق پروانه فعالیت" if kind == "suspension" else "اعلام لغو پروانه فعالیت"
        letters.add(
            day,
            "outgoing",
            "punitive",
            "فرمانداری" if county_id else "سازمان امور اجتماعی کشور",
            subject,
            county_id,
            ngo_by_id[ngo_id],
            step_id,
        )

    # Events.
    w_event = bulk.writer(
        Event.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "county_id",
            "kind",
            "title",
            "title_key",
            "starts_on",
            "ends_on",
            "organizer_ngo_id",
            "attendees",
            "training_hours",
            "note",
            *(("title_sort",) if bulk.has_column(Event.__table__, "title_sort") else ()),
        ),
    )
    title_sort = w_event.columns[-1] == "title_sort"
    w_event_ngo = bulk.writer(EventNgo.__table__, ("event_id", "ngo_id"))
    for jy, first, last, count in per_year(cal, 14 * scale, start, today):
        for _ in range(count):
            bulk.maybe_flush()
            kind = rng.choices(("conference", "session", "course"), (2, 5, 4))[0]
            title = rng.choice(names.EVENT_TITLES[kind])
            place = rng.choice(counties) if rng.random() < 0.7 else None
            if place is not None and kind != "session":
                title = f"{title} ({place.name})"
            day = rng.randint(first, last)
            ends = day + (rng.randint(1, 4) if kind == "course" else 0)
            organizer = rng.choice(licensed) if rng.random() < 0.4 else None
            event_id = key()
            hours = rng.choice((4, 6, 8, 12, 16, 24, 40)) if kind == "course" else 0
            attendees = rng.randint(15, 60) if kind != "conference" else rng.randint(80, 600)
            row = (
                event_id,
                stamp,
                stamp,
                1,
                place.county_id if place else None,
                kind,
                title,
                title_key_of(title),
                cal.text(day),
                cal.text(ends),
                organizer.id if organizer else None,
                attendees,
                hours,
                "",
            )
            bulk.add(w_event, (*row, text.persian_sort_key(title)) if title_sort else row)
            for ngo in {
                n.id: n for n in rng.sample(licensed, min(len(licensed), rng.randint(0, 8)))
            }.values():
                bulk.add(w_event_ngo, (event_id, ngo.id))

    # Coordination and support letters and other correspondence.
    for jy, first, last, count in per_year(cal, 40 * scale, start, today):
        for _ in range(count):
            bulk.maybe_flush()
            r = rng.random()
            kind = "support" if r < 0.55 else "other" if r < 0.97 else "punitive"
            place = rng.choice(counties) if rng.random() < 0.6 else None
            party = rng.choice(names.LETTER_PARTIES)
            if party in ("فرمانداری", "شهرداری") and place is not None:
                party = f"{party} {place.name}"
            ngo = rng.choice(licensed) if kind != "other" or rng.random() < 0.3 else None
            letters.add(
                rng.randint(first, last),
                "incoming" if rng.random() < 0.3 else "outgoing",
                kind,
                party,
                rng.choice(names.LETTER_SUBJECTS[kind]),
                place.county_id if place else None,
                ngo,
            )

    # Memoranda with their progress and payments, facilitation offices (services/demo/memoranda.py).
    add_memoranda(bulk, rng, key, cal, today, start, stamp, places, licensed, harms, scale, memoranda_total)
