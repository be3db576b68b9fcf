"""The centres register: the one validator, saving with versions, county scope, the list page and the file."""

from __future__ import annotations

import time as clock
from dataclasses import replace

import pytest
from sqlalchemy import event, insert
from sqlmodel import select

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import (
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ostandari_desk.services import letters, reference
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.inspections.centres import CentreFilter, CentreInput
from ostandari_desk.store.models import Centre, CorrectiveAction, County, Province, utc_now

from .inspection_seed import add_visit, categories, make_centre

d = jalali.from_jalali


@pytest.fixture
def cats(desk):
    return categories(desk.uow)


def _input(desk, cats, **changes) -> CentreInput:
    values = {
        "code": "QZ-100",
        "name": "کشتارگاه صنعتی قزوین",
        "category_id": cats["کشتارگاه"],
        "county_id": desk.counties["قزوین"],
        "licensing_agency": "اداره کل دامپزشکی",
        "licence_number": "۱۲۳/د",
        "operator": "شرکت گوشت البرز",
        "address": "قزوین، جاده رشت",
        "phone": "۰۲۸-۳۳۳۳ ۴۴۴۴",
    }
    values.update(changes)
    return CentreInput(**values)


def test_create_cleans_and_get_returns_it(desk, cats):
    data = _input(desk, cats, code=" qz-۱۰۰ ", name="كشتارگاه  صنعتي قزوین")
    centre_id = cs.create_centre(desk.uow, data)
    got = cs.get_centre(desk.uow, centre_id)
    assert got.code == "QZ-100"
    assert got.name == "کشتارگاه صنعتی قزوین"  # Arabic ك/ي and the double space cleaned
    assert got.phone == "02833334444"
    assert got.licence_number == "123/د"
    assert got.category_name == "کشتارگاه" and got.county_name == "قزوین"
    assert got.active and got.row_version == 1
    assert cs.find_centre_id(desk.uow, "qz-۱۰۰") == centre_id
    assert cs.find_centre_id(desk.uow, "QZ-101") is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"code": ""}, "code", "کد مرکز وارد نشده"),
        ({"code": "QZ 100"}, "code", "حرف، رقم و «-»"),
        ({"code": "QZ_100"}, "code", "حرف، رقم و «-»"),
        ({"code": "-QZ"}, "code", "حرف، رقم و «-»"),
        ({"name": ""}, "name", "نام مرکز وارد نشده"),
        ({"name": "ک"}, "name", "۲ تا ۲۰۰"),
        ({"name": "ک" * 201}, "name", "۲ تا ۲۰۰"),
        ({"category_id": None}, "category_id", "نوع مرکز انتخاب نشده"),
        ({"county_id": None}, "county_id", "شهرستان مرکز انتخاب نشده"),
        ({"phone": "1234567"}, "phone", "۸ تا ۱۱ رقم"),
        ({"phone": "021123456789"}, "phone", "۸ تا ۱۱ رقم"),
        ({"phone": "0281234x567"}, "phone", "۸ تا ۱۱ رقم"),
        ({"address": "ن" * 501}, "address", "نشانی"),
    ],
)
def test_each_bad_field_is_named(desk, cats, changes, field, words):
    with pytest.raises(ValidationError) as err:
        cs.create_centre(desk.uow, _input(desk, cats, **changes))
    assert err.value.field == field
    assert words in err.value.message
    assert cs.count_centres(desk.uow) == 0


def test_centre_errors_lists_every_bad_field_and_validate_raises_the_first(desk, cats):
    data = _input(desk, cats, code="QZ 1", name="ک", category_id=None, phone="123", address="ن" * 501)
    errors = cs.centre_errors(desk.uow, data)
    assert [e.field for e in errors] == ["code", "name", "category_id", "phone", "address"]
    with pytest.raises(ValidationError) as err:
        cs.validate_centre(desk.uow, data)
    assert (err.value.field, err.value.message) == ("code", errors[0].message)
    assert cs.centre_errors(desk.uow, _input(desk, cats)) == []
    cs.create_centre(desk.uow, _input(desk, cats))
    assert cs.centre_errors(desk.uow, _input(desk, cats)) == []  # the code's uniqueness is validate's
    with pytest.raises(DuplicateError):
        cs.validate_centre(desk.uow, _input(desk, cats))


