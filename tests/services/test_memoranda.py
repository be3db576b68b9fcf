"""The memoranda register: the one validator (every «Bad input» of the issue refused with its field named
and nothing stored), saving with versions, states, county scope, the list page and its speed."""

from __future__ import annotations

import time as clock
from dataclasses import replace

import pytest
from sqlalchemy import event, insert

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import (
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import listing
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import payments as pay
from ostandari_desk.services.memoranda import progress as pr
from ostandari_desk.services.memoranda.memoranda import MemorandumFilter
from ostandari_desk.store.models import Memorandum, Payment, ProgressReport, utc_now

from .memorandum_fixtures import SIGNED, counts, harm_id, insert_office, j, make_memo, memo_input


def test_create_cleans_and_get_returns_it(desk):
    memo_id = make_memo(desk, number=" ۱۲۳/ت ", title="  طرح   کاهش طلاق ", duration_months=None)
    d = ms.get_memorandum(desk.uow, memo_id)
    assert d.number == "123/ت" and d.title == "طرح کاهش طلاق"
    assert d.starts_on == SIGNED and d.duration_months == 3
    assert d.ends_on == j(1403, 4, 15) == jalali.add_months(SIGNED, 3)
    assert d.party_name == "فرمانداری قزوین" and d.state_label == "جاری"
    assert d.social_harm_name == "اعتیاد (معتادان متجاهر)"
    assert (d.ledger.amount, d.ledger.paid, d.ledger.remaining) == (1_000_000_000, 0, 1_000_000_000)
    assert ms.find_memorandum_id(desk.uow, "123/ت") == memo_id
    assert ms.find_memorandum_id(desk.uow, "۱۲۳/ت") == memo_id
    with desk.uow as uow:
        stored = uow.s.get(Memorandum, memo_id)
        assert stored.title_sort == text.persian_sort_key("طرح کاهش طلاق")


def test_end_date_follows_start_and_duration(desk):
    memo_id = make_memo(desk, starts_on=j(1403, 11, 30), signed_on=j(1403, 11, 1), duration_months=3)
    assert ms.get_memorandum(desk.uow, memo_id).ends_on == j(1404, 2, 30)
    memo_id = make_memo(desk, starts_on=j(1403, 6, 31), signed_on=j(1403, 6, 1), duration_months=36)
    assert ms.get_memorandum(desk.uow, memo_id).ends_on == j(1406, 6, 31)


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"amount": 0}, "amount", "بیشتر از صفر"),
        ({"amount": -1_000}, "amount", "بیشتر از صفر"),
        ({"amount": None}, "amount", "وارد نشده"),
        ({"amount": 1.5}, "amount", "عددی درست"),
        ({"amount": 2**63}, "amount", "بزرگ"),
        ({"number": "  "}, "number", "شماره"),
        ({"title": "ب"}, "title", "۲ تا ۳۰۰"),
        ({"title": "ب" * 301}, "title", "۲ تا ۳۰۰"),
        ({"party_kind": "company"}, "party_kind", "طرف"),
        ({"county_id": None}, "county_id", "فرمانداری"),
        ({"county_id": "no-such-county"}, "county_id", "پیدا نشد"),
        ({"party_kind": "ngo", "ngo_id": None}, "ngo_id", "انتخاب نشده"),
        ({"party_kind": "ngo", "ngo_id": "no-such-ngo"}, "ngo_id", "پیدا نشد"),
        ({"social_harm_id": "no-such-harm"}, "social_harm_id", "آسیب"),
        ({"office_id": "no-such-office"}, "office_id", "پیدا نشد"),
        ({"starts_on": j(1403, 1, 14)}, "starts_on", "پیش از تاریخ انعقاد"),
        ({"signed_on": None}, "signed_on", "وارد نشده"),
        ({"signed_on": j(1450, 1, 1)}, "signed_on", "پس از امروز"),
        ({"duration_months": 0}, "duration_months", "۱ تا ۳۶"),
        ({"duration_months": 37}, "duration_months", "۱ تا ۳۶"),
        ({"state": "paused"}, "state", "وضعیت"),
    ],
)
def test_each_bad_field_is_named_and_nothing_stored(desk, changes, field, words):
    before = counts(desk.engine)
    with pytest.raises(ValidationError) as caught:
        make_memo(desk, **changes)
    assert caught.value.field == field, caught.value.message
    assert words in caught.value.message
    assert counts(desk.engine) == before


