"""Two programs on one database (issue 7, finding 3): keys picked under the write lock, stale saves refused.

Each worker has its own engine (its own connection to the SQLite file or the PostgreSQL database, as a
second window or process would) and its own unit of work; they start together on a barrier.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from ostandari_desk.errors import ConcurrentEditError
from ostandari_desk.services import events, letters, transfer
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork
from tests.ngo_sheets import good_row, write_xlsx


@pytest.fixture
def second_engine(engine):
    """Another connection pool on the same database: another program."""
    second = open_database(engine.url.render_as_string(hide_password=False))
    yield second
    second.dispose()


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at once on threads; each one's result, or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _meet(barrier: threading.Barrier) -> None:
    """Wait for the other save at this point; alone after a second (it waits for the lock), go on."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass


def _ngo_count(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        ngos = conn.exec_driver_sql("SELECT count(*), count(DISTINCT seq) FROM ngo").one()
        search = "ngo_fts" if engine.dialect.name == "sqlite" else "ngo_search"  # the search index's rows
        indexed = conn.exec_driver_sql(f"SELECT count(*) FROM {search}").scalar()
    return ngos[0], ngos[1], indexed


# --- keys picked under the write lock --------------------------------------------------------------


def test_two_imports_at_once_both_succeed(desk, second_engine, actor, tmp_path):
    """Not «UNIQUE constraint failed: ngo.seq»: the second import waits, then numbers after the first."""
    first = write_xlsx(tmp_path / "a.xlsx", [good_row(n) for n in range(1, 601)])
    second = write_xlsx(tmp_path / "b.xlsx", [good_row(n) for n in range(601, 1201)])
    reports = _together(
        lambda: transfer.import_file(UnitOfWork(desk.engine, actor), "ngos", first),
        lambda: transfer.import_file(UnitOfWork(second_engine, actor), "ngos", second),
    )
    for report in reports:
        assert not isinstance(report, Exception), report
        assert report.added == 600 and not report.errors
    assert _ngo_count(desk.engine) == (1200, 1200, 1200)


def test_two_ngos_created_at_once_get_different_numbers(desk, second_engine, actor, monkeypatch):
    from ostandari_desk.services.ngos import commands

    real = commands.next_seq

    def slow_next_seq(uow):  # time for the other program to pick the same number, if it could
        seq = real(uow)
        time.sleep(0.3)
        return seq

    monkeypatch.setattr(commands, "next_seq", slow_next_seq)

    def create(engine, n: int) -> str:
        row = good_row(n)
        data = ngo_service.NgoInput(national_id=row[0], name=row[1], county_id=None, level="province")
        return ngo_service.create_ngo(UnitOfWork(engine, actor), data, [])

    results = _together(lambda: create(desk.engine, 1), lambda: create(second_engine, 2))
    assert not any(isinstance(r, Exception) for r in results), results
    assert _ngo_count(desk.engine) == (2, 2, 2)


# --- a stale save is refused -------------------------------------------------------------------------


def _letter(desk, subject: str = "هماهنگی") -> letters.LetterInput:
    return letters.LetterInput(
        direction="outgoing",
        number="۱۰۱",
        dated_on=date(2023, 4, 21),
        party="اداره کل بهزیستی",
        subject=subject,
        kind="support",
        county_id=desk.counties["آبیک"],
    )


def _event(desk, title: str = "دوره آموزشی") -> events.EventInput:
    return events.EventInput(
        kind="course", title=title, starts_on=date(2023, 4, 9), county_id=desk.counties["آبیک"]
    )


def _one_saved_one_refused(results: list[Any]) -> None:
    refused = [r for r in results if isinstance(r, ConcurrentEditError)]
    others = [r for r in results if isinstance(r, Exception) and not isinstance(r, ConcurrentEditError)]
    assert not others, others
    assert len(refused) == 1, "both saves went through: the first one was lost"
    assert "کاربر دیگری" in refused[0].message


def test_two_saves_of_one_letter_opened_at_one_version_the_second_is_refused(
    desk, second_engine, actor, monkeypatch
):
    letter_id = letters.create_letter(desk.uow, _letter(desk))
    opened = letters.get_letter(desk.uow, letter_id).row_version
    barrier = threading.Barrier(2, timeout=1)
    real = letters._check_unique

    def check_then_meet(uow, values, except_id):  # both have checked the version: now both write
        real(uow, values, except_id)
        _meet(barrier)

    monkeypatch.setattr(letters, "_check_unique", check_then_meet)
    results = _together(
        lambda: letters.update_letter(
            UnitOfWork(desk.engine, actor), letter_id, _letter(desk, "یکم"), opened
        ),
        lambda: letters.update_letter(
            UnitOfWork(second_engine, actor), letter_id, _letter(desk, "دوم"), opened
        ),
    )
    _one_saved_one_refused(results)
    saved = letters.get_letter(desk.uow, letter_id)
    assert saved.row_version == opened + 1
    assert saved.subject == ("یکم" if results[0] is None else "دوم")


def test_two_saves_of_one_event_opened_at_one_version_the_second_is_refused(
    desk, second_engine, actor, monkeypatch
):
    event_id = events.create_event(desk.uow, _event(desk))
    opened = events.get_event(desk.uow, event_id).row_version
    barrier = threading.Barrier(2, timeout=1)
    real = events.validate_event

    def validate_then_meet(*args, **kwargs):
        found = real(*args, **kwargs)
        _meet(barrier)
        return found

    monkeypatch.setattr(events, "validate_event", validate_then_meet)
    results = _together(
        lambda: events.update_event(UnitOfWork(desk.engine, actor), event_id, _event(desk, "یکم"), opened),
        lambda: events.update_event(UnitOfWork(second_engine, actor), event_id, _event(desk, "دوم"), opened),
    )
    _one_saved_one_refused(results)
    saved = events.get_event(desk.uow, event_id)
    assert saved.row_version == opened + 1
    assert saved.title == ("یکم" if results[0] is None else "دوم")


def test_every_update_of_a_versioned_record_names_the_version_it_replaces(desk, make_ngo):
    """``UPDATE ... WHERE id = ? AND row_version = ?``: the database itself refuses a stale save."""
    letter_id = letters.create_letter(desk.uow, _letter(desk))
    event_id = events.create_event(desk.uow, _event(desk))
    ngo_id = make_ngo()
    updates: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("UPDATE LETTER", "UPDATE EVENT ", "UPDATE NGO ")):
            updates.append(" ".join(statement.split()))

    event.listen(desk.engine, "before_cursor_execute", record)
    try:
        letters.update_letter(desk.uow, letter_id, _letter(desk, "دوباره"), 1)
        events.update_event(desk.uow, event_id, _event(desk, "دوباره"), 1)
        version = ngo_service.set_ngo_active(desk.uow, ngo_id, False, expected_version=1)
        ngo_service.set_ngo_active(desk.uow, ngo_id, True)  # the desk's own call: the version it reads
    finally:
        event.remove(desk.engine, "before_cursor_execute", record)
    assert version == 2
    assert len(updates) == 4
    for statement in updates:
        # "row_version = ?" (SQLite) or "row_version = %(row_version_2)s::INTEGER" (psycopg)
        assert re.search(r"row_version = (\?|%\(\w+\)s)", statement.split(" WHERE ", 1)[1]), statement


def test_the_ngo_list_row_carries_its_version_and_a_stale_toggle_is_refused(desk, make_ngo):
    ngo_id = make_ngo(name="انجمن پرستو")
    (row,) = ngo_service.list_ngo_page(desk.uow, ngo_service.NgoFilter())
    assert row.row_version == 1
    detail = ngo_service.get_ngo(desk.uow, ngo_id)
    ngo_service.update_ngo(  # someone saves the NGO after the list was shown
        desk.uow,
        ngo_id,
        ngo_service.NgoInput(
            national_id=detail.national_id,
            name=detail.name,
            county_id=detail.county_id,
            level=detail.level,
            registration_no=detail.registration_no,
            ceo_name=detail.ceo_name,
            phone="02833330000",
        ),
        [],
        detail.row_version,
    )
    with pytest.raises(ConcurrentEditError):
        ngo_service.set_ngo_active(desk.uow, ngo_id, False, expected_version=row.row_version)
    assert ngo_service.get_ngo(desk.uow, ngo_id).status == "active"
