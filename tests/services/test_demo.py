"""The demo generator: a small province builds quickly, deterministically and consistently."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from ostandari_desk.domain import ids
from ostandari_desk.domain.lifecycle import LicenceState
from ostandari_desk.errors import UserError
from ostandari_desk.services.demo import build_demo

TODAY = dt.date(2026, 11, 23)  # 1405/09/02


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, _migrated_template):
    """One small demo shared by the read-only checks below."""
    import shutil

    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(_migrated_template, path)
    engine = open_database(sqlite_url(path))
    stages = []
    summary = build_demo(engine, "small", seed=1401, today=TODAY, progress=lambda *a: stages.append(a))
    engine.dispose()
    conn = sqlite3.connect(path)
    yield summary, conn, stages
    conn.close()


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()[0]


def test_counts_are_plausible(demo_db):
    summary, conn, stages = demo_db
    assert summary.ngos == one(conn, "SELECT count(*) FROM ngo") == 500
    assert 4_500 <= one(conn, "SELECT count(*) FROM inspection") <= 5_500
    for table in (
        "licence",
        "licencestep",
        "licencecase",
        "inquiry",
        "boardmember",
        "event",
        "eventngo",
        "letter",
        "memorandum",
        "progressreport",
        "payment",
        "facilitationoffice",
        "centre",
        "finding",
        "correctiveaction",
        "ngofield",
    ):
        assert one(conn, f"SELECT count(*) FROM {table}") > 0, table
        assert summary.counts[table] == one(conn, f"SELECT count(*) FROM {table}"), table
    assert one(conn, "SELECT count(*) FROM ngo_fts") == 500
    assert stages and stages[-1][1] == stages[-1][2]


def test_ids_pass_their_check_digits(demo_db):
    _, conn, _ = demo_db
    for (nid,) in conn.execute("SELECT national_id FROM ngo"):
        assert ids.is_valid_legal_national_id(nid), nid
    for (code,) in conn.execute(
        "SELECT ceo_national_code FROM ngo UNION ALL SELECT national_code FROM boardmember"
    ):
        assert ids.is_valid_national_code(code), code
    assert one(conn, "SELECT count(DISTINCT national_id) FROM ngo") == 500


def test_names_keys_and_sort_keys_match_the_text_module(demo_db):
    from ostandari_desk.domain import text

    _, conn, _ = demo_db
    for name, key, sort, search in conn.execute("SELECT name, name_key, name_sort, search_text FROM ngo"):
        assert text.clean(name) == name
        assert key == text.normalize(name)
        assert sort == text.persian_sort_key(name)
        assert search.startswith(text.search_text(name))  # hamza folded, half-spaced words joined
    assert one(conn, "SELECT count(DISTINCT name_key) FROM ngo") == 500
    # sort keys a later migration added are filled too, where the database has them
    for table, source, column in (("ngo", "ceo_name", "ceo_sort"), ("event", "title", "title_sort")):
        if any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})")):
            for value, key in conn.execute(f"SELECT {source}, {column} FROM {table}"):
                assert key == text.persian_sort_key(value), (table, value)


def test_letters_events_memoranda_and_centres_hold_the_services_search_keys(demo_db):
    """A demo letter, event, memorandum or centre is found as one the clerk saved: its key is the service's
    own."""
    from ostandari_desk.services.events import title_key_of
    from ostandari_desk.services.inspections import centres
    from ostandari_desk.services.letters import search_text_of
    from ostandari_desk.services.memoranda import memoranda

    _, conn, _ = demo_db
    letters = conn.execute("SELECT number, party, subject, search_text FROM letter").fetchall()
    assert letters and all(key == search_text_of(n, p, s) for n, p, s, key in letters)
    events = conn.execute("SELECT title, title_key FROM event").fetchall()
    assert events and all(key == title_key_of(title) for title, key in events)
    assert any("\u200c" in title for title, _ in events)  # half-spaced titles, joined in their keys
    memos = conn.execute("SELECT number, title, search_text FROM memorandum").fetchall()
    assert memos and all(key == memoranda.search_text_of(n, title) for n, title, key in memos)
    sites = conn.execute("SELECT code, name, operator, search_text FROM centre").fetchall()
    assert sites and all(key == centres.search_text_of(c, n, o) for c, n, o, key in sites)


def test_schema_is_whole_and_links_hold(demo_db):
    _, conn, _ = demo_db
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert one(conn, "PRAGMA journal_mode") == "wal"  # the build leaves WAL only while it runs
    # the search index answers a normalized query
    assert one(conn, "SELECT count(*) FROM ngo_fts WHERE ngo_fts MATCH '\"انجمن\"*'") > 0


COVERAGE_TRUTH = (
    "SELECT coalesce(county_id, ''), jalali_year, jalali_month, category_id, centre_id, count(*) "
    "FROM inspection GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
)
COVERAGE_ROWS = "SELECT * FROM inspectioncoverage ORDER BY 1, 2, 3, 4, 5"


def test_the_coverage_table_holds_every_visit(demo_db):
    """The small build's inserts go through the triggers: the grid's table matches the visits."""
    _, conn, _ = demo_db
    rows = conn.execute(COVERAGE_ROWS).fetchall()
    assert len(rows) > 1000 and rows == conn.execute(COVERAGE_TRUTH).fetchall()


def test_a_large_builds_set_aside_fills_the_coverage_table_in_one_statement(demo_db, tmp_path):
    """A large build drops the coverage insert trigger with the indexes; restoring them fills the table from
    the visits and puts the trigger back as it was."""
    from ostandari_desk.services.demo.build import DEMO_TABLES
    from ostandari_desk.store.adapters.sqlite import SQLITE

    _, conn, _ = demo_db
    path = tmp_path / "copy.sqlite3"
    conn.execute("VACUUM INTO ?", (str(path),))
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        schema = (
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('inspection', 'inspectioncoverage')"
        )
        before = sorted(copy.execute(schema).fetchall())
        cur = copy.cursor()
        cur.execute("BEGIN")
        deferred = SQLITE.set_aside_indexes(cur, DEMO_TABLES)
        assert "inspectioncoverage_insert" in {name for _kind, name, _sql in deferred}
        cur.execute("DELETE FROM inspectioncoverage")  # a build starts from none
        cur.execute("DELETE FROM ngo_fts")
        columns = [r[1] for r in copy.execute("PRAGMA table_info(inspection)")]
        picked = [
            "'x' || substr(id, 2)" if c == "id" else "NULL" if c == "reinspection_of_id" else c
            for c in columns
        ]
        picked[columns.index("jalali_month")] = "1 + jalali_month % 12"  # 50 more visits, other months
        cur.execute(
            f"INSERT INTO inspection ({', '.join(columns)}) SELECT {', '.join(picked)} FROM inspection LIMIT 50"
        )
        assert one(copy, "SELECT count(*) FROM inspectioncoverage") == 0  # nothing kept row by row
        SQLITE.restore_indexes(cur, deferred, lambda done, total: None)
        cur.execute("COMMIT")
        assert copy.execute(COVERAGE_ROWS).fetchall() == copy.execute(COVERAGE_TRUTH).fetchall()
        assert sorted(copy.execute(schema).fetchall()) == before
    finally:
        copy.close()


TOTALS_TRUTH = (
    "SELECT id, (SELECT coalesce(sum(amount), 0) FROM payment WHERE memorandum_id = m.id), "
    "(SELECT coalesce(max(percent), 0) FROM progressreport WHERE memorandum_id = m.id) FROM memorandum AS m "
    "ORDER BY id"
)
TOTALS_ROWS = "SELECT id, paid_total, latest_progress FROM memorandum ORDER BY id"


def test_the_memoranda_totals_hold_every_payment_and_report(demo_db):
    """The small build's payments and reports go through the triggers: paid_total and latest_progress match."""
    _, conn, _ = demo_db
    rows = conn.execute(TOTALS_ROWS).fetchall()
    assert rows == conn.execute(TOTALS_TRUTH).fetchall()
    assert any(paid for _id, paid, _p in rows) and any(p for _id, _paid, p in rows)


