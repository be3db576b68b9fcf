"""The release rule's thresholds are settings an admin edits on «اطلاعات پایه» › «تنظیمات»; the payment
service then applies the edited ones."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from ostandari_desk.services.memoranda import payments


@pytest.fixture
def page(ctx, qtbot, monkeypatch):
    from ostandari_desk.ui.reference_page import ReferencePage

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page = ReferencePage(ctx)
    qtbot.addWidget(page)
    return page


def test_the_release_thresholds_are_edited_and_obeyed(ctx, page):
    first = page.setting_spins["release_first_tranche_max_percent"]
    later = page.setting_spins["release_later_min_progress"]
    assert (first.value(), later.value()) == (50, 50)
    assert first.text() == "۵۰"

    first.setValue(30)
    later.setValue(70)
    page.save_settings()

    rule = payments.release_rule(ctx.uow())
    assert (rule.first_tranche_max_percent, rule.later_tranche_min_progress) == (30, 70)
    again = type(page)(ctx)  # read back from the database
    assert again.setting_spins["release_later_min_progress"].value() == 70
    again.deleteLater()


def test_the_spin_boxes_offer_only_what_the_setting_accepts(ctx, page):
    """The page once let «پیشرفت لازم…» go down to 0, which saving refused: its range is the setting's."""
    from ostandari_desk import settings

    for key, spin in page.setting_spins.items():
        spec = settings.SETTINGS[key]
        assert (spin.minimum(), spin.maximum()) == (spec.minimum, spec.maximum), key
        for edge in (spin.minimum(), spin.maximum()):
            ctx.set_setting(key, edge)  # both ends are stored without complaint
    later = page.setting_spins["release_later_min_progress"]
    later.setValue(0)
    assert later.value() == 1
