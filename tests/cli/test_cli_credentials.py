"""Signing in on the command line: init --admin, --user/env credentials, users, county scope, exit codes."""

from __future__ import annotations

import csv

import pytest
from ngo_sheets import good_row, write_xlsx

from cli.conftest import ADMIN, ADMIN_PASSWORD, init_db, scalar
from ostandari_desk.cli import main


def import_ngos(db, tmp_path, rows, name="n.xlsx") -> None:
    assert main(["import", "ngos", str(write_xlsx(tmp_path / name, rows)), "--db", str(db)]) == 0


def test_init_admin_signs_in_and_the_first_admin_is_stored(db, tmp_path, capsys):
    assert scalar(db, "SELECT role FROM user WHERE username = ?", ADMIN) == "admin"
    assert scalar(db, "SELECT full_name FROM user WHERE username = ?", ADMIN) == "مدیر سامانه"
    out = tmp_path / "out.csv"
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 0
    assert out.exists()


def test_init_without_a_password_creates_nothing(tmp_path, capsys, sign_in):
    path = tmp_path / "x.sqlite3"
    assert main(["init", "--province", "قزوین", "--admin", ADMIN, "--db", str(path)]) == 2
    assert "OSTANDARI_DESK_PASSWORD" in capsys.readouterr().err
    assert not path.exists()
    sign_in(None, "123")  # too short: refused before the file is made
    assert main(["init", "--province", "قزوین", "--admin", ADMIN, "--db", str(path)]) == 2
    assert "گذرواژه دست‌کم" in capsys.readouterr().err
    assert not path.exists()


def test_init_is_one_transaction(tmp_path, sign_in, capsys):
    """A refused first admin leaves no province behind, so init can simply be run again."""
    path = tmp_path / "x.sqlite3"
    sign_in(None, ADMIN_PASSWORD)
    assert main(["init", "--province", "قزوین", "--admin", "two words", "--db", str(path)]) == 2
    assert "نام کاربری" in capsys.readouterr().err
    assert scalar(path, "SELECT count(*) FROM province") == 0
    assert scalar(path, "SELECT count(*) FROM user") == 0
    init_db(path, sign_in, "--admin-name", "مریم احمدی")
    assert scalar(path, "SELECT full_name FROM user") == "مریم احمدی"


