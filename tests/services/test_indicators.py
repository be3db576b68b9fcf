"""Indicators: counted right per period and county, same-period spans, ratio texts, the Qazvin seed."""

from __future__ import annotations

from datetime import date

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.services.annual import annual_comparison, change_text, ratio_text
from ostandari_desk.services.indicators import INDICATORS, KEY_INDICATORS, SOURCES, Period, count_indicators

from .seed_data import Activity, qazvin_seed

d = jalali.from_jalali


def test_every_indicator_names_a_known_source_and_unit():
    keys = [i.key for i in INDICATORS]
    assert len(keys) == len(set(keys))
    for ind in INDICATORS:
        assert ind.source in SOURCES
        assert ind.label and ind.unit
    assert [k.key for k in KEY_INDICATORS] == ["approvals", "issued", "events", "support_letters"]


@pytest.mark.parametrize(
    ("last", "this", "ratio", "change"),
    [
        (5, 12, "۲٫۴ برابر", "+۱۴۰٪"),
        (8, 32, "۴ برابر", "+۳۰۰٪"),
        (3, 18, "۶ برابر", "+۵۰۰٪"),
        (10, 8, "۰٫۸ برابر", "\u2212۲۰٪"),
        (7, 7, "۱ برابر", "۰٪"),
        (3, 4, "۱٫۳ برابر", "+۳۳٪"),
        (0, 5, "جدید", "جدید"),
        (0, 0, "—", "—"),
        (4, 0, "۰ برابر", "\u2212۱۰۰٪"),
        (1000, 2500, "۲٫۵ برابر", "+۱۵۰٪"),
    ],
)
def test_ratio_and_change_texts(last, this, ratio, change):
    assert ratio_text(last, this) == ratio
    assert change_text(last, this) == change


def test_the_qazvin_seed_counts(desk):
    qazvin_seed(Activity(desk.engine), desk.counties)
    data = annual_comparison(desk.uow, 1401)
    got = {r.key: (r.last, r.this, r.ratio_text) for r in data.rows}
    assert got["issued"] == (5, 12, "۲٫۴ برابر")
    assert got["approvals"] == (8, 32, "۴ برابر")
    assert got["approvals_establishment"][:2] == (5, 20)
    assert got["approvals_renewal"][:2] == (3, 12)
    assert got["decisions"][:2] == (8, 33)
    assert got["events"] == (5, 12, "۲٫۴ برابر")
    assert got["conferences"][:2] == (2, 3)
    assert got["sessions"][:2] == (0, 4)
    assert got["courses"][:2] == (3, 5)
    assert got["attendees"][:2] == (2 * 100 + 3 * 20, 3 * 150 + 4 * 30 + 5 * 25)
    assert got["training_hours"][:2] == (3 * 8, 5 * 12)
    assert got["support_letters"] == (3, 18, "۶ برابر")
    assert got["punitive_letters"] == (0, 0, "—")
    assert data.scope_name == "کل استان"
    assert data.title == "گزارش مقایسه‌ای عملکرد سال ۱۴۰۱ نسبت به ۱۴۰۰"


def test_per_county_rows_and_totals(desk):
    qazvin_seed(Activity(desk.engine), desk.counties)
    data = annual_comparison(desk.uow, 1401)
    keys = [k.key for k in data.county_columns]
    by_name = {c.name: dict(zip(keys, c.values)) for c in data.by_county}
    assert by_name["قزوین"]["issued"] == (3, 7)
    assert by_name["آبیک"]["issued"] == (2, 4)
    assert by_name["بوئین‌زهرا"]["approvals"] == (0, 12)
    assert by_name["اداره کل (استان)"]["events"] == (0, 4)
    assert by_name["تاکستان"]["issued"] == (0, 0)  # every active county is listed
    assert dict(zip(keys, data.county_totals))["issued"] == (5, 12)
    assert dict(zip(keys, data.county_totals))["support_letters"] == (3, 18)


def test_one_county_scope(desk):
    qazvin_seed(Activity(desk.engine), desk.counties)
    data = annual_comparison(desk.uow, 1401, county_id=desk.counties["آبیک"])
    assert data.scope_name == "شهرستان آبیک"
    assert (data.row("issued").last, data.row("issued").this) == (2, 4)
    assert (data.row("support_letters").last, data.row("support_letters").this) == (0, 8)
    assert data.row("support_letters").ratio_text == "جدید"
    assert [c.name for c in data.by_county] == ["شهرستان آبیک"]


def test_same_period_counts_only_up_to_todays_day_of_the_year(desk):
    qazvin_seed(Activity(desk.engine), desk.counties)
    today = d(1405, 6, 9)  # the day-of-year of 9 Shahrivar applied to 1401 and 1400
    data = annual_comparison(desk.uow, 1401, same_period=True, today=today)
    assert data.this_range == (d(1401, 1, 1), d(1401, 6, 9))
    assert data.last_range == (d(1400, 1, 1), d(1400, 6, 9))
    assert (data.row("issued").last, data.row("issued").this) == (3, 7)
    assert (data.row("events").last, data.row("events").this) == (2, 7)
    assert (data.row("support_letters").last, data.row("support_letters").this) == (3, 10)
    assert "۱۴۰۱/۰۱/۰۱ تا ۱۴۰۱/۰۶/۰۹" in data.period_note


