"""Issue 10, «Done means»: two desks — the province's file and a county's — exchange signed files end to end.

A county's work made through the services (an NGO with its board and fields, a case with its inquiries and
steps, a licence, an event, a letter with its scan, a centre and a visit with findings, a memorandum with its
progress and payments) travels to the province, the province's receipt comes back and the next file carries
nothing; the province corrects a record and sends it back; both desks edit one NGO and the conflict is
resolved keeping ours in one run and theirs in the other, both desks ending equal; a tampered byte, an old
file replayed and a county file carrying another county's record are refused with nothing changed; two
counties' letter «۱۰۰» of one year both reach the province.

(The exchange's parts one by one: test_exchange_apply.py, test_exchange_container.py, test_exchange_desks.py.)
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ostandari_desk.errors import ValidationError
from ostandari_desk.services import attachments, letters, reference
from ostandari_desk.services import licences as lic
from ostandari_desk.services.events import EventInput, create_event
from ostandari_desk.services.exchange import conflicts, container, desks, keys, tables
from ostandari_desk.services.exchange.container import ExchangeFileError
from ostandari_desk.services.inspections.centres import CentreInput, create_centre
from ostandari_desk.services.inspections.visit_rules import FindingInput, VisitInput
from ostandari_desk.services.inspections.visits import create_visit
from ostandari_desk.services.memoranda.memoranda import MemorandumInput, create_memorandum
from ostandari_desk.services.memoranda.payments import PaymentInput, add_payment
from ostandari_desk.services.memoranda.progress import ProgressInput, add_progress
from ostandari_desk.services.ngos import get_ngo, update_ngo
from ostandari_desk.services.ngos.rows import BoardMemberInput
from ostandari_desk.store import models as m
from ostandari_desk.store.models import SQLModel
from tests.services.exchange_desks import (
    COUNTY,
    Side,
    TwoDesks,
    _side,
    two_desks_fixture,  # noqa: F401  (the two_desks fixture)
)

DAY = date(2024, 5, 1)  # 1403/02/12
LEGAL = "آیین‌نامه ۱۳۹۵، ماده ۹"
OTHER_COUNTY = "البرز"


# --- what two desks hold ------------------------------------------------------------------------------------


def holdings(side: Side, county: str = COUNTY) -> dict[tuple[str, str], str]:
    """{(table, id): digest} of every exchanged record of ``county`` at ``side``: two desks agree on a county's
    records exactly when these are equal."""
    county_id = side.counties[county]
    found: dict[tuple[str, str], str] = {}
    with side.uow:
        conn = side.uow.s.connection()
        for spec in tables.EXCHANGED:
            if spec.reference:
                continue
            rows = [dict(r) for r in conn.execute(tables.scope_select(spec, county_id)).mappings()]
            links = tables.read_links(conn, spec, [r["id"] for r in rows])
            for row in rows:
                found[(spec.name, row["id"])] = tables.digest(
                    spec, tables.encode_row(spec, row, links.get(row["id"]))
                )
    return found


def fingerprint(side: Side) -> dict:
    """Row counts of every table, the sum of every exchanged table's row versions and the desks' file numbers:
    a refused file leaves this as it was."""
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
        seqs = sorted(conn.execute(select(m.ExchangeDesk.sent_seq, m.ExchangeDesk.received_seq)).all())
    return {"counts": counts, "versions": versions, "seqs": seqs}


def county_year(county: Side, folder: Path, tag: str = "", n: int = 1) -> dict[str, str]:
    """A county's work through the services, as its clerks do it from the forms; {kind: id}. ``tag`` (a word
    in the names) and ``n`` (in the numbers unique across counties) tell two counties' records apart."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}
    fields = tuple(list(county.fields.values())[:2])
    ids["ngo"] = county.make_ngo(
        name=f"انجمن یاوران سلامت{tag}",
        field_ids=fields,
        board=[
            BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo"),
            BoardMemberInput(full_name="مریم احمدی", national_code="0020000006", role="member"),
        ],
    )
    scan = folder / f"نامه{tag}.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of the letter " + tag.encode())
    with county.here() as uow:
        ngo, county_id = ids["ngo"], county.county_id
        case = lic.open_case(uow, ngo, "establishment", DAY)
        lic.check_documents(uow, case, date(2024, 5, 4))
        for k, inquiry in enumerate(lic.send_inquiries(uow, case, date(2024, 5, 6))):
            lic.answer_inquiry(uow, inquiry, date(2024, 5, 20 + k), "favourable")
        lic.decide_case(uow, case, True, date(2024, 6, 10), date(2024, 6, 10), LEGAL)
        ids["case"] = case
        ids["licence"] = lic.issue_licence(uow, case, date(2024, 6, 15), f"۱۲/{n}", validity_years=3)
        ids["event"] = create_event(
            uow,
            EventInput(
                "session",
                f"نشست هم‌اندیشی سمن‌ها{tag}",
                DAY,
                county_id=county_id,
                organizer_ngo_id=ngo,
                ngo_ids=(ngo,),
            ),
        )
        ids["letter"] = letters.create_letter(
            uow,
            letters.LetterInput(
                "outgoing",
                "۱۰۰",
                DAY,
                "اداره کل بهزیستی",
                f"معرفی سمن{tag}",
                "support",
                ngo_id=ngo,
                county_id=county_id,
            ),
        )
        ids["letter_scan"] = attachments.add_attachment(uow, attachments.LETTER, ids["letter"], scan)
        category = reference.list_items(uow, "centre_category")[0].id
        ids["centre"] = create_centre(
            uow,
            CentreInput(
                f"C-{n}",
                f"کشتارگاه صنعتی{tag}",
                category,
                county_id,
                licensing_agency="اداره کل دامپزشکی",
            ),
        )
        ids["visit"] = create_visit(
            uow,
            VisitInput(
                ids["centre"],
                date(2024, 7, 1),
                "10:30",
                inspectors=("بازرس یکم",),
                result_override="needs_fix",
                score=60,
                correction_deadline=date(2024, 8, 1),
                findings=(
                    FindingInput("نبود سردخانه", "major", action="خرید سردخانه", deadline=date(2024, 8, 1)),
                ),
            ),
            closed=True,
        )
        harm = reference.list_items(uow, "social_harm")[0].id
        ids["memorandum"] = create_memorandum(
            uow,
            MemorandumInput(
                f"ت-۷{n}",
                f"کاهش آسیب اعتیاد{tag}",
                "ngo",
                ngo_id=ngo,
                county_id=county_id,
                social_harm_id=harm,
                amount=3_000_000_000,
                signed_on=DAY,
            ),
        )
        add_progress(uow, ProgressInput(ids["memorandum"], date(2024, 6, 1), 60))
        add_payment(uow, PaymentInput(ids["memorandum"], date(2024, 5, 10), 1, 1_000_000_000))
        add_payment(uow, PaymentInput(ids["memorandum"], date(2024, 6, 5), 2, 1_200_000_000))
    return ids


