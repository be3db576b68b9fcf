"""The direct steps on an NGO's licence: the sanctions ladder and the lifting of a suspension.

Every sanction is a rung of the ladder (domain.lifecycle.SANCTION_LADDER: تذکر، اخطار کتبی، تعلیق، توقیف
پروانه، درخواست انحلال) recorded as a LicenceStep with its letter number, reason and legal basis, all
three required; its letter is filed among the outgoing letters as a punitive one in the same transaction
(a warning counts as a punitive letter too). Each needs Permission.SANCTION, as does the lifting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from ostandari_desk.domain import jalali
from ostandari_desk.domain.lifecycle import SANCTION_LADDER, SANCTIONS, STEP_LABELS, StepKind
from ostandari_desk.domain.roles import Permission
from ostandari_desk.errors import ValidationError
from ostandari_desk.services import letters
from ostandari_desk.services.audit import now_utc
from ostandari_desk.services.licences.steps import apply_licence_step, load_ngo, require_date, step_kind
from ostandari_desk.store.models import Letter, LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

# The outgoing letter a direct step carries: its kind and the subject it is filed under.
STEP_LETTERS: dict[StepKind, tuple[str, str]] = {
    StepKind.NOTICE: ("punitive", "تذکر"),
    StepKind.WRITTEN_WARNING: ("punitive", "اخطار کتبی"),
    StepKind.SUSPENSION: ("punitive", "تعلیق پروانه فعالیت"),
    StepKind.REVOCATION: ("punitive", "لغو پروانه فعالیت"),
    StepKind.DISSOLUTION_REQUEST: ("punitive", "درخواست انحلال"),
    StepKind.LIFTING: ("other", "رفع تعلیق پروانه فعالیت"),
}
# The subject of a revocation letter when no licence was ever issued (the approval is taken back).
APPROVAL_REVOCATION_SUBJECT = "لغو موافقت با تأسیس"
_RUNG_LABELS = dict(SANCTION_LADDER)


@dataclass(frozen=True)
class SanctionRecord:
    """A sanction the NGO received: its rung, its date and its letter."""

    kind: str
    label: str  # the ladder's name of the rung
    on_date: date
    letter_no: str


def _record_step_letter(uow: UnitOfWork, ngo: Ngo, step: LicenceStep, kind: StepKind) -> None:
    """File the step's letter among the outgoing letters, in the step's transaction (never commits).

    A letter with that number in that Jalali year, in the NGO's county's series or else the province's
    own (a letter the province's secretariat numbered; within the actor's scope), is linked to the step
    (its NGO and step filled in if empty, an «other» letter becoming punitive for a sanction); otherwise
    one is created in the NGO's series. A step without a letter number (a lifting may have none) files
    nothing.
    """
    number = letters.clean_number(step.letter_no)
    if not number:
        return
    letter_kind, title = STEP_LETTERS[kind]
    if kind == StepKind.REVOCATION and step.licence_id is None:
        title = APPROVAL_REVOCATION_SUBJECT
    year = jalali.jalali_year_of(step.on_date)
    found = letters.find_letter_id(uow, "outgoing", year, number, ngo.county_id)
    if found is None and ngo.county_id is not None:
        found = letters.find_letter_id(uow, "outgoing", year, number, None)
    if found is None:
        data = letters.LetterInput(
            direction="outgoing",
            number=number,
            dated_on=step.on_date,
            party=ngo.name,
            subject=f"{title}: {step.reason}" if step.reason else title,
            kind=letter_kind,
            ngo_id=ngo.id,
            licence_step_id=step.id,
            county_id=ngo.county_id,
        )
        try:
            letters.create_letter(uow, data)
        except ValidationError as exc:  # e.g. a number too long for a letter: point at the step's field
            field = "letter_no" if exc.field == "number" else exc.field
            raise ValidationError(exc.message, field=field, record=exc.record) from exc
        return
    letter = uow.get(Letter, found)
    changed = False
    if not letter.licence_step_id:
        letter.licence_step_id = step.id
        changed = True
    if not letter.ngo_id:
        letter.ngo_id = ngo.id
        changed = True
    if letter_kind == "punitive" and letter.kind == "other":
        letter.kind = letter_kind
        changed = True
    if changed:
        letter.updated_at = now_utc()
        letter.row_version += 1
        uow.s.add(letter)


def _direct(uow: UnitOfWork, ngo_id: str, kind: StepKind, on: date, **kwargs) -> str:
    uow.require(Permission.SANCTION)
    on = require_date(on, "تاریخ", "on")
    with uow.writing():
        ngo: Ngo = load_ngo(uow, ngo_id)
        step = apply_licence_step(uow, ngo, kind, on, **kwargs)
        _record_step_letter(uow, ngo, step, kind)
        uow.commit()
        return step.id


def impose_sanction(
    uow: UnitOfWork,
    ngo_id: str,
    kind: StepKind | str,
    on: date,
    letter_no: str,
    reason: str,
    legal_basis: str,
    note: str = "",
) -> str:
    """Record one rung of the sanctions ladder on the NGO; returns the step id.

    ``kind``: a rung (notice, written_warning, suspension, revocation, dissolution_request), its value or
    its Persian label. The letter is filed (or linked) as an outgoing punitive letter in the same
    transaction; a revocation also closes the NGO's open case.

    Raises:
        PermissionDeniedError: the actor's role may not impose sanctions (Permission.SANCTION).
        TransitionError: the rung is not allowed in the NGO's licence state.
        ValidationError: not a rung of the ladder; no letter number, reason or legal basis.
    """
    kind = step_kind(kind)
    if kind not in SANCTIONS:
        rungs = "، ".join(label for _kind, label in SANCTION_LADDER)
        raise ValidationError(f"«{STEP_LABELS[kind]}» از پله‌های نردبان مجازات ({rungs}) نیست.", field="kind")
    return _direct(
        uow, ngo_id, kind, on, letter_no=letter_no, reason=reason, legal_basis=legal_basis, note=note
    )


def suspend_licence(
    uow: UnitOfWork, ngo_id: str, on: date, letter_no: str, reason: str, legal_basis: str = "", note: str = ""
) -> str:
    """Suspend the NGO's valid licence (the ladder's «تعلیق»); letter number, reason and legal basis are
    required. Returns the step id. See ``impose_sanction``."""
    return impose_sanction(uow, ngo_id, StepKind.SUSPENSION, on, letter_no, reason, legal_basis, note)


def revoke_licence(
    uow: UnitOfWork, ngo_id: str, on: date, letter_no: str, reason: str, legal_basis: str = "", note: str = ""
) -> str:
    """Revoke (لغو) the licence, or the approval no licence followed; letter number, reason and legal
    basis are required. Returns the step id.

    Any open case of the NGO is closed in the same transaction (a WITHDRAWAL step, reason «لغو پروانه»).
    See ``impose_sanction``.
    """
    return impose_sanction(uow, ngo_id, StepKind.REVOCATION, on, letter_no, reason, legal_basis, note)


def lift_suspension(
    uow: UnitOfWork, ngo_id: str, on: date, letter_no: str, note: str = "", legal_basis: str = ""
) -> str:
    """Lift a suspension: the licence is valid again. Returns the step id.

    A letter number, if given, is filed (or linked) as an outgoing «other» letter in the same transaction.
    Needs Permission.SANCTION (PermissionDeniedError otherwise).
    """
    return _direct(uow, ngo_id, StepKind.LIFTING, on, letter_no=letter_no, note=note, legal_basis=legal_basis)


def sanctions_of(uow: UnitOfWork, ngo_id: str) -> list[SanctionRecord]:
    """The sanctions the NGO received, oldest first (where it stands on the ladder)."""
    stmt = (
        select(LicenceStep.kind, LicenceStep.on_date, LicenceStep.letter_no)
        .where(LicenceStep.ngo_id == ngo_id, col(LicenceStep.kind).in_([k.value for k in SANCTIONS]))
        .order_by(col(LicenceStep.on_date), col(LicenceStep.created_at))
    )
    with uow:
        load_ngo(uow, ngo_id)
        rows = uow.s.exec(stmt).all()
    return [
        SanctionRecord(kind=kind, label=_RUNG_LABELS[StepKind(kind)], on_date=on_date, letter_no=letter_no)
        for kind, on_date, letter_no in rows
    ]
