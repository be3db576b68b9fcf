"""The models' pydantic validators are built on first use, not when store/models.py is imported (start-up)."""

from __future__ import annotations

import subprocess
import sys

_FRESH_IMPORT = """
from ostandari_desk.store import models

print(sum(cls.__pydantic_complete__ for cls in (models.Ngo, models.User, models.Setting, models.Record)))
"""


def test_importing_the_models_builds_no_validator():
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_IMPORT], check=False, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0"]


def test_a_model_is_built_when_first_used_and_validates_as_before():
    from ostandari_desk.store.models import CountyOwned, Province

    class Probe(CountyOwned):  # a model nothing has used yet
        name: str

    assert not Probe.__pydantic_complete__
    probe = Probe.model_validate({"name": "قزوین", "row_version": "3"})
    assert Probe.__pydantic_complete__
    assert (probe.name, probe.row_version, probe.county_id) == ("قزوین", 3, None)
    assert Province(name="قزوین").model_dump()["name"] == "قزوین"  # a table serializes as before
