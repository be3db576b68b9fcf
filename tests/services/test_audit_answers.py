"""A visit's history tells its checklist answers item by item («بند ۲: بله ← خیر»), not the stored array."""

from __future__ import annotations

from datetime import time

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.services.audit import history_of
from ostandari_desk.services.inspections import templates, visits
from ostandari_desk.services.inspections.visits import VisitInput
from tests.services.inspection_fixtures import ON, TODAY, all_passing, category_id, insert_centre, j


def _answers_lines(desk, visit_id):
    return [line for line in history_of(desk.uow, visit_id) if line.field == "answers"]


def test_a_visits_answers_are_told_item_by_item_changed_items_only(desk):
    centre = insert_centre(desk.uow, desk.counties["آبیک"])
    checklist = templates.active_template(desk.uow, category_id(desk.uow))
    yes_no = [i for i in checklist.items if i.answer_type == "yes_no"]
    first, second = yes_no[0], yes_no[1]
    answers = all_passing(checklist)
    data = VisitInput(
        centre_id=centre,
        on=ON,
        at=time(10, 30),
        announced=False,
        inspectors=("علی رضایی",),
        answers=answers,
    )
    visit_id = visits.create_visit(desk.uow, data, today=TODAY)
    [created] = _answers_lines(desk, visit_id)
    assert created.before == ""
    assert f"بند {to_persian_digits(first.position)}: بله" in created.after
    assert "[" not in created.after and "yes" not in created.after

    detail = visits.get_visit(desk.uow, visit_id)
    changed = VisitInput(
        **{
            **detail.to_input().__dict__,
            "answers": answers | {second.id: "خیر"},
            "correction_deadline": j(1403, 6, 1),
        }
    )
    visits.update_visit(desk.uow, visit_id, changed, detail.row_version, today=TODAY)
    edited = _answers_lines(desk, visit_id)[0]  # newest first
    assert edited.after == f"بند {to_persian_digits(second.position)}: بله ← خیر"  # only the changed item
    assert edited.before == ""
