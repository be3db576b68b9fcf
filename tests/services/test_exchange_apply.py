"""Exchange files between two desks (the province's of قزوین and آبیک's): export, import, receipts, conflicts and
the refusals that change nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from ostandari_desk.errors import ConcurrentEditError, UserError, ValidationError
from ostandari_desk.services import attachments
from ostandari_desk.services.exchange import conflicts, container, keys, tables
from ostandari_desk.services.exchange.container import ExchangeFileError
from ostandari_desk.services.health import check_health
from ostandari_desk.services.ngos import NgoInput, get_ngo, update_ngo
from ostandari_desk.services.ngos.rows import BoardMemberInput, NgoFilter
from ostandari_desk.store import models as m
from ostandari_desk.store.models import SQLModel
from tests.services.exchange_desks import (
    BACKENDS,
    COUNTY,
    SEED_TABLES,
    Side,
    TwoDesks,
    fresh_national_id,
    seed_records,
    two_desks_fixture,  # noqa: F401  (the two_desks fixture)
)

pytestmark = pytest.mark.parametrize("backend", BACKENDS)  # each test on SQLite and on PostgreSQL

MODELS = {mapper.class_.__tablename__: mapper.class_ for mapper in SQLModel._sa_registry.mappers}


def rows_of(side: Side, ids: dict[str, str]) -> dict[str, dict]:
    """Every seeded row as stored (``seq`` aside: each desk numbers its own NGOs), and the link rows."""
    out = {}
    for table in SEED_TABLES:
        for key in (
            table,
            "licence_old" if table == "licence" else "",
            "visit_old" if table == "inspection" else "",
        ):
            if key and key in ids:
                row = side.row(MODELS[table], ids[key])
                assert row is not None, (side.name, table)
                row.pop("seq", None)
                out[key] = row
    with side.uow:
        conn = side.uow.s.connection()
        out["links"] = {
            "ngofield": sorted(conn.execute(select(m.NgoField.__table__)).all()),
            "eventngo": sorted(conn.execute(select(m.EventNgo.__table__)).all()),
        }
    return out


def state_of(side: Side) -> dict:
    """Row counts of every table and the sum of every exchanged table's row versions: 0 rows change means
    this stays the same."""
    with side.uow:
        conn = side.uow.s.connection()
        counts = {
            name: conn.execute(select(func.count()).select_from(table)).scalar()
            for name, table in SQLModel.metadata.tables.items()
        }
        versions = {
            spec.name: conn.execute(select(func.sum(spec.table.c.row_version))).scalar()
            for spec in tables.EXCHANGED
        }
        seqs = conn.execute(select(m.ExchangeDesk.sent_seq, m.ExchangeDesk.received_seq)).all()
    return {"counts": counts, "versions": versions, "seqs": seqs}


def round_trip(county: Side, province: Side, folder: Path, n: int) -> None:
    """County → province, the province's receipt back."""
    county.export(folder / f"c{n}.oex")
    province.take(folder / f"c{n}.oex")
    province.receipt(folder / f"r{n}.oex")
    county.take(folder / f"r{n}.oex")


def edit_ngo(side: Side, ngo_id: str, board=None, **changes) -> None:
    """Save the NGO through the service as a clerk would from its form."""
    from dataclasses import replace

    with side.here() as uow:
        detail = get_ngo(uow, ngo_id)
        if board is None:
            board = [
                BoardMemberInput(full_name=b.full_name, national_code=b.national_code, role=b.role)
                for b in detail.board
            ]
        update_ngo(uow, ngo_id, replace(detail.to_input(), **changes), board, detail.row_version)


# --- county → province -------------------------------------------------------------------------------------


