"""Every list searches as the NGO list does (services/search.py): «موسسه» finds «مؤسسه…», «مردمنهاد» finds
«مردم‌نهاد», on SQLite and PostgreSQL; the stored keys are the services' own wherever a record is written
(the services, a sheet's import, the exchange)."""

from __future__ import annotations

import csv
from datetime import time

import pytest
from ngo_sheets import EVENT_HEADERS, LETTER_HEADERS

from ostandari_desk.domain import text
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.services import events as ev
from ostandari_desk.services import letters as lt
from ostandari_desk.services import search, transfer
from ostandari_desk.services.exchange import tables
from ostandari_desk.services.inspections import centres as cs
from ostandari_desk.services.inspections import visit_reads, visits
from ostandari_desk.services.memoranda import listing
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import offices as of
from ostandari_desk.services.transfer import centres as t_centres
from ostandari_desk.services.transfer import events as t_events
from ostandari_desk.services.transfer import letters as t_letters
from ostandari_desk.services.transfer import memoranda as t_memoranda

from .inspection_fixtures import category_id
from .memorandum_fixtures import make_memo, memo_input
from .test_transfer_inspections import CENTRE_HEADERS, centre_row
from .test_transfer_memoranda import MEMO_HEADERS, memo_row

HAMZA = "مؤسسه خیریه نور"
HALF = "انجمن مردم\u200cنهاد امید"
# what the clerk types -> which of the two records it finds
TYPED = {
    "موسسه": {HAMZA},
    "مؤسسه": {HAMZA},
    "خيريه": {HAMZA},  # Arabic ي
    "مردمنهاد": {HALF},
    "مردم\u200cنهاد": {HALF},
    "مردم نهاد": {HALF},
    "نهاد": {HALF},
    "مسئولیت": set(),
}


def _found(records: dict[str, str], ids_for) -> dict[str, set[str]]:
    """{typed: the records (by name) its search finds}, ``ids_for(typed)`` giving the ids found."""
    names = {record_id: name for name, record_id in records.items()}
    return {typed: {names[i] for i in ids_for(typed)} for typed in TYPED}


def test_letters(desk):
    def letter(number: str, party: str, subject: str) -> str:
        data = lt.LetterInput("incoming", number, J(1403, 2, 1), party, subject, "support")
        return lt.create_letter(desk.uow, data)

    records = {HAMZA: letter("101", HAMZA, "درخواست همکاری"), HALF: letter("102", "فرمانداری", HALF)}
    assert (
        _found(records, lambda q: {r.id for r in lt.list_letter_page(desk.uow, lt.LetterFilter(text=q))})
        == TYPED
    )
    assert lt.count_letters(desk.uow, lt.LetterFilter(text="موسسه")) == 1
    assert lt.get_letter(desk.uow, records[HAMZA]).party == HAMZA  # the name keeps its hamza


def test_events(desk):
    def event(title: str) -> str:
        return ev.create_event(desk.uow, ev.EventInput("course", title, J(1403, 2, 1)))

    records = {HAMZA: event(f"دوره {HAMZA}"), HALF: event(f"همایش {HALF}")}
    assert (
        _found(records, lambda q: {r.id for r in ev.list_event_page(desk.uow, ev.EventFilter(text=q))})
        == TYPED
    )
    assert ev.count_events(desk.uow, ev.EventFilter(text="مردمنهاد")) == 1
    assert ev.get_event(desk.uow, records[HALF]).title == f"همایش {HALF}"  # the half-space kept


def test_memoranda(desk):
    records = {
        HAMZA: make_memo(desk, title=f"توانمندسازی {HAMZA}"),
        HALF: make_memo(desk, title=f"طرح محله‌محور {HALF}"),
    }

    def ids(q: str) -> set[str]:
        return {r.id for r in listing.list_memorandum_page(desk.uow, listing.MemorandumFilter(search=q))}

    assert _found(records, ids) == TYPED
    assert listing.count_memoranda(desk.uow, listing.MemorandumFilter(search="مردمنهاد")) == 1


def test_offices(desk):
    county = desk.counties["قزوین"]
    records = {
        HAMZA: of.create_office(desk.uow, of.OfficeInput(f"دفتر {HAMZA}", county), today=J(1403, 6, 1)),
        # the neighbourhoods are searched as well as the name
        HALF: of.create_office(
            desk.uow, of.OfficeInput("دفتر پونک", county, neighbourhoods=HALF), today=J(1403, 6, 1)
        ),
    }

    def ids(q: str) -> set[str]:
        return {r.id for r in of.list_office_page(desk.uow, of.OfficeFilter(search=q))}

    assert _found(records, ids) == TYPED
    assert of.count_offices(desk.uow, of.OfficeFilter(search="موسسه")) == 1