def test_category_must_be_a_centre_category(desk, cats):
    field_id = desk.fields[next(iter(desk.fields))]
    with pytest.raises(ValidationError) as err:
        cs.validate_centre(desk.uow, _input(desk, cats, category_id=field_id))
    assert err.value.field == "category_id"


def test_county_of_another_province_is_refused(desk, cats):
    with desk.uow.writing() as uow:
        province = Province(name="کرمان")
        uow.s.add(province)
        uow.s.flush()
        county = County(province_id=province.id, name="بم", name_key="بم")
        uow.s.add(county)
        uow.commit()
    with pytest.raises(ValidationError) as err:
        cs.create_centre(desk.uow, _input(desk, cats, county_id=county.id))
    assert err.value.field == "county_id"


def test_code_is_unique_across_counties(desk, cats, uow_as):
    cs.create_centre(desk.uow, _input(desk, cats))
    with pytest.raises(DuplicateError) as err:
        cs.create_centre(desk.uow, _input(desk, cats, code="qz-100", name="مرکز دیگر"))
    assert err.value.field == "code" and err.value.record
    county_uow = uow_as("county", desk.counties["آبیک"])
    with pytest.raises(DuplicateError) as err:
        cs.create_centre(county_uow, _input(desk, cats, county_id=desk.counties["آبیک"]))
    assert (
        err.value.record is None and "شهرستان دیگری" in err.value.message
    )  # nothing of the other county shown


def test_county_user_files_only_their_county(desk, cats, uow_as):
    abyek = desk.counties["آبیک"]
    county_uow = uow_as("county", abyek)
    with pytest.raises(ValidationError) as err:
        cs.create_centre(county_uow, _input(desk, cats))
    assert err.value.field == "county_id"
    own = cs.create_centre(county_uow, _input(desk, cats, code="AB-1", county_id=abyek))
    other = cs.create_centre(desk.uow, _input(desk, cats))
    assert [r.id for r in cs.list_centre_page(county_uow)] == [own]
    assert cs.count_centres(county_uow) == 1
    assert cs.find_centre_id(county_uow, "QZ-100") is None
    with pytest.raises((NotFoundError, PermissionDeniedError)):  # the session's scope hides it
        cs.get_centre(county_uow, other)


def test_update_keeps_versions_and_sort_key(desk, cats):
    centre_id = cs.create_centre(desk.uow, _input(desk, cats))
    detail = cs.get_centre(desk.uow, centre_id)
    cs.update_centre(desk.uow, centre_id, replace(detail.to_input(), name="پایگاه عرضه گوشت"), 1)
    got = cs.get_centre(desk.uow, centre_id)
    assert got.name == "پایگاه عرضه گوشت" and got.row_version == 2
    with desk.uow as uow:
        assert uow.s.get(Centre, centre_id).name_sort == text.persian_sort_key("پایگاه عرضه گوشت")
    with pytest.raises(ConcurrentEditError):
        cs.update_centre(desk.uow, centre_id, detail.to_input(), 1)
    cs.update_centre(desk.uow, centre_id, got.to_input(), 2)  # its own code is no duplicate
    cs.set_centre_active(desk.uow, centre_id, False, 3)
    assert not cs.get_centre(desk.uow, centre_id).active
    with pytest.raises(ConcurrentEditError):
        cs.set_centre_active(desk.uow, centre_id, True, 3)


def test_an_inactive_category_stays_on_its_centres_but_takes_no_new_ones(desk, cats):
    centre_id = cs.create_centre(desk.uow, _input(desk, cats))
    reference.set_item_active(desk.uow, cats["کشتارگاه"], False)
    detail = cs.get_centre(desk.uow, centre_id)
    cs.update_centre(desk.uow, centre_id, replace(detail.to_input(), operator="دیگری"), 1)
    with pytest.raises(ValidationError) as err:
        cs.create_centre(desk.uow, _input(desk, cats, code="QZ-2"))
    assert err.value.field == "category_id"


