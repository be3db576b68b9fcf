"""An office's whole history through Excel: every kind exported from the small demo and imported into an
empty desk gives the same records — the counts, each NGO's licence history (steps, cases, inquiries,
licences, board), its letters — and the same annual report figures.

The demo writes three things the desk itself never does; they are put right in the source first, as the desk
would have recorded them, so the comparison below is exact:
- an open renewal case with no step at all: the desk records its request (``open_case``) and, for one whose
  documents were checked, that step; one opened on an NGO already revoked, which the lifecycle refuses, is
  left out;
- one «پاسخ استعلام» step per case, dated the last answer, and answers with no step on open cases: the desk
  records one step per answer (``answer_inquiry``);
- a case still «در انتظار پاسخ استعلام‌ها» with its four answers in: the desk makes it the council's turn.

Known exceptions stay:
- a payment made before its memorandum was cancelled is refused by the release rule (nothing is paid on a
  cancelled memorandum, and a cancellation has no date to tell before from after), so those payments and
  their rials are missing from the copy (tests/services/test_transfer_roundtrip.py);
- the «بازدیدها» sheet carries no corrective action's completion and one referral letter per visit: the
  figures «اقدامات اصلاحی انجام‌شده» and «ارجاع به دستگاه صادرکننده مجوز» are not compared (NOT_CARRIED).
The licence group's figures are compared per county too.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from collections import Counter, defaultdict

import pytest
from sqlalchemy import text

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import transfer
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.indicators import COUNTY_INDICATORS, GROUPS
from ostandari_desk.store.uow import UnitOfWork

DEMO_TODAY = dt.date(2026, 11, 23)  # 1405/09/02
# a fresh desk takes the sheets in the order they name each other
ORDER = (
    "ngos",
    "boards",
    "letters",
    "licences",
    "events",
    "centres",
    "inspections",
    "offices",
    "memoranda",
    "progress",
    "payments",
)
COUNTED = (
    "ngo",
    "ngofield",
    "boardmember",
    "licencecase",
    "inquiry",
    "licence",
    "licencestep",
    "letter",
    "event",
    "eventngo",
    "centre",
    "inspection",
    "finding",
    "facilitationoffice",
    "memorandum",
    "progressreport",
    "payment",
)


# The inspections sheet brings a visit's outcome, findings and one referral letter: a corrective action done,
# and a referral per finding, do not travel (the «بازدیدها» sheet's own limits; not this sheet's).
NOT_CARRIED = ("actions_closed", "referrals")
COUNTY_KEYS = tuple(ind.key for ind in COUNTY_INDICATORS)
LICENCE_KEYS = next(
    {i.key for i in members} for _name, members in GROUPS if "issued" in {i.key for i in members}
)


def _admin(engine) -> UnitOfWork:
    return UnitOfWork(engine, Actor(username="tester", full_name="کارشناس آزمون", role=Role.ADMIN))


INSERT_STEP = (
    "INSERT INTO licencestep (id, created_at, updated_at, row_version, county_id, ngo_id, case_id, kind, on_date, "
    "clerk, letter_no, legal_basis, reason, note) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, '', '', '', '', '')"
)


def _as_desk_records(path) -> None:
    """Put the demo's three departures from what the desk records right (see the module docstring)."""
    conn = sqlite3.connect(path)
    stamp = conn.execute("SELECT min(created_at) FROM licencestep").fetchone()[0]
    stepless = conn.execute(
        "SELECT c.id, c.ngo_id, c.county_id, c.received_on, n.licence_state, c.state FROM licencecase c "
        "JOIN ngo n ON n.id = c.ngo_id WHERE NOT EXISTS (SELECT 1 FROM licencestep s WHERE s.case_id = c.id)"
    ).fetchall()
    for case_id, ngo_id, county_id, received_on, state, case_state in stepless:
        if state != "valid":
            conn.execute("DELETE FROM licencecase WHERE id = ?", (case_id,))
            continue
        for kind in ("request", "documents") if case_state == "documents_checked" else ("request",):
            conn.execute(
                INSERT_STEP, (uuid.uuid4().hex, stamp, stamp, county_id, ngo_id, case_id, kind, received_on)
            )
    conn.execute("DELETE FROM licencestep WHERE kind = 'inquiry_answered'")
    answered = conn.execute(
        "SELECT c.id, c.ngo_id, c.county_id, q.answered_on FROM inquiry q "
        "JOIN licencecase c ON c.id = q.case_id WHERE q.answered_on IS NOT NULL"
    ).fetchall()
    for case_id, ngo_id, county_id, on in answered:
        conn.execute(
            INSERT_STEP, (uuid.uuid4().hex, stamp, stamp, county_id, ngo_id, case_id, "inquiry_answered", on)
        )
    conn.execute(
        "UPDATE licencecase SET state = 'inquiries_answered' WHERE state = 'inquiring' AND NOT EXISTS "
        "(SELECT 1 FROM inquiry q WHERE q.case_id = licencecase.id AND q.answered_on IS NULL)"
    )
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, _migrated_template):
    """The small demo, as the desk would have recorded it, and its exports of every kind."""
    from ostandari_desk.services.demo import build_demo
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    folder = tmp_path_factory.mktemp("history")
    path = folder / "demo.sqlite3"
    shutil.copy(_migrated_template, path)
    engine = open_database(sqlite_url(path))
    build_demo(engine, "small", seed=1401, today=DEMO_TODAY)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    _as_desk_records(path)
    engine = open_database(sqlite_url(path))
    sheets = {}
    for kind in ORDER:
        sheets[kind] = folder / f"{kind}.xlsx"
        assert transfer.export_file(_admin(engine), kind, sheets[kind]) > 0, kind
    records, figures = _records(engine), _figures(engine)
    engine.dispose()
    return sheets, records, figures


