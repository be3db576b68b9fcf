"""``report``'s sign-in: the report's imports run while the password is verified, and a refusal still stands.

The argon2 verify (0.15 s, outside Python's lock) runs on a thread while the main thread imports what the
report needs (cli.reports.prepare); nothing is written before the password is checked.
"""

from __future__ import annotations

import threading

import pytest

from cli.conftest import ADMIN, ADMIN_PASSWORD, scalar
from ostandari_desk.cli import main, reports
from ostandari_desk.services import users

WAIT_S = 10  # far more than either side takes; only a sign-in that never overlaps waits it out


def _report(db, out) -> int:
    return main(["report", "annual", "--year", "1404", "--out", str(out), "--db", str(db)])


def test_the_report_is_prepared_while_the_password_is_verified(db, tmp_path, monkeypatch, capsys):
    prepared = threading.Event()
    verified_while_preparing = []
    prepare, authenticate = reports.prepare, users.authenticate

    def preparing(args) -> None:
        prepared.set()
        prepare(args)

    def verifying(*args, **kwargs):
        # run in turn (the verify first), the preparation would not have begun: this waits it out
        verified_while_preparing.append(prepared.wait(WAIT_S))
        return authenticate(*args, **kwargs)

    monkeypatch.setattr(reports, "prepare", preparing)
    monkeypatch.setattr(users, "authenticate", verifying)
    before = scalar(db, "SELECT max(rowid) FROM auditentry")
    out = tmp_path / "annual.pdf"
    assert _report(db, out) == 0, capsys.readouterr().err
    assert verified_while_preparing == [True]
    assert out.read_bytes().startswith(b"%PDF")
    actions = scalar(db, "SELECT group_concat(action) FROM auditentry WHERE rowid > ?", before)
    assert actions == "login,report"


def test_a_wrong_password_refuses_the_report_and_only_the_attempt_is_logged(db, tmp_path, sign_in, capsys):
    before = scalar(db, "SELECT max(rowid) FROM auditentry")
    sign_in(ADMIN, "wrong-" + ADMIN_PASSWORD)
    out = tmp_path / "annual.pdf"
    assert _report(db, out) == 2
    assert "نام کاربری یا گذرواژه نادرست است" in capsys.readouterr().err
    assert not out.exists()
    assert scalar(db, "SELECT group_concat(action) FROM auditentry WHERE rowid > ?", before) == "login_failed"


def test_a_failed_preparation_still_records_the_attempt(db, tmp_path, monkeypatch):
    """The verify is not abandoned half way: its attempt is recorded before the error goes up."""

    def broken(_args) -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(reports, "prepare", broken)
    before = scalar(db, "SELECT max(rowid) FROM auditentry")
    with pytest.raises(RuntimeError, match="no fonts"):
        _report(db, tmp_path / "annual.pdf")
    assert scalar(db, "SELECT group_concat(action) FROM auditentry WHERE rowid > ?", before) == "login"
