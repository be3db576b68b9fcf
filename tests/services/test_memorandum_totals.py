"""Memorandum's derived ``paid_total`` and ``latest_progress`` (migration 0007): database triggers on payment
and progressreport keep them in step through every writer — the services, a raw statement, a row moved to
another memorandum — without a line of history and without bumping the memorandum's row_version."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from ostandari_desk.services.memoranda import payments as pay
from ostandari_desk.services.memoranda import progress as pr
from ostandari_desk.store.models import AuditEntry, Memorandum

from .memorandum_fixtures import j, make_memo

AMOUNT = 1_000_000_000


def totals(desk, memo_id: str) -> tuple[int, int, int]:
    """(paid_total, latest_progress, row_version) as stored."""
    with desk.engine.connect() as conn:
        m = Memorandum.__table__.c
        row = conn.execute(
            select(m.paid_total, m.latest_progress, m.row_version).where(m.id == memo_id)
        ).one()
    return tuple(row)  # type: ignore[return-value]


def test_the_services_keep_paid_and_progress_without_history_or_a_new_version(desk):
    memo = make_memo(desk, amount=AMOUNT)
    assert totals(desk, memo) == (0, 0, 1)
    first = pay.add_payment(desk.uow, pay.PaymentInput(memo, j(1403, 2, 1), 1, 400_000_000))
    assert totals(desk, memo) == (400_000_000, 0, 1)
    pr.add_progress(desk.uow, pr.ProgressInput(memo, j(1403, 3, 1), 30))
    latest = pr.add_progress(desk.uow, pr.ProgressInput(memo, j(1403, 4, 1), 60))
    second = pay.add_payment(desk.uow, pay.PaymentInput(memo, j(1403, 4, 2), 2, 350_000_000))
    assert totals(desk, memo) == (750_000_000, 60, 1)
    pay.remove_payment(desk.uow, second)
    assert totals(desk, memo) == (400_000_000, 60, 1)
    pr.remove_progress(desk.uow, latest)
    assert totals(desk, memo) == (400_000_000, 30, 1)
    pay.remove_payment(desk.uow, first)
    assert totals(desk, memo) == (0, 30, 1)
    with desk.engine.connect() as conn:
        changes = conn.execute(select(AuditEntry.changes)).scalars().all()
    assert changes and not any("paid_total" in c or "latest_progress" in c for c in changes)


def test_a_raw_writer_and_a_row_moved_to_another_memorandum_recompute_both(desk, db_path):
    one, two = make_memo(desk, amount=AMOUNT), make_memo(desk, amount=AMOUNT)
    pay.add_payment(desk.uow, pay.PaymentInput(one, j(1403, 2, 1), 1, 100))
    pr.add_progress(desk.uow, pr.ProgressInput(one, j(1403, 2, 1), 70))
    pay.add_payment(desk.uow, pay.PaymentInput(one, j(1403, 2, 2), 2, 20))
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("UPDATE payment SET memorandum_id = ?, tranche_no = 1 WHERE tranche_no = 2", (two,))
        conn.execute("UPDATE progressreport SET memorandum_id = ?", (two,))
        conn.commit()
        assert totals(desk, one)[:2] == (100, 0) and totals(desk, two)[:2] == (20, 70)
        conn.execute("UPDATE payment SET amount = amount * 3")
        conn.execute("UPDATE progressreport SET percent = 90")
        conn.commit()
        assert totals(desk, one)[:2] == (300, 0) and totals(desk, two)[:2] == (60, 90)
        conn.execute("DELETE FROM payment WHERE memorandum_id = ?", (two,))
        conn.execute("DELETE FROM progressreport")
        conn.commit()
        assert totals(desk, two) == (0, 0, 1)
    finally:
        conn.close()
