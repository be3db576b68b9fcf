"""Values the NGO services take and give: inputs, frozen rows, labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

PROVINCE_LABEL = "استان"
PROVINCE_ONLY = "__province__"  # NgoFilter.county_id value selecting NGOs of the province itself
# NgoFilter.licence_state value selecting NGOs whose licence is still marked valid but past its expiry
LICENCE_EXPIRED = "expired"
LICENCE_EXPIRED_LABEL = "منقضی"

STATUS_LABELS = {"active": "فعال", "inactive": "غیرفعال"}
ROLE_LABELS = {
    "ceo": "مدیرعامل",
    "chair": "رئیس هیئت مدیره",
    "deputy": "نایب رئیس",
    "treasurer": "خزانه‌دار",
    "member": "عضو هیئت مدیره",
    "alternate": "عضو علی‌البدل",
    "inspector": "بازرس",
    "founder": "عضو مؤسس",
}
NGO_SORT_KEYS = (
    "name",
    "national_id",
    "registration_no",
    "county",
    "level",
    "ceo",
    "status",
    "licence_state",
)


# --- values in and out --------------------------------------------------------------------------


@dataclass(frozen=True)
class NgoInput:
    """What a form or an import row gives for an NGO. county_id None = the province itself."""

    national_id: str
    name: str
    county_id: str | None
    level: str
    registration_no: str = ""
    registered_on: date | None = None
    founded_on: date | None = None
    ceo_name: str = ""
    ceo_national_code: str = ""
    phone: str = ""
    address: str = ""
    field_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardMemberInput:
    full_name: str
    national_code: str
    role: str = "member"
    expertise: str = ""
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class BoardMemberRow:
    id: str
    full_name: str
    national_code: str
    role: str
    role_label: str
    expertise: str
    term_start: date | None
    term_end: date | None

    def to_input(self) -> BoardMemberInput:
        return BoardMemberInput(
            self.full_name, self.national_code, self.role, self.expertise, self.term_start, self.term_end
        )


@dataclass(frozen=True)
class CurrentLicence:
    id: str
    number: str
    level: str
    issued_on: date
    expires_on: date
    validity_years: int
    state: str


@dataclass(frozen=True)
class NgoDetail:
    id: str
    seq: int
    national_id: str
    registration_no: str
    name: str
    county_id: str | None
    county_name: str
    level: str
    level_label: str
    address: str
    phone: str
    founded_on: date | None
    registered_on: date | None
    ceo_name: str
    ceo_national_code: str
    status: str
    status_label: str
    licence_state: str
    licence_state_label: str
    field_ids: tuple[str, ...]
    field_names: tuple[str, ...]
    board: tuple[BoardMemberRow, ...]
    licence: CurrentLicence | None
    row_version: int
    created_at: datetime
    updated_at: datetime

    def to_input(self) -> NgoInput:
        """The values an edit form starts from."""
        return NgoInput(
            national_id=self.national_id,
            name=self.name,
            county_id=self.county_id,
            level=self.level,
            registration_no=self.registration_no,
            registered_on=self.registered_on,
            founded_on=self.founded_on,
            ceo_name=self.ceo_name,
            ceo_national_code=self.ceo_national_code,
            phone=self.phone,
            address=self.address,
            field_ids=self.field_ids,
        )

    def board_inputs(self) -> list[BoardMemberInput]:
        return [m.to_input() for m in self.board]


@dataclass(frozen=True)
class NgoFilter:
    """List filters; None means "any". county_id=PROVINCE_ONLY selects NGOs of the province itself."""

    text: str = ""
    county_id: str | None = None
    level: str | None = None
    field_id: str | None = None
    status: str | None = None
    licence_state: str | None = None


@dataclass(frozen=True)
class NgoRow:
    id: str
    name: str
    national_id: str
    registration_no: str
    county_name: str
    level: str
    ceo_name: str
    status: str
    licence_state: str
    row_version: int = 0  # the version the list showed: activate/deactivate refuses a stale one
