"""The health check (services/health.py): a sound desk passes; a broken search index, a wrong sort key, a
changed attachment, a dangling reference and a damaged index are found; ``repair`` rebuilds what is
derived."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from ostandari_desk.errors import PermissionDeniedError
from ostandari_desk.services import attachments as att
from ostandari_desk.services import health, letters
from ostandari_desk.services.memoranda import payments as pay
from ostandari_desk.services.memoranda import progress as pr
from ostandari_desk.services.ngos import NgoFilter, count_ngos

from .inspection_seed import add_visit, categories, make_centre
from .memorandum_fixtures import j, make_memo
from .test_letters import _letter


def raw(db_path, *statements: str) -> None:
    """Break the file behind the app's back (as a crash or another program could)."""
    conn = sqlite3.connect(db_path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def fts_schema(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'ngo_fts%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def coverage_schema(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name LIKE 'inspectioncoverage%' "
            "OR tbl_name = 'inspectioncoverage' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def coverage_in_step(db_path) -> bool:
    conn = sqlite3.connect(db_path)
    try:
        table = conn.execute("SELECT * FROM inspectioncoverage ORDER BY 1, 2, 3, 4, 5").fetchall()
        truth = conn.execute(
            "SELECT coalesce(county_id, ''), jalali_year, jalali_month, category_id, centre_id, count(*) "
            "FROM inspection GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        ).fetchall()
        return bool(truth) and table == truth
    finally:
        conn.close()


@pytest.fixture
def visited(desk):
    """Two centres of قزوین, one visited twice in a month; {name: id}."""
    cats = categories(desk.uow)
    qz = desk.counties["قزوین"]
    one = make_centre(desk.uow, qz, cats["کشتارگاه"])
    two = make_centre(desk.uow, qz, cats["کمپ ترک اعتیاد"])
    add_visit(desk.uow, one, date(2024, 5, 1))
    add_visit(desk.uow, one, date(2024, 5, 8))
    add_visit(desk.uow, two, date(2024, 6, 1))
    return {"one": one, "two": two}


def parts(report: health.HealthReport) -> set[str]:
    return {f.part for f in report.findings}


def test_a_sound_desk_is_healthy_with_a_progress_bar(desk, make_ngo):
    make_ngo()
    seen: list[tuple[int, int]] = []
    report = health.check_health(desk.uow, progress=lambda d, t: seen.append((d, t)))
    assert report.healthy and report.findings == ()
    assert report.lines()[-1] == "نتیجه: پایگاه داده سالم است."
    assert all(t == 1000 for _, t in seen) and seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_dropped_search_trigger_is_found_and_repaired(desk, db_path, make_ngo, _migrated_template):
    """Finding 1 of issue 7: an import killed midway left the insert trigger dropped; integrity_check said
    ok and new NGOs could no longer be found. The check names it; --repair builds the index afresh."""
    make_ngo(name="انجمن پیش از خرابی")
    raw(db_path, "DROP TRIGGER ngo_fts_insert")
    make_ngo(name="انجمن گمشده")
    assert count_ngos(desk.uow, NgoFilter(text="گمشده")) == 0

    report = health.check_health(desk.uow)
    assert parts(report) == {health.SEARCH}
    problems = " ".join(f.problem for f in report.findings)
    assert "افزودن سمن‌های تازه به نمایه" in problems and "۱ سمن در نمایه نیست" in problems
    assert report.repairable and not report.healthy

    repaired = health.check_health(desk.uow, repair=True)
    assert repaired.healthy and health.SEARCH in repaired.repaired
    assert count_ngos(desk.uow, NgoFilter(text="گمشده")) == 1
    assert count_ngos(desk.uow, NgoFilter(text="خرابی")) == 1
    assert fts_schema(db_path) == fts_schema(_migrated_template)  # exactly as the migrations make it
    make_ngo(name="انجمن پس از بازسازی")  # and the triggers keep it up again
    assert count_ngos(desk.uow, NgoFilter(text="بازسازی")) == 1


def test_index_rows_missing_or_stray_are_found(desk, db_path, make_ngo):
    make_ngo(name="انجمن یکم")
    make_ngo(name="انجمن دوم")
    raw(
        db_path,
        "DELETE FROM ngo_fts WHERE rowid = (SELECT min(seq) FROM ngo)",
        "INSERT INTO ngo_fts(rowid, search_text) VALUES (999999, 'شبح')",
    )
    report = health.check_health(desk.uow)
    problems = " ".join(f.problem for f in report.findings)
    assert "۱ سمن در نمایه نیست" in problems and "۱ ردیف نمایه سمنی ندارد" in problems
    assert health.check_health(desk.uow, repair=True).healthy


def test_a_dropped_coverage_trigger_is_found_and_repaired(desk, db_path, visited, _migrated_template):
    """The grid's coverage table is derived by triggers on inspection: with one dropped, new visits go
    uncounted though integrity_check says ok. The check names it; --repair rebuilds table and triggers."""
    raw(db_path, "DROP TRIGGER inspectioncoverage_insert")
    add_visit(desk.uow, visited["two"], date(2024, 7, 1))
    assert not coverage_in_step(db_path)

    report = health.check_health(desk.uow)
    assert parts(report) == {health.COVERAGE} and report.repairable
    problems = " ".join(f.problem for f in report.findings)
    assert "افزودن بازدید تازه" in problems and "۱ مرکز و ماهِ بازدیدشده در جدول نیست" in problems
    assert "جدول پوشش بازدیدها" in "\n".join(report.lines())

    repaired = health.check_health(desk.uow, repair=True)
    assert repaired.healthy and health.COVERAGE in repaired.repaired
    assert coverage_in_step(db_path)
    assert coverage_schema(db_path) == coverage_schema(_migrated_template)  # as the migration makes them
    add_visit(desk.uow, visited["two"], date(2024, 8, 1))  # and the triggers keep it up again
    assert coverage_in_step(db_path)


def test_coverage_rows_missing_wrong_or_stray_are_found(desk, db_path, visited):
    assert coverage_in_step(db_path)
    raw(
        db_path,
        f"DELETE FROM inspectioncoverage WHERE centre_id = '{visited['two']}'",
        f"UPDATE inspectioncoverage SET visits = 5 WHERE centre_id = '{visited['one']}'",
        "INSERT INTO inspectioncoverage VALUES ('', 1403, 1, 'no-category', 'no-centre', 1)",
    )
    report = health.check_health(desk.uow)
    assert parts(report) == {health.COVERAGE}
    problems = " ".join(f.problem for f in report.findings)
    assert "۱ مرکز و ماهِ بازدیدشده در جدول نیست" in problems
    assert "۱ ردیف جدول شمار بازدید نادرست دارد" in problems and "۱ ردیف جدول بازدیدی ندارد" in problems
    assert health.check_health(desk.uow, repair=True).healthy
    assert coverage_in_step(db_path)


def totals_schema(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name LIKE 'memorandum_paid%' "
            "OR name LIKE 'memorandum_progress%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def totals_in_step(db_path) -> bool:
    """Every memorandum's paid_total and latest_progress equal its payments' sum and highest percent."""
    conn = sqlite3.connect(db_path)
    try:
        stored = conn.execute("SELECT id, paid_total, latest_progress FROM memorandum ORDER BY id").fetchall()
        truth = conn.execute(
            "SELECT id, (SELECT coalesce(sum(amount), 0) FROM payment WHERE memorandum_id = m.id), "
            "(SELECT coalesce(max(percent), 0) FROM progressreport WHERE memorandum_id = m.id) "
            "FROM memorandum AS m ORDER BY id"
        ).fetchall()
        return bool(truth) and stored == truth
    finally:
        conn.close()


@pytest.fixture
def funded(desk):
    """Two memoranda: one with a tranche paid and a 60% report, one with nothing yet; {name: id}."""
    one, two = make_memo(desk), make_memo(desk)
    pay.add_payment(desk.uow, pay.PaymentInput(one, j(1403, 2, 1), 1, 300_000_000))
    pr.add_progress(desk.uow, pr.ProgressInput(one, j(1403, 3, 1), 60))
    return {"one": one, "two": two}


def test_a_dropped_totals_trigger_is_found_and_repaired(desk, db_path, funded, _migrated_template):
    """A memorandum's paid total and latest progress are derived by triggers on payment and progressreport:
    with one dropped, a new tranche goes unsummed (the list and the credits would read less paid). The check
    names it; --repair recomputes both columns and re-creates the triggers as migration 0007 does."""
    raw(db_path, "DROP TRIGGER memorandum_paid_insert", "DROP TRIGGER memorandum_progress_delete")
    pay.add_payment(desk.uow, pay.PaymentInput(funded["one"], j(1403, 3, 2), 2, 100_000_000))
    assert not totals_in_step(db_path)

    report = health.check_health(desk.uow)
    assert parts(report) == {health.MEMORANDA_TOTALS} and report.repairable
    problems = " ".join(f.problem for f in report.findings)
    assert "افزودن پرداخت تازه به جمع پرداخت‌ها" in problems and "برداشتن گزارش پیشرفت حذف‌شده" in problems
    assert "جمع پرداخت‌های ۱ تفاهم‌نامه با پرداخت‌های ثبت‌شده‌اش نمی‌خواند" in problems
    assert "آخرین پیشرفت" not in problems

    repaired = health.check_health(desk.uow, repair=True)
    assert repaired.healthy and health.MEMORANDA_TOTALS in repaired.repaired
    assert totals_in_step(db_path)
    assert totals_schema(db_path) == totals_schema(_migrated_template)  # as the migration makes them
    assert len(totals_schema(db_path)) == 6
    pay.add_payment(desk.uow, pay.PaymentInput(funded["two"], j(1403, 3, 2), 1, 5))  # kept up again
    assert totals_in_step(db_path)


def test_wrong_totals_are_found_and_recomputed(desk, db_path, funded):
    assert totals_in_step(db_path)
    raw(
        db_path,
        f"UPDATE memorandum SET paid_total = 7 WHERE id = '{funded['two']}'",
        f"UPDATE memorandum SET latest_progress = 10 WHERE id = '{funded['one']}'",
    )
    report = health.check_health(desk.uow)
    assert parts(report) == {health.MEMORANDA_TOTALS}
    problems = " ".join(f.problem for f in report.findings)
    assert "جمع پرداخت‌های ۱ تفاهم‌نامه" in problems and "آخرین پیشرفت ۱ تفاهم‌نامه" in problems
    assert "بخش‌هایی" not in problems
    assert health.check_health(desk.uow, repair=True).healthy
    assert totals_in_step(db_path)


def test_a_wrong_sort_key_is_found_and_repaired(desk, db_path, make_ngo):
    ngo_id = make_ngo(name="انجمن پرستو", ceo_name="چمران")
    raw(db_path, f"UPDATE ngo SET name_sort = 'zzz', ceo_sort = '' WHERE id = '{ngo_id}'")
    report = health.check_health(desk.uow)
    assert parts(report) == {health.SORT_KEYS} and len(report.findings) == 2
    assert health.check_health(desk.uow, repair=True).healthy
    conn = sqlite3.connect(db_path)
    name_sort = conn.execute("SELECT name_sort FROM ngo WHERE id = ?", (ngo_id,)).fetchone()[0]
    conn.close()
    from ostandari_desk.domain.text import persian_sort_key

    assert name_sort == persian_sort_key("انجمن پرستو")


def test_a_changed_or_missing_attachment_is_found_and_not_repaired(desk, tmp_path):
    letter_id = letters.create_letter(desk.uow, _letter())
    for name, content in (("الف.pdf", b"%PDF one"), ("ب.pdf", b"%PDF two")):
        (tmp_path / name).write_bytes(content)
        att.add_attachment(desk.uow, att.LETTER, letter_id, tmp_path / name)
    first, second = att.list_attachments(desk.uow, att.LETTER, letter_id)
    att.attachment_path(desk.uow, att.LETTER, first.id).write_bytes(b"%PDF changed")
    att.attachment_path(desk.uow, att.LETTER, second.id).unlink()
    report = health.check_health(desk.uow, repair=True)
    assert parts(report) == {health.ATTACHMENTS} and not report.healthy
    problems = " ".join(f.problem for f in report.findings)
    assert "«الف.pdf»: محتوای پرونده تغییر کرده است" in problems and "«ب.pdf»: پرونده پیدا نشد" in problems
    assert "۲ پرونده پیوست بررسی شد." in "\n".join(report.lines())


def test_a_dangling_reference_is_found(desk, db_path):
    raw(
        db_path,
        "PRAGMA foreign_keys=OFF",
        "INSERT INTO ngofield (ngo_id, field_id) VALUES ('no-such-ngo', 'no-such-field')",
    )
    report = health.check_health(desk.uow)
    assert parts(report) == {health.REFERENCES}
    assert "ngofield" in report.findings[0].problem


def test_a_damaged_index_fails_the_storage_check(desk, db_path, make_ngo):
    for n in range(5):
        make_ngo(name=f"انجمن {n}")
    # an index that no longer matches its table: what a torn write leaves behind
    raw(
        db_path,
        "PRAGMA writable_schema=ON",
        "UPDATE sqlite_master SET sql = replace(sql, '(name_key)', '(national_id)') "
        "WHERE name = 'ix_ngo_name_key'",
    )
    desk.engine.dispose()
    report = health.check_health(desk.uow)
    assert health.STORAGE in parts(report)
    assert "نسخه پشتیبان را بازگردانید" in "\n".join(report.lines())


def test_only_an_admin_checks(desk, uow_as):
    with pytest.raises(PermissionDeniedError):
        health.check_health(uow_as("clerk"))