def test_social_harm_must_be_of_its_kind(desk):
    field_item = reference.list_items(desk.uow, "field")[0].id
    with pytest.raises(ValidationError) as caught:
        make_memo(desk, social_harm_id=field_item)
    assert caught.value.field == "social_harm_id"


def test_errors_list_every_bad_field_and_validate_raises_the_first(desk):
    data = memo_input(desk, title="", amount=0, starts_on=j(1402, 1, 1), duration_months=99)
    errors = ms.memorandum_errors(desk.uow, data)
    assert [e.field for e in errors] == ["title", "amount", "starts_on", "duration_months"]
    with pytest.raises(ValidationError) as caught:
        ms.validate_memorandum(desk.uow, data)
    assert caught.value.field == "title"
    assert ms.memorandum_errors(desk.uow, memo_input(desk)) == []


def test_ngo_party_takes_the_ngo_county_unless_given(desk, make_ngo):
    ngo_id = make_ngo(county="تاکستان")
    memo_id = make_memo(desk, party_kind="ngo", ngo_id=ngo_id, county_id=None)
    d = ms.get_memorandum(desk.uow, memo_id)
    assert d.county_id == desk.counties["تاکستان"] and d.ngo_id == ngo_id
    assert d.party_name == d.ngo_name and d.ngo_national_id
    given = make_memo(desk, party_kind="ngo", ngo_id=ngo_id, county_id=desk.counties["البرز"])
    assert ms.get_memorandum(desk.uow, given).county_id == desk.counties["البرز"]
    # a governorate party keeps no NGO
    county = make_memo(desk, party_kind="county", ngo_id=ngo_id)
    assert ms.get_memorandum(desk.uow, county).ngo_id is None


def test_a_province_memorandum(desk, make_ngo):
    memo_id = make_memo(
        desk, party_kind="ngo", ngo_id=make_ngo(county=None, level="province"), county_id=None
    )
    d = ms.get_memorandum(desk.uow, memo_id)
    assert d.county_id is None and d.county_name == "استان"


def test_office_must_be_of_the_memorandum_county(desk):
    office = insert_office(desk.uow, desk.counties["قزوین"])
    memo_id = make_memo(desk, office_id=office)
    assert ms.get_memorandum(desk.uow, memo_id).office_name == "دفتر تسهیلگری محله"
    with pytest.raises(ValidationError) as caught:
        make_memo(desk, office_id=office, county_id=desk.counties["آبیک"])
    assert caught.value.field == "office_id" and "شهرستان" in caught.value.message


def test_number_is_unique_across_counties(desk, uow_as):
    make_memo(desk, number="۵۵")
    county_uow = uow_as("county", desk.counties["آبیک"])
    before = counts(desk.engine)
    with pytest.raises(DuplicateError) as caught:
        make_memo(desk, county_uow, number="55", county_id=desk.counties["آبیک"])
    assert caught.value.field == "number" and "شهرستان دیگری" in caught.value.message
    assert counts(desk.engine) == before


def test_county_user_works_only_in_their_county(desk, uow_as, make_ngo):
    abyek = desk.counties["آبیک"]
    county_uow = uow_as("county", abyek)
    own = make_memo(desk, county_uow, county_id=abyek)
    other = make_memo(desk, county_id=desk.counties["قزوین"])
    for county_id in (desk.counties["قزوین"], None):
        with pytest.raises(ValidationError) as caught:
            make_memo(
                desk,
                county_uow,
                party_kind="county" if county_id else "ngo",
                county_id=county_id,
                ngo_id=make_ngo(county=None, level="province"),
            )
        assert caught.value.field == "county_id"
    # a provincial NGO may be the party of a county memorandum
    provincial = make_ngo(county=None, level="province")
    with_ngo = make_memo(desk, county_uow, party_kind="ngo", ngo_id=provincial, county_id=abyek)
    rows = ms.list_memorandum_page(county_uow)
    assert {r.id for r in rows} == {own, with_ngo}
    assert next(r for r in rows if r.id == with_ngo).ngo_name.startswith("انجمن آزمایشی")
    assert ms.count_memoranda(county_uow) == 2
    with pytest.raises((NotFoundError, PermissionDeniedError)):  # the session's scope hides it
        ms.get_memorandum(county_uow, other)
    stale = ms.get_memorandum(desk.uow, other)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        ms.update_memorandum(county_uow, other, stale.to_input(), stale.row_version)
    assert ms.find_memorandum_id(county_uow, stale.number) is None


