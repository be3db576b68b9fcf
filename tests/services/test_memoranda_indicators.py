"""The annual comparison's memoranda rows: signed with governorates / with NGOs, amount, amount paid (dated by
payment), average progress (a rounded mean, per county and in total) and facilitation offices opened."""

from __future__ import annotations

from ostandari_desk.domain import jalali
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.indicators import Period, count_indicators, indicator
from ostandari_desk.services.memoranda import offices as of

from .memo_rows import add_memorandum, add_payment, add_progress

d = jalali.from_jalali
KEYS = (
    "memoranda",
    "memoranda_governorates",
    "memoranda_ngos",
    "memoranda_amount",
    "memoranda_paid",
    "memoranda_progress",
    "offices_opened",
)
LAST, THIS = Period(*jalali.year_range(1402)), Period(*jalali.year_range(1403))


def _seed(desk) -> None:
    uow = desk.uow
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    # 1402: one NGO memorandum in قزوین (progress 40), paid in 1402 and again in 1403
    old = add_memorandum(uow, qz, d(1402, 10, 1), 1_000_000_000)
    add_payment(uow, old, d(1402, 10, 5), 1, 400_000_000)
    add_progress(uow, old, d(1402, 12, 1), 40)
    add_payment(uow, old, d(1403, 1, 20), 2, 300_000_000)
    # 1403: two with governorates (قزوین: progress 30 then 55; آبیک: none), one NGO in آبیک (progress 100)
    a = add_memorandum(uow, qz, d(1403, 2, 1), 2_000_000_000, party_kind="county")
    add_progress(uow, a, d(1403, 3, 1), 30)
    add_progress(uow, a, d(1403, 4, 1), 55)
    add_payment(uow, a, d(1403, 2, 2), 1, 1_000_000_000)
    add_memorandum(uow, ab, d(1403, 3, 1), 500_000_000, party_kind="county")
    c = add_memorandum(uow, ab, d(1403, 4, 1), 800_000_000)
    add_progress(uow, c, d(1403, 6, 1), 100)
    # offices: one opened in 1402, two in 1403, one without a date
    today = d(1404, 1, 1)
    for name, county, opened in (
        ("دفتر یک", qz, d(1402, 5, 1)),
        ("دفتر دو", qz, d(1403, 5, 1)),
        ("دفتر سه", ab, d(1403, 8, 1)),
        ("دفتر چهار", ab, None),
    ):
        of.create_office(uow, of.OfficeInput(name=name, county_id=county, opened_on=opened), today=today)


def test_declared():
    assert indicator("memoranda_progress").unit == "درصد"
    assert indicator("memoranda_paid").source == "payments"
    assert indicator("offices_opened").source == "offices"


def test_counts_per_period_and_county(desk, uow_as):
    _seed(desk)
    counts = count_indicators(desk.uow, LAST, THIS, indicators=[indicator(k) for k in KEYS])
    assert counts.total("memoranda") == (1, 3)
    assert counts.total("memoranda_governorates") == (0, 2)
    assert counts.total("memoranda_ngos") == (1, 1)
    assert counts.total("memoranda_amount") == (1_000_000_000, 3_300_000_000)
    assert counts.total("memoranda_paid") == (400_000_000, 1_300_000_000)  # by the payment's date
    assert counts.total("memoranda_progress") == (40, 52)  # (55 + 0 + 100) / 3 = 51.67, rounded
    assert counts.total("offices_opened") == (1, 2)
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    only_qz = count_indicators(desk.uow, LAST, THIS, county_id=qz, indicators=[indicator(k) for k in KEYS])
    assert only_qz.of_county("memoranda_progress", qz) == (40, 55)
    assert only_qz.total("memoranda_paid") == (400_000_000, 1_300_000_000)
    only_ab = count_indicators(desk.uow, LAST, THIS, county_id=ab, indicators=[indicator(k) for k in KEYS])
    assert only_ab.total("memoranda_progress") == (0, 50)
    assert only_ab.total("memoranda_paid") == (0, 0)
    assert only_ab.total("offices_opened") == (0, 1)
    county_user = count_indicators(uow_as("county", qz), LAST, THIS, indicators=[indicator(k) for k in KEYS])
    assert county_user.total("memoranda_paid") == (400_000_000, 1_300_000_000)
    assert county_user.total("memoranda_ngos") == (1, 0)
    assert county_user.total("offices_opened") == (1, 1)


def test_the_annual_comparison_has_the_rows(desk):
    _seed(desk)
    data = annual_comparison(desk.uow, 1403)
    assert (data.row("memoranda_governorates").last, data.row("memoranda_governorates").this) == (0, 2)
    assert data.row("memoranda_paid").this == 1_300_000_000
    assert data.row("memoranda_progress").this == 52
    assert data.row("offices_opened").label == "دفاتر تسهیلگری گشایش‌یافته"