@pytest.fixture
def listed(desk, cats):
    qz, ab = desk.counties["قزوین"], desk.counties["آبیک"]
    ids = {
        "a": make_centre(desk.uow, qz, cats["کشتارگاه"], code="Z-1", name="کشتارگاه شماره ۲", operator="رضا"),
        "b": make_centre(
            desk.uow, ab, cats["کمپ ترک اعتیاد"], code="A-9", name="کمپ امید", operator="مهر‌آفرین"
        ),
        "c": make_centre(
            desk.uow,
            qz,
            cats["اماکن ورزشی"],
            code="M-5",
            name="باشگاه پرواز",
            licensing_agency="اداره ورزش و جوانان",
        ),
        "d": make_centre(desk.uow, ab, cats["کشتارگاه"], code="B-2", name="چشمه", active=False),
    }
    return ids


ALL = CentreFilter()


def _ids(desk, flt=ALL, sort="name", descending=False, **kw):
    return [r.id for r in cs.list_centre_page(desk.uow, flt, sort, descending, **kw)]


def test_sorts(desk, listed):
    a, b, c, d = (listed[k] for k in "abcd")
    assert _ids(desk) == [c, d, a, b]  # Persian order: باشگاه، چشمه، کشتارگاه، کمپ
    assert _ids(desk, descending=True) == [b, a, d, c]
    assert _ids(desk, sort="code") == [b, d, c, a]
    assert _ids(desk, sort="category") == [d, a, c, b]  # by the reference list's order, then name
    assert _ids(desk, sort="county") == [c, a, d, b]  # قزوین before آبیک in the county list
    assert _ids(desk, sort="agency") == [c, d, a, b]  # code-point order of the agency (no sort key)
    assert _ids(desk, offset=1, limit=2) == [d, a]
    with pytest.raises(ValueError):
        _ids(desk, sort="nope")


def test_filters_and_search(desk, cats, listed):
    a, b, c, d = (listed[k] for k in "abcd")
    assert _ids(desk, CentreFilter(search="شماره 2")) == [a]  # Latin digit finds ۲
    assert _ids(desk, CentreFilter(search="مهر آفرین")) == [b]  # ZWNJ and space are the same
    assert _ids(desk, CentreFilter(search="z-1")) == [a]  # the code, any case
    assert _ids(desk, CentreFilter(search="كمپ اميد")) == [b]  # Arabic letter forms
    assert _ids(desk, CentreFilter(search="100%")) == []
    assert _ids(desk, CentreFilter(county_id=desk.counties["آبیک"])) == [d, b]
    assert _ids(desk, CentreFilter(category_id=cats["کشتارگاه"])) == [d, a]
    assert _ids(desk, CentreFilter(active=False)) == [d]
    assert _ids(desk, CentreFilter(active=True, county_id=desk.counties["آبیک"])) == [b]
    assert _ids(desk, CentreFilter(licensing_agency="اداره ورزش و جوانان")) == [c]
    assert cs.count_centres(desk.uow, CentreFilter(category_id=cats["کشتارگاه"])) == 2
    assert cs.licensing_agencies(desk.uow) == ["اداره کل بهزیستی", "اداره ورزش و جوانان"]
    assert "کمپ ترک اعتیاد" in [c.name for c in cs.category_choices(desk.uow)]


def test_list_row_shows_the_last_visit(desk, listed):
    add_visit(desk.uow, listed["a"], d(1402, 3, 1))
    add_visit(desk.uow, listed["a"], d(1402, 5, 7))
    rows = {r.id: r for r in cs.list_centre_page(desk.uow)}
    assert rows[listed["a"]].last_visit_on == d(1402, 5, 7)
    assert rows[listed["a"]].last_visit_text == "۱۴۰۲/۰۵/۰۷"
    assert rows[listed["b"]].last_visit_on is None
    assert rows[listed["d"]].active_label == "غیرفعال"