def exchange_both_ways(
    county: Side, province: Side, folder: Path, name: str, county_name: str = COUNTY
) -> None:
    """County → province, the receipt back; province → county, the receipt back."""
    county.export(folder / f"{name}-c.oex")
    province.take(folder / f"{name}-c.oex")
    province.receipt(folder / f"{name}-cr.oex")
    county.take(folder / f"{name}-cr.oex")
    province.export(folder / f"{name}-p.oex", county=county_name)
    county.take(folder / f"{name}-p.oex")
    county.receipt(folder / f"{name}-pr.oex")
    province.take(folder / f"{name}-pr.oex")


# --- county → province → county ---------------------------------------------------------------------------


def test_a_county_year_reaches_the_province_the_receipt_settles_it_and_a_correction_comes_back(
    two_desks: TwoDesks, tmp_path
):
    county, province = two_desks.county, two_desks.province
    ids = county_year(county, tmp_path / "scans")
    mine = holdings(county)
    assert {t for t, _i in mine} >= {
        "ngo",
        "boardmember",
        "licencecase",
        "inquiry",
        "licencestep",
        "licence",
        "event",
        "letter",
        "letterattachment",
        "centre",
        "inspection",
        "finding",
        "correctiveaction",
        "memorandum",
        "progressreport",
        "payment",
    }

    sent = county.export(tmp_path / "c1.oex")
    assert sent.seq == 1 and sent.records == len(mine) and sent.attachments == 1
    taken = province.take(tmp_path / "c1.oex")
    assert (taken.records, taken.applied, taken.conflicts, taken.already_received) == (
        len(mine),
        len(mine),
        0,
        False,
    )
    assert holdings(province) == mine
    # the province's desk reads the county's work through its own services
    with province.here() as uow:
        ngo = get_ngo(uow, ids["ngo"])
        assert len(ngo.board) == 2 and len(ngo.field_ids) == 2 and ngo.licence is not None
        assert (
            attachments.attachment_path(uow, attachments.LETTER, ids["letter_scan"])
            .read_bytes()
            .startswith(b"%PDF")
        )
        row = province.row(m.Memorandum, ids["memorandum"])
        assert (row["paid_total"], row["latest_progress"]) == (
            2_200_000_000,
            60,
        )  # its triggers, not the file

    # the receipt: nothing left to send
    assert county.export(tmp_path / "c-early.oex").records == len(mine)  # not acknowledged yet
    province.receipt(tmp_path / "r1.oex")
    county.take(tmp_path / "r1.oex")
    assert county.export(tmp_path / "c2.oex").records == 0

    # the province corrects the NGO's phone and sends it back (with its reference lists)
    with province.here() as uow:
        detail = get_ngo(uow, ids["ngo"])
        board = [m_.to_input() for m_ in detail.board]
        update_ngo(
            uow, ids["ngo"], replace(detail.to_input(), phone="02833445566"), board, detail.row_version
        )
    back = province.export(tmp_path / "p1.oex", county=COUNTY)
    assert back.records > 0
    applied = county.take(tmp_path / "p1.oex")
    assert applied.conflicts == 0
    with county.here() as uow:
        assert get_ngo(uow, ids["ngo"]).phone == "02833445566"
    county.receipt(tmp_path / "cr1.oex")
    province.take(tmp_path / "cr1.oex")
    assert province.export(tmp_path / "p2.oex", county=COUNTY).records == 0
    assert county.export(tmp_path / "c3.oex").records == 0
    assert holdings(county) == holdings(province)


