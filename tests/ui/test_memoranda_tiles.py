"""The start page's memoranda tiles lead to exactly what they count: «waiting for progress» opens the
memoranda list on the tranches waiting for a progress report, «idle offices» the offices list on the open
offices without an active memorandum (the same conditions as memoranda_summary's)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import offices as office_service
from ostandari_desk.ui.tasks import wait_for_tasks
from tests.services.memo_rows import add_memorandum, add_payment, add_progress

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _shown(page, attribute: str) -> set[str]:
    return {getattr(page.model.row_at(r), attribute) for r in range(page.model.rowCount())}


def test_waiting_and_idle_tiles_open_exactly_what_they_count(ctx, main_window, qtbot):
    qz = next(c.id for c in reference.list_counties(ctx.uow()) if c.name == "قزوین")
    uow = ctx.uow()
    today = date.today()
    signed = today - timedelta(days=40)

    def memo(number: str, paid: int = 0, progress: int | None = None, **kw) -> str:
        memo_id = add_memorandum(uow, qz, signed, 1_000_000, number=number, **kw)
        if paid:
            add_payment(uow, memo_id, signed + timedelta(days=1), 1, paid)
        if progress is not None:
            add_progress(uow, memo_id, signed + timedelta(days=2), progress)
        return memo_id

    memo("W-1", paid=400_000)  # a tranche paid, no report: waiting
    memo("W-2", paid=400_000, progress=30)  # below the 50% threshold: waiting
    memo("N-1", paid=400_000, progress=50)  # the threshold reached
    memo("N-2")  # nothing paid yet
    memo("N-3", paid=1_000_000)  # all paid
    memo("N-4", paid=400_000, state="completed")
    idle = office_service.create_office(uow, office_service.OfficeInput(name="دفتر بی‌پروژه", county_id=qz))
    busy = office_service.create_office(uow, office_service.OfficeInput(name="دفتر پرکار", county_id=qz))
    office_service.create_office(
        uow, office_service.OfficeInput(name="دفتر بسته", county_id=qz, state="closed")
    )
    ended = office_service.create_office(
        uow, office_service.OfficeInput(name="دفتر پایان‌یافته", county_id=qz)
    )
    memo("O-1", office_id=busy)
    memo("O-2", office_id=ended, state="completed")
    assert idle

    start = main_window.open_area("start")
    start.memoranda = None
    start.refresh()
    qtbot.waitUntil(lambda: start.memoranda is not None, timeout=5000)
    wait_for_tasks()
    assert start.memoranda.waiting_count == 2 and start.memoranda.idle_offices_count == 2

    start.tiles["memo_waiting"].click()
    area = main_window.page("memoranda")
    assert main_window.current_area() == "memoranda" and area.current_key() == "memoranda"
    listing = area.page("memoranda")
    assert listing.current_filter().waiting
    assert _shown(listing, "number") == {"W-1", "W-2"}
    assert listing.model.total == start.memoranda.waiting_count
    listing.combos["party"].setCurrentIndex(0)  # the clerk touches a filter: the whole register again
    listing.search_edit.setText("")
    listing.combos["state"].setCurrentIndex(1)
    listing.combos["state"].setCurrentIndex(0)
    assert not listing.current_filter().waiting and listing.model.total == 8

    main_window.open_area("start")
    start.tiles["idle_offices"].click()
    offices = main_window.page("facilitation")
    assert main_window.current_area() == "facilitation"
    assert _shown(offices, "name") == {"دفتر بی‌پروژه", "دفتر پایان‌یافته"}
    assert offices.model.total == start.memoranda.idle_offices_count
    wait_for_tasks()
