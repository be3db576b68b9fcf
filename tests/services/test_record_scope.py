"""County scope of NGOs, events and letters, per role: a county user reads and changes only their county.

The desk holds, for the county آبیک (the county user's own), البرز (another county) and the province
itself, one NGO, one event and one letter each. Every other role sees all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import func, select

from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.errors import DuplicateError, NotFoundError, PermissionDeniedError
from ostandari_desk.services import attachments as att
from ostandari_desk.services import events as ev
from ostandari_desk.services import letters as lt
from ostandari_desk.services import ngos
from ostandari_desk.services.ngos import NgoFilter
from ostandari_desk.store.models import AuditEntry, Event, EventNgo, Letter, LetterAttachment, Ngo

from .conftest import next_national_id

OWN, OTHER = "آبیک", "البرز"
REFUSED = (PermissionDeniedError, NotFoundError)  # out of scope: refused, or simply not there


@dataclass
class Place:
    """The records of one place (a county, or the province when county_id is None)."""

    county_id: str | None
    ngo: str
    event: str
    letter: str


@pytest.fixture
def places(desk, make_ngo, tmp_path) -> dict[str | None, Place]:
    found: dict[str | None, Place] = {}
    for n, county in enumerate((OWN, OTHER, None), start=1):
        county_id = desk.counties[county] if county else None
        level = "county" if county else "province"
        ngo = make_ngo(county=county, level=level, name=f"انجمن مهرورزان {county or 'استان'}")
        event = ev.create_event(
            desk.uow,
            ev.EventInput(
                "session", f"نشست {county or 'استان'}", J(1402, 3, n), county_id=county_id, ngo_ids=(ngo,)
            ),
        )
        letter = lt.create_letter(
            desk.uow,
            lt.LetterInput(
                "outgoing", f"{n}/ص", J(1402, 3, n), "فرمانداری", "هماهنگی", "support", ngo, None, county_id
            ),
        )
        source = tmp_path / f"scan{n}.pdf"
        source.write_bytes(f"%PDF scan {n}".encode())
        att.add_attachment(desk.uow, att.LETTER, letter, source)
        found[county] = Place(county_id, ngo, event, letter)
    return found


ROLES = ["admin", "manager", "clerk", "county"]


def _as(uow_as, desk, role: str):
    return uow_as(role, county_id=desk.counties[OWN] if role == "county" else None)


@pytest.mark.parametrize("role", ROLES)
def test_reads_show_only_the_actors_county(desk, places, uow_as, role):
    uow = _as(uow_as, desk, role)
    visible = [OWN] if role == "county" else [OWN, OTHER, None]
    hidden = [p for p in places if p not in visible]

    # NGOs: page, count, search (FTS), every sort, one NGO
    expected = {places[p].ngo for p in visible}
    assert {r.id for r in ngos.list_ngo_page(uow, NgoFilter())} == expected
    assert ngos.count_ngos(uow, NgoFilter()) == len(expected)
    assert {r.id for r in ngos.list_ngo_page(uow, NgoFilter(text="مهرورزان"))} == expected
    assert ngos.count_ngos(uow, NgoFilter(text="مهرورزان")) == len(expected)
    for key in ngos.NGO_SORT_KEYS:
        assert {r.id for r in ngos.list_ngo_page(uow, NgoFilter(), sort=key, offset=0)} == expected
    assert ngos.count_ngos(uow, NgoFilter(county_id=places[OTHER].county_id)) == (
        0 if role == "county" else 1
    )
    assert {r.id for r in ev.search_ngos(uow, "مهرورزان")} == expected
    # events and letters: lists, counts, the calendar, an NGO's timeline
    assert {r.id for r in ev.list_event_page(uow)} == {places[p].event for p in visible}
    assert ev.count_events(uow) == len(visible)
    assert {r.id for r in ev.events_in_month(uow, 1402, 3)} == {places[p].event for p in visible}
    assert {r.id for r in lt.list_letter_page(uow)} == {places[p].letter for p in visible}
    assert lt.count_letters(uow) == len(visible)
    for p in visible:
        assert ngos.get_ngo(uow, places[p].ngo).id == places[p].ngo
        assert ev.get_event(uow, places[p].event).id == places[p].event
        assert lt.get_letter(uow, places[p].letter).id == places[p].letter
        assert len(att.list_attachments(uow, att.LETTER, places[p].letter)) == 1
    for p in hidden:
        place = places[p]
        with pytest.raises(REFUSED):
            ngos.get_ngo(uow, place.ngo)
        with pytest.raises(REFUSED):
            ev.get_event(uow, place.event)
        with pytest.raises(REFUSED):
            lt.get_letter(uow, place.letter)
        with pytest.raises(REFUSED):
            att.list_attachments(uow, att.LETTER, place.letter)
        with uow:
            attachment = uow.s.execute(
                select(LetterAttachment.id).where(LetterAttachment.letter_id == place.letter)
            ).scalar_one()
        with pytest.raises(REFUSED):
            att.attachment_path(uow, att.LETTER, attachment)
        assert ev.events_of_ngo(uow, place.ngo) == []
        assert lt.letters_of_ngo(uow, place.ngo) == []
        assert place.event not in {r.id for r in ev.list_event_page(uow)}
        assert lt.find_letter_id(uow, "outgoing", 1402, lt.get_letter(desk.uow, place.letter).number) is None


def _snapshot(desk) -> tuple:
    """Everything the changes below could touch, read as the admin."""
    with desk.uow as uow:
        s = uow.s
        return (
            s.execute(
                select(Ngo.id, Ngo.name, Ngo.status, Ngo.county_id, Ngo.row_version).order_by(Ngo.id)
            ).all(),
            s.execute(select(Event.id, Event.title, Event.row_version).order_by(Event.id)).all(),
            s.execute(select(EventNgo.event_id, EventNgo.ngo_id).order_by(EventNgo.event_id)).all(),
            s.execute(select(Letter.id, Letter.subject, Letter.row_version).order_by(Letter.id)).all(),
            s.execute(select(func.count()).select_from(LetterAttachment)).scalar(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar(),
        )


@pytest.mark.parametrize("place", [OTHER, None], ids=["another county", "the province"])
def test_a_county_user_cannot_change_records_outside_their_county(desk, places, uow_as, tmp_path, place):
    target = places[place]
    uow = uow_as("county", county_id=desk.counties[OWN])
    before = _snapshot(desk)
    ngo = ngos.get_ngo(desk.uow, target.ngo)
    event = ev.get_event(desk.uow, target.event)
    letter = lt.get_letter(desk.uow, target.letter)
    with desk.uow as admin:
        attachment = admin.s.execute(
            select(LetterAttachment.id).where(LetterAttachment.letter_id == target.letter)
        ).scalar_one()
    source = tmp_path / "another.pdf"
    source.write_bytes(b"%PDF another")
    attempts = [
        lambda: ngos.update_ngo(
            uow, target.ngo, replace(ngo.to_input(), name="نام تازه"), [], ngo.row_version
        ),
        lambda: ngos.set_ngo_active(uow, target.ngo, False),
        lambda: ev.update_event(
            uow, target.event, replace(event.to_input(), title="تازه"), event.row_version
        ),
        lambda: ev.delete_event(uow, target.event),
        lambda: lt.update_letter(
            uow, target.letter, replace(letter.to_input(), subject="تازه"), letter.row_version
        ),
        lambda: lt.delete_letter(uow, target.letter),
        lambda: att.add_attachment(uow, att.LETTER, target.letter, source),
        lambda: att.remove_attachment(uow, att.LETTER, attachment),
    ]
    for attempt in attempts:
        with pytest.raises(REFUSED):
            attempt()
    assert _snapshot(desk) == before  # nothing stored, not even an audit line


def test_a_county_user_cannot_create_records_outside_their_county(desk, places, uow_as):
    uow = uow_as("county", county_id=desk.counties[OWN])
    before = _snapshot(desk)
    for county_id in (desk.counties[OTHER], None):
        level = "county" if county_id else "province"
        data = ngos.NgoInput(next_national_id(), "انجمن بیرون از شهرستان", county_id, level)
        with pytest.raises(PermissionDeniedError):
            ngos.create_ngo(uow, data)
        with pytest.raises(PermissionDeniedError):
            ev.create_event(uow, ev.EventInput("session", "نشست بیرونی", J(1402, 4, 1), county_id=county_id))
        with pytest.raises(PermissionDeniedError):
            lt.create_letter(
                uow,
                lt.LetterInput(
                    "outgoing", "99/ص", J(1402, 4, 1), "فرمانداری", "موضوع", "support", None, None, county_id
                ),
            )
    assert _snapshot(desk) == before


def test_a_county_user_works_in_their_own_county(desk, places, uow_as):
    own = desk.counties[OWN]
    uow = uow_as("county", county_id=own)
    # a new NGO gets the next seq over every county (the FTS key), not over the user's own
    ngo_id = ngos.create_ngo(uow, ngos.NgoInput(next_national_id(), "انجمن تازه شهرستان", own, "county"))
    detail = ngos.get_ngo(uow, ngo_id)
    with desk.uow as admin:
        assert detail.seq == admin.s.execute(select(func.max(Ngo.seq))).scalar()
    ngos.update_ngo(uow, ngo_id, replace(detail.to_input(), phone="02833334444"), [], detail.row_version)
    assert ngos.get_ngo(uow, ngo_id).phone == "02833334444"
    # ... but cannot move it to another county
    moved = replace(detail.to_input(), county_id=desk.counties[OTHER])
    with pytest.raises(PermissionDeniedError):
        ngos.update_ngo(uow, ngo_id, moved, [], detail.row_version + 1)
    assert ngos.get_ngo(desk.uow, ngo_id).county_id == own
    event_id = ev.create_event(
        uow, ev.EventInput("course", "دوره شهرستان", J(1402, 5, 1), county_id=own, training_hours=4)
    )
    event = ev.get_event(uow, event_id)
    with pytest.raises(PermissionDeniedError):
        ev.update_event(uow, event_id, replace(event.to_input(), county_id=None), event.row_version)
    ev.delete_event(uow, event_id)
    letter_id = lt.create_letter(
        uow, lt.LetterInput("incoming", "7", J(1402, 5, 1), "سمن", "درخواست", "other", county_id=own)
    )
    lt.delete_letter(uow, letter_id)
    with desk.uow as admin:
        users = set(
            admin.s.execute(select(AuditEntry.username).where(AuditEntry.record_id == ngo_id)).scalars()
        )
    assert users == {uow.actor.username}


def test_a_taken_national_id_in_another_county_is_refused_without_naming_it(desk, places, uow_as):
    uow = uow_as("county", county_id=desk.counties[OWN])
    taken = ngos.get_ngo(desk.uow, places[OTHER].ngo)
    data = ngos.NgoInput(taken.national_id, "انجمن دیگر", desk.counties[OWN], "county")
    with pytest.raises(DuplicateError) as info:
        ngos.validate_ngo(uow, data)
    assert taken.name not in info.value.message and info.value.record is None
    with pytest.raises(DuplicateError):
        ngos.create_ngo(uow, data)


def test_a_letter_number_of_another_county_is_free_in_ones_own_series(desk, places, uow_as):
    """Letter numbers are unique per county series (revision 0008): another county's number stands beside
    one's own; the same number twice in one's own series is a duplicate naming the series."""
    uow = uow_as("county", county_id=desk.counties[OWN])
    taken = lt.get_letter(desk.uow, places[OTHER].letter)
    own = lt.create_letter(uow, replace(taken.to_input(), ngo_id=None, county_id=desk.counties[OWN]))
    with pytest.raises(DuplicateError) as info:
        lt.create_letter(uow, replace(taken.to_input(), ngo_id=None, county_id=desk.counties[OWN]))
    assert info.value.record == own and f"دبیرخانه شهرستان {OWN}" in info.value.message


def test_links_to_another_countys_ngo_are_shown_hidden_and_kept(desk, places, uow_as):
    """A province clerk linked an NGO of البرز to an event and a letter of آبیک: the county user sees
    «سمن شهرستان دیگر» and saving the record keeps the link."""
    own, other_ngo = places[OWN], places[OTHER].ngo
    event = ev.get_event(desk.uow, own.event)
    ev.update_event(
        desk.uow,
        own.event,
        replace(event.to_input(), organizer_ngo_id=other_ngo, ngo_ids=(own.ngo, other_ngo)),
        event.row_version,
    )
    letter = lt.get_letter(desk.uow, own.letter)
    lt.update_letter(desk.uow, own.letter, replace(letter.to_input(), ngo_id=other_ngo), letter.row_version)

    uow = uow_as("county", county_id=desk.counties[OWN])
    seen = ev.get_event(uow, own.event)
    assert seen.organizer.name == ev.HIDDEN_NGO_LABEL
    assert sorted(n.name for n in seen.ngos) == sorted([ev.HIDDEN_NGO_LABEL, "انجمن مهرورزان آبیک"])
    [row] = [r for r in ev.list_event_page(uow) if r.id == own.event]
    assert row.organizer_name == ev.HIDDEN_NGO_LABEL and row.ngo_count == 2
    ev.update_event(uow, own.event, replace(seen.to_input(), title="نشست ویرایش‌شده"), seen.row_version)
    after = ev.get_event(desk.uow, own.event)
    assert after.organizer.id == other_ngo and {n.id for n in after.ngos} == {own.ngo, other_ngo}
    # a new link to an NGO the user cannot see is refused
    with pytest.raises(Exception) as info:
        ev.create_event(
            uow,
            ev.EventInput("session", "نشست", J(1402, 6, 1), county_id=own.county_id, ngo_ids=(other_ngo,)),
        )
    assert getattr(info.value, "field", None) == "ngo_ids"

    seen_letter = lt.get_letter(uow, own.letter)
    assert seen_letter.ngo_name == lt.HIDDEN_NGO_LABEL
    assert lt.list_letter_page(uow)[0].ngo_name == lt.HIDDEN_NGO_LABEL
    lt.update_letter(
        uow, own.letter, replace(seen_letter.to_input(), subject="موضوع تازه"), seen_letter.row_version
    )
    assert lt.get_letter(desk.uow, own.letter).ngo_id == other_ngo