def test_a_large_builds_set_aside_recomputes_the_memoranda_totals(demo_db, tmp_path):
    """A large build drops the totals' insert triggers with the indexes (each would sum a payment table
    without its index); restoring them recomputes both columns and puts the triggers back as they were."""
    from ostandari_desk.services.demo.build import DEMO_TABLES
    from ostandari_desk.store.adapters.sqlite import SQLITE

    _, conn, _ = demo_db
    path = tmp_path / "copy.sqlite3"
    conn.execute("VACUUM INTO ?", (str(path),))
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        schema = "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('memorandum', 'payment', 'progressreport')"
        before = sorted(copy.execute(schema).fetchall())
        cur = copy.cursor()
        cur.execute("BEGIN")
        deferred = SQLITE.set_aside_indexes(cur, DEMO_TABLES)
        names = {name for _kind, name, _sql in deferred}
        assert {"memorandum_paid_insert", "memorandum_progress_insert"} <= names
        cur.execute("UPDATE memorandum SET paid_total = 0, latest_progress = 0")  # a build starts from none
        cur.execute("DELETE FROM ngo_fts")
        cur.execute("DELETE FROM inspectioncoverage")
        cur.execute(
            "INSERT INTO payment (id, created_at, updated_at, row_version, memorandum_id, paid_on, tranche_no, "
            "amount) SELECT 'x' || id, created_at, updated_at, 1, memorandum_id, paid_on, tranche_no + 100, 7 "
            "FROM payment LIMIT 20"
        )
        assert one(copy, "SELECT count(*) FROM memorandum WHERE paid_total > 0") == 0  # nothing row by row
        SQLITE.restore_indexes(cur, deferred, lambda done, total: None)
        cur.execute("COMMIT")
        assert copy.execute(TOTALS_ROWS).fetchall() == copy.execute(TOTALS_TRUTH).fetchall()
        assert sorted(copy.execute(schema).fetchall()) == before
    finally:
        copy.close()


