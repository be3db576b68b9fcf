"""A visit's «سابقه تغییرات» tab shows its checklist answers readably («بند ۱: بله»), not the stored array."""

from __future__ import annotations

from datetime import date, time, timedelta

from ostandari_desk.services import reference
from ostandari_desk.services.inspections import templates, visits
from ostandari_desk.services.inspections.visits import VisitInput
from ostandari_desk.ui.widgets.history import HistoryWidget
from tests.services.inspection_seed import categories, make_centre


def test_the_history_tab_shows_the_readable_answers(ctx, qtbot):
    uow = ctx.uow()
    county = reference.list_counties(uow)[0].id
    category = categories(uow)["کشتارگاه"]
    centre = make_centre(uow, county, category)
    checklist = templates.active_template(ctx.uow(), category)
    answers = {i.id: "بله" for i in checklist.items if i.answer_type == "yes_no"}
    answers |= {i.id: str(i.max_score) for i in checklist.items if i.answer_type == "score"}
    data = VisitInput(
        centre_id=centre,
        on=date.today() - timedelta(days=1),
        at=time(10, 30),
        announced=False,
        inspectors=("علی رضایی",),
        answers=answers,
    )
    visit_id = visits.create_visit(ctx.uow(), data)
    widget = HistoryWidget(ctx, [visit_id])
    qtbot.addWidget(widget)
    widget.refresh()
    model = widget.model
    rows = [[model.cell_text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]
    [answers_row] = [r for r in rows if r[4] == "پاسخ‌های چک‌لیست"]
    assert "بند ۱: بله" in answers_row[6]
    assert "[" not in answers_row[6] and '"' not in answers_row[6]
