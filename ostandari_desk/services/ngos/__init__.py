"""NGOs (سمن): validate, create, edit, deactivate, read one, and list/search/count pages in SQL.

Text is stored cleaned (text.clean) beside its keys: name_key (text.normalize) for duplicate checks,
name_sort (text.persian_sort_key) for ORDER BY, and search_text (normalized tokens) which the
database's full-text index holds (``uow.db``, store/adapters; FTS5 on SQLite). Reads return frozen rows.
"""

from ostandari_desk.services.ngos.commands import create_ngo, set_ngo_active, update_ngo
from ostandari_desk.services.ngos.queries import (
    count_ngos,
    fts_query,
    get_ngo,
    licence_state_condition,
    list_ngo_page,
)
from ostandari_desk.services.ngos.rows import (
    LICENCE_EXPIRED,
    LICENCE_EXPIRED_LABEL,
    NGO_SORT_KEYS,
    PROVINCE_LABEL,
    PROVINCE_ONLY,
    ROLE_LABELS,
    STATUS_LABELS,
    BoardMemberInput,
    BoardMemberRow,
    CurrentLicence,
    NgoDetail,
    NgoFilter,
    NgoInput,
    NgoRow,
)
from ostandari_desk.services.ngos.validation import next_seq, prepare_ngo_values, validate_ngo

__all__ = [
    "LICENCE_EXPIRED",
    "LICENCE_EXPIRED_LABEL",
    "NGO_SORT_KEYS",
    "PROVINCE_LABEL",
    "PROVINCE_ONLY",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "BoardMemberInput",
    "BoardMemberRow",
    "CurrentLicence",
    "NgoDetail",
    "NgoFilter",
    "NgoInput",
    "NgoRow",
    "count_ngos",
    "create_ngo",
    "fts_query",
    "get_ngo",
    "licence_state_condition",
    "list_ngo_page",
    "next_seq",
    "prepare_ngo_values",
    "set_ngo_active",
    "update_ngo",
    "validate_ngo",
]
