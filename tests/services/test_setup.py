"""First-start setup: provinces and counties from the shipped CSV, default lists, settings."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ostandari_desk import settings
from ostandari_desk.errors import PermissionDeniedError, UserError, ValidationError
from ostandari_desk.services import reference, setup
from ostandari_desk.store.models import AuditEntry


def test_available_provinces_and_counties_come_from_the_csv():
    assert {"قزوین", "آذربایجان شرقی", "کرمان", "اردبیل"} <= set(setup.available_provinces())
    counties = setup.counties_of("قزوين")  # Arabic yeh still matches
    assert "البرز" in counties and "قزوین" in counties
    assert setup.counties_of("آتلانتیس") == []


def test_province_installation(uow):
    assert not setup.is_initialized(uow)
    province_id = setup.initialize(uow, "قزوین", office_name="اداره کل")
    assert setup.is_initialized(uow)
    values = settings.all_settings(uow)
    assert values["province_id"] == province_id
    assert values["installation_county_id"] is None
    assert values["office_name"] == "اداره کل"
    assert "current_clerk" not in values  # the clerk is the signed-in user now
    names = [c.name for c in reference.list_counties(uow)]
    assert names == setup.counties_of("قزوین")
    assert "کمپ ترک اعتیاد" in [i.name for i in reference.list_items(uow, "centre_category")]
    assert [i.name for i in reference.list_items(uow, "sanction")] == [
        "تذکر",
        "اخطار کتبی",
        "تعلیق",
        "توقیف پروانه",
        "درخواست انحلال",
    ]
    assert len(reference.list_items(uow, "social_harm")) == 9
    assert len(reference.list_items(uow, "legal_basis")) == 2
    assert "محیط زیست" in [i.name for i in reference.list_items(uow, "field")]
    with uow:  # every row the set-up wrote is in the trail, under the acting user
        entries = uow.s.exec(select(AuditEntry).where(AuditEntry.table_name == "province")).all()
        assert [(e.action, e.record_id, e.username) for e in entries] == [
            ("insert", province_id, uow.actor.username)
        ]
        counties = uow.s.exec(select(AuditEntry).where(AuditEntry.table_name == "county")).all()
        assert len(counties) == len(names)


def test_county_installation_stores_its_county(uow):
    setup.initialize(uow, "کرمان", county="رفسنجان")
    county_id = settings.get_setting(uow, "installation_county_id")
    assert county_id == reference.county_id_by_name(uow, "رفسنجان")


def test_unknown_province_or_county_is_refused(uow):
    with pytest.raises(ValidationError, match="آتلانتیس"):
        setup.initialize(uow, "آتلانتیس")
    with pytest.raises(ValidationError, match="البرز"):
        setup.initialize(uow, "کرمان", county="البرز")
    assert not setup.is_initialized(uow)


def test_second_initialization_is_refused(uow):
    setup.initialize(uow, "اردبیل")
    with pytest.raises(UserError, match="پیش‌تر"):
        setup.initialize(uow, "اردبیل")


def test_settings_defaults_types_and_unknown_keys(uow):
    assert settings.get_setting(uow, "licence_validity_years_county") == 4
    assert settings.validity_years_for(uow, "national") == 5
    settings.set_setting(uow, "licence_validity_years_county", 3)
    assert settings.validity_years_for(uow, "county") == 3
    with pytest.raises(ValidationError):
        settings.set_setting(uow, "inquiry_due_days", "شصت")
    with pytest.raises(KeyError):
        settings.get_setting(uow, "no_such_key")
    with pytest.raises(KeyError):
        settings.set_setting(uow, "no_such_key", 1)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("release_later_min_progress", 0, "از ۱ تا ۱۰۰"),
        ("release_first_tranche_max_percent", 101, "از ۱ تا ۱۰۰"),
        ("inquiry_due_days", 366, "از ۱ تا ۳۶۵"),
        ("licence_validity_years_county", 0, "از ۱ تا ۲۰"),
    ],
)
def test_a_number_outside_its_settings_range_is_refused_by_name(uow, key, value, message):
    before = settings.get_setting(uow, key)
    with pytest.raises(ValidationError, match=message) as refused:
        settings.set_setting(uow, key, value)
    assert refused.value.field == key and settings.SETTINGS[key].label in str(refused.value)
    assert settings.get_setting(uow, key) == before


def test_service_calls_join_an_open_unit_of_work(uow):
    with pytest.raises(RuntimeError), uow:
        settings.set_setting(uow, "inquiry_due_days", 45)
        assert settings.get_setting(uow, "inquiry_due_days") == 45
        raise RuntimeError("the caller fails: everything rolls back")
    assert settings.get_setting(uow, "inquiry_due_days") == 60
    with uow:  # the caller's block ends well: the service's commit takes effect
        settings.set_setting(uow, "inquiry_due_days", 45)
    assert settings.get_setting(uow, "inquiry_due_days") == 45


def test_set_up_needs_a_user_who_may_change_settings(uow_as):
    clerk = uow_as("clerk")
    with pytest.raises(PermissionDeniedError):
        setup.initialize(clerk, "قزوین")
    assert not setup.is_initialized(clerk)