def test_lifecycle_is_consistent(demo_db):
    _, conn, _ = demo_db
    states = dict(conn.execute("SELECT licence_state, count(*) FROM ngo GROUP BY 1").fetchall())
    assert set(states) == {s.value for s in LicenceState}
    # no licence without an approval or an issue; none for NGOs still without one
    assert (
        one(
            conn,
            "SELECT count(*) FROM licence l JOIN ngo n ON n.id = l.ngo_id "
            "WHERE n.licence_state IN ('none', 'approved')",
        )
        == 0
    )
    for state in ("valid", "suspended", "revoked"):
        # exactly one current licence in the NGO's state, the others renewed
        bad = one(
            conn,
            "SELECT count(*) FROM ngo n WHERE n.licence_state = ? AND "
            "(SELECT count(*) FROM licence l WHERE l.ngo_id = n.id AND l.state = ?) != 1",
            state,
            state,
        )
        assert bad == 0, state
    assert (
        one(
            conn,
            "SELECT count(*) FROM licence WHERE state = 'renewed' AND id NOT IN "
            "(SELECT renewed_from_id FROM licence WHERE renewed_from_id IS NOT NULL)",
        )
        == 0
    )
    # every issue has an approval before it, unless the history was imported from paper (no case)
    assert (
        one(
            conn,
            "SELECT count(*) FROM licencestep s WHERE s.kind = 'issue' AND s.case_id IS NOT NULL AND "
            "NOT EXISTS (SELECT 1 FROM licencestep a WHERE a.case_id = s.case_id AND a.kind = 'approval' "
            "AND a.on_date <= s.on_date)",
        )
        == 0
    )
    # expiry is four Jalali years after issue
    assert one(conn, "SELECT count(*) FROM licence WHERE validity_years != 4 OR expires_on <= issued_on") == 0
    # suspended and revoked NGOs have the step and a punitive letter
    assert (
        one(
            conn,
            "SELECT count(*) FROM ngo n WHERE n.licence_state = 'suspended' AND NOT EXISTS "
            "(SELECT 1 FROM licencestep s WHERE s.ngo_id = n.id AND s.kind = 'suspension')",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM licencestep s WHERE s.kind IN ('suspension', 'revocation') AND NOT "
            "EXISTS (SELECT 1 FROM letter l WHERE l.licence_step_id = s.id AND l.kind = 'punitive')",
        )
        == 0
    )
    # open cases with overdue, unanswered inquiries exist
    assert (
        one(conn, "SELECT count(*) FROM inquiry WHERE answered_on IS NULL AND due_on < ?", TODAY.isoformat())
        > 0
    )
    assert one(conn, "SELECT max(on_date) FROM licencestep") <= TODAY.isoformat()