def test_centre_file(desk, listed):
    centre_id = listed["a"]
    old = add_visit(
        desk.uow,
        centre_id,
        d(1402, 2, 1),
        result="needs_fix",
        findings=(("زنجیره سرد رعایت نمی‌شود", "major"),),
        action={"action": "تعمیر سردخانه", "deadline": d(1402, 3, 1), "done_on": d(1402, 2, 25)},
    )
    new = add_visit(
        desk.uow,
        centre_id,
        d(1402, 4, 1),
        result="serious",
        findings=(("کارت بهداشت کارکنان ندارد", "critical"), ("پسماند رها شده", "minor")),
        action={"action": "اخذ کارت بهداشت", "deadline": d(1402, 5, 1)},
    )
    add_visit(desk.uow, centre_id, d(1402, 5, 1), findings=(("تذکر شفاهی", "minor"),))  # good, no action
    letter_id = letters.create_letter(
        desk.uow,
        letters.LetterInput(
            direction="outgoing",
            number="۷۷/ب",
            dated_on=d(1402, 4, 5),
            party="اداره کل دامپزشکی",
            subject="ارجاع کشتارگاه",
            kind="other",
            county_id=desk.counties["قزوین"],
        ),
    )
    with desk.uow.writing() as uow:
        action = uow.s.exec(
            select(CorrectiveAction).where(CorrectiveAction.action == "اخذ کارت بهداشت")
        ).first()
        action.referral_letter_id = letter_id
        uow.commit()

    file = cs.centre_file(desk.uow, centre_id)
    assert file.centre.code == "Z-1"
    assert [v.inspected_on for v in file.visits] == [d(1402, 5, 1), d(1402, 4, 1), d(1402, 2, 1)]
    assert file.visits[1].id == new and file.visits[1].finding_count == 2
    assert file.visits[1].result_label == "تخلف جدی" and file.visits[1].kind_label == "سرزده"
    # the done action's finding is closed; the good visit's remark without an action is no open finding
    assert [f.text for f in file.open_findings] == ["کارت بهداشت کارکنان ندارد", "پسماند رها شده"]
    assert all(f.inspection_id == new for f in file.open_findings)
    assert file.open_findings[0].severity_label == "بحرانی"
    assert file.open_findings[0].actions[0].action == "اخذ کارت بهداشت"
    [referral] = file.referrals
    assert referral.letter_number == "77/ب" and referral.letter_dated_on == d(1402, 4, 5)
    assert referral.finding_text in {"کارت بهداشت کارکنان ندارد", "پسماند رها شده"}
    assert old not in {f.inspection_id for f in file.open_findings}


@pytest.mark.sqlite_only  # SQLite's query plans and timings (the benchmark times PostgreSQL)
def test_first_page_at_ten_thousand_centres_is_quick(desk, cats):
    """The list's first page (default sort) walks the name index: well under 20 ms at 10,000 centres."""
    county_ids = list(desk.counties.values())
    cat_ids = list(cats.values())
    moment = utc_now()
    rows = [
        {
            "id": f"{n:032x}",
            "created_at": moment,
            "updated_at": moment,
            "row_version": 1,
            "county_id": county_ids[n % len(county_ids)],
            "category_id": cat_ids[n % len(cat_ids)],
            "code": f"K-{n}",
            "name": f"مرکز {n} {'پچژگ'[n % 4]}",
            "name_sort": text.persian_sort_key(f"مرکز {n} {'پچژگ'[n % 4]}"),
            "address": "",
            "operator": f"بهره‌بردار {n}",
            "search_text": cs.search_text_of(f"K-{n}", f"مرکز {n} {'پچژگ'[n % 4]}", f"بهره‌بردار {n}"),
            "licensing_agency": "",
            "licence_number": "",
            "phone": "",
            "active": True,
        }
        for n in range(10_000)
    ]
    with desk.uow.writing() as uow:
        uow.s.connection().execute(insert(Centre.__table__), rows)
        uow.commit()
    cs.list_centre_page(desk.uow, limit=50)  # warm
    best = min(_timed(lambda: cs.list_centre_page(desk.uow, limit=50)) for _ in range(5))
    assert best < 0.020, best
    best_search = min(
        _timed(lambda: cs.list_centre_page(desk.uow, CentreFilter(search="بهره بردار 99"), limit=50))
        for _ in range(3)
    )
    assert best_search < 0.050, best_search
    assert len(cs.list_centre_page(desk.uow, CentreFilter(search="بهره بردار 9999"), limit=50)) == 1
    [plan] = [
        p for sql, p in _explained(desk, lambda: cs.list_centre_page(desk.uow, limit=50)) if "centre" in sql
    ]
    assert "SCAN centre USING INDEX ix_centre_name_sort" in plan, plan  # a walk that stops at the page's end
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def _explained(desk, call) -> list[tuple[str, str]]:
    """(sql, plan) of each SELECT ``call`` sends."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(desk.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(desk.engine, "before_cursor_execute", capture)
    with desk.engine.connect() as conn:
        return [
            (sql, " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)))
            for sql, params in seen
        ]


def _timed(call) -> float:
    start = clock.perf_counter()
    call()
    return clock.perf_counter() - start
