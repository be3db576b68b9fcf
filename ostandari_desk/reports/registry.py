"""The one list of printed reports: the reports page and ``ostandari-desk report`` are both built from it.

Each report is declared once, as a :class:`ReportSpec`:

- ``name``: the command line's sub-command (``report NAME``, exactly as in resources/docs/CLI.md) and the
  reports page's key (``apply_filter({"report": NAME})``; ``ReportRequest(NAME, ...)``);
- ``title``: its Persian title (the page's list; the first words of the «report printed» audit entry);
- ``params``: its options (:class:`Param`), each with its Persian label, its command-line option and how
  that text is parsed and checked (within the signed-in user's scope), and the input the page shows;
- ``gather``: ``"module:function"`` of ``gather(uow, request) -> services.reporting.Gathered``: reads the
  rows through the services, within the actor's county, and names what the audit entry says after the
  title;
- ``paper``: ``"module:function"`` of the paper module that lays the PDF out,
  ``build(data, letterhead, printed_on, out)``. Both are imported on demand, so building the command
  line's parser imports no service and a command imports the one report it makes;
- ``file_name``: the name the page suggests when saving (``{key}`` takes a request value).

``reports.papers.make_paper(uow, request, out)`` does the rest for both doors: the letterhead, the data,
the PDF, the audit entry once the PDF exists.

Adding a report kind is one declaration here plus its paper module (and its gather function beside the
service that owns the data). For example, the inspection papers and the plan::

    ReportSpec(
        name="checklist",
        title="چک‌لیست خالی بازدید",
        params=(record(                       # or choice(..., options=category_choices) for a combo
            "category_id", "--category", "رده مرکز", metavar="NAME", required=True,
            lookup=category_id_by_name,        # (uow, text) -> id, a Persian UserError when unknown
            search=category_picker,            # (uow, text) -> [(id, label)] for the page's picker
        ),),
        gather="ostandari_desk.services.inspections.papers:checklist_paper",  # (uow, request) -> Gathered
        paper="ostandari_desk.reports.checklist:build_checklist",
        file_name="چک‌لیست",
    ),

with ``year()``, ``county()``, ``flag()``, ``text_param()``, ``number()``, ``date_param()``, ``choice()``
and ``record()`` for the parameters (``inspection --centre CODE --date DATE`` is ``record("centre_id",
"--centre", ...)`` and ``date_param("on", "--date", ..., required=True)``; ``plan --month M`` is
``number("month", "--month", "ماه", minimum=1, maximum=12, required=True)``). The page and the command line
pick it up with no other change; tests/reports/test_registry.py checks that both offer it. A command
outside ``report`` (``plan``) can still use :func:`request_from_text` and ``make_paper`` with its spec.

No Qt here (the page maps each :class:`Input` to a widget in ui/reports/inputs.py).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ostandari_desk.domain import jalali, text
from ostandari_desk.errors import ValidationError

if TYPE_CHECKING:
    from ostandari_desk.services.reporting import Gathered, PaperData, ReportRequest
    from ostandari_desk.store.uow import UnitOfWork

__all__ = [
    "REPORTS",
    "Input",
    "Param",
    "ReportSpec",
    "choice",
    "county",
    "date_param",
    "flag",
    "number",
    "paper_data",
    "record",
    "request_from_text",
    "spec_of",
    "text_param",
    "year",
]


class Input(enum.StrEnum):
    """How a parameter is entered on the reports page (the command line always takes text)."""

    YEAR = "year"  # a Jalali year spin box (this year by default)
    COUNTY = "county"  # the counties the user sees (+ «کل استان» for a provincial user)
    FLAG = "flag"  # a check box; ``--option`` without a value
    TEXT = "text"  # a line of text
    NUMBER = "number"  # a whole number between minimum and maximum
    DATE = "date"  # a Jalali date
    CHOICE = "choice"  # a combo of (value, label): fixed ``choices`` or ``options(uow)``
    RECORD = "record"  # a search box and a combo of matching records (``search(uow, text)``)


Parse = Callable[["UnitOfWork", str], Any]


@dataclass(frozen=True)
class Param:
    """One option of a report: the request's ``key``, the command line's ``option``, the Persian ``label``."""

    key: str
    option: str
    label: str
    input: Input
    help: str = ""
    required: bool = False
    metavar: str | None = None
    #: command-line text -> the request's value (None: the text itself); a Persian UserError when refused
    parse: Parse | None = None
    #: CHOICE: fixed (value, Persian label) pairs; the command line takes the values
    choices: tuple[tuple[str, str], ...] = ()
    #: CHOICE read from the database: options(uow) -> [(value, label)]
    options: Callable[[UnitOfWork], Sequence[tuple[Any, str]]] | None = None
    #: RECORD: search(uow, text) -> [(id, label)] for the page's picker
    search: Callable[[UnitOfWork, str], Sequence[tuple[str, str]]] | None = None
    minimum: int = 0
    maximum: int = 0
    #: the page's starting value: default(uow) (None: the input's own)
    default: Callable[[UnitOfWork], Any] | None = None
    placeholder: str = ""
    on_page: bool = True  # False: a command-line option only (e.g. --today for scripted runs)
    on_cli: bool = True  # False: the page only

    @property
    def dest(self) -> str:
        """The argparse attribute of the command-line option."""
        return self.option.lstrip("-").replace("-", "_")

    def from_text(self, uow: UnitOfWork, raw: Any) -> Any:
        """The request's value for what was typed on the command line (None or False when not given)."""
        if self.input is Input.FLAG:
            return bool(raw)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return "" if self.input is Input.TEXT else None
        return self.parse(uow, raw) if self.parse is not None else raw


