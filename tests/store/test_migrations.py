"""Upgrading a database made by an older version: 0001 → head keeps every row and fills the new keys."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from alembic import command

from ostandari_desk.domain import text
from ostandari_desk.store import schema
from ostandari_desk.store.engine import make_engine, sqlite_url

CEOS = ["یاسر", "پرویز", "چنگیز", "آرش", "علي", "ژاله", "بهرام"]  # پ چ ژ out of code-point order


def _make_0001(path) -> None:
    """A database at revision 0001, migrated the way store.schema does (foreign keys off)."""
    engine = make_engine(sqlite_url(path))
    schema.migrate(engine, "0001")
    engine.dispose()


def _fill_0001(path) -> dict[str, int]:
    """A province, a county, NGOs with board members, licence cases, licences and steps (0001 columns)."""
    stamp = "2024-01-01 00:00:00.000000"
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=ON")
    rec = (stamp, stamp, 1)
    con.execute("INSERT INTO province VALUES ('p1', ?, ?, ?, 'قزوین')", rec)
    con.execute("INSERT INTO county VALUES ('c1', ?, ?, ?, 'p1', 'آبیک', 'ابیک', 1, 1)", rec)
    for n, ceo in enumerate(CEOS, start=1):
        ngo = f"n{n}"
        name = f"انجمن شماره {n}"
        con.execute(
            "INSERT INTO ngo (id, created_at, updated_at, row_version, county_id, seq, national_id, "
            "registration_no, name, name_key, name_sort, level, address, phone, ceo_name, ceo_national_code, "
            "status, licence_state, search_text) VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, ?, ?, ?, 'county', '', '', "
            "?, '', 'active', 'valid', ?)",
            (
                ngo,
                *rec,
                n,
                f"1010000000{n}",
                str(100 + n),
                name,
                text.normalize(name),
                text.persian_sort_key(name),
                ceo,
                f"{text.normalize(name)} {text.normalize(ceo)}",
            ),
        )
        for m, role in enumerate(("ceo", "chair", "member")):
            con.execute(
                "INSERT INTO boardmember VALUES (?, ?, ?, ?, ?, ?, '0012345678', ?, '', NULL, NULL)",
                (f"b{n}{m}", *rec, ngo, f"عضو {m}", role),
            )
        con.execute(
            "INSERT INTO licencecase (id, created_at, updated_at, row_version, county_id, ngo_id, case_type, "
            "tracking_no, received_on, state, legal_basis, note) "
            "VALUES (?, ?, ?, ?, 'c1', ?, 'establishment', ?, ?, 'closed', '', '')",
            (f"k{n}", *rec, ngo, f"T-{n}", date(2023, 1, n).isoformat()),
        )
        con.execute(
            "INSERT INTO licence (id, created_at, updated_at, row_version, county_id, ngo_id, case_id, number, "
            "level, issued_on, expires_on, validity_years, state) "
            "VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, 'county', '2023-02-01', '2026-02-01', 3, 'valid')",
            (f"l{n}", *rec, ngo, f"k{n}", f"L-{n}"),
        )
        for kind in ("request", "issue"):
            con.execute(
                "INSERT INTO licencestep (id, created_at, updated_at, row_version, county_id, ngo_id, case_id, "
                "licence_id, kind, on_date, clerk, letter_no, legal_basis, reason, note) "
                "VALUES (?, ?, ?, ?, 'c1', ?, ?, ?, ?, '2023-02-01', '', '', '', '', '')",
                (f"s{n}{kind}", *rec, ngo, f"k{n}", f"l{n}", kind),
            )
    con.execute(
        "INSERT INTO event (id, created_at, updated_at, row_version, county_id, kind, title, title_key, "
        "starts_on, attendees, training_hours, note) VALUES ('e1', ?, ?, ?, 'c1', 'course', 'پویش گروهی', "
        "'پویش گروهی', '2024-03-01', 0, 0, '')",
        rec,
    )
    con.execute("INSERT INTO eventngo VALUES ('e1', 'n1')")
    con.commit()
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("ngo", "boardmember", "licencecase", "licence", "licencestep", "event", "eventngo")
    }
    con.close()
    return counts


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "old.sqlite3"
    _make_0001(path)
    before = _fill_0001(path)
    engine = schema.open_database(sqlite_url(path))
    yield path, engine, before
    engine.dispose()


def test_upgrade_from_0001_keeps_every_child_row_and_backs_up(upgraded):
    path, engine, before = upgraded
    assert schema.current_revision(engine) == schema.head_revision() != "0001"
    assert list(path.parent.glob("old.before-upgrade-0001-*.sqlite3"))
    with engine.connect() as conn:
        after = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before}
        assert after == before  # a batch migration with foreign keys on would have cascaded these away
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_upgrade_backfills_sort_keys_in_persian_order(upgraded):
    _path, engine, _before = upgraded
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT ceo_name, ceo_sort FROM ngo").fetchall()
        assert all(key == text.persian_sort_key(name) for name, key in rows)
        by_key = [r[0] for r in conn.exec_driver_sql("SELECT ceo_name FROM ngo ORDER BY ceo_sort").fetchall()]
        title_sort = conn.exec_driver_sql("SELECT title_sort FROM event").scalar()
    assert by_key == ["آرش", "بهرام", "پرویز", "چنگیز", "ژاله", "علي", "یاسر"]
    assert title_sort == text.persian_sort_key("پویش گروهی")


def test_upgraded_database_still_searches_sorts_and_writes(upgraded):
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.ngos import NgoFilter, count_ngos, list_ngo_page
    from ostandari_desk.store.uow import UnitOfWork

    _path, engine, _before = upgraded
    uow = UnitOfWork(engine, SYSTEM)
    with uow:
        assert count_ngos(uow, NgoFilter(text="انجمن")) == len(CEOS)
        assert [r.ceo_name for r in list_ngo_page(uow, NgoFilter(text="ژال"))] == ["ژاله"]
        assert [r.ceo_name for r in list_ngo_page(uow, NgoFilter(text="ا"), sort="ceo")][:2] == [
            "آرش",
            "بهرام",
        ]
    with engine.begin() as conn:  # the full-text triggers came through the rebuild
        conn.exec_driver_sql("UPDATE ngo SET search_text = 'تازه' WHERE id = 'n2'")
        conn.exec_driver_sql("DELETE FROM boardmember WHERE ngo_id = 'n7'")
        conn.exec_driver_sql("DELETE FROM licencestep WHERE ngo_id = 'n7'")
        conn.exec_driver_sql("DELETE FROM licence WHERE ngo_id = 'n7'")
        conn.exec_driver_sql("DELETE FROM licencecase WHERE ngo_id = 'n7'")
        conn.exec_driver_sql("DELETE FROM ngo WHERE id = 'n7'")
    with uow:
        assert [r.id for r in list_ngo_page(uow, NgoFilter(text="تازه"))] == ["n2"]
        assert count_ngos(uow, NgoFilter(text="انجمن")) == len(CEOS) - 2


def test_full_text_index_has_the_one_letter_prefix_index(upgraded):
    _path, engine, _before = upgraded
    with engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ngo_fts'").scalar()
        triggers = (
            conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ngo' ORDER BY name"
            )
            .scalars()
            .all()
        )
    assert "prefix='1'" in sql
    assert triggers == ["ngo_fts_delete", "ngo_fts_insert", "ngo_fts_update"]


def test_downgrade_to_0001_and_up_again_keeps_rows(upgraded):
    _path, engine, before = upgraded
    schema.migrate(engine, "0001", downgrade=True)
    with engine.connect() as conn:
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(ngo)").fetchall()]
    assert "ceo_sort" not in columns
    schema.migrate(engine, "head")
    with engine.connect() as conn:
        after = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before}
        assert (
            conn.exec_driver_sql("SELECT count(*) FROM ngo_fts WHERE ngo_fts MATCH '\"انجمن\"*'").scalar()
            == 7
        )
    assert after == before


# --- 0002 → 0003: the desk indexes ---------------------------------------------------------------

DESK_INDEXES = {
    "ix_licence_state_expiry": ("licence", "(state, expires_on, county_id)"),
    "ix_licencecase_state_county": ("licencecase", "(state, county_id)"),
    "ix_inquiry_unanswered_due": ("inquiry", "(due_on, case_id) WHERE answered_on IS NULL"),
    "ix_inquiry_sent_case": ("inquiry", "(sent_on, case_id)"),
}


def _migrate(engine, action, revision: str) -> None:
    schema.migrate(engine, revision, downgrade=action is command.downgrade)


def _desk_indexes(engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({})".format(
                ", ".join(f"'{name}'" for name in DESK_INDEXES)
            )
        ).fetchall()
    return {name: (table, sql.split(f"ON {table} ", 1)[1]) for name, table, sql in rows}


def test_upgrade_from_0002_adds_the_desk_indexes_and_keeps_rows(tmp_path):
    path = tmp_path / "at0002.sqlite3"
    _make_0001(path)
    before = _fill_0001(path)
    engine = make_engine(sqlite_url(path))
    _migrate(engine, command.upgrade, "0002")
    assert schema.current_revision(engine) == "0002" and _desk_indexes(engine) == {}
    with engine.begin() as conn:  # an unanswered and an answered inquiry on the first case
        for n, answered in ((1, None), (2, "2023-01-20")):
            conn.exec_driver_sql(
                "INSERT INTO inquiry (id, created_at, updated_at, row_version, case_id, agency, sent_on, due_on, "
                "letter_no, answered_on, note) VALUES (?, '2024-01-01', '2024-01-01', 1, 'k1', 'police', "
                "'2023-01-05', '2023-03-05', '', ?, '')",
                (f"q{n}", answered),
            )
    engine.dispose()

    engine = schema.open_database(sqlite_url(path))
    try:
        assert schema.current_revision(engine) == schema.HEAD_REVISION
        assert list(path.parent.glob("at0002.before-upgrade-0002-*.sqlite3"))
        assert _desk_indexes(engine) == DESK_INDEXES
        with engine.connect() as conn:
            after = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before}
            assert after == before
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            # the partial index holds only the unanswered inquiry
            unanswered = conn.exec_driver_sql(
                "SELECT id FROM inquiry INDEXED BY ix_inquiry_unanswered_due "
                "WHERE answered_on IS NULL AND due_on < '2024-01-01'"
            ).fetchall()
            assert unanswered == [("q1",)]
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

        _migrate(engine, command.downgrade, "0002")
        assert schema.current_revision(engine) == "0002" and _desk_indexes(engine) == {}
        _migrate(engine, command.upgrade, "head")
        assert _desk_indexes(engine) == DESK_INDEXES
    finally:
        engine.dispose()


# --- 0003 → 0004: single-column indexes that were left prefixes of composite ones are dropped --------

REDUNDANT_INDEXES = {
    "ix_ngo_county_id": ("ngo", "(county_id)"),
    "ix_ngo_level": ("ngo", "(level)"),
    "ix_ngo_licence_state": ("ngo", "(licence_state)"),
    "ix_ngo_status": ("ngo", "(status)"),
    "ix_ngo_name_sort": ("ngo", "(name_sort)"),
    "ix_inspection_county_id": ("inspection", "(county_id)"),
    "ix_licence_state": ("licence", "(state)"),
    "ix_inquiry_sent_on": ("inquiry", "(sent_on)"),
}


def _indexes(engine, names) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({})".format(
                ", ".join(f"'{name}'" for name in names)
            )
        ).fetchall()
    return {name: (table, sql.split(f"ON {table} ", 1)[1]) for name, table, sql in rows}


def test_upgrade_from_0003_drops_the_redundant_indexes_and_keeps_rows(tmp_path):
    path = tmp_path / "at0003.sqlite3"
    _make_0001(path)
    before = _fill_0001(path)
    engine = make_engine(sqlite_url(path))
    try:
        _migrate(engine, command.upgrade, "0003")
        assert _indexes(engine, REDUNDANT_INDEXES) == REDUNDANT_INDEXES

        _migrate(engine, command.upgrade, "0004")
        assert schema.current_revision(engine) == "0004"
        assert _indexes(engine, REDUNDANT_INDEXES) == {}
        with engine.connect() as conn:
            after = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before}
            triggers = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ngo'"
            ).scalar()
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert after == before
        assert triggers == 3  # no table copy
        # the composites that stand in for them are still there
        assert set(_indexes(engine, ["ix_ngo_county_sort", "ix_inspection_county_period"])) == {
            "ix_ngo_county_sort",
            "ix_inspection_county_period",
        }

        _migrate(engine, command.downgrade, "0003")
        assert _indexes(engine, REDUNDANT_INDEXES) == REDUNDANT_INDEXES
        _migrate(engine, command.upgrade, "head")
        assert _indexes(engine, REDUNDANT_INDEXES) == {}
        with engine.connect() as conn:
            assert {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before} == before
    finally:
        engine.dispose()


# --- 0004 → 0005: users' lockout, the audit's actor and field columns, append-only triggers ---------------


def test_upgrade_from_0004_keeps_old_audit_and_users_and_makes_the_trail_append_only(tmp_path):
    path = tmp_path / "at0004.sqlite3"
    _make_0001(path)
    before = _fill_0001(path)
    engine = make_engine(sqlite_url(path))
    try:
        _migrate(engine, command.upgrade, "0004")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO auditentry VALUES ('a1', '2024-01-01 00:00:00.000000', 'کارشناس', 'create', 'ngo', "
                "'n1', 'انجمن')"
            )
            conn.exec_driver_sql(
                "INSERT INTO user (id, created_at, updated_at, row_version, username, full_name, role, active) "
                "VALUES ('u1', '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000', 1, 'Ali', 'علی', "
                "'clerk', 1)"
            )
        _migrate(engine, command.upgrade, "0005")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT username, record_id, changes FROM auditentry").all() == [
                ("کارشناس", "n1", "")
            ]
            assert conn.exec_driver_sql("SELECT username_key, failed_logins FROM user").all() == [("ali", 0)]
            assert {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in before} == before
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        for statement in ("UPDATE auditentry SET username = 'x'", "DELETE FROM auditentry"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.exec_driver_sql(statement)

        _migrate(engine, command.downgrade, "0004")
        with engine.begin() as conn:  # the triggers are gone with the revision
            conn.exec_driver_sql("UPDATE auditentry SET detail = 'x'")
        _migrate(engine, command.upgrade, "head")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM auditentry").scalar() == 1
    finally:
        engine.dispose()


# --- 0005 → 0006: the visits' coverage table, filled from the visits stored and kept by triggers ----------


def test_upgrade_to_0006_fills_the_coverage_table_and_its_triggers_keep_it(tmp_path):
    path = tmp_path / "at0005.sqlite3"
    _make_0001(path)
    _fill_0001(path)
    engine = make_engine(sqlite_url(path))
    try:
        _migrate(engine, command.upgrade, "0005")
        stamp = "2024-01-01 00:00:00.000000"
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO referenceitem VALUES ('cat', ?, ?, 1, 'centre_category', 'کشتارگاه', 'کشتارگاه', 0, 1)",
                (stamp, stamp),
            )
            for centre, county in (("m1", "c1"), ("m2", None)):  # a centre of the province itself too
                conn.exec_driver_sql(
                    "INSERT INTO centre VALUES (?, ?, ?, 1, ?, 'cat', 'مرکز', '', '', '', 1)",
                    (centre, stamp, stamp, county),
                )
            for n, (centre, county, month) in enumerate(
                (("m1", "c1", 1), ("m1", "c1", 1), ("m1", "c1", 2), ("m2", None, 1))
            ):
                conn.exec_driver_sql(
                    "INSERT INTO inspection VALUES (?, ?, ?, 1, ?, ?, 'cat', ?, '2024-04-01', 1403, ?, 0, '', '', "
                    "'closed', NULL)",
                    (f"v{n}", stamp, stamp, county, centre, stamp, month),
                )
        _migrate(engine, command.upgrade, "0006")
        rows = "SELECT * FROM inspectioncoverage ORDER BY 1, 2, 3, 4, 5"
        with engine.begin() as conn:
            assert conn.exec_driver_sql(rows).fetchall() == [
                ("", 1403, 1, "cat", "m2", 1),
                ("c1", 1403, 1, "cat", "m1", 2),
                ("c1", 1403, 2, "cat", "m1", 1),
            ]
            assert (
                "WITHOUT ROWID"
                in conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'inspectioncoverage'"
                ).scalar()
            )
            conn.exec_driver_sql("UPDATE inspection SET jalali_month = 3 WHERE id = 'v2'")
            conn.exec_driver_sql("UPDATE inspection SET county_id = 'c1' WHERE id = 'v3'")  # m2's visit
            conn.exec_driver_sql("DELETE FROM inspection WHERE id = 'v0'")
            assert conn.exec_driver_sql(rows).fetchall() == [
                ("c1", 1403, 1, "cat", "m1", 1),
                ("c1", 1403, 1, "cat", "m2", 1),
                ("c1", 1403, 3, "cat", "m1", 1),
            ]
        _migrate(engine, command.downgrade, "0005")
        with engine.connect() as conn:
            left = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'inspectioncoverage%'"
            ).fetchall()
            assert left == [] and conn.exec_driver_sql("SELECT count(*) FROM inspection").scalar() == 3
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_tables_and_indexes_the_models_declare(tmp_path):
    """A model column, index or constraint the migrations forget (or the reverse) fails here; the full-text
    tables are the search adapter's own and not models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    engine = schema.open_database(sqlite_url(tmp_path / "head.sqlite3"))
    schema.migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    differences = [d for d in differences if not (d[0] == "remove_table" and d[1].name.startswith("ngo_fts"))]
    assert differences == []


