"""Helpers for the inspection service tests: a centre inserted directly, full answers to a checklist."""

from __future__ import annotations

import itertools
from datetime import date

from ostandari_desk.domain import jalali
from ostandari_desk.services import reference
from ostandari_desk.services.inspections import centres, templates
from ostandari_desk.store.models import Centre
from ostandari_desk.store.uow import UnitOfWork

TODAY = jalali.from_jalali(1403, 6, 1)
ON = jalali.from_jalali(1403, 5, 10)
_codes = itertools.count(1)


def j(year: int, month: int, day: int) -> date:
    return jalali.from_jalali(year, month, day)


def category_id(uow: UnitOfWork, name: str = "کشتارگاه") -> str:
    found = reference.item_id_by_name(uow, "centre_category", name)
    assert found
    return found


def insert_centre(
    uow: UnitOfWork,
    county_id: str | None,
    category: str = "کشتارگاه",
    agency: str = "اداره کل دامپزشکی",
    name: str = "کشتارگاه صنعتی",
) -> str:
    """A centre row put in directly (the centres service belongs to another helper)."""
    cat = category_id(uow, category)
    code = f"C-{next(_codes)}"
    with uow.writing():
        centre = Centre(
            code=code,
            category_id=cat,
            name=name,
            search_text=centres.search_text_of(code, name, ""),
            county_id=county_id,
            licensing_agency=agency,
        )
        uow.s.add(centre)
        uow.commit()
        return centre.id


def all_passing(detail: templates.TemplateDetail) -> dict[str, str]:
    """Every yes/no answered «بله», every score at its maximum (numbers and text left empty)."""
    answers = {}
    for item in detail.items:
        if item.answer_type == "yes_no":
            answers[item.id] = "بله"
        elif item.answer_type == "score":
            answers[item.id] = str(item.max_score)
    return answers


def item_of(detail: templates.TemplateDetail, *, critical: bool, answer_type: str = "yes_no"):
    return next(i for i in detail.items if i.critical == critical and i.answer_type == answer_type)
