"""VisitFilter(critical=True): the visits with a serious result or a critical finding (the start page's tile)."""

from __future__ import annotations

from datetime import time

from ostandari_desk.services.inspections import templates, visits
from ostandari_desk.services.inspections.visits import FindingInput, VisitFilter, VisitInput
from tests.services.inspection_fixtures import ON, TODAY, all_passing, category_id, insert_centre, item_of, j


def _visit(centre_id, answers, hour: int, **changes) -> VisitInput:
    values = {
        "centre_id": centre_id,
        "on": ON,
        "at": time(hour, 0),
        "announced": False,
        "inspectors": ("علی رضایی",),
        "answers": answers,
    }
    values.update(changes)
    return VisitInput(**values)


def test_critical_keeps_serious_results_and_critical_findings(desk):
    centre = insert_centre(desk.uow, desk.counties["آبیک"])
    checklist = templates.active_template(desk.uow, category_id(desk.uow))
    assert checklist is not None
    passing = all_passing(checklist)
    critical_item = item_of(checklist, critical=True)
    deadline = {"correction_deadline": j(1403, 5, 30)}

    def create(data: VisitInput) -> str:
        return visits.create_visit(desk.uow, data, today=TODAY)

    create(_visit(centre, passing, 8))  # good, no finding
    serious = create(_visit(centre, passing | {critical_item.id: "خیر"}, 9, **deadline))
    free_critical = create(
        _visit(centre, passing, 10, findings=(FindingInput("خروجی اضطراری قفل بود", "critical"),), **deadline)
    )
    create(_visit(centre, passing, 11, findings=(FindingInput("تابلو کهنه بود", "minor"),)))
    create(_visit(centre, passing | {critical_item.id: "خیر"}, 12, on=j(1403, 4, 5), **deadline))

    flt = VisitFilter(year=1403, month=5, critical=True)
    assert visits.count_visits(desk.uow, VisitFilter(year=1403, month=5)) == 4
    assert visits.count_visits(desk.uow, flt) == 2
    rows = visits.list_visit_page(desk.uow, flt, "inspected_at", False, 0, 10)
    assert [r.id for r in rows] == [serious, free_critical]
    assert visits.count_visits(desk.uow, VisitFilter(critical=True)) == 3  # the other month's too
    assert visits.count_visits(desk.uow, VisitFilter(critical=True, text="no such centre")) == 0
