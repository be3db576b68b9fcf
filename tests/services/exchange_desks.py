"""Two desks that exchange files, for the exchange tests: the province's desk of قزوین and the county desk of آبیک.

Each has its own migrated SQLite database, engine, unit of work (an admin of that desk) and data folder (its own
attachments), and each registered the other's identity file through services/exchange/desks.py. A test takes
the ``two_desks`` fixture (import it into the test module: ``from tests.services.exchange_desks import
two_desks_fixture  # noqa: F401``) and drives a side with its helpers, which run inside that side's data folder:

    county, province = two_desks.county, two_desks.province
    ngo_id = county.make_ngo(name="انجمن …")
    county.export(tmp_path / "1.oex")            # -> ExportResult
    province.take(tmp_path / "1.oex")            # -> ImportResult
    province.receipt(tmp_path / "r1.oex")        # -> ReceiptResult
    county.take(tmp_path / "r1.oex")
    with county.here(): ...                      # any other service call, in the county's data folder

SQLite by default; a module whose tests all take ``two_desks`` runs them on PostgreSQL too with
``pytestmark = pytest.mark.parametrize("backend", BACKENDS)``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.store.uow import UnitOfWork

PROVINCE = "قزوین"
COUNTY = "آبیک"
_national_ids = itertools.count(1_050_000_000)


def fresh_national_id() -> str:
    """A valid legal national ID, unique within the session (not shared with services/conftest.py's)."""
    from ostandari_desk.domain.ids import make_legal_national_id

    return make_legal_national_id(str(next(_national_ids)))


@dataclass
class Side:
    """One desk: its database, an admin's unit of work, its data folder and its reference ids."""

    name: str
    engine: Engine
    uow: UnitOfWork
    home: Path
    county_id: str | None  # the installation's county (None: the province's desk)
    counties: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def here(self) -> Iterator[UnitOfWork]:
        """Run code in this desk's data folder (its attachments); yields its unit of work."""
        before = os.environ.get("OSTANDARI_DESK_HOME")
        os.environ["OSTANDARI_DESK_HOME"] = str(self.home)
        try:
            yield self.uow
        finally:
            if before is None:
                os.environ.pop("OSTANDARI_DESK_HOME", None)
            else:
                os.environ["OSTANDARI_DESK_HOME"] = before

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(uow, *args, **kwargs)`` in this desk's data folder."""
        with self.here() as uow:
            return fn(uow, *args, **kwargs)

    def export(self, path: Path, county: str | None = None):
        from ostandari_desk.services.exchange import export

        return self.call(export.export_changes, path, county=county)

    def take(self, path: Path):
        from ostandari_desk.services.exchange import imports

        return self.call(imports.import_file, path)

    def receipt(self, path: Path, county: str | None = None):
        from ostandari_desk.services.exchange import receipts

        return self.call(receipts.write_receipt, path, county=county)

    def make_ngo(self, board: list[Any] | tuple = (), **overrides: Any) -> str:
        """An NGO of this desk's county (the province's desk: آبیک's too, unless ``county_id`` says else)."""
        from ostandari_desk.services.ngos import NgoInput, create_ngo

        values: dict[str, Any] = {
            "national_id": fresh_national_id(),
            "name": "انجمن آزمایشی تبادل",
            "county_id": self.county_id or self.counties[COUNTY],
            "level": "county",
            "registration_no": "5100",
            "ceo_name": "مدیر آزمایشی",
        }
        values.update(overrides)
        return self.call(create_ngo, NgoInput(**values), list(board))

    def count(self, model: Any, *where: Any) -> int:
        with self.uow:
            return int(
                self.uow.s.execute(select(func.count()).select_from(model).where(*where)).scalar() or 0
            )

    def row(self, model: Any, record_id: str) -> dict[str, Any] | None:
        """The stored row as a dict of every column (None: not here)."""
        table = model.__table__
        with self.uow:
            found = (
                self.uow.s.connection()
                .execute(select(table).where(table.c.id == record_id))
                .mappings()
                .first()
            )
            return dict(found) if found is not None else None


@dataclass
class TwoDesks:
    province: Side
    county: Side


def _side(name: str, database: Path | str, folder: Path, county: str | None) -> Side:
    """A desk on a copy of the migrated SQLite file ``database`` (a Path), or on the migrated database at that
    URL, initialized for قزوین (and ``county``)."""
    from ostandari_desk.services import reference, setup
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    folder.mkdir(parents=True)
    home = folder / "home"
    home.mkdir()
    if isinstance(database, Path):
        path = folder / "desk.sqlite3"
        shutil.copy(database, path)
        database = sqlite_url(path)
    engine = open_database(database)
    uow = UnitOfWork(engine, Actor(username=f"{name}-admin", full_name=f"مدیر {name}", role=Role.ADMIN))
    side = Side(name, engine, uow, home, None)
    with side.here():
        setup.initialize(uow, PROVINCE, county=county)
        side.counties = {c.name: c.id for c in reference.list_counties(uow)}
        side.fields = {i.name: i.id for i in reference.list_items(uow, "field")}
    side.county_id = side.counties[county] if county else None
    return side


def make_two_desks(template: Path, folder: Path, urls: tuple[str, str] | None = None) -> TwoDesks:
    """The province's desk and آبیک's, each registered at the other (see the module docstring): on copies of
    the migrated SQLite ``template``, or on the two migrated databases ``urls`` (the province's, the county's)."""
    from ostandari_desk.services.exchange import desks

    province = _side("province", urls[0] if urls else template, folder / "province", None)
    county = _side("county", urls[1] if urls else template, folder / "county", COUNTY)
    for here, there in ((province, county), (county, province)):
        identity = folder / f"{there.name}.identity"
        there.call(desks.write_identity, identity)
        here.call(desks.register_desk, desks.read_identity(identity))
    return TwoDesks(province, county)


# Both databases (as tests/conftest.py does for ``engine``): ``pytestmark = pytest.mark.parametrize("backend",
# BACKENDS)`` in a module whose tests all take ``two_desks`` runs each on SQLite and on PostgreSQL (skipped with
# one line when no server can be had).
BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres, id="postgres"),
]
_pg_pairs = itertools.count(1)


