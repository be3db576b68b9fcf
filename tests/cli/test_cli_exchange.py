"""``exchange identity|register|export|import|receipt`` on two desks (a county's and the province's), in-process.

The province's database and Abyek county's are both set up by ``init`` for قزوین; each test signs in as the
first admin of both (one user name and password, two databases).
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from cli.conftest import ADMIN, ADMIN_PASSWORD, init_db, scalar
from ostandari_desk.cli import main
from ostandari_desk.cli.exchange import FINGERPRINT_QUESTION


class _Terminal(io.StringIO):
    """stdin with a person at it: ``input()`` reads the answers given."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def province(tmp_path, sign_in):
    path = tmp_path / "province.sqlite3"
    init_db(path, sign_in)
    return path


@pytest.fixture
def county(tmp_path, sign_in):
    path = tmp_path / "abyek.sqlite3"
    init_db(path, sign_in, "--county", "آبیک")
    return path


def run(db, *args: str) -> int:
    return main(["exchange", *args, "--db", str(db)])


def fingerprint_of(identity_output: str) -> str:
    """The fingerprint line printed by ``exchange identity`` (indented, left to right)."""
    return next(line.strip() for line in identity_output.splitlines() if line.startswith("    "))


@pytest.fixture
def identities(province, county, tmp_path, capsys):
    """Both desks' identity files and the fingerprints the command printed."""
    capsys.readouterr()
    files = {}
    for name, db in (("province", province), ("county", county)):
        target = tmp_path / f"{name}.json"
        assert run(db, "identity", "--out", str(target)) == 0
        files[name] = (target, fingerprint_of(capsys.readouterr().out))
    return files


def desks(db) -> list[tuple]:
    return [tuple(r) for r in _rows(db, "SELECT county_id, fingerprint, active FROM exchangedesk")]


def _rows(db, sql: str):
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_identity_file_names_the_desk_and_its_fingerprint(county, tmp_path, capsys):
    target = tmp_path / "abyek.json"
    assert run(county, "identity", "--out", str(target)) == 0
    out = capsys.readouterr().out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["county"] == "آبیک" and document["province"] == "قزوین"
    fingerprint = fingerprint_of(out)
    assert len(fingerprint.split()) == 8 and all(len(group) == 4 for group in fingerprint.split())
    assert "شهرستان آبیک (استان قزوین)" in out


def test_register_shows_both_fingerprints_and_asks(province, identities, monkeypatch, capsys):
    county_file, county_print = identities["county"]
    _, province_print = identities["province"]
    monkeypatch.setattr(sys, "stdin", _Terminal("بله\n"))
    assert run(province, "register", str(county_file)) == 0
    out = capsys.readouterr().out
    assert FINGERPRINT_QUESTION in out
    assert county_print in out and province_print in out
    assert out.index(province_print) < out.index(county_print)  # this desk's first, then the file's
    assert "میز شهرستان آبیک (استان قزوین) ثبت شد" in out
    [(county_id, fingerprint, active)] = desks(province)
    assert fingerprint == county_print and active == 1 and county_id is not None
    assert (
        scalar(province, "SELECT count(*) FROM auditentry WHERE action = 'register' AND username = ?", ADMIN)
        == 1
    )


def test_register_answered_no_registers_nothing(province, identities, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Terminal("خیر\n"))
    assert run(province, "register", str(identities["county"][0])) == 2
    assert "چیزی تغییر نکرد" in capsys.readouterr().out
    assert desks(province) == []


def test_register_without_a_terminal_needs_yes(province, identities, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", None)
    assert run(province, "register", str(identities["county"][0])) == 2
    assert "‎--yes‎" in capsys.readouterr().err
    assert desks(province) == []
    assert run(province, "register", str(identities["county"][0]), "--yes") == 0
    assert len(desks(province)) == 1


def test_a_changed_identity_file_is_refused(province, identities, capsys):
    path = identities["county"][0]
    document = json.loads(path.read_text(encoding="utf-8"))
    document["county"] = "البرز"  # pretends to be another county's desk: the self-signature breaks
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert run(province, "register", str(path), "--yes") == 2
    assert "امضای پرونده درست نیست" in capsys.readouterr().err
    assert desks(province) == []


def test_a_clerk_may_not_register(province, identities, sign_in, new_password, capsys):
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", "سارا", "--role", "clerk", "--db", str(province)]) == 0
    sign_in("sara", "sara-pass-1")
    assert run(province, "register", str(identities["county"][0]), "--yes") == 2
    assert "اجازه" in capsys.readouterr().err
    assert desks(province) == []
    sign_in(ADMIN, ADMIN_PASSWORD)