def test_upgrade_to_0007_numbers_memoranda_and_renames_repeated_office_names(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = make_engine(sqlite_url(path))
    _migrate(engine, command.upgrade, "0006")
    conn = sqlite3.connect(path)
    province = conn.execute("SELECT id FROM province").fetchone()
    if province is None:
        conn.execute(
            "INSERT INTO province (id, created_at, updated_at, row_version, name) "
            "VALUES ('p1', '2024-01-01', '2024-01-01', 1, 'قزوین')"
        )
    conn.execute(
        "INSERT INTO county (id, created_at, updated_at, row_version, province_id, name, name_key, active, position)"
        " VALUES ('c1', '2024-01-01', '2024-01-01', 1, (SELECT id FROM province LIMIT 1), 'آبیک', 'آبیک', 1, 1)"
    )
    for i, stamp in enumerate(("2024-01-01", "2024-01-02", "2024-01-03")):
        conn.execute(
            "INSERT INTO facilitationoffice (id, created_at, updated_at, row_version, county_id, name, neighbourhoods,"
            " budget, state) VALUES (?, ?, ?, 1, 'c1', 'دفتر فلسطین', '', 0, 'open')",
            (f"o{i}", stamp, stamp),
        )
    conn.execute(
        "INSERT INTO memorandum (id, created_at, updated_at, row_version, county_id, title, party_kind, amount,"
        " signed_on, starts_on, duration_months, state) VALUES ('m1', '2024-01-01', '2024-01-01', 1, 'c1',"
        " 'تفاهم‌نامه کاهش آسیب', 'county', 100, '2024-01-01', '2024-12-20', 3, 'active')"
    )
    conn.commit()
    conn.close()
    _migrate(engine, command.upgrade, "0007")
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM facilitationoffice ORDER BY created_at")]
    assert names == ["دفتر فلسطین", "دفتر فلسطین (۲)", "دفتر فلسطین (۳)"]
    number, ends = conn.execute("SELECT number, ends_on FROM memorandum").fetchone()
    conn.close()
    assert number == "M-m1" and ends == "2025-03-20"  # 1403/09/30 + 3 Jalali months = 1403/12/30


def test_upgrade_to_0007_fills_paid_and_progress_and_its_triggers_keep_them(tmp_path):
    """memorandum's derived paid_total and latest_progress: filled from the payments and progress reports
    already stored, then kept by triggers (a row moved to another memorandum recomputes both); the year's
    credits read them from ix_memorandum_signed_county alone; the downgrade takes it all away."""
    path = tmp_path / "at0006.sqlite3"
    engine = make_engine(sqlite_url(path))
    try:
        _migrate(engine, command.upgrade, "0006")
        rec = ("2024-01-01", "2024-01-01")
        with engine.begin() as conn:
            for memo in ("m1", "m2", "m3"):
                conn.exec_driver_sql(
                    "INSERT INTO memorandum (id, created_at, updated_at, row_version, county_id, title, party_kind,"
                    " amount, signed_on, starts_on, duration_months, state) VALUES (?, ?, ?, 1, NULL, 'ت',"
                    " 'county', 1000, '2024-04-01', '2024-04-01', 3, 'active')",
                    (memo, *rec),
                )
            for pid, memo, tranche, amount in (
                ("p1", "m1", 1, 300),
                ("p2", "m1", 2, 200),
                ("p3", "m2", 1, 50),
            ):
                conn.exec_driver_sql(
                    "INSERT INTO payment VALUES (?, ?, ?, 1, ?, '2024-05-01', ?, ?)",
                    (pid, *rec, memo, tranche, amount),
                )
            for rid, memo, percent in (("r1", "m1", 20), ("r2", "m1", 60), ("r3", "m3", 10)):
                conn.exec_driver_sql(
                    "INSERT INTO progressreport VALUES (?, ?, ?, 1, ?, '2024-05-01', ?, '')",
                    (rid, *rec, memo, percent),
                )
        _migrate(engine, command.upgrade, "0007")
        rows = "SELECT id, paid_total, latest_progress, row_version FROM memorandum ORDER BY id"
        with engine.begin() as conn:
            assert conn.exec_driver_sql(rows).fetchall() == [
                ("m1", 500, 60, 1),
                ("m2", 50, 0, 1),
                ("m3", 0, 10, 1),
            ]
            conn.exec_driver_sql("UPDATE payment SET memorandum_id = 'm3' WHERE id = 'p2'")  # moved: both
            conn.exec_driver_sql("UPDATE payment SET amount = 70 WHERE id = 'p3'")
            conn.exec_driver_sql(
                "INSERT INTO payment (id, created_at, updated_at, row_version, memorandum_id, paid_on, tranche_no, "
                "amount) VALUES ('p4', '2024-06-01', '2024-06-01', 1, 'm2', '2024-06-01', 2, 5)"
            )
            conn.exec_driver_sql("UPDATE progressreport SET memorandum_id = 'm2' WHERE id = 'r2'")
            conn.exec_driver_sql("UPDATE progressreport SET percent = 40 WHERE id = 'r3'")
            conn.exec_driver_sql("DELETE FROM progressreport WHERE id = 'r1'")
            assert conn.exec_driver_sql(rows).fetchall() == [
                ("m1", 300, 0, 1),
                ("m2", 75, 60, 1),
                ("m3", 200, 40, 1),
            ]
            index = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_memorandum_signed_county'"
            ).scalar()
            assert "paid_total, latest_progress" in index
            plan = " | ".join(
                r[3]
                for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT county_id, party_kind, count(*), sum(amount), sum(paid_total), "
                    "sum(latest_progress) FROM memorandum WHERE signed_on >= '2024-03-20' AND signed_on <= "
                    "'2025-03-20' GROUP BY county_id, party_kind"
                )
            )
            assert "COVERING INDEX ix_memorandum_signed_county" in plan, plan
        _migrate(engine, command.downgrade, "0006")
        with engine.connect() as conn:
            triggers = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'memorandum_%'"
            ).fetchall()
            columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(memorandum)")}
            assert triggers == [] and not {"paid_total", "latest_progress"} & columns
            assert conn.exec_driver_sql("SELECT count(*) FROM payment").scalar() == 4
    finally:
        engine.dispose()
