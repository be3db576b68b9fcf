"""``backup``, ``restore`` and ``check`` on the command line: files, exit codes and Persian messages."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from ngo_sheets import good_row, write_xlsx

from cli.conftest import ADMIN, ADMIN_PASSWORD, scalar
from ostandari_desk import paths
from ostandari_desk.cli import main
from ostandari_desk.domain import jalali


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ngos(db) -> int:
    return scalar(db, "SELECT count(*) FROM ngo")


@pytest.fixture
def with_ngos(db, tmp_path):
    sheet = write_xlsx(tmp_path / "n.xlsx", [good_row(n) for n in range(1, 4)])
    assert main(["import", "ngos", str(sheet), "--db", str(db)]) == 0
    return db


def test_backup_goes_to_the_backups_folder_under_a_jalali_name(with_ngos, capsys):
    assert main(["backup", "--db", str(with_ngos)]) == 0
    [made] = (paths.data_dir() / "backups").glob("*.zip")
    jy, jm, jd = jalali.to_jalali(__import__("datetime").date.today())
    assert made.name.startswith(f"cli-{jy:04d}-{jm:02d}-{jd:02d}-")
    out = capsys.readouterr().out
    assert "پشتیبان نوشته شد" in out and str(made) in out
    assert (
        scalar(with_ngos, "SELECT count(*) FROM auditentry WHERE action = 'backup' AND username = ?", ADMIN)
        == 1
    )


def test_backup_refused_to_a_clerk(db, tmp_path, sign_in, new_password, capsys):
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", "سارا", "--role", "clerk", "--db", str(db)]) == 0
    sign_in("sara", "sara-pass-1")
    assert main(["backup", "--out", str(tmp_path / "b.zip"), "--db", str(db)]) == 2
    assert "اجازه" in capsys.readouterr().err and not (tmp_path / "b.zip").exists()
    assert main(["check", "--db", str(db)]) == 2


def test_restore_round_trip(with_ngos, tmp_path, capsys):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    sheet = write_xlsx(tmp_path / "more.xlsx", [good_row(n) for n in range(10, 13)])
    assert main(["import", "ngos", str(sheet), "--db", str(with_ngos)]) == 0
    assert ngos(with_ngos) == 6
    capsys.readouterr()
    assert main(["restore", str(out), "--yes", "--db", str(with_ngos)]) == 0
    text = capsys.readouterr().out
    assert "پشتیبان بازگردانده شد" in text and "داده پیشین پشتیبان‌گیری شد" in text
    assert ngos(with_ngos) == 3
    assert (
        scalar(with_ngos, "SELECT count(*) FROM auditentry WHERE action = 'restore' AND username = ?", ADMIN)
        == 1
    )
    assert main(["check", "--db", str(with_ngos)]) == 0


def test_restore_without_yes_and_without_a_terminal_is_refused(with_ngos, tmp_path, capsys, monkeypatch):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    before = digest(with_ngos)
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["restore", str(out), "--db", str(with_ngos)]) == 2
    assert "--yes" in capsys.readouterr().err and digest(with_ngos) == before


def test_restore_asks_in_persian_on_a_terminal(with_ngos, tmp_path, capsys, monkeypatch):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    sheet = write_xlsx(tmp_path / "more.xlsx", [good_row(20)])
    assert main(["import", "ngos", str(sheet), "--db", str(with_ngos)]) == 0

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    asked = []
    monkeypatch.setattr("builtins.input", lambda q: asked.append(q) or "خیر")
    assert main(["restore", str(out), "--db", str(with_ngos)]) == 2
    assert "جایگزین شود؟" in asked[0] and ngos(with_ngos) == 4
    monkeypatch.setattr("builtins.input", lambda q: "بله")
    assert main(["restore", str(out), "--db", str(with_ngos)]) == 0
    assert ngos(with_ngos) == 3


def test_a_tampered_backup_exits_2_and_changes_nothing(with_ngos, tmp_path, capsys):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    raw = bytearray(out.read_bytes())
    raw[len(raw) // 3] ^= 0x40
    out.write_bytes(bytes(raw))
    sheet = write_xlsx(tmp_path / "more.xlsx", [good_row(20)])
    assert main(["import", "ngos", str(sheet), "--db", str(with_ngos)]) == 0
    assert main(["restore", str(out), "--yes", "--db", str(with_ngos)]) == 2
    assert "آسیب دیده" in capsys.readouterr().err
    assert ngos(with_ngos) == 4  # the sign-in's own entry aside, nothing changed
    assert scalar(with_ngos, "SELECT count(*) FROM auditentry WHERE action = 'restore'") == 0


def test_restore_while_the_desk_is_open_elsewhere_exits_3(with_ngos, tmp_path, capsys):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    sheet = write_xlsx(tmp_path / "more.xlsx", [good_row(20)])
    assert main(["import", "ngos", str(sheet), "--db", str(with_ngos)]) == 0
    holder = textwrap.dedent(
        """
        import sqlite3, sys, time
        conn = sqlite3.connect(sys.argv[1]); conn.execute("SELECT 1 FROM ngo").fetchall()
        print("READY", flush=True); time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(with_ngos)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        assert main(["restore", str(out), "--yes", "--db", str(with_ngos)]) == 3
        assert "ببندید" in capsys.readouterr().err
    finally:
        proc.kill()
        proc.wait(10)
    assert ngos(with_ngos) == 4
    assert scalar(with_ngos, "SELECT count(*) FROM auditentry WHERE action = 'restore'") == 0


def test_check_reports_in_persian_and_repair_fixes_the_search_index(with_ngos, capsys):
    assert main(["check", "--db", str(with_ngos)]) == 0
    assert "نتیجه: پایگاه داده سالم است." in capsys.readouterr().out
    conn = sqlite3.connect(with_ngos)
    conn.execute("DELETE FROM ngo_fts")
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(with_ngos)]) == 1
    out = capsys.readouterr().out
    assert "نمایه جست‌وجوی سمن‌ها: ۱ مشکل" in out and "--repair" in out
    assert main(["check", "--repair", "--db", str(with_ngos)]) == 0
    assert "بازسازی شد" in capsys.readouterr().out
    assert scalar(with_ngos, "SELECT count(*) FROM ngo_fts") == 3


def test_restore_onto_a_damaged_database_needs_no_sign_in(with_ngos, tmp_path, sign_in, capsys):
    out = tmp_path / "b.zip"
    assert main(["backup", "--out", str(out), "--db", str(with_ngos)]) == 0
    with_ngos.write_bytes(b"garbage" * 1000)
    sign_in(None, None)
    assert main(["restore", str(out), "--yes", "--db", str(with_ngos)]) == 0
    captured = capsys.readouterr()
    assert "آسیب دیده است" in captured.err and "کنار گذاشته شد" in captured.out
    assert ngos(with_ngos) == 3
    sign_in(ADMIN, ADMIN_PASSWORD)
    assert main(["check", "--db", str(with_ngos)]) == 0
