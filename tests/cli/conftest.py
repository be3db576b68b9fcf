"""CLI fixtures: credentials through the environment, and a database set up by ``init --admin``.

- ``sign_in(user, password)``: the acting user for the next ``main([...])`` calls (env variables).
- ``db``: a database initialized for قزوین whose first admin is ADMIN/ADMIN_PASSWORD, signed in.
"""

from __future__ import annotations

import sqlite3

import pytest

from ostandari_desk.cli import ENV_NEW_PASSWORD, ENV_PASSWORD, ENV_USER, main

ADMIN = "boss"
ADMIN_PASSWORD = "boss-secret"


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch):
    """No test inherits credentials from the machine running it."""
    for name in (ENV_USER, ENV_PASSWORD, ENV_NEW_PASSWORD):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sign_in(monkeypatch):
    def act_as(user: str | None, password: str | None = None) -> None:
        for name, value in ((ENV_USER, user), (ENV_PASSWORD, password)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)

    return act_as


@pytest.fixture
def new_password(monkeypatch):
    def give(password: str) -> None:
        monkeypatch.setenv(ENV_NEW_PASSWORD, password)

    return give


def init_db(path, sign_in, *extra: str) -> None:
    """``init --admin`` on ``path``; the admin stays signed in afterwards."""
    sign_in(None, ADMIN_PASSWORD)
    assert main(["init", "--province", "قزوین", "--admin", ADMIN, "--db", str(path), *extra]) == 0
    sign_in(ADMIN, ADMIN_PASSWORD)


@pytest.fixture
def db(tmp_path, sign_in):
    path = tmp_path / "cli.sqlite3"
    init_db(path, sign_in)
    return path


def scalar(path, sql: str, *params):
    """One value read straight from the file (not through the app)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()