@pytest.fixture(name="two_desks")
def two_desks_fixture(request, tmp_path, backend) -> Iterator[TwoDesks]:
    """The two desks (see the module docstring); import ``two_desks_fixture`` into a test module to use it.
    On the test's ``backend``: SQLite unless the module parametrizes it (``BACKENDS``)."""
    urls: tuple[str, str] | None = None
    names: list[str] = []
    server = None
    if backend == "postgres":
        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("_pg_template")
        pair = next(_pg_pairs)
        names = [f"{template.removesuffix('_template')}_x{pair}_{side}" for side in ("province", "county")]
        urls = (
            server.create_database(names[0], template=template),
            server.create_database(names[1], template=template),
        )
    desks = make_two_desks(request.getfixturevalue("_migrated_template"), tmp_path / "desks", urls)
    yield desks
    desks.province.engine.dispose()
    desks.county.engine.dispose()
    for name in names:
        server.drop_database(name)


# --- a county's records of every exchanged kind --------------------------------------------------------------

SEED_TABLES = (
    "ngo",
    "boardmember",
    "licencecase",
    "inquiry",
    "licence",
    "licencestep",
    "event",
    "letter",
    "letterattachment",
    "facilitationoffice",
    "memorandum",
    "progressreport",
    "progressattachment",
    "payment",
    "centre",
    "inspection",
    "inspectionnote",
    "finding",
    "correctiveaction",
    "inspectionattachment",
)


