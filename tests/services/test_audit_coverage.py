"""Every public mutating service function writes its audit, as the acting user.

The functions are found by walking the services (and settings.py): a public function whose first parameter is
the unit of work (or the engine) and that commits, itself or through a helper of its module. Each must have a
recipe here; a new mutating function without one fails ``test_every_mutating_function_has_a_recipe``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ostandari_desk import settings
from ostandari_desk.domain.roles import SYSTEM, Role
from ostandari_desk.services import attachments as att
from ostandari_desk.services import (
    backup,
    events,
    health,
    letters,
    reference,
    reporting,
    setup,
    transfer,
    users,
)
from ostandari_desk.services import licences as lic
from ostandari_desk.services import ngos as ngo_service
from ostandari_desk.services.audit import AuditFilter
from ostandari_desk.services.audit_export import export_audit
from ostandari_desk.store.models import AuditEntry
from ostandari_desk.store.uow import UnitOfWork
from tests.ngo_sheets import good_row, write_xlsx

LEGAL = "آیین‌نامه ۱۳۹۵، ماده ۶"
PASSWORD = "secret-123"


def _public_mutators() -> set[str]:
    import ostandari_desk.services as package

    modules = [settings]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".demo" not in info.name and not info.name.endswith(".session"):
            modules.append(importlib.import_module(info.name))
    found: set[str] = set()
    for module in modules:
        funcs = {
            name: f
            for name, f in vars(module).items()
            if inspect.isfunction(f) and f.__module__ == module.__name__
        }
        mutating = {name for name, f in funcs.items() if "commit()" in inspect.getsource(f)}
        grew = True
        while grew:  # a function calling one of its module's committing helpers commits too
            grew = False
            for name, f in funcs.items():
                if name not in mutating and mutating & set(f.__code__.co_names):
                    mutating.add(name)
                    grew = True
        for name in mutating:
            params = list(inspect.signature(funcs[name]).parameters)
            if not name.startswith("_") and params and params[0] in ("uow", "engine"):
                found.add(f"{module.__name__.removeprefix('ostandari_desk.')}.{name}")
    return found


@dataclass
class Env:
    desk: Any
    make_ngo: Callable[..., str]
    tmp_path: Path
    request: Any = None  # the test's pytest request: a recipe's other fixtures (a second desk's database)

    @property
    def uow(self) -> UnitOfWork:
        return self.desk.uow

    def county(self, name: str = "آبیک") -> str:
        return self.desk.counties[name]


def j(year: int, month: int, day: int) -> date:
    from ostandari_desk.domain import jalali

    return jalali.from_jalali(year, month, day)


def _approved(env: Env, *, decide: bool = True) -> tuple[str, str]:
    ngo_id = env.make_ngo()
    case_id = lic.open_case(env.uow, ngo_id, "establishment", j(1401, 2, 1))
    lic.check_documents(env.uow, case_id, j(1401, 2, 3))
    for inquiry_id in lic.send_inquiries(env.uow, case_id, j(1401, 2, 5)):
        lic.answer_inquiry(env.uow, inquiry_id, j(1401, 2, 20), "favourable")
    if decide:
        lic.decide_case(env.uow, case_id, True, j(1401, 3, 1), j(1401, 3, 1), LEGAL)
    return ngo_id, case_id


def _licensed(env: Env) -> str:
    ngo_id, case_id = _approved(env)
    lic.issue_licence(env.uow, case_id, j(1401, 3, 10), f"پ-{ngo_id[:6]}")
    return ngo_id


def _event(env: Env) -> str:
    data = events.EventInput(
        kind="course", title="دوره آموزشی", starts_on=j(1402, 1, 20), county_id=env.county()
    )
    return events.create_event(env.uow, data)


def _letter(env: Env, number: str = "۱۰۱") -> str:
    data = letters.LetterInput(
        direction="outgoing",
        number=number,
        dated_on=j(1402, 2, 1),
        party="اداره کل بهزیستی",
        subject="هماهنگی",
        kind="support",
        county_id=env.county(),
    )
    return letters.create_letter(env.uow, data)


def _user(env: Env) -> str:
    return users.create_user(env.uow, "reza", "رضا", "clerk", PASSWORD)


def _ngo_input(env: Env, ngo_id: str, **changes: Any) -> ngo_service.NgoInput:
    detail = ngo_service.get_ngo(env.uow, ngo_id)
    values = {
        "national_id": detail.national_id,
        "name": detail.name,
        "county_id": detail.county_id,
        "level": detail.level,
        "registration_no": detail.registration_no,
        "ceo_name": detail.ceo_name,
    }
    values.update(changes)
    return ngo_service.NgoInput(**values)


def _attachment(env: Env) -> str:
    source = env.tmp_path / "scan.txt"
    source.write_text("نامه", encoding="utf-8")
    return att.add_attachment(env.uow, att.LETTER, _letter(env), source)


def _attachment_owner(env: Env) -> str:
    """A letter with one attachment; returns the letter's id."""
    source = env.tmp_path / "scan.txt"
    source.write_text("نامه", encoding="utf-8")
    letter_id = _letter(env)
    att.add_attachment(env.uow, att.LETTER, letter_id, source)
    return letter_id


