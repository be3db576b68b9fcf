"""Demo centres of every category in every county, with two Jalali years of checklist visits.

Each visit answers its category's active checklist (the shipped templates, seeded before the centres);
its score, result and failed items come from ``domain.inspections.evaluate`` on those answers, and every
failed item is a finding saying what failed (``failed_item_finding``, ``finding_severity``), some with
corrective actions, referrals to the licensing agency and re-inspections that verify them. Evaluating a checklist per visit would cost minutes on the
large demo, so each category gets a pool of answer sets evaluated once, and a visit picks one of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import select

from ostandari_desk.domain import text
from ostandari_desk.domain.inspections import (
    AnswerType,
    ItemLike,
    Result,
    encode_answers,
    evaluate,
    failed_item_finding,
    finding_severity,
    parse_answer,
)
from ostandari_desk.domain.text import persian_sort_key
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.activity import LetterBook
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.services.demo.registry import Place
from ostandari_desk.services.inspections.actions import REFERRAL_KIND
from ostandari_desk.services.inspections.centres import search_text_of
from ostandari_desk.services.inspections.templates import CATEGORY_KIND, TemplateDetail, active_template
from ostandari_desk.store.models import (
    Centre,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionNote,
    ReferenceItem,
)
from ostandari_desk.store.uow import UnitOfWork

POOL_SIZE = 300  # answer sets evaluated per category
REINSPECT = {Result.SERIOUS: 0.5, Result.NEEDS_FIX: 0.25, Result.GOOD: 0.0}
DEADLINE_DAYS = {Result.SERIOUS: (7, 10, 14), Result.NEEDS_FIX: (14, 21, 30)}
ANNOUNCED = 0.08  # most visits are unannounced (سرزده)
FREE_FINDING = 0.03  # a visit with a finding outside the checklist
OPEN_DAYS = 10  # visits of the last days may still be open
NOTE_AUTHOR = "کاربر نمونه"  # build.DEMO_FULL_NAME: the demo user wrote the corrections


@dataclass(frozen=True)
class Outcome:
    """One evaluated answer set of a category's checklist."""

    answers: str  # as stored: domain.inspections.encode_answers of the parsed answers
    score: int | None
    result: str
    failed: tuple[tuple[str, str, str], ...]  # (item id, finding text, finding severity)


@dataclass(frozen=True)
class Pool:
    template_id: str
    outcomes: tuple[Outcome, ...]
    clean: tuple[Outcome, ...]  # «مطلوب» without a failed item: what a re-inspection finds


def load_checklists(uow: UnitOfWork) -> dict[str, TemplateDetail]:
    """{category id: its active checklist} (a category without one gets visits without answers)."""
    with uow:
        ids = uow.s.exec(select(ReferenceItem.id).where(ReferenceItem.kind == CATEGORY_KIND)).all()
        found = {category_id: active_template(uow, category_id) for category_id in ids}
    return {k: v for k, v in found.items() if v is not None}


def _number(item_text: str, rng: random.Random) -> int | float:
    if "دما" in item_text:
        return rng.choice((-2, 0, 1, 2, 3, 4, 4, 5, 6, 8))
    if "کلر" in item_text:
        return round(rng.uniform(0.3, 3.0), 1)
    if "شمار" in item_text:
        return rng.randint(3, 60)
    return rng.randint(0, 50)