def test_every_county_has_ngos_centres_and_monthly_inspections(demo_db):
    _, conn, _ = demo_db
    counties = conn.execute("SELECT id FROM county").fetchall()
    assert len(counties) == 6
    for (county_id,) in counties:
        assert one(conn, "SELECT count(*) FROM ngo WHERE county_id = ?", county_id) > 0
        categories = one(
            conn, "SELECT count(DISTINCT category_id) FROM centre WHERE county_id = ?", county_id
        )
        assert categories == one(conn, "SELECT count(*) FROM referenceitem WHERE kind = 'centre_category'")
    years = [y for (y,) in conn.execute("SELECT DISTINCT jalali_year FROM inspection ORDER BY 1")]
    assert years == [1404, 1405]  # two Jalali years: last year and this one up to TODAY (1405/09/02)
    assert one(conn, "SELECT max(inspected_on) FROM inspection") <= TODAY.isoformat()
    # some months are missed somewhere, as the coverage grid must show
    slots = one(
        conn,
        "SELECT count(*) FROM (SELECT DISTINCT county_id, category_id, jalali_year, jalali_month "
        "FROM inspection)",
    )
    assert slots < 6 * 8 * (12 + 9)
    assert one(conn, "SELECT count(*) FROM inspection WHERE announced = 0") > 0.9 * one(
        conn, "SELECT count(*) FROM inspection"
    )


def _checklist_items(conn):
    from types import SimpleNamespace

    items: dict[str, list] = {}
    for row in conn.execute(
        "SELECT template_id, id, text, answer_type, max_score, weight, critical, position FROM checklistitem "
        "ORDER BY template_id, position"
    ):
        items.setdefault(row[0], []).append(
            SimpleNamespace(
                id=row[1],
                text=row[2],
                answer_type=row[3],
                max_score=row[4],
                weight=row[5],
                critical=bool(row[6]),
                position=row[7],
            )
        )
    pass_scores = dict(conn.execute("SELECT id, pass_score FROM checklisttemplate"))
    return items, pass_scores


def test_visits_agree_with_their_answers(demo_db):
    """Score and result recomputed by the domain's rules; every failed item is a finding, and only those,
    saying what failed; the answers are stored as the services store them (a compact array)."""
    from ostandari_desk.domain.inspections import (
        decode_answers,
        encode_answers,
        evaluate,
        failed_item_finding,
        finding_severity,
        parse_answer,
    )

    _, conn, _ = demo_db
    items, pass_scores = _checklist_items(conn)
    active = dict(conn.execute("SELECT category_id, id FROM checklisttemplate WHERE state = 'active'"))
    findings: dict[str, list[tuple[str | None, str, str]]] = {}
    for visit_id, item_id, body, severity in conn.execute(
        "SELECT inspection_id, item_id, text, severity FROM finding"
    ):
        findings.setdefault(visit_id, []).append((item_id, body, severity))
    visits = conn.execute(
        "SELECT id, category_id, template_id, answers, score, result, computed_result, correction_deadline, "
        "inspected_on FROM inspection ORDER BY id"
    ).fetchall()
    results = {}
    for visit_id, category, template, answers, score, result, computed, deadline, on in visits[::5]:
        assert template == active[category]  # the category's checklist, frozen on the visit
        stored = decode_answers(items[template], answers)
        assert answers == encode_answers(items[template], stored) and answers.startswith("[")
        by_id = {i.id: i for i in items[template]}
        for item_id, value in stored.items():  # the stored form parse_answer gives
            assert parse_answer(by_id[item_id], value) == value, (item_id, value)
        outcome = evaluate(items[template], stored, pass_scores[template])
        assert (score, result, computed) == (outcome.score, str(outcome.result), ""), visit_id
        results[result] = results.get(result, 0) + 1
        if result != "good":
            assert deadline is not None and deadline > on, visit_id
        linked = {f[0]: f for f in findings.get(visit_id, []) if f[0] is not None}
        assert set(linked) == set(outcome.failed), visit_id
        for item_id, (_, body, severity) in linked.items():
            item = by_id[item_id]
            assert (body, severity) == (failed_item_finding(item, stored[item_id]), finding_severity(item))
            assert body.startswith(f"{item.text} — ")
    assert set(results) == {"good", "needs_fix", "serious"}
    assert results["good"] > results["needs_fix"] + results["serious"]
    # free-text findings (no item) exist beside the checklist's
    assert one(conn, "SELECT count(*) FROM finding WHERE item_id IS NULL") > 0


def test_actions_reinspections_and_referrals(demo_db):
    _, conn, _ = demo_db
    today = TODAY.isoformat()
    overdue = one(conn, "SELECT count(*) FROM correctiveaction WHERE done_on IS NULL AND deadline < ?", today)
    total = one(conn, "SELECT count(*) FROM correctiveaction")
    assert 0 < overdue < total * 0.2
    assert one(conn, "SELECT count(*) FROM correctiveaction WHERE done_on IS NOT NULL") > total / 2
    assert one(conn, "SELECT count(*) FROM correctiveaction WHERE done_on > ?", today) == 0
    # re-inspections: of the same centre, later, and the actions they verify are done on their date
    again = conn.execute(
        "SELECT r.id, r.centre_id = v.centre_id, r.inspected_at > v.inspected_at, v.result FROM inspection r "
        "JOIN inspection v ON v.id = r.reinspection_of_id"
    ).fetchall()
    assert len(again) > 20
    assert all(same and later and result != "good" for _, same, later, result in again)
    verified = conn.execute(
        "SELECT a.done_on = r.inspected_on, r.reinspection_of_id = f.inspection_id FROM correctiveaction a "
        "JOIN finding f ON f.id = a.finding_id JOIN inspection r ON r.id = a.verified_by_id"
    ).fetchall()
    assert verified and all(on and same for on, same in verified)
    assert one(conn, "SELECT count(*) FROM correctiveaction WHERE verified_by_id IS NOT NULL") == len(
        verified
    )
    # referrals: outgoing letters to the licensing agency, dated from the visit on
    referrals = conn.execute(
        "SELECT l.direction, l.kind, l.party = c.licensing_agency, l.dated_on >= v.inspected_on, l.dated_on "
        "FROM correctiveaction a JOIN letter l ON l.id = a.referral_letter_id JOIN finding f ON f.id = a.finding_id "
        "JOIN inspection v ON v.id = f.inspection_id JOIN centre c ON c.id = v.centre_id"
    ).fetchall()
    assert len(referrals) > 10
    assert all(
        d == "outgoing" and k == "punitive" and party and after and on <= today
        for d, k, party, after, on in referrals
    )
    # notes correct closed visits only; the open visits are the last days' ones
    assert one(conn, "SELECT count(*) FROM inspectionnote") > 0
    assert (
        one(
            conn,
            "SELECT count(*) FROM inspectionnote n JOIN inspection v ON v.id = n.inspection_id "
            "WHERE v.state != 'closed'",
        )
        == 0
    )
    recent = (TODAY - dt.timedelta(days=10)).isoformat()
    assert one(conn, "SELECT count(*) FROM inspection WHERE state = 'open'") > 0
    assert one(conn, "SELECT count(*) FROM inspection WHERE state = 'open' AND inspected_on < ?", recent) == 0


def test_centres_have_codes_licences_and_phones(demo_db):
    from ostandari_desk.services.inspections.centres import clean_code, clean_phone

    _, conn, _ = demo_db
    rows = conn.execute("SELECT code, licence_number, phone, licensing_agency FROM centre").fetchall()
    assert len({r[0] for r in rows}) == len(rows)
    assert all(clean_code(code) == code for code, *_ in rows)
    assert all(
        clean_phone(phone) == phone and phone.isdigit() and 8 <= len(phone) <= 11 for _, _, phone, _ in rows
    )
    assert sum(1 for r in rows if r[1]) > 0.9 * len(rows)
    assert all(r[3] for r in rows)


def test_a_county_misses_a_whole_month(demo_db):
    _, conn, _ = demo_db
    months = conn.execute(
        "SELECT DISTINCT jalali_year, jalali_month FROM inspection ORDER BY 1, 2"
    ).fetchall()[:-1]  # not the month under way
    counties = [c for (c,) in conn.execute("SELECT id FROM county")]
    missing = [
        (county, y, m)
        for y, m in months
        for county in counties
        if not one(
            conn,
            "SELECT count(*) FROM inspection WHERE county_id = ? AND jalali_year = ? AND jalali_month = ?",
            county,
            y,
            m,
        )
    ]
    assert missing


def test_letter_numbers_unique_per_direction_and_year(demo_db):
    _, conn, _ = demo_db
    assert (
        one(
            conn,
            "SELECT count(*) FROM (SELECT direction, jalali_year, number FROM letter "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1)",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM payment p JOIN memorandum m ON m.id = p.memorandum_id "
            "GROUP BY m.id ORDER BY sum(p.amount) > m.amount DESC LIMIT 1",
        )
        >= 1
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM (SELECT m.id FROM memorandum m JOIN payment p ON p.memorandum_id = m.id "
            "GROUP BY m.id HAVING sum(p.amount) > max(m.amount))",
        )
        == 0
    )


def test_same_seed_same_data_and_refuses_a_used_database(engine, tmp_path, _migrated_template):
    import shutil

    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    first = build_demo(engine, "small", seed=7, today=TODAY)
    other_path = tmp_path / "again.sqlite3"
    shutil.copy(_migrated_template, other_path)
    other = open_database(sqlite_url(other_path))
    second = build_demo(other, "small", seed=7, today=TODAY)
    assert first.counts == second.counts
    with engine.connect() as a, other.connect() as b:
        sql = "SELECT id, name, national_id, licence_state FROM ngo ORDER BY seq"
        assert a.exec_driver_sql(sql).fetchall() == b.exec_driver_sql(sql).fetchall()
    other.dispose()
    with pytest.raises(UserError):
        build_demo(engine, "small", seed=7, today=TODAY)


def test_the_demo_has_a_manager_demo_with_password_demo(demo_db, _migrated_template, tmp_path):
    """The login dialog and the README name demo/demo; the setting marks the database as a demo."""
    _, conn, _ = demo_db
    assert conn.execute("SELECT username, role, active FROM user").fetchall() == [("demo", "manager", 1)]
    assert one(conn, "SELECT value FROM setting WHERE key = 'demo_database'") == "true"


def test_demo_user_signs_in(engine):
    from ostandari_desk import settings
    from ostandari_desk.domain.roles import Role
    from ostandari_desk.services import users
    from ostandari_desk.services.demo import DEMO_PASSWORD, DEMO_USER
    from ostandari_desk.store.uow import UnitOfWork

    build_demo(engine, "small", seed=3, today=TODAY)
    actor = users.authenticate(engine, DEMO_USER, DEMO_PASSWORD)
    assert (DEMO_USER, DEMO_PASSWORD) == ("demo", "demo")
    assert actor.role is Role.MANAGER and actor.county_scope is None
    assert settings.get_setting(UnitOfWork(engine, actor), "demo_database") is True


# --- building into a file (issue 7: a kill leaves no half database under the real name) -------------


class _Stop(Exception):
    pass


def _stop_at(stage: str):
    def progress(seen: str, done: int, total: int) -> None:
        if seen == stage:
            raise _Stop(seen)

    return progress


def test_a_build_that_fails_leaves_nothing_under_the_real_name(tmp_path):
    from ostandari_desk.services.demo import build_demo_file

    folder = tmp_path / "data"
    path = folder / "demo.sqlite3"
    with pytest.raises(_Stop):
        build_demo_file(path, "small", today=TODAY, progress=_stop_at("مراکز و بازدیدها"))
    assert list(folder.iterdir()) == []  # neither the database nor its temporary build
    summary = build_demo_file(path, "small", today=TODAY)
    assert summary.ngos == 500 and summary.set_aside is None
    assert sorted(p.name for p in folder.iterdir()) == ["demo.sqlite3"]
    conn = sqlite3.connect(path)
    try:
        assert one(conn, "PRAGMA integrity_check") == "ok"
        assert one(conn, "SELECT count(*) FROM ngo") == one(conn, "SELECT count(*) FROM ngo_fts") == 500
        assert one(conn, "PRAGMA journal_mode") == "wal"
    finally:
        conn.close()


def test_a_dead_build_is_cleared_and_a_used_database_refused(desk, db_path, tmp_path):
    from ostandari_desk.services.demo import build_demo_file

    dead = tmp_path / f".{db_path.name}.x1y2.building"
    dead.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # cut off mid-write by a kill
    cut = tmp_path / f"{db_path.stem}.before-demo-20261123-101010{db_path.suffix}.partial"
    cut.write_bytes(b"SQLite format 3\x00")  # a safety copy cut off by a kill
    desk.engine.dispose()
    with pytest.raises(UserError):
        build_demo_file(db_path, "small", today=TODAY)  # initialized: only --replace may set it aside
    assert not dead.exists() and not cut.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_dir()) == [db_path.name]


_DIE_WITH_EDITS_IN_THE_WAL = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_autocheckpoint=0")
for n in range(1, 101):
    conn.execute("UPDATE ngo SET address = ? WHERE seq = ?", (f"نشانی تازه {n}", n))
    conn.commit()
