"""The office's server as a database: its URL (never a file, never with the password kept), where the password
comes from (URL, keyring, libpq, a person), what a failure to connect says, and the databases remembered."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from ostandari_desk import paths
from ostandari_desk.errors import DatabaseUnavailableError, ValidationError
from ostandari_desk.services import credentials
from ostandari_desk.services.credentials import PasswordRequired, ServerDatabase, parse_server_url

URL = "postgresql://clerk:s3cret@db.office.local:5433/ostandari"


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, standing in for Windows' Credential Manager or the desktop's Secret Service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not saved")


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring():
    """A machine without a keyring backend (a Linux server, CI)."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


# --- the URL ---------------------------------------------------------------------------------------


def test_a_url_names_the_server_and_its_password_is_never_shown():
    server = parse_server_url(URL)
    assert (server.host, server.port, server.database, server.user, server.password) == (
        "db.office.local",
        5433,
        "ostandari",
        "clerk",
        "s3cret",
    )
    for shown in (server.url, str(server), repr(server)):
        assert "s3cret" not in shown
    assert server.url == "postgresql://clerk@db.office.local:5433/ostandari"
    assert server.keyring_username == "clerk@db.office.local:5433/ostandari"
    engine_url = server.sqlalchemy_url()  # the engine needs it, and the psycopg driver
    assert engine_url.startswith("postgresql+psycopg://clerk:s3cret@db.office.local:5433/ostandari")
    assert "connect_timeout=" in engine_url
    assert server == parse_server_url("postgresql://clerk@db.office.local:5433/ostandari")  # same server


def test_other_spellings_options_and_defaults():
    server = parse_server_url("postgres://desk@10.0.0.5/office_db?sslmode=require")
    assert (server.port, server.options, server.password) == (None, (("sslmode", "require"),), None)
    assert server.url == "postgresql://desk@10.0.0.5/office_db?sslmode=require"
    assert server.keyring_username == "desk@10.0.0.5:5432/office_db"
    assert parse_server_url("postgresql+psycopg://u@h/d").database == "d"
    odd = parse_server_url("postgresql://user%40office:p%3Aw@h:5432/d")  # escaped characters come back
    assert (odd.user, odd.password) == ("user@office", "p:w")
    assert "p%3Aw" in odd.sqlalchemy_url() and "p%3Aw" not in odd.url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://clerk:s3cret@host/db", "نشانی سرور PostgreSQL نیست"),
        ("postgresql://clerk:s3cret@host:5433/", "نام پایگاه داده"),
        ("postgresql://clerk:s3cret@host:port/db", "درگاه"),
    ],
)
def test_a_bad_url_is_refused_in_persian_without_its_password(url, says):
    with pytest.raises(ValidationError) as refused:
        parse_server_url(url)
    assert says in refused.value.message and refused.value.field == "db"
    assert "s3cret" not in refused.value.message


def test_locate_never_turns_a_url_into_a_path(tmp_path):
    assert isinstance(credentials.locate(URL, tmp_path / "x.sqlite3"), ServerDatabase)
    assert credentials.locate(str(tmp_path / "a.sqlite3"), "unused") == tmp_path / "a.sqlite3"
    assert credentials.locate(None, tmp_path / "d.sqlite3") == tmp_path / "d.sqlite3"
    assert isinstance(credentials.locate(None, "postgresql://u@h/d"), ServerDatabase)
    assert not paths.is_server_url(Path("postgresql://u@h/d"))  # a Path is a file, whatever its name


def test_fields_from_the_wizard_or_the_dialog():
    server = credentials.server_from_fields(" 192.168.1.10 ", "۵۴۳۳", "ostandari", "clerk")
    assert server.url == "postgresql://clerk@192.168.1.10:5433/ostandari"
    assert credentials.server_from_fields("db", "", "d", "u").port is None
    for fields, field in (
        (("", "", "d", "u"), "host"),
        (("db host", "", "d", "u"), "host"),
        (("db", "99999", "d", "u"), "port"),
        (("db", "پنج", "d", "u"), "port"),
        (("db", "", " ", "u"), "database"),
        (("db", "", "d", ""), "user"),
    ):
        with pytest.raises(ValidationError) as refused:
            credentials.server_from_fields(*fields)
        assert refused.value.field == field


# --- remembering the last database -----------------------------------------------------------------


