"""The exchange page's history and summary (services.exchange.history) over stored desks, files and conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ostandari_desk.domain.text import persian_sort_key
from ostandari_desk.services.exchange import history
from ostandari_desk.store.models import ExchangeConflict, ExchangeDesk, ExchangeFile

T0 = datetime(2024, 11, 30, 12, 0, tzinfo=UTC)  # 1403/09/10


def _add_desk(uow, desk_id: str, county_id: str | None, **extra) -> None:
    with uow.writing():
        uow.s.add(
            ExchangeDesk(
                id=desk_id,
                province="قزوین",
                county_id=county_id,
                public_key="00" * 32,
                fingerprint="3f2a 91c0 0000 0000 0000 0000 0000 0001",
                **extra,
            )
        )
        uow.commit()


def _add_file(uow, desk_id: str, direction: str, kind: str, seq: int, at: datetime, **extra) -> str:
    with uow.writing():
        row = ExchangeFile(
            desk_id=desk_id, direction=direction, kind=kind, seq=seq, sha256=f"{seq:064x}", at=at, **extra
        )
        uow.s.add(row)
        uow.commit()
        return row.id


def _add_conflict(uow, desk_id: str, file_id: str, resolved: bool = False) -> None:
    with uow.writing():
        uow.s.add(
            ExchangeConflict(
                desk_id=desk_id,
                file_id=file_id,
                table_name="ngo",
                record_id="a" * 32,
                incoming_version=2,
                incoming="{}",
                local="{}",
                resolved_at=T0 if resolved else None,
                resolution="ours" if resolved else None,
            )
        )
        uow.commit()


@pytest.fixture
def exchanged(desk):
    """Two county desks registered at the province: البرز with two files and a conflict, آبیک with one file."""
    alborz, abyek = desk.counties["البرز"], desk.counties["آبیک"]
    _add_desk(desk.uow, "d" * 32, alborz, sent_seq=1, received_seq=1, acked_seq=1)
    _add_desk(desk.uow, "e" * 32, abyek, sent_seq=1)
    sent = _add_file(
        desk.uow, "d" * 32, "sent", "changes", 1, T0, records=40, acked_at=T0 + timedelta(days=1)
    )
    got = _add_file(
        desk.uow,
        "d" * 32,
        "received",
        "changes",
        1,
        T0 + timedelta(hours=2),
        records=7,
        applied=5,
        conflicts=2,
    )
    _add_file(desk.uow, "d" * 32, "received", "receipt", 1, T0 + timedelta(days=1), records=40)
    _add_file(desk.uow, "e" * 32, "sent", "changes", 1, T0 + timedelta(days=2), records=3)
    _add_conflict(desk.uow, "d" * 32, got)
    _add_conflict(desk.uow, "d" * 32, got, resolved=True)
    return {"sent": sent, "got": got}


def test_files_newest_first_with_their_peer_and_open_conflicts(desk, exchanged):
    rows = history.list_files(desk.uow)
    assert [(r.peer, r.direction, r.kind, r.seq) for r in rows] == [
        ("آبیک", "sent", "changes", 1),
        ("البرز", "received", "receipt", 1),
        ("البرز", "received", "changes", 1),
        ("البرز", "sent", "changes", 1),
    ]
    got = next(r for r in rows if r.id == exchanged["got"])
    assert (got.records, got.applied, got.conflicts, got.open_conflicts) == (7, 5, 2, 1)
    assert got.direction_label == "دریافتی" and got.kind_label == "پرونده تبادل"
    assert got.acked_text == "رسید نوشته نشده"  # no receipt written for it yet
    sent = next(r for r in rows if r.id == exchanged["sent"])
    assert sent.acked and sent.acked_text.startswith("۱۴۰۳/۰۹/۱۱")
    assert rows[0].acked_text == "در انتظار رسید" and not rows[0].acked
    assert rows[1].kind_label == "رسید" and rows[1].acked_text == "—"


def test_times_are_jalali_with_persian_digits():
    text = history.jalali_time(T0)
    assert text.startswith(("۱۴۰۳/۰۹/۱۰", "۱۴۰۳/۰۹/۱۱"))  # local time may pass midnight
    assert not any(ch.isascii() and ch.isdigit() for ch in text)
    assert history.jalali_time(None) == ""


def test_summary_per_desk(desk, exchanged):
    summary = history.exchange_summary(desk.uow)
    assert summary.open_conflicts == 1
    by_county = {d.peer: d for d in summary.desks}
    alborz = by_county["البرز"]
    assert alborz.county == "البرز" and alborz.county_id == desk.counties["البرز"]
    assert (alborz.sent_seq, alborz.received_seq, alborz.acked_seq, alborz.open_conflicts) == (1, 1, 1, 1)
    assert alborz.last_sent_at == T0 and alborz.last_received_at == T0 + timedelta(hours=2)
    abyek = by_county["آبیک"]
    assert abyek.unacked == 1 and abyek.last_received_at is None and abyek.open_conflicts == 0
    names = [d.peer for d in summary.desks]
    assert names == sorted(["آبیک", "البرز"], key=persian_sort_key)  # the project's Persian order


def test_the_province_desk_is_named_as_such(desk):
    _add_desk(desk.uow, "f" * 32, None)
    [row] = history.exchange_summary(desk.uow).desks
    assert row.peer == "استان قزوین" and row.county is None and row.county_id is None


def test_nothing_registered_yet(desk):
    assert history.list_files(desk.uow) == []
    summary = history.exchange_summary(desk.uow)
    assert summary.open_conflicts == 0 and summary.desks == ()


def test_a_county_user_sees_only_their_county(desk, exchanged, uow_as):
    county_uow = uow_as("county", desk.counties["آبیک"])
    rows = history.list_files(county_uow)
    assert {r.peer for r in rows} == {"آبیک"}
    summary = history.exchange_summary(county_uow)
    assert [d.peer for d in summary.desks] == ["آبیک"] and summary.open_conflicts == 0


def test_a_clerk_reads_the_history(desk, exchanged, uow_as):
    assert len(history.list_files(uow_as("clerk"))) == 4


def _result(**values):
    from types import SimpleNamespace

    base = {
        "kind": "changes",
        "desk": SimpleNamespace(label="میز شهرستان آبیک"),
        "seq": 3,
        "records": 12,
        "applied": 9,
        "unchanged": 1,
        "deleted": 1,
        "conflicts": 1,
        "already_received": False,
    }
    return SimpleNamespace(**(base | values))


def test_describing_an_import():
    lines = history.describe_import(_result())
    assert lines[0] == "پرونده تبادل شماره ۳ از میز شهرستان آبیک دریافت شد: ۱۲ رکورد."
    assert lines[1] == "اعمال شد: ۹؛ بی‌تغییر: ۱؛ حذف شد: ۱؛ ناسازگاری: ۱."
    assert "در انتظار تصمیم" in lines[2]
    assert len(history.describe_import(_result(conflicts=0))) == 2
    [again] = history.describe_import(_result(already_received=True))
    assert "پیش‌تر دریافت شده" in again and "چیزی تغییر نکرد" in again
    [receipt] = history.describe_import(_result(kind="receipt", records=40, applied=2))
    assert receipt.startswith("رسید شماره ۳ از میز شهرستان آبیک دریافت شد: ۴۰ رکورد از ۲ پرونده")
