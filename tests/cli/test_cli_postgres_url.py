"""``--db postgresql://…`` on the command line: a server, never a file; its password never printed or kept;
an unreachable server or a refused password is exit status 3 naming the server; file-only commands refuse."""

from __future__ import annotations

import sys

import pytest

from cli.conftest import ADMIN, ADMIN_PASSWORD
from ostandari_desk.cli import main
from ostandari_desk.cli.common import database_from
from ostandari_desk.cli.parser import build_parser
from ostandari_desk.services import credentials
from ostandari_desk.services.credentials import PasswordRequired, ServerDatabase

CLOSED = "postgresql://clerk:topsecret@127.0.0.1:1/office"  # nothing listens on port 1


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Commands run in an empty folder: a URL taken for a file name would leave a «postgresql:» folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_db_before_or_after_the_command_is_a_server(elsewhere):
    parser = build_parser()
    for argv in (
        ["--db", CLOSED, "user", "list"],
        ["user", "list", "--db", CLOSED],
        ["user", "--db", CLOSED, "list"],
        ["export", "ngos", "x.xlsx", "--db", CLOSED],
        ["init", "--province", "قزوین", "--admin", ADMIN, "--db", CLOSED],
    ):
        database = database_from(parser.parse_args(argv).db)
        assert isinstance(database, ServerDatabase), argv
        assert (database.host, database.port, database.database) == ("127.0.0.1", 1, "office")
    assert database_from(str(elsewhere / "desk.sqlite3")) == elsewhere / "desk.sqlite3"


def test_an_unreachable_server_is_exit_3_naming_it_without_the_password(elsewhere, sign_in, capsys):
    sign_in(ADMIN, ADMIN_PASSWORD)
    for argv in (["user", "list", "--db", CLOSED], ["--db", CLOSED, "export", "ngos", "n.csv"]):
        assert main(argv) == 3
        captured = capsys.readouterr()
        assert "سرور پایگاه داده در دسترس نیست" in captured.err
        assert "postgresql://clerk@127.0.0.1:1/office" in captured.err
        assert "topsecret" not in captured.err + captured.out
    sign_in(None, ADMIN_PASSWORD)
    assert main(["init", "--province", "قزوین", "--admin", ADMIN, "--db", CLOSED]) == 3
    assert "topsecret" not in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []  # no «postgresql:» folder, no SQLite file


def test_a_malformed_url_is_refused(elsewhere, sign_in, capsys):
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["user", "list", "--db", "postgresql://clerk:topsecret@db/"]) == 2
    err = capsys.readouterr().err
    assert "نام پایگاه داده" in err and "topsecret" not in err
    assert list(elsewhere.iterdir()) == []


def test_backup_and_restore_of_a_server_are_pg_dumps_job(elsewhere, sign_in, capsys, monkeypatch):
    monkeypatch.setattr(credentials, "check_connection", lambda server: pytest.fail("nothing to connect to"))
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["backup", "--db", CLOSED]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert main(["restore", "b.zip", "--yes", "--db", CLOSED]) == 2
    assert "pg_restore" in capsys.readouterr().err


def test_no_command_opens_the_app_on_the_server(monkeypatch):
    from ostandari_desk import app

    seen = []
    monkeypatch.setattr(app, "run_gui", lambda database: seen.append(database) or 0)
    assert main(["--db", CLOSED]) == 0
    assert main(["gui", "--db", CLOSED]) == 0
    assert [type(d) for d in seen] == [ServerDatabase, ServerDatabase]
    assert seen[0].url == "postgresql://clerk@127.0.0.1:1/office"


# --- the server's password on a terminal ------------------------------------------------------------


class Terminal:
    def isatty(self) -> bool:
        return True


