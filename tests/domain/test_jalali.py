"""Tests for Jalali parsing, formatting, ranges and arithmetic over Gregorian dates."""

from datetime import date

import pytest

from ostandari_desk.domain.jalali import (
    MAX_EDITABLE,
    MIN_EDITABLE,
    add_days,
    add_years,
    days_in_month,
    format_jalali,
    is_leap_year,
    jalali_month_of,
    jalali_year_of,
    month_name,
    month_range,
    parse_jalali,
    same_period_range,
    today_jalali_year,
    year_range,
)
from ostandari_desk.errors import ValidationError


@pytest.mark.parametrize(
    "text",
    ["1401/6/9", "1401/06/09", "۱۴۰۱/۰۶/۰۹", "١٤٠١/٠٦/٠٩", "1401-06-09", "  1401/06/09 ", "\u200e1401/6/9"],
)
def test_parse_jalali_forms(text):
    assert parse_jalali(text) == date(2022, 8, 31)


def test_parse_known_days():
    assert parse_jalali("1401/01/01") == date(2022, 3, 21)
    assert parse_jalali("1403/12/30") == date(2025, 3, 20)
    assert parse_jalali("1279/01/01") == MIN_EDITABLE


def test_reject_esfand_30_in_common_year():
    with pytest.raises(ValidationError) as info:
        parse_jalali("1401/12/30")
    assert info.value.message == "تاریخ ۱۴۰۱/۱۲/۳۰ وجود ندارد (سال ۱۴۰۱ کبیسه نیست)"


def test_reject_31st_in_second_half():
    with pytest.raises(ValidationError) as info:
        parse_jalali("1402/07/31")
    assert info.value.message == "ماه ۷ تا ۱۲ سی روزه است: ۱۴۰۲/۰۷/۳۱ وجود ندارد"


@pytest.mark.parametrize(
    "text",
    [
        "1401/13/01",
        "1401/00/10",
        "1401/01/00",
        "1401/01/32",
        "1278/12/29",
        "1500/01/01",
        "",
        "   ",
        "garbage",
        "1401/06",
        "01/06/1401",
        "1401//06/09",
        "1401/6/9/1",
        "14010609",
        None,
    ],
)
def test_reject_malformed_or_impossible(text):
    with pytest.raises(ValidationError) as info:
        parse_jalali(text)
    assert info.value.message  # a Persian message for the screen


def test_parse_error_carries_field():
    with pytest.raises(ValidationError) as info:
        parse_jalali("1401/12/30", field="تاریخ صدور")
    assert info.value.field == "تاریخ صدور"


def test_format_jalali():
    assert format_jalali(date(2022, 8, 31)) == "۱۴۰۱/۰۶/۰۹"
    assert format_jalali(date(2022, 8, 31), persian_digits=False) == "1401/06/09"
    assert format_jalali(None) == ""
    for d in [date(2022, 3, 21), date(2025, 3, 20), date(1990, 1, 1)]:
        assert parse_jalali(format_jalali(d)) == d


def test_year_and_month_of():
    assert jalali_year_of(date(2022, 3, 20)) == 1400
    assert jalali_year_of(date(2022, 3, 21)) == 1401
    assert jalali_month_of(date(2022, 8, 31)) == (1401, 6)


def test_leap_years_and_month_lengths():
    assert is_leap_year(1403) and not is_leap_year(1401) and is_leap_year(1399)
    assert days_in_month(1401, 1) == 31
    assert days_in_month(1401, 7) == 30
    assert days_in_month(1401, 12) == 29
    assert days_in_month(1403, 12) == 30


def test_year_range():
    assert year_range(1401) == (date(2022, 3, 21), date(2023, 3, 20))
    assert year_range(1403) == (date(2024, 3, 20), date(2025, 3, 20))


def test_month_range():
    assert month_range(1401, 1) == (date(2022, 3, 21), date(2022, 4, 20))
    assert month_range(1401, 12) == (date(2023, 2, 20), date(2023, 3, 20))
    assert month_range(1403, 12)[1] == date(2025, 3, 20)


def test_same_period_range():
    today = parse_jalali("1403/06/09")
    assert same_period_range(1403, today) == (parse_jalali("1403/01/01"), today)
    assert same_period_range(1402, today) == (parse_jalali("1402/01/01"), parse_jalali("1402/06/09"))
    # the last day of a leap year clips to the last day of a common year
    assert same_period_range(1402, parse_jalali("1403/12/30")) == year_range(1402)


def test_month_names():
    assert month_name(1) == "فروردین"
    assert month_name(7) == "مهر"
    assert month_name(12) == "اسفند"
    with pytest.raises(ValueError):
        month_name(13)


def test_today_year_is_plausible():
    assert 1400 <= today_jalali_year() <= 1499


def test_add_years():
    assert add_years(parse_jalali("1401/06/09"), 4) == parse_jalali("1405/06/09")
    assert add_years(parse_jalali("1403/12/30"), 4) == parse_jalali("1407/12/29")
    assert add_years(parse_jalali("1403/12/30"), 5) == parse_jalali("1408/12/30")  # 1408 is leap
    assert add_years(parse_jalali("1399/12/30"), 4) == parse_jalali("1403/12/30")
    assert add_years(parse_jalali("1405/06/09"), -4) == parse_jalali("1401/06/09")


def test_add_days():
    assert add_days(date(2023, 3, 20), 1) == parse_jalali("1402/01/01")
    assert add_days(date(2023, 3, 21), -1) == date(2023, 3, 20)


def test_max_editable():
    assert format_jalali(MAX_EDITABLE, persian_digits=False) == "1435/12/29"
