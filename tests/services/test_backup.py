"""Backup and restore (services/backup.py, services/restore.py): the round trip, a tampered file, a database
held by another process, a consistent copy while another process writes, rotation, the daily automatic one."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ostandari_desk import paths, settings
from ostandari_desk.domain import jalali
from ostandari_desk.errors import DatabaseUnavailableError, PermissionDeniedError, UserError
from ostandari_desk.services import attachments as att
from ostandari_desk.services import backup, letters, restore
from ostandari_desk.services.ngos import NgoFilter, count_ngos
from ostandari_desk.store import database_files
from ostandari_desk.store.engine import sqlite_url
from ostandari_desk.store.schema import HEAD_REVISION, open_database
from ostandari_desk.store.uow import UnitOfWork

from .test_letters import _letter


def row_counts(path: Path) -> dict[str, int]:
    """Rows of every table, read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def attachment_hashes() -> dict[str, str]:
    root = paths.attachments_dir()
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def attach(desk, tmp_path, letter_id: str, name: str, content: bytes) -> str:
    source = tmp_path / name
    source.write_bytes(content)
    return att.add_attachment(desk.uow, att.LETTER, letter_id, source)


@pytest.fixture
def filled(desk, make_ngo, tmp_path):
    """Three NGOs and a letter with two attachments."""
    for n in range(3):
        make_ngo(name=f"انجمن پشتیبان {n}")
    letter_id = letters.create_letter(desk.uow, _letter())
    attach(desk, tmp_path, letter_id, "نامه.pdf", b"%PDF-1.4 one")
    attach(desk, tmp_path, letter_id, "پیوست.png", b"\x89PNG two")
    return letter_id