def _answer_set(items: Sequence[ItemLike], texts: dict[str, str], rng: random.Random, kind: str) -> dict:
    """Raw answers (as a form gives them) of one visit: ``kind`` clean, some (a few failures) or bad."""
    checked = [i for i in items if i.answer_type in (AnswerType.YES_NO, AnswerType.SCORE)]
    ordinary = [i for i in checked if not i.critical]
    critical = [i for i in checked if i.critical]
    failing: set[str] = set()
    if kind != "clean" and ordinary:
        failing.update(i.id for i in rng.sample(ordinary, min(len(ordinary), rng.choice((1, 1, 1, 2, 2, 3)))))
    if kind == "bad" and critical:
        failing.update(i.id for i in rng.sample(critical, 1 if rng.random() < 0.8 else min(2, len(critical))))
    answers: dict[str, object] = {}
    for item in items:
        if item.answer_type == AnswerType.YES_NO:
            if item.id in failing:
                answers[item.id] = "خیر"
            else:
                answers[item.id] = "مورد ندارد" if not item.critical and rng.random() < 0.04 else "بله"
        elif item.answer_type == AnswerType.SCORE:
            top = item.max_score
            if item.id in failing:
                answers[item.id] = rng.randrange(0, (top + 1) // 2)  # below half of the maximum: failed
            elif kind == "clean":
                answers[item.id] = top if rng.random() < 0.6 else max(0, top - 1)
            else:
                answers[item.id] = rng.randint((top + 1) // 2, top)
        elif item.answer_type == AnswerType.NUMBER:
            if rng.random() < 0.9:
                answers[item.id] = _number(texts[item.id], rng)
        elif item.answer_type == AnswerType.TEXT and kind != "clean" and rng.random() < 0.6:
            answers[item.id] = rng.choice(names.REMARKS)
    return answers


def answer_pool(checklist: TemplateDetail, rng: random.Random, size: int = POOL_SIZE) -> Pool:
    """``size`` answer sets of ``checklist``, parsed, stored and evaluated by the domain's own rules."""
    items = checklist.items
    texts = {i.id: i.text for i in items}
    by_id = {i.id: i for i in items}
    outcomes = []
    for _ in range(size):
        r = rng.random()
        kind = "clean" if r < 0.88 else "some" if r < 0.96 else "bad"
        raw = _answer_set(items, texts, rng, kind)
        parsed = {k: parse_answer(by_id[k], v) for k, v in raw.items()}
        parsed = {k: v for k, v in parsed.items() if v is not None}
        ev = evaluate(items, parsed, checklist.pass_score)
        failed = tuple(
            (i, failed_item_finding(by_id[i], parsed.get(i)), finding_severity(by_id[i])) for i in ev.failed
        )
        stored = encode_answers(items, parsed) if parsed else ""  # as the services store it
        outcomes.append(Outcome(stored, ev.score, str(ev.result), failed))
    clean = tuple(o for o in outcomes if o.result == Result.GOOD and not o.failed)
    if not clean:  # a checklist that cannot be passed: re-inspections find the best of the pool
        clean = (max(outcomes, key=lambda o: (o.score or 0, -len(o.failed))),)
    return Pool(checklist.id, tuple(outcomes), clean)


def _no_answers() -> Pool:
    """Visits of a category without a checklist: a score given by hand, as an imported visit has."""
    outcomes = tuple(
        Outcome("", s, str(Result.GOOD if s >= 80 else Result.NEEDS_FIX), ()) for s in range(60, 101, 2)
    )
    return Pool("", outcomes, tuple(o for o in outcomes if o.result == Result.GOOD))


def _months(cal: Calendar, start: int, today: int) -> list[tuple[int, int]]:
    months: list[tuple[int, int]] = []
    jy, jm = cal.jalali(start)[:2]
    ty, tm, _ = cal.jalali(today)
    while (jy, jm) <= (ty, tm):
        months.append((jy, jm))
        jy, jm = (jy + 1, 1) if jm == 12 else (jy, jm + 1)
    return months


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
    checklists: dict[str, TemplateDetail] | None = None,
) -> int:
    """Centres and about ``target`` visits from ``start`` to ``today``: one per centre per month (a few
    months missed per county, whole months in some), plus re-inspections of failed visits."""
    counties = [p for p in places if p.county_id]
    months = _months(cal, start, today)
    month_index = {m: i for i, m in enumerate(months)}
    checklists = checklists or {}
    pools = [
        answer_pool(checklists[cat_id], rng) if cat_id in checklists else _no_answers()
        for cat_id, _ in categories
    ]
    # re-inspections add to the monthly visits: fewer centres for the same total
    extra = sum(REINSPECT[Result(o.result)] for p in pools for o in p.outcomes) / sum(
        len(p.outcomes) for p in pools
    )

    # Missed months: for each county a few (month, category) pairs and, now and then, a whole month
    # (at least one county misses one, as the coverage grid must show).
    missed: set[tuple[int, int, int]] = set()
    whole = False
    for ci in range(len(counties)):
        for _ in range(rng.randint(2, 5)):
            missed.add((ci, rng.randrange(len(months) - 1), rng.randrange(len(categories))))
        if rng.random() < 0.5 or (not whole and ci == len(counties) - 1):
            whole = True
            m = rng.randrange(len(months) - 1)
            missed.update((ci, m, k) for k in range(len(categories)))

    # Centres: spread the total over county × category so every pair has at least one.
    pairs = [(p, c) for p in counties for c in categories]
    visited = 1 - len(missed) / (len(pairs) * len(months))
    total_centres = max(len(pairs), round(target / len(months) / visited / (1 + extra)))
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
            "search_text",
            "address",
            "operator",
            "licensing_agency",
            "licence_number",
            "phone",
            "active",
        ),
    )
    # id, county_id, category_id, county index, category index, name, code, licensing agency
    centres: list[tuple[str, str, str, int, int, str, str, str]] = []
    for i in range(total_centres):
        place, (cat_id, cat_name) = pairs[i % len(pairs)]
        ci, ki = counties.index(place), categories.index((cat_id, cat_name))
        centre_id = key()
        label = rng.choice(names.CENTRE_NAMES.get(cat_name, (cat_name,)))
        name = f"{label} {rng.choice(names.EPONYMS)} {place.name}"
        address = f"{place.name}، {rng.choice(names.STREETS)}، پلاک {rng.randint(1, 300)}"
        code = f"{ci + 1:02d}-{ki + 1}-{i + 1:05d}"
        agency = names.LICENSING_AGENCY.get(cat_name, "")
        licence = "" if rng.random() < 0.03 else f"{rng.randint(1385, 1404)}-{rng.randint(100, 99999)}"
        if rng.random() < 0.3:
            phone = f"09{rng.randint(10, 39)}{rng.randrange(10**7):07d}"
        else:
            phone = f"028{rng.randint(3, 4)}{rng.randrange(10**7):07d}"
        operator = person()
        bulk.add(
            w_centre,
            (
                centre_id,
                stamp,
                stamp,
                1,
                place.county_id,
                cat_id,
                code,
                name,
                persian_sort_key(name),
                search_text_of(code, name, operator),
                address,
                operator,
                agency,
                licence,
                phone,
                1,
            ),
        )
        centres.append((centre_id, place.county_id, cat_id, ci, ki, name, code, agency))
    centres.sort()  # key order: the centre_id index then grows at its end

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
            "template_id",
            "answers",
            "score",
            "result",
            "correction_deadline",
            "notes",
            "state",
            "reinspection_of_id",
        ),
    )
    w_note = bulk.writer(
        InspectionNote.__table__,
        ("id", "created_at", "updated_at", "row_version", "inspection_id", "text", "author"),
    )
    w_find = bulk.writer(
        Finding.__table__,
        ("id", "created_at", "updated_at", "row_version", "inspection_id", "item_id", "text", "severity"),
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
            "verified_by_id",
            "referral_letter_id",
        ),
    )
    inspectors = [f"{person()}، {person()}" for _ in range(40)]
    # Regular visits in the morning, re-inspections in the afternoon: a visit's identity in the «بازدیدها»
    # sheet is its centre, date and time, so a re-inspection must never meet the centre's regular visit of
    # that day at the same minute (the demo's export would not re-import); two re-inspections of one centre
    # on one day take different afternoon slots (``again_slots``: a bit mask per centre and day).
    hours = [f" {h:02d}:{m:02d}:00.000000" for h in range(8, 13) for m in (0, 15, 30, 45)]
    afternoon = [f" {h:02d}:{m:02d}:00.000000" for h in range(13, 17) for m in (0, 15, 30, 45)]
    again_slots: dict[tuple[str, int], int] = {}
    done = 0
    rand = rng.random
    iso, ymd, base = cal.iso, cal.ymd, cal.first
    recent = today - OPEN_DAYS

    def randrange(n: int) -> int:
        return int(rand() * n)

    def choice(seq):  # rng.choice without its checks, ~2× faster
        return seq[int(rand() * len(seq))]

    add_insp, add_note, add_find, add_action = (
        (lambda r: bulk.add(w_insp, r)),
        (lambda r: bulk.add(w_note, r)),
        (lambda r: bulk.add(w_find, r)),
        (lambda r: bulk.add(w_action, r)),
    )

    def state_of(day: int) -> str:
        return "open" if day >= recent and rand() < 0.7 else "closed"

    def notes() -> str:
        return choice(names.VISIT_NOTES) if rand() < 0.05 else ""

    def refer(day: int, county_id: str, name: str, code: str, agency: str, finding: str) -> str | None:
        if not agency:
            return None
        on = min(today, day + 1 + randrange(5))
        jy, jm, jd = ymd[day - base]
        subject = (
            f"ارجاع یافته بازدید {text.to_persian_digits(f'{jy:04d}/{jm:02d}/{jd:02d}')} از {name} "
            f"(کد {code}): {finding}"
        )
        return letters.add(on, "outgoing", REFERRAL_KIND, agency, subject[:400], county_id)[0]

    for mi, (jy, jm) in enumerate(months):
        first, last = cal.month_days(jy, jm)
        last = min(last, today)
        span = last - first + 1
        for centre_id, county_id, cat_id, ci, ki, name, code, agency in centres:
            if (ci, mi, ki) in missed:
                continue
            if bulk._pending >= bulk.chunk:
                bulk.flush()
            pool = pools[ki]
            outcome = choice(pool.outcomes)
            day = first + randrange(span)
            day_text = iso[day - base]
            insp_id = key()
            team = choice(inspectors)
            state = state_of(day)
            result = outcome.result
            free = rand() < FREE_FINDING
            if result == "good" and not outcome.failed and not free:
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
                        1 if rand() < ANNOUNCED else 0,
                        team,
                        pool.template_id or None,
                        outcome.answers,
                        outcome.score,
                        result,
                        None,
                        notes(),
                        state,
                        None,
                    )
                )
                if state == "closed" and rand() < 0.005:
                    add_note((key(), stamp, stamp, 1, insp_id, choice(names.CORRECTIONS), NOTE_AUTHOR))
                done += 1
                continue

            # A visit with findings; the parent rows go in first (a flush comes only between centres).
            deadline = day + choice(DEADLINE_DAYS[result]) if result != "good" else None
            findings = list(outcome.failed)
            if free:
                s = rand()
                severity = "minor" if s < 0.7 else "major" if s < 0.95 else "critical"
                findings.append((None, choice(names.FINDINGS[severity]), severity))
            # the re-inspection, when there is one, comes after the deadline (and not in a missed month)
            again = None
            if deadline is not None and rand() < REINSPECT[result]:
                on = deadline + randrange(10)
                if on <= today:
                    ry, rm, _ = ymd[on - base]
                    if (ci, month_index[(ry, rm)], ki) not in missed:
                        again = (key(), on, ry, rm)
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
                    1 if rand() < ANNOUNCED else 0,
                    team,
                    pool.template_id or None,
                    outcome.answers,
                    outcome.score,
                    result,
                    iso[deadline - base] if deadline is not None else None,
                    notes(),
                    "closed" if again is not None else state,
                    None,
                )
            )
            if again is not None:
                again_id, on, ry, rm = again
                fixed = choice(pool.clean)
                on_text = iso[on - base]
                slot = int(rand() * len(afternoon))
                used = again_slots.get((centre_id, on), 0)
                while used & (1 << slot):
                    slot = (slot + 1) % len(afternoon)
                again_slots[(centre_id, on)] = used | (1 << slot)
                add_insp(
                    (
                        again_id,
                        stamp,
                        stamp,
                        1,
                        county_id,
                        centre_id,
                        cat_id,
                        on_text + afternoon[slot],
                        on_text,
                        ry,
                        rm,
                        0,
                        team,
                        pool.template_id or None,
                        fixed.answers,
                        fixed.score,
                        fixed.result,
                        None,
                        "",
                        state_of(on),
                        insp_id,
                    )
                )
                done += 1
            for item_id, body, severity in findings:
                finding_id = key()
                add_find((finding_id, stamp, stamp, 1, insp_id, item_id, body, severity))
                if severity == "minor" and rand() < 0.7:
                    continue  # a minor finding noted without an action
                due = deadline if deadline is not None else day + (14 if severity == "major" else 30)
                verified_by = None
                if again is not None:
                    verified_by, done_on = again[0], again[1]
                elif due < today and rand() < (0.97 if due < today - 90 else 0.7):
                    done_on = min(today, day + 1 + randrange(due - day + 5))  # now and then late
                else:
                    done_on = None  # overdue once its deadline has passed
                letter_id = None
                if severity == "critical" and rand() < 0.35:
                    letter_id = refer(day, county_id, name, code, agency, body)
                add_action(
                    (
                        key(),
                        stamp,
                        stamp,
                        1,
                        finding_id,
                        choice(names.ACTIONS),
                        iso[due - base],
                        iso[done_on - base] if done_on is not None else None,
                        verified_by,
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