def test_boundaries_are_inclusive_and_inquiries_follow_their_case_county(desk):
    act = Activity(desk.engine)
    qz = desk.counties["قزوین"]
    act.steps("request", d(1400, 1, 1), qz)
    act.steps("request", d(1400, 12, 29), qz)
    act.steps("request", d(1401, 1, 1), qz, 3)
    act.inquiries(d(1401, 5, 5), desk.counties["آبیک"], 4)
    act.steps("suspension", d(1401, 2, 2), qz)
    act.steps("revocation", d(1401, 2, 3), qz)
    last, this = Period(*jalali.year_range(1400)), Period(*jalali.year_range(1401))
    counts = count_indicators(desk.uow, last, this)
    assert counts.total("requests") == (2, 3)
    assert counts.total("sanctions") == (0, 2)
    assert counts.total("inquiries") == (0, 4)
    abyek = count_indicators(desk.uow, last, this, county_id=desk.counties["آبیک"])
    assert abyek.total("inquiries") == (0, 4)  # through the county of their case
    only_qz = count_indicators(desk.uow, last, this, county_id=qz)
    assert only_qz.total("inquiries") == (0, 0)


def test_an_approval_without_a_case_counts_as_establishment(desk):
    act = Activity(desk.engine)
    act.steps("approval", d(1401, 4, 4), desk.counties["قزوین"], 2)
    data = annual_comparison(desk.uow, 1401)
    assert data.row("approvals_establishment").this == 2
    assert data.row("approvals").this == 2


def test_empty_database_gives_dashes(desk):
    data = annual_comparison(desk.uow, 1401, today=date(2022, 8, 31))
    assert all(r.ratio_text == "—" and r.last == r.this == 0 for r in data.rows)


# --- county scope ------------------------------------------------------------------------------------


@pytest.fixture
def two_counties(desk, make_ngo):
    """1401 activity entered through the services (as the admin) in آبیک and قزوین, and the province's."""
    from ostandari_desk.services import licences
    from ostandari_desk.services.events import EventInput, create_event
    from ostandari_desk.services.letters import LetterInput, create_letter

    ab, qz = desk.counties["آبیک"], desk.counties["قزوین"]
    for county, n in (("آبیک", 1), ("قزوین", 2)):
        for _ in range(n):
            ngo_id = make_ngo(county=county)
            with desk.uow:
                licences.apply_licence_step(desk.uow, ngo_id, "approval", d(1401, 2, 1), imported=True)
                licences.apply_licence_step(
                    desk.uow,
                    ngo_id,
                    "issue",
                    d(1401, 3, 1),
                    licence_number=f"1401-{ngo_id[:4]}",
                    expires_on=d(1405, 3, 1),
                    imported=True,
                )
                desk.uow.commit()
    for county_id, kind, n in ((ab, "course", 1), (qz, "conference", 2), (None, "session", 1)):
        for i in range(n):
            create_event(
                desk.uow,
                EventInput(kind=kind, title=f"رویداد {i}", starts_on=d(1401, 5, 5), county_id=county_id),
            )
    for county_id, n in ((ab, 1), (qz, 2)):
        for i in range(n):
            create_letter(
                desk.uow,
                LetterInput(
                    "outgoing",
                    f"{county_id[:4]}/{i}",
                    d(1401, 7, 7),
                    "فرمانداری",
                    "حمایت",
                    "support",
                    county_id=county_id,
                ),
            )
    act = Activity(desk.engine)
    act.inquiries(d(1401, 4, 4), ab, 2)
    act.inquiries(d(1401, 4, 4), qz, 3)
    act.steps("approval", d(1400, 6, 6), ab, 2)  # imported without their case: establishment's
    return desk


def test_a_county_user_compares_their_county_alone(two_counties, uow_as):
    from ostandari_desk.errors import PermissionDeniedError

    desk = two_counties
    ab, qz = desk.counties["آبیک"], desk.counties["قزوین"]
    whole = annual_comparison(desk.uow, 1401)
    assert (whole.row("issued").this, whole.row("events").this, whole.row("support_letters").this) == (
        3,
        4,
        3,
    )
    assert whole.row("inquiries").this == 5

    mine = annual_comparison(uow_as("county", ab), 1401)
    assert mine.scope_name == "شهرستان آبیک" and mine.county_id == ab
    got = {r.key: (r.last, r.this) for r in mine.rows}
    assert got["issued"] == (0, 1)
    assert got["approvals"] == (2, 1)  # approvals without a case still count (an outer join, not inner)
    assert got["events"] == (0, 1)
    assert got["support_letters"] == (0, 1)
    assert got["inquiries"] == (0, 2)  # counted over the plain tables, through their case's county
    assert [c.name for c in mine.by_county] == ["شهرستان آبیک"]
    assert mine.by_county[0].values == tuple((got[k.key]) for k in mine.county_columns)

    with pytest.raises(PermissionDeniedError):
        annual_comparison(uow_as("county", ab), 1401, county_id=qz)
    last, this = Period(*jalali.year_range(1400)), Period(*jalali.year_range(1401))
    counts = count_indicators(uow_as("county", qz), last, this)
    assert counts.total("inquiries") == (0, 3)
    assert set(counts.values["issued"]) == {qz}
    assert counts.total("events") == (0, 2)  # not the province's own session