def test_round_trip_gives_back_row_counts_and_attachment_hashes(desk, db_path, filled, make_ngo, tmp_path):
    counts, hashes = row_counts(db_path), attachment_hashes()
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    assert result.path.is_file() and result.members == 3
    with zipfile.ZipFile(result.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.testzip() is None
    assert manifest["schema_revision"] == HEAD_REVISION and manifest["office"] == "اداره کل امور اجتماعی"
    assert manifest["version"] == 2
    assert set(manifest["members"]) == {f"attachments/{k}" for k in attachment_hashes()}
    # the database is the file's first bytes, written once by the backup API: the file opens as a database
    database = manifest["database"]
    assert database["offset"] == 0 and result.database_sha256 == database["sha256"]
    assert hashlib.sha256(result.path.read_bytes()[: database["size"]]).hexdigest() == database["sha256"]
    entries_in_backup = counts["auditentry"]
    # the backup's own audit entry and its last_backup_at setting come after the copy: in the live file only
    assert row_counts(db_path)["auditentry"] == entries_in_backup + 2

    # change: a new NGO, an attachment removed, another added, a setting
    make_ngo(name="انجمن پس از پشتیبان")
    [first, _second] = att.list_attachments(desk.uow, att.LETTER, filled)
    att.remove_attachment(desk.uow, att.LETTER, first.id)
    attach(desk, tmp_path, filled, "تازه.pdf", b"%PDF-1.4 new")
    settings.set_setting(desk.uow, "inquiry_due_days", 45)
    assert row_counts(db_path)["ngo"] == 4 and attachment_hashes() != hashes

    with restore.prepare_restore(result.path, db_path) as prepared:
        assert prepared.info.attachments == 2 and prepared.info.office == "اداره کل امور اجتماعی"
        done = restore.restore_backup(prepared, db_path, uow=desk.uow)
    assert done.safety_backup is not None and done.safety_backup.is_file()

    after = row_counts(db_path)
    assert {t: n for t, n in after.items() if t not in ("auditentry", "setting")} == {
        t: n for t, n in counts.items() if t not in ("auditentry", "setting")
    }
    # + the restore's own entry and the setting that remembers the safety backup
    assert after["auditentry"] == entries_in_backup + 2
    assert attachment_hashes() == hashes
    assert settings.get_setting(desk.uow, "inquiry_due_days") == 60
    assert count_ngos(desk.uow, NgoFilter(text="پس از پشتیبان")) == 0
    assert count_ngos(desk.uow, NgoFilter(text="پشتیبان")) == 3  # the search index came back with it
    conn = sqlite3.connect(db_path)
    [(username, detail)] = conn.execute(
        "SELECT username, detail FROM auditentry WHERE action = 'restore'"
    ).fetchall()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert username == "tester" and "b.zip" in detail and str(done.safety_backup) in detail
    # the safety backup holds what was there just before
    with zipfile.ZipFile(done.safety_backup) as zf:
        names = set(json.loads(zf.read("manifest.json"))["members"])
    assert all(n.startswith("attachments/") for n in names) and len(names) == 2


def _data_offset(zf_path: Path, name: str) -> tuple[int, int]:
    """Where member ``name``'s bytes start in the zip, and how many there are (stored members)."""
    with zipfile.ZipFile(zf_path) as zf:
        info = zf.getinfo(name)
    raw = zf_path.read_bytes()
    start = info.header_offset
    name_len = int.from_bytes(raw[start + 26 : start + 28], "little")
    extra_len = int.from_bytes(raw[start + 28 : start + 30], "little")
    return start + 30 + name_len + extra_len, info.compress_size


@pytest.mark.parametrize("where", ["database", "attachment", "manifest", "directory"])
def test_a_backup_with_one_byte_changed_is_refused_and_nothing_replaced(
    desk, db_path, filled, tmp_path, where
):
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    raw = bytearray(result.path.read_bytes())
    if where == "database":  # the file's first bytes (format 2)
        with zipfile.ZipFile(result.path) as zf:
            offset = json.loads(zf.read("manifest.json"))["database"]["size"] // 2
    elif where == "attachment":
        name = next(n for n in zipfile.ZipFile(result.path).namelist() if n.startswith("attachments/"))
        start, size = _data_offset(result.path, name)
        offset = start + size // 2
    elif where == "manifest":
        offset = zipfile.ZipFile(result.path).getinfo("manifest.json").header_offset + 40
    else:  # the central directory at the end
        offset = len(raw) - 30
    raw[offset] ^= 0x01
    result.path.write_bytes(bytes(raw))
    before_db, before_files = file_hash(db_path), attachment_hashes()

    with pytest.raises(UserError) as info:
        restore.prepare_restore(result.path, db_path)
    assert "آسیب دیده" in info.value.message and "چیزی جایگزین نشد" in info.value.message
    assert file_hash(db_path) == before_db and attachment_hashes() == before_files
    leftovers = [p.name for p in db_path.parent.iterdir() if ".restore-" in p.name]
    leftovers += [p.name for p in paths.data_dir().iterdir() if "restore" in p.name]
    assert leftovers == []


HOLDER = textwrap.dedent(
    """
    import sys, time
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "desk":
        from ostandari_desk.services.session import open_desk
        engine = open_desk(path)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM ngo").fetchone()
    else:  # another program: a plain connection, idle after one read
        import sqlite3
        conn = sqlite3.connect(path)
        conn.execute("SELECT count(*) FROM ngo").fetchone()
    print("READY", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("holder", ["desk", "other_program"])
def test_restore_is_refused_while_another_process_has_the_database_open(
    desk, db_path, filled, tmp_path, holder
):
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    desk.engine.dispose()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, holder, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        before_db, before_files = file_hash(db_path), attachment_hashes()
        backups_before = sorted(backup.default_folder().glob("*")) if backup.default_folder().exists() else []
        with (
            restore.prepare_restore(result.path, db_path) as prepared,
            pytest.raises(DatabaseUnavailableError) as info,
        ):
            restore.restore_backup(prepared, db_path, uow=desk.uow)
        assert info.value.reason == DatabaseUnavailableError.LOCKED
        assert "ببندید" in info.value.message and "چیزی جایگزین نشد" in info.value.message
        assert file_hash(db_path) == before_db and attachment_hashes() == before_files
        now = sorted(backup.default_folder().glob("*")) if backup.default_folder().exists() else []
        assert now == backups_before  # refused before any safety backup
    finally:
        proc.kill()
        proc.wait(10)
    # once the other process is gone, the same restore goes through
    with restore.prepare_restore(result.path, db_path) as prepared:
        restore.restore_backup(prepared, db_path, uow=desk.uow)


WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS tick (n INTEGER)")
    print("READY", flush=True)
    batch = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO tick VALUES (?)", [(batch,)] * 100)
        conn.execute("COMMIT")
        batch += 1
    """
)


def test_a_backup_taken_while_another_process_writes_is_one_consistent_snapshot(
    desk, db_path, tmp_path, monkeypatch
):
    monkeypatch.setattr(database_files, "PAGES_PER_STEP", 16)  # many steps, writes landing between them
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE tick (n INTEGER)")
    conn.executemany("INSERT INTO tick VALUES (?)", [(-1,)] * 200_000)
    conn.commit()
    conn.close()
    steps = []
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        time.sleep(0.2)
        result = backup.write_archive(
            db_path, tmp_path / "b.zip", manifest={}, progress=lambda d, t: steps.append(d)
        )
    finally:
        proc.kill()
        proc.wait(10)
    assert len(steps) > 20
    with zipfile.ZipFile(result.path) as zf:
        size = json.loads(zf.read("manifest.json"))["database"]["size"]
    (tmp_path / "x.sqlite3").write_bytes(result.path.read_bytes()[:size])
    copy = sqlite3.connect(tmp_path / "x.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    written = copy.execute("SELECT count(*) FROM tick WHERE n >= 0").fetchone()[0]
    copy.close()
    assert written % 100 == 0  # whole transactions only


def test_only_an_admin_backs_up(desk, db_path, uow_as, tmp_path):
    with pytest.raises(PermissionDeniedError):
        backup.make_backup(uow_as("manager"), db_path, tmp_path / "b.zip")
    assert not (tmp_path / "b.zip").exists()


def test_a_backup_is_audited_and_remembered(desk, db_path, tmp_path):
    assert backup.backup_status(desk.uow).last_at is None
    before = datetime.now(UTC)
    result = backup.make_backup(desk.uow, db_path)  # the default: the backups folder, a Jalali name
    assert result.path.parent == paths.data_dir() / "backups"
    jy, jm, jd = jalali.to_jalali(datetime.now().date())
    assert result.path.name.startswith(f"desk-{jy:04d}-{jm:02d}-{jd:02d}-")
    status = backup.backup_status(desk.uow)
    assert status.last_at is not None and status.last_at >= before and not status.stale and not status.due
    conn = sqlite3.connect(db_path)
    [(username, detail)] = conn.execute(
        "SELECT username, detail FROM auditentry WHERE action = 'backup'"
    ).fetchall()
    conn.close()
    assert username == "tester" and str(result.path) in detail and result.database_sha256 in detail


def test_an_unavailable_backups_folder_is_said_in_persian(desk, db_path, tmp_path):
    (tmp_path / "not-a-drive").write_text("x")
    settings.set_setting(desk.uow, "backup_folder", str(tmp_path / "not-a-drive" / "backups"))
    with pytest.raises(UserError) as info:
        backup.make_automatic_backup(desk.uow, db_path)
    assert "در دسترس نیست" in info.value.message and "فلش" in info.value.message
    assert backup.backup_status(desk.uow).last_at is None


@pytest.mark.sqlite_only  # a server database is never warned about (test_demo_postgres.py)
def test_backup_status_warns_after_seven_days(desk):
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert backup.backup_status(desk.uow, now).stale  # never backed up
    settings.set_setting(desk.uow, "last_backup_at", (now - timedelta(days=6, hours=23)).isoformat())
    status = backup.backup_status(desk.uow, now)
    assert not status.stale and status.due and status.days_since == 6
    settings.set_setting(desk.uow, "last_backup_at", (now - timedelta(days=7, hours=1)).isoformat())
    assert backup.backup_status(desk.uow, now).stale
    settings.set_setting(desk.uow, "demo_database", True)
    status = backup.backup_status(desk.uow, now)
    assert not status.stale and not status.due  # a demo is never warned about nor backed up


def test_the_first_automatic_backup_makes_its_folder(desk, db_path):
    made = backup.make_automatic_backup(desk.uow, db_path)
    assert made is not None and made.path.is_file()
    assert made.path.parent == paths.data_dir() / "backups" and made.path.name.startswith("desk-auto-")


def test_the_automatic_backup_runs_once_a_day_and_rotates(desk, db_path):
    folder = paths.data_dir() / "backups"
    folder.mkdir()
    old = datetime.now() - timedelta(days=400)
    for days in range(0, 400, 3):  # automatic backups every third day for over a year, and a manual one
        (folder / backup.backup_name(db_path, old + timedelta(days=days), automatic=True)).write_bytes(b"")
    (folder / backup.backup_name(db_path, old)).write_bytes(b"")
    (folder / "other-auto-1390-01-01-000000.zip").write_bytes(b"")
    first = backup.make_automatic_backup(desk.uow, db_path)
    assert first is not None and first.path.parent == folder and "-auto-" in first.path.name
    assert backup.make_automatic_backup(desk.uow, db_path) is None  # once a day
    autos = [p for p in folder.glob("desk-auto-*.zip")]
    assert first.path in autos and len(autos) <= 7 + 4 + 12
    assert (folder / backup.backup_name(db_path, old)).exists()  # manual: never rotated
    assert (folder / "other-auto-1390-01-01-000000.zip").exists()  # another database's


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = datetime(2023, 1, 1, 18, 30)
    daily = [start + timedelta(days=n) for n in range(730)]  # two years, one a day
    keep = backup.backups_to_keep(daily)
    newest = daily[-1]
    last7 = set(daily[-7:])
    assert last7 <= keep
    weeks = {backup._week(s) for s in keep}
    months = {jalali.jalali_month_of(s.date()) for s in keep}
    assert len(months) == 12  # the newest of each of the last 12 Jalali months
    for month in months:
        in_month = [s for s in daily if jalali.jalali_month_of(s.date()) == month]
        assert max(in_month) in keep
    last_weeks = sorted({backup._week(s) for s in daily}, reverse=True)[:4]
    for week in last_weeks:
        assert max(s for s in daily if backup._week(s) == week) in keep
    assert len(weeks) >= 4
    assert min(keep) > newest - timedelta(days=370)
    assert len(keep) <= 7 + 4 + 12
    # twice a day: still one a day kept; and a sparse history keeps what it has
    twice = daily + [s + timedelta(hours=3) for s in daily]
    assert len(backup.backups_to_keep(twice)) == len(keep)
    assert backup.backups_to_keep(daily[:3]) == set(daily[:3])
    # Saturday begins the week
    assert backup._week(datetime(2024, 6, 1)) == datetime(2024, 6, 1).date()  # a Saturday
    assert backup._week(datetime(2024, 6, 7)) == datetime(2024, 6, 1).date()  # the Friday after


def _hand_made_backup(path: Path, database: Path, revision: str) -> Path:
    data = database.read_bytes()
    manifest = {
        "format": backup.FORMAT,
        "version": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "office": "",
        "schema_revision": revision,
        "members": {"database.sqlite3": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}},
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("database.sqlite3", data)
        zf.writestr("manifest.json", json.dumps(manifest))
    return path


def test_a_backup_from_a_newer_app_is_refused(desk, db_path, tmp_path):
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.commit()
    conn.close()
    with pytest.raises(UserError) as info:
        restore.prepare_restore(_hand_made_backup(tmp_path / "n.zip", newer, "9999"), db_path)
    assert "تازه‌تر" in info.value.message


def test_a_member_escaping_the_attachments_folder_is_refused(desk, db_path, tmp_path):
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    with zipfile.ZipFile(result.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    data = result.path.read_bytes()[: manifest["database"]["size"]]
    evil = b"owned"
    manifest["members"]["attachments/../../evil.txt"] = {
        "sha256": hashlib.sha256(evil).hexdigest(),
        "size": 5,
    }
    (tmp_path / "evil.zip").write_bytes(data)
    with (tmp_path / "evil.zip").open("r+b") as handle:
        handle.seek(len(data))
        with zipfile.ZipFile(handle, "w") as zf:
            zf.writestr("attachments/../../evil.txt", evil)
            zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(UserError):
        restore.prepare_restore(tmp_path / "evil.zip", db_path)
    assert not list(tmp_path.rglob("evil.txt"))


def test_a_version_1_backup_still_restores(desk, db_path, tmp_path):
    """Backups made before format 2 hold the database as the zip member «database.sqlite3»."""
    copy = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(db_path)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    old = _hand_made_backup(tmp_path / "old.zip", copy, HEAD_REVISION)
    with restore.prepare_restore(old, db_path) as prepared:
        assert prepared.info.revision == HEAD_REVISION and prepared.info.attachments == 0
        assert prepared.database.read_bytes() == copy.read_bytes()


def test_a_damaged_current_database_is_set_aside_without_a_sign_in(desk, db_path, filled, tmp_path):
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    counts = row_counts(db_path)
    desk.engine.dispose()
    db_path.write_bytes(b"this is not a database" * 100)
    assert restore.database_state(db_path) == restore.UNREADABLE
    with restore.prepare_restore(result.path, db_path) as prepared:
        done = restore.restore_backup(prepared, db_path)  # nobody can sign in to a damaged file
    assert done.set_aside is not None and done.set_aside.read_bytes().startswith(b"this is not")
    assert row_counts(db_path)["ngo"] == counts["ngo"]
    engine = open_database(sqlite_url(db_path))
    try:
        from ostandari_desk.domain.roles import SYSTEM

        with UnitOfWork(engine, SYSTEM) as uow:
            assert count_ngos(uow, NgoFilter(text="پشتیبان")) == 3
    finally:
        engine.dispose()


def test_a_sound_database_is_not_replaced_without_an_admin(desk, db_path, uow_as, tmp_path):
    result = backup.make_backup(desk.uow, db_path, tmp_path / "b.zip")
    before = file_hash(db_path)
    with restore.prepare_restore(result.path, db_path) as prepared:
        with pytest.raises(PermissionDeniedError):
            restore.restore_backup(prepared, db_path)
        with pytest.raises(PermissionDeniedError):
            restore.restore_backup(prepared, db_path, uow=uow_as("clerk"))
    assert file_hash(db_path) == before
