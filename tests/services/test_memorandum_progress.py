"""Progress reports: 0–100, never backwards in date order, not before signing; removal of the latest only
when no payment relies on it; scans through the attachments service (kind PROGRESS) in the memorandum's
county scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ostandari_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from ostandari_desk.services import attachments as att
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import payments as pay
from ostandari_desk.services.memoranda import progress as pr
from ostandari_desk.services.memoranda.progress import ProgressInput
from ostandari_desk.store.models import AuditEntry

from .memorandum_fixtures import counts, j, make_memo


@pytest.fixture
def memo(desk) -> str:
    return make_memo(desk, amount=1_000)


def _add(desk, memo_id, on, percent, note="", uow=None) -> str:
    return pr.add_progress(uow or desk.uow, ProgressInput(memo_id, on, percent, note))


def _refused(desk, data: ProgressInput, field: str, *words: str) -> str:
    before = counts(desk.engine)
    with pytest.raises(ValidationError) as caught:
        pr.add_progress(desk.uow, data)
    assert caught.value.field == field, caught.value.message
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert counts(desk.engine) == before
    assert pr.progress_errors(desk.uow, data)[0].field == field
    return caught.value.message


def test_reports_are_listed_oldest_first(desk, memo):
    _add(desk, memo, j(1403, 3, 1), 20, "  آغاز   کار ")
    _add(desk, memo, j(1403, 2, 1), 10)
    _add(desk, memo, j(1403, 4, 1), 100)
    d = ms.get_memorandum(desk.uow, memo)
    assert [(p.reported_on, p.percent) for p in d.progress] == [
        (j(1403, 2, 1), 10),
        (j(1403, 3, 1), 20),
        (j(1403, 4, 1), 100),
    ]
    assert d.progress[1].note == "آغاز کار" and d.ledger.progress_percent == 100


@pytest.mark.parametrize("percent", [-1, 101, None, 50.5, True])
def test_percent_is_a_whole_number_0_to_100(desk, memo, percent):
    _refused(desk, ProgressInput(memo, j(1403, 2, 1), percent), "percent", "۰ تا ۱۰۰")


def test_progress_going_backwards(desk, memo):
    _add(desk, memo, j(1403, 3, 1), 60)
    message = _refused(desk, ProgressInput(memo, j(1403, 4, 1), 40), "percent", "به عقب", "۶۰٪")
    assert "۴۰٪" in message
    _refused(desk, ProgressInput(memo, j(1403, 3, 1), 59), "percent", "به عقب")  # the same day
    # a report dated before a later one may not exceed it either
    _refused(desk, ProgressInput(memo, j(1403, 2, 1), 61), "percent", "گزارش بعدی")
    _add(desk, memo, j(1403, 2, 1), 60)
    _add(desk, memo, j(1403, 4, 1), 60)


def test_not_before_signing_and_a_memorandum_in_scope(desk, memo, uow_as):
    _refused(desk, ProgressInput(memo, j(1403, 1, 14), 10), "reported_on", "پیش از تاریخ انعقاد")
    _refused(desk, ProgressInput(memo, None, 10), "reported_on")
    unknown = ProgressInput("no-such-memo", j(1403, 2, 1), 10)
    assert pr.progress_errors(desk.uow, unknown)[0].field == "memorandum_id"
    with pytest.raises(NotFoundError):
        pr.add_progress(desk.uow, unknown)
    county_uow = uow_as("county", desk.counties["آبیک"])
    before = counts(desk.engine)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        _add(desk, memo, j(1403, 2, 1), 10, uow=county_uow)
    assert counts(desk.engine) == before
    own = make_memo(desk, county_id=desk.counties["آبیک"])
    _add(desk, own, j(1403, 2, 1), 10, uow=county_uow)


def test_only_the_latest_is_removed_and_not_while_a_payment_relies_on_it(desk, memo):
    first = _add(desk, memo, j(1403, 2, 1), 30)
    middle = _add(desk, memo, j(1403, 3, 1), 50)
    last = _add(desk, memo, j(1403, 5, 1), 80)
    with pytest.raises(ValidationError):
        pr.remove_progress(desk.uow, first)
    pay.add_payment(desk.uow, pay.PaymentInput(memo, j(1403, 2, 1), 1, 500))
    pay.add_payment(desk.uow, pay.PaymentInput(memo, j(1403, 4, 1), 2, 100))  # relies on the 50% report
    pr.remove_progress(desk.uow, last)  # tranche 2 was paid before it
    with pytest.raises(ValidationError) as caught:
        pr.remove_progress(desk.uow, middle)
    assert "مرحله ۲" in caught.value.message
    assert len(ms.get_memorandum(desk.uow, memo).progress) == 2


def test_scans_are_attachments_of_the_report(desk, memo, uow_as, tmp_path):
    report = _add(desk, memo, j(1403, 2, 1), 30)
    scan = tmp_path / "report.pdf"
    scan.write_bytes(b"%PDF-1.4 progress")
    attachment = att.add_attachment(desk.uow, att.PROGRESS, report, scan)
    assert [a.id for a in att.list_attachments(desk.uow, att.PROGRESS, report)] == [attachment]
    assert ms.get_memorandum(desk.uow, memo).progress[0].scans == 1
    assert att.attachment_path(desk.uow, att.PROGRESS, attachment).read_bytes() == b"%PDF-1.4 progress"
    # another county's user: the report's county is its memorandum's (a child of a child)
    other = uow_as("county", desk.counties["آبیک"])
    with pytest.raises(PermissionDeniedError):
        att.list_attachments(other, att.PROGRESS, report)
    with pytest.raises(PermissionDeniedError):
        att.add_attachment(other, att.PROGRESS, report, scan)
    with pytest.raises(PermissionDeniedError):
        att.attachment_path(other, att.PROGRESS, attachment)
    own_county = uow_as("county", desk.counties["قزوین"])
    assert len(att.list_attachments(own_county, att.PROGRESS, report)) == 1
    # the scan's history shows with the report's
    with desk.uow as uow:
        entry = uow.s.scalars(select(AuditEntry).where(AuditEntry.table_name == "progressattachment")).one()
        assert entry.owner_id == report
    stored = att.attachment_path(desk.uow, att.PROGRESS, attachment)
    pr.remove_progress(desk.uow, report)  # takes its scans with it
    assert not stored.exists()
    with pytest.raises(NotFoundError):
        att.list_attachments(desk.uow, att.PROGRESS, report)