@pytest.fixture
def two_centres(desk) -> dict[str, str]:
    def centre(code: str, name: str, operator: str = "") -> str:
        data = cs.CentreInput(code, name, category_id(desk.uow), desk.counties["آبیک"], operator=operator)
        return cs.create_centre(desk.uow, data)

    return {HAMZA: centre("M-1", HAMZA, operator="شرکت نور"), HALF: centre("M-2", f"کمپ {HALF}")}


def test_centres(desk, two_centres):
    def ids(q: str) -> set[str]:
        return {r.id for r in cs.list_centre_page(desk.uow, cs.CentreFilter(search=q))}

    assert _found(two_centres, ids) == TYPED
    assert cs.count_centres(desk.uow, cs.CentreFilter(search="مردمنهاد")) == 1


def test_visits_by_their_centre(desk, two_centres):
    by_centre = {}
    for name, centre_id in two_centres.items():
        data = visits.VisitInput(
            centre_id=centre_id,
            on=J(1403, 5, 1),
            at=time(10, 30),
            announced=False,
            inspectors=("علی رضایی",),
            answers={},
            score=65,
            result_override="نیازمند اصلاح",
            correction_deadline=J(1403, 6, 1),
        )
        by_centre[name] = visits.create_visit(desk.uow, data, today=J(1403, 6, 1))

    def ids(q: str) -> set[str]:
        return {r.id for r in visit_reads.list_visit_page(desk.uow, visit_reads.VisitFilter(text=q))}

    assert _found(by_centre, ids) == TYPED
    assert visit_reads.count_visits(desk.uow, visit_reads.VisitFilter(text="موسسه")) == 1
    assert visit_reads.count_visits(desk.uow, visit_reads.VisitFilter(text="m-2")) == 1  # the code, any case


def test_the_ngo_picker(desk, make_ngo):
    records = {HAMZA: make_ngo(name=HAMZA), HALF: make_ngo(name=HALF)}
    assert _found(records, lambda q: {r.id for r in ev.search_ngos(desk.uow, q)}) == TYPED


def test_a_word_needing_every_fold_at_once(desk):
    """Every letter fold, every dropped mark, Latin case and another digit form for one word: the SQL stays
    within SQLite's nesting limit and the word is found."""
    stored = "Aهؤائي\u0651۱۴۰۲"  # ؤ ئ ي, a shadda, Persian digits, a capital
    typed = "aهوایی1402"  # as the clerk would type it
    assert text.search_key(stored) == typed
    data = cs.CentreInput("Z-9", "مرکز آزمون", category_id(desk.uow), desk.counties["آبیک"], operator=stored)
    centre = cs.create_centre(desk.uow, data)
    found = cs.list_centre_page(desk.uow, cs.CentreFilter(search=typed))
    assert [r.id for r in found] == [centre]
    assert cs.list_centre_page(desk.uow, cs.CentreFilter(search="aهوایی1403")) == []


# --- the stored keys: the same function wherever a record is written ---------------------------------------


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def _sheets(monkeypatch):
    monkeypatch.setitem(transfer.KINDS, "events", t_events.KIND)
    monkeypatch.setitem(transfer.KINDS, "letters", t_letters.KIND)
    monkeypatch.setitem(transfer.KINDS, "memoranda", t_memoranda.KIND)
    monkeypatch.setitem(transfer.KINDS, "centres", t_centres.KIND)


def test_an_edited_memorandum_or_centre_is_found_by_its_new_words_only(desk, two_centres):
    memo = make_memo(desk, title=f"توانمندسازی {HAMZA}")
    version = ms.get_memorandum(desk.uow, memo).row_version
    ms.update_memorandum(desk.uow, memo, memo_input(desk, number="ت-۹۰", title=f"طرح {HALF}"), version)

    def memoranda(typed: str) -> int:
        return listing.count_memoranda(desk.uow, listing.MemorandumFilter(search=typed))

    assert (memoranda("موسسه"), memoranda("مردمنهاد"), memoranda("ت-90")) == (0, 1, 1)
    centre = cs.get_centre(desk.uow, two_centres[HAMZA])
    data = cs.CentreInput("M-7", "کارگاه پونک", centre.category_id, centre.county_id, operator=HALF)
    cs.update_centre(desk.uow, centre.id, data, centre.row_version)

    def centres(typed: str) -> set[str]:
        return {r.id for r in cs.list_centre_page(desk.uow, cs.CentreFilter(search=typed))}

    assert centres("موسسه") == set()  # the old name and operator left the key
    assert centres("مردمنهاد") == set(two_centres.values())  # the new operator, the other centre's name
    assert centres("m-7") == {centre.id}