@pytest.fixture
def wants_password(monkeypatch):
    """A server accepting only «s3cret», and never really connected to (open_server gives a stand-in)."""
    tried: list[str | None] = []

    def check(server: ServerDatabase) -> None:
        tried.append(server.password)
        if server.password != "s3cret":
            raise PasswordRequired(server, wrong=server.password is not None)

    monkeypatch.setattr(credentials, "check_connection", check)
    monkeypatch.setattr(credentials, "saved_password", lambda server: None)
    return tried


def test_on_a_terminal_the_servers_password_is_asked(monkeypatch, wants_password, capsys):
    from ostandari_desk.cli.common import connect_server

    answers = iter(["wrong", "s3cret"])
    prompts: list[str] = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or next(answers))
    monkeypatch.setattr(credentials, "keyring_available", lambda: False)  # so nothing more is asked
    server = connect_server(credentials.parse_server_url("postgresql://clerk@db/office"))
    assert server.password == "s3cret"
    assert wants_password == [None, "wrong", "s3cret"]
    assert prompts == ["گذرواژه سرور پایگاه داده (clerk@db:5432/office): "] * 2
    assert "نپذیرفت" in capsys.readouterr().err  # said once, after the wrong one


def test_the_typed_password_is_kept_only_when_the_user_says_so(monkeypatch, wants_password):
    from ostandari_desk.cli import common

    kept = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "s3cret")
    monkeypatch.setattr(credentials, "keyring_available", lambda: True)

    def record_kept(server, password) -> bool:
        kept.append(password)
        return True  # the user agreed / the call succeeded

    monkeypatch.setattr(credentials, "save_password", record_kept)
    for answer in ("خیر", "بله"):
        monkeypatch.setattr("builtins.input", lambda question, answer=answer: answer)
        common.connect_server(credentials.parse_server_url("postgresql://clerk@db/office"))
    assert kept == ["s3cret"]


def test_without_a_terminal_nobody_is_asked_exit_3(monkeypatch, wants_password, sign_in, capsys, elsewhere):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("no terminal: nobody to ask"))
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["user", "list", "--db", "postgresql://clerk@db/office"]) == 3
    err = capsys.readouterr().err
    assert "گذرواژه می‌خواهد" in err and "PGPASSWORD" in err
    assert main(["user", "list", "--db", "postgresql://clerk:bad@db/office"]) == 3
    err = capsys.readouterr().err
    assert "نپذیرفت" in err and ":bad@" not in err
    assert wants_password == [None, "bad"]


# --- a real server ----------------------------------------------------------------------------------


@pytest.fixture
def server_url(pg_url):
    """The test's fresh server database as a clerk writes it: ``postgresql://user@host:port/name``."""
    return pg_url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.mark.postgres
def test_init_and_commands_on_a_real_server(server_url, sign_in, capsys, elsewhere, tmp_path):
    sign_in(None, ADMIN_PASSWORD)
    assert main(["init", "--province", "قزوین", "--admin", ADMIN, "--db", server_url]) == 0
    assert server_url in capsys.readouterr().out
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["--db", server_url, "user", "list"]) == 0
    assert ADMIN in capsys.readouterr().out
    out = tmp_path / "ngos.csv"
    assert main(["export", "ngos", str(out), "--db", server_url]) == 0
    assert out.exists()
    assert main(["demo", "--db", server_url]) == 2  # set up already: no demo over the office's data
    assert "پایگاه داده تازه" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.postgres
def test_demo_on_an_empty_server_database_then_never_over_it(
    server_url, sign_in, capsys, elsewhere, tmp_path
):
    import csv

    assert main(["demo", "--db", server_url]) == 0
    out = capsys.readouterr().out
    assert "۵۰۰ سمن" in out and server_url in out
    sign_in("demo", "demo")
    sheet = tmp_path / "ngos.csv"
    assert main(["export", "ngos", str(sheet), "--db", server_url]) == 0
    with sheet.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 1 + 500
    for again in (["demo", "--db", server_url], ["demo", "--replace", "--db", server_url]):
        assert main(again) == 2
        assert "روی سرور چیزی کنار گذاشته یا جایگزین نمی‌شود" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []
