"""The NGO list stays instant at 100,000 NGOs because every sort is an index walk: checked on the plans.

Each statement list_ngo_page runs is captured and explained; none may sort in a temporary b-tree or
read the ngo table start to end. (Timings live in tests/bench; plans do not depend on the machine.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ostandari_desk.services import events as event_service
from ostandari_desk.services import ngos
from ostandari_desk.services.ngos import NGO_SORT_KEYS, NgoFilter

TEMP_SORT = "USE TEMP B-TREE FOR ORDER BY"


@pytest.fixture
def explained(desk):
    """Run a call and return (sql, plan lines) for each SELECT it sent to the database."""

    def run(call):
        seen: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT") and not executemany:
                seen.append((" ".join(statement.split()), parameters))

        event.listen(desk.engine, "before_cursor_execute", capture)
        try:
            result = call()
        finally:
            event.remove(desk.engine, "before_cursor_execute", capture)
        plans = []
        with desk.engine.connect() as conn:
            for sql, params in seen:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                plans.append((sql, [r[3] for r in rows]))
        return result, plans

    return run


@pytest.fixture
def listed(desk, make_ngo):
    for n, county in enumerate(["قزوین", "آبیک", "البرز", None, "تاکستان"]):
        make_ngo(
            name=f"انجمن نمونه {n}",
            county=county,
            level="province" if county is None else "county",
            ceo_name=f"مدیر {n}",
        )
    return desk


def _walks_ngo_by_index(plan: list[str]) -> bool:
    ngo_lines = [p for p in plan if p.startswith(("SCAN ngo", "SEARCH ngo"))]
    return bool(ngo_lines) and all("INDEX" in p for p in ngo_lines)


def _page_plans(explained, listed, **kwargs):
    def call():
        with listed.uow:
            return ngos.list_ngo_page(listed.uow, NgoFilter(**kwargs.pop("flt", {})), **kwargs)

    rows, plans = explained(call)
    assert rows, "the page came back empty, so its plans prove nothing"
    return [(sql, plan) for sql, plan in plans if " FROM ngo" in sql]


@pytest.mark.sqlite_only  # SQLite's query plans
def test_default_list_walks_the_name_index(explained, listed):
    plans = _page_plans(explained, listed)
    first = plans[0][1]
    assert any("ix_ngo_name_sort" in p or "ix_ngo_sort_seq" in p for p in first), first
    for sql, plan in plans:
        assert TEMP_SORT not in plan, (sql, plan)
        assert _walks_ngo_by_index(plan), (sql, plan)


@pytest.mark.sqlite_only  # SQLite's query plans
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", NGO_SORT_KEYS)
def test_every_sort_is_an_index_walk(explained, listed, sort, descending):
    for offset in (0, 3):  # a later page skips whole groups by their counts, still without sorting
        plans = _page_plans(explained, listed, sort=sort, descending=descending, offset=offset)
        for sql, plan in plans:
            assert TEMP_SORT not in plan, (sort, sql, plan)
            if "count(" not in sql:
                assert _walks_ngo_by_index(plan), (sort, sql, plan)


def test_sort_keys_order_persian_letters_after_the_walk(listed, make_ngo):
    for ceo in ("ژاله", "چنگیز", "پرویز", "یاسر"):
        make_ngo(name=f"کانون {ceo}", ceo_name=ceo)
    with listed.uow:
        ceos = [r.ceo_name for r in ngos.list_ngo_page(listed.uow, NgoFilter(text="کانون"), sort="ceo")]
        names = [r.ceo_name for r in ngos.list_ngo_page(listed.uow, NgoFilter(), sort="ceo")]
    assert ceos == ["پرویز", "چنگیز", "ژاله", "یاسر"]
    assert names.index("پرویز") < names.index("مدیر 0") < names.index("یاسر")


@pytest.mark.sqlite_only  # SQLite's query plans
def test_broad_search_walks_the_name_seq_index(explained, listed):
    plans = _page_plans(explained, listed, flt={"text": "انجمن"})
    page = next(plan for sql, plan in plans if "ngo_fts" in sql and "ORDER BY" in sql)
    assert any("INDEX ix_ngo_sort_seq" in p for p in page), page  # the probe reads seq from the index
    assert TEMP_SORT not in page


def test_county_and_level_pages_follow_group_order(listed):
    with listed.uow:
        counties = [r.county_name for r in ngos.list_ngo_page(listed.uow, NgoFilter(), sort="county")]
        paged = [
            r.county_name
            for offset in range(5)
            for r in ngos.list_ngo_page(listed.uow, NgoFilter(), sort="county", offset=offset, limit=1)
        ]
        down = [
            r.county_name for r in ngos.list_ngo_page(listed.uow, NgoFilter(), sort="county", descending=True)
        ]
        levels = [r.level for r in ngos.list_ngo_page(listed.uow, NgoFilter(), sort="level", descending=True)]
    assert counties[0] == ngos.PROVINCE_LABEL
    assert paged == counties
    assert down == counties[::-1]
    assert levels == ["province", "county", "county", "county", "county"]


@pytest.mark.sqlite_only  # SQLite's query plans
def test_event_title_sort_walks_its_index(explained, desk):
    def call():
        with desk.uow:
            return event_service.list_event_page(desk.uow, sort="title", descending=False)

    _rows, plans = explained(call)
    page = next(plan for sql, plan in plans if "ORDER BY" in sql)
    assert any("ix_event_title_sort" in p for p in page), page
    assert TEMP_SORT not in page