def test_wrong_password_is_refused_and_only_the_attempt_is_logged(db, tmp_path, capsys, sign_in):
    import_ngos(db, tmp_path, [good_row(1), good_row(2)])
    ngos_before = scalar(db, "SELECT group_concat(id) FROM (SELECT id FROM ngo ORDER BY id)")
    entries_before = scalar(db, "SELECT count(*) FROM auditentry")
    capsys.readouterr()
    sign_in(ADMIN, "wrong-password")
    sheet = write_xlsx(tmp_path / "more.xlsx", [good_row(3)])
    assert main(["import", "ngos", str(sheet), "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "نام کاربری یا گذرواژه نادرست است" in captured.err
    assert captured.out == ""
    assert scalar(db, "SELECT group_concat(id) FROM (SELECT id FROM ngo ORDER BY id)") == ngos_before
    new_actions = scalar(db, "SELECT group_concat(action) FROM auditentry WHERE rowid > ?", entries_before)
    assert new_actions == "login_failed"


def test_missing_user_or_password_is_refused(db, tmp_path, capsys, sign_in):
    out = tmp_path / "out.csv"
    sign_in(None, ADMIN_PASSWORD)
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 2
    assert "--user" in capsys.readouterr().err
    sign_in(None, None)
    assert main(["export", "ngos", str(out), "--db", str(db), "--user", ADMIN]) == 2
    assert "گذرواژه داده نشده است" in capsys.readouterr().err
    assert not out.exists()


def test_user_option_before_or_after_the_command(db, tmp_path, sign_in):
    sign_in(None, ADMIN_PASSWORD)
    assert main(["--user", ADMIN, "export", "ngos", str(tmp_path / "a.csv"), "--db", str(db)]) == 0
    assert main(["export", "ngos", str(tmp_path / "b.csv"), "--user", ADMIN, "--db", str(db)]) == 0


def test_password_prompt_on_a_terminal(db, tmp_path, monkeypatch, sign_in):
    import getpass
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    asked = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or ADMIN_PASSWORD)
    sign_in(ADMIN, None)
    assert main(["export", "ngos", str(tmp_path / "a.csv"), "--db", str(db)]) == 0
    assert asked and ADMIN in asked[0]


def test_user_add_list_password_disable_round_trip(db, tmp_path, capsys, sign_in, new_password):
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", "سارا رضایی", "--role", "clerk", "--db", str(db)]) == 0
    assert "sara" in capsys.readouterr().out
    assert main(["user", "list", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "sara\tسارا رضایی\tکارشناس استان\t—\tفعال" in listing
    assert "۲ کاربر" in listing

    out = tmp_path / "out.csv"
    sign_in("sara", "sara-pass-1")
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 0
    assert main(["user", "list", "--db", str(db)]) == 2  # a clerk does not manage users
    assert "اجازه" in capsys.readouterr().err

    sign_in(ADMIN, ADMIN_PASSWORD)
    new_password("sara-pass-2")
    assert main(["user", "password", "sara", "--db", str(db)]) == 0
    sign_in("sara", "sara-pass-1")
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 2
    sign_in("sara", "sara-pass-2")
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 0

    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["user", "disable", "sara", "--db", str(db)]) == 0
    assert main(["user", "list", "--db", str(db)]) == 0
    assert "sara\tسارا رضایی\tکارشناس استان\t—\tغیرفعال" in capsys.readouterr().out
    sign_in("sara", "sara-pass-2")
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 2
    assert "غیرفعال" in capsys.readouterr().err


def test_user_add_without_a_new_password_or_with_an_unknown_county(db, capsys, new_password):
    add = ["user", "add", "ali", "--name", "علی", "--db", str(db)]
    assert main([*add, "--role", "clerk"]) == 2
    assert "OSTANDARI_DESK_NEW_PASSWORD" in capsys.readouterr().err
    new_password("ali-pass-1")
    assert main([*add, "--role", "county", "--county", "ناکجا"]) == 2
    assert "ناکجا" in capsys.readouterr().err
    assert main([*add, "--role", "county"]) == 2
    assert "--county" in capsys.readouterr().err
    assert scalar(db, "SELECT count(*) FROM user WHERE username = 'ali'") == 0


def test_the_last_admin_cannot_be_disabled(db, capsys):
    assert main(["user", "disable", ADMIN, "--db", str(db)]) == 2
    assert "تنها مدیر سامانه" in capsys.readouterr().err


def test_a_county_users_export_holds_only_their_county(db, tmp_path, sign_in, new_password):
    import_ngos(db, tmp_path, [good_row(n) for n in range(1, 7)])  # odd rows آبیک, even rows البرز
    # matched normalized, like every county name on the command line (Arabic ي)
    new_password("abyek-pass")
    add = ["user", "add", "abyek", "--name", "کارشناس آبیک", "--role", "county", "--county", "آبيک"]
    assert main([*add, "--db", str(db)]) == 0
    sign_in("abyek", "abyek-pass")
    out = tmp_path / "mine.csv"
    assert main(["export", "ngos", str(out), "--db", str(db)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    assert {r["شهرستان"] for r in rows} == {"آبیک"}


def test_a_corrupt_database_is_unavailable(tmp_path, capsys, sign_in):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["export", "ngos", str(tmp_path / "x.csv"), "--db", str(path)]) == 3
    assert "خطا" in capsys.readouterr().err


def test_help_documents_the_credentials(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for needle in ("--user", "OSTANDARI_DESK_USER", "OSTANDARI_DESK_PASSWORD", "OSTANDARI_DESK_NEW_PASSWORD"):
        assert needle in text, needle
    assert "demo" in text and "گذرواژه" in text
    with pytest.raises(SystemExit):
        main(["init", "--help"])
    assert "--admin" in capsys.readouterr().out


def test_demo_replace_of_an_office_database_needs_an_admin(db, tmp_path, capsys, sign_in, new_password):
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", "سارا", "--role", "manager", "--db", str(db)]) == 0
    sign_in("sara", "sara-pass-1")
    assert main(["demo", "--replace", "--db", str(db)]) == 2
    assert "پشتیبان" in capsys.readouterr().err
    assert scalar(db, "SELECT count(*) FROM user") == 2  # untouched
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["demo", "--replace", "--db", str(db)]) == 0
    assert len(list(tmp_path.glob("cli.before-demo-*.sqlite3"))) == 1
    assert scalar(db, "SELECT group_concat(username) FROM user") == "demo"
