"""A PDF written to a path is whole or absent (issue 7, finding 4): a temporary file beside it, fsynced,
then renamed; a full disk half-way leaves the previous PDF, never a cut-off one under the real name."""

from __future__ import annotations

import pytest
from disk_faults import files_in, fill_disk_after

from ostandari_desk.reports.document import Column, Letterhead, ReportDocument
from ostandari_desk.reports.papers import make_paper
from ostandari_desk.services.reporting import ReportRequest


def _document() -> ReportDocument:
    doc = ReportDocument("گزارش آزمایشی", Letterhead("اداره کل امور اجتماعی"), printed_on="۱۴۰۲/۰۱/۱۵")
    doc.add_table([Column("نام", 4), Column("شهرستان", 2)], [[f"سازمان {i}", "قزوین"] for i in range(200)])
    return doc


def test_a_full_disk_leaves_the_previous_pdf(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF the previous report")
    fill_disk_after(monkeypatch, tmp_path, budget=4096)
    with pytest.raises(OSError):
        _document().build(target)
    monkeypatch.undo()
    assert files_in(tmp_path) == {"report.pdf": b"%PDF the previous report"}
    _document().build(target)  # and with room, the new one replaces it whole
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert list(files_in(tmp_path)) == ["report.pdf"]


def test_a_paper_from_the_command_line_path_is_whole_or_absent(desk, make_ngo, tmp_path, monkeypatch):
    for _ in range(3):
        make_ngo()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fill_disk_after(monkeypatch, out_dir, budget=2048)
    with pytest.raises(OSError):
        make_paper(desk.uow, ReportRequest("register"), out_dir / "register.pdf")
    monkeypatch.undo()
    assert files_in(out_dir) == {}
    make_paper(desk.uow, ReportRequest("register"), out_dir / "register.pdf")
    assert list(files_in(out_dir)) == ["register.pdf"]