# --- what is compared ------------------------------------------------------------------------------------


def _rows(conn, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(sql))]


def _grouped(rows: list[tuple]) -> dict[str, list[tuple]]:
    """{first column: sorted rest} (an NGO's national ID -> its records)."""
    by: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by[row[0]].append(tuple(str(v) if v is not None else None for v in row[1:]))
    return {key: sorted(values) for key, values in by.items()}


def _records(engine) -> dict:
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}
        steps = _rows(
            conn,
            "SELECT n.national_id, s.kind, s.on_date, "
            "CASE WHEN s.kind IN ('issue', 'credential', 'renewal', 'upgrade') THEN l.number END, "
            "COALESCE(NULLIF(s.letter_no, ''), "
            "(SELECT min(x.number) FROM letter x WHERE x.licence_step_id = s.id), ''), "
            "s.legal_basis, CASE WHEN s.kind IN ('notice', 'written_warning', 'suspension', 'revocation', "
            "'dissolution_request', 'withdrawal', 'inquiry_override') THEN s.reason ELSE '' END "
            "FROM licencestep s JOIN ngo n ON n.id = s.ngo_id LEFT JOIN licence l ON l.id = s.licence_id",
        )
        cases = _rows(
            conn,
            "SELECT n.national_id, c.case_type, c.received_on, c.state, c.decision, c.decided_on, "
            "c.meeting_on, c.legal_basis FROM licencecase c JOIN ngo n ON n.id = c.ngo_id",
        )
        inquiries = _rows(
            conn,
            "SELECT n.national_id, c.received_on, q.agency, q.sent_on, q.due_on, q.letter_no, q.answered_on, "
            "q.answer FROM inquiry q JOIN licencecase c ON c.id = q.case_id JOIN ngo n ON n.id = c.ngo_id",
        )
        licences = _rows(
            conn,
            "SELECT n.national_id, l.number, l.level, l.issued_on, l.expires_on, l.validity_years, l.state, "
            "p.number, c.case_type FROM licence l JOIN ngo n ON n.id = l.ngo_id "
            "LEFT JOIN licence p ON p.id = l.renewed_from_id LEFT JOIN licencecase c ON c.id = l.case_id",
        )
        boards = _rows(
            conn,
            "SELECT n.national_id, b.national_code, b.full_name, b.role, b.expertise, b.term_start, "
            "b.term_end FROM boardmember b JOIN ngo n ON n.id = b.ngo_id",
        )
        ngos = _rows(conn, "SELECT national_id, licence_state, level, status FROM ngo")
        letters = _rows(
            conn,
            "SELECT x.direction || '/' || x.jalali_year || '/' || x.number || '/' || COALESCE(c.name, ''), "
            "x.kind, x.party, x.subject, x.dated_on, n.national_id, s.kind, s.on_date "
            "FROM letter x LEFT JOIN county c ON c.id = x.county_id LEFT JOIN ngo n ON n.id = x.ngo_id "
            "LEFT JOIN licencestep s ON s.id = x.licence_step_id",
        )
    return {
        "counts": counts,
        "ngos": _grouped(ngos),
        "steps": _grouped(steps),
        "cases": _grouped(cases),
        "inquiries": _grouped(inquiries),
        "licences": _grouped(licences),
        "boards": _grouped(boards),
        "letters": _grouped(letters),
    }


def _figures(engine) -> dict:
    """The annual comparison's figures of the demo's last three years, per indicator and per county."""
    uow = _admin(engine)
    figures = {}
    for year in (1403, 1404, 1405):
        found = annual_comparison(uow, year, today=DEMO_TODAY)
        figures[year] = (
            {row.key: (row.last, row.this) for row in found.rows},
            {c.name: c.values for c in found.by_county},
        )
    return figures


# --- the round trip --------------------------------------------------------------------------------------


def test_every_kind_exported_from_the_demo_imports_into_an_empty_desk_as_the_same_records(demo, engine, uow):
    from ostandari_desk.services import setup

    sheets, source, source_figures = demo
    setup.initialize(uow, "قزوین", office_name="اداره کل امور اجتماعی")
    refused_payments = 0
    for kind in ORDER:
        report = transfer.import_file(uow, kind, sheets[kind], skip_bad=(kind == "payments"))
        if kind == "payments":  # the known exception, and nothing else
            assert {e.column for e in report.errors} <= {"شماره تفاهم‌نامه"}, report.errors[:3]
            assert all("لغو" in e.reason for e in report.errors)
            refused_payments = report.bad_rows
        else:
            assert report.errors == [], (kind, report.errors[:3])
        assert report.added > 0, kind

    copy = _records(engine)
    expected_counts = {**source["counts"], "payment": source["counts"]["payment"] - refused_payments}
    assert copy["counts"] == expected_counts
    for part in ("ngos", "boards", "cases", "inquiries", "licences", "letters"):
        differ = [
            k for k in source[part].keys() | copy[part].keys() if source[part].get(k) != copy[part].get(k)
        ]
        assert not differ, (
            part,
            len(differ),
            differ[:1],
            [source[part].get(differ[0]), copy[part].get(differ[0])],
        )
    # each NGO's timeline: every step, with its date, the licence it issued, its letter number, legal basis
    # and reason
    differ = [
        k
        for k in source["steps"].keys() | copy["steps"].keys()
        if source["steps"].get(k) != copy["steps"].get(k)
    ]
    assert not differ, (
        len(differ),
        Counter(source["steps"].get(differ[0], [])) - Counter(copy["steps"].get(differ[0], [])),
        Counter(copy["steps"].get(differ[0], [])) - Counter(source["steps"].get(differ[0], [])),
    )

    figures = _figures(engine)
    for year, (rows, by_county) in source_figures.items():
        copy_rows, copy_counties = dict(figures[year][0]), figures[year][1]
        rows = dict(rows)
        for key in NOT_CARRIED:
            rows.pop(key), copy_rows.pop(key)
        paid = rows.pop("memoranda_paid"), copy_rows.pop("memoranda_paid")
        assert copy_rows == rows, year
        assert paid[1][0] <= paid[0][0] and paid[1][1] <= paid[0][1]  # only the refused payments are missing
        licence_columns = [n for n, key in enumerate(COUNTY_KEYS) if key in LICENCE_KEYS]
        assert {name: [v[n] for n in licence_columns] for name, v in copy_counties.items()} == {
            name: [v[n] for n in licence_columns] for name, v in by_county.items()
        }, year
    assert refused_payments < 10  # the exception stays small: a few payments of the cancelled memoranda