def _ngo_sheet(env: Env) -> Path:
    return write_xlsx(env.tmp_path / "ngos.xlsx", [good_row(1), good_row(2)])


def _first_item(env: Env, kind: str = "field") -> str:
    return reference.list_items(env.uow, kind)[0].id


# name -> (set-up returning the arguments' values, the call). The call runs after the set-up's own audit.
RECIPES: dict[str, tuple[Callable[[Env], Any], Callable[[Env, Any], Any]]] = {
    "settings.set_setting": (
        lambda e: None,
        lambda e, _: settings.set_setting(e.uow, "inquiry_due_days", 45),
    ),
    "services.setup.initialize": (
        lambda e: None,
        lambda e, _: setup.initialize(UnitOfWork(e.desk.engine, e.desk.uow.actor), "قزوین"),
    ),
    "services.reference.add_county": (
        lambda e: None,
        lambda e, _: reference.add_county(e.uow, "شهرستان تازه"),
    ),
    "services.reference.rename_county": (
        lambda e: e.county(),
        lambda e, c: reference.rename_county(e.uow, c, "آبیک نو"),
    ),
    "services.reference.set_county_active": (
        lambda e: e.county(),
        lambda e, c: reference.set_county_active(e.uow, c, False),
    ),
    "services.reference.move_county": (lambda e: e.county(), lambda e, c: reference.move_county(e.uow, c, 1)),
    "services.reference.set_county_population": (
        lambda e: e.county(),
        lambda e, c: reference.set_county_population(e.uow, c, 120_000, 1),
    ),
    "services.reference.add_item": (
        lambda e: None,
        lambda e, _: reference.add_item(e.uow, "field", "گردشگری"),
    ),
    "services.reference.rename_item": (
        lambda e: _first_item(e),
        lambda e, i: reference.rename_item(e.uow, i, "آسیب‌های اجتماعی نوپدید"),
    ),
    "services.reference.set_item_active": (
        lambda e: _first_item(e),
        lambda e, i: reference.set_item_active(e.uow, i, False),
    ),
    "services.reference.move_item": (lambda e: _first_item(e), lambda e, i: reference.move_item(e.uow, i, 1)),
    "services.ngos.commands.create_ngo": (lambda e: None, lambda e, _: e.make_ngo()),
    "services.ngos.commands.update_ngo": (
        lambda e: e.make_ngo(),
        lambda e, n: ngo_service.update_ngo(
            e.uow, n, _ngo_input(e, n, phone="02833330000"), [], ngo_service.get_ngo(e.uow, n).row_version
        ),
    ),
    "services.ngos.commands.set_ngo_active": (
        lambda e: e.make_ngo(),
        lambda e, n: ngo_service.set_ngo_active(e.uow, n, False),
    ),
    "services.events.create_event": (lambda e: None, lambda e, _: _event(e)),
    "services.events.update_event": (
        lambda e: _event(e),
        lambda e, ev: events.update_event(
            e.uow,
            ev,
            events.EventInput(
                kind="course", title="دوره بازآموزی", starts_on=j(1402, 1, 20), county_id=e.county()
            ),
            events.get_event(e.uow, ev).row_version,
        ),
    ),
    "services.events.delete_event": (lambda e: _event(e), lambda e, ev: events.delete_event(e.uow, ev)),
    "services.letters.create_letter": (lambda e: None, lambda e, _: _letter(e)),
    "services.letters.update_letter": (
        lambda e: _letter(e),
        lambda e, lt: letters.update_letter(
            e.uow,
            lt,
            letters.LetterInput(
                direction="outgoing",
                number="۱۰۱",
                dated_on=j(1402, 2, 2),
                party="اداره کل بهزیستی",
                subject="هماهنگی دوباره",
                kind="support",
                county_id=e.county(),
            ),
            letters.get_letter(e.uow, lt).row_version,
        ),
    ),
    "services.letters.delete_letter": (lambda e: _letter(e), lambda e, lt: letters.delete_letter(e.uow, lt)),
    "services.attachments.add_attachment": (lambda e: None, lambda e, _: _attachment(e)),
    "services.attachments.remove_attachment": (
        lambda e: _attachment(e),
        lambda e, a: att.remove_attachment(e.uow, att.LETTER, a),
    ),
    "services.attachments.remove_owner_attachments": (
        lambda e: _attachment_owner(e),
        lambda e, lt: att.remove_owner_attachments(e.uow, att.LETTER, lt),
    ),
    "services.licences.cases.open_case": (
        lambda e: e.make_ngo(),
        lambda e, n: lic.open_case(e.uow, n, "establishment", j(1401, 2, 1)),
    ),
    "services.licences.cases.check_documents": (
        lambda e: lic.open_case(e.uow, e.make_ngo(), "establishment", j(1401, 2, 1)),
        lambda e, c: lic.check_documents(e.uow, c, j(1401, 2, 3)),
    ),
    "services.licences.cases.send_inquiries": (
        lambda e: _checked(e),
        lambda e, c: lic.send_inquiries(e.uow, c, j(1401, 2, 5)),
    ),
    "services.licences.cases.answer_inquiry": (
        lambda e: lic.send_inquiries(e.uow, _checked(e), j(1401, 2, 5))[0],
        lambda e, q: lic.answer_inquiry(e.uow, q, j(1401, 2, 20), "favourable"),
    ),
    "services.licences.cases.decide_case": (
        lambda e: _approved(e, decide=False)[1],
        lambda e, c: lic.decide_case(e.uow, c, True, j(1401, 3, 1), j(1401, 3, 1), LEGAL),
    ),
    "services.licences.cases.complete_case": (
        lambda e: _approved(e)[1],
        lambda e, c: lic.complete_case(e.uow, c, j(1401, 3, 10), licence_number="پ-۹۰۱"),
    ),
    "services.licences.cases.issue_licence": (
        lambda e: _approved(e)[1],
        lambda e, c: lic.issue_licence(e.uow, c, j(1401, 3, 10), "پ-۹۰۲"),
    ),
    "services.licences.cases.renew_licence": (
        lambda e: _renewal(e),
        lambda e, c: lic.renew_licence(e.uow, c, j(1404, 3, 10), "پ-۹۰۳"),
    ),
    "services.licences.cases.withdraw_case": (
        lambda e: lic.open_case(e.uow, e.make_ngo(), "establishment", j(1401, 2, 1)),
        lambda e, c: lic.withdraw_case(e.uow, c, j(1401, 2, 9), "انصراف متقاضی"),
    ),
    "services.licences.sanctions.suspend_licence": (
        lambda e: _licensed(e),
        lambda e, n: lic.suspend_licence(
            e.uow, n, j(1402, 1, 15), "۵۵/ت", "گزارش تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
        ),
    ),
    "services.licences.sanctions.lift_suspension": (
        lambda e: _suspended(e),
        lambda e, n: lic.lift_suspension(e.uow, n, j(1402, 2, 15), "۵۶/ت"),
    ),
    "services.licences.sanctions.impose_sanction": (
        lambda e: _licensed(e),
        lambda e, n: lic.impose_sanction(
            e.uow, n, "written_warning", j(1402, 1, 15), "۵۸/ت", "تأخیر", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
        ),
    ),
    "services.licences.sanctions.revoke_licence": (
        lambda e: _licensed(e),
        lambda e, n: lic.revoke_licence(e.uow, n, j(1402, 1, 15), "۵۷/ت", "انحلال", "آیین‌نامه ۱۳۹۵، ماده ۱۷"),
    ),
    "services.transfer.base.finish_import": (
        lambda e: _ngo_sheet(e),
        lambda e, path: transfer.import_file(e.uow, "ngos", path),
    ),
    "services.transfer.export_file": (
        lambda e: e.make_ngo(),
        lambda e, _: transfer.export_file(e.uow, "ngos", e.tmp_path / "out.xlsx"),
    ),
    "services.reporting.record_printed": (
        lambda e: None,
        lambda e, _: reporting.record_printed(
            e.uow,
            reporting.PaperData(reporting.ReportRequest("annual", year=1402), None, "report", "", "گزارش"),
        ),
    ),
    "services.audit_export.export_audit": (
        lambda e: None,
        lambda e, _: export_audit(e.uow, AuditFilter(), e.tmp_path / "audit.xlsx"),
    ),
    "services.backup.make_backup": (
        lambda e: None,
        lambda e, _: backup.make_backup(e.uow, _db_file(e), e.tmp_path / "backup.zip"),
    ),
    "services.backup.make_automatic_backup": (
        lambda e: settings.set_setting(e.uow, "backup_folder", str(e.tmp_path / "backups")),
        lambda e, _: backup.make_automatic_backup(e.uow, _db_file(e)),
    ),
    "services.health.check_health": (lambda e: None, lambda e, _: health.check_health(e.uow, repair=True)),
    "services.users.create_first_admin": (
        lambda e: None,
        lambda e, _: None,
    ),  # see test_first_admin_is_audited
    "services.users.add_demo_user": (
        lambda e: None,
        lambda e, _: users.add_demo_user(e.uow, "demo", "کاربر نمونه", Role.MANAGER, "demo"),
    ),
    "services.users.create_user": (lambda e: None, lambda e, _: _user(e)),
    "services.users.update_user": (
        lambda e: _user(e),
        lambda e, u: users.update_user(e.uow, u, "رضا رضایی", "manager"),
    ),
    "services.users.set_user_active": (
        lambda e: _user(e),
        lambda e, u: users.set_user_active(e.uow, u, False),
    ),
    "services.users.reset_password": (
        lambda e: _user(e),
        lambda e, u: users.reset_password(e.uow, u, "another-1"),
    ),
    "services.users.authenticate": (
        lambda e: _user(e),
        lambda e, _: users.authenticate(e.desk.engine, "reza", PASSWORD),
    ),
    "services.users.change_own_password": (
        lambda e: _user(e),
        lambda e, _: users.change_own_password(
            UnitOfWork(e.desk.engine, users.authenticate(e.desk.engine, "reza", PASSWORD)),
            PASSWORD,
            "another-1",
        ),
    ),
    "services.users.log_out": (lambda e: None, lambda e, _: users.log_out(e.uow)),
    # checklists, visits and corrective actions (services/inspections)
    "services.inspections.templates.create_draft": (
        lambda e: _insp_category(e),
        lambda e, c: _insp_templates().create_draft(e.uow, c),
    ),
    "services.inspections.templates.save_draft": (
        lambda e: _insp_templates().create_draft(e.uow, _insp_category(e)),
        lambda e, d: _insp_templates().save_draft(
            e.uow,
            d,
            "چک‌لیست تازه",
            75,
            [_insp_templates().ItemSpec("مدارک", "پروانه معتبر دارد", critical=True)],
            _insp_templates().get_template(e.uow, d).row_version,
        ),
    ),
    "services.inspections.templates.activate_template": (
        lambda e: _insp_templates().create_draft(e.uow, _insp_category(e)),
        lambda e, d: _insp_templates().activate_template(e.uow, d),
    ),
    "services.inspections.templates.retire_template": (
        lambda e: _insp_templates().active_template(e.uow, _insp_category(e)).id,
        lambda e, t: _insp_templates().retire_template(e.uow, t),
    ),
    "services.inspections.templates.delete_draft": (
        lambda e: _insp_templates().create_draft(e.uow, _insp_category(e)),
        lambda e, d: _insp_templates().delete_draft(e.uow, d),
    ),
    "services.inspections.templates.seed_default_templates": (
        lambda e: _insp_without_templates(e),
        lambda e, _: _insp_templates().seed_default_templates(e.uow),
    ),
    "services.inspections.visits.create_visit": (
        lambda e: _insp_centre(e),
        lambda e, c: _insp_visits().create_visit(e.uow, _insp_visit_input(c), today=j(1403, 6, 1)),
    ),
    "services.inspections.visits.update_visit": (
        lambda e: _insp_visit(e),
        lambda e, v: _insp_visits().update_visit(
            e.uow,
            v,
            _insp_visit_input(_insp_visits().get_visit(e.uow, v).centre_id, notes="با حضور مدیر مرکز"),
            _insp_visits().get_visit(e.uow, v).row_version,
            today=j(1403, 6, 1),
        ),
    ),
    "services.inspections.visits.close_visit": (
        lambda e: _insp_visit(e),
        lambda e, v: _insp_visits().close_visit(e.uow, v, _insp_visits().get_visit(e.uow, v).row_version),
    ),
    "services.inspections.visits.add_visit_note": (
        lambda e: _insp_visit(e),
        lambda e, v: _insp_visits().add_visit_note(e.uow, v, "اصلاحیه: ساعت بازدید ۱۱ بود"),
    ),
    "services.inspections.actions.add_action": (
        lambda e: _insp_finding(e),
        lambda e, f: _insp_actions().add_action(e.uow, f, "ارائه گواهی", j(1403, 5, 30)),
    ),
    "services.inspections.actions.complete_action": (
        lambda e: _insp_actions().add_action(e.uow, _insp_finding(e), "ارائه گواهی", j(1403, 5, 30)),
        lambda e, a: _insp_actions().complete_action(e.uow, a, j(1403, 5, 20)),
    ),
    "services.inspections.actions.refer_finding": (
        lambda e: _insp_finding(e),
        lambda e, f: _insp_actions().refer_finding(e.uow, f, j(1403, 5, 12)),
    ),
    # the centres register and the unannounced plan (services/inspections: centres, plan)
    "services.inspections.centres.create_centre": (lambda e: None, lambda e, _: _centre(e)),
    "services.inspections.centres.update_centre": (
        lambda e: _centre(e),
        lambda e, c: _centres().update_centre(e.uow, c, _centre_edited(e, c), 1),
    ),
    "services.inspections.centres.set_centre_active": (
        lambda e: _centre(e),
        lambda e, c: _centres().set_centre_active(e.uow, c, False, 1),
    ),
    # facilitation offices (services/memoranda/offices.py)
    "services.memoranda.offices.create_office": (lambda e: None, lambda e, _: _office(e)),
    "services.memoranda.offices.update_office": (
        lambda e: _office(e),
        lambda e, o: _offices().update_office(
            e.uow, o, _offices().OfficeInput(name="دفتر تسهیلگری آبیک", county_id=e.county(), budget=10), 1
        ),
    ),
    # the first plan makes the desk's plan key (audited without the key itself)
    "services.inspections.plan.monthly_plan": (
        lambda e: _centre(e),
        lambda e, _: _plan().monthly_plan(e.uow, e.county(), 1403, 7),
    ),
    # the desk's exchange keys, made on first use by a database set up before them (audited without the key)
    "services.exchange.keys.create_keys": (
        lambda e: _no_exchange_keys(e),
        lambda e, _: _keys().create_keys(e.uow),
    ),
    "services.exchange.keys.desk_identity": (
        lambda e: _no_exchange_keys(e),
        lambda e, _: _keys().desk_identity(e.uow),
    ),
    "services.exchange.keys.sign": (
        lambda e: _no_exchange_keys(e),
        lambda e, _: _keys().sign(e.uow, b"data"),
    ),
    "services.exchange.keys.signer": (lambda e: _no_exchange_keys(e), lambda e, _: _keys().signer(e.uow)),
    "services.exchange.desks.register_desk": (
        lambda e: _county_desk_peer(e),
        lambda e, peer: _desks().register_desk(e.uow, peer),
    ),
    # exchange files between the province's desk (the test's) and آبیک's (a second database)
    "services.exchange.export.export_changes": (
        lambda e: _abyek_registered_with_an_ngo(e),
        lambda e, _: _exchange("export").export_changes(e.uow, e.tmp_path / "to-abyek.oex", county="آبیک"),
    ),
    "services.exchange.imports.import_file": (
        lambda e: _county_changes(e)[1],
        lambda e, path: _exchange("imports").import_file(e.uow, path),
    ),
    "services.exchange.receipts.write_receipt": (
        lambda e: _exchange("imports").import_file(e.uow, _county_changes(e)[1]),
        lambda e, _: _exchange("receipts").write_receipt(e.uow, e.tmp_path / "receipt.oex", county="آبیک"),
    ),
    "services.exchange.conflicts.resolve_conflict": (
        lambda e: _exchange_conflict(e),
        lambda e, c: _exchange("conflicts").resolve_conflict(e.uow, c, "theirs"),
    ),
}