def test_every_kind_travels_whole_and_the_province_desk_stays_sound(two_desks: TwoDesks, tmp_path):
    county, province = two_desks.county, two_desks.province
    ids = seed_records(county, tmp_path)
    sent = county.export(tmp_path / "c1.oex")
    assert sent.seq == 1 and sent.records == 23 and sent.deletions == 0 and sent.attachments == 3

    taken = province.take(tmp_path / "c1.oex")
    assert (taken.kind, taken.seq, taken.records, taken.applied, taken.conflicts) == ("changes", 1, 23, 23, 0)
    assert rows_of(province, ids) == rows_of(county, ids)  # derived columns recomputed as the services do
    here = province.row(m.Ngo, ids["ngo"])
    assert here["seq"] == 1 and here["search_text"]
    assert province.row(m.Memorandum, ids["memorandum"])["paid_total"] == 2_500_000_000  # by the triggers
    assert province.row(m.Memorandum, ids["memorandum"])["latest_progress"] == 40
    with province.here() as uow:
        from ostandari_desk.services.ngos.queries import count_ngos

        assert count_ngos(uow, NgoFilter(text="یاوران سلامت")) == 1  # the search index holds it
        report = check_health(uow)
        assert report.healthy, report.lines()
        for kind in attachments.KINDS:
            attachment_id = ids[kind.table.__tablename__]
            assert (
                attachments.attachment_path(uow, kind, attachment_id)
                .read_bytes()
                .startswith({"letter": b"%PDF", "progress": b"progress", "inspection": b"\x89PNG"}[kind.name])
            )


def test_the_same_file_again_changes_nothing_and_a_receipt_leaves_nothing_to_send(
    two_desks: TwoDesks, tmp_path
):
    county, province = two_desks.county, two_desks.province
    seed_records(county, tmp_path)
    county.export(tmp_path / "c1.oex")
    province.take(tmp_path / "c1.oex")
    before = state_of(province)
    again = province.take(tmp_path / "c1.oex")
    assert again.already_received and again.applied == 0
    assert state_of(province) == before

    assert county.export(tmp_path / "c2.oex").records == 23  # no receipt yet: everything again
    receipt = province.receipt(tmp_path / "r1.oex")
    assert (receipt.records, receipt.files) == (23, 1)
    taken = county.take(tmp_path / "r1.oex")
    assert (taken.kind, taken.records, taken.applied) == ("receipt", 23, 1)
    with county.uow:
        sent = county.uow.s.execute(
            select(m.ExchangeFile).where(m.ExchangeFile.direction == "sent")
        ).scalars()
        assert {f.seq: f.acked_at is not None for f in sent} == {1: True, 2: False}
    after = county.export(tmp_path / "c3.oex")
    assert (after.records, after.deletions, after.attachments) == (0, 0, 0)

    # the province's first file brings its reference lists, which the county holds already: nothing applies
    first = province.export(tmp_path / "p1.oex")
    assert first.records > 100
    taken = county.take(tmp_path / "p1.oex")
    assert taken.applied == 0 and taken.unchanged == first.records and taken.conflicts == 0
    # c2 (sent before the receipt) is older than the file the province took last but one? no: it was never
    # taken, and a later file (c3) supersedes it
    assert province.take(tmp_path / "c3.oex").records == 0
    with pytest.raises(ExchangeFileError, match="کهنه‌تر"):
        province.take(tmp_path / "c2.oex")