@dataclass(frozen=True)
class ReportSpec:
    """One printed report, for the reports page and the command line alike (see the module's doc)."""

    name: str
    title: str
    params: tuple[Param, ...]
    gather: str
    paper: str
    file_name: str
    help: str = ""  # the command line's help (the title when empty)

    def builder(self) -> Callable:
        """The paper module's ``build(data, letterhead, printed_on, out)``, imported now."""
        return _load(self.paper)

    def gatherer(self) -> Callable[[UnitOfWork, ReportRequest], Gathered]:
        """The service function ``gather(uow, request) -> Gathered``, imported now."""
        return _load(self.gather)

    def page_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.on_page)

    def cli_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.on_cli)

    def suggested_file_name(self, request: ReportRequest) -> str:
        values = {p.key: request.get(p.key, "") for p in self.params}
        return self.file_name.format(**values) + ".pdf"


def _load(path: str) -> Callable:
    """``"package.module:function"`` imported on demand (a command imports the one report it makes)."""
    module, _, function = path.partition(":")
    return getattr(importlib.import_module(module), function)


# --- parsing what the command line says ------------------------------------------------------------


def _whole_number(label: str) -> Parse:
    def parse(_uow: UnitOfWork, raw: str) -> int:
        try:
            return text.parse_int(raw)
        except ValueError:
            raise ValidationError(f"{label} باید عدد باشد: «{raw}»") from None

    return parse


def _bounded(label: str, minimum: int, maximum: int) -> Parse:
    whole = _whole_number(label)

    def parse(uow: UnitOfWork, raw: str) -> int:
        value = whole(uow, raw)
        if minimum < maximum and not minimum <= value <= maximum:
            low, high = text.format_number(minimum), text.format_number(maximum)
            raise ValidationError(f"{label} باید از {low} تا {high} باشد: «{raw}»")
        return value

    return parse


def _county_by_name(uow: UnitOfWork, name: str) -> str:
    from ostandari_desk.services import reference

    found = reference.county_id_by_name(uow, name)
    if found is None:
        raise ValidationError(f"شهرستان «{text.clean(name)}» در فهرست شهرستان‌ها نیست")
    return found


def _jalali_date(key: str) -> Parse:
    def parse(_uow: UnitOfWork, raw: str) -> date:
        return jalali.parse_jalali(raw, field=key)

    return parse


def _ngo_by_national_id(uow: UnitOfWork, national_id: str) -> str:
    from ostandari_desk.services.reporting import ngo_id_by_national_id

    return ngo_id_by_national_id(uow, national_id)


def _ngo_picker(uow: UnitOfWork, query: str) -> list[tuple[str, str]]:
    from ostandari_desk.services.events import search_ngos

    return [
        (n.id, f"{n.name} ({text.to_persian_digits(n.national_id)})") for n in search_ngos(uow, query, 50)
    ]


def _expiring_window(uow: UnitOfWork) -> int:
    from ostandari_desk import settings

    with uow:
        return int(settings.get_setting(uow, "expiring_window_days"))


# --- parameter kinds (one line each in a declaration) ----------------------------------------------


def year(required: bool = True, help: str = "سال شمسی، مثلاً 1401") -> Param:
    return Param("year", "--year", "سال", Input.YEAR, help, required, parse=_whole_number("سال"))


def county(help: str = "نام شهرستان") -> Param:
    return Param("county_id", "--county", "محدوده", Input.COUNTY, help, parse=_county_by_name)


def flag(key: str, option: str, label: str, help: str = "") -> Param:
    return Param(key, option, label, Input.FLAG, help or label)


