"""Demo events, letters, memoranda with progress and payments, and facilitation offices."""

from __future__ import annotations

import random
from datetime import date

from ostandari_desk.domain import jalali, text
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.services.demo.registry import NgoRef, Place
from ostandari_desk.store.models import (
    Event,
    EventNgo,
    FacilitationOffice,
    Letter,
    Memorandum,
    Payment,
    ProgressReport,
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
        search = text.normalize(f"{number} {party} {subject} {ngo.name if ngo else ''}")
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
) -> None:
    """Everything but the NGOs' own history and the inspections; ``scale`` multiplies the yearly counts."""
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
                text.normalize(title),
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

    # Memoranda, with progress reports and payments released against progress (50 % rule).
    w_memo = bulk.writer(
        Memorandum.__table__,
        (
            "id",
            "created_at",
            "updated_at",
            "row_version",
            "county_id",
            "number",
            "title",
            "party_kind",
            "ngo_id",
            "social_harm_id",
            "amount",
            "signed_on",
            "starts_on",
            "duration_months",
            "ends_on",
            "state",
        ),
    )
    memo_numbers: dict[int, int] = {}
    w_progress = bulk.writer(
        ProgressReport.__table__,
        ("id", "created_at", "updated_at", "row_version", "memorandum_id", "reported_on", "percent", "note"),
    )
    w_payment = bulk.writer(
        Payment.__table__,
        ("id", "created_at", "updated_at", "row_version", "memorandum_id", "paid_on", "tranche_no", "amount"),
    )
    for jy, first, last, count in per_year(cal, 12 * scale, start, today):
        for _ in range(count):
            bulk.maybe_flush()
            harm_id, harm = rng.choice(harms)
            to_county = rng.random() < 0.6
            place = rng.choice(counties)
            ngo = None if to_county else rng.choice(licensed)
            title = rng.choice(names.MEMO_TITLES).format(harm=harm)
            amount = rng.choice((50, 80, 100, 140, 200, 250, 300, 500, 800)) * 1_000_000
            signed = rng.randint(first, last)
            starts = signed + rng.randint(0, 15)
            months = rng.choice((3, 3, 3, 6, 12))
            ends_on = jalali.add_months(date.fromisoformat(cal.text(starts)), months)
            ends = starts + (ends_on - date.fromisoformat(cal.text(starts))).days
            memo_numbers[jy] = memo_numbers.get(jy, 0) + 1
            state = "completed" if ends < today else "active"
            if rng.random() < 0.03:
                state = "cancelled"
            memo_id = key()
            bulk.add(
                w_memo,
                (
                    memo_id,
                    stamp,
                    stamp,
                    1,
                    place.county_id if to_county or ngo is None else ngo.county_id,
                    f"ت/{jy}/{memo_numbers[jy]}",
                    title,
                    "county" if to_county else "ngo",
                    ngo.id if ngo else None,
                    harm_id,
                    amount,
                    cal.text(signed),
                    cal.text(starts),
                    months,
                    ends_on.isoformat(),
                    state,
                ),
            )
            # first tranche on signing
            tranches = [(starts, amount * 3 // 10)]
            percent = 0
            day = starts
            while day + 30 <= min(today, ends + 15) and percent < 100 and state != "cancelled":
                day += 30
                percent = min(100, percent + rng.randint(20, 45) * 3 // months)
                if day >= ends:
                    percent = 100
                bulk.add(w_progress, (key(), stamp, stamp, 1, memo_id, cal.text(day), percent, ""))
                if percent >= 50 and len(tranches) == 1:
                    tranches.append((day + rng.randint(3, 20), amount * 4 // 10))
                if percent == 100 and len(tranches) == 2:
                    tranches.append((day + rng.randint(5, 25), amount - amount * 3 // 10 - amount * 4 // 10))
            for n, (paid, rials) in enumerate(tranches, start=1):
                if paid <= today:
                    bulk.add(w_payment, (key(), stamp, stamp, 1, memo_id, cal.text(paid), n, rials))

    # Facilitation offices: a few per county, 2 billion rials each (Kerman's figure).
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
    for place in counties:
        used: set[str] = set()
        for _ in range(max(1, round(rng.randint(1, 3) * scale**0.5))):
            hoods = rng.sample(names.NEIGHBOURHOODS, rng.randint(1, 2))
            office = f"دفتر تسهیلگری محله {hoods[0]} {place.name}"
            if office in used:
                office = f"{office} {text.to_persian_digits(len(used) + 1)}"
            used.add(office)
            state = rng.choices(("open", "planned", "closed"), (7, 2, 1))[0]
            opened = rng.randint(start, today) if state != "planned" else None
            ngo = rng.choice(licensed)
            bulk.add(
                w_office,
                (
                    key(),
                    stamp,
                    stamp,
                    1,
                    place.county_id,
                    office,
                    text.normalize(office),
                    ngo.id,
                    "، ".join(hoods),
                    cal.text(opened) if opened else None,
                    2_000_000_000,
                    state,
                ),
            )
