"""Attachments of letters and visits (services/attachments.py): stored by SHA-256, the tamper check, paths kept
inside the attachments folder, names without bidi tricks, shared files removed only when no table uses them,
closed visits read-only, and the owner's county scope."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from ostandari_desk import paths
from ostandari_desk.errors import (
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    UserError,
    ValidationError,
)
from ostandari_desk.services import attachments as att
from ostandari_desk.services import letters as lt
from ostandari_desk.services import reference
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import (
    AuditEntry,
    Centre,
    Finding,
    Inspection,
    InspectionAttachment,
    LetterAttachment,
)

from .test_letters import _letter

KINDS = pytest.mark.parametrize(
    "kind", [att.LETTER, att.INSPECTION, att.PROGRESS], ids=["letter", "inspection", "progress"]
)
REFUSED = (PermissionDeniedError, NotFoundError)

_codes = iter(range(1, 10_000))


def _centre(uow, county_id: str | None) -> Centre:
    category = reference.list_items(uow, "centre_category")[0].id
    with uow.writing():
        centre = Centre(
            **stamps(),
            code=f"C-{next(_codes)}",
            category_id=category,
            name="کشتارگاه صنعتی",
            county_id=county_id,
        )
        uow.s.add(centre)
        uow.commit()
        return centre


def insert_visit(uow, county_id: str | None, state: str = "open") -> str:
    """A visit straight into the store (these tests need one to attach to, not the visit service's rules)."""
    centre = _centre(uow, county_id)
    with uow.writing():
        visit = Inspection(
            **stamps(),
            county_id=county_id,
            centre_id=centre.id,
            category_id=centre.category_id,
            inspected_at=datetime(2023, 5, 1, 7, 0, tzinfo=UTC),
            inspected_on=date(2023, 5, 1),
            jalali_year=1402,
            jalali_month=2,
            state=state,
        )
        uow.s.add(visit)
        uow.commit()
        return visit.id


def insert_finding(uow, visit_id: str) -> str:
    with uow.writing():
        finding = Finding(**stamps(), inspection_id=visit_id, text="زنجیره سرما رعایت نشده", severity="major")
        uow.s.add(finding)
        uow.commit()
        return finding.id


def _set_state(uow, visit_id: str, state: str) -> None:
    with uow.writing():
        uow.s.get(Inspection, visit_id).state = state
        uow.commit()


def _owner(desk, kind: att.AttachmentKind, number: str = "۱۲۳/ص", county: str = "آبیک") -> str:
    county_id = desk.counties[county]
    if kind is att.LETTER:
        return lt.create_letter(desk.uow, _letter(number=number, county_id=county_id))
    if kind is att.PROGRESS:  # a child of a child: its county is its memorandum's
        return insert_progress(desk.uow, county_id, number)
    return insert_visit(desk.uow, county_id)


def insert_progress(uow, county_id: str | None, number: str) -> str:
    """A memorandum and one progress report of it, straight into the store."""
    from ostandari_desk.store.models import Memorandum, ProgressReport

    on = date(2024, 5, 1)
    with uow.writing():
        memo = Memorandum(
            **stamps(),
            county_id=county_id,
            number=f"{number}-{next(_codes)}",
            title="تفاهم‌نامه",
            title_sort="",
            party_kind="county",
            amount=1_000,
            signed_on=on,
            starts_on=on,
            ends_on=on,
        )
        uow.s.add(memo)
        uow.s.flush()
        report = ProgressReport(**stamps(), memorandum_id=memo.id, reported_on=on, percent=10)
        uow.s.add(report)
        uow.commit()
        return report.id


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@KINDS
def test_copy_hash_tamper_remove(desk, tmp_path, kind):
    owner = _owner(desk, kind)
    source = _file(tmp_path, "نامه اسکن.PDF", b"%PDF-1.4 scanned page")
    att_id = att.add_attachment(desk.uow, kind, owner, source)
    [row] = att.list_attachments(desk.uow, kind, owner)
    assert (row.id, row.owner_id, row.file_name, row.size) == (
        att_id,
        owner,
        "نامه اسکن.PDF",
        source.stat().st_size,
    )
    stored = att.attachment_path(desk.uow, kind, att_id)
    assert stored.parent.parent == paths.attachments_dir()
    assert stored.name == f"{row.sha256}.pdf" and stored.parent.name == row.sha256[:2]
    assert stored.read_bytes() == source.read_bytes()
    if kind is att.LETTER:
        assert lt.list_letter_page(desk.uow)[0].attachment_count == 1
    with pytest.raises(DuplicateError, match="پیش‌تر به این"):  # the same content twice on one record
        att.add_attachment(desk.uow, kind, owner, source)
    stored.write_bytes(b"changed")
    with pytest.raises(UserError) as info:
        att.attachment_path(desk.uow, kind, att_id)
    assert "فایل پیوست تغییر کرده است" in info.value.message
    att.remove_attachment(desk.uow, kind, att_id)
    assert att.list_attachments(desk.uow, kind, owner) == []
    assert not stored.exists()


def test_an_attachment_id_of_one_kind_is_unknown_to_the_other(desk, tmp_path):
    letter = _owner(desk, att.LETTER)
    att_id = att.add_attachment(desk.uow, att.LETTER, letter, _file(tmp_path, "a.pdf", b"%PDF a"))
    with pytest.raises(NotFoundError):
        att.attachment_path(desk.uow, att.INSPECTION, att_id)
    with pytest.raises(NotFoundError):
        att.remove_attachment(desk.uow, att.INSPECTION, att_id)


@KINDS
def test_missing_folder_and_oversized_sources_are_refused(desk, tmp_path, kind, monkeypatch):
    owner = _owner(desk, kind)
    with pytest.raises(ValidationError, match="پیدا نشد") as info:
        att.add_attachment(desk.uow, kind, owner, tmp_path / "nope.pdf")
    assert info.value.field == "attachment"
    folder = tmp_path / "پوشه.pdf"
    folder.mkdir()
    with pytest.raises(ValidationError, match="فایل معمولی نیست"):
        att.add_attachment(desk.uow, kind, owner, folder)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.pdf"
        os.mkfifo(fifo)
        with pytest.raises(ValidationError, match="فایل معمولی نیست"):
            att.add_attachment(desk.uow, kind, owner, fifo)
    monkeypatch.setattr(att, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    big = _file(tmp_path, "big.pdf", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as info:
        att.add_attachment(desk.uow, kind, owner, big)
    assert "۲ مگابایت است" in info.value.message and "بزرگ‌تر از ۱ مگابایت" in info.value.message
    _file(tmp_path, "ok.pdf", b"x" * (1024 * 1024))
    att.add_attachment(desk.uow, kind, owner, tmp_path / "ok.pdf")  # exactly the limit is fine
    assert [r.file_name for r in att.list_attachments(desk.uow, kind, owner)] == ["ok.pdf"]
    assert list(paths.attachments_dir().rglob("*.tmp")) == []


def test_a_file_shared_across_tables_is_removed_only_when_unused(desk, tmp_path):
    first = _owner(desk, att.LETTER, number="1")
    second = _owner(desk, att.LETTER, number="2")
    visit = _owner(desk, att.INSPECTION)
    source = _file(tmp_path, "a.jpg", b"\xff\xd8 same photo")
    a1 = att.add_attachment(desk.uow, att.LETTER, first, source)
    a2 = att.add_attachment(desk.uow, att.LETTER, second, source)
    a3 = att.add_attachment(desk.uow, att.INSPECTION, visit, source)
    path = att.attachment_path(desk.uow, att.LETTER, a1)
    assert (
        path
        == att.attachment_path(desk.uow, att.LETTER, a2)
        == att.attachment_path(desk.uow, att.INSPECTION, a3)
    )
    assert len(list(paths.attachments_dir().rglob("*.jpg"))) == 1  # stored once
    lt.delete_letter(desk.uow, first)
    assert path.exists()
    att.remove_attachment(desk.uow, att.LETTER, a2)
    assert path.exists()  # the visit still uses it
    att.remove_attachment(desk.uow, att.INSPECTION, a3)
    assert not path.exists()


def test_the_visit_keeps_the_file_a_deleted_letter_shared(desk, tmp_path):
    letter = _owner(desk, att.LETTER)
    visit = _owner(desk, att.INSPECTION)
    source = _file(tmp_path, "scan.pdf", b"%PDF shared")
    att.add_attachment(desk.uow, att.INSPECTION, visit, source)
    att.add_attachment(desk.uow, att.LETTER, letter, source)
    lt.delete_letter(desk.uow, letter)
    [row] = att.list_attachments(desk.uow, att.INSPECTION, visit)
    assert att.attachment_path(desk.uow, att.INSPECTION, row.id).read_bytes() == b"%PDF shared"


def test_a_letter_deleted_inside_a_callers_block_keeps_its_file_until_committed(desk, tmp_path):
    uow = desk.uow
    letter_id = lt.create_letter(uow, _letter())
    source = _file(tmp_path, "a.pdf", b"%PDF a")
    stored = att.attachment_path(uow, att.LETTER, att.add_attachment(uow, att.LETTER, letter_id, source))
    with pytest.raises(RuntimeError), uow:
        lt.delete_letter(uow, letter_id)
        assert stored.exists()  # the caller may still roll back
        raise RuntimeError("the caller's next step fails")
    assert lt.get_letter(uow, letter_id).id == letter_id and stored.exists()
    assert len(att.list_attachments(uow, att.LETTER, letter_id)) == 1
    with uow:  # the caller's block ends well: the letter goes, and then its file
        lt.delete_letter(uow, letter_id)
        assert stored.exists()
    assert lt.count_letters(uow) == 0 and not stored.exists()


# --- visits: findings, closed visits, county scope ---------------------------------------------------


def test_a_visit_attachment_may_name_one_of_its_findings(desk, tmp_path):
    visit = _owner(desk, att.INSPECTION)
    other_visit = _owner(desk, att.INSPECTION)
    finding = insert_finding(desk.uow, visit)
    foreign = insert_finding(desk.uow, other_visit)
    photo = _file(tmp_path, "photo.jpg", b"\xff\xd8 photo")
    with pytest.raises(ValidationError, match="از این بازدید نیست") as info:
        att.add_attachment(desk.uow, att.INSPECTION, visit, photo, finding_id=foreign)
    assert info.value.field == "finding"
    with pytest.raises(ValidationError, match="از این بازدید نیست"):
        att.add_attachment(desk.uow, att.INSPECTION, visit, photo, finding_id="no-such-finding")
    att_id = att.add_attachment(desk.uow, att.INSPECTION, visit, photo, finding_id=finding)
    scan = _file(tmp_path, "scan.pdf", b"%PDF visit form")
    att.add_attachment(desk.uow, att.INSPECTION, visit, scan)
    rows = {r.file_name: r for r in att.list_attachments(desk.uow, att.INSPECTION, visit)}
    assert rows["photo.jpg"].id == att_id and rows["photo.jpg"].finding_id == finding
    assert rows["scan.pdf"].finding_id is None
    letter = _owner(desk, att.LETTER)
    with pytest.raises(ValidationError, match="یافته") as info:
        att.add_attachment(desk.uow, att.LETTER, letter, photo, finding_id=finding)
    assert info.value.field == "finding"


def test_a_closed_visit_refuses_new_and_removed_attachments(desk, tmp_path):
    visit = _owner(desk, att.INSPECTION)
    kept = att.add_attachment(desk.uow, att.INSPECTION, visit, _file(tmp_path, "a.jpg", b"\xff\xd8 a"))
    _set_state(desk.uow, visit, "closed")
    before = _counts(desk)
    with pytest.raises(UserError, match="بسته شده و فقط‌خواندنی") as info:
        att.add_attachment(desk.uow, att.INSPECTION, visit, _file(tmp_path, "b.jpg", b"\xff\xd8 b"))
    assert info.value.record == visit
    with pytest.raises(UserError, match="بسته شده و فقط‌خواندنی"):
        att.remove_attachment(desk.uow, att.INSPECTION, kept)
    assert _counts(desk) == before
    assert [r.id for r in att.list_attachments(desk.uow, att.INSPECTION, visit)] == [kept]  # still readable
    assert att.attachment_path(desk.uow, att.INSPECTION, kept).is_file()
    assert len(list(paths.attachments_dir().rglob("*.jpg"))) == 1  # b.jpg was never stored


def _counts(desk) -> tuple[int, int, int]:
    with desk.uow as uow:
        return tuple(
            len(uow.s.exec(select(m.id)).all()) for m in (LetterAttachment, InspectionAttachment, AuditEntry)
        )


@KINDS
def test_a_county_user_reaches_only_their_own_countys_attachments(desk, tmp_path, uow_as, kind):
    own = _owner(desk, kind, number="1", county="آبیک")
    other = _owner(desk, kind, number="2", county="البرز")
    own_att = att.add_attachment(desk.uow, kind, own, _file(tmp_path, "own.pdf", b"%PDF own"))
    other_att = att.add_attachment(desk.uow, kind, other, _file(tmp_path, "other.pdf", b"%PDF other"))
    county_user = uow_as("county", county_id=desk.counties["آبیک"])
    source = _file(tmp_path, "new.pdf", b"%PDF new")
    # their own county: everything works
    assert [r.id for r in att.list_attachments(county_user, kind, own)] == [own_att]
    assert att.attachment_path(county_user, kind, own_att).is_file()
    added = att.add_attachment(county_user, kind, own, source)
    att.remove_attachment(county_user, kind, added)
    # another county's record: refused, nothing stored
    before = _counts(desk)
    stored = set(paths.attachments_dir().rglob("*.*"))
    for attempt in (
        lambda: att.add_attachment(county_user, kind, other, source),
        lambda: att.list_attachments(county_user, kind, other),
        lambda: att.attachment_path(county_user, kind, other_att),
        lambda: att.remove_attachment(county_user, kind, other_att),
    ):
        with pytest.raises(REFUSED):
            attempt()
    assert _counts(desk) == before and set(paths.attachments_dir().rglob("*.*")) == stored


# --- issue 7, finding 7: attachments stay inside their folder, names without bidi tricks ------------


def _tamper(uow, kind: att.AttachmentKind, attachment_id: str, stored_path: str) -> None:
    with uow.writing():
        uow.s.get(kind.table, attachment_id).stored_path = stored_path
        uow.commit()


@KINDS
@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_a_tampered_stored_path_neither_opens_nor_deletes_outside(desk, tmp_path, kind, how):
    owner = _owner(desk, kind)
    att_id = att.add_attachment(desk.uow, kind, owner, _file(tmp_path, "a.pdf", b"%PDF a"))
    victim = (paths.attachments_dir() / ".." / ".." / "x").resolve()  # outside the data folder
    victim.write_bytes(b"%PDF a")  # even the same content: the path alone decides
    _tamper(desk.uow, kind, att_id, "../../x" if how == "relative" else str(victim))
    with pytest.raises(UserError, match="بیرون از پوشه پیوست"):
        att.attachment_path(desk.uow, kind, att_id)
    att.remove_attachment(desk.uow, kind, att_id)
    assert victim.read_bytes() == b"%PDF a"


def test_a_deleted_letter_with_a_tampered_path_leaves_the_outside_file(desk, tmp_path):
    letter_id = _owner(desk, att.LETTER)
    att_id = att.add_attachment(desk.uow, att.LETTER, letter_id, _file(tmp_path, "a.pdf", b"%PDF a"))
    victim = (paths.attachments_dir() / ".." / ".." / "x").resolve()
    victim.write_bytes(b"%PDF a")
    _tamper(desk.uow, att.LETTER, att_id, "../../x")
    lt.delete_letter(desk.uow, letter_id)
    assert victim.read_bytes() == b"%PDF a"


@KINDS
def test_attachment_names_lose_their_bidi_controls(desk, tmp_path, kind):
    owner = _owner(desk, kind)
    att_id = att.add_attachment(desk.uow, kind, owner, _file(tmp_path, "evil.\u202efdp.exe", b"MZ not a pdf"))
    [row] = att.list_attachments(desk.uow, kind, owner)
    assert row.file_name == "evil.fdp.exe"
    assert att.attachment_path(desk.uow, kind, att_id).suffix == ".exe"  # what it really is
    att.add_attachment(desk.uow, kind, owner, _file(tmp_path, "نامه\u2067\u200f\u061c.pdf", b"%PDF b"))
    names = {r.file_name for r in att.list_attachments(desk.uow, kind, owner)}
    assert names == {"evil.fdp.exe", "نامه.pdf"}


def test_every_kind_is_declared_with_its_owner():
    assert att.KINDS == (att.LETTER, att.INSPECTION, att.PROGRESS)
    for kind in att.KINDS:
        assert hasattr(kind.table, kind.owner_column) and kind.label and kind.plural
        assert (
            kind.table.__table__.c[kind.owner_column].foreign_keys.pop().column.table
            is kind.owner_model.__table__
        )


def test_the_health_check_reads_every_kinds_table(desk, tmp_path):
    from ostandari_desk.services import health

    assert "نامه‌ها" in health.ATTACHMENTS and "بازدیدها" in health.ATTACHMENTS
    visit = _owner(desk, att.INSPECTION)
    letter = _owner(desk, att.LETTER)
    photo = att.add_attachment(desk.uow, att.INSPECTION, visit, _file(tmp_path, "عکس.jpg", b"\xff\xd8 photo"))
    att.add_attachment(desk.uow, att.LETTER, letter, _file(tmp_path, "نامه.pdf", b"%PDF letter"))
    assert health.check_health(desk.uow).healthy
    att.attachment_path(desk.uow, att.INSPECTION, photo).write_bytes(b"changed")
    report = health.check_health(desk.uow)
    assert {f.part for f in report.findings} == {health.ATTACHMENTS}
    assert "«عکس.jpg»: محتوای پرونده تغییر کرده است" in " ".join(f.problem for f in report.findings)
    assert "۲ پرونده پیوست بررسی شد." in "\n".join(report.lines())
