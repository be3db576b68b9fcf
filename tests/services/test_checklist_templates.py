"""Checklist templates: the shipped defaults, draft → active → retired, frozen versions, permissions,
and the templates an upgraded database gets when it is opened."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ostandari_desk.domain import text
from ostandari_desk.errors import ConcurrentEditError, PermissionDeniedError, UserError, ValidationError
from ostandari_desk.services import reference, setup
from ostandari_desk.services.inspections import templates, visits
from ostandari_desk.services.inspections.templates import ItemSpec
from ostandari_desk.services.session import open_desk
from ostandari_desk.store.models import AuditEntry, ChecklistTemplate
from tests.services.inspection_fixtures import ON, TODAY, all_passing, category_id, insert_centre

CATEGORIES = (
    "کشتارگاه",
    "مرکز عرضه مواد غذایی",
    "اماکن ورزشی",
    "مرکز نگهداری کودکان",
    "مرکز نگهداری سالمندان",
    "مرکز ساماندهی متکدیان",
    "کمپ ترک اعتیاد",
    "مرکز توانبخشی",
)


def test_every_category_gets_its_shipped_checklist_on_set_up(desk):
    rows = templates.list_templates(desk.uow)
    assert sorted(r.category_name for r in rows) == sorted(CATEGORIES)
    for row in rows:
        assert (row.version, row.state, row.state_label) == (1, "active", "فعال")
        assert 10 <= row.item_count <= 20
        detail = templates.get_template(desk.uow, row.id)
        assert any(i.critical for i in detail.items), row.category_name
        assert len(detail.sections) >= 3
        assert [i.position for i in detail.items] == list(range(1, len(detail.items) + 1))
    with desk.uow:
        audited = desk.uow.s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.table_name == "checklistitem")
        )
    assert audited == sum(r.item_count for r in rows)


def test_the_slaughterhouse_checklist_covers_the_office_s_examples(desk):
    detail = templates.active_template(desk.uow, category_id(desk.uow, "کشتارگاه"))
    critical = " | ".join(i.text for i in detail.items if i.critical)
    for words in ("دامپزشکی", "زنجیره سرد", "کارت بهداشت", "پسماند"):
        assert words in critical


def test_seeding_is_idempotent_and_skips_renamed_categories(desk):
    assert templates.seed_default_templates(desk.uow) == 0
    added = reference.add_item(desk.uow, "centre_category", "مرکز نگهداری معلولان")
    assert templates.seed_default_templates(desk.uow) == 0
    assert templates.active_template(desk.uow, added) is None
    assert len(templates.list_templates(desk.uow)) == 8


def test_the_shipped_file_matches_the_category_list():
    shipped = {text.normalize(name) for name, *_ in templates.default_templates()}
    assert shipped == {text.normalize(name) for name in setup.DEFAULT_LISTS["centre_category"]}


def _specs(n: int = 3) -> list[ItemSpec]:
    return [
        ItemSpec("مدارک", "پروانه معتبر دارد", critical=True, weight=2),
        ItemSpec("بهداشت", "نظافت", "score", max_score=4),
        ItemSpec("", "توضیحات", "text"),
    ][:n]


def test_draft_active_retired_and_an_old_visit_keeps_its_items(desk):
    category = category_id(desk.uow)
    old = templates.active_template(desk.uow, category)
    centre = insert_centre(desk.uow, desk.counties["آبیک"])
    first_visit = visits.create_visit(
        desk.uow, visits.VisitInput(centre, ON, answers=all_passing(old)), today=TODAY
    )

    draft_id = templates.create_draft(desk.uow, category)
    draft = templates.get_template(desk.uow, draft_id)
    assert (draft.version, draft.state) == (2, "draft")
    assert [i.text for i in draft.items] == [i.text for i in old.items]  # a copy of the active version
    with pytest.raises(UserError, match="پیش‌نویس"):
        templates.create_draft(desk.uow, category)

    templates.save_draft(desk.uow, draft_id, "چک‌لیست تازه", 70, _specs(), draft.row_version)
    with pytest.raises(ConcurrentEditError):
        templates.save_draft(desk.uow, draft_id, "چک‌لیست تازه‌تر", 70, _specs(), draft.row_version)
    draft = templates.get_template(desk.uow, draft_id)
    assert [(i.section, i.text, i.weight) for i in draft.items] == [
        ("مدارک", "پروانه معتبر دارد", 2),
        ("بهداشت", "نظافت", 1),
        ("عمومی", "توضیحات", 0),
    ]
    assert (draft.title, draft.pass_score) == ("چک‌لیست تازه", 70)

    templates.activate_template(desk.uow, draft_id)
    states = {r.version: r.state for r in templates.list_templates(desk.uow, category)}
    assert states == {1: "retired", 2: "active"}
    with pytest.raises(UserError, match="فقط پیش‌نویس"):
        templates.save_draft(desk.uow, draft_id, "x", 70, _specs(), draft.row_version + 1)

    kept = visits.get_visit(desk.uow, first_visit)
    assert kept.template_id == old.id and kept.template_version == 1
    assert [a.text for a in kept.answers] == [i.text for i in old.items]
    assert kept.score == 100

    new = templates.active_template(desk.uow, category)
    second = visits.create_visit(
        desk.uow,
        visits.VisitInput(
            centre,
            ON,
            answers={new.items[0].id: "بله", new.items[1].id: "۱"},
            correction_deadline=None,
            result_override=None,
            at="11:00",
        ),
        today=TODAY,
    )
    detail = visits.get_visit(desk.uow, second)
    assert detail.template_version == 2 and len(detail.answers) == 3
    # (2 + 1/4) of 3 points = 75 % ≥ 70: good, though the score item failed (below half)
    assert (detail.score, detail.result) == (75, "good")
    assert [f.severity for f in detail.findings] == ["minor"]

    templates.retire_template(desk.uow, new.id)
    assert templates.active_template(desk.uow, category) is None
    with pytest.raises(UserError):
        templates.retire_template(desk.uow, new.id)


def test_a_draft_can_start_empty_or_from_an_older_version_and_be_thrown_away(desk):
    category = category_id(desk.uow, "اماکن ورزشی")
    old = templates.active_template(desk.uow, category)
    templates.retire_template(desk.uow, old.id)
    draft_id = templates.create_draft(desk.uow, category)
    assert templates.get_template(desk.uow, draft_id).items == ()
    with pytest.raises(ValidationError):
        templates.activate_template(desk.uow, draft_id)
    templates.delete_draft(desk.uow, draft_id)
    draft_id = templates.create_draft(desk.uow, category, from_template_id=old.id)
    assert len(templates.get_template(desk.uow, draft_id).items) == len(old.items)
    with pytest.raises(ValidationError):
        templates.create_draft(desk.uow, category_id(desk.uow), from_template_id=old.id)


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        (ItemSpec("بخش", ""), "متن"),
        (ItemSpec("بخش", "امتیاز", "score", max_score=0), "بیشینه"),
        (ItemSpec("بخش", "وزن", weight=0), "وزن"),
        (ItemSpec("بخش", "متن حیاتی", "text", critical=True), "حیاتی"),
        (ItemSpec("بخش", "نوع", "date"), "نوع پاسخ"),
    ],
)
def test_bad_items_are_refused_naming_the_item(desk, spec, where):
    draft_id = templates.create_draft(desk.uow, category_id(desk.uow))
    version = templates.get_template(desk.uow, draft_id).row_version
    with pytest.raises(ValidationError) as err:
        templates.save_draft(desk.uow, draft_id, "عنوان", 80, [*_specs(2), spec], version)
    assert where in err.value.message and "بند ۳" in err.value.message
    with pytest.raises(ValidationError) as err:
        templates.save_draft(desk.uow, draft_id, "عنوان", 101, _specs(), version)
    assert err.value.field == "pass_score"


@pytest.mark.parametrize("role", ["clerk", "county"])
def test_only_managers_edit_checklists(desk, uow_as, role):
    category = category_id(desk.uow)
    someone = uow_as(role, desk.counties["آبیک"] if role == "county" else None)
    with pytest.raises(PermissionDeniedError):
        templates.create_draft(someone, category)
    draft_id = templates.create_draft(uow_as("manager"), category)
    version = templates.get_template(desk.uow, draft_id).row_version
    with pytest.raises(PermissionDeniedError):
        templates.save_draft(someone, draft_id, "عنوان", 80, _specs(), version)
    with pytest.raises(PermissionDeniedError):
        templates.activate_template(someone, draft_id)
    assert templates.list_templates(someone, category)  # reading is open to everyone


def test_an_upgraded_database_gets_the_templates_when_opened(desk, db_path):
    with desk.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM checklistitem")
        conn.exec_driver_sql("DELETE FROM checklisttemplate")
    desk.engine.dispose()
    engine = open_desk(db_path)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ChecklistTemplate.__table__)) == 8
        again = open_desk(db_path)  # opened again: nothing more
        with again.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ChecklistTemplate.__table__)) == 8
        again.dispose()
    finally:
        engine.dispose()