def _exchange(name: str):
    import importlib

    return importlib.import_module(f"ostandari_desk.services.exchange.{name}")


def _abyek_registered_with_an_ngo(env: Env) -> str:
    _desks().register_desk(env.uow, _county_desk_peer(env))
    return env.make_ngo(county="آبیک")


def _county_changes(env: Env):
    """آبیک's own desk (a second database, registered at the test's province desk and it at آبیک's) with one
    new NGO, and its changes file for the province: (the county's desk, the file, the NGO's id)."""
    from tests.services.exchange_desks import COUNTY, _side

    county = _side(
        "county", env.request.getfixturevalue("_migrated_template"), env.tmp_path / "abyek", COUNTY
    )
    env.request.addfinalizer(county.engine.dispose)
    mine, theirs = env.tmp_path / "province.identity", env.tmp_path / "abyek.identity"
    _desks().write_identity(env.uow, mine)
    county.call(_desks().write_identity, theirs)
    _desks().register_desk(env.uow, _desks().read_identity(theirs))
    county.call(_desks().register_desk, _desks().read_identity(mine))
    ngo_id = county.make_ngo(name="انجمن یاوران آبیک")
    county.export(env.tmp_path / "from-abyek-1.oex")
    return county, env.tmp_path / "from-abyek-1.oex", ngo_id