def test_update_keeps_versions_and_sort_key(desk):
    memo_id = make_memo(desk)
    d = ms.get_memorandum(desk.uow, memo_id)
    ms.update_memorandum(
        desk.uow, memo_id, replace(d.to_input(), title="پیشگیری از طلاق", duration_months=6), 1
    )
    d2 = ms.get_memorandum(desk.uow, memo_id)
    assert d2.row_version == 2 and d2.ends_on == jalali.add_months(SIGNED, 6)
    with desk.uow as uow:
        assert uow.s.get(Memorandum, memo_id).title_sort == text.persian_sort_key("پیشگیری از طلاق")
    with pytest.raises(ConcurrentEditError):
        ms.update_memorandum(desk.uow, memo_id, d.to_input(), 1)


def test_update_may_not_undercut_payments_or_progress(desk):
    memo_id = make_memo(desk, amount=1_000)
    pay.add_payment(desk.uow, pay.PaymentInput(memo_id, j(1403, 2, 1), 1, 500))
    d = ms.get_memorandum(desk.uow, memo_id)
    with pytest.raises(ValidationError) as caught:
        ms.update_memorandum(desk.uow, memo_id, replace(d.to_input(), amount=499), d.row_version)
    assert caught.value.field == "amount"
    with pytest.raises(ValidationError) as caught:
        ms.update_memorandum(desk.uow, memo_id, replace(d.to_input(), signed_on=j(1403, 2, 2)), d.row_version)
    assert caught.value.field == "signed_on"
    ms.update_memorandum(desk.uow, memo_id, replace(d.to_input(), amount=500), d.row_version)


def test_states(desk):
    memo_id = make_memo(desk)
    pay.add_payment(desk.uow, pay.PaymentInput(memo_id, j(1403, 3, 1), 1, 100))
    with pytest.raises(ValidationError) as caught:
        ms.set_memorandum_state(desk.uow, memo_id, "cancelled", 1, on=j(1403, 2, 1))
    assert caught.value.field == "state" and "پس از لغو" in caught.value.message
    ms.set_memorandum_state(desk.uow, memo_id, "completed", 1)
    assert ms.get_memorandum(desk.uow, memo_id).state_label == "خاتمه‌یافته"
    ms.set_memorandum_state(desk.uow, memo_id, "cancelled", 2, on=j(1403, 3, 1))
    assert ms.get_memorandum(desk.uow, memo_id).state == "cancelled"
    with pytest.raises(ValidationError):
        ms.set_memorandum_state(desk.uow, memo_id, "gone", 3)
    with pytest.raises(ConcurrentEditError):
        ms.set_memorandum_state(desk.uow, memo_id, "active", 1)


# --- the list ------------------------------------------------------------------------------------


@pytest.fixture
def listed(desk, make_ngo):
    ngo = make_ngo(county="آبیک", name="انجمن یاوران")
    ids = {
        "a": make_memo(desk, number="3", title="ب طرح", amount=300, signed_on=j(1402, 5, 1)),
        "b": make_memo(
            desk,
            number="1",
            title="آ طرح",
            amount=100,
            signed_on=j(1403, 2, 1),
            party_kind="ngo",
            ngo_id=ngo,
            county_id=None,
            social_harm_id=harm_id(desk.uow, "طلاق"),
        ),
        "c": make_memo(
            desk, number="2", title="پ طرح", amount=200, signed_on=j(1403, 3, 1), state="completed"
        ),
    }
    # a: overdue by 1403 (ended 1402/08/01, 40%); b: 100% done
    pay.add_payment(desk.uow, pay.PaymentInput(ids["a"], j(1402, 5, 2), 1, 150))
    pr.add_progress(desk.uow, pr.ProgressInput(ids["a"], j(1402, 6, 1), 40))
    pr.add_progress(desk.uow, pr.ProgressInput(ids["b"], j(1403, 3, 1), 100))
    return ids


