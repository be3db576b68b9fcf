"""Deterministic reference ids: two desks set up separately for one province (the province's, and a county's)
agree on the ids of the province, its counties, the lists and the shipped checklists."""

from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import select

from ostandari_desk.domain import reference_ids
from ostandari_desk.domain.roles import SYSTEM
from ostandari_desk.services import setup
from ostandari_desk.services.inspections import templates
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.models import ChecklistItem, ChecklistTemplate, County, Province, ReferenceItem
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork


@pytest.fixture
def new_desk(tmp_path, _migrated_template):
    """Factory: ``new_desk(province, county=None)`` -> a UnitOfWork on its own freshly set-up database."""
    engines = []

    def make(province: str, county: str | None = None) -> UnitOfWork:
        path = tmp_path / f"desk{len(engines)}.sqlite3"
        shutil.copy(_migrated_template, path)
        engines.append(open_database(sqlite_url(path)))
        uow = UnitOfWork(engines[-1], SYSTEM)
        setup.initialize(uow, province, county=county)
        return uow

    yield make
    for engine in engines:
        engine.dispose()


def reference_rows(uow: UnitOfWork) -> dict[str, set[tuple]]:
    with uow:
        s = uow.s
        return {
            "province": set(s.execute(select(Province.id, Province.name)).all()),
            "county": set(s.execute(select(County.id, County.province_id, County.name_key)).all()),
            "item": set(
                s.execute(select(ReferenceItem.id, ReferenceItem.kind, ReferenceItem.name_key)).all()
            ),
            "template": set(
                s.execute(
                    select(ChecklistTemplate.id, ChecklistTemplate.category_id, ChecklistTemplate.version)
                ).all()
            ),
            "checklistitem": set(
                s.execute(select(ChecklistItem.id, ChecklistItem.template_id, ChecklistItem.position)).all()
            ),
        }


def test_reference_id_is_a_uuid5_of_its_parts():
    made = reference_ids.reference_id("province", "قزوین")
    assert made == uuid.uuid5(reference_ids.NAMESPACE, "province/قزوین").hex
    assert uuid.UUID(made).version == 5 and len(made) == 32
    assert reference_ids.reference_id("county", "قزوین", "آبیک") != reference_ids.reference_id(
        "county", "قزوین", "البرز"
    )
    assert reference_ids.province_id("قزوين") == reference_ids.province_id("قزوین")  # Arabic yeh
    assert reference_ids.county_id("قزوین", "آبیک") != reference_ids.county_id("کرمان", "آبیک")
    with pytest.raises(ValueError):
        reference_ids.reference_id()


def test_province_and_county_desks_agree_on_every_reference_id(uow, new_desk):
    province_id = setup.initialize(uow, "قزوین")
    county_desk = new_desk("قزوین", county="آبیک")
    ours, theirs = reference_rows(uow), reference_rows(county_desk)
    for kind in ours:
        assert ours[kind], kind
        assert ours[kind] == theirs[kind], kind
    assert province_id == reference_ids.province_id("قزوین")
    county_ids = {key: cid for cid, _, key in ours["county"]}
    assert county_ids["آبیک"] == reference_ids.county_id("قزوین", "آبیک")
    items = {(kind, key): iid for iid, kind, key in ours["item"]}
    assert items[("sanction", "تذکر")] == reference_ids.item_id("sanction", "تذکر")
    with uow:
        slaughterhouse = uow.s.execute(
            select(ChecklistTemplate.id)
            .join(ReferenceItem, ReferenceItem.id == ChecklistTemplate.category_id)
            .where(ReferenceItem.name_key == "کشتارگاه")
        ).scalar_one()
        first = uow.s.execute(
            select(ChecklistItem.id).where(
                ChecklistItem.template_id == slaughterhouse, ChecklistItem.position == 1
            )
        ).scalar_one()
    assert slaughterhouse == reference_ids.template_id("کشتارگاه", 1)
    assert first == reference_ids.checklist_item_id(slaughterhouse, 1)


def test_another_province_has_other_ids(uow, new_desk):
    setup.initialize(uow, "قزوین")
    other = new_desk("کرمان")
    ours, theirs = reference_rows(uow), reference_rows(other)
    assert not {r[0] for r in ours["province"]} & {r[0] for r in theirs["province"]}
    assert not {r[0] for r in ours["county"]} & {r[0] for r in theirs["county"]}
    # the lists and the shipped checklists are the same everywhere: one id for one item
    assert ours["item"] == theirs["item"]


def test_a_managers_draft_gets_a_random_id(desk):
    category = next(iter(reference_rows(desk.uow)["template"]))[1]
    active = templates.active_template(desk.uow, category)
    draft = templates.create_draft(desk.uow, category, from_template_id=active.id)
    assert draft != reference_ids.template_id("کشتارگاه", 2)
    assert uuid.UUID(draft).version == 4
    items = templates.get_template(desk.uow, draft).items
    assert all(uuid.UUID(i.id).version == 4 for i in items)


def test_seeding_again_never_collides_with_a_seeded_id(desk):
    # a renamed category whose old name's checklist is here, and a new category with the old name: no template
    # can take the seeded id twice, so the new category simply gets none
    from ostandari_desk.services import reference

    old_id = desk_category(desk, "کشتارگاه")
    reference.rename_item(desk.uow, old_id, "کشتارگاه صنعتی")
    reference.add_item(desk.uow, "centre_category", "کشتارگاه")
    assert templates.seed_default_templates(desk.uow) == 0
    with desk.uow:
        owner = desk.uow.s.get(ChecklistTemplate, reference_ids.template_id("کشتارگاه", 1)).category_id
    assert owner == old_id


def desk_category(desk, name: str) -> str:
    with desk.uow:
        return desk.uow.s.execute(
            select(ReferenceItem.id).where(
                ReferenceItem.kind == "centre_category", ReferenceItem.name_key == name
            )
        ).scalar_one()
