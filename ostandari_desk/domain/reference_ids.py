"""Deterministic ids of the reference records (province, counties, lists, shipped checklists).

Two desks set up separately for one province must agree on these ids, or the records exchanged between them
would point at ids the other does not have: each is a UUID5 of the record's natural key under one fixed
project namespace, as 32 hex characters like every other record id.
"""

from __future__ import annotations

import uuid

from ostandari_desk.domain.text import normalize

NAMESPACE = uuid.UUID("6f1f5d2e-8a43-4c1b-9e57-0d2b7a3c9e41")
"""The project's namespace; changing it would split every desk from every other."""


def reference_id(*parts: str) -> str:
    """uuid5(NAMESPACE, "part/part/...") as 32 hex characters. Parts are joined as given (normalize first)."""
    if not parts:
        raise ValueError("a reference id needs its natural key")
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)).hex


def province_id(name: str) -> str:
    """The id of the province named ``name`` (matched normalized)."""
    return reference_id("province", normalize(name))


def county_id(province: str, county: str) -> str:
    """The id of ``county`` of ``province`` (both matched normalized)."""
    return reference_id("county", normalize(province), normalize(county))


def item_id(kind: str, name_key: str) -> str:
    """The id of a reference-list item of ``kind`` whose normalized name is ``name_key``."""
    return reference_id("item", kind, name_key)


def template_id(category_key: str, version: int) -> str:
    """The id of the shipped checklist ``version`` of the centre category whose normalized name is given."""
    return reference_id("template", category_key, str(version))


def checklist_item_id(template: str, position: int) -> str:
    """The id of the item at ``position`` of the shipped checklist ``template`` (its id)."""
    return reference_id("checklistitem", template, str(position))
