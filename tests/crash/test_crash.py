"""kill -9 at random points of an import, an upgrade, ``init`` and a demo build (issue 7, "Done means").

Afterwards the database opens and is healthy, what was committed before is all there, and the interrupted
work is wholly absent or wholly present (crash/harness.py). A few fixed kill points run with the suite;
``slow`` runs KILLS_PER_OPERATION per operation (``pytest tests/crash --runslow``).
"""

from __future__ import annotations

import pytest

from crash.harness import OPERATIONS

FAST_SEEDS = (11, 12)
KILLS_PER_OPERATION = 20


def _report(outcomes) -> str:
    return "\n".join(
        f"seed {o.seed}, killed {o.delay:.2f} s into the work ({o.landed}): {' | '.join(o.problems)}"
        for o in outcomes
        if o.problems
    )


@pytest.mark.parametrize("seed", FAST_SEEDS)
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_kill_leaves_a_healthy_database(operation, tally, name, seed):
    outcome = operation(name).kill_point(seed)
    tally.add(outcome)
    assert not outcome.problems, _report([outcome])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_many_kill_points(operation, tally, name):
    op = operation(name)
    outcomes = [op.kill_point(seed) for seed in range(1000, 1000 + KILLS_PER_OPERATION)]
    for outcome in outcomes:
        tally.add(outcome)
    assert not any(o.problems for o in outcomes), _report(outcomes)
