"""``demo --replace`` keeps every committed edit: the old database is copied with SQLite's backup API, its
WAL included, and never replaced while another program has it open (issue 7, finding 4)."""

from __future__ import annotations

import sqlite3

from cli.conftest import ADMIN, ADMIN_PASSWORD
from ostandari_desk.cli import main

EDITS = 100


def _add_ngos(db, count: int) -> None:
    from ostandari_desk.domain.ids import make_legal_national_id
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.ngos import NgoInput, create_ngo
    from ostandari_desk.services.session import open_desk, unit_of_work

    engine = open_desk(db)
    try:
        for n in range(count):
            data = NgoInput(
                national_id=make_legal_national_id(str(2_095_000_000 + n)),
                name=f"انجمن ویرایش‌شده {n}",
                county_id=None,
                level="province",
            )
            create_ngo(unit_of_work(engine, SYSTEM), data, [])
    finally:
        engine.dispose()


def _edited(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM ngo WHERE address LIKE 'نشانی تازه %'").fetchone()[0]
    finally:
        conn.close()


def test_replace_keeps_edits_still_in_the_wal_and_waits_for_the_other_program(db, tmp_path, capsys, sign_in):
    _add_ngos(db, EDITS)
    holder = sqlite3.connect(db)  # another program, e.g. the desk's window, with 100 saves in its WAL
    holder.execute("PRAGMA wal_autocheckpoint=0")
    for n in range(1, EDITS + 1):
        holder.execute("UPDATE ngo SET address = ? WHERE seq = ?", (f"نشانی تازه {n}", n))
        holder.commit()
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0
    sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        # The old code moved the file and deleted this -wal: its safety copy lacked the 100 edits.
        assert main(["demo", "--replace", "--db", str(db)]) == 2
        assert "برنامه دیگری باز است" in capsys.readouterr().err
        assert list(tmp_path.glob("cli.before-demo-*")) == []
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".building")] == []
        assert _edited(db) == EDITS  # nothing was lost or replaced
    finally:
        holder.close()
    assert main(["demo", "--replace", "--db", str(db)]) == 0
    copies = list(tmp_path.glob("cli.before-demo-*.sqlite3"))
    assert len(copies) == 1
    assert _edited(copies[0]) == EDITS
    conn = sqlite3.connect(copies[0])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert {p.name for p in tmp_path.iterdir() if p.name.startswith("cli.")} == {
        "cli.sqlite3",
        copies[0].name,
    }
