"""Which cases name several units: the runs of case ids against counting per case id."""

from __future__ import annotations

import random

import polars as pl
import pytest

from fvmprocess.engines.embedded import assign_units


def _by_case_id(events: pl.DataFrame) -> set[str]:
    """Brute force: the distinct non-null units of each case."""
    units: dict[str, set[str]] = {}
    for case, unit in events.select("case", "unit").iter_rows():
        if unit is not None:
            units.setdefault(case, set()).add(unit)
    return {c for c, u in units.items() if len(u) > 1}


def _events(rng: random.Random, *, contiguous: bool) -> pl.DataFrame:
    rows = []
    for c in range(rng.randint(0, 30)):
        for _ in range(rng.randint(1, 6)):
            rows.append((f"c{c}", rng.choice(["U1", "U2", "U3", None, None])))
    if not contiguous:
        rng.shuffle(rows)
    return pl.DataFrame(rows, schema={"case": pl.String, "unit": pl.String}, orient="row")


def test_hand_worked() -> None:
    events = pl.DataFrame(
        {
            "case": ["a", "a", "a", "b", "b", "c", "c", "c", "d"],
            "unit": ["U1", None, "U1", "U1", "U2", None, "U2", None, None],
        }
    )
    assert assign_units(events).multi_unit_cases == 1  # only b
    again = pl.concat([events, pl.DataFrame({"case": ["a"], "unit": ["U3"]})])  # a not contiguous
    assert assign_units(again).multi_unit_cases == 2


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("seed", range(20))
def test_the_same_as_per_case_id(seed: int, contiguous: bool) -> None:
    events = _events(random.Random(seed), contiguous=contiguous)
    assert assign_units(events).multi_unit_cases == len(_by_case_id(events))
    most = assign_units(events, "most").events
    assert _by_case_id(most) == set()