# --- a conflict, resolved both ways -----------------------------------------------------------------------


def _edit(side: Side, ngo_id: str, **changes) -> None:
    with side.here() as uow:
        detail = get_ngo(uow, ngo_id)
        board = [b.to_input() for b in detail.board]
        update_ngo(uow, ngo_id, replace(detail.to_input(), **changes), board, detail.row_version)


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_both_desks_edit_one_ngo_and_the_manager_picks_ending_with_both_equal(
    two_desks: TwoDesks, tmp_path, keep
):
    county, province = two_desks.county, two_desks.province
    ids = county_year(county, tmp_path / "scans")
    exchange_both_ways(county, province, tmp_path, "first")
    assert holdings(county) == holdings(province)

    _edit(county, ids["ngo"], address="آبیک، خیابان شهرستان")
    _edit(province, ids["ngo"], address="آبیک، خیابان استان", phone="02833000000")
    county.export(tmp_path / "c-edit.oex")
    taken = province.take(tmp_path / "c-edit.oex")
    assert (taken.conflicts, taken.applied) == (1, 0)
    assert province.row(m.Ngo, ids["ngo"])["address"] == "آبیک، خیابان استان"  # never overwritten silently
    (waiting,) = province.call(conflicts.list_conflicts)
    diffs = {d.field: (d.ours, d.theirs) for d in province.call(conflicts.conflict_fields, waiting.id)}
    assert diffs["address"] == ("آبیک، خیابان استان", "آبیک، خیابان شهرستان")

    province.call(conflicts.resolve_conflict, waiting.id, keep)
    assert province.call(conflicts.list_conflicts) == []
    wanted = "آبیک، خیابان استان" if keep == "ours" else "آبیک، خیابان شهرستان"
    assert province.row(m.Ngo, ids["ngo"])["address"] == wanted

    exchange_both_ways(county, province, tmp_path, "settle")
    assert county.row(m.Ngo, ids["ngo"])["address"] == wanted
    assert holdings(county) == holdings(province)
    assert province.call(conflicts.list_conflicts) == [] and county.call(conflicts.list_conflicts) == []
    assert county.export(tmp_path / "c-after.oex").records == 0
    assert province.export(tmp_path / "p-after.oex", county=COUNTY).records == 0


# --- refused files: nothing changes ---------------------------------------------------------------------------


