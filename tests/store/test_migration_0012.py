"""Revision 0012 on rows written by the old rules: a letter's search text and an event's title key are made
again with ``text.search_key``, so «موسسه» finds «مؤسسه» and «مردمنهاد» finds «مردم‌نهاد» in rows inserted
before it, on SQLite and PostgreSQL alike; a downgrade puts the old keys back."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest
from sqlalchemy import insert, select

from ostandari_desk.domain import text
from ostandari_desk.services import events, letters, setup
from ostandari_desk.services.audit import stamps
from ostandari_desk.store import schema
from ostandari_desk.store.models import Event, Letter, new_id
from ostandari_desk.store.schema import MIGRATIONS

PARTY = "مؤسسه خیریه نور"
SUBJECT = "دعوت سازمان‌های مردم\u200cنهاد"
TITLE = "همایش مؤسسه‌های مردم\u200cنهاد"


@pytest.fixture
def at_0011(engine, uow):
    """A desk taken down to 0011, then a letter and an event inserted as the code of 0011 stored them (their
    keys ``text.normalize``d: hamza and half-space kept)."""
    setup.initialize(uow, "قزوین", None)
    schema.migrate(engine, "0011", downgrade=True)
    letter_id, event_id = new_id(), new_id()
    with engine.begin() as conn:
        conn.execute(
            insert(Letter.__table__).values(
                **stamps(),
                id=letter_id,
                direction="incoming",
                number="77",
                jalali_year=1403,
                dated_on=date(2024, 5, 1),
                party=PARTY,
                subject=SUBJECT,
                kind="other",
                search_text=text.normalize(f"77 {PARTY} {SUBJECT}"),
            )
        )
        conn.execute(
            insert(Event.__table__).values(
                **stamps(),
                id=event_id,
                kind="conference",
                title=TITLE,
                title_key=text.normalize(TITLE),
                title_sort=text.persian_sort_key(TITLE),
                starts_on=date(2024, 5, 1),
            )
        )
    return letter_id, event_id


def _found(uow, typed: str) -> tuple[list[str], list[str]]:
    return (
        [r.id for r in letters.list_letter_page(uow, letters.LetterFilter(text=typed))],
        [r.id for r in events.list_event_page(uow, events.EventFilter(text=typed))],
    )


def test_rows_inserted_at_0011_are_found_after_0012(engine, uow, at_0011):
    assert schema.current_revision(engine) == "0011"
    assert _found(uow, "موسسه") == ([], [])  # the old keys keep the hamza...
    assert _found(uow, "مردمنهاد") == ([], [])  # ...and the half-space
    schema.migrate(engine, "0012")
    letter_id, event_id = at_0011
    for typed in ("موسسه", "مؤسسه", "مردمنهاد", "مردم\u200cنهاد", "نهاد"):
        assert _found(uow, typed) == ([letter_id], [event_id]), typed
    with engine.connect() as conn:
        letter = conn.execute(select(Letter.party, Letter.subject, Letter.search_text)).one()
        event = conn.execute(select(Event.title, Event.title_key)).one()
    assert (letter.party, letter.subject, event.title) == (PARTY, SUBJECT, TITLE)  # names untouched
    assert letter.search_text == letters.search_text_of("77", PARTY, SUBJECT)
    assert event.title_key == events.title_key_of(TITLE)


def test_0012_down_puts_the_old_keys_back(engine, uow, at_0011):
    schema.migrate(engine, "0012")
    schema.migrate(engine, "0011", downgrade=True)
    with engine.connect() as conn:
        assert conn.execute(select(Letter.search_text)).scalar_one() == text.normalize(
            f"77 {PARTY} {SUBJECT}"
        )
        assert conn.execute(select(Event.title_key)).scalar_one() == text.normalize(TITLE)


def _migration():
    spec = importlib.util.spec_from_file_location(
        "m0012", MIGRATIONS / "versions" / "0012_letter_and_event_search_keys.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_part_by_part_keys_are_the_domains_own():
    """Made part by part (each part's fold cached), a key equals the fold of the parts joined by a space."""
    module = _migration()
    parts = ("۱۲/ص", PARTY, SUBJECT, "  خانهٔ\u200c  امید ", "", "\u200cنیم", "ABC ي ك", "رئيس ‌ هیئت")
    for make in (text.search_key, text.normalize):
        joined = module.part_by_part(make)
        for a in parts:
            for b in parts:
                assert joined(a, b, "") == make(f"{a} {b} "), (make.__name__, a, b)
