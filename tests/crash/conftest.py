"""Crash tests: ``--runslow`` (or OSTANDARI_DESK_SLOW=1) runs the many-point kill runs marked ``slow``; the
harness's figures (kills per operation, how many landed mid-work, failures) are printed at the end.

``--runslow`` is known to pytest only when this folder is named on the command line
(``pytest tests/crash --runslow``); from the root use the environment variable.
"""

from __future__ import annotations

import os

import pytest

from crash.harness import OPERATIONS, Operation, Tally

SLOW_ENV = "OSTANDARI_DESK_SLOW"
TALLY = Tally()


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def _slow_wanted(config) -> bool:
    return bool(config.getoption("--runslow", default=False)) or os.environ.get(SLOW_ENV, "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    if _slow_wanted(config):
        return
    skip = pytest.mark.skip(reason=f"slow: pass --runslow (pytest tests/crash) or set {SLOW_ENV}=1")
    here = os.path.dirname(__file__)
    for item in items:
        if "slow" in item.keywords and str(item.path).startswith(here):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if TALLY.outcomes:
        terminalreporter.section("crash harness")
        for line in TALLY.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def operation(tmp_path_factory):
    """``operation(name)`` -> that Operation with its template made and its span measured (once)."""
    made: dict[str, Operation] = {}

    def get(name: str) -> Operation:
        if name not in made:
            op = OPERATIONS[name](tmp_path_factory.mktemp(f"crash-{name}"))
            op.calibrate()
            made[name] = op
        return made[name]

    return get


@pytest.fixture
def tally() -> Tally:
    return TALLY
