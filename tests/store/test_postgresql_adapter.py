"""The store on PostgreSQL: the engine (URLs, the writers' lock, failures in Persian) and the adapters.

Runs on a real server (tests/conftest.py ``pg_url``: ``OSTANDARI_TEST_PG_URL`` or a throwaway cluster; skipped
with one line when there is none). The NGO search is checked against SQLite's FTS5 on the same texts and
queries: the two databases must find the same NGOs.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url

from ostandari_desk.domain import text as ptext
from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.errors import DatabaseUnavailableError
from ostandari_desk.store import audit_trail
from ostandari_desk.store import engine as store_engine
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.adapters.postgresql import (
    POSTGRESQL,
    SEARCH_COLUMN,
    SEARCH_FUNCTION,
    SEARCH_INDEX,
    SEARCH_TABLE,
    SEARCH_TABLE_INDEX,
    create_search_index,
    search_function_sql,
)
from ostandari_desk.store.adapters.sqlite import FTS_CREATE, SQLITE
from ostandari_desk.store.engine import display_name, is_server_url, make_engine, on_lock_wait, postgres_url
from ostandari_desk.store.models import AuditEntry, County, Ngo, Province
from ostandari_desk.store.schema import open_database
from ostandari_desk.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres

ADMIN = Actor(username="tester", full_name="کارشناس آزمون", role=Role.ADMIN)


@pytest.fixture
def pg(pg_url):
    engine = open_database(pg_url)
    yield engine
    engine.dispose()


# --- URLs ---------------------------------------------------------------------------------------------


def test_postgres_urls_get_the_psycopg_driver_and_never_show_the_password():
    for url in ("postgresql://clerk:secret@db.office:5432/desk", "postgres://clerk:secret@db.office/desk"):
        assert is_server_url(url)
        assert postgres_url(url).drivername == "postgresql+psycopg"
        assert "secret" not in display_name(url)
    assert display_name("postgresql://clerk:secret@db.office/desk") == "db.office:5432/desk"
    assert is_server_url("postgresql+psycopg://h/d")
    assert not is_server_url("sqlite:////tmp/desk.sqlite3")
    assert not is_server_url("/home/clerk/desk.sqlite3")
    engine = make_engine("postgresql://clerk@127.0.0.1:1/desk")  # no connection is made yet
    assert engine.dialect.driver == "psycopg" and adapters_for(engine) is POSTGRESQL
    engine.dispose()


# --- the search ----------------------------------------------------------------------------------------

TEXTS = {
    1: "سازمان مردم‌نهاد امید 1234567890 555",
    2: "خیریه علی بن ابیطالب 12399",
    3: "انجمن کتابخوانی زینب کاظمی",
    4: "کانون (شعبه قزوین) 12-34",
    5: "o'neil foundation",
    6: "انجمن «حمایت»،کودکان ۱۲۳",
    7: "abc_def x2y",
    8: "Café ÉCOLE علی‌رضا",
    9: "انجمن‌ حمایت‌ از کودکان 4512",
}
QUERIES = (
    "مردم نهاد",
    "مردم‌نهاد",
    "علي",
    "۱۲۳",
    "كاظمي",
    "کتاب",
    "انجمن امید",
    '"',
    "-",
    "شعبه",
    "(شعبه",
    "قزوین)",
    "12-3",
    "12-34",
    "34-12",
    "12 34",
    "o'ne",
    "neil",
    "o neil",
    "حمایت کودکان",
    "«حمایت",
    "abc",
    "def",
    "abc_d",
    "x2",
    "café",
    "ECOLE",
    "علی رضا",
    "علیرضا",
    "۴۵",
    "انجمن",
    "ان",
    "ه",
)


def _sqlite_matches(query: str) -> set[int]:
    match = SQLITE.ngo_match(query)
    if not match:
        return set()
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(FTS_CREATE)
        conn.executemany(
            "INSERT INTO ngo_fts(rowid, search_text) VALUES (?, ?)",
            [(n, ptext.normalize(t)) for n, t in TEXTS.items()],
        )
        return {n for (n,) in conn.execute("SELECT rowid FROM ngo_fts WHERE ngo_fts MATCH ?", (match,))}


def _postgres_matches(conn, query: str) -> set[int]:
    match = POSTGRESQL.ngo_match(query)
    if not match:
        return set()
    values = ", ".join(f"({n}, :t{n})" for n in TEXTS)
    sql = text(
        f"SELECT n FROM (VALUES {values}) AS v(n, t) WHERE {SEARCH_FUNCTION}(t) @@ CAST(:q AS tsquery)"
    )
    params = {f"t{n}": ptext.normalize(t) for n, t in TEXTS.items()}
    return {n for (n,) in conn.execute(sql, {**params, "q": match})}


def test_the_search_finds_what_sqlites_fts5_finds(pg):
    with pg.connect() as conn:
        found = {q: _postgres_matches(conn, q) for q in QUERIES}
    expected = {q: _sqlite_matches(q) for q in QUERIES}
    assert found == expected
    # and the cases that matter most, spelled out
    assert found["علي"] == {2, 8} and found["كاظمي"] == {3} and found["۱۲۳"] == {1, 2, 6}
    assert found["مردم نهاد"] == {1} and found["انجمن امید"] == set() and found['"'] == set()
    assert found["12-3"] == {4} and found["34-12"] == set() and found["«حمایت"] == {6, 9}


def _add_ngos(conn, n: int) -> None:
    """A province, a county and ``n`` NGOs «انجمن شماره <seq>» (seq 1…n), below the session."""
    conn.execute(insert(Province).values(id="p", name="قزوین"))
    conn.execute(insert(County).values(id="c", province_id="p", name="آبیک", name_key="ابیک", position=1))
    conn.exec_driver_sql(
        "INSERT INTO ngo (id, created_at, updated_at, row_version, county_id, seq, national_id, "
        "registration_no, name, name_key, name_sort, level, address, phone, ceo_name, ceo_national_code, "
        "status, licence_state, search_text) SELECT 'n' || g, now(), now(), 1, 'c', g, 'nid' || g, g::text, "
        "'انجمن ' || g, 'k' || g, 's' || g, 'county', '', '', '', '', 'active', 'valid', "
        f"'انجمن شماره ' || g FROM generate_series(1, {int(n)}) AS g"
    )


def test_the_search_uses_the_index_and_follows_writes(pg):
    uow = UnitOfWork(pg, ADMIN)
    with uow.writing():
        conn = uow.s.connection()
        _add_ngos(conn, 3000)
        conn.exec_driver_sql("UPDATE ngo SET search_text = 'کانون امید 42' WHERE seq = 7")
        conn.exec_driver_sql("DELETE FROM ngo WHERE seq = 8")
        uow.commit()
    with pg.connect() as conn:
        conn.exec_driver_sql("ANALYZE ngo")
        query = POSTGRESQL.ngo_match("امید ۴")
        seqs = POSTGRESQL.ngo_match_seqs(query)
        assert [row[0] for row in conn.execute(seqs)] == [7]
        in_row = select(Ngo.seq).where(POSTGRESQL.ngo_match_in(Ngo.seq, query, walk=False))
        assert conn.execute(in_row).scalars().all() == [7]
        conn.exec_driver_sql("SET enable_seqscan = off")  # the indexes can answer both
        plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {seqs.text}"), {"fts_match": query}))
        assert SEARCH_TABLE_INDEX in plan
        literal = in_row.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {literal}"))
        assert SEARCH_INDEX in plan
    with UnitOfWork(pg, ADMIN) as uow:
        assert POSTGRESQL.ngo_match_count(uow.s, POSTGRESQL.ngo_match("انجمن شم")) == 2998
        eights = sum(1 for g in range(1, 3001) if str(g).startswith("8") and g != 8)
        assert POSTGRESQL.ngo_match_count(uow.s, POSTGRESQL.ngo_match("شماره 8")) == eights


def test_a_count_asked_twice_is_counted_once_unless_the_transaction_wrote(pg):
    uow = UnitOfWork(pg, ADMIN)
    with uow.writing():
        _add_ngos(uow.s.connection(), 20)
        uow.commit()
    match = POSTGRESQL.ngo_match("انجمن")
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)
    event.listen(pg, "before_cursor_execute", listen)
    try:
        with UnitOfWork(pg, ADMIN) as reader:
            assert POSTGRESQL.ngo_match_count(reader.s, match) == 20
            counted = len(statements)
            assert POSTGRESQL.ngo_match_count(reader.s, match) == 20
            assert not any("count(*)" in s for s in statements[counted:])  # asked, not counted again
        writer = UnitOfWork(pg, ADMIN)
        with writer.writing():
            assert POSTGRESQL.ngo_match_count(writer.s, match) == 20
            writer.s.connection().exec_driver_sql(
                "INSERT INTO ngo (id, created_at, updated_at, row_version, county_id, seq, national_id, "
                "registration_no, name, name_key, name_sort, level, address, phone, ceo_name, ceo_national_code, "
                "status, licence_state, search_text) VALUES ('x', now(), now(), 1, 'c', 500, 'x', 'x', 'x', "
                "'x', 'x', 'county', '', '', '', '', 'active', 'valid', 'انجمن تازه')"
            )
            assert POSTGRESQL.ngo_match_count(writer.s, match) == 21  # its own write is counted
            writer.rollback()
    finally:
        event.remove(pg, "before_cursor_execute", listen)


def _search_definitions(conn) -> tuple:
    function = conn.exec_driver_sql(
        f"SELECT pg_get_functiondef('{SEARCH_FUNCTION}(text)'::regprocedure)"
    ).scalar()
    indexes = conn.exec_driver_sql(
        f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ngo', '{SEARCH_TABLE}') ORDER BY 1"
    ).all()
    columns = conn.exec_driver_sql(
        "SELECT table_name, column_name, data_type, is_nullable, is_generated, generation_expression "
        f"FROM information_schema.columns WHERE table_name = '{SEARCH_TABLE}' "
        f"OR (table_name = 'ngo' AND column_name = '{SEARCH_COLUMN}') ORDER BY 1, 2"
    ).all()
    triggers = {name: d for name, d in _trigger_definitions(conn).items() if name.startswith("ngo_search")}
    return function, indexes, columns, triggers


def test_the_migration_and_the_rebuild_make_the_same_search_index(pg):
    with pg.begin() as conn:
        migrated = _search_definitions(conn)
        assert set(migrated[3]) == {"ngo_search_insert", "ngo_search_update", "ngo_search_delete"}
        assert POSTGRESQL.search_index_health(conn).healthy
        conn.exec_driver_sql(f"DROP INDEX {SEARCH_INDEX}")
        conn.exec_driver_sql("DROP TRIGGER ngo_search_update ON ngo")
        health = POSTGRESQL.search_index_health(conn)
        assert health.missing_parts == ("index", "on_update") and not health.healthy
        POSTGRESQL.rebuild_search_index(conn)
        assert _search_definitions(conn) == migrated
        assert POSTGRESQL.search_index_health(conn).healthy
        # a function that cuts differently (an older or edited one) is reported damaged
        conn.exec_driver_sql(search_function_sql(icu=False))
        assert POSTGRESQL.search_index_health(conn).damaged
        create_search_index(conn)
        assert _search_definitions(conn) == migrated


def test_search_rows_missing_stale_or_stray_are_found_and_rebuilt(pg):
    uow = UnitOfWork(pg, ADMIN)
    with uow.writing():
        _add_ngos(uow.s.connection(), 5)
        uow.commit()
    with pg.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE ngo DISABLE TRIGGER ngo_search_update")
        conn.exec_driver_sql("UPDATE ngo SET search_text = 'متن تازه' WHERE seq = 1")
        conn.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE} WHERE seq = 2")
        conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} VALUES (99, 'x:1')")
        health = POSTGRESQL.search_index_health(conn)
        assert (health.missing_parts, health.missing_rows, health.stray_rows) == (("on_update",), 2, 1)
        POSTGRESQL.rebuild_search_index(conn)
        assert POSTGRESQL.search_index_health(conn).healthy
        found = POSTGRESQL.ngo_match_seqs(POSTGRESQL.ngo_match("تاز"))
        assert [seq for (seq,) in conn.execute(found)] == [1]


def test_migration_0009_goes_down_and_up_again(pg):
    from ostandari_desk.store import schema

    schema.migrate(pg, "0008", downgrade=True)
    with pg.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT to_regclass('{SEARCH_TABLE}')").scalar() is None
        assert (
            conn.exec_driver_sql(f"SELECT count(*) FROM pg_proc WHERE proname = '{SEARCH_FUNCTION}'").scalar()
            == 0
        )
    schema.migrate(pg, "head")
    with pg.connect() as conn:
        assert POSTGRESQL.search_index_health(conn).healthy


def test_the_fallback_cut_without_icu_matches_the_icu_one_on_persian_text(pg):
    with pg.begin() as conn:
        icu = [
            conn.execute(text(f"SELECT {SEARCH_FUNCTION}(:t)::text"), {"t": ptext.normalize(t)}).scalar()
            for t in TEXTS.values()
        ]
        conn.exec_driver_sql(search_function_sql(icu=False))
        plain = [
            conn.execute(text(f"SELECT {SEARCH_FUNCTION}(:t)::text"), {"t": ptext.normalize(t)}).scalar()
            for t in TEXTS.values()
        ]
        conn.rollback()
    assert plain == icu


# --- the derived tables' triggers --------------------------------------------------------------------------


def _trigger_definitions(conn) -> dict[str, str]:
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, pg_get_triggerdef(t.oid), pg_get_functiondef(t.tgfoid) FROM pg_trigger t "
        "WHERE NOT t.tgisinternal ORDER BY t.tgname"
    )
    return {name: trigger + function for name, trigger, function in rows}


def test_coverage_and_totals_triggers_are_checked_and_rebuilt_as_migrated(pg):
    with pg.begin() as conn:
        migrated = _trigger_definitions(conn)
        assert POSTGRESQL.coverage_triggers_missing(conn) == ()
        assert POSTGRESQL.memorandum_totals_triggers_missing(conn) == ()
        conn.exec_driver_sql("ALTER TABLE inspection DISABLE TRIGGER inspectioncoverage_keep")
        conn.exec_driver_sql("DROP TRIGGER memorandum_paid_keep ON payment")
        assert POSTGRESQL.coverage_triggers_missing(conn) == ("on_insert", "on_update", "on_delete")
        assert POSTGRESQL.memorandum_totals_triggers_missing(conn) == (
            "paid_total:on_insert",
            "paid_total:on_update",
            "paid_total:on_delete",
        )
        POSTGRESQL.rebuild_coverage(conn)
        POSTGRESQL.rebuild_memorandum_totals(conn)
        assert POSTGRESQL.coverage_triggers_missing(conn) == ()
        assert POSTGRESQL.memorandum_totals_triggers_missing(conn) == ()
        assert _trigger_definitions(conn) == migrated


# --- the audit built by the database ------------------------------------------------------------------------


def test_audit_entries_built_by_the_database_equal_those_built_in_python(pg):
    stamp = datetime(2024, 3, 20, 10, 30, 15, 123456, tzinfo=UTC)
    uow = UnitOfWork(pg, ADMIN)
    with uow.writing():
        conn = uow.s.connection()
        conn.execute(insert(Province).values(id="p", name="قزوین", created_at=stamp, updated_at=stamp))
        rows = [
            {
                "id": f"c{i}",
                "province_id": "p",
                "name": f"شهر {i}",
                "name_key": f"شهر {i}",
                "active": i % 2 == 0,
                "position": i,
                "population": None if i == 1 else 10**10 + i,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i in range(1, 4)
        ]
        conn.execute(insert(County), rows)
        uow.audit_loaded(County.__table__, County.__table__.c.id.in_(["c1", "c2", "c3"]))
        uow.commit()
    with UnitOfWork(pg, ADMIN) as uow:
        conn = uow.s.connection()
        built = {
            r.record_id: r
            for r in conn.execute(select(AuditEntry).where(AuditEntry.table_name == "county")).all()
        }
        read_back = [dict(r) for r in conn.execute(select(County.__table__)).mappings()]
    python = audit_trail.AuditTrail(ADMIN)
    python.rows_inserted(County.__table__, read_back)
    assert set(built) == {"c1", "c2", "c3"} and len(python.rows) == 3
    for entry in python.rows:
        ours = built[entry["record_id"]]
        assert json.loads(ours.changes) == json.loads(entry["changes"])
        assert (ours.action, ours.owner_id, ours.username) == ("insert", entry["owner_id"], "tester")
    changes = json.loads(built["c1"].changes)
    assert "population" not in changes and changes["active"] == [None, False]
    assert changes["name"] == [None, "شهر 1"] and changes["position"] == [None, 1]
    assert json.loads(built["c2"].changes)["population"] == [None, 10**10 + 2]
    assert len({r.id for r in built.values()}) == 3


# --- the writers' lock ----------------------------------------------------------------------------------------


def test_writers_take_turns_readers_never_wait_and_a_long_wait_is_said_in_persian(pg_url, monkeypatch):
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 400)
    first, second = open_database(pg_url), make_engine(pg_url)
    heard: list[bool] = []
    remove = on_lock_wait(heard.append)
    try:
        holder = UnitOfWork(first, ADMIN)
        with holder.writing():
            holder.s.execute(select(1))  # the transaction began: the office's write lock is held
            with UnitOfWork(second, ADMIN) as reader:  # a reader does not wait
                assert reader.s.execute(select(1)).scalar() == 1
            waiter = UnitOfWork(second, ADMIN)
            started = time.perf_counter()
            with pytest.raises(DatabaseUnavailableError) as caught, waiter.writing():
                waiter.s.execute(select(1))
            assert 0.3 < time.perf_counter() - started < 5
            assert caught.value.reason == DatabaseUnavailableError.LOCKED
            assert "صبر کنید" in caught.value.message
            assert heard == [True, False]
        # released at the end of the holder's transaction: the next writer goes straight in
        heard.clear()
        after = UnitOfWork(second, ADMIN)
        with after.writing():
            after.s.execute(select(1))
        assert heard == []
    finally:
        remove()
        first.dispose()
        second.dispose()


def test_a_writer_waits_for_the_other_then_goes_on(pg_url):
    first, second = open_database(pg_url), make_engine(pg_url)
    order: list[str] = []
    holding = threading.Event()

    def hold() -> None:
        uow = UnitOfWork(first, ADMIN)
        with uow.writing():
            uow.s.execute(select(1))
            holding.set()
            time.sleep(0.4)
            order.append("first done")

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    uow = UnitOfWork(second, ADMIN)
    with uow.writing():
        uow.s.execute(select(1))
        order.append("second in")
    thread.join()
    first.dispose()
    second.dispose()
    assert order == ["first done", "second in"]


# --- failures said in Persian ---------------------------------------------------------------------------------


def _unavailable(url: str) -> DatabaseUnavailableError:
    engine = make_engine(url)
    try:
        with pytest.raises(DatabaseUnavailableError) as caught, engine.connect():
            pass
    finally:
        engine.dispose()
    return caught.value


def test_an_unreachable_server_a_missing_database_and_an_unknown_user_are_said_in_persian(pg_url):
    url = make_url(pg_url)
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    refused = _unavailable(url.set(host="127.0.0.1", port=free_port).render_as_string(hide_password=False))
    assert refused.reason == DatabaseUnavailableError.CANNOT_OPEN and "وصل نشد" in refused.message
    assert refused.database == f"127.0.0.1:{free_port}/{url.database}"
    missing = _unavailable(url.set(database="no_such_office_db").render_as_string(hide_password=False))
    assert "پایگاه داده‌ای با این نام روی سرور نیست" in missing.message
    stranger = _unavailable(
        url.set(username="no_such_clerk", password=None).render_as_string(hide_password=False)
    )
    assert "نام کاربری یا گذرواژه" in stranger.message
    assert isinstance(refused.__cause__, Exception)  # the driver's error kept for the log


def test_a_connection_lost_midway_is_said_in_persian_and_the_pool_reconnects(pg):
    uow = UnitOfWork(pg, ADMIN)
    with pytest.raises(DatabaseUnavailableError) as caught, uow:
        pid = uow.s.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        uow.s.execute(select(1))
    assert caught.value.reason == DatabaseUnavailableError.CANNOT_OPEN
    assert "ثبت نشد" in caught.value.message
    # an idle pooled connection the server dropped is replaced before use (pre-ping)
    with pg.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with pg.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        other.commit()
    with UnitOfWork(pg, ADMIN) as fresh:
        assert fresh.s.execute(select(1)).scalar() == 1
