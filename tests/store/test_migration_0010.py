"""Revision 0010 on a database made by the old rules: the search text and sort keys are made again (hamza
folded, half-spaces joined; آ before ا), the search finds by them on SQLite and PostgreSQL alike, a case whose
inquiries are all answered moves on, and SQLite's indexes, triggers and full-text table come back as they were."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest
from sqlalchemy import text as sql

from ostandari_desk.domain import text
from ostandari_desk.services import events, licences, ngos, reference, setup
from ostandari_desk.services.inspections import centres
from ostandari_desk.store import schema
from ostandari_desk.store.schema import MIGRATIONS

NAMES = ("مؤسسه خیریه آوا", "انجمن مردم\u200cنهاد نور", "آرمان جوانان", "اختر امید", "مسئولان فردا")
SORT_KEYS = (("ngo", "name", "name_sort"), ("ngo", "ceo_name", "ceo_sort"), ("event", "title", "title_sort"))


def _old_search_text(name: str, national_id: str, registration_no: str, ceo: str) -> str:
    """What services.ngos stored before 0010: each part normalized, hamza and half-space as they were."""
    return " ".join(p for p in (text.normalize(x) for x in (name, national_id, registration_no, ceo)) if p)


@pytest.fixture
def old_desk(engine, uow):
    """A desk at 0010 with NGOs, an event, a centre and an answered case, taken down to 0009 and given the
    keys the old rules made."""
    setup.initialize(uow, "قزوین", None)
    county = {c.name: c.id for c in reference.list_counties(uow)}["آبیک"]
    ids = []
    for n, name in enumerate(NAMES):
        data = ngos.NgoInput(
            national_id=_legal_id(n),
            name=name,
            county_id=county,
            level="county",
            ceo_name="رئیس هیئت\u200cمدیره",
        )
        ids.append(ngos.create_ngo(uow, data, []))
    events.create_event(
        uow,
        events.EventInput(kind="course", title="تئاتر کودک", starts_on=date(2024, 5, 1), county_id=county),
    )
    category = reference.item_id_by_name(uow, "centre_category", "کشتارگاه")
    centres.create_centre(
        uow, centres.CentreInput(code="AB-9", name="آسیاب آبیک", category_id=category, county_id=county)
    )
    case_id = licences.open_case(uow, ids[0], "establishment", date(2024, 5, 1))
    licences.check_documents(uow, case_id, date(2024, 5, 2))
    for inquiry_id in licences.send_inquiries(uow, case_id, date(2024, 5, 3)):
        licences.answer_inquiry(uow, inquiry_id, date(2024, 5, 9), "favourable")
    assert licences.get_case(uow, case_id).state == "inquiries_answered"

    schema.migrate(engine, "0010", downgrade=True)  # from a later head, if any, to 0010 itself
    before = _schema(engine)
    schema.migrate(engine, "0009", downgrade=True)
    assert licences.get_case(uow, case_id).state == "inquiring"  # as the old code left it
    with engine.begin() as conn:
        for table, source, target in (
            *SORT_KEYS,
            ("memorandum", "title", "title_sort"),
            ("centre", "name", "name_sort"),
        ):
            conn.execute(sql(f"UPDATE {table} SET {target} = 'old:' || {source}"))
        rows = conn.execute(sql("SELECT id, name, national_id, registration_no, ceo_name FROM ngo")).all()
        for row_id, *parts in rows:
            conn.execute(
                sql("UPDATE ngo SET search_text = :s WHERE id = :id"),
                {"s": _old_search_text(*parts), "id": row_id},
            )
    return {"ids": ids, "case_id": case_id, "before": before}


def _legal_id(n: int) -> str:
    from ostandari_desk.domain.ids import make_legal_national_id

    return make_legal_national_id(str(1_077_000_000 + n))


def _schema(engine) -> set[tuple[str, str]]:
    """SQLite: every index, trigger and table statement (the full-text table's included); else nothing."""
    if engine.dialect.name != "sqlite":
        return set()
    with engine.connect() as conn:
        return set(conn.execute(sql("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")).all())


def test_the_old_rules_search_misses_what_0010_finds(engine, uow, old_desk):
    found_before = ngos.count_ngos(uow, ngos.NgoFilter(text="موسسه"))
    assert found_before == 0  # «موسسه» did not find «مؤسسه»…
    schema.migrate(engine, "0010")
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="موسسه")) == 1  # …and now does
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="مردمنهاد")) == 1  # the half-space left out
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="مسیولان")) == 1  # ئ typed as ی
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="رییس")) == len(NAMES)  # the CEO's name too


def test_a_name_typed_with_its_hamza_or_half_space_finds_it(engine, uow, old_desk):
    """The query is folded as the stored text is (text.search_key): needs the adapters' ``ngo_match`` to
    fold the typed words with ``text.search_key`` instead of ``text.normalize``."""
    schema.migrate(engine, "0010")
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="مؤسسه")) == 1
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="مردم\u200cنهاد")) == 1
    assert ngos.count_ngos(uow, ngos.NgoFilter(text="مسئولان")) == 1


def test_0010_makes_every_key_with_the_new_rules(engine, uow, old_desk):
    schema.migrate(engine, "0010")
    with engine.connect() as conn:
        for table, source, target in (*SORT_KEYS, ("centre", "name", "name_sort")):
            rows = conn.execute(sql(f"SELECT {source}, {target} FROM {table}")).all()
            assert rows and all(key == text.persian_sort_key(value) for value, key in rows), table
        rows = conn.execute(
            sql("SELECT name, national_id, registration_no, ceo_name, search_text FROM ngo")
        ).all()
        assert all(stored == text.search_text(*parts) for *parts, stored in rows)
        state = conn.execute(sql("SELECT state FROM licencecase WHERE id = :id"), {"id": old_desk["case_id"]})
        assert state.scalar() == "inquiries_answered"
        names = [r[0] for r in conn.execute(sql("SELECT name FROM ngo ORDER BY name_sort")).all()]
    assert names.index("آرمان جوانان") < names.index("اختر امید")  # آ before ا
    assert _schema(engine) == old_desk["before"]  # SQLite: indexes, triggers and ngo_fts as they were


def test_0010_leaves_the_full_text_index_whole(engine, uow, old_desk):
    schema.migrate(engine, "0010")
    with engine.connect() as conn:
        health = uow.db.search_index_health(conn)
    assert health.missing_parts == () and not health.damaged
    assert (health.missing_rows, health.stray_rows) == (0, 0)


def test_the_migrations_word_by_word_keys_are_the_domains_own():
    """The migration's word-by-word keys equal the domain's own on the words of every name part."""
    spec = importlib.util.spec_from_file_location(
        "m0010", MIGRATIONS / "versions" / "0010_search_keys_and_sort_order.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in (*NAMES, "  خانهٔ   امید  ", "", "NGO ۱۲ «نور»"):
        assert module._sort_key(name) == text.persian_sort_key(name)
        assert module._ngo_search_text(name, "10", "", "رئیس") == text.search_text(name, "10", "", "رئیس")