def test_the_last_database_is_remembered_without_a_password(tmp_path):
    assert paths.last_database() == paths.default_database()  # nothing remembered yet
    file = tmp_path / "county.sqlite3"
    file.write_bytes(b"")
    paths.remember_database(file)
    assert paths.last_database() == file
    paths.remember_database(URL)
    assert paths.last_database() == "postgresql://clerk@db.office.local:5433/ostandari"
    paths.remember_database(file)
    assert paths.recent_databases() == [str(file), "postgresql://clerk@db.office.local:5433/ostandari"]
    stored = (paths.data_dir() / paths.RECENT_FILE).read_text(encoding="utf-8")
    assert "s3cret" not in stored
    file.unlink()  # a remembered file that is gone is passed over
    assert paths.last_database() == "postgresql://clerk@db.office.local:5433/ostandari"


def test_the_recent_list_is_short_and_survives_a_damaged_file():
    for n in range(paths.RECENT_LIMIT + 3):
        paths.remember_database(f"postgresql://u@h/db{n}")
    recent = paths.recent_databases()
    assert len(recent) == paths.RECENT_LIMIT and recent[0].endswith(f"db{paths.RECENT_LIMIT + 2}")
    (paths.data_dir() / paths.RECENT_FILE).write_text("{not json", encoding="utf-8")
    assert paths.recent_databases() == [] and paths.last_database() == paths.default_database()


def test_without_password_keeps_everything_else():
    assert (
        paths.without_password("postgresql://u:p@h:1/d?sslmode=require")
        == "postgresql://u@h:1/d?sslmode=require"
    )
    assert paths.without_password("postgresql://u:p@ss@h/d") == "postgresql://u@h/d"
    assert paths.without_password("postgresql://u@h/d") == "postgresql://u@h/d"
    assert (
        paths.without_password("postgresql://u@h/d?password=p&sslmode=require")
        == "postgresql://u@h/d?sslmode=require"
    )
    server = parse_server_url("postgresql://u@h/d?sslmode=require&password=p")  # libpq's other spelling
    assert server.password == "p" and "password" not in server.url and "p" not in server.url.split("/d")[1]


# --- the keyring -----------------------------------------------------------------------------------


def test_a_password_kept_in_the_keyring(memory_keyring):
    server = parse_server_url("postgresql://clerk@db:5432/ostandari")
    assert credentials.keyring_available()
    assert credentials.saved_password(server) is None
    assert credentials.save_password(server, "s3cret")
    assert memory_keyring.items == {("ostandari-desk", "clerk@db:5432/ostandari"): "s3cret"}
    assert credentials.saved_password(server) == "s3cret"
    credentials.forget_password(server)
    credentials.forget_password(server)  # nothing saved: nothing happens
    assert credentials.saved_password(server) is None


def test_no_keyring_is_silent(no_keyring):
    server = parse_server_url("postgresql://clerk@db/ostandari")
    assert not credentials.keyring_available()
    assert credentials.saved_password(server) is None
    assert not credentials.save_password(server, "s3cret")
    credentials.forget_password(server)


# --- which password opens the server ---------------------------------------------------------------


class FakeServer:
    """Accepts ``password`` (None: a server that trusts the machine, or libpq's own PGPASSWORD)."""

    def __init__(self, monkeypatch, password: str | None, reachable: bool = True):
        self.password = password
        self.reachable = reachable
        self.tried: list[str | None] = []
        monkeypatch.setattr(credentials, "check_connection", self.check)

    def check(self, server: ServerDatabase) -> None:
        self.tried.append(server.password)
        if not self.reachable:
            raise DatabaseUnavailableError(DatabaseUnavailableError.CANNOT_OPEN, "نشد", database=server.url)
        if self.password is not None and server.password != self.password:
            raise PasswordRequired(server, wrong=server.password is not None)


def test_the_keyrings_password_first_then_libpqs_own(monkeypatch, memory_keyring):
    server = parse_server_url("postgresql://clerk@db/ostandari")
    fake = FakeServer(monkeypatch, password="s3cret")
    credentials.save_password(server, "s3cret")
    assert credentials.connectable(server).password == "s3cret"
    assert fake.tried == ["s3cret"]

    trusting = FakeServer(monkeypatch, password=None)
    credentials.save_password(server, "old-one")
    assert credentials.connectable(server).password == "old-one"  # any password does on a trusting server
    credentials.forget_password(server)
    assert credentials.connectable(server).password is None
    assert trusting.tried == ["old-one", None]