os._exit(0)  # the window is killed: 100 saved edits stay in the WAL, never checkpointed
"""


def test_replace_copies_the_old_database_with_the_edits_in_its_wal(desk, make_ngo, db_path, tmp_path):
    import subprocess
    import sys

    from ostandari_desk.services.demo import build_demo_file

    for _ in range(100):
        make_ngo()
    desk.engine.dispose()
    subprocess.run([sys.executable, "-c", _DIE_WITH_EDITS_IN_THE_WAL, str(db_path)], check=True, timeout=60)
    assert db_path.with_name(db_path.name + "-wal").stat().st_size > 0
    summary = build_demo_file(db_path, "small", today=TODAY, replace=True)
    copy = summary.set_aside
    assert copy is not None and copy.name.startswith(f"{db_path.stem}.before-demo-")
    conn = sqlite3.connect(copy)
    try:
        assert one(conn, "PRAGMA integrity_check") == "ok"
        assert one(conn, "SELECT count(*) FROM ngo WHERE address LIKE 'نشانی تازه %'") == 100
    finally:
        conn.close()
    conn = sqlite3.connect(db_path)
    try:
        assert one(conn, "SELECT count(*) FROM ngo") == 500  # the demo under the real name
    finally:
        conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_dir()) == sorted([db_path.name, copy.name])


# --- memoranda, progress, payments and facilitation offices (issue 9) -------------------------------


def _engine_of(conn):
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    return open_database(sqlite_url(conn.execute("PRAGMA database_list").fetchone()[2]))


def test_the_east_azerbaijan_year_is_exact(demo_db):
    """The last complete Jalali year (1404 on TODAY): 77 memoranda, 46 with governorates, 31 with NGOs,
    10,800,000,000 rials, through the credits view the paper prints."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services.memoranda.credits import credits_by_county, memoranda_summary
    from ostandari_desk.store.uow import UnitOfWork

    _, conn, _ = demo_db
    engine = _engine_of(conn)
    try:
        view = credits_by_county(UnitOfWork(engine, SYSTEM), 1404)
        total = view.total
        assert (total.memoranda, total.with_governorates, total.with_ngos) == (77, 46, 31)
        assert total.amount == 10_800_000_000 and isinstance(total.amount, int)
        assert 0 < total.paid < total.amount  # tranches are held back at 50%
        assert any(r.far_below for r in view.rows)  # the fairness view has something to highlight
        assert sum(r.population is None for r in view.rows if r.county_id) == 1  # one county left empty
        summary = memoranda_summary(UnitOfWork(engine, SYSTEM), TODAY)
        assert summary.waiting_count > 0 and summary.overdue_count > 0
        other = credits_by_county(UnitOfWork(engine, SYSTEM), 1403).total
        assert 5 <= other.memoranda <= 40  # other years keep everyday volumes
    finally:
        engine.dispose()
    states = dict(
        conn.execute(
            "SELECT state, count(*) FROM memorandum WHERE signed_on BETWEEN '2025-03-21' AND '2026-03-20' "
            "GROUP BY state"
        ).fetchall()
    )
    assert states.get("cancelled", 0) >= 2 and states.get("active", 0) >= 3


def test_every_payment_keeps_the_release_rule(demo_db):
    from ostandari_desk.domain.memoranda import release_refusal

    _, conn, _ = demo_db
    memos = {
        mid: (amount, dt.date.fromisoformat(signed))
        for mid, amount, signed in conn.execute("SELECT id, amount, signed_on FROM memorandum")
    }
    progress: dict[str, list[tuple[dt.date, int]]] = {}
    for mid, day, percent in conn.execute(
        "SELECT memorandum_id, reported_on, percent FROM progressreport ORDER BY memorandum_id, reported_on"
    ):
        progress.setdefault(mid, []).append((dt.date.fromisoformat(day), percent))
    paid: dict[str, int] = {}
    last_day: dict[str, dt.date] = {}
    count: dict[str, int] = {}
    checked = 0
    for mid, day, tranche, amount in conn.execute(
        "SELECT memorandum_id, paid_on, tranche_no, amount FROM payment ORDER BY memorandum_id, tranche_no"
    ):
        on = dt.date.fromisoformat(day)
        so_far = paid.get(mid, 0)
        seen = [p for d, p in progress.get(mid, []) if d <= on]
        reason = release_refusal(
            memos[mid][0],
            so_far,
            tranche,
            amount,
            max(seen) if seen else None,
            False,
            next_tranche_no=count.get(mid, 0) + 1,
        )
        assert reason is None, (mid, tranche, reason)
        assert memos[mid][1] <= on <= TODAY
        assert on >= last_day.get(mid, on)
        paid[mid], last_day[mid] = so_far + amount, on
        count[mid] = count.get(mid, 0) + 1
        checked += 1
    assert checked > 100
    # tranches numbered 1, 2, 3… without gaps
    assert (
        one(
            conn,
            "SELECT count(*) FROM (SELECT memorandum_id FROM payment GROUP BY memorandum_id "
            "HAVING max(tranche_no) != count(*) OR min(tranche_no) != 1)",
        )
        == 0
    )
    # some memoranda wait for their 50% report: a tranche paid, money left, progress below 50
    waiting = one(
        conn,
        "SELECT count(*) FROM memorandum m WHERE m.state = 'active' "
        "AND EXISTS (SELECT 1 FROM payment p WHERE p.memorandum_id = m.id) "
        "AND coalesce((SELECT max(percent) FROM progressreport r WHERE r.memorandum_id = m.id), 0) < 50",
    )
    assert waiting > 0


