"""What travels in an exchange file: the tables and their order, the fields, values as JSON, the digest, the
derived columns (recomputed exactly as the services compute them), unique keys and the per-record decision."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ostandari_desk.errors import ValidationError
from ostandari_desk.services.exchange import imports, tables
from ostandari_desk.services.exchange.imports import (
    CONFLICT,
    DELETE,
    GONE,
    INSERT,
    SAME,
    UNCHANGED,
    UPDATE,
    Incoming,
    decide,
    unique_keys,
)
from ostandari_desk.services.exchange.tables import BY_NAME, EXCHANGED, digest
from ostandari_desk.store.models import SQLModel


def test_every_table_is_exchanged_bundled_or_kept_home_on_purpose():
    names = {spec.name for spec in EXCHANGED}
    assert names | tables.LINK_TABLES | tables.NOT_EXCHANGED >= set(SQLModel.metadata.tables)
    assert not names & (tables.LINK_TABLES | tables.NOT_EXCHANGED)
    assert {"ngo", "boardmember", "licence", "inspection", "letterattachment", "checklistitem"} <= names
    assert {s.name for s in EXCHANGED if s.reference} == set(tables.REFERENCE_TABLES)


def test_parents_come_before_children_and_the_self_references_are_known():
    order = {spec.name: n for n, spec in enumerate(EXCHANGED)}
    for spec in EXCHANGED:
        for column, target in spec.references:
            if target != spec.name:
                assert order[target] < order[spec.name], (spec.name, column, target)
    assert {s.name: s.self_ref for s in EXCHANGED if s.self_ref} == {
        "licence": "renewed_from_id",
        "inspection": "reinspection_of_id",
    }
    assert [link.key for link in BY_NAME["ngo"].links] == ["fields"]
    assert [link.key for link in BY_NAME["event"].links] == ["ngos"]


def test_local_and_derived_columns_never_travel_and_bookkeeping_is_not_compared():
    for spec in EXCHANGED:
        for column in spec.fields:
            assert column not in {"id", "row_version", "seq", "search_text", "paid_total", "latest_progress"}
            assert not column.endswith(("_key", "_sort")) and column != "stored_path"
        assert "created_at" in spec.columns and "created_at" not in spec.compared
        assert "updated_at" not in spec.compared
    assert BY_NAME["ngo"].derived == ("seq", "name_key", "name_sort", "ceo_sort", "search_text")
    assert set(BY_NAME["memorandum"].derived) == {
        "title_sort",
        "search_text",
        "paid_total",
        "latest_progress",
    }
    assert set(BY_NAME["centre"].derived) == {"name_sort", "search_text"}
    assert BY_NAME["letterattachment"].attachment and BY_NAME["letterattachment"].derived == ("stored_path",)


def _stored(uow, table: str, record_id: str) -> dict:
    spec = BY_NAME[table]
    with uow:
        return dict(
            uow.s.connection()
            .execute(select(spec.table).where(spec.table.c.id == record_id))
            .mappings()
            .one()
        )


def test_derived_columns_are_recomputed_exactly_as_the_services_store_them(desk, make_ngo):
    """Every derived column a service fills (names written with Arabic letters, ZWNJ and digits) comes out the
    same from ``derive``; none is left out."""
    from ostandari_desk.services import reference
    from ostandari_desk.services.events import EventInput, create_event
    from ostandari_desk.services.inspections.centres import CentreInput, create_centre
    from ostandari_desk.services.letters import LetterInput, create_letter
    from ostandari_desk.services.memoranda.memoranda import MemorandumInput, create_memorandum
    from ostandari_desk.services.memoranda.offices import OfficeInput, create_office

    uow, county = desk.uow, desk.counties["قزوین"]
    made = {
        "ngo": make_ngo(name="انجمن حمايت از كودكان‌ كار ۱۲", ceo_name="علي كريمي", registration_no="۱۲۳الف"),
        "county": reference.add_county(uow, "شهرستان تازه‌ساز"),
        "referenceitem": reference.add_item(uow, "field", "گردشگري پايدار"),
        "event": create_event(
            uow, EventInput("session", "نشست  هم‌انديشي ۲", date(2024, 5, 1), county_id=county)
        ),
        "letter": create_letter(
            uow,
            LetterInput(
                "incoming", "۴۵/ب", date(2024, 5, 1), "فرمانداري", "درخواست كمك", "other", None, None, county
            ),
        ),
        "centre": create_centre(
            uow,
            CentreInput(
                code="QZ-7",
                name="كمپ ترك اعتياد اميد",
                category_id=_category(desk),
                county_id=county,
                operator="مؤسسه نيكوكاري",
            ),
        ),
        "facilitationoffice": create_office(uow, OfficeInput(name="دفتر محله‌ي  كوثر", county_id=county)),
    }
    harm = reference.item_id_by_name(uow, "social_harm", "طلاق")
    made["memorandum"] = create_memorandum(
        uow,
        MemorandumInput(
            number="ت-۹",
            title="كاهش طلاق",
            party_kind="county",
            county_id=county,
            social_harm_id=harm,
            amount=3_000_000_000,
            signed_on=date(2024, 5, 1),
        ),
        today=date(2024, 5, 2),
    )
    for table, record_id in made.items():
        spec = BY_NAME[table]
        row = _stored(uow, table, record_id)
        recomputed = tables.derive(spec, row)
        assert set(recomputed) == set(spec.derived) - tables.WRITTEN_ELSEWHERE, table
        assert recomputed == {k: row[k] for k in recomputed}, table


def _category(desk) -> str:
    from ostandari_desk.services import reference

    found = reference.item_id_by_name(desk.uow, "centre_category", "کمپ ترک اعتیاد")
    assert found
    return found


def _ngo_d(**changes) -> dict:
    d = {name: "" for name in BY_NAME["ngo"].columns}
    d.update(
        created_at="2024-05-01T08:00:00+00:00",
        updated_at="2024-05-01T08:00:00+00:00",
        county_id="a" * 32,
        national_id="10100000001",
        name="انجمن نمونه",
        level="county",
        founded_on=None,
        registered_on="2020-01-02",
        status="active",
        licence_state="none",
        fields=["b" * 32, "c" * 32],
    )
    d.update(changes)
    return d


def test_the_digest_covers_the_compared_fields_in_any_order_and_not_the_times():
    d = _ngo_d()
    base = digest("ngo", d)
    assert len(base) == 64
    assert digest("ngo", dict(reversed(list(d.items())))) == base
    assert (
        digest("ngo", _ngo_d(updated_at="2025-01-01T00:00:00+00:00", created_at="2000-01-01T00:00:00+00:00"))
        == base
    )
    assert digest("ngo", _ngo_d(name="انجمن نمونه ")) != base
    assert digest("ngo", _ngo_d(fields=["b" * 32])) != base  # the bundled links count
    assert digest("ngo", _ngo_d(founded_on="2020-01-01")) != base


def test_values_are_decoded_and_put_back_in_canonical_json():
    spec = BY_NAME["inspection"]
    row = {name: None for name in spec.columns}
    row.update(
        created_at=datetime(2024, 5, 1, 8, 0, 0, 123456, tzinfo=UTC),
        updated_at=datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        county_id="a" * 32,
        centre_id="b" * 32,
        category_id="c" * 32,
        inspected_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        inspected_on=date(2024, 5, 1),
        jalali_year=1403,
        jalali_month=2,
        announced=False,
        inspectors="بازرس",
        answers="{}",
        result="good",
        computed_result="",
        override_reason="",
        notes="",
        state="closed",
    )
    d = tables.encode_row(spec, row)
    assert d["created_at"] == "2024-05-01T08:00:00.123456+00:00" and d["inspected_on"] == "2024-05-01"
    values, links, canonical = tables.decode_fields(spec, d, "r" * 32)
    assert values == row and links == {} and canonical == d
    # the same moment written in another time zone is the same value, in UTC
    shifted = dict(d, inspected_at="2024-05-01T13:00:00+03:30")
    assert tables.decode_fields(spec, shifted, "r" * 32)[2]["inspected_at"] == "2024-05-01T09:30:00+00:00"
    money = tables.decode_fields(
        BY_NAME["payment"],
        {
            "created_at": "2024-05-01T08:00:00+00:00",
            "updated_at": "2024-05-01T08:00:00+00:00",
            "memorandum_id": "m" * 32,
            "paid_on": "2024-05-01",
            "tranche_no": 1,
            "amount": 9_000_000_000,
        },
        "p" * 32,
    )[0]
    assert money["amount"] == 9_000_000_000


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"announced": 1}, "announced", "درست/نادرست"),
        ({"jalali_year": "1403"}, "jalali_year", "عدد صحیح"),
        ({"jalali_year": True}, "jalali_year", "عدد صحیح"),
        ({"inspected_on": "1403-02-12x"}, "inspected_on", "تاریخ"),
        ({"inspected_at": "2024-05-01T09:30:00"}, "inspected_at", "منطقه زمانی"),
        ({"centre_id": None}, "centre_id", "خالی"),
        ({"notes": 5}, "notes", "متن"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_record_and_field(change, field, why):
    spec = BY_NAME["inspection"]
    d = {name: "" for name in spec.columns}
    d.update(
        created_at="2024-05-01T08:00:00+00:00",
        updated_at="2024-05-01T08:00:00+00:00",
        county_id="a" * 32,
        centre_id="b" * 32,
        category_id="c" * 32,
        inspected_at="2024-05-01T09:30:00+00:00",
        inspected_on="2024-05-01",
        jalali_year=1403,
        jalali_month=2,
        announced=False,
        template_id=None,
        score=None,
        correction_deadline=None,
        reinspection_of_id=None,
    )
    tables.decode_fields(spec, d, "r" * 32)  # sound as it is
    with pytest.raises(ValidationError, match=why) as refused:
        tables.decode_fields(spec, {**d, **change}, "r" * 32)
    assert refused.value.field == field and refused.value.record == "r" * 32
    assert "بازدید" in refused.value.message


def test_a_record_with_missing_or_unknown_fields_is_refused():
    d = _ngo_d()
    with pytest.raises(ValidationError, match="بخش‌های رکورد") as refused:
        tables.decode_fields(BY_NAME["ngo"], {k: v for k, v in d.items() if k != "phone"}, "r" * 32)
    assert refused.value.field == "phone"
    with pytest.raises(ValidationError, match="بخش‌های رکورد"):
        tables.decode_fields(BY_NAME["ngo"], {**d, "seq": 7}, "r" * 32)
    with pytest.raises(ValidationError, match="شناسه"):
        tables.decode_fields(BY_NAME["ngo"], {**d, "fields": ["not an id"]}, "r" * 32)


def test_the_unique_keys_come_from_the_schema_with_the_letter_series():
    assert unique_keys(BY_NAME["ngo"]) == [(("national_id",), None)]
    assert sorted(unique_keys(BY_NAME["letter"])) == [
        (("county_id", "direction", "jalali_year", "number"), ("county_id", False)),
        (("direction", "jalali_year", "number"), ("county_id", True)),
    ]
    assert unique_keys(BY_NAME["centre"]) == [(("code",), None)]
    assert unique_keys(BY_NAME["memorandum"]) == [(("number",), None)]
    assert unique_keys(BY_NAME["facilitationoffice"]) == [(("county_id", "name_key"), None)]
    assert unique_keys(BY_NAME["payment"]) == [(("memorandum_id", "tranche_no"), None)]


def _rec(i: str | None, local: str | None, s: str | None, b: str | None) -> Incoming:
    rec = Incoming(BY_NAME["ngo"], "r" * 32, 1, b, i is None, digest=i)
    rec.local_digest, rec.state = local, s
    return rec


@pytest.mark.parametrize(
    ("i", "local", "s", "b", "force", "action"),
    [
        ("I", "I", "S", "X", False, SAME),  # both desks hold the same
        ("I", None, None, None, False, INSERT),  # new here
        ("I", "L", "L", "X", False, UPDATE),  # unchanged here since the sender last held it
        ("I", "L", "S", "L", False, UPDATE),  # the sender built on what this desk holds
        ("I", "L", "S", "B", False, CONFLICT),  # changed on both desks
        ("S", "L", "S", "B", False, UNCHANGED),  # nothing new from the sender: ours goes back
        ("I", None, "S", "B", False, CONFLICT),  # deleted here, changed there
        ("S", None, "S", "B", False, UNCHANGED),  # deleted here, unchanged there: our deletion goes back
        ("I", None, "S", imports.ABSENT, False, INSERT),  # the sender knows we deleted it and keeps its own
        ("I", "L", "S", "B", True, UPDATE),  # the province's reference lists at a county desk
        (None, None, "S", "B", False, GONE),  # deleted on both desks
        (None, "L", "L", "B", False, DELETE),
        (None, "L", "S", "L", False, DELETE),
        (None, "L", "S", "B", False, CONFLICT),  # deleted there, changed here
        (None, "L", "S", "B", True, DELETE),
    ],
)
def test_what_becomes_of_an_incoming_record(i, local, s, b, force, action):
    assert decide(_rec(i, local, s, b), force) == action