def _exchange_conflict(env: Env) -> str:
    """Both desks edit the NGO آبیک sent; its second file leaves one open conflict at the province: its id."""
    import dataclasses

    county, first, ngo_id = _county_changes(env)
    _exchange("imports").import_file(env.uow, first)
    detail = ngo_service.get_ngo(env.uow, ngo_id)
    changed = dataclasses.replace(detail.to_input(), address="آبیک، خیابان استان")
    ngo_service.update_ngo(env.uow, ngo_id, changed, [], detail.row_version)
    with county.here() as uow:
        detail = ngo_service.get_ngo(uow, ngo_id)
        changed = dataclasses.replace(detail.to_input(), address="آبیک، خیابان شهرستان")
        ngo_service.update_ngo(uow, ngo_id, changed, [], detail.row_version)
    county.export(env.tmp_path / "from-abyek-2.oex")
    assert _exchange("imports").import_file(env.uow, env.tmp_path / "from-abyek-2.oex").conflicts == 1
    (waiting,) = _exchange("conflicts").list_conflicts(env.uow)
    return waiting.id


def _keys():
    from ostandari_desk.services.exchange import keys

    return keys


def _desks():
    from ostandari_desk.services.exchange import desks

    return desks


def _no_exchange_keys(env: Env) -> None:
    from sqlalchemy import delete

    from ostandari_desk.store.models import Setting

    with env.uow.writing():  # below the session, as a database from before exchange files
        env.uow.s.connection().execute(delete(Setting).where(Setting.key.in_(_keys().KEY_SETTINGS)))
        env.uow.commit()


