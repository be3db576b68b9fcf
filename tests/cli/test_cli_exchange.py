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


def test_a_clerk_may_not_exchange(province, identities, sign_in, new_password, tmp_path, capsys):
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", "سارا", "--role", "clerk", "--db", str(province)]) == 0
    sign_in("sara", "sara-pass-1")
    assert run(province, "register", str(identities["county"][0]), "--yes") == 2
    assert "اجازه" in capsys.readouterr().err
    assert desks(province) == []
    assert run(province, "identity", "--out", str(tmp_path / "sara.json")) == 2
    assert run(province, "export", "--out", str(tmp_path / "sara.exchange")) == 2
    assert not (tmp_path / "sara.json").exists() and not (tmp_path / "sara.exchange").exists()
    sign_in(ADMIN, ADMIN_PASSWORD)


# --- the round trip ------------------------------------------------------------------------------------


@pytest.fixture
def registered(province, county, identities):
    """Each desk has registered the other's identity file (after the fingerprints were compared)."""
    assert run(province, "register", str(identities["county"][0]), "--yes") == 0
    assert run(county, "register", str(identities["province"][0]), "--yes") == 0
    return province, county


def add_ngos(db, tmp_path, *numbers: int) -> list[str]:
    """NGOs of Abyek (odd numbers) through the sheet import; their national IDs."""
    from ngo_sheets import good_row, write_xlsx

    rows = [good_row(n) for n in numbers]
    sheet = write_xlsx(tmp_path / f"ngos-{numbers[0]}.xlsx", rows)
    assert main(["import", "ngos", str(sheet), "--db", str(db)]) == 0
    return [r[0] for r in rows]


def ngo_count(db) -> int:
    return scalar(db, "SELECT count(*) FROM ngo")


def edit_address(db, national_id: str, address: str) -> None:
    """A clerk's edit of an NGO's address on one desk (through the service, as the NGO dialog saves it)."""
    from dataclasses import replace

    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.ngos import get_ngo, update_ngo
    from ostandari_desk.services.session import open_desk, unit_of_work

    engine = open_desk(db)
    try:
        ngo_id = scalar(db, "SELECT id FROM ngo WHERE national_id = ?", national_id)
        detail = get_ngo(unit_of_work(engine, SYSTEM), ngo_id)
        data = replace(detail.to_input(), address=address)
        update_ngo(unit_of_work(engine, SYSTEM), ngo_id, data, detail.board_inputs(), detail.row_version)
    finally:
        engine.dispose()


def test_county_to_province_and_back_with_a_receipt(registered, tmp_path, capsys):
    province, county = registered
    add_ngos(county, tmp_path, 1, 3)
    capsys.readouterr()
    first = tmp_path / "abyek-1.exchange"
    assert run(county, "export", "--out", str(first)) == 0
    out = capsys.readouterr().out
    assert "پرونده تبادل شماره ۱ برای میز استان نوشته شد" in out
    assert run(province, "import", str(first)) == 0
    out = capsys.readouterr().out
    assert "پرونده تبادل شماره ۱ از میز شهرستان آبیک دریافت شد" in out and "ناسازگاری: ۰" in out
    assert ngo_count(province) == 2
    # the very same file again: nothing changes, and it says so
    assert run(province, "import", str(first)) == 0
    assert "پیش‌تر دریافت شده است؛ چیزی تغییر نکرد" in capsys.readouterr().out
    assert ngo_count(province) == 2
    receipt = tmp_path / "abyek-1.receipt"
    assert run(province, "receipt", "--out", str(receipt)) == 0
    assert "رسید شماره ۱ برای میز شهرستان آبیک نوشته شد" in capsys.readouterr().out
    assert run(county, "import", str(receipt)) == 0
    assert "رسید شماره ۱ از میز استان دریافت شد" in capsys.readouterr().out
    assert (
        scalar(county, "SELECT count(*) FROM exchangefile WHERE direction = 'sent' AND acked_at IS NOT NULL")
        == 1
    )
    # acknowledged changes do not travel again
    again = tmp_path / "abyek-2.exchange"
    assert run(county, "export", "--out", str(again)) == 0
    assert "۰ رکورد" in capsys.readouterr().out


def test_a_tampered_or_replayed_file_is_refused_and_changes_nothing(registered, tmp_path, capsys):
    province, county = registered
    add_ngos(county, tmp_path, 1)
    older = tmp_path / "abyek-1.exchange"
    assert run(county, "export", "--out", str(older)) == 0
    add_ngos(county, tmp_path, 5)
    newer = tmp_path / "abyek-2.exchange"
    assert run(county, "export", "--out", str(newer)) == 0
    data = bytearray(newer.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte inside the body
    tampered = tmp_path / "tampered.exchange"
    tampered.write_bytes(bytes(data))
    capsys.readouterr()

    def files_taken() -> int:
        return scalar(province, "SELECT count(*) FROM exchangefile WHERE direction = 'received'")

    assert run(province, "import", str(tampered)) == 2
    assert "امضای پرونده تبادل" in capsys.readouterr().err
    assert ngo_count(province) == 0 and files_taken() == 0
    truncated = tmp_path / "truncated.exchange"
    truncated.write_bytes(newer.read_bytes()[:-100])
    assert run(province, "import", str(truncated)) == 2
    assert "خطا:" in capsys.readouterr().err
    assert ngo_count(province) == 0 and files_taken() == 0
    assert run(province, "import", str(newer)) == 0  # number 2 first (it carries both NGOs)
    assert ngo_count(province) == 2
    capsys.readouterr()
    assert run(province, "import", str(older)) == 2  # then number 1: out of order
    assert "ترتیب پرونده‌ها" in capsys.readouterr().err
    assert ngo_count(province) == 2 and files_taken() == 1


def test_conflicts_are_counted_and_left_for_the_window(registered, tmp_path, capsys):
    province, county = registered
    [national_id] = add_ngos(county, tmp_path, 1)
    first = tmp_path / "abyek-1.exchange"
    assert run(county, "export", "--out", str(first)) == 0
    assert run(province, "import", str(first)) == 0
    edit_address(county, national_id, "آبیک، خیابان امام")
    edit_address(province, national_id, "آبیک، میدان آزادی")
    second = tmp_path / "abyek-2.exchange"
    assert run(county, "export", "--out", str(second)) == 0
    capsys.readouterr()
    assert run(province, "import", str(second)) == 0  # a conflict is not an error
    out = capsys.readouterr().out
    assert "ناسازگاری: ۱" in out and "تبادل با استان / شهرستان" in out
    assert (
        scalar(province, "SELECT address FROM ngo WHERE national_id = ?", national_id) == "آبیک، میدان آزادی"
    )
    assert scalar(province, "SELECT count(*) FROM exchangeconflict WHERE resolved_at IS NULL") == 1


def test_the_province_names_the_county_when_several_are_registered(registered, tmp_path, sign_in, capsys):
    province, _county = registered
    alborz = tmp_path / "alborz.sqlite3"
    init_db(alborz, sign_in, "--county", "البرز")
    identity = tmp_path / "alborz.json"
    assert run(alborz, "identity", "--out", str(identity)) == 0
    assert run(province, "register", str(identity), "--yes") == 0
    capsys.readouterr()
    target = tmp_path / "to-abyek.exchange"
    assert run(province, "export", "--out", str(target)) == 2
    assert "برگزینید" in capsys.readouterr().err and not target.exists()
    assert run(province, "export", "--out", str(target), "--county", "آبیک") == 0
    assert "برای میز شهرستان آبیک" in capsys.readouterr().out