def test_a_tampered_byte_and_an_old_file_replayed_are_refused_with_nothing_changed(
    two_desks: TwoDesks, tmp_path
):
    county, province = two_desks.county, two_desks.province
    ids = county_year(county, tmp_path / "scans")
    county.export(tmp_path / "c1.oex")
    _edit(county, ids["ngo"], phone="02833111111")
    county.export(tmp_path / "c2.oex")  # unacknowledged: carries c1's records too

    data = bytearray((tmp_path / "c2.oex").read_bytes())
    for offset in (len(container.MAGIC) + 10, len(data) // 2, len(data) - 1):  # header, body, signature
        tampered = bytearray(data)
        tampered[offset] ^= 0x01
        (tmp_path / "bad.oex").write_bytes(bytes(tampered))
        before = fingerprint(province)
        with pytest.raises(ExchangeFileError):
            province.take(tmp_path / "bad.oex")
        assert fingerprint(province) == before, offset

    assert province.take(tmp_path / "c2.oex").applied > 0
    assert province.row(m.Ngo, ids["ngo"])["phone"] == "02833111111"
    before = fingerprint(province)
    with pytest.raises(ExchangeFileError, match="کهنه‌تر"):
        province.take(tmp_path / "c1.oex")  # the older file, replayed after the newer one
    assert fingerprint(province) == before
    again = province.take(tmp_path / "c2.oex")  # the very same file twice: said so, nothing changes
    assert again.already_received and again.applied == 0
    assert fingerprint(province) == before
    assert province.row(m.Ngo, ids["ngo"])["phone"] == "02833111111"


def _resign(side: Side, source: Path, target: Path, lines: list[str]) -> None:
    """``source``'s header and files with other record lines, signed with ``side``'s own key (a county desk
    that sends what it should not)."""
    me = side.call(keys.desk_identity)
    signed = container.read_signed(source, lambda header: me.public_key)
    members = dict(signed.members)
    members["records.jsonl"] = ("\n".join(lines) + "\n").encode()
    header = dict(signed.header, records=len(lines))
    side.call(lambda uow: container.write_signed(target, header, members, lambda data: keys.sign(uow, data)))


def test_a_county_file_carrying_another_countys_record_is_refused_whole(two_desks: TwoDesks, tmp_path):
    county, province = two_desks.county, two_desks.province
    county_year(county, tmp_path / "scans")
    county.export(tmp_path / "c1.oex")
    me = county.call(keys.desk_identity)
    lines = container.read_signed(tmp_path / "c1.oex", lambda h: me.public_key).members["records.jsonl"]
    lines = lines.decode().splitlines()
    forged = [json.loads(x) for x in lines]
    letter = next(x for x in forged if x["t"] == "letter")
    letter["d"]["county_id"] = county.counties[OTHER_COUNTY]  # the county's letter, passed off as البرز's
    _resign(
        county,
        tmp_path / "c1.oex",
        tmp_path / "forged.oex",
        [json.dumps(x, ensure_ascii=False) for x in forged],
    )
    before = fingerprint(province)
    with pytest.raises(ValidationError, match="از حوزه شهرستان فرستنده نیست") as refused:
        province.take(tmp_path / "forged.oex")
    assert refused.value.record == letter["id"]
    assert fingerprint(province) == before
    assert province.take(tmp_path / "c1.oex").applied == len(lines)  # the honest file is taken afterwards


# --- two counties' letter «۱۰۰» ------------------------------------------------------------------------------


def test_two_counties_letter_100_of_one_year_both_reach_the_province(
    two_desks: TwoDesks, tmp_path, _migrated_template
):
    county, province = two_desks.county, two_desks.province
    alborz = _side("alborz", _migrated_template, tmp_path / "alborz", OTHER_COUNTY)
    try:
        for here, there in ((province, alborz), (alborz, province)):
            identity = tmp_path / f"{there.name}.identity"
            there.call(desks.write_identity, identity)
            here.call(desks.register_desk, desks.read_identity(identity))
        abyek_ids = county_year(county, tmp_path / "abyek")
        alborz_ids = county_year(alborz, tmp_path / "alborz-scans", tag=" البرز", n=2)
        for side in (county, alborz):
            side.export(tmp_path / f"{side.name}-1.oex")
            taken = province.take(tmp_path / f"{side.name}-1.oex")
            assert taken.conflicts == 0 and taken.applied == taken.records
        assert holdings(province, COUNTY) == holdings(county, COUNTY)
        assert holdings(province, OTHER_COUNTY) == holdings(alborz, OTHER_COUNTY)

        with province.here() as uow:
            rows = letters.list_letter_page(uow, letters.LetterFilter(text="100"))
            assert sorted(r.county_name for r in rows) == sorted([COUNTY, OTHER_COUNTY])
            assert {r.id for r in rows} == {abyek_ids["letter"], alborz_ids["letter"]}
            with pytest.raises(Exception, match="چند دبیرخانه"):
                letters.resolve_letter(uow, "outgoing", 1403, "100")
            found = letters.resolve_letter(uow, "outgoing", 1403, "100", province.counties[OTHER_COUNTY])
            assert found == alborz_ids["letter"]
        # each county's desk still holds its own letter alone
        assert alborz.count(m.Letter) == 1 and county.count(m.Letter) == 1
    finally:
        alborz.engine.dispose()
