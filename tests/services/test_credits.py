"""Credits by county (the fairness view): an East Azerbaijan-like year's totals read exactly, per-county
figures, amounts per 10,000 inhabitants against the median, county scope; and its speed at a realistic size."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import PermissionDeniedError, ValidationError
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import credits
from ostandari_desk.store.models import Memorandum, Payment, ProgressReport, new_id

from .memo_rows import add_memorandum, add_payment, add_progress

d = jalali.from_jalali
GOV, NGO, PROVINCE_NGO = 120_000_000, 170_000_000, 180_000_000
# county -> (memoranda with the governorate, with NGOs) signed in 1403; آوج signed none
PLAN = {"قزوین": (20, 10), "البرز": (10, 8), "آبیک": (8, 6), "بوئین\u200cزهرا": (4, 4), "تاکستان": (4, 2)}
POPULATION = {
    "قزوین": 1_000_000,
    "البرز": 400_000,
    "آبیک": 200_000,
    "بوئین\u200cزهرا": 150_000,
    "تاکستان": 500_000,
    "آوج": 50_000,
}


def _set_population(desk, name: str, population: int | None) -> None:
    row = next(c for c in reference.list_counties(desk.uow) if c.name == name)
    reference.set_county_population(desk.uow, row.id, population, row.row_version)


@pytest.fixture
def year(desk):
    """77 memoranda in 1403 (46 with governorates, 31 with NGOs, one of them the province's own),
    10,800,000,000 rials; a few outside the year; payments and progress in قزوین."""
    uow = desk.uow
    day = d(1403, 2, 1)
    first_qz: list[str] = []
    for name, (gov, ngo) in PLAN.items():
        cid = desk.counties[name]
        for _ in range(gov):
            memo = add_memorandum(uow, cid, day, GOV, party_kind="county")
            if name == "قزوین":
                first_qz.append(memo)
        for _ in range(ngo):
            add_memorandum(uow, cid, day, NGO)
    add_memorandum(uow, None, jalali.year_range(1403)[1], PROVINCE_NGO)  # the year's last day
    add_memorandum(uow, desk.counties["قزوین"], jalali.year_range(1403)[0] - timedelta(days=1), 999)
    add_memorandum(uow, desk.counties["آوج"], d(1404, 1, 1), 999, party_kind="county")
    a, b, c = first_qz[:3]
    for memo in (a, b, c):
        add_payment(uow, memo, d(1403, 2, 5), 1, 60_000_000)
    add_progress(uow, a, d(1403, 3, 1), 20)
    add_progress(uow, a, d(1403, 4, 1), 50)
    add_payment(uow, a, d(1403, 4, 2), 2, 30_000_000)
    add_progress(uow, b, d(1403, 4, 1), 80)
    for name, population in POPULATION.items():
        _set_population(desk, name, population)
    return desk


def test_the_totals_read_77_46_31_and_ten_point_eight_billion(year):
    view = credits.credits_by_county(year.uow, 1403)
    t = view.total
    assert (t.memoranda, t.with_governorates, t.with_ngos) == (77, 46, 31)
    assert t.amount == 10_800_000_000 and isinstance(t.amount, int)
    assert text.format_rials(t.amount) == "۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال"
    assert (t.paid, t.remaining) == (210_000_000, 10_590_000_000)
    assert t.progress_sum == 130
    assert t.county_name == "جمع استان"
    assert sum(r.amount for r in view.rows) == t.amount


def test_per_county_rows(year):
    view = credits.credits_by_county(year.uow, 1403)
    assert [r.county_name for r in view.rows] == [*POPULATION, "استان"]
    qz = view.row(year.counties["قزوین"])
    assert (qz.memoranda, qz.with_governorates, qz.with_ngos) == (30, 20, 10)
    assert (qz.amount, qz.paid, qz.remaining) == (4_100_000_000, 210_000_000, 3_890_000_000)
    assert qz.paid_percent == 5  # 210/4100 = 5.1%, rounded down
    assert qz.average_progress == pytest.approx(130 / 30)
    assert qz.average_progress_text == "۴٫۳٪"
    avaj = view.row(year.counties["آوج"])
    assert (avaj.memoranda, avaj.amount, avaj.average_progress) == (0, 0, 0.0)
    own = view.row(None)
    assert (own.county_name, own.memoranda, own.with_ngos, own.amount) == ("استان", 1, 1, PROVINCE_NGO)
    assert own.per_10k is None and not own.far_below


def test_per_ten_thousand_and_far_below_the_median(year):
    view = credits.credits_by_county(year.uow, 1403)
    per = {r.county_name: r.per_10k for r in view.rows if r.county_id}
    assert per == {
        "قزوین": 41_000_000,
        "البرز": 64_000_000,
        "آبیک": 99_000_000,
        "بوئین\u200cزهرا": 77_333_333,  # 1,160,000,000 × 10,000 / 150,000, rounded down
        "تاکستان": 16_400_000,
        "آوج": 0,
    }
    assert view.median_per_10k == 52_500_000  # (41,000,000 + 64,000,000) / 2
    assert {r.county_name for r in view.rows if r.far_below} == {"تاکستان", "آوج"}  # under 26,250,000
    assert "نصف میانه" in view.far_below_rule
    # a county whose population is unknown has no figure and is never flagged; the median is of the rest
    _set_population(year, "آوج", None)
    view = credits.credits_by_county(year.uow, 1403)
    assert view.row(year.counties["آوج"]).per_10k is None
    assert view.median_per_10k == 64_000_000
    assert {r.county_name for r in view.rows if r.far_below} == {"تاکستان"}


def test_county_user_sees_their_county_alone(year, uow_as):
    ab = year.counties["آبیک"]
    view = credits.credits_by_county(uow_as("county", ab), 1403)
    assert [r.county_id for r in view.rows] == [ab]
    assert (view.total.memoranda, view.total.amount) == (14, 1_980_000_000)
    with pytest.raises(PermissionDeniedError):
        credits.credits_by_county(uow_as("county", ab), 1403, county_id=year.counties["قزوین"])


def test_one_county_and_other_years(year):
    qz = year.counties["قزوین"]
    view = credits.credits_by_county(year.uow, 1403, county_id=qz)
    assert [r.county_id for r in view.rows] == [qz] and view.total.memoranda == 30
    assert view.median_per_10k == 52_500_000  # still the province's median
    assert credits.credits_by_county(year.uow, 1402).total.amount == 999
    assert credits.credits_by_county(year.uow, 1404).total.with_governorates == 1
    with pytest.raises(ValidationError):
        credits.credits_by_county(year.uow, 99999)


# --- speed ---------------------------------------------------------------------------------------------


@pytest.fixture
def large(desk):
    """20,000 memoranda over two years (about 10,000 in 1403), 100,000 payments, 30,000 progress reports,
    written with plain executemany through the session's connection."""
    rnd = random.Random(9)
    county_ids = [*desk.counties.values(), None]
    start = jalali.year_range(1402)[0]
    memos, payments, reports = [], [], []
    for i in range(20_000):
        memo_id, signed = new_id(), start + timedelta(days=rnd.randrange(730))
        memos.append(
            {
                "id": memo_id,
                "number": f"L-{i}",
                "title": "تفاهم‌نامه",
                "title_sort": "",
                "party_kind": rnd.choice(("ngo", "county")),
                "county_id": rnd.choice(county_ids),
                "amount": rnd.randrange(10_000_000, 2_000_000_000),
                "signed_on": signed,
                "starts_on": signed,
                "duration_months": 3,
                "ends_on": jalali.add_months(signed, 3),
                "state": "active",
            }
        )
        payments.extend(
            {"id": new_id(), "memorandum_id": memo_id, "paid_on": signed, "tranche_no": n, "amount": 1_000}
            for n in range(1, 6)
        )
        reports.extend(
            {"id": new_id(), "memorandum_id": memo_id, "reported_on": signed, "percent": p, "note": ""}
            for p in (rnd.randrange(50), 50 + rnd.randrange(51))[: rnd.randrange(3)]
        )
    with desk.uow.writing() as uow:
        conn = uow.s.connection()
        conn.execute(insert(Memorandum.__table__), memos)
        conn.execute(insert(Payment.__table__), payments)
        conn.execute(insert(ProgressReport.__table__), reports)
        conn.exec_driver_sql("ANALYZE")
        uow.commit()
    in_year = [m for m in memos if jalali.jalali_year_of(m["signed_on"]) == 1403]
    return desk, in_year


def test_credits_of_a_year_stay_fast_and_exact(large):
    desk, in_year = large
    credits.credits_by_county(desk.uow, 1403)  # warm
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        view = credits.credits_by_county(desk.uow, 1403)
        best = min(best, time.perf_counter() - began)
    assert view.total.memoranda == len(in_year) > 9_000
    assert view.total.amount == sum(m["amount"] for m in in_year)
    assert view.total.paid == 5_000 * len(in_year)
    assert best < 0.5, f"credits for a year took {best * 1000:.0f} ms"  # about 60 ms on a laptop


@pytest.mark.sqlite_only  # SQLite's query plans
def test_credits_query_plan_uses_the_indexes(desk):
    with desk.uow as uow:
        stmt = credits.year_statement(uow, 1403)
        compiled = stmt.compile(desk.engine, compile_kwargs={"literal_binds": True})
        plan = [r[3] for r in uow.s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
    # the year's memoranda, their paid totals and progress: the covering index alone, no payment or progress row
    assert any(
        step.startswith("SEARCH memorandum USING COVERING INDEX ix_memorandum_signed_county (signed_on>? AND")
        for step in plan
    ), plan
    assert not any("payment" in step or "progressreport" in step for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan
