"""Nothing overflows (issue 11): every registered paper, printed for an NGO whose name is 200 characters of
brackets, ZWNJ, harakat, Latin words and numbers, keeps every glyph on its page, the certificate's text
inside its frame with the signature below it, and no two text lines on top of each other (pdfplumber's
character boxes)."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest

from ostandari_desk.reports.registry import REPORTS

from . import test_papers
from .test_registry import _run_cli, _samples

licensed = test_papers.licensed  # a fixture (an NGO of آبیک with a licence, an event and a letter)

_WORDS = [
    "انجمن",
    "«حمایت»",
    "از",
    "خانهٔ",
    "کودکانِ",
    "کار",
    "[شعبهٔ",
    "۲]",
    "مؤسسهٔ",
    "NGO",
    "House",
    "پلاک",
    "45-B",
    "با",
    "سهم",
    "30%",
    "و",
    "تَشکیل\u200cدهندگان",
    "(نیکوکاران)",
    "Charity",
    "Foundation",
    "شماره",
    "۱۴۰۴/۱۲۳-۴۵",
    "برای",
    "توان\u200cبخشی",
    "خانواده\u200cهای",
    "نیازمندِ",
    "استان",
    "قزوین",
    "و",
    "شهرستان\u200cهای",
    "آبیک،",
    "البرز",
]


def _long_name(length: int = 200) -> str:
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(_WORDS[len(words) % len(_WORDS)])
    name = " ".join(words)[:length].rstrip()
    return name + "ی" * (length - len(name))


LONG_NAME = _long_name()
TOLERANCE = 0.5  # points: rounding of pdfplumber's boxes


@pytest.fixture
def long_named(desk, licensed):
    """The licensed NGO renamed to LONG_NAME through the service (its event, letter and licence stay)."""
    from ostandari_desk.services.ngos import get_ngo, update_ngo

    ngo = get_ngo(desk.uow, licensed)
    update_ngo(
        desk.uow,
        licensed,
        dataclasses.replace(ngo.to_input(), name=LONG_NAME),
        [],
        expected_version=ngo.row_version,
    )
    return licensed


def _print(desk, tmp_path: Path, name: str, argv: tuple[str, ...]) -> Path:
    out = tmp_path / f"{name}.pdf"
    assert _run_cli(desk.uow, name, *argv, "--out", str(out)) == 0, name
    return out


def _visible(chars: list[dict]) -> list[dict]:
    """The characters that draw ink: spaces and format controls (ZWSP, ZWNJ, marks of direction) do not."""
    return [c for c in chars if not c["text"].isspace() and unicodedata.category(c["text"][:1]) != "Cf"]


def _off_page(page) -> list[str]:
    return [
        f"«{c['text']}» at x {c['x0']:.0f}…{c['x1']:.0f}, top {c['top']:.0f}…{c['bottom']:.0f}"
        for c in _visible(page.chars)
        if c["x0"] < -TOLERANCE
        or c["x1"] > page.width + TOLERANCE
        or c["top"] < -TOLERANCE
        or c["bottom"] > page.height + TOLERANCE
    ]


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into text lines: one baseline (pdfplumber's ``bottom`` within 1.5 pt)."""
    lines: list[list[dict]] = []
    for c in sorted(_visible(chars), key=lambda c: c["bottom"]):
        if lines and abs(lines[-1][-1]["bottom"] - c["bottom"]) <= 1.5:
            lines[-1].append(c)
        else:
            lines.append([c])
    return lines


def _overlapping(chars: list[dict]) -> list[str]:
    """Pairs of characters of different lines whose boxes overlap (more than the tolerance each way)."""
    cell = 24.0
    grid: dict[tuple[int, int], list[tuple[int, dict]]] = defaultdict(list)
    found: list[str] = []
    for n, line in enumerate(_lines(chars)):
        for c in line:
            gx0, gx1 = int(c["x0"] // cell), int(c["x1"] // cell)
            gy0, gy1 = int(c["top"] // cell), int(c["bottom"] // cell)
            for gx in range(gx0, gx1 + 1):
                for gy in range(gy0, gy1 + 1):
                    for m, other in grid[gx, gy]:
                        if m != n and _intersect(c, other):
                            found.append(
                                f"«{other['text']}» and «{c['text']}» near x {c['x0']:.0f}, top {c['top']:.0f}"
                            )
                    grid[gx, gy].append((n, c))
    return found


def _intersect(a: dict, b: dict) -> bool:
    # a line's box is its font's height at most: harakat above or below a letter stay inside it
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > TOLERANCE
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > TOLERANCE
    )


def test_the_hostile_name_is_two_hundred_characters_of_everything():
    assert len(LONG_NAME) == 200
    for part in ("«", "(", "[", "\u200c", "\u0650", "\u064e", "NGO", "45-B", "30%", "۲"):
        assert part in LONG_NAME, part


def test_no_paper_runs_off_its_page_or_overlaps_its_lines(desk, long_named, tmp_path):
    samples = _samples(desk, long_named)
    assert set(samples) == set(REPORTS)
    problems: dict[str, list[str]] = {}
    for name, (_, argv) in samples.items():
        with pdfplumber.open(_print(desk, tmp_path, name, argv)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                wrong = _off_page(page) + _overlapping(page.chars)
                if wrong:
                    problems[f"{name} page {number}"] = wrong[:5]
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_the_long_name_wraps_into_the_ngo_files_title(desk, long_named, tmp_path):
    """The title stays between the margins, on several lines, above the body."""
    out = _print(desk, tmp_path, "ngo-file", _samples(desk, long_named)["ngo-file"][1])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        title = [c for c in page.chars if c["size"] > 13.5]  # the title's size (14 pt)
        assert len(_lines(title)) >= 3  # «پرونده سازمان «…»» at 200 characters
        assert min(c["x0"] for c in title) >= 40 and max(c["x1"] for c in title) <= page.width - 40


def _frame(page) -> dict:
    """The certificate's outer border: the widest stroked rectangle below the letterhead."""
    rects = [r for r in page.rects if r["width"] > page.width / 2 and r["stroke"]]
    assert rects, "no frame"
    return max(rects, key=lambda r: (r["width"], r["height"]))


def test_the_certificates_frame_holds_its_text_and_the_signature_follows(desk, long_named, tmp_path):
    out = _print(desk, tmp_path, "certificate", _samples(desk, long_named)["certificate"][1])
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        frame = _frame(page)
        inside = [c for c in page.chars if c["top"] >= frame["top"] and c["bottom"] <= frame["bottom"]]
        straddling = [
            c["text"]
            for c in page.chars
            if c["bottom"] > frame["top"] + TOLERANCE
            and c["top"] < frame["bottom"] - TOLERANCE
            and c not in inside
        ]
        assert not straddling, f"glyphs across the frame's border: {straddling[:10]}"
        assert all(frame["x0"] + 5 <= c["x0"] and c["x1"] <= frame["x1"] - 5 for c in inside)
        assert len(_lines(inside)) >= 12  # the name and the statement wrapped inside, not cut off
        below = [c for c in page.chars if c["top"] >= frame["bottom"] and c["bottom"] < page.height - 60]
        assert below, "no signature below the frame"
        # the signature block sits on the issuer's side (the left), under the frame: nothing spilled there
        assert max(c["x1"] for c in below) <= frame["x0"] + 7 * 28.35 + TOLERANCE
        assert len(_lines(below)) >= 3  # title, office, «مهر و امضا»


def test_the_checks_see_a_line_off_the_page_and_two_lines_on_top_of_each_other(tmp_path):
    """The measures above are not blind: the old NGO file's unwrapped title and a frame's text spilling
    onto the signature are what they report."""
    from reportlab.pdfgen import canvas

    from ostandari_desk.reports.fonts import FONT, register_fonts
    from ostandari_desk.reports.persian import shape_line

    register_fonts()
    out = tmp_path / "bad.pdf"
    c = canvas.Canvas(str(out), pagesize=(595, 842))
    c.setFont(FONT, 14)
    c.drawCentredString(297, 800, shape_line(f"پرونده سازمان «{LONG_NAME}»"))
    c.drawString(100, 400, shape_line("مهر و امضا"))
    c.drawString(104, 404, shape_line("مهر و امضا"))
    c.save()
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        assert _off_page(page)
        assert _overlapping(page.chars)
        assert not _overlapping([ch for ch in page.chars if ch["top"] < 100])  # one line alone is fine