def text_param(key: str, option: str, label: str, help: str = "", placeholder: str = "") -> Param:
    return Param(key, option, label, Input.TEXT, help or label, placeholder=placeholder)


def number(
    key: str,
    option: str,
    label: str,
    help: str = "",
    *,
    minimum: int = 0,
    maximum: int = 0,
    required: bool = False,
    default: Callable[[UnitOfWork], Any] | None = None,
) -> Param:
    return Param(
        key,
        option,
        label,
        Input.NUMBER,
        help or label,
        required,
        parse=_bounded(label, minimum, maximum) if minimum < maximum else _whole_number(label),
        minimum=minimum,
        maximum=maximum,
        default=default,
    )


def date_param(
    key: str, option: str, label: str, help: str = "", *, required: bool = False, on_page: bool = True
) -> Param:
    return Param(
        key, option, label, Input.DATE, help or label, required, "DATE", _jalali_date(key), on_page=on_page
    )


def choice(
    key: str,
    option: str,
    label: str,
    help: str = "",
    *,
    choices: tuple[tuple[str, str], ...] = (),
    options: Callable[[UnitOfWork], Sequence[tuple[Any, str]]] | None = None,
    parse: Parse | None = None,
    required: bool = False,
    on_page: bool = True,
) -> Param:
    return Param(
        key,
        option,
        label,
        Input.CHOICE,
        help or label,
        required,
        parse=parse,
        choices=choices,
        options=options,
        on_page=on_page,
    )


def record(
    key: str,
    option: str,
    label: str,
    help: str = "",
    *,
    lookup: Parse,
    search: Callable[[UnitOfWork, str], Sequence[tuple[str, str]]],
    metavar: str | None = None,
    required: bool = True,
    placeholder: str = "",
) -> Param:
    return Param(
        key,
        option,
        label,
        Input.RECORD,
        help or label,
        required,
        metavar,
        parse=lookup,
        search=search,
        placeholder=placeholder,
    )


def _today_option() -> Param:
    return date_param("today", "--today", "تاریخ مبنا", "تاریخ مبنا (شمسی)؛ پیش‌فرض امروز", on_page=False)


def _ngo() -> Param:
    return record(
        "ngo_id",
        "--national-id",
        "سازمان",
        "شناسه ملی سازمان",
        lookup=_ngo_by_national_id,
        search=_ngo_picker,
        placeholder="نام یا شناسه ملی سازمان",
    )


# --- the reports ---------------------------------------------------------------------------------


def _inspection_lookup(name: str) -> Callable:
    """A look-up of services/inspections/papers.py, imported when first called (not by the parser)."""

    def call(uow: UnitOfWork, raw: Any) -> Any:
        from ostandari_desk.services.inspections import papers

        return getattr(papers, name)(uow, raw)

    return call


def _categories(uow: UnitOfWork) -> list[tuple[str, str]]:
    from ostandari_desk.services.inspections.papers import category_options

    return category_options(uow)


def _centre(help: str = "کد مرکز") -> Param:
    return record(
        "centre_id",
        "--centre",
        "مرکز",
        help,
        lookup=_inspection_lookup("centre_id_by_code"),
        search=_inspection_lookup("centre_picker"),
        metavar="CODE",
        placeholder="نام یا کد مرکز",
    )


_INSPECTION_REPORTS = (
    ReportSpec(
        name="inspections",
        title="بازدیدهای مراکز در سال (شهرستان × ماه)",
        params=(year(), county("نام شهرستان (پیش‌فرض: کل استان)"), _today_option()),
        gather="ostandari_desk.services.inspections.papers:inspections_paper",
        paper="ostandari_desk.reports.inspection_grid:build_inspections_grid",
        file_name="بازدیدهای-مراکز-{year}",
    ),
    ReportSpec(
        name="inspection",
        title="برگه بازدید از مرکز",
        params=(
            _centre(),
            date_param("on", "--date", "تاریخ بازدید", "تاریخ بازدید (شمسی)", required=True),
            text_param(
                "time",
                "--time",
                "ساعت بازدید",
                "ساعت بازدید (مثلاً 10:30) وقتی مرکز در آن روز چند بازدید دارد؛ پیش‌فرض آخرین بازدید آن روز",
                "اختیاری؛ پیش‌فرض آخرین بازدید آن روز",
            ),
        ),
        gather="ostandari_desk.services.inspections.papers:visit_paper",
        paper="ostandari_desk.reports.inspection_forms:build_visit_form",
        file_name="برگه-بازدید",
    ),
    ReportSpec(
        name="centre-file",
        title="پرونده یک مرکز",
        params=(_centre(),),
        gather="ostandari_desk.services.inspections.papers:centre_file_paper",
        paper="ostandari_desk.reports.inspection_forms:build_centre_file",
        file_name="پرونده-مرکز",
    ),
    ReportSpec(
        name="checklist",
        title="چک‌لیست خالی بازدید",
        params=(
            choice(
                "category_id",
                "--category",
                "رده مرکز",
                "نام رده مرکز، مثلاً کشتارگاه",
                options=_categories,
                parse=_inspection_lookup("category_id_by_name"),
                required=True,
            ),
        ),
        gather="ostandari_desk.services.inspections.papers:checklist_paper",
        paper="ostandari_desk.reports.inspection_forms:build_checklist",
        file_name="چک‌لیست",
    ),
)


