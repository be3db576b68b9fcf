"""The memoranda's coded values and money in the audit trail: a party kind, a memorandum's and an office's
state by their Persian names, amounts, tranches and budgets in rials with separators — as the history tab
and the audit export show them."""

from __future__ import annotations

import pytest

from ostandari_desk.services.audit import history_of
from ostandari_desk.services.audit_values import coded_value_label, readable_value
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import offices as of
from ostandari_desk.services.memoranda import payments as pay

from .memorandum_fixtures import j, make_memo


def _shown(uow, record_id: str) -> dict[str, str]:
    """{field: the new value as shown} of the record's trail (the latest change of each field)."""
    shown: dict[str, str] = {}
    for line in reversed(history_of(uow, record_id)):  # oldest first: the latest wins
        if line.field:
            shown[line.field] = readable_value(line.after, line.table_name, line.field)
    return shown


def test_a_memorandums_trail_names_its_codes_and_separates_its_money(desk):
    memo_id = make_memo(desk, amount=1_500_000_000)
    created = _shown(desk.uow, memo_id)
    assert created["party_kind"] == "فرمانداری"
    assert created["state"] == "جاری"
    assert created["amount"] == "۱٬۵۰۰٬۰۰۰٬۰۰۰ ریال"
    ms.set_memorandum_state(desk.uow, memo_id, "completed", 1)
    assert _shown(desk.uow, memo_id)["state"] == "خاتمه‌یافته"
    payment = pay.add_payment(desk.uow, pay.PaymentInput(memo_id, j(1403, 1, 20), 1, 250_000_000))
    assert _shown(desk.uow, payment)["amount"] == "۲۵۰٬۰۰۰٬۰۰۰ ریال"


def test_an_offices_trail_names_its_state_and_separates_its_budget(desk):
    data = of.OfficeInput(
        name="دفتر محله", county_id=desk.counties["قزوین"], budget=2_000_000, state="planned"
    )
    office = of.create_office(desk.uow, data)
    shown = _shown(desk.uow, office)
    assert (shown["state"], shown["budget"]) == ("در دست راه‌اندازی", "۲٬۰۰۰٬۰۰۰ ریال")


@pytest.mark.parametrize(
    ("value", "table", "field", "label"),
    [
        ("ngo", "memorandum", "party_kind", "سمن"),
        ("county", "memorandum", "party_kind", "فرمانداری"),
        ("active", "memorandum", "state", "جاری"),
        ("cancelled", "memorandum", "state", "لغوشده"),
        ("open", "facilitationoffice", "state", "فعال"),
        ("closed", "facilitationoffice", "state", "بسته"),
        ("1500000", "memorandum", "amount", "۱٬۵۰۰٬۰۰۰ ریال"),
        ("۱۵۰۰۰۰۰", "payment", "amount", "۱٬۵۰۰٬۰۰۰ ریال"),
        ("0", "facilitationoffice", "budget", "۰ ریال"),
        ("-۲۰۰۰", "memorandum", "paid_total", "-۲٬۰۰۰ ریال"),
        ("", "memorandum", "amount", None),  # no value: nothing to name
        ("۱٫۵", "memorandum", "amount", None),  # not whole rials: as it is
        ("1500000", "inspection", "amount", None),  # another table's «amount» is not money here
        ("active", "facilitationoffice", "state", None),  # a memorandum's code, not an office's
    ],
)
def test_labels(value, table, field, label):
    assert coded_value_label(value, table, field) == label