def test_edits_and_a_removed_board_member_travel_with_row_versions_that_keep_forms_honest(
    two_desks: TwoDesks, tmp_path
):
    county, province = two_desks.county, two_desks.province
    ngo_id = county.make_ngo(
        board=[
            BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo"),
            BoardMemberInput(full_name="مریم احمدی", national_code="0020000006"),
        ],
        field_ids=(county.fields["سلامت"],),
    )
    round_trip(county, province, tmp_path, 1)
    opened = province.row(m.Ngo, ngo_id)["row_version"]  # a form opened at the province now
    edit_ngo(
        county,
        ngo_id,
        name="انجمن یاوران",
        field_ids=(county.fields["ورزشی"],),
        board=[BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo")],
    )
    county.export(tmp_path / "c2.oex")
    taken = province.take(tmp_path / "c2.oex")
    assert (taken.applied, taken.deleted, taken.conflicts) == (1, 1, 0)
    with province.uow:
        detail = get_ngo(province.uow, ngo_id)
    assert detail.name == "انجمن یاوران" and [b.full_name for b in detail.board] == ["علی رضایی"]
    assert list(detail.field_ids) == [province.fields["ورزشی"]]
    assert detail.row_version > opened
    with province.here() as uow:  # the audit trail tells who brought which change, field by field
        from ostandari_desk.services.audit import history_of

        lines = history_of(uow, ngo_id)
    assert any(x.action == "update" and x.field == "name" and x.after == "انجمن یاوران" for x in lines)
    assert any(x.action == "delete" and x.table_name == "boardmember" for x in lines)
    assert all(x.username == "province-admin" for x in lines if x.action in ("update", "delete"))
    with pytest.raises(ConcurrentEditError), province.here() as uow:
        update_ngo(
            uow,
            ngo_id,
            NgoInput(
                national_id=detail.national_id, name="دیرهنگام", county_id=detail.county_id, level="county"
            ),
            [],
            opened,
        )


def test_the_province_sends_its_decisions_and_reference_lists_always_apply_at_the_county(
    two_desks: TwoDesks, tmp_path
):
    county, province = two_desks.county, two_desks.province
    ids = seed_records(county, tmp_path)
    round_trip(county, province, tmp_path, 1)
    province.export(tmp_path / "p1.oex")
    county.take(tmp_path / "p1.oex")
    county.receipt(tmp_path / "pr1.oex")
    province.take(tmp_path / "pr1.oex")

    from ostandari_desk.services import reference

    item = county.fields["سلامت"]
    county.call(reference.rename_item, item, "سلامت روان")  # a county's own edit of a province list
    province.call(reference.rename_item, item, "سلامت و بهداشت")
    with province.here() as uow, uow.writing():  # the council's decision on the county's case
        uow.s.execute(
            update(m.LicenceCase)
            .where(m.LicenceCase.id == ids["licencecase"])
            .values(state="approved", decision="approved", decided_on=date(2024, 6, 10), row_version=9)
        )
        uow.commit()
    sent = province.export(tmp_path / "p2.oex")
    assert sent.records == 2
    taken = county.take(tmp_path / "p2.oex")
    assert (taken.applied, taken.conflicts) == (2, 0)
    assert county.row(m.ReferenceItem, item)["name"] == "سلامت و بهداشت"
    assert county.row(m.ReferenceItem, item)["name_key"] == "سلامت و بهداشت"
    case = county.row(m.LicenceCase, ids["licencecase"])
    assert (case["decision"], case["decided_on"], case["row_version"]) == ("approved", date(2024, 6, 10), 9)


# --- conflicts -------------------------------------------------------------------------------------------------


def _conflict_between(two_desks: TwoDesks, tmp_path: Path) -> tuple[str, str]:
    """An NGO edited on both desks since their last exchange; the county's file taken at the province."""
    county, province = two_desks.county, two_desks.province
    ngo_id = county.make_ngo(name="انجمن نخستین", address="خیابان یکم")
    round_trip(county, province, tmp_path, 1)
    edit_ngo(county, ngo_id, name="انجمن نام شهرستان")
    edit_ngo(province, ngo_id, address="خیابان استان")
    county.export(tmp_path / "c2.oex")
    taken = province.take(tmp_path / "c2.oex")
    assert (taken.applied, taken.conflicts) == (0, 1)
    (conflict,) = province.call(conflicts.list_conflicts)
    assert conflict.record_id == ngo_id and conflict.table_name == "ngo" and conflict.county == COUNTY
    fields = {f.field: f for f in province.call(conflicts.conflict_fields, conflict.id)}
    assert (fields["name"].ours, fields["name"].theirs) == ("انجمن نخستین", "انجمن نام شهرستان")
    assert (fields["address"].ours, fields["address"].theirs) == ("خیابان استان", "خیابان یکم")
    assert not fields["national_id"].differs
    # the same file's conflict is not repeated by a later file carrying the same record
    county.export(tmp_path / "c3.oex")
    assert province.take(tmp_path / "c3.oex").conflicts == 1
    assert len(province.call(conflicts.list_conflicts)) == 1
    return ngo_id, conflict.id


def test_a_conflict_kept_theirs_applies_the_county_version_and_the_receipt_settles_it(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    ngo_id, conflict_id = _conflict_between(two_desks, tmp_path)
    local = province.row(m.Ngo, ngo_id)["row_version"]
    incoming = county.row(m.Ngo, ngo_id)["row_version"]
    province.call(conflicts.resolve_conflict, conflict_id, "theirs")
    row = province.row(m.Ngo, ngo_id)
    assert (row["name"], row["address"]) == ("انجمن نام شهرستان", "خیابان یکم")
    assert row["row_version"] == max(local, incoming) + 1
    assert province.call(conflicts.list_conflicts) == []
    (settled,) = province.call(conflicts.list_conflicts, open_only=False)
    assert settled.resolution == "theirs" and settled.resolved_by == "province-admin"
    with pytest.raises(UserError, match="پیش‌تر حل"):
        province.call(conflicts.resolve_conflict, conflict_id, "ours")

    province.receipt(tmp_path / "r2.oex")
    county.take(tmp_path / "r2.oex")
    assert county.export(tmp_path / "c4.oex").records == 0  # the county's version is known to be there
    assert province.export(tmp_path / "p1.oex").records > 0  # reference lists (first file), not the NGO
    county.take(tmp_path / "p1.oex")
    assert county.row(m.Ngo, ngo_id)["name"] == "انجمن نام شهرستان"


def test_a_conflict_kept_ours_goes_back_and_applies_there_without_a_new_conflict(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    ngo_id, conflict_id = _conflict_between(two_desks, tmp_path)
    with pytest.raises(ValueError):
        province.call(conflicts.resolve_conflict, conflict_id, "both")
    province.call(conflicts.resolve_conflict, conflict_id, "ours")
    assert province.row(m.Ngo, ngo_id)["address"] == "خیابان استان"
    sent = province.export(tmp_path / "p1.oex")
    lines = [json.loads(line) for line in _records(province, tmp_path / "p1.oex")]
    (ngo_line,) = [x for x in lines if x["t"] == "ngo"]
    assert ngo_line["id"] == ngo_id and ngo_line["b"] == tables.digest("ngo", county_d(county, ngo_id))
    taken = county.take(tmp_path / "p1.oex")
    assert taken.conflicts == 0 and taken.applied == 1 and sent.records == taken.records
    row = county.row(m.Ngo, ngo_id)
    assert (row["name"], row["address"]) == ("انجمن نخستین", "خیابان استان")
    county.receipt(tmp_path / "cr1.oex")
    province.take(tmp_path / "cr1.oex")
    assert province.export(tmp_path / "p2.oex").records == 0
    assert county.export(tmp_path / "c9.oex").records == 0


def county_d(side: Side, ngo_id: str) -> dict:
    spec = tables.BY_NAME["ngo"]
    with side.uow:
        conn = side.uow.s.connection()
        row = conn.execute(select(spec.table).where(spec.table.c.id == ngo_id)).mappings().one()
        return tables.encode_row(spec, row, tables.read_links(conn, spec, [ngo_id]).get(ngo_id))


def _records(side: Side, path: Path) -> list[str]:
    """The record lines of a file ``side`` wrote."""
    me = side.call(keys.desk_identity)
    signed = container.read_signed(path, lambda header: me.public_key)
    return signed.members["records.jsonl"].decode().splitlines()


def test_a_deletion_against_a_local_edit_waits_and_theirs_deletes(two_desks: TwoDesks, tmp_path):
    county, province = two_desks.county, two_desks.province
    ngo_id = county.make_ngo(
        board=[
            BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo"),
            BoardMemberInput(full_name="مریم احمدی", national_code="0020000006"),
        ]
    )
    round_trip(county, province, tmp_path, 1)
    with county.uow:
        member = county.uow.s.execute(
            select(m.BoardMember.id).where(m.BoardMember.full_name == "مریم احمدی")
        ).scalar_one()
    edit_ngo(
        county,
        ngo_id,
        board=[BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo")],
    )
    with province.here() as uow, uow.writing():  # the province corrected her name meanwhile
        uow.s.execute(
            update(m.BoardMember).where(m.BoardMember.id == member).values(full_name="مریم احمدی‌نژاد")
        )
        uow.commit()
    county.export(tmp_path / "c2.oex")
    taken = province.take(tmp_path / "c2.oex")
    assert (taken.deleted, taken.conflicts) == (0, 1)
    (conflict,) = province.call(conflicts.list_conflicts)
    assert conflict.deleted_there and not conflict.deleted_here
    province.call(conflicts.resolve_conflict, conflict.id, "theirs")
    assert province.row(m.BoardMember, member) is None


# --- refusals: nothing changes -----------------------------------------------------------------------------------


def test_a_tampered_file_and_a_replay_with_another_body_are_refused_and_change_nothing(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    seed_records(county, tmp_path)
    county.export(tmp_path / "c1.oex")
    data = bytearray((tmp_path / "c1.oex").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "bad.oex").write_bytes(bytes(data))
    before = state_of(province)
    with pytest.raises(ExchangeFileError, match="امضای"):
        province.take(tmp_path / "bad.oex")
    assert state_of(province) == before
    province.take(tmp_path / "c1.oex")
    # the county's desk restored from a backup numbers its next file 1 again: a different file, refused
    with county.here() as uow, uow.writing():
        uow.s.execute(update(m.ExchangeDesk).values(sent_seq=0))
        uow.s.execute(m.ExchangeFile.__table__.delete())
        uow.commit()
    county.make_ngo(name="انجمن پس از بازگردانی")
    county.export(tmp_path / "again1.oex")
    before = state_of(province)
    with pytest.raises(ExchangeFileError, match="تکراری"):
        province.take(tmp_path / "again1.oex")
    assert state_of(province) == before


def test_a_county_file_with_another_countys_record_is_refused_whole(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    seed_records(county, tmp_path)
    other = county.counties["البرز"]
    stray = county.make_ngo(name="انجمن شهرستان دیگر", county_id=other)
    county.export(tmp_path / "c1.oex")
    lines = _records(county, tmp_path / "c1.oex")
    assert not any(json.loads(x)["id"] == stray for x in lines)  # the county's desk does not send it
    # a county desk that did: the line forged into a file signed by the county's own key
    spec = tables.BY_NAME["ngo"]
    forged = json.loads(next(x for x in lines if json.loads(x)["t"] == "ngo"))
    forged["id"], forged["d"]["county_id"] = "f" * 32, other
    forged["d"]["national_id"] = fresh_national_id()
    _resign(
        county, tmp_path / "c1.oex", tmp_path / "forged.oex", [*lines, json.dumps(forged, ensure_ascii=False)]
    )
    before = state_of(province)
    with pytest.raises(ValidationError, match="از حوزه شهرستان فرستنده نیست") as refused:
        province.take(tmp_path / "forged.oex")
    assert refused.value.record == "f" * 32 and refused.value.field == "county_id"
    assert state_of(province) == before
    assert spec.name == "ngo"


def test_a_national_id_taken_at_the_province_refuses_the_file_naming_it(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    national_id = fresh_national_id()
    province.make_ngo(
        name="انجمن ثبت‌شده در استان", national_id=national_id, county_id=province.counties["البرز"]
    )
    county.make_ngo(name="انجمن همان شناسه", national_id=national_id)
    county.export(tmp_path / "c1.oex")
    before = state_of(province)
    with pytest.raises(ValidationError, match="شناسه ملی") as refused:
        province.take(tmp_path / "c1.oex")
    assert "انجمن همان شناسه" in refused.value.message and "انجمن ثبت‌شده در استان" in refused.value.message
    assert refused.value.field == "national_id"
    assert state_of(province) == before


def _letter(side: Side, county_id: str | None, subject: str) -> str:
    from ostandari_desk.services.letters import LetterInput, create_letter

    data = LetterInput(
        "outgoing", "100", date(2024, 5, 1), "فرمانداری", subject, "other", county_id=county_id
    )
    return side.call(create_letter, data)


def test_two_counties_letter_100_of_one_year_both_stand_at_the_province(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    _letter(province, province.counties["البرز"], "نامه البرز")  # another county's «۱۰۰» of the same year
    _letter(province, None, "نامه استان")  # and the province's own
    mine = _letter(county, county.county_id, "نامه آبیک")
    county.export(tmp_path / "c1.oex")
    assert province.take(tmp_path / "c1.oex").applied == 1
    assert province.row(m.Letter, mine)["subject"] == "نامه آبیک"
    assert province.count(m.Letter, m.Letter.number == "100") == 3


def test_a_letter_number_taken_in_the_same_series_refuses_the_file_naming_it(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    _letter(province, province.counties[COUNTY], "نامه آبیک که استان ثبت کرد")
    mine = _letter(county, county.county_id, "نامه آبیک")
    county.export(tmp_path / "c1.oex")
    before = state_of(province)
    with pytest.raises(ValidationError, match="شماره") as refused:
        province.take(tmp_path / "c1.oex")
    assert refused.value.record == mine and refused.value.field == "number"
    assert "شماره «۱۰۰»" in refused.value.message and "«نامه آبیک»" in refused.value.message
    assert "نامه آبیک که استان ثبت کرد" in refused.value.message
    assert state_of(province) == before


def test_an_attachment_whose_bytes_do_not_match_refuses_the_file(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    seed_records(county, tmp_path)
    county.export(tmp_path / "c1.oex")
    lines = _records(county, tmp_path / "c1.oex")
    _resign(county, tmp_path / "c1.oex", tmp_path / "bad.oex", lines, corrupt_files=True)
    before = state_of(province)
    with pytest.raises(ValidationError, match="SHA-256") as refused:
        province.take(tmp_path / "bad.oex")
    assert refused.value.field == "sha256"
    assert state_of(province) == before


def test_a_file_from_an_unregistered_desk_or_for_another_desk_is_refused(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    county.make_ngo()
    county.export(tmp_path / "c1.oex")
    lines = _records(county, tmp_path / "c1.oex")
    before = state_of(province)
    for changes, why in (
        ({"province": "زنجان"}, "استان «زنجان»"),
        ({"to_desk": "e" * 32}, "میز دیگری"),
        ({"from_county": "البرز"}, "«البرز»"),
        ({"to_county": "آبیک"}, "برای «آبیک»"),
    ):
        _resign(county, tmp_path / "c1.oex", tmp_path / "odd.oex", lines, **changes)
        with pytest.raises(ExchangeFileError, match=why):
            province.take(tmp_path / "odd.oex")
    assert state_of(province) == before
    with province.here() as uow, uow.writing():
        uow.s.execute(update(m.ExchangeDesk).values(active=False))
        uow.commit()
    with pytest.raises(ExchangeFileError, match="جایگزین"):
        province.take(tmp_path / "c1.oex")
    with pytest.raises(ExchangeFileError, match="ثبت نشده"):
        county.take(tmp_path / "c1.oex")  # its own file: not from a registered desk


def _resign(
    side: Side, source: Path, target: Path, lines: list[str], corrupt_files: bool = False, **header_changes
) -> None:
    """A copy of ``source`` with these record lines (and, if asked, attachment bytes that do not match their
    SHA-256, or other header values), signed again by ``side``'s own key: what a misbehaving desk could send."""
    me = side.call(keys.desk_identity)
    signed = container.read_signed(source, lambda header: me.public_key)
    members = dict(signed.members)
    members["records.jsonl"] = ("\n".join(lines) + "\n").encode()
    if corrupt_files:
        for name in [n for n in members if n.startswith("files/")]:
            members[name] = members[name][:-1] + b"!"
    header = dict(signed.header, records=len(lines), seq=signed.header["seq"] + 1, **header_changes)
    side.call(lambda uow: container.write_signed(target, header, members, keys.signer(uow)))


def test_a_record_added_under_one_deleted_there_waits_and_keeping_ours_brings_both_back(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    ngo_id = county.make_ngo(
        board=[BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo")]
    )
    other = county.make_ngo(name="انجمن دیگر")
    round_trip(county, province, tmp_path, 1)
    with province.here() as uow, uow.writing():  # the province struck the NGO off
        for model in (m.BoardMember, m.NgoField):
            uow.s.execute(model.__table__.delete().where(model.__table__.c.ngo_id == ngo_id))
        uow.s.execute(m.Ngo.__table__.delete().where(m.Ngo.__table__.c.id == ngo_id))
        uow.commit()
    edit_ngo(  # while the county added a board member to it
        county,
        ngo_id,
        board=[
            BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo"),
            BoardMemberInput(full_name="مریم احمدی", national_code="0020000006"),
        ],
    )
    edit_ngo(county, other, address="نشانی تازه")
    county.export(tmp_path / "c2.oex")
    taken = province.take(tmp_path / "c2.oex")
    assert (taken.applied, taken.conflicts) == (1, 1)  # the other NGO; the member waits for its NGO
    assert province.row(m.Ngo, other)["address"] == "نشانی تازه"
    (member,) = province.call(conflicts.list_conflicts)
    assert member.table_name == "boardmember" and member.deleted_here
    with pytest.raises(UserError, match="نخست"):
        province.call(conflicts.resolve_conflict, member.id, "theirs")

    # the deletions go to the county: the first member goes, the NGO waits (the new member still uses it)
    province.export(tmp_path / "p1.oex")
    taken = county.take(tmp_path / "p1.oex")
    assert (taken.deleted, taken.conflicts) == (1, 1)
    (struck,) = county.call(conflicts.list_conflicts)
    assert struck.record_id == ngo_id and struck.deleted_there
    with pytest.raises(UserError, match="وابسته"):
        county.call(conflicts.resolve_conflict, struck.id, "theirs")
    county.call(conflicts.resolve_conflict, struck.id, "ours")  # the county keeps it: back it goes

    county.export(tmp_path / "c3.oex")
    taken = province.take(tmp_path / "c3.oex")
    assert (taken.applied, taken.conflicts) == (2, 0)
    assert province.call(conflicts.list_conflicts) == []  # the member's conflict settled by its arrival
    with province.uow:
        assert [b.full_name for b in get_ngo(province.uow, ngo_id).board] == ["مریم احمدی"]
    with province.here() as uow:
        assert check_health(uow).healthy


def test_receipts_are_refused_when_old_or_for_files_never_sent(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    county.make_ngo()
    county.export(tmp_path / "c1.oex")
    province.take(tmp_path / "c1.oex")
    province.receipt(tmp_path / "r1.oex")
    county.make_ngo(name="انجمن دوم")
    county.export(tmp_path / "c2.oex")
    province.take(tmp_path / "c2.oex")
    province.receipt(tmp_path / "r2.oex")
    assert county.take(tmp_path / "r2.oex").applied == 1
    before = state_of(county)
    with pytest.raises(ExchangeFileError, match="کهنه‌تر"):
        county.take(tmp_path / "r1.oex")
    assert county.take(tmp_path / "r2.oex").already_received
    assert state_of(county) == before
    # nothing new since: the last receipt is written again (a lost one is replaced), numbered anew
    again = province.receipt(tmp_path / "r3.oex")
    assert (again.seq, again.files) == (3, 1)
    assert county.take(tmp_path / "r3.oex").applied == 1
    assert county.export(tmp_path / "c3.oex").records == 0


def test_an_ngo_of_the_province_named_by_a_countys_event_goes_with_it_and_never_comes_back_deleted(
    two_desks, tmp_path
):
    from ostandari_desk.services.events import EventInput, create_event

    county, province = two_desks.county, two_desks.province
    provincial = province.make_ngo(name="انجمن استانی", county_id=None, level="province")
    event = province.call(
        create_event,
        EventInput(
            "session",
            "نشست آبیک",
            date(2024, 5, 1),
            county_id=province.counties[COUNTY],
            ngo_ids=(provincial,),
        ),
    )
    province.export(tmp_path / "p1.oex")
    lines = [json.loads(x) for x in _records(province, tmp_path / "p1.oex")]
    assert {x["id"] for x in lines if x["t"] in ("ngo", "event")} == {provincial, event}
    taken = county.take(tmp_path / "p1.oex")
    assert taken.conflicts == 0 and county.row(m.Ngo, provincial)["county_id"] is None
    county.receipt(tmp_path / "cr1.oex")
    province.take(tmp_path / "cr1.oex")
    sent = county.export(tmp_path / "c1.oex")
    assert (sent.records, sent.deletions) == (0, 0)  # the county does not speak for the provincial NGO
    assert province.export(tmp_path / "p2.oex").records == 0


def test_a_record_with_a_malformed_value_refuses_the_file_naming_its_line_and_field(two_desks, tmp_path):
    county, province = two_desks.county, two_desks.province
    county.make_ngo()
    county.make_ngo(name="انجمن دوم")
    county.export(tmp_path / "c1.oex")
    lines = _records(county, tmp_path / "c1.oex")
    second = json.loads(lines[1])
    second["d"]["founded_on"] = "1403-13-01"
    _resign(
        county, tmp_path / "c1.oex", tmp_path / "bad.oex", [lines[0], json.dumps(second, ensure_ascii=False)]
    )
    before = state_of(province)
    with pytest.raises(ValidationError, match="سطر ۲ پرونده") as refused:
        province.take(tmp_path / "bad.oex")
    assert refused.value.field == "founded_on" and refused.value.record == second["id"]
    assert "تاریخ تأسیس" in refused.value.message
    assert state_of(province) == before


def test_an_old_file_played_back_after_a_newer_one_is_refused_even_when_taken_before(two_desks, tmp_path):
    """The very same LATEST file again is idempotent (already received); an older one, taken before and played
    back after a newer one, is a replay: refused, nothing changes."""
    county, province = two_desks.county, two_desks.province
    county.make_ngo()
    county.export(tmp_path / "c1.oex")
    province.take(tmp_path / "c1.oex")
    county.make_ngo(name="انجمن دوم")
    county.export(tmp_path / "c2.oex")
    province.take(tmp_path / "c2.oex")
    before = state_of(province)
    with pytest.raises(ExchangeFileError, match="کهنه‌تر"):
        province.take(tmp_path / "c1.oex")
    assert province.take(tmp_path / "c2.oex").already_received
    assert state_of(province) == before
