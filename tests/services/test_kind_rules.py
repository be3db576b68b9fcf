"""One rule per kind, kept once: the dialog's path (the create service) and the sheet's import refuse the
same input with the same message, the import naming the row and the column of the field.

Each test fails if either path loses the rule: the service would store the record, or the import would
store the row (or name another reason).
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from ngo_sheets import EVENT_HEADERS, HEADERS, LETTER_HEADERS, good_row, nid

from ostandari_desk.errors import ValidationError
from ostandari_desk.services import events as ev
from ostandari_desk.services import letters as lt
from ostandari_desk.services import ngos, transfer
from ostandari_desk.services.ngos.rows import NgoInput
from ostandari_desk.services.transfer.sheets import RowError


def _write_csv(path, headers, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([headers, *rows])
    return path


def _refused_by_both(desk, tmp_path, kind, headers, row, create) -> tuple[ValidationError, RowError]:
    """The service's error and the import's only row error for the same input; nothing stored by either."""
    with pytest.raises(ValidationError) as refused:
        create()
    report = transfer.import_file(desk.uow, kind, _write_csv(tmp_path / f"{kind}.csv", headers, [row]))
    assert not report.stored and report.added == 0
    assert len(report.errors) == 1, report.errors
    return refused.value, report.errors[0]


def test_an_event_ending_before_it_starts(desk, tmp_path):
    data = ev.EventInput(
        kind="session", title="نشست هم‌اندیشی", starts_on=date(2023, 5, 10), ends_on=date(2023, 5, 9)
    )
    row = ["نشست هم‌اندیشی", "نشست", "1402/02/20", "1402/02/19", "استان", "", "", "", ""]
    exc, error = _refused_by_both(
        desk, tmp_path, "events", EVENT_HEADERS, row, lambda: ev.create_event(desk.uow, data)
    )
    assert exc.field == "ends_on"
    assert error == RowError(2, "تاریخ پایان", exc.message)
    assert ev.count_events(desk.uow) == 0


def test_a_letter_without_a_number(desk, tmp_path):
    data = lt.LetterInput(
        direction="incoming",
        number=" ",
        dated_on=date(2023, 5, 10),
        party="فرمانداری",
        subject="دعوت",
        kind="other",
    )
    row = ["", "1402/02/20", "وارده", "سایر", "فرمانداری", "دعوت", "", ""]
    exc, error = _refused_by_both(
        desk, tmp_path, "letters", LETTER_HEADERS, row, lambda: lt.create_letter(desk.uow, data)
    )
    assert exc.field == "number"
    assert error == RowError(2, "شماره نامه", exc.message)
    assert lt.count_letters(desk.uow) == 0


def test_an_ngo_phone_of_five_digits(desk, tmp_path):
    row = good_row(1, nid())
    row[9] = "12345"
    data = NgoInput(
        national_id=nid(), name="انجمن نمونه", county_id=desk.counties["آبیک"], level="county", phone="12345"
    )
    exc, error = _refused_by_both(
        desk, tmp_path, "ngos", HEADERS, row, lambda: ngos.create_ngo(desk.uow, data)
    )
    assert exc.field == "phone"
    assert error == RowError(2, "تلفن", exc.message)
    assert "۸ تا ۱۱ رقم" in exc.message
    assert ngos.count_ngos(desk.uow, ngos.NgoFilter()) == 0
    # a phone with its usual separators is fine in the form
    ok = NgoInput(
        national_id=nid(), name="انجمن نمونه", county_id=None, level="province", phone="۰۲۸-۳۳۳۳۴۴۴۴"
    )
    assert ngos.validate_ngo(desk.uow, ok) == []


def test_every_rule_a_row_breaks_is_reported_once_per_column(desk, tmp_path):
    """The import keeps reporting every broken rule of a row (the validators return them all)."""
    row = ["", "نشست", "1402/02/20", "1402/02/19", "استان", "", "-3", "4", ""]
    path = _write_csv(tmp_path / "events.csv", EVENT_HEADERS, [row])
    report = transfer.import_file(desk.uow, "events", path)
    columns = [e.column for e in report.errors]
    assert columns == ["عنوان", "تاریخ پایان", "تعداد شرکت‌کنندگان", "ساعت آموزش"]
    data = ev.EventInput(
        kind="session",
        title="",
        starts_on=date(2023, 5, 10),
        ends_on=date(2023, 5, 9),
        attendees=-3,
        training_hours=4,
    )
    with desk.uow:
        fields = [e.field for e in ev.event_errors(desk.uow, data)]
    assert fields == ["title", "ends_on", "attendees", "training_hours"]
