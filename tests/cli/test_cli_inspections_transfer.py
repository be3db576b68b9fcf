"""`template` / `import` / `export` of the «مراکز» and «بازدیدها» sheets from the command line."""

from __future__ import annotations

import openpyxl

from ostandari_desk.cli import main

CENTRE_HEADERS = [
    "کد مرکز",
    "نام مرکز",
    "نوع مرکز",
    "شهرستان",
    "دستگاه صادرکننده مجوز",
    "شماره مجوز",
    "بهره‌بردار",
    "نشانی",
    "تلفن",
    "وضعیت",
]
VISIT_HEADERS = [
    "کد مرکز",
    "تاریخ بازدید",
    "ساعت",
    "نوع بازدید",
    "بازرسان",
    "نتیجه",
    "امتیاز",
    "یافته‌ها",
    "مهلت اصلاح",
    "شماره نامه ارجاع",
    "توضیحات",
]


def fill(template_path, rows):
    book = openpyxl.load_workbook(template_path)
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    book.save(template_path)
    return template_path


def rows_of(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def test_template_import_export_centres_and_inspections(db, tmp_path, capsys):
    centres, visits = tmp_path / "centres.xlsx", tmp_path / "visits.xlsx"
    assert main(["template", "centres", str(centres)]) == 0
    assert main(["template", "inspections", str(visits)]) == 0
    assert list(rows_of(centres)[0]) == CENTRE_HEADERS and list(rows_of(visits)[0]) == VISIT_HEADERS
    capsys.readouterr()

    fill(centres, [["KSH-1", "کشتارگاه آبیک", "کشتارگاه", "آبیک", "دامپزشکی", "", "", "", "", ""]])
    fill(
        visits,
        [
            ["KSH-1", "1403/05/10", "09:15", "سرزده", "علی رضایی", "مطلوب", 95, "", "", "", ""],
            ["KSH-9", "1403/05/11", "", "سرزده", "", "مطلوب", "", "", "", "", ""],
            ["KSH-1", "1403/05/12", "", "سرزده", "", "تخلف جدی", "", "ذبح غیرمجاز", "", "", ""],
        ],
    )
    assert main(["import", "centres", str(centres), "--db", str(db)]) == 0
    assert "۱ مرکز افزوده شد" in capsys.readouterr().out

    assert main(["import", "inspections", str(visits), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert "ردیف ۳، ستون «کد مرکز»" in err and "ردیف ۴، ستون «مهلت اصلاح»" in err
    assert "هیچ بازدیدی ثبت نشد" in out

    assert main(["import", "inspections", str(visits), "--skip-bad", "--db", str(db)]) == 1
    out, _ = capsys.readouterr()
    assert "۱ بازدید افزوده شد" in out and "خطا" in out
    assert main(["import", "centres", str(centres), "--db", str(db)]) == 0
    assert "پیش‌تر وارد شده است" in capsys.readouterr().out

    exported = tmp_path / "out.xlsx"
    assert main(["export", "inspections", str(exported), "--db", str(db)]) == 0
    assert "۱ بازدید" in capsys.readouterr().out
    [header, row] = rows_of(exported)
    assert list(header) == VISIT_HEADERS and row[0] == "KSH-1" and row[2] == "09:15" and row[6] == 95
    assert main(["export", "centres", str(tmp_path / "c.csv"), "--db", str(db)]) == 0
    assert "KSH-1" in (tmp_path / "c.csv").read_text(encoding="utf-8-sig")
