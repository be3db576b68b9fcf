"""The command line: main([...]) with --db in tmp_path, signed in through the environment (cli/conftest.py)."""

from __future__ import annotations

import openpyxl
import pytest
from ngo_sheets import HEADERS, nid, write_xlsx

from cli.conftest import ADMIN_PASSWORD
from ostandari_desk.cli import main


def ngo_sheet(path, rows):
    return write_xlsx(path, rows, title=None)


def row(n, county="آبیک"):
    return [
        nid(),
        f"انجمن شماره {n}",
        county,
        "شهرستانی",
        "",
        "",
        "1400/01/01",
        "",
        "",
        "",
        "",
    ]


def test_init_then_refuse_second_init(tmp_path, capsys, sign_in):
    sign_in(None, ADMIN_PASSWORD)
    path = tmp_path / "x.sqlite3"
    init = ["init", "--province", "قزوین", "--admin", "boss"]
    assert main(["--db", str(path), *init, "--office", "اداره آزمون"]) == 0
    assert "قزوین" in capsys.readouterr().out
    assert main([*init, "--db", str(path)]) == 2
    assert "پیش‌تر راه‌اندازی" in capsys.readouterr().err


def test_init_unknown_province(tmp_path, capsys, sign_in):
    sign_in(None, ADMIN_PASSWORD)
    assert main(["init", "--province", "ناکجا", "--admin", "boss", "--db", str(tmp_path / "x.sqlite3")]) == 2
    assert "ناکجا" in capsys.readouterr().err


def test_template(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", "ngos", str(out)]) == 0
    assert [c.value for c in next(openpyxl.load_workbook(out).active.iter_rows(max_row=1))] == HEADERS


def test_import_good_and_again(db, tmp_path, capsys):
    path = ngo_sheet(tmp_path / "n.xlsx", [row(1), row(2)])
    assert main(["import", "ngos", str(path), "--db", str(db)]) == 0
    assert "۲ سمن افزوده شد" in capsys.readouterr().out
    assert main(["import", "ngos", str(path), "--db", str(db)]) == 0
    assert "پیش‌تر وارد شده است" in capsys.readouterr().out


def test_import_with_errors(db, tmp_path, capsys):
    rows = [row(1), row(2, county="ناموجود"), row(3)]
    path = ngo_sheet(tmp_path / "n.xlsx", rows)
    assert main(["import", "ngos", str(path), "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert "ردیف ۳، ستون «شهرستان»" in captured.err
    assert "هیچ سمنی ثبت نشد" in captured.out
    assert main(["import", "ngos", str(path), "--skip-bad", "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert "۲ سمن افزوده شد، ۱ ردیف خطا داشت" in captured.out
    assert (tmp_path / "n-خطا.xlsx").exists()


def test_import_missing_header_refused(db, tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.append(HEADERS[:2])
    book.save(tmp_path / "n.xlsx")
    assert main(["import", "ngos", str(tmp_path / "n.xlsx"), "--db", str(db)]) == 2
    assert "شهرستان" in capsys.readouterr().err


def test_import_into_uninitialized_database(tmp_path, capsys, sign_in):
    sign_in("boss", ADMIN_PASSWORD)
    path = ngo_sheet(tmp_path / "n.xlsx", [row(1)])
    assert main(["import", "ngos", str(path), "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "init" in capsys.readouterr().err


def test_export(db, tmp_path, capsys):
    main(["import", "ngos", str(ngo_sheet(tmp_path / "n.xlsx", [row(1), row(2)])), "--db", str(db)])
    capsys.readouterr()
    out = tmp_path / "out.csv"
    assert main(["--db", str(db), "export", "ngos", str(out)]) == 0
    assert "۲ سمن" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == HEADERS


def test_demo_refuses_initialized_database(db, capsys):
    assert main(["demo", "--db", str(db)]) == 2
    assert "--replace" in capsys.readouterr().err


def test_no_command_opens_the_gui(monkeypatch, tmp_path):
    from ostandari_desk import app

    seen = []
    monkeypatch.setattr(app, "run_gui", lambda path: seen.append(path) or 0)
    assert main(["--db", str(tmp_path / "g.sqlite3")]) == 0
    assert main([]) == 0
    assert seen == [tmp_path / "g.sqlite3", None]


def test_demo_builds_then_replace(tmp_path, capsys, sign_in):
    path = tmp_path / "demo.sqlite3"
    assert main(["demo", "--size", "small", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "۵۰۰ سمن" in out
    assert "کاربر demo با گذرواژه demo" in out
    assert main(["demo", "--replace", "--db", str(path)]) == 2  # setting a database aside needs a sign-in
    assert "نام کاربری داده نشده است" in capsys.readouterr().err
    sign_in("demo", "demo")
    assert main(["demo", "--replace", "--db", str(path)]) == 0
    assert "کنار گذاشته شد" in capsys.readouterr().out
    assert len(list(tmp_path.glob("demo.before-demo-*.sqlite3"))) == 1


def test_help_names_the_exit_status(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "--help"])
    assert exit_info.value.code == 0
    assert "وضعیت خروج" in capsys.readouterr().out


def test_report_annual_from_the_command_line_with_db_after_the_command(tmp_path, sign_in):
    from ostandari_desk.cli import main

    db = tmp_path / "desk.sqlite3"
    assert main(["demo", "--db", str(db)]) == 0
    out = tmp_path / "annual.pdf"
    report = ["report", "annual", "--year", "1403", "--out", str(out), "--db", str(db)]
    assert main(report) == 2  # no user: refused before anything is read
    assert main([*report, "--user", "demo"]) == 2  # no password either
    assert not out.exists()
    sign_in(None, "demo")
    assert main([*report, "--user", "demo"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_report_for_an_unknown_national_id_is_refused(db, tmp_path, capsys):
    from ostandari_desk.cli import main

    out = tmp_path / "file.pdf"
    code = main(["report", "ngo-file", "--national-id", "10380284790", "--out", str(out), "--db", str(db)])
    assert code == 2
    assert "خطا" in capsys.readouterr().err


def test_demo_open_reopens_an_existing_demo_instead_of_refusing(tmp_path, monkeypatch):
    import ostandari_desk.app as desk_app
    from ostandari_desk.cli import main

    opened = []
    monkeypatch.setattr(desk_app, "run_gui", lambda path: opened.append(path) or 0)
    db = tmp_path / "demo.sqlite3"
    assert main(["demo", "--open", "--db", str(db)]) == 0
    assert main(["demo", "--open", "--db", str(db)]) == 0
    assert opened == [db, db]


def test_events_and_letters_have_templates(tmp_path):
    from openpyxl import load_workbook

    from ostandari_desk.cli import main

    for kind, first_header in (("events", "عنوان"), ("letters", "شماره نامه")):
        path = tmp_path / f"{kind}.xlsx"
        assert main(["template", kind, str(path)]) == 0
        assert next(load_workbook(path).worksheets[0].iter_rows(values_only=True))[0] == first_header
