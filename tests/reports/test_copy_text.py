"""Text that copies: every registered paper, made through the command line and read back by poppler
(pdftotext) and PDFium (pypdfium2), gives back at least 98% of the text it drew, whole and in order —
for the demo records of the registry test and for an NGO with a hostile name."""

from __future__ import annotations

import io

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.reports.registry import REPORTS

from . import test_papers
from .pdftext import CopyFigures, copy_figures, drawn_lines
from .test_registry import _run_cli, _samples

licensed = test_papers.licensed  # a fixture (an NGO of آبیک with a licence, an event and a letter)

GOAL = 0.98

# Short enough for the NGO file's one-line title: a longer one runs off the page (issue 11, «Nothing
# overflows»), and poppler does not read what is off the page.
HOSTILE_NAME = "انجمن «حمایت» از خانهٔ کودکانِ کار (شعبهٔ ۲) مؤسسهٔ NGO House پلاک 45-B با سهم 30%"


def _paper(uow, tmp_path, name: str, *argv: str) -> tuple[bytes, list[str]]:
    out = tmp_path / f"{name}-{abs(hash(argv))}.pdf"
    with drawn_lines() as drawn:
        assert _run_cli(uow, name, *argv, "--out", str(out)) == 0, name
    assert drawn, f"{name}: nothing drawn"
    return out.read_bytes(), drawn


def _check(figures: dict[str, CopyFigures]) -> None:
    low = {name: f for name, f in figures.items() if f.poppler < GOAL or f.pdfium < GOAL}
    listing = "\n".join(
        f"{name}: {f}\n  poppler lost: {f.lost_poppler[:5]}\n  PDFium lost: {f.lost_pdfium[:5]}"
        for name, f in low.items()
    )
    assert not low, f"papers below {GOAL:.0%} of their text copied back:\n{listing}"


def test_every_paper_copies_back_its_text(desk, licensed, tmp_path):
    samples = _samples(desk, licensed)
    assert set(samples) == set(REPORTS)
    figures = {
        name: copy_figures(*_paper(desk.uow, tmp_path, name, *argv)) for name, (_, argv) in samples.items()
    }
    print("\n".join(f"{name:12} {f}" for name, f in figures.items()))  # shown with pytest -s
    _check(figures)


@pytest.fixture
def hostile(desk, make_ngo):
    """An NGO whose name has guillemets, brackets, ZWNJ, harakat, Latin words and numbers, with a licence."""
    from ostandari_desk.services import licences
    from ostandari_desk.services.ngos import get_ngo

    ngo_id = make_ngo(
        name=HOSTILE_NAME,
        county="آبیک",
        registration_no="۱۴۰۴/۱۲۳-۴۵",
        address="قزوین، خیابان «پیروزی» (کوچه ۱۲)، پلاک 67، طبقهٔ دوم، تَشکیل‌شده در سال ۱۴۰۰ «لله»",
        ceo_name="سیدعلی‌اکبر مؤمنی‌راد",
    )
    d = jalali.from_jalali
    with desk.uow as uow:
        licences.apply_licence_step(uow, ngo_id, "approval", d(1401, 5, 1), imported=True)
        licences.apply_licence_step(
            uow,
            ngo_id,
            "issue",
            d(1401, 6, 9),
            licence_number="1401-17",
            expires_on=d(1405, 3, 1),
            imported=True,
        )
        uow.commit()
    return get_ngo(desk.uow, ngo_id).national_id


def test_papers_of_an_ngo_with_a_hostile_name_copy_back_their_text(desk, hostile, tmp_path):
    figures = {
        name: copy_figures(*_paper(desk.uow, tmp_path, name, "--national-id", hostile))
        for name in ("ngo-file", "certificate")
    }
    print("\n".join(f"{name:12} {f}" for name, f in figures.items()))
    _check(figures)


def test_the_measure_counts_only_lines_that_come_back_exactly():
    """copy_figures is strict: a line read back with a reversed number, a mirrored bracket or a lost ZWNJ
    does not count."""
    from ostandari_desk.reports.document import Letterhead, ReportDocument
    from ostandari_desk.reports.persian import visual_order

    doc = ReportDocument("آزمون", Letterhead("اداره کل"), printed_on="۱۴۰۵/۰۱/۰۱")
    doc.add_paragraph("ساعت ۱۰:۳۰ در سازمان‌های مردم‌نهاد (کوچه ۱۲)")
    with drawn_lines() as drawn:
        out = io.BytesIO()
        doc.build(out)
    assert copy_figures(out.getvalue(), drawn).pdfium == 1.0
    scrambled = [visual_order(line) for line in drawn]  # lines as the old drawing left them to readers
    figures = copy_figures(out.getvalue(), scrambled)
    assert figures.pdfium < 0.5 and figures.poppler < 0.5