def _county_desk_peer(env: Env):
    import os

    from ostandari_desk.domain import reference_ids

    key = os.urandom(32)
    return _desks().PeerIdentity(
        desk_id="c" * 32,
        province="قزوین",
        province_id=reference_ids.province_id("قزوین"),
        county="آبیک",
        county_id=env.county("آبیک"),
        public_key=key,
        fingerprint=_keys().fingerprint(key),
        created_at="2024-01-01T00:00:00+00:00",
    )


def _offices():
    from ostandari_desk.services.memoranda import offices

    return offices


def _office(env: Env) -> str:
    data = _offices().OfficeInput(name="دفتر تسهیلگری آبیک", county_id=env.county(), opened_on=j(1403, 1, 5))
    return _offices().create_office(env.uow, data)


def _memo_services():
    from ostandari_desk.services.memoranda import memoranda, payments, progress

    return memoranda, progress, payments


def _memo(env: Env) -> str:
    memoranda = _memo_services()[0]
    data = memoranda.MemorandumInput(
        number="ت-۱",
        title="کاهش طلاق",
        party_kind="county",
        county_id=env.county(),
        amount=1_000,
        signed_on=j(1403, 1, 15),
    )
    return memoranda.create_memorandum(env.uow, data)


def _memo_edited(env: Env, memo_id: str) -> None:
    import dataclasses

    memoranda = _memo_services()[0]
    data = dataclasses.replace(memoranda.get_memorandum(env.uow, memo_id).to_input(), amount=2_000)
    memoranda.update_memorandum(env.uow, memo_id, data, 1)