def test_a_stale_keyring_password_falls_back_then_asks(monkeypatch, memory_keyring):
    server = parse_server_url("postgresql://clerk@db/ostandari")
    fake = FakeServer(monkeypatch, password="new-one")
    credentials.save_password(server, "old-one")
    with pytest.raises(PasswordRequired) as asked:
        credentials.connectable(server)
    assert asked.value.wrong and asked.value.server == server
    assert fake.tried == ["old-one", None]
    assert credentials.connectable(asked.value.server.with_password("new-one")).password == "new-one"


def test_a_password_in_the_url_is_the_only_one_tried(monkeypatch, memory_keyring):
    server = parse_server_url("postgresql://clerk:typed@db/ostandari")
    credentials.save_password(server, "kept")
    fake = FakeServer(monkeypatch, password="kept")
    with pytest.raises(PasswordRequired) as refused:
        credentials.connectable(server)
    assert fake.tried == ["typed"] and refused.value.wrong
    assert "typed" not in refused.value.message


def test_no_password_anywhere_asks_and_says_where_one_can_come_from(monkeypatch, no_keyring):
    fake = FakeServer(monkeypatch, password="s3cret")
    with pytest.raises(PasswordRequired) as asked:
        credentials.connectable(parse_server_url("postgresql://clerk@db/ostandari"))
    assert not asked.value.wrong and fake.tried == [None]
    assert "PGPASSWORD" in asked.value.message and "postgresql://clerk@db/ostandari" in asked.value.message
    assert isinstance(asked.value, DatabaseUnavailableError)  # the command line's exit status 3


def test_an_unreachable_server_is_not_a_password_question(monkeypatch, no_keyring):
    FakeServer(monkeypatch, password=None, reachable=False)
    with pytest.raises(DatabaseUnavailableError) as failed:
        credentials.connectable(parse_server_url("postgresql://clerk@db/ostandari"))
    assert not isinstance(failed.value, PasswordRequired)


@pytest.mark.parametrize(
    ("libpq_says", "kind", "says"),
    [
        (
            'connection to server at "db" (10.0.0.5), port 5432 failed: fe_sendauth: no password supplied',
            "ask",
            "",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  password authentication failed for user "c"',
            "ask",
            "",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  database "ostandari" does not exist',
            "db",
            "نیست",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  role "clerk" does not exist',
            "role",
            "تعریف نشده",
        ),
        ('connection to server at "db", port 5432 failed: Connection refused', "down", "در دسترس نیست"),
        ("failed to resolve host 'db': [Errno -2] Name or service not known", "down", "در دسترس نیست"),
    ],
)
def test_what_a_failure_to_connect_says(libpq_says, kind, says):
    server = parse_server_url("postgresql://clerk:s3cret@db:5432/ostandari")
    error = credentials.connection_error(server, RuntimeError(libpq_says))
    assert isinstance(error, PasswordRequired) == (kind == "ask")
    assert says in error.message
    assert "s3cret" not in error.message and error.database == "postgresql://clerk@db:5432/ostandari"
    if kind != "ask":
        assert "db:5432" in error.message  # the server is named


# --- a real server ----------------------------------------------------------------------------------


def _server_of(pg_server, database: str) -> ServerDatabase:
    return parse_server_url(pg_server.url(database))


@pytest.mark.postgres
def test_a_real_server_opens_and_says_what_is_wrong(pg_server, pg_url, no_keyring):
    from sqlalchemy.engine import make_url

    name = make_url(pg_url).database
    server = _server_of(pg_server, name)
    assert credentials.connectable(server) == server
    opened = credentials.open_chosen(server)
    try:
        assert (opened.initialized, opened.has_users) == (False, False)
        assert credentials.describe(opened.engine) == server.url.split("?")[0]
    finally:
        opened.engine.dispose()
    with pytest.raises(DatabaseUnavailableError) as missing:
        credentials.connectable(_server_of(pg_server, f"{name}_not_there"))
    assert f"«{name}_not_there»" in missing.value.message
    closed = ServerDatabase(host="127.0.0.1", port=1, database=name, user="postgres")
    with pytest.raises(DatabaseUnavailableError) as down:
        credentials.connectable(closed)
    assert "127.0.0.1:1" in down.value.message and not isinstance(down.value, PasswordRequired)
