"""Hand-made activity for the indicator and report tests: steps, inquiries, events and letters by direct insert.

Direct Core inserts (not the licence services) so a test can put any count on any day and county
without walking every NGO through the whole lifecycle.
"""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import insert

from ostandari_desk.domain import jalali
from ostandari_desk.services.audit import stamps
from ostandari_desk.store.models import Event, Inquiry, Letter, LicenceCase, LicenceStep, Ngo, new_id

_seq = itertools.count(1)


class Activity:
    """Inserts activity rows into ``engine`` in one transaction per call."""

    def __init__(self, engine):
        self.engine = engine
        self._ngo: dict[str | None, str] = {}

    def ngo(self, county_id: str | None) -> str:
        if county_id not in self._ngo:
            n = next(_seq)
            ngo_id = new_id()
            with self.engine.begin() as conn:
                conn.execute(
                    insert(Ngo.__table__).values(
                        id=ngo_id,
                        **stamps(),
                        row_version=1,
                        county_id=county_id,
                        seq=900_000 + n,
                        national_id=f"{90_000_000_000 + n}",
                        name=f"انجمن نمونه {n}",
                        name_key=f"انجمن نمونه {n}",
                        name_sort=f"{n}",
                        level="county",
                        status="active",
                        licence_state="valid",
                        registration_no="",
                        address="",
                        phone="",
                        ceo_name="",
                        ceo_national_code="",
                        search_text="",
                    )
                )
            self._ngo[county_id] = ngo_id
        return self._ngo[county_id]

    def steps(
        self, kind: str, on: date, county_id: str | None, n: int = 1, case_type: str | None = None
    ) -> None:
        ngo_id = self.ngo(county_id)
        with self.engine.begin() as conn:
            for _ in range(n):
                case_id = None
                if case_type is not None:
                    case_id = new_id()
                    # a council decision is on its case too, as decide_case records it
                    decision = {"approval": "approved", "rejection": "rejected"}.get(kind)
                    conn.execute(
                        insert(LicenceCase.__table__).values(
                            id=case_id,
                            **stamps(),
                            row_version=1,
                            county_id=county_id,
                            ngo_id=ngo_id,
                            case_type=case_type,
                            tracking_no=case_id[:8],
                            received_on=on,
                            state=decision or "received",
                            decision=decision,
                            decided_on=on if decision else None,
                            legal_basis="",
                            note="",
                        )
                    )
                conn.execute(
                    insert(LicenceStep.__table__).values(
                        id=new_id(),
                        **stamps(),
                        row_version=1,
                        county_id=county_id,
                        ngo_id=ngo_id,
                        case_id=case_id,
                        kind=kind,
                        on_date=on,
                        clerk="",
                        letter_no="",
                        legal_basis="",
                        reason="",
                        note="",
                    )
                )

    def inquiries(self, on: date, county_id: str | None, n: int = 1) -> None:
        ngo_id = self.ngo(county_id)
        with self.engine.begin() as conn:
            case_id = new_id()
            conn.execute(
                insert(LicenceCase.__table__).values(
                    id=case_id,
                    **stamps(),
                    row_version=1,
                    county_id=county_id,
                    ngo_id=ngo_id,
                    case_type="establishment",
                    tracking_no=case_id[:8],
                    received_on=on,
                    state="inquiring",
                    legal_basis="",
                    note="",
                )
            )
            for _ in range(n):
                conn.execute(
                    insert(Inquiry.__table__).values(
                        id=new_id(),
                        **stamps(),
                        row_version=1,
                        case_id=case_id,
                        agency="police",
                        sent_on=on,
                        due_on=jalali.add_days(on, 60),
                        letter_no="",
                        note="",
                    )
                )

    def events(
        self, kind: str, on: date, county_id: str | None, n: int = 1, attendees: int = 0, hours: int = 0
    ) -> None:
        with self.engine.begin() as conn:
            for _ in range(n):
                conn.execute(
                    insert(Event.__table__).values(
                        id=new_id(),
                        **stamps(),
                        row_version=1,
                        county_id=county_id,
                        kind=kind,
                        title="رویداد نمونه",
                        title_key="رویداد نمونه",
                        starts_on=on,
                        attendees=attendees,
                        training_hours=hours,
                        note="",
                    )
                )

    def letters(self, kind: str, on: date, county_id: str | None, n: int = 1) -> None:
        with self.engine.begin() as conn:
            for _ in range(n):
                number = new_id()[:12]
                conn.execute(
                    insert(Letter.__table__).values(
                        id=new_id(),
                        **stamps(),
                        row_version=1,
                        county_id=county_id,
                        direction="outgoing",
                        number=number,
                        jalali_year=jalali.jalali_year_of(on),
                        dated_on=on,
                        party="اداره کل",
                        subject="مکاتبه نمونه",
                        kind=kind,
                        search_text="",
                    )
                )


def qazvin_seed(activity: Activity, counties: dict[str, str]) -> None:
    """The Qazvin figures of 1401 against 1400 (DOMAIN.md): licences 12/5, approvals 32/8, events 12/5,
    support letters 18/3 (6×), punitive letters 0/0 — spread over three counties and the province."""
    d = jalali.from_jalali
    qz, ab, bz = counties["قزوین"], counties["آبیک"], counties["بوئین‌زهرا"]
    # licences issued: 1400 -> 5, 1401 -> 12
    activity.steps("issue", d(1400, 3, 10), qz, 3)
    activity.steps("issue", d(1400, 11, 2), ab, 2)
    activity.steps("issue", d(1401, 1, 20), qz, 7)
    activity.steps("issue", d(1401, 8, 14), ab, 4)
    activity.steps("issue", d(1401, 12, 29), bz, 1)
    # approvals of establishment and renewal: 8 -> 32 (plus an upgrade approval, not counted)
    activity.steps("approval", d(1400, 5, 5), qz, 5, case_type="establishment")
    activity.steps("approval", d(1400, 9, 9), ab, 3, case_type="renewal")
    activity.steps("approval", d(1401, 2, 2), qz, 20, case_type="establishment")
    activity.steps("approval", d(1401, 10, 1), bz, 12, case_type="renewal")
    activity.steps("approval", d(1401, 10, 1), bz, 1, case_type="upgrade")
    # events: 5 -> 12
    activity.events("conference", d(1400, 4, 4), qz, 2, attendees=100)
    activity.events("course", d(1400, 7, 7), ab, 3, attendees=20, hours=8)
    activity.events("conference", d(1401, 1, 15), qz, 3, attendees=150)
    activity.events("session", d(1401, 6, 9), None, 4, attendees=30)
    activity.events("course", d(1401, 9, 30), bz, 5, attendees=25, hours=12)
    # support letters: 3 -> 18 (6×); punitive 0 -> 0; other letters ignored
    activity.letters("support", d(1400, 2, 2), qz, 3)
    activity.letters("support", d(1401, 3, 3), qz, 10)
    activity.letters("support", d(1401, 11, 11), ab, 8)
    activity.letters("other", d(1401, 11, 11), ab, 5)
    # outside both years: never counted
    activity.steps("issue", d(1399, 12, 29), qz, 4)
    activity.events("session", d(1402, 1, 1), qz, 2)