def test_imported_memoranda_and_centres_are_found(desk, tmp_path, _sheets):
    memoranda_sheet = _write_csv(
        tmp_path / "memoranda.csv", [MEMO_HEADERS, [*memo_row("ت-۵۵")[:1], f"طرح {HAMZA}", *memo_row()[2:]]]
    )
    report = transfer.import_file(desk.uow, "memoranda", memoranda_sheet)
    assert report.added == 1, report.errors
    assert listing.count_memoranda(desk.uow, listing.MemorandumFilter(search="موسسه ت-55")) == 1
    centres_sheet = _write_csv(tmp_path / "centres.csv", [CENTRE_HEADERS, centre_row(operator=HALF)])
    report = transfer.import_file(desk.uow, "centres", centres_sheet)
    assert report.added == 1, report.errors
    assert cs.count_centres(desk.uow, cs.CentreFilter(search="مردمنهاد ksh-1")) == 1


def test_imported_letters_and_events_are_found_and_not_imported_twice(desk, tmp_path, _sheets):
    letters_sheet = _write_csv(
        tmp_path / "letters.csv",
        [LETTER_HEADERS, ["77", "1401/7/1", "وارده", "سایر", HAMZA, f"دعوت {HALF}", "", ""]],
    )
    assert transfer.import_file(desk.uow, "letters", letters_sheet).added == 1
    for typed in ("موسسه", "مردمنهاد"):
        assert lt.count_letters(desk.uow, lt.LetterFilter(text=typed)) == 1
    # an event stored by the service, then the same event in a sheet: the import matches it by its title key
    ev.create_event(desk.uow, ev.EventInput("course", f"دوره {HALF}", J(1401, 6, 9)))
    events_sheet = _write_csv(
        tmp_path / "events.csv",
        [
            EVENT_HEADERS,
            [f"دوره {HALF}", "دوره آموزشی", "1401/6/9", "", "استان", "", "", "", ""],
            [f"همایش {HAMZA}", "همایش", "1401/6/10", "", "استان", "", "", "", ""],
        ],
    )
    report = transfer.import_file(desk.uow, "events", events_sheet)
    assert (report.added, report.unchanged) == (1, 1), report.errors
    assert ev.count_events(desk.uow, ev.EventFilter(text="موسسه")) == 1
    assert ev.count_events(desk.uow, ev.EventFilter(text="مردمنهاد")) == 1


def test_the_exchange_derives_the_keys_with_the_services_functions():
    letter = tables.derive(tables.BY_NAME["letter"], {"number": "12/ص", "party": HAMZA, "subject": HALF})
    assert letter == {"search_text": lt.search_text_of("12/ص", HAMZA, HALF)}
    assert "موسسه" in letter["search_text"] and "مردمنهاد" in letter["search_text"]
    event = tables.derive(tables.BY_NAME["event"], {"title": HALF})
    assert event["title_key"] == ev.title_key_of(HALF) == text.search_key(HALF)
    memo = tables.derive(tables.BY_NAME["memorandum"], {"number": "ت-۱", "title": HAMZA})
    assert memo["search_text"] == ms.search_text_of("ت-۱", HAMZA) == text.search_key(f"ت-۱ {HAMZA}")
    centre = tables.derive(tables.BY_NAME["centre"], {"code": "AB-1", "name": HALF, "operator": HAMZA})
    assert centre["search_text"] == cs.search_text_of("AB-1", HALF, HAMZA)
    assert "موسسه" in centre["search_text"] and "مردمنهاد" in centre["search_text"]


# --- the fold in SQL is search_key's --------------------------------------------------------------------


def _sql_fold_in_python(shown: str) -> str:
    """What services.search does to a stored text in SQL (every letter fold, every dropped mark), here."""
    for old, new in search.LETTER_FOLDS:
        shown = shown.replace(old, new)
    for mark in search.DROPPED:
        shown = shown.replace(mark, "")
    return shown.lower()


def test_the_sql_fold_is_search_keys_on_every_arabic_letter_and_mark():
    """For every character of the Arabic block and the joiners, between two letters: folding the stored
    (``text.clean``) form as the SQL does gives ``text.search_key``, but for the digits (looked for in their
    three forms instead) and the rare marks left out to stay within SQLite's nesting limit."""
    differ = set()
    for cp in [*range(0x0600, 0x0700), 0x200B, 0x200C, 0x200D]:
        shown = text.clean(f"ب{chr(cp)}ب")
        if _sql_fold_in_python(shown) != text.search_key(shown):
            differ.add(chr(cp))
    digits = set("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
    assert differ - digits == {"\u0653", *map(chr, range(0x0656, 0x0660))}


def test_words_and_matches():
    assert search.words(" مؤسسه   مردم\u200cنهاد ") == ["موسسه", "مردمنهاد"]
    assert search.matches("موسسه مردمنهاد", "کاربر مؤسسه", "مردم\u200cنهاد")
    assert not search.matches("موسسه نور", HAMZA.replace("نور", "امید"))
    assert search.matches("", "هر چیز")