def _memo_progress(env: Env) -> str:
    progress = _memo_services()[1]
    return progress.add_progress(env.uow, progress.ProgressInput(_memo(env), j(1403, 2, 1), 50))


def _memo_payment(env: Env) -> str:
    payments = _memo_services()[2]
    return payments.add_payment(env.uow, payments.PaymentInput(_memo(env), j(1403, 2, 1), 1, 500))


# memoranda, their progress reports and payments (services/memoranda: memoranda, progress, payments)
_MEMO_RECIPES: dict[str, tuple[Callable[[Env], Any], Callable[[Env, Any], Any]]] = {
    "services.memoranda.memoranda.create_memorandum": (lambda e: None, lambda e, _: _memo(e)),
    "services.memoranda.memoranda.update_memorandum": (lambda e: _memo(e), _memo_edited),
    "services.memoranda.memoranda.set_memorandum_state": (
        lambda e: _memo(e),
        lambda e, m: _memo_services()[0].set_memorandum_state(e.uow, m, "completed", 1),
    ),
    "services.memoranda.progress.add_progress": (lambda e: None, lambda e, _: _memo_progress(e)),
    "services.memoranda.progress.remove_progress": (
        lambda e: _memo_progress(e),
        lambda e, p: _memo_services()[1].remove_progress(e.uow, p),
    ),
    "services.memoranda.payments.add_payment": (lambda e: None, lambda e, _: _memo_payment(e)),
    "services.memoranda.payments.remove_payment": (
        lambda e: _memo_payment(e),
        lambda e, p: _memo_services()[2].remove_payment(e.uow, p),
    ),
    # the progress and payments sheets store each good row as it is checked (transfer/memorandum_rows.py)
    "services.transfer.memorandum_rows.import_row_by_row": (
        lambda e: _memo(e) and _progress_sheet(e),
        lambda e, path: transfer.import_file(e.uow, "progress", path),
    ),
    # the licences sheet applies its rows through the licensing services (transfer/licences_apply.py)
    "services.transfer.licences_apply.import_rows": (
        lambda e: _licences_sheet(e),
        lambda e, path: transfer.import_file(e.uow, "licences", path),
    ),
}
RECIPES.update(_MEMO_RECIPES)


