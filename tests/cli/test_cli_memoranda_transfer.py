"""`template` / `import` / `export` of the «دفاتر تسهیلگری», «تفاهم‌نامه‌ها», «گزارش‌های پیشرفت» and «پرداخت‌ها»
sheets from the command line."""

from __future__ import annotations

import openpyxl

from ostandari_desk.cli import main
from ostandari_desk.services import transfer

KINDS = ("offices", "memoranda", "progress", "payments")  # the order they are imported in


def fill(template_path, rows):
    book = openpyxl.load_workbook(template_path)
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    book.save(template_path)
    return template_path


def rows_of(path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def test_template_import_export_of_the_memoranda_sheets(db, tmp_path, capsys):
    paths = {kind: tmp_path / f"{kind}.xlsx" for kind in KINDS}
    for kind, path in paths.items():
        assert main(["template", kind, str(path)]) == 0
        assert list(rows_of(path)[0]) == transfer.kind_of(kind).headers
    capsys.readouterr()

    fill(paths["offices"], [["دفتر تسهیلگری پونک", "قزوین", "پونک، اسلام‌آباد", "", "1402/10/01", "", ""]])
    fill(
        paths["memoranda"],
        [
            [
                "ت-1",
                "کاهش اعتیاد در پونک",
                "فرمانداری",
                "قزوین",
                "اعتیاد (معتادان متجاهر)",
                "دفتر تسهیلگری پونک",
                "1,000,000,000",
                "1403/01/15",
                "",
                "",
                "",
            ]
        ],
    )
    fill(paths["progress"], [["ت-1", "1403/03/01", 30, ""], ["ت-1", "1403/04/01", 60, "نیمه راه"]])
    fill(
        paths["payments"],
        [
            ["ت-1", "1403/02/01", 1, 500_000_000],
            ["ت-1", "1403/03/02", 2, 100_000_000],  # only 30% by then: the release rule refuses it
            ["ت-1", "1403/04/02", 3, 100_000_000],  # follows a refused tranche: out of order
        ],
    )
    units = {"offices": "دفتر", "memoranda": "تفاهم‌نامه", "progress": "گزارش پیشرفت"}
    for kind in ("offices", "memoranda", "progress"):
        assert main(["import", kind, str(paths[kind]), "--db", str(db)]) == 0, kind
        out = capsys.readouterr().out
        assert "افزوده شد" in out and units[kind] in out, out

    assert main(["import", "payments", str(paths["payments"]), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert "ردیف ۳، ستون «تاریخ پرداخت»" in err and "قاعده پرداخت" in err
    assert "ردیف ۴، ستون «مرحله»" in err
    assert "هیچ پرداختی ثبت نشد" in out

    assert main(["import", "payments", str(paths["payments"]), "--skip-bad", "--db", str(db)]) == 1
    out, _ = capsys.readouterr()
    assert "۱ پرداخت افزوده شد" in out and "خطا" in out
    assert main(["import", "progress", str(paths["progress"]), "--db", str(db)]) == 0
    assert "پیش‌تر وارد شده است" in capsys.readouterr().out

    expected = {"offices": 1, "memoranda": 1, "progress": 2, "payments": 1}
    for kind in KINDS:
        out_path = tmp_path / f"out-{kind}.xlsx"
        assert main(["export", kind, str(out_path), "--db", str(db)]) == 0
        capsys.readouterr()
        header, *rows = rows_of(out_path)
        assert list(header) == transfer.kind_of(kind).headers and len(rows) == expected[kind], kind
    assert rows_of(tmp_path / "out-payments.xlsx")[1] == ("ت-1", "۱۴۰۳/۰۲/۰۱", 1, 500_000_000)
    assert rows_of(tmp_path / "out-memoranda.xlsx")[1][5] == "دفتر تسهیلگری پونک"