ALL = MemorandumFilter()


def _ids(desk, flt=ALL, sort="signed_on", descending=True):
    return [r.id for r in ms.list_memorandum_page(desk.uow, flt, sort, descending)]


def test_sorts(desk, listed, make_ngo):
    a, b, c = listed["a"], listed["b"], listed["c"]
    assert _ids(desk) == [c, b, a]
    assert _ids(desk, sort="signed_on", descending=False) == [a, b, c]
    assert _ids(desk, sort="number", descending=False) == [b, c, a]
    assert _ids(desk, sort="title", descending=False) == [b, a, c]  # آ ب پ
    assert _ids(desk, sort="amount", descending=True) == [a, c, b]
    order = [c.id for c in reference.list_counties(desk.uow)]
    qazvin_first = order.index(desk.counties["قزوین"]) < order.index(desk.counties["آبیک"])
    assert _ids(desk, sort="county", descending=False) == ([a, c, b] if qazvin_first else [b, a, c])
    province = make_memo(
        desk, party_kind="ngo", ngo_id=make_ngo(county=None, level="province"), county_id=None
    )
    assert _ids(desk, sort="county", descending=False)[0] == province  # «استان» first
    with pytest.raises(ValueError):
        _ids(desk, sort="colour")


def test_filters_and_search(desk, listed):
    a, b, c = listed["a"], listed["b"], listed["c"]
    today = j(1403, 6, 1)
    assert _ids(desk, MemorandumFilter(jalali_year=1403)) == [c, b]
    assert _ids(desk, MemorandumFilter(jalali_year=1402)) == [a]
    assert _ids(desk, MemorandumFilter(party_kind="ngo")) == [b]
    assert _ids(desk, MemorandumFilter(social_harm_id=harm_id(desk.uow, "طلاق"))) == [b]
    assert _ids(desk, MemorandumFilter(state="completed")) == [c]
    assert _ids(desk, MemorandumFilter(county_id=desk.counties["قزوین"])) == [c, a]
    assert _ids(desk, MemorandumFilter(overdue=True, today=today)) == [a]
    assert _ids(desk, MemorandumFilter(search="پ طرح")) == [c]
    assert _ids(desk, MemorandumFilter(search="۳")) == [a]
    assert ms.count_memoranda(desk.uow, MemorandumFilter(jalali_year=1403)) == 2


def test_list_rows_carry_paid_progress_and_overdue(desk, listed):
    rows = {r.id: r for r in ms.list_memorandum_page(desk.uow, MemorandumFilter(today=j(1403, 6, 1)))}
    a, b = rows[listed["a"]], rows[listed["b"]]
    assert (a.paid, a.remaining, a.latest_progress, a.overdue) == (150, 150, 40, True)
    assert (b.paid, b.remaining, b.latest_progress, b.overdue) == (0, 100, 100, False)
    assert b.county_name == "آبیک" and b.party_name == "انجمن یاوران"
    assert rows[listed["c"]].latest_progress is None and not rows[listed["c"]].overdue
    assert rows[listed["a"]].party_name == "فرمانداری قزوین"


def test_new_sorts_waiting_filter_and_social_harm(desk, listed):
    a, b, c = listed["a"], listed["b"], listed["c"]  # paid 150/0/0; progress 40/100/—; a ends first
    assert _ids(desk, sort="paid", descending=True)[0] == a
    assert _ids(desk, sort="progress", descending=True) == [b, a, c]
    assert _ids(desk, sort="progress", descending=False) == [c, a, b]
    assert _ids(desk, sort="ends_on", descending=False) == [a, b, c]
    assert _ids(desk, sort="state", descending=False) == [a, b, c]  # active (by end), then completed
    for key in ms.SORT_KEYS:
        assert sorted(_ids(desk, sort=key)) == sorted(listed.values())
    # a: a tranche paid, money left, 40% < 50%: its next tranche waits for progress
    assert _ids(desk, MemorandumFilter(waiting=True)) == [a]
    assert ms.count_memoranda(desk.uow, MemorandumFilter(waiting=True)) == 1
    rows = {r.id: r for r in ms.list_memorandum_page(desk.uow)}
    assert rows[b].social_harm_name == "طلاق"
    assert rows[a].social_harm_name == "اعتیاد (معتادان متجاهر)"  # memo_input's
    bare = make_memo(desk, social_harm_id=None)
    assert {r.id: r for r in ms.list_memorandum_page(desk.uow)}[bare].social_harm_name == ""


