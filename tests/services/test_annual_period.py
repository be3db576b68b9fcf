"""The annual comparison, complete: like with like for a year still running, the indicator set of a real
office's year (council meetings, inquiries sent and answered, decisions by case type, letters by direction
and kind), and every main indicator per county."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert

from ostandari_desk.domain import jalali
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.annual import annual_comparison, compares_to_date
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.indicators import COUNTY_INDICATORS, INDICATORS, KEY_INDICATORS, indicator
from ostandari_desk.store.models import Inquiry, Letter, LicenceCase, LicenceStep, new_id

from .seed_data import Activity

d = jalali.from_jalali
TODAY = d(1405, 9, 10)


def _record(**values) -> dict:
    return {"id": new_id(), **stamps(), "row_version": 1, **values}


class Office:
    """Council decisions on cases (as decide_case records them), inquiries and letters, by direct insert."""

    def __init__(self, desk):
        self.desk = desk
        self.activity = Activity(desk.engine)

    def decided(self, county: str, case_type: str, decision: str, on: date, meeting: date | None = None, n=1):
        county_id = self.desk.counties[county]
        ngo_id = self.activity.ngo(county_id)
        kind = {"approved": "approval", "rejected": "rejection"}[decision]
        with self.desk.engine.begin() as conn:
            for _ in range(n):
                case = _record(
                    county_id=county_id,
                    ngo_id=ngo_id,
                    case_type=case_type,
                    tracking_no=new_id()[:8],
                    received_on=on,
                    state=decision,
                    decision=decision,
                    decided_on=on,
                    meeting_on=meeting,
                    legal_basis="",
                    note="",
                )
                conn.execute(insert(LicenceCase.__table__).values(**case))
                step = _record(
                    county_id=county_id,
                    ngo_id=ngo_id,
                    case_id=case["id"],
                    kind=kind,
                    on_date=on,
                    clerk="",
                    letter_no="",
                    legal_basis="",
                    reason="",
                    note="",
                )
                conn.execute(insert(LicenceStep.__table__).values(**step))

    def inquiry(self, county: str, sent: date, answered: date | None) -> None:
        county_id = self.desk.counties[county]
        with self.desk.engine.begin() as conn:
            case = _record(
                county_id=county_id,
                ngo_id=self.activity.ngo(county_id),
                case_type="establishment",
                tracking_no=new_id()[:8],
                received_on=sent,
                state="inquiring",
                legal_basis="",
                note="",
            )
            conn.execute(insert(LicenceCase.__table__).values(**case))
            conn.execute(
                insert(Inquiry.__table__).values(
                    **_record(
                        case_id=case["id"],
                        agency="police",
                        sent_on=sent,
                        due_on=jalali.add_days(sent, 60),
                        letter_no="",
                        answered_on=answered,
                        answer="favourable" if answered else None,
                        note="",
                    )
                )
            )

    def letter(self, county: str | None, direction: str, kind: str, on: date) -> None:
        with self.desk.engine.begin() as conn:
            conn.execute(
                insert(Letter.__table__).values(
                    **_record(
                        county_id=self.desk.counties[county] if county else None,
                        direction=direction,
                        number=new_id()[:10],
                        jalali_year=jalali.jalali_year_of(on),
                        dated_on=on,
                        party="فرمانداری",
                        subject="مکاتبه",
                        kind=kind,
                        search_text="",
                    )
                )
            )


# --- like with like -------------------------------------------------------------------------------


def test_the_year_still_running_is_compared_to_date_and_says_so(desk):
    data = annual_comparison(desk.uow, 1405, today=TODAY)
    assert data.same_period
    assert data.this_range == (d(1405, 1, 1), TODAY)
    assert data.last_range == (d(1404, 1, 1), d(1404, 9, 10))
    assert data.title == ("گزارش مقایسه‌ای عملکرد ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۰۹/۱۰ در برابر ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۰۹/۱۰")
    assert annual_comparison(desk.uow, 1405, same_period=False, today=TODAY).same_period  # no whole year yet


def test_a_finished_year_is_compared_whole_unless_the_same_period_is_asked(desk):
    whole = annual_comparison(desk.uow, 1404, today=TODAY)
    assert not whole.same_period
    assert whole.this_range == jalali.year_range(1404) and whole.last_range == jalali.year_range(1403)
    assert whole.title == "گزارش مقایسه‌ای عملکرد سال ۱۴۰۴ نسبت به ۱۴۰۳"
    span = annual_comparison(desk.uow, 1404, same_period=True, today=TODAY)
    assert span.this_range == (d(1404, 1, 1), d(1404, 9, 10))
    assert "۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۰۹/۱۰ در برابر ۱۴۰۳/۰۱/۰۱ تا ۱۴۰۳/۰۹/۱۰" in span.title


def test_the_same_period_counts_the_same_span_of_both_years(desk):
    office = Office(desk)
    office.letter("قزوین", "outgoing", "support", d(1404, 9, 10))  # the last day of the span: counted
    office.letter("قزوین", "outgoing", "support", d(1404, 9, 11))  # the day after: not
    office.letter("قزوین", "outgoing", "support", d(1405, 3, 1))
    data = annual_comparison(desk.uow, 1405, today=TODAY)
    assert (data.row("support_letters").last, data.row("support_letters").this) == (1, 1)


def test_a_year_not_begun_is_refused(desk):
    with pytest.raises(ValidationError, match="هنوز آغاز نشده"):
        annual_comparison(desk.uow, 1406, today=TODAY)
    assert compares_to_date(1405, TODAY) and not compares_to_date(1404, TODAY)


# --- the indicator set of a real office's year --------------------------------------------------------


@pytest.fixture
def office_year(desk):
    office = Office(desk)
    # 1404: قزوین's council met on 02/01 (three approvals recorded 02/02, one more recorded 02/05) and on
    # 03/03 (a rejection with no meeting date: the day it was recorded); آبیک's on 02/01
    office.decided("قزوین", "establishment", "approved", d(1404, 2, 2), d(1404, 2, 1), n=3)
    office.decided("قزوین", "renewal", "approved", d(1404, 2, 5), d(1404, 2, 1))
    office.decided("قزوین", "establishment", "rejected", d(1404, 3, 3))
    office.decided("آبیک", "upgrade", "approved", d(1404, 2, 1), d(1404, 2, 1))
    office.decided("آبیک", "conformity", "approved", d(1404, 2, 1), d(1404, 2, 1))
    office.decided("آبیک", "conformity", "rejected", d(1404, 2, 1), d(1404, 2, 1))
    office.activity.steps("approval", d(1404, 5, 5), desk.counties["آبیک"])  # imported without its case
    office.decided("قزوین", "establishment", "approved", d(1403, 7, 7), d(1403, 7, 1), n=2)
    # inquiries: sent in 1404 and answered in 1404 or 1405, or not yet
    office.inquiry("قزوین", d(1404, 1, 10), d(1404, 3, 1))
    office.inquiry("قزوین", d(1404, 12, 1), d(1405, 1, 20))
    office.inquiry("آبیک", d(1404, 6, 1), None)
    office.inquiry("آبیک", d(1403, 6, 1), d(1403, 8, 1))
    # letters of both directions and every kind, «سایر» too
    for direction, kind, n in (
        ("outgoing", "support", 3),
        ("outgoing", "other", 2),
        ("incoming", "other", 4),
    ):
        for _ in range(n):
            office.letter("آبیک", direction, kind, d(1404, 4, 4))
    office.letter(None, "incoming", "punitive", d(1404, 4, 4))
    return desk


def test_council_meetings_are_distinct_meeting_days_per_county(office_year):
    data = annual_comparison(office_year.uow, 1404, today=TODAY)
    assert (data.row("council_meetings").last, data.row("council_meetings").this) == (1, 4)
    assert data.row("council_meetings").unit == "جلسه"
    by_name = {c.name: c for c in data.by_county}
    assert data.county_value(by_name["قزوین"], "council_meetings") == (1, 2)  # 02/01 and 03/03
    assert data.county_value(by_name["آبیک"], "council_meetings") == (0, 2)  # 02/01 and the import's 05/05


def test_decisions_by_case_type(office_year):
    data = annual_comparison(office_year.uow, 1404, today=TODAY)
    this = {r.key: r.this for r in data.rows}
    assert this["approvals_establishment"] == 3 + 1  # the imported approval is an establishment's
    assert (this["approvals_renewal"], this["approvals_upgrade"], this["approvals_conformity"]) == (1, 1, 1)
    assert (this["rejections_establishment"], this["rejections_renewal"]) == (1, 0)
    assert (this["rejections_upgrade"], this["rejections_conformity"]) == (0, 1)
    assert this["approvals"] == 5 and this["rejections"] == 2 and this["decisions"] == 9
    assert data.row("approvals_establishment").last == 2
    assert data.row("rejections_conformity").label == "مخالفت با تطبیق"


def test_inquiries_sent_and_answered(office_year):
    data = annual_comparison(office_year.uow, 1404, today=TODAY)
    assert (data.row("inquiries").last, data.row("inquiries").this) == (1, 3)
    assert (data.row("inquiries_answered").last, data.row("inquiries_answered").this) == (
        1,
        1,
    )  # by answer day
    by_name = {c.name: c for c in data.by_county}
    assert data.county_value(by_name["آبیک"], "inquiries_answered") == (1, 0)
    assert data.county_value(by_name["قزوین"], "inquiries") == (0, 2)


def test_letters_by_direction_and_kind(office_year):
    data = annual_comparison(office_year.uow, 1404, today=TODAY)
    this = {r.key: r.this for r in data.rows}
    assert this["letters_outgoing_support"] == 3 and this["letters_outgoing_other"] == 2
    assert this["letters_incoming_other"] == 4 and this["letters_incoming_punitive"] == 1
    assert this["other_letters"] == 6 and this["support_letters"] == 3
    assert data.row("letters_incoming_other").label == "نامه‌های وارده: سایر"


def test_every_main_indicator_is_shown_per_county(office_year):
    data = annual_comparison(office_year.uow, 1404, today=TODAY)
    assert [c.key for c in data.county_columns] == [i.key for i in COUNTY_INDICATORS]
    assert len(COUNTY_INDICATORS) > len(KEY_INDICATORS) == 4  # the start page keeps its four tiles
    assert {i.key for i in KEY_INDICATORS} <= {c.key for c in data.county_columns}
    for key in (
        "requests",
        "council_meetings",
        "inquiries",
        "inquiries_answered",
        "rejections",
        "renewals",
        "sessions",
        "memoranda",
        "memoranda_amount",
        "visits",
    ):
        assert indicator(key).per_county, key
    for index, column in enumerate(data.county_columns):  # a county's figures add up to the total
        total = data.row(column.key)
        assert tuple(map(sum, zip(*(c.values[index] for c in data.by_county)))) == (total.last, total.this)
        assert data.county_totals[index] == (total.last, total.this)
    assert {c.money for c in data.county_columns if c.key == "memoranda_amount"} == {True}


def test_every_indicator_belongs_to_a_section_of_the_report(desk):
    assert all(ind.group for ind in INDICATORS)
    data = annual_comparison(desk.uow, 1404, today=TODAY)
    sections = [name for name, _rows in data.groups()]
    assert sections == [
        "پروانه‌ها و شورا",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی",
        "مکاتبات",
        "تفاهم‌نامه‌ها و اعتبارات",
        "بازدید از مراکز",
    ]
    assert sum(len(rows) for _name, rows in data.groups()) == len(INDICATORS)
