"""Visits: score and result from the answers, overrides, findings and actions, closed visits, notes,
re-inspections, referrals, the validator's bad-input cases and county scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select

from ostandari_desk.domain.text import to_persian_digits as text_digits
from ostandari_desk.errors import NotFoundError, PermissionDeniedError, UserError, ValidationError
from ostandari_desk.services import letters
from ostandari_desk.services.inspections import actions, templates, visit_reads, visits
from ostandari_desk.services.inspections.visits import FindingInput, VisitFilter, VisitInput
from ostandari_desk.store.models import AuditEntry, Inspection
from tests.services.inspection_fixtures import (
    ON,
    TODAY,
    all_passing,
    category_id,
    insert_centre,
    item_of,
    j,
)


@pytest.fixture
def centre(desk):
    return insert_centre(desk.uow, desk.counties["آبیک"])


@pytest.fixture
def checklist(desk):
    found = templates.active_template(desk.uow, category_id(desk.uow))
    assert found is not None
    return found


def visit(centre_id, answers=None, **changes):
    values = {
        "centre_id": centre_id,
        "on": ON,
        "at": time(10, 30),
        "announced": False,
        "inspectors": ("علی رضایی", "مریم احمدی"),
        "answers": answers or {},
    }
    values.update(changes)
    return VisitInput(**values)


def create(desk, data):
    return visits.create_visit(desk.uow, data, today=TODAY)


def said_no(item) -> str:
    """The finding a yes/no item answered «خیر» makes."""
    return f"{item.text} — پاسخ: خیر"


def test_all_passing_answers_give_a_good_visit_without_findings(desk, centre, checklist):
    visit_id = create(desk, visit(centre, all_passing(checklist)))
    detail = visits.get_visit(desk.uow, visit_id)
    assert (detail.score, detail.result, detail.result_label) == (100, "good", "مطلوب")
    assert detail.findings == () and detail.state == "open" and detail.computed_result == ""
    assert detail.template_id == checklist.id and detail.category_name == "کشتارگاه"
    assert detail.county_id == desk.counties["آبیک"]
    assert detail.inspectors == ("علی رضایی", "مریم احمدی")
    assert detail.time_text == "۱۰:۳۰" and detail.kind_label == "سرزده"
    assert len(detail.answers) == len(checklist.items)
    assert all(not a.failed for a in detail.answers)


def test_a_failed_critical_item_is_serious_with_a_critical_finding(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    with pytest.raises(ValidationError) as err:
        create(desk, visit(centre, answers))
    assert err.value.field == "deadline" and "تخلف جدی" in err.value.message
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 5, 30)))
    detail = visits.get_visit(desk.uow, visit_id)
    assert detail.result == "serious"
    assert detail.score < 100
    [finding] = detail.findings
    # the finding says what failed, not the item's own (positive) wording
    assert (finding.item_id, finding.text, finding.severity) == (critical.id, said_no(critical), "critical")
    assert [a.failed for a in detail.answers if a.item_id == critical.id] == [True]


def test_low_score_needs_fixing_and_the_score_is_weighted(desk, centre, checklist):
    plain = [i for i in checklist.items if i.answer_type == "yes_no" and not i.critical]
    answers = all_passing(checklist) | {i.id: "خیر" for i in plain}
    counted = [i for i in checklist.items if i.answer_type in ("yes_no", "score")]
    total = sum(i.weight for i in counted)
    lost = sum(i.weight for i in plain)
    expected = int((total - lost) * 100 / total + 0.5)
    assert expected < checklist.pass_score
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 6, 10)))
    detail = visits.get_visit(desk.uow, visit_id)
    assert (detail.score, detail.result) == (expected, "needs_fix")
    assert {f.item_id for f in detail.findings} == {i.id for i in plain}


def test_an_override_needs_a_reason_and_keeps_the_computed_result(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    data = visit(centre, answers, result_override="نیازمند اصلاح", correction_deadline=j(1403, 6, 1))
    with pytest.raises(ValidationError) as err:
        create(desk, data)
    assert err.value.field == "override_reason" and "تخلف جدی" in err.value.message
    visit_id = create(
        desk,
        visit(
            centre,
            answers,
            result_override="needs_fix",
            override_reason="گواهی در همان روز ارائه شد",
            correction_deadline=j(1403, 6, 1),
        ),
    )
    detail = visits.get_visit(desk.uow, visit_id)
    assert (detail.result, detail.computed_result) == ("needs_fix", "serious")
    assert detail.override_reason == "گواهی در همان روز ارائه شد"


def test_free_text_findings_and_actions(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    findings = (
        FindingInput("درِ سردخانه بدون قفل بود", "major", action="نصب قفل", deadline=j(1403, 5, 20)),
        FindingInput("", item_id=critical.id, action="ارائه گواهی دامپزشکی"),
    )
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 5, 25), findings=findings))
    detail = visits.get_visit(desk.uow, visit_id)
    by_text = {f.text: f for f in detail.findings}
    assert set(by_text) == {"درِ سردخانه بدون قفل بود", said_no(critical)}  # the item's finding is not doubled
    free = by_text["درِ سردخانه بدون قفل بود"]
    assert free.item_id is None and free.severity == "major"
    assert [(a.action, a.deadline) for a in free.actions] == [("نصب قفل", j(1403, 5, 20))]
    item_finding = by_text[said_no(critical)]
    assert item_finding.severity == "critical"
    assert [(a.action, a.deadline) for a in item_finding.actions] == [
        ("ارائه گواهی دامپزشکی", j(1403, 5, 25))
    ]


def test_a_visit_without_checklist_states_its_result_and_score(desk, centre):
    visit_id = create(
        desk, visit(centre, score=65, result_override="نیازمند اصلاح", correction_deadline=j(1403, 6, 1))
    )
    detail = visits.get_visit(desk.uow, visit_id)
    assert (detail.score, detail.result, detail.computed_result) == (65, "needs_fix", "")
    with pytest.raises(ValidationError) as err:
        create(desk, visit(centre, at=time(11, 0)))
    assert err.value.field == "result"


def test_a_closed_visit_is_read_only_and_takes_notes(desk, centre, checklist):
    visit_id = create(desk, visit(centre, all_passing(checklist)))
    detail = visits.get_visit(desk.uow, visit_id)
    visits.update_visit(
        desk.uow,
        visit_id,
        detail.to_input().__class__(**{**detail.to_input().__dict__, "notes": "بازدید با حضور مدیر مرکز"}),
        detail.row_version,
        today=TODAY,
    )
    detail = visits.get_visit(desk.uow, visit_id)
    assert detail.notes == "بازدید با حضور مدیر مرکز" and detail.score == 100
    visits.close_visit(desk.uow, visit_id, detail.row_version)
    detail = visits.get_visit(desk.uow, visit_id)
    assert detail.closed
    with pytest.raises(UserError, match="بسته شده"):
        visits.update_visit(desk.uow, visit_id, detail.to_input(), detail.row_version, today=TODAY)
    with pytest.raises(UserError, match="بسته شده"):
        visits.close_visit(desk.uow, visit_id, detail.row_version)
    note_id = visits.add_visit_note(desk.uow, visit_id, "ساعت بازدید ۱۱:۰۰ بوده است")
    detail = visits.get_visit(desk.uow, visit_id)
    assert [(n.id, n.text, n.author) for n in detail.visit_notes] == [
        (note_id, "ساعت بازدید ۱۱:۰۰ بوده است", desk.clerk)
    ]
    assert detail.time_text == "۱۰:۳۰"  # the visit itself is as it was closed
    with desk.uow:
        audited = desk.uow.s.exec(
            select(AuditEntry.owner_id).where(AuditEntry.table_name == "inspectionnote")
        ).all()
    assert [a[0] for a in audited] == [visit_id]


def test_update_recomputes_and_drops_findings_of_items_that_pass_now(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 6, 1)))
    detail = visits.get_visit(desk.uow, visit_id)
    assert detail.result == "serious" and len(detail.findings) == 1
    fixed = VisitInput(**{**detail.to_input().__dict__, "answers": all_passing(checklist)})
    visits.update_visit(desk.uow, visit_id, fixed, detail.row_version, today=TODAY)
    detail = visits.get_visit(desk.uow, visit_id)
    assert (detail.result, detail.score, detail.findings) == ("good", 100, ())
    with pytest.raises(Exception, match="کاربر دیگری"):
        visits.update_visit(desk.uow, visit_id, fixed, detail.row_version - 1, today=TODAY)


def test_a_reinspection_completes_the_actions_it_verifies(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    first = create(
        desk,
        visit(
            centre,
            answers,
            correction_deadline=j(1403, 5, 25),
            findings=(
                FindingInput("", item_id=critical.id, action="ارائه گواهی"),
                FindingInput("نظافت نامناسب", "minor", action="نظافت کامل"),
                FindingInput("تابلوی مرکز نصب نیست", "minor", action="نصب تابلو"),
            ),
        ),
    )
    detail = visits.get_visit(desk.uow, first)
    by_text = {f.text: f.actions[0].id for f in detail.findings}
    other = insert_centre(desk.uow, desk.counties["آبیک"])
    with pytest.raises(ValidationError) as err:
        create(
            desk, visit(other, reinspection_of_id=first, on=j(1403, 5, 26), score=90, result_override="مطلوب")
        )
    assert err.value.field == "reinspection_of"

    second = create(
        desk,
        visit(
            centre,
            all_passing(checklist),
            on=j(1403, 5, 26),
            reinspection_of_id=first,
            verified_action_ids=(by_text["نظافت نامناسب"],),
        ),
    )
    detail = visits.get_visit(desk.uow, first)
    done = {f.text: (f.actions[0].done_on, f.actions[0].verified_by_id) for f in detail.findings}
    assert done[said_no(critical)] == (j(1403, 5, 26), second)  # the item passes now
    assert done["نظافت نامناسب"] == (j(1403, 5, 26), second)  # named by the re-inspection
    assert done["تابلوی مرکز نصب نیست"] == (None, None)
    assert detail.reinspections == (second,)
    assert visits.get_visit(desk.uow, second).reinspection_of_id == first

    open_action = by_text["تابلوی مرکز نصب نیست"]
    unrelated = create(desk, visit(centre, all_passing(checklist), on=j(1403, 5, 27)))
    with pytest.raises(ValidationError) as err:
        actions.complete_action(desk.uow, open_action, j(1403, 5, 27), verified_by_id=unrelated)
    assert err.value.field == "verified_by"
    actions.complete_action(desk.uow, open_action, j(1403, 5, 27), verified_by_id=second)
    with pytest.raises(UserError, match="پیش‌تر"):
        actions.complete_action(desk.uow, open_action, j(1403, 5, 28))


def test_referral_is_an_outgoing_letter_to_the_licensing_agency(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 5, 25)))
    [finding] = visits.get_visit(desk.uow, visit_id).findings
    letter_id = actions.refer_finding(desk.uow, finding.id, j(1403, 5, 12))
    letter = letters.get_letter(desk.uow, letter_id)
    assert (letter.direction, letter.party, letter.kind) == ("outgoing", "اداره کل دامپزشکی", "punitive")
    assert letter.number == "ارجاع/1" and letter.county_id == desk.counties["آبیک"]
    assert "کشتارگاه صنعتی" in letter.subject and critical.text in letter.subject
    [finding] = visits.get_visit(desk.uow, visit_id).findings
    [action] = finding.actions
    assert action.referral_letter_id == letter_id and action.deadline == j(1403, 5, 25)
    assert action.referral_number == "ارجاع/1"
    with pytest.raises(UserError, match="پیش‌تر"):
        actions.refer_finding(desk.uow, finding.id, j(1403, 5, 13))

    second_centre = insert_centre(desk.uow, desk.counties["آبیک"], agency="")
    other = create(desk, visit(second_centre, answers, correction_deadline=j(1403, 5, 25)))
    [finding] = visits.get_visit(desk.uow, other).findings
    with pytest.raises(ValidationError) as err:
        actions.refer_finding(desk.uow, finding.id, j(1403, 5, 12))
    assert err.value.field == "licensing_agency"


def test_a_second_referral_of_the_year_takes_the_next_number(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    numbers = []
    for hour in (9, 10):
        visit_id = create(desk, visit(centre, answers, at=time(hour, 0), correction_deadline=j(1403, 5, 25)))
        [finding] = visits.get_visit(desk.uow, visit_id).findings
        actions.add_action(desk.uow, finding.id, "تعطیلی موقت", j(1403, 5, 20))
        numbers.append(letters.get_letter(desk.uow, actions.refer_finding(desk.uow, finding.id, ON)).number)
    assert numbers == ["ارجاع/1", "ارجاع/2"]


def test_overdue_actions(desk, centre, checklist):
    critical = item_of(checklist, critical=True)
    answers = all_passing(checklist) | {critical.id: "خیر"}
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 5, 20)))
    [finding] = visits.get_visit(desk.uow, visit_id).findings
    with pytest.raises(ValidationError):
        actions.add_action(desk.uow, finding.id, "ارائه گواهی", j(1403, 5, 10))
    action_id = actions.add_action(desk.uow, finding.id, "ارائه گواهی", j(1403, 5, 20))
    assert actions.overdue_actions(desk.uow, j(1403, 5, 20)) == []
    [row] = actions.overdue_actions(desk.uow, TODAY)
    assert (row.action_id, row.visit_id, row.days_overdue, row.severity_label) == (
        action_id,
        visit_id,
        (TODAY - j(1403, 5, 20)).days,
        "بحرانی",
    )
    actions.complete_action(desk.uow, action_id, j(1403, 5, 30))
    assert actions.overdue_actions(desk.uow, TODAY) == []


def _count(desk) -> int:
    with desk.uow:
        return desk.uow.s.scalar(select(func.count()).select_from(Inspection))


BAD_INPUT = {
    "unknown centre": ({"centre_id": "nope"}, "centre"),
    "future date": ({"on": j(1403, 6, 2)}, "date"),
    "not a date": ({"on": "1403/02/31"}, "date"),
    "bad time text": ({"at": "25:10"}, "time"),
    "time with seconds": ({"at": time(10, 0, 5)}, "time"),
    "kind not yes or no": ({"announced": "تلفنی"}, "kind"),
    "score above 100": ({"score": 101, "result_override": "مطلوب"}, "score"),
    "score below 0": ({"score": -1, "result_override": "مطلوب"}, "score"),
    "needs fixing without deadline": ({"result_override": "نیازمند اصلاح", "score": 50}, "deadline"),
    "serious without deadline": ({"result_override": "تخلف جدی"}, "deadline"),
    "deadline not after the visit": (
        {"result_override": "تخلف جدی", "correction_deadline": j(1403, 5, 10)},
        "deadline",
    ),
    "unknown result": ({"result_override": "بد"}, "result"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_names_the_field_and_stores_nothing(desk, centre, case):
    changes, field = BAD_INPUT[case]
    changes = {"result_override": "مطلوب", **changes}
    data = visit(changes.pop("centre_id", centre), **changes)
    with pytest.raises(ValidationError) as err:
        create(desk, data)
    assert err.value.field == field
    assert err.value.message and any("\u0600" <= ch <= "\u06ff" for ch in err.value.message)
    assert _count(desk) == 0


@pytest.mark.parametrize(("answer_type", "raw"), [("yes_no", "شاید"), ("score", "۹"), ("score", "خوب")])
def test_an_answer_of_the_wrong_type_names_the_item(desk, centre, checklist, answer_type, raw):
    item = next(i for i in checklist.items if i.answer_type == answer_type)
    answers = all_passing(checklist) | {item.id: raw}
    with pytest.raises(ValidationError) as err:
        create(desk, visit(centre, answers))
    assert (err.value.field, err.value.record) == ("answers", item.id)
    assert f"بند {item.position}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in err.value.message
    assert _count(desk) == 0


def test_the_validator_checks_a_row_without_storing(desk, centre):
    checked = visits.validate_visit(
        desk.uow, visit(centre, score=85, result_override="مطلوب", at="۰۹:۱۵"), TODAY
    )
    assert checked.inspected_at == datetime(ON.year, ON.month, ON.day, 9, 15, tzinfo=UTC)
    assert (checked.score, checked.result, checked.county_id) == (85, "good", desk.counties["آبیک"])
    assert _count(desk) == 0


def test_the_validator_reads_the_checklist_only_when_something_refers_to_it(
    desk, centre, checklist, monkeypatch
):
    from ostandari_desk.services.inspections import visit_rules

    reads: list[str] = []

    def counted(uow, template_id):
        reads.append(template_id)
        return templates.checklist_items(uow, template_id)

    monkeypatch.setattr(visit_rules, "checklist_items", counted)
    imported = visits.validate_visit(desk.uow, visit(centre, score=85, result_override="مطلوب"), TODAY)
    assert reads == [] and imported.items == () and imported.template_id == checklist.id
    answered = visits.validate_visit(desk.uow, visit(centre, all_passing(checklist)), TODAY)
    assert reads == [checklist.id] and len(answered.items) == len(checklist.items)
    item = checklist.items[0]
    named = visit(centre, score=85, result_override="مطلوب", findings=(FindingInput("", item_id=item.id),))
    assert visits.validate_visit(desk.uow, named, TODAY).findings[0].text == item.text
    assert len(reads) == 2


def test_find_list_and_count(desk, centre, checklist):
    first = create(desk, visit(centre, all_passing(checklist)))
    create(
        desk,
        visit(
            centre,
            score=40,
            result_override="نیازمند اصلاح",
            at=None,
            on=j(1403, 4, 2),
            announced=True,
            correction_deadline=j(1403, 4, 20),
        ),
    )
    assert visits.find_visit(desk.uow, centre, datetime.combine(ON, time(10, 30))) == first
    assert visits.find_visit(desk.uow, centre, datetime.combine(ON, time(10, 31))) is None
    assert visits.count_visits(desk.uow) == 2
    assert visits.count_visits(desk.uow, VisitFilter(year=1403, month=5)) == 1
    assert visits.count_visits(desk.uow, VisitFilter(announced=True)) == 1
    assert visits.count_visits(desk.uow, VisitFilter(text="صنعتی")) == 2
    rows = visits.list_visit_page(desk.uow, VisitFilter(), "inspected_at", True, 0, 10)
    assert next(r.id for r in rows) == first
    assert (
        rows[1].time_text == ""
        and rows[1].kind_label == "اعلام‌شده"
        and rows[1].result_label == "نیازمند اصلاح"
    )
    for key in visit_reads.SORT_KEYS:
        assert len(visits.list_visit_page(desk.uow, VisitFilter(), key, False, 0, 10)) == 2
    assert next(r.id for r in visits.visits_of_centre(desk.uow, centre)) == first


def test_a_county_user_cannot_touch_another_countys_visit(desk, uow_as, centre, checklist):
    visit_id = create(desk, visit(centre, all_passing(checklist)))
    detail = visits.get_visit(desk.uow, visit_id)
    other = uow_as("county", desk.counties["البرز"])
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        visits.get_visit(other, visit_id)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        visits.update_visit(other, visit_id, detail.to_input(), detail.row_version, today=TODAY)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        visits.add_visit_note(other, visit_id, "یادداشت")
    with pytest.raises((PermissionDeniedError, ValidationError)):
        visits.create_visit(other, visit(centre, all_passing(checklist), at=time(12, 0)), today=TODAY)
    assert visits.count_visits(other) == 0
    own = uow_as("county", desk.counties["آبیک"])
    assert visits.count_visits(own) == 1
    visits.add_visit_note(own, visit_id, "یادداشت کارشناس شهرستان")


def test_answers_are_stored_parsed_against_the_frozen_items(desk, centre, checklist):
    number = next(i for i in checklist.items if i.answer_type == "number")
    answers = all_passing(checklist) | {number.id: "۳٫۵"}
    visit_id = create(desk, visit(centre, answers))
    with desk.uow:
        stored = json.loads(desk.uow.s.get(Inspection, visit_id).answers)
    # an array in the items' position order (null: unanswered), not {item id: answer}
    ordered = sorted(checklist.items, key=lambda i: i.position)
    assert isinstance(stored, list) and len(stored) == len(ordered)
    assert stored[ordered.index(number)] == 3.5 and set(stored) >= {"yes"}
    line = next(a for a in visits.get_visit(desk.uow, visit_id).answers if a.item_id == number.id)
    assert line.value_text == "۳٫۵۰"
    with pytest.raises(ValidationError) as err:
        create(desk, visit(centre, {"not-an-item": "بله"}, at=time(8, 0)))
    assert err.value.field == "answers"


def test_visit_errors_lists_each_bad_field_of_a_row(desk, centre):
    data = visit("nope", on=j(1403, 7, 1), at="ده", score=120, result_override="مطلوب")
    errors = visits.visit_errors(desk.uow, data, TODAY)
    assert [e.field for e in errors] == ["centre", "date", "time", "score"]
    assert visits.visit_errors(desk.uow, visit(centre, result_override="مطلوب"), TODAY) == []
    [error] = visits.visit_errors(desk.uow, visit(centre, result_override="تخلف جدی"), TODAY)
    assert error.field == "deadline"


def test_a_visits_answers_survive_a_new_checklist_version(desk, centre, checklist):
    """The stored array follows the visit's frozen version, whatever a newer version reorders or adds."""
    plain = [i for i in checklist.items if i.answer_type == "yes_no" and not i.critical]
    answers = all_passing(checklist) | {plain[-1].id: "خیر"}
    visit_id = create(desk, visit(centre, answers))
    before = visits.get_visit(desk.uow, visit_id).answers

    draft_id = templates.create_draft(desk.uow, checklist.category_id)
    draft = templates.get_template(desk.uow, draft_id)
    specs = [templates.ItemSpec("تازه", "بند افزوده در آغاز", "yes_no", 0, 1, False)]
    specs += [i.to_spec() for i in reversed(draft.items)]  # a new item first, the rest reversed
    templates.save_draft(desk.uow, draft_id, draft.title, draft.pass_score, specs, draft.row_version)
    templates.activate_template(desk.uow, draft_id)

    detail = visits.get_visit(desk.uow, visit_id)
    assert detail.template_id == checklist.id and detail.answers == before
    no = next(a for a in detail.answers if a.item_id == plain[-1].id)
    assert (no.value, no.failed) == ("no", True)
    assert all(a.value == "yes" for a in detail.answers if a.answer_type == "yes_no" and a is not no)
    # and the visit still saves against its own version
    visits.update_visit(desk.uow, visit_id, detail.to_input(), detail.row_version, today=TODAY)
    assert visits.get_visit(desk.uow, visit_id).answers == before


