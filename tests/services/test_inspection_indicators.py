"""The annual comparison's inspection rows: visits, unannounced visits, serious violations, referrals, actions
closed — per period, per county, and within a county user's scope."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ostandari_desk.domain import jalali
from ostandari_desk.services import letters
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.indicators import Period, count_indicators, indicator
from ostandari_desk.store.models import CorrectiveAction, Finding

from .inspection_seed import add_visit, categories, make_centre

d = jalali.from_jalali
KEYS = ("visits", "unannounced_visits", "serious_visits", "referrals", "actions_closed")
LAST, THIS = Period(*jalali.year_range(1402)), Period(*jalali.year_range(1403))


def _refer(desk, visit_id: str, number: str, on) -> None:
    """Link the visit's actions to a new outgoing referral letter dated ``on``."""
    letter_id = letters.create_letter(
        desk.uow,
        letters.LetterInput(
            direction="outgoing",
            number=number,
            dated_on=on,
            party="اداره کل بهزیستی",
            subject="ارجاع مرکز",
            kind="other",
            county_id=desk.counties["قزوین"],
        ),
    )
    with desk.uow.writing() as uow:
        actions = uow.s.exec(
            select(CorrectiveAction)
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .where(Finding.inspection_id == visit_id)
        ).all()
        for action in actions:
            action.referral_letter_id = letter_id
        uow.commit()


@pytest.fixture
def visits(desk):
    cats = categories(desk.uow)
    qz = make_centre(desk.uow, desk.counties["قزوین"], cats["کمپ ترک اعتیاد"])
    ab = make_centre(desk.uow, desk.counties["آبیک"], cats["کشتارگاه"])
    # 1402: two visits (one announced), nothing else
    add_visit(desk.uow, qz, d(1402, 3, 1))
    add_visit(desk.uow, qz, d(1402, 12, 29), announced=True)
    # 1403: four in قزوین (one serious, referred in 1403; one needs fixing with its action closed), one in آبیک
    serious = add_visit(
        desk.uow,
        qz,
        d(1403, 1, 1),
        result="serious",
        findings=(("نبود مجوز", "critical"),),
        action={"action": "اخذ مجوز", "deadline": d(1403, 2, 1)},
    )
    _refer(desk, serious, "۵۰۱", d(1403, 1, 10))
    add_visit(
        desk.uow,
        qz,
        d(1403, 5, 5),
        result="needs_fix",
        findings=(("نظافت", "minor"), ("پرونده‌ها", "minor")),
        action={"action": "اصلاح", "deadline": d(1403, 6, 1), "done_on": d(1403, 5, 20)},
    )
    add_visit(desk.uow, qz, d(1403, 6, 5), announced=True)
    add_visit(desk.uow, qz, d(1403, 7, 5))
    add_visit(
        desk.uow,
        ab,
        d(1402, 12, 20),
        result="serious",
        findings=(("ذبح غیربهداشتی", "critical"),),
        action={"action": "توقف ذبح", "deadline": d(1403, 1, 15), "done_on": d(1402, 12, 28)},
    )
    return desk


def test_inspection_indicators_are_declared():
    for key in KEYS:
        assert indicator(key).unit == "مورد" and not indicator(key).is_key


def test_counts_per_period(visits):
    counts = count_indicators(visits.uow, LAST, THIS, indicators=[indicator(k) for k in KEYS])
    assert counts.total("visits") == (3, 4)
    assert counts.total("unannounced_visits") == (2, 3)
    assert counts.total("serious_visits") == (1, 1)
    assert counts.total("referrals") == (0, 1)  # dated by its letter
    assert counts.total("actions_closed") == (1, 2)  # by done_on: one in 1402, two (two findings) in 1403


def test_counts_per_county_and_for_a_county_user(visits, uow_as):
    qz, ab = visits.counties["قزوین"], visits.counties["آبیک"]
    only_qz = count_indicators(visits.uow, LAST, THIS, county_id=qz, indicators=[indicator(k) for k in KEYS])
    assert only_qz.total("visits") == (2, 4)
    assert only_qz.total("referrals") == (0, 1)
    assert only_qz.total("actions_closed") == (0, 2)
    assert only_qz.total("serious_visits") == (0, 1)
    county_user = count_indicators(uow_as("county", ab), LAST, THIS, indicators=[indicator(k) for k in KEYS])
    assert county_user.total("visits") == (1, 0)
    assert county_user.total("actions_closed") == (1, 0)
    assert county_user.total("referrals") == (0, 0)
    everything = count_indicators(visits.uow, LAST, THIS)  # every source together
    assert everything.total("visits") == (3, 4) and everything.total("referrals") == (0, 1)


def test_the_annual_comparison_has_the_inspection_rows(visits):
    data = annual_comparison(visits.uow, 1403)
    assert (data.row("visits").last, data.row("visits").this) == (3, 4)
    assert data.row("unannounced_visits").label == "بازدیدهای سرزده"
    assert (data.row("referrals").last, data.row("referrals").this) == (0, 1)
    assert data.row("actions_closed").this == 2