def test_memorandum_years(desk, uow_as, make_ngo):
    assert listing.memorandum_years(desk.uow) == []
    make_memo(desk, signed_on=j(1401, 12, 29))
    make_memo(desk, signed_on=j(1403, 1, 1))
    make_memo(desk, signed_on=j(1403, 12, 1))
    make_memo(desk, signed_on=j(1404, 1, 1), county_id=desk.counties["آبیک"])
    assert listing.memorandum_years(desk.uow) == [1401, 1403, 1404]
    assert listing.memorandum_years(uow_as("county", desk.counties["آبیک"])) == [1404]


@pytest.mark.sqlite_only  # SQLite's query plans and timings (the benchmark times PostgreSQL)
def test_first_page_at_ten_thousand_memoranda_is_quick(desk):
    """The list's first page walks the signing index and stops at the page's end; a row's paid and progress
    come from the payment and progress indexes: well under 20 ms at 10,000 memoranda, 50,000 payments."""
    county_ids = list(desk.counties.values())
    moment = utc_now()
    base = {"created_at": moment, "updated_at": moment, "row_version": 1}
    memos, payments, reports = [], [], []
    for n in range(10_000):
        mid = f"{n:032x}"
        signed = jalali.add_days(j(1400, 1, 1), n % 1500)
        memos.append(
            {
                **base,
                "id": mid,
                "county_id": county_ids[n % len(county_ids)],
                "number": f"M-{n}",
                "title": f"تفاهم‌نامه {n}",
                "title_sort": text.persian_sort_key(f"تفاهم‌نامه {n}"),
                "party_kind": "county",
                "ngo_id": None,
                "social_harm_id": None,
                "office_id": None,
                "amount": 1_000_000 + n,
                "signed_on": signed,
                "starts_on": signed,
                "duration_months": 3,
                "ends_on": jalali.add_months(signed, 3),
                "state": "active",
            }
        )
        for t in range(1, 6):
            payments.append(
                {
                    **base,
                    "id": f"{n:027x}{t:05x}",
                    "memorandum_id": mid,
                    "paid_on": signed,
                    "tranche_no": t,
                    "amount": 1_000,
                }
            )
        reports.append(
            {
                **base,
                "id": f"{n:027x}{9:05x}",
                "memorandum_id": mid,
                "reported_on": signed,
                "percent": n % 101,
                "note": "",
            }
        )
    with desk.uow.writing() as uow:
        conn = uow.s.connection()
        conn.execute(insert(Memorandum.__table__), memos)
        conn.execute(insert(Payment.__table__), payments)
        conn.execute(insert(ProgressReport.__table__), reports)
        uow.commit()
    with desk.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    first = ms.list_memorandum_page(desk.uow, limit=50)
    assert first[0].paid == 5_000 and first[0].latest_progress is not None
    best = min(_timed(lambda: ms.list_memorandum_page(desk.uow, limit=50)) for _ in range(5))
    assert best < 0.020, best
    # number and title walk their indexes; paid, progress, end date and state scan and sort (10,000 rows)
    for sort in ("number", "title", "paid", "progress", "ends_on", "state"):
        for descending in (False, True):
            best = min(
                _timed(
                    lambda s=sort, d=descending: ms.list_memorandum_page(
                        desk.uow, sort=s, descending=d, limit=50
                    )
                )
                for _ in range(3)
            )
            assert best < 0.020, (sort, best)
    [plan] = [p for sql, p in _explained(desk, lambda: ms.list_memorandum_page(desk.uow, limit=50))]
    assert "SCAN memorandum USING INDEX ix_memorandum_signed_county" in plan, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    # a row's paid and progress are its own derived columns: no payment or progress row is read
    assert "payment" not in plan and "progressreport" not in plan, plan


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
