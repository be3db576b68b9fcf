"""The provinces and counties shipped in resources/reference/provinces_counties.csv (services.setup)."""

from __future__ import annotations

import csv

import pytest

from ostandari_desk.domain import reference_ids
from ostandari_desk.paths import resources_dir
from ostandari_desk.services import reference, setup
from ostandari_desk.services.setup import ReferenceFileError, read_provinces_file

# the four provinces shipped before all 31 were: their counties (names and order) must not change, or
# the desks already set up would disagree with new ones on the county ids and order
OLD_FOUR = {
    "قزوین": ["قزوین", "البرز", "آبیک", "بوئین\u200cزهرا", "تاکستان", "آوج"],
    "آذربایجان شرقی": [
        "تبریز", "آذرشهر", "اسکو", "اهر", "بستان\u200cآباد", "بناب", "جلفا", "چاراویماق", "خداآفرین", "سراب",
        "شبستر", "عجب\u200cشیر", "کلیبر", "مراغه", "مرند", "ملکان", "میانه", "ورزقان", "هریس", "هشترود", "هوراند",
    ],
    "کرمان": [
        "کرمان", "ارزوئیه", "انار", "بافت", "بردسیر", "بم", "جیرفت", "رابر", "راور", "رفسنجان", "رودبار جنوب",
        "ریگان", "زرند", "سیرجان", "شهربابک", "عنبرآباد", "فاریاب", "فهرج", "قلعه\u200cگنج", "کهنوج", "کوهبنان",
        "منوجان", "نرماشیر",
    ],
    "اردبیل": ["اردبیل", "اصلاندوز", "بیله\u200cسوار", "پارس\u200cآباد", "خلخال", "سرعین", "کوثر", "گرمی", "مشگین\u200cشهر", "نمین", "نیر"],
}  # fmt: skip

THE_31 = {
    "آذربایجان شرقی", "آذربایجان غربی", "اردبیل", "اصفهان", "البرز", "ایلام", "بوشهر", "تهران",
    "چهارمحال و بختیاری", "خراسان جنوبی", "خراسان رضوی", "خراسان شمالی", "خوزستان", "زنجان", "سمنان",
    "سیستان و بلوچستان", "فارس", "قزوین", "قم", "کردستان", "کرمان", "کرمانشاه", "کهگیلویه و بویراحمد",
    "گلستان", "گیلان", "لرستان", "مازندران", "مرکزی", "هرمزگان", "همدان", "یزد",
}  # fmt: skip


def test_all_31_provinces_ship_each_with_its_counties():
    provinces = setup.available_provinces()
    assert len(provinces) == 31 and set(provinces) == THE_31
    for province in provinces:
        counties = setup.counties_of(province)
        assert counties, province
        assert len(set(counties)) == len(counties), province
    assert setup.counties_of("تهران")[0] == "تهران" and "شمیرانات" in setup.counties_of("تهران")
    assert "مشهد" in setup.counties_of("خراسان رضوی") and "کرج" in setup.counties_of("البرز")
    assert setup.counties_of("قم") == ["قم"]
    assert sum(len(setup.counties_of(p)) for p in provinces) > 400


def test_the_shipped_file_is_the_office_editable_csv():
    path = resources_dir() / "reference" / "provinces_counties.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["استان", "شهرستان", "ردیف"]
    assert all(len(row) == 3 and row[2].isdecimal() for row in rows[1:])
    assert not any("ي" in cell or "ك" in cell for row in rows for cell in row)  # Persian yeh and kaf only


def test_the_four_provinces_shipped_before_are_unchanged():
    for province, counties in OLD_FOUR.items():
        assert setup.counties_of(province) == counties


def test_a_new_province_sets_up_with_deterministic_ids(uow):
    province_id = setup.initialize(uow, "خراسان رضوی", county="نیشابور")
    assert province_id == reference_ids.province_id("خراسان رضوی")
    counties = reference.list_counties(uow)
    assert [c.name for c in counties] == setup.counties_of("خراسان رضوی")
    assert [c.position for c in counties] == list(range(1, len(counties) + 1))
    assert {c.id for c in counties} == {reference_ids.county_id("خراسان رضوی", c.name) for c in counties}


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "provinces_counties.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_counties_follow_their_position_and_persian_digits_are_read(tmp_path):
    path = _write(tmp_path, ["استان,شهرستان,ردیف", "قم,کهک,۲", "قم,قم,1", "", "یزد,یزد,1"])
    assert read_provinces_file(path) == {"قم": ("قم", "کهک"), "یزد": ("یزد",)}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("قم,کهک", "سطر ۳: ۳ ستون لازم است و این سطر ۲ ستون دارد"),
        ("قم,کهک,دو", "سطر ۳: ردیف «دو» یک عدد درست مثبت نیست"),
        ("قم,کهک,0", "سطر ۳: ردیف «0» یک عدد درست مثبت نیست"),
        (",کهک,2", "سطر ۳: نام استان خالی است"),
        ("قم, ,2", "سطر ۳: نام شهرستان استان قم خالی است"),
        ("قم,قم,2", "سطر ۳: شهرستان قم در استان قم دو بار آمده است"),
        ("قم,کهک,1", "سطر ۳: ردیف ۱ استان قم پیش‌تر به شهرستان قم داده شده است"),
    ],
)
def test_a_broken_line_is_refused_naming_its_line(tmp_path, line, message):
    path = _write(tmp_path, ["استان,شهرستان,ردیف", "قم,قم,1", line])
    with pytest.raises(ReferenceFileError) as caught:
        read_provinces_file(path)
    assert caught.value.message == f"پرونده فهرست استان‌ها و شهرستان‌ها (provinces_counties.csv)، {message}"


def test_a_file_without_its_columns_is_refused(tmp_path):
    with pytest.raises(ReferenceFileError, match="ستون «ردیف»"):
        read_provinces_file(_write(tmp_path, ["استان,شهرستان", "قم,قم"]))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="پرونده خالی است"):
        read_provinces_file(empty)