def seed_records(side: Side, folder: Path, tag: str = "") -> dict[str, str]:
    """One record (two of a self-referencing kind) of every exchanged table of آبیک at ``side``, with an
    attachment of each kind and money above 2³¹ rials; returns {table: id} (and "licence_old", "visit_old")."""
    from datetime import UTC, date, datetime

    from ostandari_desk.domain import text
    from ostandari_desk.services import attachments
    from ostandari_desk.services.audit import stamps
    from ostandari_desk.services.events import title_key_of
    from ostandari_desk.services.inspections.centres import search_text_of as centre_search_text
    from ostandari_desk.services.letters import search_text_of
    from ostandari_desk.services.memoranda.memoranda import search_text_of as memo_search_text
    from ostandari_desk.services.ngos.rows import BoardMemberInput
    from ostandari_desk.store import models as m

    county_id = side.county_id or side.counties[COUNTY]
    field_ids = tuple(list(side.fields.values())[:2])
    ngo_id = side.make_ngo(
        name=f"انجمن یاوران سلامت آبیک{tag}",
        field_ids=field_ids,
        board=[
            BoardMemberInput(full_name="علی رضایی", national_code="0012345679", role="ceo"),
            BoardMemberInput(full_name="مریم احمدی", national_code="0020000006", role="member"),
        ],
    )
    ids: dict[str, str] = {"ngo": ngo_id}
    with side.here() as uow, uow.writing():
        category = uow.s.execute(
            select(m.ReferenceItem.id).where(m.ReferenceItem.kind == "centre_category").limit(1)
        ).scalar_one()
        harm = uow.s.execute(
            select(m.ReferenceItem.id).where(m.ReferenceItem.kind == "social_harm").limit(1)
        ).scalar_one()
        ids["boardmember"] = (
            uow.s.execute(
                select(m.BoardMember.id)
                .where(m.BoardMember.ngo_id == ngo_id)
                .order_by(m.BoardMember.full_name)
            )
            .scalars()
            .first()
        )
        day = date(2024, 5, 1)

        def add(row: Any) -> str:
            uow.s.add(row)
            uow.s.flush()
            ids.setdefault(type(row).__tablename__, row.id)
            return row.id

        case = add(
            m.LicenceCase(
                **stamps(),
                county_id=county_id,
                ngo_id=ngo_id,
                case_type="establishment",
                tracking_no=f"ت-۱۰۰{tag}",
                received_on=day,
            )
        )
        add(m.Inquiry(**stamps(), case_id=case, agency="police", sent_on=day, due_on=date(2024, 6, 1)))
        old = add(
            m.Licence(
                **stamps(),
                county_id=county_id,
                ngo_id=ngo_id,
                case_id=case,
                number=f"L-1{tag}",
                level="county",
                issued_on=date(2021, 5, 1),
                expires_on=date(2024, 5, 1),
                validity_years=3,
                state="renewed",
            )
        )
        ids["licence_old"] = old
        licence = m.Licence(
            **stamps(),
            county_id=county_id,
            ngo_id=ngo_id,
            case_id=case,
            number=f"L-2{tag}",
            level="county",
            issued_on=day,
            expires_on=date(2027, 5, 1),
            validity_years=3,
            renewed_from_id=old,
        )
        uow.s.add(licence)
        uow.s.flush()
        ids["licence"] = licence.id
        step = add(
            m.LicenceStep(
                **stamps(),
                county_id=county_id,
                ngo_id=ngo_id,
                case_id=case,
                licence_id=licence.id,
                kind="issued",
                on_date=day,
                note="صدور پروانه",
            )
        )
        title = f"نشست هم‌اندیشی سمن‌ها{tag}"
        event = add(
            m.Event(
                **stamps(),
                county_id=county_id,
                kind="session",
                title=title,
                title_key=title_key_of(title),
                title_sort=text.persian_sort_key(title),
                starts_on=day,
                organizer_ngo_id=ngo_id,
                attendees=40,
            )
        )
        uow.s.add(m.EventNgo(event_id=event, ngo_id=ngo_id))
        number, party, subject = f"100{tag}", "فرمانداری آبیک", "معرفی سمن"
        letter = add(
            m.Letter(
                **stamps(),
                county_id=county_id,
                direction="outgoing",
                number=number,
                jalali_year=1403,
                dated_on=day,
                party=party,
                subject=subject,
                kind="support",
                ngo_id=ngo_id,
                licence_step_id=step,
                search_text=search_text_of(number, party, subject),
            )
        )
        office_name = f"دفتر تسهیلگری محله کوثر{tag}"
        office = add(
            m.FacilitationOffice(
                **stamps(),
                county_id=county_id,
                name=office_name,
                name_key=text.normalize(office_name),
                ngo_id=ngo_id,
                budget=5_000_000_000,
            )
        )
        memo_title = f"کاهش آسیب اعتیاد{tag}"
        memo = add(
            m.Memorandum(
                **stamps(),
                county_id=county_id,
                number=f"ت-۱{tag}",
                title=memo_title,
                title_sort=text.persian_sort_key(memo_title),
                search_text=memo_search_text(f"ت-۱{tag}", memo_title),
                party_kind="ngo",
                ngo_id=ngo_id,
                social_harm_id=harm,
                office_id=office,
                amount=3_000_000_000,
                signed_on=day,
                starts_on=day,
                ends_on=date(2024, 8, 1),
            )
        )
        progress = add(m.ProgressReport(**stamps(), memorandum_id=memo, reported_on=day, percent=40))
        add(m.Payment(**stamps(), memorandum_id=memo, paid_on=day, tranche_no=1, amount=2_500_000_000))
        centre_name = f"کشتارگاه صنعتی آبیک{tag}"
        centre = add(
            m.Centre(
                **stamps(),
                county_id=county_id,
                code=f"AB-1{tag}",
                category_id=category,
                name=centre_name,
                name_sort=text.persian_sort_key(centre_name),
                search_text=centre_search_text(f"AB-1{tag}", centre_name, ""),
            )
        )
        visit_fields = {
            "county_id": county_id,
            "centre_id": centre,
            "category_id": category,
            "inspected_on": day,
            "jalali_year": 1403,
            "jalali_month": 2,
            "inspectors": "بازرس یکم",
        }
        first = add(
            m.Inspection(
                **stamps(),
                **visit_fields,
                inspected_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
                result="needs_fix",
                score=60,
                state="open",
            )
        )
        ids["visit_old"] = first
        again = m.Inspection(
            **stamps(),
            **visit_fields,
            inspected_at=datetime(2024, 5, 20, 11, 0, tzinfo=UTC),
            result="good",
            score=95,
            state="open",
            reinspection_of_id=first,
        )
        uow.s.add(again)
        uow.s.flush()
        ids["inspection"] = again.id
        add(m.InspectionNote(**stamps(), inspection_id=first, text="یادداشت پس از بازدید"))
        finding = add(m.Finding(**stamps(), inspection_id=first, text="نبود سردخانه", severity="major"))
        add(
            m.CorrectiveAction(
                **stamps(),
                finding_id=finding,
                action="خرید سردخانه",
                deadline=day,
                verified_by_id=again.id,
                referral_letter_id=letter,
            )
        )
        uow.commit()
    scans = folder / f"scans{tag or '-'}"
    scans.mkdir(parents=True, exist_ok=True)
    for kind, owner, body in (
        (attachments.LETTER, letter, b"%PDF-1.4 letter scan " + tag.encode()),
        (attachments.PROGRESS, progress, b"progress report scan " + tag.encode()),
        (attachments.INSPECTION, first, b"\x89PNG visit photo " + tag.encode()),
    ):
        source = scans / f"{kind.name}.pdf"
        source.write_bytes(body)
        ids[kind.table.__tablename__] = side.call(attachments.add_attachment, kind, owner, source)
    return ids