def test_memoranda_dates_progress_and_numbers_hold(demo_db):
    from ostandari_desk.domain import jalali, text

    _, conn, _ = demo_db
    rows = conn.execute(
        "SELECT id, number, title, title_sort, signed_on, starts_on, duration_months, ends_on, state, party_kind, "
        "ngo_id, county_id FROM memorandum"
    ).fetchall()
    assert len(rows) > 100
    assert len({r[1] for r in rows}) == len(rows)  # unique numbers
    for mid, number, title, sort, signed, starts, months, ends, state, party, ngo_id, county_id in rows:
        assert number.startswith("ت/") and number == text.digits_to_latin(number), number
        assert sort == text.persian_sort_key(title)
        assert dt.date.fromisoformat(starts) >= dt.date.fromisoformat(signed)
        assert dt.date.fromisoformat(ends) == jalali.add_months(dt.date.fromisoformat(starts), months), number
        assert state in ("active", "completed", "cancelled")
        assert (party == "ngo") == (ngo_id is not None), number
        if party == "county":
            assert county_id is not None
    # progress never goes down, stays within 0–100, and is never dated after today
    previous: dict[str, int] = {}
    for mid, day, percent in conn.execute(
        "SELECT memorandum_id, reported_on, percent FROM progressreport ORDER BY memorandum_id, reported_on, percent"
    ):
        assert 0 <= percent <= 100 and dt.date.fromisoformat(day) <= TODAY
        assert percent >= previous.get(mid, 0), mid
        previous[mid] = percent
    # a completed memorandum reached 100%; an overdue one is running past its end below 100%
    assert (
        one(
            conn,
            "SELECT count(*) FROM memorandum m WHERE state = 'completed' AND "
            "coalesce((SELECT max(percent) FROM progressreport r WHERE r.memorandum_id = m.id), 0) < 100",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM memorandum m WHERE state = 'active' AND ends_on < ? AND "
            "coalesce((SELECT max(percent) FROM progressreport r WHERE r.memorandum_id = m.id), 0) < 100",
            TODAY.isoformat(),
        )
        > 0
    )


def test_facilitation_offices_are_kerman_like(demo_db):
    from ostandari_desk.domain import text

    _, conn, _ = demo_db
    offices = conn.execute(
        "SELECT id, county_id, name, name_key, ngo_id, budget, state, opened_on FROM facilitationoffice"
    ).fetchall()
    assert 8 <= len(offices) <= 12
    assert len({(o[1], o[3]) for o in offices}) == len(offices)  # names unique within a county
    assert len({o[1] for o in offices}) >= 4  # across the counties
    for oid, county_id, name, key, ngo_id, budget, state, opened in offices:
        assert key == text.normalize(name) and county_id is not None and ngo_id is not None
        assert budget == 2_000_000_000
        assert (opened is None) == (state == "planned")
        funded = conn.execute(
            "SELECT count(*), coalesce(sum(amount), 0), count(DISTINCT county_id), max(county_id), "
            "min(duration_months), max(duration_months) FROM memorandum WHERE office_id = ?",
            (oid,),
        ).fetchone()
        assert funded[1] <= budget
        if funded[0]:
            assert funded[2:] == (1, county_id, 3, 3)  # in the office's county, on three-month clocks
    assert one(conn, "SELECT count(DISTINCT office_id) FROM memorandum WHERE state = 'active'") >= 3