def _licences_sheet(env: Env) -> Path:
    """A licences sheet issuing a licence to a new NGO (its first imported step)."""
    from ostandari_desk.services.ngos import get_ngo

    national_id = get_ngo(env.uow, env.make_ngo()).national_id
    path = env.tmp_path / "licences.csv"
    transfer.template("licences", path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{national_id},صدور پروانه,1401/03/01,,,,,,ق-۷,1405/03/01,,\n")
    return path


def _progress_sheet(env: Env) -> Path:
    path = env.tmp_path / "progress.csv"
    transfer.template("progress", path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("ت-۱,1403/02/01,50,\n")
    return path


def _centres():
    from ostandari_desk.services.inspections import centres

    return centres


def _plan():
    from ostandari_desk.services.inspections import plan

    return plan


def _centre(env: Env) -> str:
    data = _centres().CentreInput(
        code="AB-1", name="کشتارگاه آبیک", category_id=_insp_category(env), county_id=env.county()
    )
    return _centres().create_centre(env.uow, data)


def _centre_edited(env: Env, centre_id: str):
    import dataclasses

    stored = _centres().get_centre(env.uow, centre_id).to_input()
    return dataclasses.replace(stored, operator="بهره‌بردار تازه")


# --- inspections (services/inspections) ---------------------------------------------------------


def _insp_templates():
    from ostandari_desk.services.inspections import templates

    return templates


def _insp_visits():
    from ostandari_desk.services.inspections import visits

    return visits


def _insp_actions():
    from ostandari_desk.services.inspections import actions

    return actions


def _insp_category(env: Env) -> str:
    return reference.item_id_by_name(env.uow, "centre_category", "کشتارگاه")


def _insp_without_templates(env: Env) -> None:
    with env.desk.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM checklistitem")
        conn.exec_driver_sql("DELETE FROM checklisttemplate")


def _insp_centre(env: Env) -> str:
    from tests.services.inspection_fixtures import insert_centre

    return insert_centre(env.uow, env.county())


def _insp_visit_input(centre_id: str, **changes: Any):
    values: dict[str, Any] = {
        "centre_id": centre_id,
        "on": j(1403, 5, 10),
        "score": 90,
        "result_override": "مطلوب",
    }
    values.update(changes)
    return _insp_visits().VisitInput(**values)


def _insp_visit(env: Env) -> str:
    return _insp_visits().create_visit(env.uow, _insp_visit_input(_insp_centre(env)), today=j(1403, 6, 1))


def _insp_finding(env: Env) -> str:
    data = _insp_visit_input(
        _insp_centre(env),
        result_override="نیازمند اصلاح",
        correction_deadline=j(1403, 5, 25),
        findings=(_insp_visits().FindingInput("نظافت نامناسب", "minor"),),
    )
    visit_id = _insp_visits().create_visit(env.uow, data, today=j(1403, 6, 1))
    return _insp_visits().get_visit(env.uow, visit_id).findings[0].id


def _db_file(env: Env) -> Path:
    return Path(env.desk.engine.url.database)


def _checked(env: Env) -> str:
    case_id = lic.open_case(env.uow, env.make_ngo(), "establishment", j(1401, 2, 1))
    lic.check_documents(env.uow, case_id, j(1401, 2, 3))
    return case_id


def _suspended(env: Env) -> str:
    ngo_id = _licensed(env)
    lic.suspend_licence(env.uow, ngo_id, j(1402, 1, 15), "۵۵/ت", "گزارش تخلف", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    return ngo_id


def _renewal(env: Env) -> str:
    ngo_id = _licensed(env)
    case_id = lic.open_case(env.uow, ngo_id, "renewal", j(1404, 2, 1))
    lic.check_documents(env.uow, case_id, j(1404, 2, 3))
    lic.decide_case(env.uow, case_id, True, j(1404, 3, 1), j(1404, 3, 1), LEGAL)
    return case_id


def test_every_mutating_function_has_a_recipe():
    discovered = _public_mutators()
    assert discovered - set(RECIPES) == set(), "add a recipe (and make sure it writes its audit)"
    assert set(RECIPES) - discovered == set(), "a recipe for a function that no longer commits"


def _audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditEntry.__table__)).scalar_one()


def _new_entries(engine, after: int) -> list:
    table = AuditEntry.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.username, table.c.action, table.c.table_name)).all()
    return rows[after:] if len(rows) > after else []