def test_stored_answers_that_do_not_fit_the_checklist_are_not_assigned(desk, centre, checklist, caplog):
    visit_id = create(desk, visit(centre, all_passing(checklist)))
    with desk.uow.writing():
        row = desk.uow.s.get(Inspection, visit_id)
        row.answers = '["no","no"]'  # too few values: which item is whose cannot be known
        desk.uow.commit()
    with caplog.at_level("WARNING"):
        detail = visits.get_visit(desk.uow, visit_id)
    assert all(a.value is None and not a.failed for a in detail.answers)
    assert visit_id in caplog.text
    with pytest.raises(ValidationError) as err:  # not overwritten unseen either
        visits.update_visit(desk.uow, visit_id, detail.to_input(), detail.row_version, today=TODAY)
    assert err.value.field == "answers" and "جور نیست" in err.value.message


def test_a_score_items_finding_follows_its_changed_score(desk, centre, checklist):
    score = next(i for i in checklist.items if i.answer_type == "score" and i.max_score >= 2)
    top = text_digits(score.max_score)
    answers = all_passing(checklist) | {score.id: "1"}
    visit_id = create(desk, visit(centre, answers, correction_deadline=j(1403, 5, 30)))
    detail = visits.get_visit(desk.uow, visit_id)
    [finding] = detail.findings
    assert finding.text == f"{score.text} — امتیاز ۱ از {top}"
    changed = VisitInput(**{**detail.to_input().__dict__, "answers": answers | {score.id: "0"}})
    visits.update_visit(desk.uow, visit_id, changed, detail.row_version, today=TODAY)
    [finding] = visits.get_visit(desk.uow, visit_id).findings
    assert finding.text == f"{score.text} — امتیاز ۰ از {top}"
