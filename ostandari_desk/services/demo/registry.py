"""Demo NGOs with their board, fields and a licence history that obeys domain.lifecycle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from ostandari_desk.domain import ids, text
from ostandari_desk.domain.lifecycle import (
    Agency,
    CaseState,
    CaseType,
    Level,
    LicenceState,
    StepKind,
    next_licence_state,
)
from ostandari_desk.services.demo import names
from ostandari_desk.services.demo.bulk import Bulk, Calendar, Keys
from ostandari_desk.store.models import (
    BoardMember,
    Inquiry,
    Licence,
    LicenceCase,
    LicenceStep,
    Ngo,
    NgoField,
)

BYLAW_1395 = "آیین‌نامه ۱۳۹۵، ماده ۷"
BYLAW_1384 = "آیین‌نامه ۱۳۸۴، ماده ۶"
SUSPEND_REASONS = ("عدم ارسال گزارش عملکرد سالانه", "فعالیت خارج از موضوع اساسنامه", "عدم برگزاری مجمع عمومی")
REVOKE_REASONS = ("انحلال به درخواست مجمع عمومی", "حکم دادگاه", "تکرار تخلف پس از تعلیق")
CLERKS = ("مریم رضایی", "علی مدرسی", "زهرا کریمی", "حسین چگینی", "سمیه طاهری")
AGENCIES = tuple(Agency)

# Names are built from a few hundred parts; normalizing costs ~20 µs, so parts are normalized once.
# Joining parts with one space commutes with normalize(), search_text() and persian_sort_key() (the tests
# check it).
_norm = lru_cache(maxsize=None)(text.normalize)
_search = lru_cache(maxsize=None)(text.search_text)
_sort = lru_cache(maxsize=None)(text.persian_sort_key)


@dataclass
class Place:
    """The province or one county: what NGOs, events and centres hang on."""

    county_id: str | None
    name: str
    weight: float


@dataclass
class NgoRef:
    id: str
    name: str
    county_id: str | None
    state: str
    fields: list[str] = field(default_factory=list)


class RegistryBuilder:
    """Generates NGOs and their licence history into ``bulk``; remembers what later parts need."""

    def __init__(
        self,
        bulk: Bulk,
        rng: random.Random,
        key: Keys,
        cal: Calendar,
        today: int,
        start: int,
        stamp: str,
        fields: dict[str, str],
        places: list[Place],
        province: str,
        with_board: bool,
    ):
        self.bulk, self.rng, self.key, self.cal = bulk, rng, key, cal
        self.today, self.start, self.stamp = today, start, stamp
        self.fields = fields  # field name -> ReferenceItem id
        self.places = places
        self.province = province
        self.with_board = with_board
        self.ngos: list[NgoRef] = []
        self.punitive: list[tuple[str, str, str | None, int, str]] = []  # step id, ngo id, county, day, kind
        self._licence_no = 0
        self._tracking = 0
        self._names: set[tuple[str, ...]] = set()
        r = self._r = rng.random
        self._pick = lambda seq: seq[int(r() * len(seq))]
        self._ri = lambda a, b: a + int(r() * (b - a + 1))  # randint without its checks
        self.w_ngo = bulk.writer(
            Ngo.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "seq",
                "national_id",
                "registration_no",
                "name",
                "name_key",
                "name_sort",
                "level",
                "address",
                "phone",
                "founded_on",
                "registered_on",
                "ceo_name",
                "ceo_national_code",
                "status",
                "licence_state",
                "search_text",
                *(("ceo_sort",) if bulk.has_column(Ngo.__table__, "ceo_sort") else ()),
            ),
        )
        self._ceo_sort = self.w_ngo.columns[-1] == "ceo_sort"
        self.w_field = bulk.writer(NgoField.__table__, ("ngo_id", "field_id"))
        self.w_board = bulk.writer(
            BoardMember.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "ngo_id",
                "full_name",
                "national_code",
                "role",
                "expertise",
                "term_start",
                "term_end",
            ),
        )
        self.w_case = bulk.writer(
            LicenceCase.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "ngo_id",
                "case_type",
                "tracking_no",
                "received_on",
                "state",
                "decision",
                "decided_on",
                "meeting_on",
                "legal_basis",
                "note",
            ),
        )
        self.w_inquiry = bulk.writer(
            Inquiry.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "case_id",
                "agency",
                "sent_on",
                "due_on",
                "letter_no",
                "answered_on",
                "answer",
                "note",
            ),
        )
        self.w_licence = bulk.writer(
            Licence.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "ngo_id",
                "case_id",
                "number",
                "level",
                "issued_on",
                "expires_on",
                "validity_years",
                "state",
                "renewed_from_id",
            ),
        )
        self.w_step = bulk.writer(
            LicenceStep.__table__,
            (
                "id",
                "created_at",
                "updated_at",
                "row_version",
                "county_id",
                "ngo_id",
                "case_id",
                "licence_id",
                "kind",
                "on_date",
                "clerk",
                "letter_no",
                "legal_basis",
                "reason",
                "note",
            ),
        )
        subjects = names.SUBJECTS
        self._subject_fields = [[fields[f] for f in fs if f in fields] for _, fs in subjects]
        self._cum_weights = []
        total = 0.0
        for p in places:
            total += p.weight
            self._cum_weights.append(total)

    # --- people and names -------------------------------------------------------------------

    def person(self) -> str:
        first = self._pick(names.MALE_FIRST if self._r() < 0.6 else names.FEMALE_FIRST)
        return f"{first} {self._pick(names.LAST_NAMES)}"

    def national_code(self) -> str:
        return ids.make_national_code(f"{self._ri(1, 10**9 - 1):09d}")

    def _ngo_name(self, place: str) -> tuple[tuple[str, ...], int]:
        """The parts of a new, unused NGO name (joined by spaces) and the index of its subject."""
        pick = self._pick
        for attempt in range(50):
            kind = pick(names.ORG_KINDS)
            s = int(self._r() * len(names.SUBJECTS))
            subject = names.SUBJECTS[s][0]
            form = self._r()
            if form < 0.35:
                parts: tuple[str, ...] = (kind, subject, place)
            elif form < 0.55:
                parts = (kind, pick(names.EPONYMS), place)
            elif form < 0.75:
                parts = (kind, subject, pick(names.EPONYMS))
            elif form < 0.9 or attempt > 20:
                parts = (kind, subject, "شهید", pick(names.MALE_FIRST), pick(names.LAST_NAMES))
            else:
                parts = (kind, pick(names.EPONYMS), "محله", pick(names.NEIGHBOURHOODS))
            if parts not in self._names:
                self._names.add(parts)
                return parts, s
        parts = (*parts, str(len(self._names)))
        self._names.add(parts)
        return parts, s

    def _place(self) -> Place:
        x = self._r() * self._cum_weights[-1]
        for p, w in zip(self.places, self._cum_weights):
            if x < w:
                return p
        return self.places[-1]

    # --- the licence history ----------------------------------------------------------------

    def _new_case(self, ngo_id, county_id, case_type, received, state, decision=None, decided=None):
        self._tracking += 1
        case_id = self.key()
        jy = self.cal.year(received)
        basis = BYLAW_1395 if decided else ""
        self.bulk.add(
            self.w_case,
            (
                case_id,
                self.stamp,
                self.stamp,
                1,
                county_id,
                ngo_id,
                case_type,
                f"{jy}{self._tracking:06d}",
                self.cal.text(received),
                state,
                decision,
                self.cal.text(decided) if decided else None,
                self.cal.text(decided) if decided else None,
                basis,
                "",
            ),
        )
        return case_id

    def _step(self, ngo_id, county_id, case_id, licence_id, kind, day, letter_no="", basis="", reason=""):
        step_id = self.key()
        self.bulk.add(
            self.w_step,
            (
                step_id,
                self.stamp,
                self.stamp,
                1,
                county_id,
                ngo_id,
                case_id,
                licence_id,
                kind,
                self.cal.text(day),
                self._pick(CLERKS),
                letter_no,
                basis,
                reason,
                "",
            ),
        )
        return step_id

    def _inquiries(self, case_id, sent, answered_by: int | None):
        """The four inquiries sent on ``sent``; answered before ``answered_by`` (None: some still open)."""
        cal = self.cal
        last = sent
        for agency in AGENCIES:
            due = sent + 60
            if answered_by is not None:
                answered = self._ri(sent + 7, max(sent + 8, answered_by - 1))
            elif self._r() < 0.45:
                answered = min(self.today, sent + self._ri(7, 75))
            else:
                answered = None
            if answered is not None:
                last = max(last, answered)
            self.bulk.add(
                self.w_inquiry,
                (
                    self.key(),
                    self.stamp,
                    self.stamp,
                    1,
                    case_id,
                    agency.value,
                    cal.text(sent),
                    cal.text(due),
                    f"{self._ri(100, 9999)}/ص",
                    cal.text(answered) if answered is not None else None,
                    "favourable" if answered is not None else None,
                    "",
                ),
            )
        return last

    def _establishment(
        self, ngo_id, county_id, approval: int, approved: bool = True, case_state: CaseState | None = None
    ) -> str:
        """A complete establishment case decided on ``approval``: request → documents → inquiries → decision."""
        sent = approval - self._ri(40, 110)
        documents = sent - self._ri(3, 15)
        request = documents - self._ri(5, 25)
        state = case_state or (CaseState.CLOSED if approved else CaseState.REJECTED)
        decision = "approved" if approved else "rejected"
        case_id = self._new_case(
            ngo_id, county_id, CaseType.ESTABLISHMENT, request, state, decision, approval
        )
        self._step(ngo_id, county_id, case_id, None, StepKind.REQUEST, request)
        self._step(ngo_id, county_id, case_id, None, StepKind.DOCUMENTS, documents)
        self._step(ngo_id, county_id, case_id, None, StepKind.INQUIRY_SENT, sent)
        answered = self._inquiries(case_id, sent, approval)
        self._step(ngo_id, county_id, case_id, None, StepKind.INQUIRY_ANSWERED, answered)
        kind = StepKind.APPROVAL if approved else StepKind.REJECTION
        self._step(ngo_id, county_id, case_id, None, kind, approval, basis=BYLAW_1395)
        return case_id

    def _licence(self, ngo_id, county_id, case_id, level, issued, renewed_from=None):
        self._licence_no += 1
        licence_id = self.key()
        expires = self.cal.add_years(issued, 4)
        row = [
            licence_id,
            self.stamp,
            self.stamp,
            1,
            county_id,
            ngo_id,
            case_id,
            f"{self._licence_no}/{self.cal.year(issued)}",
            level,
            self.cal.text(issued),
            self.cal.text(expires),
            4,
            "valid",
            renewed_from,
        ]
        return row, expires

    def _history(self, ngo_id, county_id, level, target: str) -> tuple[str, int | None, int | None]:
        """Write the history that leads to ``target``; returns (state, founded day, last licence day)."""
        today, start = self.today, self.start
        state = LicenceState.NONE
        if target == "none":
            request = today - self._ri(0, 150)
            kind = self._r()
            if kind < 0.2:
                # rejected after a full case
                approval = min(today - 1, request + self._ri(60, 140))
                self._establishment(ngo_id, county_id, approval, approved=False)
                return state, None, None
            case_state = (
                CaseState.RECEIVED
                if kind < 0.35
                else CaseState.DOCUMENTS_CHECKED
                if kind < 0.5
                else CaseState.INQUIRING
            )
            case_id = self._new_case(ngo_id, county_id, CaseType.ESTABLISHMENT, request, case_state)
            self._step(ngo_id, county_id, case_id, None, StepKind.REQUEST, request)
            if case_state != CaseState.RECEIVED:
                documents = min(today, request + self._ri(3, 15))
                self._step(ngo_id, county_id, case_id, None, StepKind.DOCUMENTS, documents)
                if case_state == CaseState.INQUIRING:
                    sent = min(today, documents + self._ri(2, 10))
                    self._step(ngo_id, county_id, case_id, None, StepKind.INQUIRY_SENT, sent)
                    self._inquiries(case_id, sent, None)
            return state, None, None

        # Everyone else was approved once.
        if target == "approved":
            approval = today - self._ri(5, 200)
            # The case stays approved until the licence is issued.
            self._establishment(ngo_id, county_id, approval, case_state=CaseState.APPROVED)
            return next_licence_state(state, StepKind.APPROVAL), None, None

        issued = self._ri(self.cal.day(1390, 1, 1), today - 20)
        if issued < start:
            # History kept on paper before the app: the imported record begins with the issue.
            case_id = None
            founded = issued - self._ri(30, 90)
            state = LicenceState.APPROVED
        else:
            approval = issued - self._ri(10, 45)
            case_id = self._establishment(ngo_id, county_id, approval)
            state = next_licence_state(state, StepKind.APPROVAL)
            founded = approval + self._ri(1, max(2, issued - approval - 5))
        licence, expires = self._licence(ngo_id, county_id, case_id, level, issued)
        state = next_licence_state(state, StepKind.ISSUE)
        self._step(
            ngo_id,
            county_id,
            case_id,
            licence[0],
            StepKind.ISSUE,
            issued,
            basis=BYLAW_1384 if issued < self.cal.day(1395, 6, 6) else BYLAW_1395,
        )
        last_issue = issued
        sanction_from = issued
        # Renewals while the licence ran out before today.
        while expires <= today + 30:
            if self._r() < 0.12:
                if expires > today - 120 and expires <= today + 30:
                    # an open renewal case
                    received = max(issued + 1, expires - self._ri(0, 40))
                    if received <= today:
                        self._new_case(
                            ngo_id,
                            county_id,
                            CaseType.RENEWAL,
                            received,
                            self._pick((CaseState.RECEIVED, CaseState.DOCUMENTS_CHECKED)),
                        )
                break
            received = expires - self._ri(10, 60)
            renewed = min(today, expires + self._ri(-10, 30))
            if renewed <= received:
                renewed = received + 1
            if renewed > today:
                break
            licence[12] = "renewed"
            self.bulk.add(self.w_licence, tuple(licence))
            if received >= start:
                r_case = self._new_case(
                    ngo_id, county_id, CaseType.RENEWAL, received, CaseState.CLOSED, "approved", renewed
                )
                self._step(ngo_id, county_id, r_case, None, StepKind.REQUEST, received)
                self._step(ngo_id, county_id, r_case, None, StepKind.APPROVAL, renewed, basis=BYLAW_1395)
            else:
                r_case = None
            licence, expires = self._licence(
                ngo_id, county_id, r_case, level, renewed, renewed_from=licence[0]
            )
            state = next_licence_state(state, StepKind.RENEWAL)
            self._step(ngo_id, county_id, r_case, licence[0], StepKind.RENEWAL, renewed, basis=BYLAW_1395)
            last_issue = issued = sanction_from = renewed
        # Conformity for some older NGOs, inside the app's years.
        if state == LicenceState.VALID and issued < start and self._r() < 0.08:
            received = start + self._ri(0, 500)
            if issued < received < expires and received + 90 < today:
                decided = received + self._ri(30, 80)
                c_case = self._new_case(
                    ngo_id, county_id, CaseType.CONFORMITY, received, CaseState.CLOSED, "approved", decided
                )
                self._step(ngo_id, county_id, c_case, None, StepKind.REQUEST, received)
                self._step(ngo_id, county_id, c_case, None, StepKind.APPROVAL, decided, basis=BYLAW_1395)
                self._step(
                    ngo_id, county_id, c_case, licence[0], StepKind.CONFORMITY, decided, basis=BYLAW_1395
                )
                sanction_from = decided
        # Sanctions.
        lo = max(sanction_from + 30, start)
        if target in ("suspended", "revoked") and lo < today - 5:
            day = self._ri(lo, today - 5)
            step_id = self._step(
                ngo_id,
                county_id,
                None,
                licence[0],
                StepKind.SUSPENSION,
                day,
                reason=self._pick(SUSPEND_REASONS),
                basis=BYLAW_1395,
            )
            self.punitive.append((step_id, ngo_id, county_id, day, "suspension"))
            state = next_licence_state(state, StepKind.SUSPENSION)
            licence[12] = "suspended"
            if target == "revoked" and day < today - 2:
                day2 = self._ri(day + 1, today - 1)
                step_id = self._step(
                    ngo_id,
                    county_id,
                    None,
                    licence[0],
                    StepKind.REVOCATION,
                    day2,
                    reason=self._pick(REVOKE_REASONS),
                    basis=BYLAW_1395,
                )
                self.punitive.append((step_id, ngo_id, county_id, day2, "revocation"))
                state = next_licence_state(state, StepKind.REVOCATION)
                licence[12] = "revoked"
        elif target == "valid" and lo < today - 60 and self._r() < 0.03:
            day = self._ri(lo, today - 60)
            step_id = self._step(
                ngo_id,
                county_id,
                None,
                licence[0],
                StepKind.SUSPENSION,
                day,
                reason=self._pick(SUSPEND_REASONS),
                basis=BYLAW_1395,
            )
            self.punitive.append((step_id, ngo_id, county_id, day, "suspension"))
            lifted = self._ri(day + 10, min(today, day + 120))
            self._step(ngo_id, county_id, None, licence[0], StepKind.LIFTING, lifted, basis=BYLAW_1395)
        self.bulk.add(self.w_licence, tuple(licence))
        return state, founded, last_issue

    # --- one NGO ------------------------------------------------------------------------------

    def add_ngo(self, seq: int, national_prefix: int) -> None:
        cal = self.cal
        r = self._r()
        level = Level.COUNTY if r < 0.86 else Level.PROVINCE if r < 0.985 else Level.NATIONAL
        place = self._place()
        if level != Level.COUNTY and self._r() < 0.5:
            place = Place(None, self.province, 0)
        county_id = place.county_id
        place_name = place.name if county_id else f"استان {self.province}"
        parts, subject = self._ngo_name(place_name)
        name = " ".join(parts)
        ngo_id = self.key()
        national_id = ids.make_legal_national_id(f"10{national_prefix:08d}")
        registration_no = str(1200 + seq)
        ceo = self.person()
        ceo_code = self.national_code()
        t = self._r()
        target = (
            "valid"
            if t < 0.70
            else "suspended"
            if t < 0.76
            else "revoked"
            if t < 0.81
            else "approved"
            if t < 0.88
            else "none"
        )
        state, founded, last_issue = self._history(ngo_id, county_id, level, target)
        registered = None
        if founded is not None:
            registered = founded + self._ri(3, 20)
        status = "inactive" if state == LicenceState.REVOKED else "active"
        name_key = " ".join(map(_norm, parts))
        name_sort = " ".join(map(_sort, parts))
        search = f"{' '.join(map(_search, parts))} {national_id} {registration_no} {_search(ceo)}"
        address = f"{place.name if county_id else self.province}، {self._pick(names.STREETS)}، پلاک {self._ri(1, 240)}"
        phone = (
            f"028{self._ri(32000000, 33999999)}" if self._r() < 0.6 else f"09{self._ri(120000000, 399999999)}"
        )
        ngo_row = (
            ngo_id,
            self.stamp,
            self.stamp,
            1,
            county_id,
            seq,
            national_id,
            registration_no,
            name,
            name_key,
            name_sort,
            level.value,
            address,
            phone,
            cal.text(founded) if founded else None,
            cal.text(registered) if registered else None,
            ceo,
            ceo_code,
            status,
            state.value,
            search,
        )
        self.bulk.add(self.w_ngo, (*ngo_row, _sort(ceo)) if self._ceo_sort else ngo_row)
        field_ids = list(self._subject_fields[subject])
        if self._r() < 0.3:
            extra = self._pick(list(self.fields.values()))
            if extra not in field_ids:
                field_ids.append(extra)
        for fid in field_ids:
            self.bulk.add(self.w_field, (ngo_id, fid))
        if self.with_board and founded is not None:
            term = last_issue or founded
            start, end = cal.text(term), cal.text(cal.add_years(term, 2))
            roles = ["ceo", "chair", "deputy", "treasurer", "member", "inspector"]
            for role in roles[: self._ri(5, 6)]:
                full, code = (ceo, ceo_code) if role == "ceo" else (self.person(), self.national_code())
                expertise = names.SUBJECTS[subject][0] if role in ("chair", "ceo") else ""
                self.bulk.add(
                    self.w_board,
                    (self.key(), self.stamp, self.stamp, 1, ngo_id, full, code, role, expertise, start, end),
                )
        self.ngos.append(NgoRef(ngo_id, name, county_id, state.value, field_ids))
        self.bulk.maybe_flush()