@pytest.fixture
def fresh_engine(engine):
    """For initialize: a database not yet set up."""
    return engine


def _writes_begin_immediate(monkeypatch) -> None:
    """From here on a write from a transaction that began DEFERRED (a service without ``uow.writing()``,
    which would pick keys and check versions before taking the write lock) raises UndeclaredWriteError."""
    monkeypatch.setattr(UnitOfWork, "strict_writes", True)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_each_mutating_function_writes_its_audit(name, request, tmp_path, monkeypatch):
    if name == "services.setup.initialize":
        engine = request.getfixturevalue("engine")
        before = _audit_count(engine)
        _writes_begin_immediate(monkeypatch)
        setup.initialize(UnitOfWork(engine, SYSTEM), "قزوین")
        entries = _new_entries(engine, before)
        assert entries and {e.username for e in entries} == {"system"}
        return
    if name == "services.users.create_first_admin":
        engine = request.getfixturevalue("engine")
        setup.initialize(UnitOfWork(engine, SYSTEM), "قزوین")
        before = _audit_count(engine)
        _writes_begin_immediate(monkeypatch)
        users.create_first_admin(UnitOfWork(engine, SYSTEM), "admin", "مدیر", PASSWORD)
        assert ("system", "insert", "user") in _new_entries(engine, before)
        return
    env = Env(request.getfixturevalue("desk"), request.getfixturevalue("make_ngo"), tmp_path, request)
    prepare, call = RECIPES[name]
    value = prepare(env)
    before = _audit_count(env.desk.engine)
    _writes_begin_immediate(monkeypatch)
    call(env, value)
    entries = _new_entries(env.desk.engine, before)
    assert entries, f"{name} wrote no audit entry"
    acting = (
        {"reza"} if name.startswith("services.users.authenticate") or "change_own" in name else {"tester"}
    )
    assert {e.username for e in entries} <= acting | {"tester"}