def _memoranda_lookup(name: str) -> Callable:
    """A look-up of services/memoranda/papers.py, imported when first called (not by the parser)."""

    def call(uow: UnitOfWork, raw: Any) -> Any:
        from ostandari_desk.services.memoranda import papers

        return getattr(papers, name)(uow, raw)

    return call


_MEMORANDA_REPORTS = (
    ReportSpec(
        name="credits",
        title="اعتبارات تفاهم‌نامه‌ها به تفکیک شهرستان",
        params=(year(), county("نام شهرستان (پیش‌فرض: کل استان)")),
        gather="ostandari_desk.services.memoranda.papers:credits_paper",
        paper="ostandari_desk.reports.memoranda_papers:build_credits",
        file_name="اعتبارات-شهرستان‌ها-{year}",
    ),
    ReportSpec(
        name="memorandum",
        title="پرونده تفاهم‌نامه",
        params=(
            record(
                "memorandum_id",
                "--number",
                "تفاهم‌نامه",
                "شماره تفاهم‌نامه",
                lookup=_memoranda_lookup("memorandum_id_by_number"),
                search=_memoranda_lookup("memorandum_picker"),
                metavar="N",
                placeholder="شماره یا عنوان تفاهم‌نامه",
            ),
            _today_option(),
        ),
        gather="ostandari_desk.services.memoranda.papers:memorandum_paper",
        paper="ostandari_desk.reports.memoranda_papers:build_memorandum",
        file_name="پرونده-تفاهم‌نامه",
    ),
    ReportSpec(
        name="offices",
        title="دفاتر تسهیلگری",
        params=(county("نام شهرستان (پیش‌فرض: کل استان)"), _today_option()),
        gather="ostandari_desk.services.memoranda.papers:offices_paper",
        paper="ostandari_desk.reports.memoranda_papers:build_offices",
        file_name="دفاتر-تسهیلگری",
    ),
)


def _letters_lookup(name: str) -> Callable:
    """A look-up of services/letter_papers.py, imported when first called (not by the parser)."""

    def call(uow: UnitOfWork, raw: Any) -> Any:
        from ostandari_desk.services import letter_papers

        return getattr(letter_papers, name)(uow, raw)

    return call


# ``report letter``: the page picks the letter; the command line names it by direction, year and number, and
# by its county's series (``--county``) when several counties hold that number (services/letter_papers.py).
_LETTER_REPORT = ReportSpec(
    name="letter",
    title="برگه نامه",
    help="یک نامه وارده یا صادره با پیوست‌هایش",
    params=(
        Param(
            "letter_id",
            "--letter",
            "نامه",
            Input.RECORD,
            "نامه",
            True,
            search=_letters_lookup("letter_picker"),
            placeholder="شماره، طرف مکاتبه یا موضوع نامه",
            on_cli=False,
        ),
        Param(
            "direction",
            "--direction",
            "جهت",
            Input.CHOICE,
            "جهت نامه: in (وارده) یا out (صادره)",
            True,
            parse=_letters_lookup("direction_of"),
            choices=(("in", "وارده"), ("out", "صادره")),
            on_page=False,
        ),
        Param(
            "year",
            "--year",
            "سال",
            Input.YEAR,
            "سال شمسی نامه",
            True,
            parse=_whole_number("سال"),
            on_page=False,
        ),
        Param("number", "--number", "شماره", Input.TEXT, "شماره نامه", True, "N", on_page=False),
        Param(
            "series",
            "--county",
            "دبیرخانه",
            Input.COUNTY,
            "شهرستانی که نامه در دبیرخانه آن شماره خورده («استان» برای دبیرخانه استان)؛ "
            "وقتی چند شهرستان نامه‌ای با این شماره دارند لازم است",
            metavar="NAME",
            parse=_letters_lookup("series_of"),
            on_page=False,
        ),
    ),
    gather="ostandari_desk.services.letter_papers:letter_paper",
    paper="ostandari_desk.reports.letter_paper:build_letter",
    file_name="نامه",
)


