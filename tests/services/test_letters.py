"""Letters service: numbers unique per direction and Jalali year, filters, NGO letters (attachments: test_attachments.py)."""

from __future__ import annotations

import itertools

import pytest

from ostandari_desk.domain import text
from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.errors import (
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
    ValidationError,
)
from ostandari_desk.services import letters as lt
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import Ngo

_seq = itertools.count(9_500)
_prefix = itertools.count(1_051_000_000)


def insert_ngo(uow, name: str, county_id: str | None = None) -> tuple[str, str]:
    """Insert an NGO straight into the store (these tests need NGOs, not the NGO service's rules).

    Returns (id, national id).
    """
    national_id = make_legal_national_id(str(next(_prefix)))
    with uow:
        ngo = Ngo(
            **stamps(),
            seq=next(_seq),
            national_id=national_id,
            name=name,
            name_key=text.normalize(name),
            name_sort=text.persian_sort_key(name),
            level="county",
            county_id=county_id,
        )
        uow.s.add(ngo)
        uow.commit()
        return ngo.id, national_id


def _letter(**kw) -> lt.LetterInput:
    values = {
        "direction": "outgoing",
        "number": "۱۲۳/ص",
        "dated_on": J(1401, 6, 9),
        "party": "فرمانداری البرز",
        "subject": "هماهنگی برگزاری همایش",
        "kind": "support",
    }
    values.update(kw)
    return lt.LetterInput(**values)


def test_create_and_get(desk):
    ngo, _ = insert_ngo(desk.uow, "انجمن الف")
    letter_id = lt.create_letter(desk.uow, _letter(ngo_id=ngo, county_id=desk.counties["آبیک"]))
    detail = lt.get_letter(desk.uow, letter_id)
    assert detail.number == "123/ص"  # digits stored Latin
    assert detail.jalali_year == 1401
    assert detail.ngo_name == "انجمن الف"
    row = lt.list_letter_page(desk.uow)[0]
    assert row.direction_label == "صادره" and row.kind_label == "هماهنگی و حمایتی"
    assert row.county_name == "آبیک" and row.dated_text == "۱۴۰۱/۰۶/۰۹"


def test_duplicate_number_within_direction_and_year(desk):
    lt.create_letter(desk.uow, _letter())
    with pytest.raises(DuplicateError) as info:
        lt.create_letter(desk.uow, _letter(number="123/ص", dated_on=J(1401, 12, 1)))
    assert "پیش‌تر ثبت شده" in info.value.message and "۱۴۰۱" in info.value.message
    assert info.value.field == "number"
    # another year or the other direction is fine
    lt.create_letter(desk.uow, _letter(dated_on=J(1402, 1, 5)))
    lt.create_letter(desk.uow, _letter(direction="incoming"))
    assert lt.count_letters(desk.uow) == 3


def test_update_checks_duplicates_and_version(desk):
    first = lt.create_letter(desk.uow, _letter())
    second = lt.create_letter(desk.uow, _letter(number="124"))
    with pytest.raises(DuplicateError):
        lt.update_letter(desk.uow, second, _letter(number="123/ص"), 1)
    lt.update_letter(desk.uow, first, _letter(subject="موضوع تازه"), 1)  # own number is fine
    with pytest.raises(ConcurrentEditError):
        lt.update_letter(desk.uow, first, _letter(subject="کهنه"), 1)
    assert lt.get_letter(desk.uow, first).subject == "موضوع تازه"
    lt.delete_letter(desk.uow, second)
    with pytest.raises(NotFoundError):
        lt.get_letter(desk.uow, second)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"direction": "sideways"}, "direction"),
        ({"kind": "x"}, "kind"),
        ({"number": " "}, "number"),
        ({"party": ""}, "party"),
        ({"subject": ""}, "subject"),
        ({"ngo_id": "nope"}, "ngo_id"),
        ({"county_id": "nope"}, "county_id"),
    ],
)
def test_validation(desk, change, field):
    with pytest.raises(ValidationError) as info:
        lt.create_letter(desk.uow, _letter(**change))
    assert info.value.field == field


def test_filters(desk):
    ngo, _ = insert_ngo(desk.uow, "انجمن الف")
    alborz = desk.counties["البرز"]
    a = lt.create_letter(
        desk.uow,
        _letter(number="1", party="دادگستری استان", subject="توقیف پروانه", kind="punitive", ngo_id=ngo),
    )
    b = lt.create_letter(
        desk.uow, _letter(number="2", direction="incoming", dated_on=J(1400, 5, 1), county_id=alborz)
    )
    c = lt.create_letter(desk.uow, _letter(number="3", subject="سازمان مردم‌نهاد نمونه", kind="other"))
    count = lambda **kw: lt.count_letters(desk.uow, lt.LetterFilter(**kw))
    assert count(direction="incoming") == 1
    assert count(kind="punitive") == 1
    assert count(year=1401) == 2 and count(year=1400) == 1
    assert count(ngo_id=ngo) == 1
    assert count(county_id=alborz) == 1 and count(county_id=lt.PROVINCE_ONLY) == 2
    # normalized search: Arabic letters, ZWNJ vs space, Persian digits in the number
    assert [r.id for r in lt.list_letter_page(desk.uow, lt.LetterFilter(text="دادگستري"))] == [a]
    assert [r.id for r in lt.list_letter_page(desk.uow, lt.LetterFilter(text="مردم نهاد"))] == [c]
    assert [r.id for r in lt.list_letter_page(desk.uow, lt.LetterFilter(text="۲"))] == [b]
    assert next(r.id for r in lt.list_letter_page(desk.uow, sort="dated_on", descending=False)) == b
    for key in lt.SORT_KEYS:
        assert len(lt.list_letter_page(desk.uow, sort=key)) == 3
    assert [r.id for r in lt.letters_of_ngo(desk.uow, ngo)] == [a]
    assert lt.letter_years(desk.uow) == [1401, 1400]


def test_create_letter_joins_the_callers_transaction(desk):
    """A service that files a letter as part of its own work (a licence step) calls create_letter(uow, data)
    inside its block: the letter is committed with that work, or not at all."""
    uow = desk.uow
    with pytest.raises(RuntimeError), uow:
        letter_id = lt.create_letter(uow, _letter(number="55"))
        assert lt.get_letter(uow, letter_id).number == "55"
        raise RuntimeError("the caller fails before its block ends")
    assert lt.count_letters(uow) == 0
    with uow:
        letter_id = lt.create_letter(uow, _letter(number="56"))
        uow.commit()
    assert lt.get_letter(uow, letter_id).number == "56"
