"""Two clerks on one PostgreSQL database save the same NGO: the second save is refused and nothing is lost.

Each clerk has their own engine (their own connections to the server, as two desks on two computers) and
their own unit of work. First the plain case (one saves, then the other), then the two UPDATEs truly
overlapping: the second waits on the first's row lock, and once the first commits it finds no row still at
the version it opened (READ COMMITTED re-reads the row), so it is refused rather than writing over the first.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from sqlalchemy import text

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.errors import ConcurrentEditError
from ostandari_desk.services import ngos, setup
from ostandari_desk.services.versioned import save_versioned
from ostandari_desk.store.models import Ngo
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres

MARYAM = Actor(username="maryam", full_name="مریم احمدی", role=Role.CLERK)
REZA = Actor(username="reza", full_name="رضا کاظمی", role=Role.CLERK)


@pytest.fixture
def clerks(pg_url):
    """Two engines on one fresh server database, set up for قزوین, holding one NGO: (maryam's, reza's, id)."""
    first, second = open_database(pg_url), open_database(pg_url)
    assert first.url.get_backend_name() == "postgresql"
    admin = Actor(username="boss", full_name="مدیر", role=Role.ADMIN)
    setup.initialize(UnitOfWork(first, admin), "قزوین", office_name="اداره کل امور اجتماعی")
    data = ngos.NgoInput(
        national_id="10380284790",
        name="انجمن یاوران سلامت",
        county_id=None,
        level="province",
        phone="02833330000",
    )
    ngo_id = ngos.create_ngo(UnitOfWork(first, admin), data, [])
    yield first, second, ngo_id, data
    first.dispose()
    second.dispose()


def _updates(engine, ngo_id: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT username, changes FROM auditentry WHERE table_name = 'ngo' AND record_id = :id "
                "AND action = 'update' ORDER BY at"
            ),
            {"id": ngo_id},
        )
        return [tuple(row) for row in rows]


def test_the_second_clerks_save_is_refused_and_the_first_stands(clerks):
    maryam_engine, reza_engine, ngo_id, data = clerks
    opened_by_maryam = ngos.get_ngo(UnitOfWork(maryam_engine, MARYAM), ngo_id)
    opened_by_reza = ngos.get_ngo(UnitOfWork(reza_engine, REZA), ngo_id)
    assert opened_by_maryam.row_version == opened_by_reza.row_version == 1

    ngos.update_ngo(
        UnitOfWork(maryam_engine, MARYAM),
        ngo_id,
        dataclasses.replace(data, phone="02833331111"),
        [],
        opened_by_maryam.row_version,
    )
    with pytest.raises(ConcurrentEditError) as refused:
        ngos.update_ngo(
            UnitOfWork(reza_engine, REZA),
            ngo_id,
            dataclasses.replace(data, phone="02833332222", name="انجمن یاوران سلامت قزوین"),
            [],
            opened_by_reza.row_version,
        )
    assert "کاربر دیگری" in refused.value.message

    seen_by_reza = ngos.get_ngo(UnitOfWork(reza_engine, REZA), ngo_id)  # through the other connection
    assert (seen_by_reza.phone, seen_by_reza.name, seen_by_reza.row_version) == (
        "02833331111",
        "انجمن یاوران سلامت",
        2,
    )
    updates = _updates(reza_engine, ngo_id)
    assert [username for username, _ in updates] == ["maryam"]
    assert "02833331111" in updates[0][1] and "02833332222" not in updates[0][1]


def _blocked_on_a_lock(engine, timeout: float = 10.0) -> bool:
    """Whether another session on this database waits for a lock (the second clerk's UPDATE)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            conn.rollback()  # a fresh snapshot of the activity view each time
            if waiting:
                return True
            time.sleep(0.02)
    return False


def test_overlapping_saves_the_second_waits_for_the_first_then_is_refused(clerks):
    maryam_engine, reza_engine, ngo_id, data = clerks
    opened = ngos.get_ngo(UnitOfWork(maryam_engine, MARYAM), ngo_id).row_version
    outcome: list[BaseException | None] = []

    def reza_saves() -> None:
        try:
            ngos.update_ngo(
                UnitOfWork(reza_engine, REZA),
                ngo_id,
                dataclasses.replace(data, phone="02833332222"),
                [],
                opened,
            )
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            outcome.append(exc)

    maryam = UnitOfWork(maryam_engine, MARYAM)
    reza = threading.Thread(target=reza_saves)
    with maryam.writing():
        record = maryam.get(Ngo, ngo_id)
        save_versioned(maryam, record, opened, {"phone": "02833331111"}, "ذخیره شد")
        # Maryam's UPDATE holds the row's lock until she commits: Reza's UPDATE of the same row waits
        reza.start()
        assert _blocked_on_a_lock(maryam_engine), "the second UPDATE did not wait for the first's row lock"
        assert not outcome
        maryam.commit()
    reza.join(30)
    assert not reza.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ConcurrentEditError), outcome

    saved = ngos.get_ngo(UnitOfWork(reza_engine, REZA), ngo_id)
    assert (saved.phone, saved.row_version) == ("02833331111", opened + 1)
    assert [username for username, _ in _updates(maryam_engine, ngo_id)] == ["maryam"]