_DECLARED = (
    ReportSpec(
        name="annual",
        title="گزارش مقایسه‌ای سالانه",
        params=(
            year(),
            county("نام شهرستان (پیش‌فرض: کل استان)"),
            flag(
                "same_period",
                "--same-period",
                "فقط تا امروزِ سال (دوره مشابه)",
                "سال گذشته را هم فقط از ۱ فروردین تا همان روزِ امروز با همان بازه سال پیش از آن مقایسه کن؛ "
                "سال جاری همیشه چنین مقایسه می‌شود و کل سال فقط برای سال‌های پایان‌یافته است",
            ),
            date_param(
                "today", "--today", "تاریخ مبنا", "تاریخ مبنای «تا امروز» (شمسی)؛ پیش‌فرض امروز", on_page=False
            ),
        ),
        gather="ostandari_desk.services.reporting:annual_paper",
        paper="ostandari_desk.reports.annual:build_annual_report",
        file_name="گزارش-سالانه-{year}",
    ),
    ReportSpec(
        name="register",
        title="دفتر ثبت سازمان‌ها",
        params=(
            county(),
            text_param("search", "--search", "جست‌وجو", "متن جست‌وجو", "متن جست‌وجو در نام سازمان‌ها (اختیاری)"),
            choice(
                "status",
                "--status",
                "وضعیت",
                "وضعیت سازمان",
                choices=(("active", "فعال"), ("inactive", "غیرفعال")),
                on_page=False,
            ),
        ),
        gather="ostandari_desk.services.reporting:register_paper",
        paper="ostandari_desk.reports.register:build_register",
        file_name="دفتر-ثبت-سازمان‌ها",
    ),
    ReportSpec(
        name="ngo-file",
        title="پرونده یک سازمان",
        params=(_ngo(),),
        gather="ostandari_desk.services.reporting:ngo_file_paper",
        paper="ostandari_desk.reports.ngo_file:build_ngo_file",
        file_name="پرونده-سازمان",
    ),
    ReportSpec(
        name="certificate",
        title="چاپ پروانه فعالیت",
        help="پروانه فعالیت یک سازمان",
        params=(_ngo(),),
        gather="ostandari_desk.services.reporting:certificate_paper",
        paper="ostandari_desk.reports.certificate:build_certificate",
        file_name="پروانه-فعالیت",
    ),
    ReportSpec(
        name="expiring",
        title="پروانه‌های رو به انقضا و منقضی",
        params=(
            number(
                "days",
                "--days",
                "بازه هشدار (روز)",
                "بازه هشدار به روز (پیش‌فرض: تنظیمات)",
                minimum=1,
                maximum=3650,
                default=_expiring_window,
            ),
            county(),
            _today_option(),
        ),
        gather="ostandari_desk.services.reporting:expiring_paper",
        paper="ostandari_desk.reports.expiring:build_expiring",
        file_name="پروانه‌های-رو-به-انقضا",
    ),
    _LETTER_REPORT,
    *_INSPECTION_REPORTS,
    *_MEMORANDA_REPORTS,
)

#: name -> spec, in the reports page's order
REPORTS: Mapping[str, ReportSpec] = {spec.name: spec for spec in _DECLARED}
assert len(REPORTS) == len(_DECLARED), "two reports share a name"


def spec_of(name: str) -> ReportSpec:
    """The declared report ``name``; ValueError for an unknown one (a programming error, not a user's)."""
    try:
        return REPORTS[name]
    except KeyError:
        raise ValueError(f"unknown report kind: {name!r}") from None


def request_from_text(uow: UnitOfWork, name: str, texts: Mapping[str, Any]) -> ReportRequest:
    """The request for report ``name`` from the command line's texts by parameter key (absent: not given),
    each parsed and checked (an unknown county or national ID is a Persian UserError)."""
    from ostandari_desk.services.reporting import ReportRequest

    spec = spec_of(name)
    values = {p.key: p.from_text(uow, texts.get(p.key)) for p in spec.cli_params()}
    return ReportRequest(name, **values)


def paper_data(uow: UnitOfWork, request: ReportRequest) -> PaperData:
    """The data ``request`` prints, read within the actor's scope, with the words of its audit entry."""
    from ostandari_desk.services.reporting import PaperData

    spec = spec_of(request.kind)
    with uow:
        gathered = spec.gatherer()(uow, request)
    detail = "؛ ".join([spec.title, *gathered.words])
    return PaperData(request, gathered.data, gathered.table, gathered.record_id, detail)
