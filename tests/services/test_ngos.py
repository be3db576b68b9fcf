"""NGO register: validation, create/edit/deactivate, concurrency, search, Persian sort, filters, paging."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from ostandari_desk.domain.ids import make_legal_national_id, make_national_code
from ostandari_desk.errors import ConcurrentEditError, DuplicateError, ValidationError
from ostandari_desk.services import ngos
from ostandari_desk.services.audit import history_of
from ostandari_desk.services.ngos import BoardMemberInput, NgoFilter, NgoInput
from ostandari_desk.store.models import AuditEntry

from .conftest import next_national_id

CEO_CODE = make_national_code("001234567")
MEMBER_CODE = make_national_code("002345678")


def _input(desk, **overrides) -> NgoInput:
    values = {
        "national_id": next_national_id(),
        "name": "انجمن حمایت از کودکان",
        "county_id": desk.counties["البرز"],
        "level": "county",
    }
    values.update(overrides)
    return NgoInput(**values)


def test_create_and_read_back(desk):
    uow = desk.uow
    data = _input(
        desk,
        name="  سازمان مردم‌نهاد  ياوران سلامت ",
        registration_no="۱۲۳۴",
        registered_on=date(2020, 5, 1),
        founded_on=date(2019, 1, 1),
        ceo_name="علي رضايي",
        ceo_national_code=CEO_CODE,
        phone="۰۲۸-۳۳۳۳۴۴۴۴",
        field_ids=(desk.fields["سلامت"], desk.fields["محیط زیست"]),
    )
    board = [
        BoardMemberInput("مریم احمدی", MEMBER_CODE, "chair", expertise="پزشک"),
        BoardMemberInput("علی رضایی", CEO_CODE, "ceo"),
    ]
    ngo_id = ngos.create_ngo(uow, data, board)
    detail = ngos.get_ngo(uow, ngo_id)
    assert detail.name == "سازمان مردم‌نهاد یاوران سلامت"
    assert detail.registration_no == "1234"
    assert detail.phone == "028-33334444"
    assert detail.ceo_name == "علی رضایی"
    assert detail.county_name == "البرز"
    assert detail.level_label == "شهرستانی"
    assert detail.status == "active" and detail.licence_state == "none"
    assert set(detail.field_names) == {"سلامت", "محیط زیست"}
    assert [m.role for m in detail.board] == ["ceo", "chair"]
    assert detail.board[1].role_label == "رئیس هیئت مدیره"
    assert detail.licence is None and detail.row_version == 1
    assert detail.to_input().field_ids == detail.field_ids
    with uow:
        entries = uow.s.exec(select(AuditEntry).where(AuditEntry.record_id == ngo_id)).all()
        assert [(e.action, e.username) for e in entries] == [("insert", uow.actor.username)]
        children = uow.s.exec(select(AuditEntry).where(AuditEntry.owner_id == ngo_id)).all()
        assert sorted(e.table_name for e in children) == ["boardmember"] * 2 + ["ngofield"] * 2


def test_province_ngo_has_no_county(desk, make_ngo):
    ngo_id = make_ngo(county=None, level="province")
    assert ngos.get_ngo(desk.uow, ngo_id).county_name == "استان"
    with pytest.raises(ValidationError) as err:
        ngos.validate_ngo(desk.uow, _input(desk, county_id=None, level="county"))
    assert err.value.field == "county_id"


def test_duplicate_national_id_is_rejected(desk):
    data = _input(desk)
    ngos.create_ngo(desk.uow, data, [])
    with pytest.raises(DuplicateError, match="پیش‌تر") as err:
        ngos.create_ngo(desk.uow, _input(desk, national_id=data.national_id, name="نام دیگر"), [])
    assert err.value.field == "national_id"


def test_near_duplicate_name_in_the_same_county_is_a_warning(desk):
    ngos.create_ngo(desk.uow, _input(desk, name="انجمن حمایت از کودکان"), [])
    warnings = ngos.validate_ngo(desk.uow, _input(desk, name="انجمن  حمايت از كودكان"))
    assert len(warnings) == 1 and "انجمن حمایت از کودکان" in warnings[0]
    # no space vs ZWNJ vs space: still similar
    assert ngos.validate_ngo(desk.uow, _input(desk, name="انجمن حمایت‌از کودکان"))
    # another county: no warning
    assert ngos.validate_ngo(desk.uow, _input(desk, county_id=desk.counties["آبیک"])) == []
    # a warning does not stop saving
    ngos.create_ngo(desk.uow, _input(desk, name="انجمن  حمايت از كودكان"), [])


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"national_id": "10100000001"}, "national_id", "رقم کنترل"),
        ({"national_id": "123"}, "national_id", "۱۱ رقم"),
        ({"name": "  "}, "name", "نام سازمان"),
        ({"level": ""}, "level", "سطح"),
        ({"ceo_name": "علی", "ceo_national_code": "0012345670"}, "ceo_national_code", "کد ملی مدیرعامل"),
        ({"registered_on": date(2090, 1, 1)}, "registered_on", "تاریخ ثبت"),
        ({"field_ids": ("nope",)}, "field_ids", "حوزه"),
    ],
)
def test_invalid_values_name_the_field(desk, overrides, field, fragment):
    if overrides.get("ceo_national_code"):
        assert overrides["ceo_national_code"] != CEO_CODE
    with pytest.raises(ValidationError) as err:
        ngos.validate_ngo(desk.uow, _input(desk, **overrides))
    assert err.value.field == field
    assert fragment in err.value.message


def test_bad_board_member_code_names_the_member(desk):
    board = [BoardMemberInput("زهرا کریمی", "1234567890")]
    with pytest.raises(ValidationError, match="کد ملی عضو هیئت مدیره «زهرا کریمی» معتبر نیست"):
        ngos.create_ngo(desk.uow, _input(desk), board)
    assert ngos.count_ngos(desk.uow, NgoFilter()) == 0


def test_edit_replaces_board_and_fields_and_checks_the_version(desk, make_ngo):
    uow = desk.uow
    ngo_id = make_ngo(field_ids=(desk.fields["ورزشی"],), board=[BoardMemberInput("مریم احمدی", MEMBER_CODE)])
    before = ngos.get_ngo(uow, ngo_id)
    edited = NgoInput(
        **{**before.to_input().__dict__, "name": "کانون ورزشی جوانان", "field_ids": (desk.fields["جوانان"],)}
    )
    ngos.update_ngo(uow, ngo_id, edited, [BoardMemberInput("علی رضایی", CEO_CODE, "ceo")], before.row_version)
    after = ngos.get_ngo(uow, ngo_id)
    assert after.name == "کانون ورزشی جوانان"
    assert after.field_names == ("جوانان",)
    assert [m.full_name for m in after.board] == ["علی رضایی"]
    assert after.row_version == before.row_version + 1
    assert after.updated_at >= before.updated_at
    # a second window still holding the old version
    with pytest.raises(ConcurrentEditError):
        ngos.update_ngo(uow, ngo_id, before.to_input(), [], before.row_version)
    assert ngos.get_ngo(uow, ngo_id).name == "کانون ورزشی جوانان"
    with pytest.raises(ConcurrentEditError):
        ngos.set_ngo_active(uow, ngo_id, False, expected_version=before.row_version)


def test_deactivate_and_reactivate(desk, make_ngo):
    uow = desk.uow
    ngo_id = make_ngo()
    ngos.set_ngo_active(uow, ngo_id, False)
    assert ngos.get_ngo(uow, ngo_id).status == "inactive"
    assert ngos.count_ngos(uow, NgoFilter(status="active")) == 0
    assert ngos.count_ngos(uow, NgoFilter(status="inactive")) == 1
    ngos.set_ngo_active(uow, ngo_id, True)
    detail = ngos.get_ngo(uow, ngo_id)
    assert detail.status == "active" and detail.row_version == 3
    status = [(line.action, line.field, line.before, line.after) for line in history_of(uow, ngo_id)]
    assert status[:2] == [
        ("update", "status", "inactive", "active"),
        ("update", "status", "active", "inactive"),
    ]
    assert status[-1][0] == "insert"


def _names(uow, flt, **kw):
    return [r.name for r in ngos.list_ngo_page(uow, flt, **kw)]


def test_search_is_normalized_and_prefix_matched(desk, make_ngo):
    uow = desk.uow
    make_ngo(
        name="سازمان مردم‌نهاد امید", national_id=make_legal_national_id("1234567890"), registration_no="555"
    )
    make_ngo(name="خیریه علی بن ابیطالب", registration_no="12399")
    make_ngo(name="انجمن کتابخوانی", ceo_name="زینب کاظمی")
    search = lambda q: sorted(_names(uow, NgoFilter(text=q)))
    assert search("مردم نهاد") == ["سازمان مردم‌نهاد امید"]
    assert search("مردم‌نهاد") == ["سازمان مردم‌نهاد امید"]
    assert search("علي") == ["خیریه علی بن ابیطالب"]
    assert search("۱۲۳") == ["خیریه علی بن ابیطالب", "سازمان مردم‌نهاد امید"]
    assert search("كاظمي") == ["انجمن کتابخوانی"]
    assert search("کتاب") == ["انجمن کتابخوانی"]
    assert search("انجمن امید") == []
    assert search('"') == [] and ngos.count_ngos(uow, NgoFilter(text="-")) == 0
    assert ngos.count_ngos(uow, NgoFilter(text="مردم نهاد")) == 1


def test_search_follows_edits(desk, make_ngo):
    uow = desk.uow
    ngo_id = make_ngo(name="انجمن قدیم")
    detail = ngos.get_ngo(uow, ngo_id)
    ngos.update_ngo(uow, ngo_id, NgoInput(**{**detail.to_input().__dict__, "name": "انجمن جدید"}), [], 1)
    assert _names(uow, NgoFilter(text="قدیم")) == []
    assert _names(uow, NgoFilter(text="جدید")) == ["انجمن جدید"]


def test_sort_by_name_is_persian_alphabetical(desk, make_ngo):
    names = [
        "گلستان",
        "کوثر",
        "ژاله",
        "زیبا",
        "چمران",
        "جهاد",
        "پویا",
        "بهار",
        "یاس",
        "وحدت",
        "آوا",
        "اميد",
        "ابر",
    ]
    for name in names:
        make_ngo(name=name)
    expected = [
        "آوا",  # آ before ا: Persian dictionary order (ICU's fa)
        "ابر",
        "امید",
        "بهار",
        "پویا",
        "جهاد",
        "چمران",
        "زیبا",
        "ژاله",
        "کوثر",
        "گلستان",
        "وحدت",
        "یاس",
    ]
    assert _names(desk.uow, NgoFilter()) == expected
    assert _names(desk.uow, NgoFilter(), descending=True) == expected[::-1]


def test_other_sorts(desk, make_ngo):
    make_ngo(name="بید", county="آبیک", level="county", ceo_name="پرویز")
    make_ngo(name="الف", county=None, level="province", ceo_name="بابک")
    make_ngo(name="جام", county="قزوین", level="county", ceo_name="چنگیز")
    uow = desk.uow
    assert _names(uow, NgoFilter(), sort="county") == ["الف", "جام", "بید"]  # province first, then CSV order
    assert _names(uow, NgoFilter(), sort="level") == ["بید", "جام", "الف"]
    assert _names(uow, NgoFilter(), sort="ceo") == ["الف", "بید", "جام"]
    for key in ngos.NGO_SORT_KEYS:
        assert len(ngos.list_ngo_page(uow, NgoFilter(), sort=key)) == 3
    with pytest.raises(KeyError):
        ngos.list_ngo_page(uow, NgoFilter(), sort="colour")


def test_filters(desk, make_ngo):
    uow = desk.uow
    a = make_ngo(name="الف", county="آبیک", field_ids=(desk.fields["ورزشی"],))
    make_ngo(name="بید", county="آبیک", level="province")
    make_ngo(name="جام", county=None, level="national")
    assert _names(uow, NgoFilter(county_id=desk.counties["آبیک"])) == ["الف", "بید"]
    assert _names(uow, NgoFilter(county_id=ngos.PROVINCE_ONLY)) == ["جام"]
    assert _names(uow, NgoFilter(level="province")) == ["بید"]
    assert _names(uow, NgoFilter(field_id=desk.fields["ورزشی"])) == ["الف"]
    assert _names(uow, NgoFilter(licence_state="none")) == ["الف", "بید", "جام"]
    assert _names(uow, NgoFilter(licence_state="valid")) == []
    assert ngos.count_ngos(uow, NgoFilter(county_id=desk.counties["آبیک"], level="county")) == 1
    row = ngos.list_ngo_page(uow, NgoFilter(text="الف"))[0]
    assert row.id == a and row.county_name == "آبیک" and row.level == "county"


def test_paging(desk, make_ngo):
    for i in range(25):
        make_ngo(name=f"انجمن {i:02d}")
    uow = desk.uow
    pages = [_names(uow, NgoFilter(), offset=o, limit=10) for o in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [name for page in pages for name in page] == [f"انجمن {i:02d}" for i in range(25)]
    assert ngos.count_ngos(uow, NgoFilter()) == 25


def test_prepare_values_for_bulk_insert(desk):
    data = _input(desk, name="انجمن  ياوران", ceo_name="علي")
    values = ngos.prepare_ngo_values(data, seq=ngos.next_seq(desk.uow))
    assert values["seq"] == 1
    assert values["name"] == "انجمن یاوران"
    assert values["name_key"] == "انجمن یاوران"
    assert values["search_text"].startswith("انجمن یاوران " + data.national_id)
    with pytest.raises(ValidationError):
        ngos.prepare_ngo_values(_input(desk, national_id="1"), seq=2)


def test_an_edit_writes_each_changed_field_and_the_board_changes_on_the_ngos_history(desk, make_ngo):
    uow = desk.uow
    board = [
        BoardMemberInput("مریم احمدی", MEMBER_CODE, "chair"),
        BoardMemberInput("علی رضایی", CEO_CODE, "ceo"),
    ]
    ngo_id = make_ngo(name="انجمن قدیم", phone="", field_ids=(desk.fields["ورزشی"],), board=board)
    before = ngos.get_ngo(uow, ngo_id)
    created = len(history_of(uow, ngo_id))
    edited = NgoInput(
        **{
            **before.to_input().__dict__,
            "name": "انجمن جدید",
            "phone": "02833334444",
            "field_ids": (desk.fields["جوانان"],),
        }
    )
    newcomer = make_national_code("003456789")
    board = [BoardMemberInput("مریم احمدی", MEMBER_CODE, "deputy"), BoardMemberInput("زهرا کریمی", newcomer)]
    ngos.update_ngo(uow, ngo_id, edited, board, before.row_version)

    lines = history_of(uow, ngo_id)[: len(history_of(uow, ngo_id)) - created]  # newest first: the edit's
    assert {line.username for line in lines} == {uow.actor.username}
    changed = {(line.table_name, line.action, line.field, line.before, line.after) for line in lines}
    assert {c for c in changed if c[0] == "ngo"} == {
        ("ngo", "update", "name", "انجمن قدیم", "انجمن جدید"),
        ("ngo", "update", "phone", "", "02833334444"),
    }
    board_changes = {c[1:] for c in changed if c[0] == "boardmember"}
    assert ("update", "role", "chair", "deputy") in board_changes  # the member kept: only what changed
    assert not {c for c in board_changes if c[0] == "update" and c[1] != "role"}
    assert ("delete", "full_name", "علی رضایی", "") in board_changes
    assert ("insert", "full_name", "", "زهرا کریمی") in board_changes
    assert {c[1:] for c in changed if c[0] == "ngofield" and c[2] == "field_id"} == {
        ("delete", "field_id", "ورزشی", ""),
        ("insert", "field_id", "", "جوانان"),
    }
    # saving again without a change adds nothing to the history
    again = ngos.get_ngo(uow, ngo_id)
    total = len(history_of(uow, ngo_id))
    ngos.update_ngo(uow, ngo_id, again.to_input(), [m.to_input() for m in again.board], again.row_version)
    assert len(history_of(uow, ngo_id)) == total
