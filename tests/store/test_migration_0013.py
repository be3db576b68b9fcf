"""Revision 0013 on rows written before it: a memorandum's and a centre's search key is made with
``text.search_key``, so «موسسه» finds «مؤسسه» and «مردمنهاد» finds «مردم‌نهاد» in rows inserted at 0012, on
SQLite and PostgreSQL alike; its columns and indexes come and go with it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import column, insert, inspect, select, table

from ostandari_desk.domain import text
from ostandari_desk.services import setup
from ostandari_desk.services.audit import stamps
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.memoranda import listing
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.store import schema
from ostandari_desk.store.models import Centre, Memorandum, ReferenceItem, new_id

TITLE = "توانمندسازی مؤسسه‌های مردم\u200cنهاد"
NAME = "کمپ ترک اعتیاد هیئت امنا"
OPERATOR = "مؤسسه خیریه نور"
# table -> the indexes 0013 adds to it
INDEXES = {
    "memorandum": {"ix_memorandum_county_key"},
    "payment": {"ix_payment_memorandum_paid"},
    "inspection": {"ix_inspection_county_key"},
    "finding": {"ix_finding_inspection_key"},
    "correctiveaction": {"ix_correctiveaction_referral", "ix_correctiveaction_finding_done"},
}


def _columns(engine, name: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(name)}


def _indexes(engine) -> dict[str, set[str]]:
    found = inspect(engine)
    return {name: {i["name"] for i in found.get_indexes(name)} & added for name, added in INDEXES.items()}


def _as_at_0012(model) -> object:
    """``model``'s table as 0012 had it: without ``search_text`` (a core insert would fill it in)."""
    return table(
        model.__tablename__, *(column(c.name, c.type) for c in model.__table__.c if c.name != "search_text")
    )


@pytest.fixture
def at_0012(engine, uow):
    """A desk taken down to 0012, then a memorandum and a centre inserted as the code of 0012 stored them."""
    setup.initialize(uow, "قزوین", None)
    schema.migrate(engine, "0012", downgrade=True)
    memo_id, centre_id, day = new_id(), new_id(), date(2024, 5, 1)
    with engine.begin() as conn:
        category = conn.execute(
            select(ReferenceItem.id).where(ReferenceItem.kind == "centre_category").limit(1)
        ).scalar_one()
        conn.execute(
            insert(_as_at_0012(Memorandum)).values(
                **stamps(),
                id=memo_id,
                row_version=1,
                number="ت-۷",
                title=TITLE,
                title_sort=text.persian_sort_key(TITLE),
                party_kind="county",
                amount=1_000_000,
                signed_on=day,
                starts_on=day,
                duration_months=3,
                ends_on=date(2024, 8, 1),
                state="active",
                paid_total=0,
                latest_progress=0,
            )
        )
        conn.execute(
            insert(_as_at_0012(Centre)).values(
                **stamps(),
                id=centre_id,
                row_version=1,
                code="AB-9",
                category_id=category,
                name=NAME,
                name_sort=text.persian_sort_key(NAME),
                address="",
                operator=OPERATOR,
                licensing_agency="",
                licence_number="",
                phone="",
                active=True,
            )
        )
    return memo_id, centre_id


def test_rows_inserted_at_0012_are_found_after_0013(engine, uow, at_0012):
    assert schema.current_revision(engine) == "0012"
    assert "search_text" not in _columns(engine, "memorandum") | _columns(engine, "centre")
    assert _indexes(engine) == {name: set() for name in INDEXES}
    schema.migrate(engine, "0013")
    memo_id, centre_id = at_0012
    for typed in ("موسسه", "مؤسسه", "مردمنهاد", "مردم\u200cنهاد", "ت-7 نهاد"):
        found = listing.list_memorandum_page(uow, listing.MemorandumFilter(search=typed))
        assert [r.id for r in found] == [memo_id], typed
    for typed in ("موسسه نور", "هيئت", "ab-9", "کمپ"):
        assert [r.id for r in cs.list_centre_page(uow, cs.CentreFilter(search=typed))] == [centre_id], typed
    with engine.connect() as conn:
        memo = conn.execute(select(Memorandum.number, Memorandum.title, Memorandum.search_text)).one()
        centre = conn.execute(select(Centre.name, Centre.operator, Centre.search_text)).one()
    assert (memo.title, centre.name, centre.operator) == (TITLE, NAME, OPERATOR)  # the text itself untouched
    assert memo.search_text == ms.search_text_of(memo.number, TITLE)
    assert centre.search_text == cs.search_text_of("AB-9", NAME, OPERATOR)
    assert _indexes(engine) == INDEXES


def test_0013_down_drops_its_columns_and_indexes(engine, at_0012):
    schema.migrate(engine, "0013")
    schema.migrate(engine, "0012", downgrade=True)
    assert "search_text" not in _columns(engine, "memorandum") | _columns(engine, "centre")
    assert _indexes(engine) == {name: set() for name in INDEXES}
    with engine.connect() as conn:  # the rows themselves stay
        assert conn.execute(select(Memorandum.__table__.c.title)).scalar_one() == TITLE
        assert conn.execute(select(Centre.__table__.c.operator)).scalar_one() == OPERATOR
