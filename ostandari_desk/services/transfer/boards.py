"""The «هیئت مدیره» sheet: an NGO's board members, one member a row (IMPORT_TEMPLATES.md).

A member is identified by the NGO and their national code (once per NGO). A row whose member is stored with
the same details counts as unchanged, so a file imported twice adds nothing; with other details it is an
error on «کد ملی» naming the columns that differ (edit the board in the program). The NGO must already be
stored in the actor's scope (import the NGOs first). A member is checked as the NGO dialog's board editor
checks one (``services.ngos.validation``): a name, a national code with its check digit, a known role (the
sheet's words or the program's, ``ROLE_WORDS``), and a term that ends after it begins; each broken rule is
an error on its column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, select

from ostandari_desk.domain import ids, jalali, text
from ostandari_desk.errors import ValidationError
from ostandari_desk.services.ngos.rows import PROVINCE_ONLY, ROLE_LABELS
from ostandari_desk.services.transfer.base import (
    ImportOptions,
    TransferKind,
    column_getter,
    finish_import,
    read_rows,
)
from ostandari_desk.services.transfer.record_rows import insert_new
from ostandari_desk.services.transfer.sheets import (
    Column,
    ImportReport,
    RowError,
    Table,
    cell_date,
    cell_digits,
    cell_text,
)
from ostandari_desk.store.models import BoardMember, Ngo
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["COLUMNS", "KIND", "ROLE_WORDS"]

H_NATIONAL_ID = "شناسه ملی سمن"
H_NAME = "نام و نام خانوادگی"
H_CODE = "کد ملی"
H_ROLE = "سمت"
H_EXPERTISE = "تخصص"
H_TERM_START = "آغاز دوره"
H_TERM_END = "پایان دوره"

NAME_MAX = 200
EXPERTISE_MAX = 300

COLUMNS = (
    Column(H_NATIONAL_ID, "national_id", True, max_length=40),
    Column(H_NAME, "full_name", True, max_length=NAME_MAX),
    Column(H_CODE, "national_code", True, max_length=40),
    Column(H_ROLE, "role", True, max_length=100),
    Column(H_EXPERTISE, "expertise", max_length=EXPERTISE_MAX),
    Column(H_TERM_START, "term_start", max_length=40),
    Column(H_TERM_END, "term_end", max_length=40),
)

# The sheet's word for each role (IMPORT_TEMPLATES.md), what an export writes; the import also takes the
# program's own labels (services.ngos.rows.ROLE_LABELS: «عضو هیئت مدیره», «عضو مؤسس»).
ROLE_WORDS: dict[str, str] = {
    "ceo": "مدیرعامل",
    "chair": "رئیس هیئت مدیره",
    "deputy": "نایب رئیس",
    "treasurer": "خزانه‌دار",
    "member": "عضو اصلی",
    "alternate": "عضو علی‌البدل",
    "inspector": "بازرس",
    "founder": "مؤسس",
}


def _role_key(value: str) -> str:
    return text.normalize(value).replace(" ", "")


_ROLES = {_role_key(label): role for role, label in ROLE_LABELS.items()} | {
    _role_key(word): role for role, word in ROLE_WORDS.items() if role in ROLE_LABELS
}
# the columns a re-imported row must match to count as the stored member
_COMPARED = (
    ("full_name", H_NAME),
    ("role", H_ROLE),
    ("expertise", H_EXPERTISE),
    ("term_start", H_TERM_START),
    ("term_end", H_TERM_END),
)
_PROGRESS_EVERY = 1000

fa = text.to_persian_digits


def _code_of(value: Any) -> str:
    """The national code's Latin digits; an Excel number lost its leading zeros, which are put back."""
    digits = cell_digits(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and digits.isdigit():
        digits = digits.zfill(10)
    return digits


def _read(number: int, values: tuple, get: dict) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The row's cells, checked one by one: (the member, []) or (None, the row's errors)."""
    errors: list[RowError] = []

    def fail(header: str, reason: str) -> None:
        errors.append(RowError(number, header, reason))

    nid = cell_digits(get["national_id"](values))
    if not nid:
        fail(H_NATIONAL_ID, "شناسه ملی سمن وارد نشده است")
    elif not ids.is_valid_legal_national_id(nid):
        try:
            ids.validate_legal_national_id(nid, "شناسه ملی سمن")
        except ValidationError as exc:
            fail(H_NATIONAL_ID, exc.message)
    name = cell_text(get["full_name"](values))
    if not name:
        fail(H_NAME, "نام و نام خانوادگی عضو وارد نشده است")
    code = _code_of(get["national_code"](values))
    try:
        code = ids.validate_national_code(code, "کد ملی عضو")
    except ValidationError as exc:
        fail(H_CODE, exc.message)
    role_text = cell_text(get["role"](values))
    role = _ROLES.get(_role_key(role_text))
    if role is None:
        allowed = "، ".join(ROLE_WORDS[r] for r in ROLE_WORDS if r in ROLE_LABELS)
        fail(
            H_ROLE, f"سمت «{role_text}» شناخته نیست؛ یکی از: {allowed}" if role_text else "سمت وارد نشده است"
        )
    dates: dict[str, date | None] = {}
    for key, header in (("term_start", H_TERM_START), ("term_end", H_TERM_END)):
        try:
            dates[key] = cell_date(get[key](values))
        except ValidationError as exc:
            fail(header, exc.message)
            dates[key] = None
    start, end = dates["term_start"], dates["term_end"]
    if start is not None and end is not None and end <= start:
        shown = jalali.format_jalali(end), jalali.format_jalali(start)
        fail(H_TERM_END, f"پایان دوره ({shown[0]}) باید پس از آغاز آن ({shown[1]}) باشد")
    if errors:
        return None, errors
    return {
        "national_id": nid,
        "full_name": name,
        "national_code": code,
        "role": role,
        "expertise": cell_text(get["expertise"](values)),
        "term_start": start,
        "term_end": end,
    }, []


def _shown(field: str, value: Any) -> str:
    """A member's value as the report says it: Jalali dates, the sheet's role words, «خالی» for nothing."""
    if isinstance(value, date):
        return jalali.format_jalali(value)
    if field == "role":
        return ROLE_WORDS.get(value) or ROLE_LABELS.get(value, value)
    return fa(str(value or "")) or "خالی"


def _import(uow: UnitOfWork, table: Table, report: ImportReport, opts: ImportOptions) -> dict[int, tuple]:
    with uow:
        ngo_ids = dict(uow.s.execute(select(Ngo.national_id, Ngo.id)).all())  # the actor's scope only
        where = " در شهرستان شما" if uow.county_scope is not None else ""
        get = {c.key: column_getter(table, c.key) for c in COLUMNS}
        stored: dict[str, dict[str, dict[str, Any]]] = {}  # ngo id -> national code -> stored member
        seen: dict[tuple[str, str], int] = {}
        member = BoardMember.__table__.c

        def members_of(ngo_id: str) -> dict[str, dict[str, Any]]:
            if ngo_id not in stored:
                rows = uow.s.execute(select(BoardMember.__table__).where(member.ngo_id == ngo_id)).mappings()
                stored[ngo_id] = {row["national_code"]: dict(row) for row in rows}
            return stored[ngo_id]

        def check(number: int, values: tuple) -> tuple[dict[str, Any] | None, list[RowError]]:
            row, errors = _read(number, values, get)
            if row is None:
                return None, errors
            ngo_id = ngo_ids.get(row["national_id"])
            if ngo_id is None:
                reason = (
                    f"سمنی با شناسه ملی {fa(row['national_id'])}{where} ثبت نشده است؛ "
                    "نخست پرونده سمن‌ها را وارد کنید"
                )
                return None, [RowError(number, H_NATIONAL_ID, reason)]
            code = row["national_code"]
            if (ngo_id, code) in seen:
                first = fa(seen[ngo_id, code])
                reason = f"کد ملی {fa(code)} برای همین سمن در ردیف {first} همین پرونده هم آمده است"
                return None, [RowError(number, H_CODE, reason)]
            seen[ngo_id, code] = number
            known = members_of(ngo_id).get(code)
            if known is not None:
                differ = [(f, h) for f, h in _COMPARED if row[f] != known[f]]
                if not differ:
                    report.unchanged += 1
                    return None, []
                detail = "، ".join(
                    f"{h}: «{_shown(f, known[f])}» در برنامه، «{_shown(f, row[f])}» در پرونده"
                    for f, h in differ
                )
                reason = (
                    f"عضو با کد ملی {fa(code)} («{known['full_name']}») پیش‌تر با اطلاعات دیگری در هیئت "
                    f"مدیره این سمن ثبت شده است ({detail})؛ ویرایش آن را در برنامه انجام دهید"
                )
                return None, [RowError(number, H_CODE, reason)]
            return {**{k: v for k, v in row.items() if k != "national_id"}, "ngo_id": ngo_id}, []

        def store(good: list[dict[str, Any]]) -> None:
            insert_new(uow, BoardMember, good, chunk=500)  # through the session: audited row by row

        good, bad = read_rows(table, report, check, opts.progress, _PROGRESS_EVERY)
        return finish_import(uow, report, opts, good, bad, store)


def _export(uow: UnitOfWork, flt: Any) -> Iterator[Sequence[Any]]:
    role_order = case({r: i for i, r in enumerate(ROLE_WORDS)}, value=BoardMember.role, else_=len(ROLE_WORDS))
    with uow:
        stmt = (
            select(
                Ngo.national_id,
                BoardMember.full_name,
                BoardMember.national_code,
                BoardMember.role,
                BoardMember.expertise,
                BoardMember.term_start,
                BoardMember.term_end,
            )
            .join(Ngo, Ngo.id == BoardMember.ngo_id)
            .order_by(
                Ngo.name_sort, Ngo.national_id, role_order, BoardMember.full_name, BoardMember.national_code
            )
        )
        county = getattr(flt, "county_id", None) if flt is not None else None
        if county == PROVINCE_ONLY:
            stmt = stmt.where(Ngo.county_id.is_(None))
        elif county:
            stmt = stmt.where(Ngo.county_id == county)
        rows = uow.s.execute(stmt).all()
    for nid, name, code, role, expertise, start, end in rows:
        yield (
            nid,
            name,
            code,
            ROLE_WORDS.get(role) or ROLE_LABELS.get(role, role),
            expertise,
            jalali.format_jalali(start) if start else "",
            jalali.format_jalali(end) if end else "",
        )


KIND = TransferKind(
    name="boards",
    title="هیئت مدیره",
    unit="عضو",
    table="boardmember",
    columns=COLUMNS,
    importer=_import,
    exporter=_export,
)
