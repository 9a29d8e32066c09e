"""What explains deviations, over planted case/deviation tables (``fvmprocess.causes``).

Tables are generated here with numpy at fixed seeds; expected numbers are counted by hand from
the generated arrays and intervals taken from scipy (Katz log interval of the relative risk).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from fvmprocess._shared.privacy import MIN_CELL
from fvmprocess.causes import MISSING, CauseOptions, case_attributes, causes

stats = pytest.importorskip("scipy.stats")
contingency = pytest.importorskip("scipy.stats.contingency")

STHLM = ZoneInfo("Europe/Stockholm")
INDEPENDENT = ("sex", "age", "priority", "hour_band", "day_type")


def _planted(
    seed: int, n: int = 3000
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, np.ndarray]]:
    """Cases where arrival by ambulance triples the skip rate of activity A (10 % -> 30 %);
    B is skipped in 20 % of cases regardless; everything else is independent noise."""
    rng = np.random.default_rng(seed)
    case = np.array([f"c{i:05d}" for i in range(n)])
    arrival = rng.choice(["ambulans", "egen", "remiss"], n)
    attrs = {
        "arrival": arrival,
        "sex": rng.choice(["K", "M"], n),
        "age": rng.integers(18, 95, n),
        "priority": rng.choice(["1", "2", "3", "4"], n),
    }
    minutes = rng.integers(0, 60 * 24 * 120, n)
    start = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=int(m)) for m in minutes]
    skip_a = rng.random(n) < np.where(arrival == "ambulans", 0.30, 0.10)
    skip_b = rng.random(n) < 0.20
    cases = pl.DataFrame({"case": case, "unit": "U", "start": start})
    devs = pl.concat(
        [
            pl.DataFrame({"case": case[skip_a], "kind": "skipped", "activity": "A"}),
            pl.DataFrame({"case": case[skip_b], "kind": "skipped", "activity": "B"}),
        ]
    ).with_columns(pl.lit(False).alias("allowed"))
    return (
        cases,
        devs,
        pl.DataFrame({"case": case, **attrs}),
        {"arrival": arrival, "skip_a": skip_a},
    )


@pytest.mark.parametrize("seed", range(20))
def test_a_planted_attribute_is_ranked_first_with_the_right_lift(seed: int) -> None:
    cases, devs, attrs, truth = _planted(seed)
    found = causes(cases, devs, attrs).table
    top = found.filter((pl.col("activity") == "A") & (pl.col("rank") == 1)).row(0, named=True)
    assert (top["kind"], top["attribute"], top["value"]) == ("skipped", "arrival", "ambulans")
    amb, skip = truth["arrival"] == "ambulans", truth["skip_a"]
    a, n1, c, n2 = int(skip[amb].sum()), int(amb.sum()), int(skip[~amb].sum()), int((~amb).sum())
    assert (top["cases"], top["deviating"], top["baseline_cases"]) == (n1, a, n2)
    assert top["rate"] == pytest.approx(a / n1)
    assert top["baseline_rate"] == pytest.approx(c / n2)
    rr = contingency.relative_risk(a, n1, c, n2)
    ci = rr.confidence_interval(confidence_level=0.95)
    assert top["lift"] == pytest.approx(rr.relative_risk)
    assert (top["lift_low"], top["lift_high"]) == pytest.approx((ci.low, ci.high))
    greater = stats.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="greater")[1]
    assert top["p_value"] == pytest.approx(greater, rel=1e-6)
    assert top["flagged"]


def test_the_interval_covers_the_planted_lift_about_95_percent_of_the_time() -> None:
    covered = 0
    for seed in range(40):
        cases, devs, attrs, _ = _planted(seed)
        top = causes(cases, devs, attrs).table.filter(
            (pl.col("activity") == "A") & (pl.col("rank") == 1)
        )
        covered += top["lift_low"][0] <= 3.0 <= top["lift_high"][0]
    assert covered >= stats.binom.ppf(0.005, 40, 0.95)


def test_independent_attributes_are_not_flagged() -> None:
    false = 0
    for seed in range(20):
        cases, devs, attrs, _ = _planted(seed)
        flagged = causes(cases, devs, attrs).table
        false += flagged.filter(
            pl.col("attribute").is_in(INDEPENDENT) | (pl.col("activity") == "B")
        ).height
    # 20 runs x 36 comparisons, 34 of them with no raised rate: BH at 5 % keeps false flags rare
    assert false <= 2


def test_only_flagged_false_shows_every_tested_value_with_enough_cases() -> None:
    cases, devs, attrs, _ = _planted(0)
    table = causes(cases, devs, attrs, options=CauseOptions(only_flagged=False)).table
    a = table.filter(pl.col("activity") == "A")
    assert set(a["attribute"]) == {"arrival", "sex", "age", "priority", "hour_band", "day_type"}
    assert a["rank"].to_list() == list(range(1, a.height + 1))
    assert a.filter(pl.col("flagged")).select("attribute", "value").rows() == [
        ("arrival", "ambulans")
    ]
    # per attribute, the values partition the cases
    sums = a.group_by("attribute").agg(pl.col("cases").sum())
    assert set(sums["cases"]) == {cases.height}


def test_numeric_attributes_are_cut_at_quantiles() -> None:
    cases, devs, attrs, _ = _planted(1)
    result = causes(cases, devs, attrs, options=CauseOptions(only_flagged=False))
    assert result.used["age"] == "binned"
    age = result.table.filter((pl.col("activity") == "A") & (pl.col("attribute") == "age"))
    edges = np.quantile(attrs["age"].to_numpy(), [0, 0.25, 0.5, 0.75, 1])
    expected = {
        f"[{edges[0]:g}, {edges[1]:g})": int((attrs["age"] < edges[1]).sum()),
        f"[{edges[1]:g}, {edges[2]:g})": int(
            ((attrs["age"] >= edges[1]) & (attrs["age"] < edges[2])).sum()
        ),
        f"[{edges[2]:g}, {edges[3]:g})": int(
            ((attrs["age"] >= edges[2]) & (attrs["age"] < edges[3])).sum()
        ),
        f"[{edges[3]:g}, {edges[4]:g}]": int((attrs["age"] >= edges[3]).sum()),
    }
    assert dict(age.select("value", "cases").rows()) == expected


def test_hour_band_and_day_type_come_from_the_local_first_event_time() -> None:
    local = [
        datetime(2025, 1, 15, 6, 59),  # Wednesday night
        datetime(2025, 1, 15, 7, 0),  # day
        datetime(2025, 1, 15, 16, 59),  # day
        datetime(2025, 1, 15, 17, 0),  # evening
        datetime(2025, 1, 15, 21, 59),  # evening
        datetime(2025, 1, 15, 22, 0),  # night
        datetime(2025, 1, 18, 12, 0),  # Saturday day
        datetime(2025, 1, 19, 23, 30),  # Sunday night
    ]
    times = [t.replace(tzinfo=STHLM).astimezone(UTC) for t in local] * 5  # 5 of each: >= MIN_CELL
    cases = pl.DataFrame({"case": [f"c{i}" for i in range(len(times))], "start": times})
    devs = pl.DataFrame({"case": cases["case"], "kind": "skipped", "activity": "A"})
    opts = CauseOptions(only_flagged=False, min_lift=1.0)
    # a deviation in every case but one group, so every value is counted
    devs = devs.filter(~pl.col("case").is_in([f"c{i}" for i in range(0, 40, 8)]))
    table = causes(cases, devs, options=opts).table
    counts = dict(table.filter(pl.col("attribute") == "hour_band").select("value", "cases").rows())
    assert counts == {"night": 15, "day": 15, "evening": 10}
    days = dict(table.filter(pl.col("attribute") == "day_type").select("value", "cases").rows())
    assert days == {"weekday": 30, "weekend": 10}


def test_identifiers_are_never_used() -> None:
    cases, devs, attrs, _ = _planted(2, n=400)
    n = attrs.height
    rng = np.random.default_rng(0)
    extra = attrs.with_columns(
        pl.Series("patient_no", np.arange(100_000, 100_000 + n)),  # a number per case
        pl.Series(
            "pnr",
            [
                f"19{rng.integers(30, 99)}0{rng.integers(1, 9)}1{rng.integers(0, 9)}-{rng.integers(1000, 9999)}"
                for _ in range(n)
            ],
        ),
        pl.Series("pnr_int", [199001011234 + 0 * i for i in range(n)]),  # one per case-family
        pl.Series("note", [f"ringde anhörig {i % 97}" for i in range(n)]),  # free text
        pl.Series("ward", ["7"] * (n - 1) + ["19121212-1212"]),  # one hidden personnummer
        pl.Series("same", ["x"] * n),
        pl.Series("arrived", cases["start"]),
    )
    result = causes(cases, devs, extra, options=CauseOptions(only_flagged=False))
    used = set(result.table["attribute"])
    for name in ("case", "patient_no", "pnr", "pnr_int", "note", "ward", "same", "arrived"):
        assert name not in used and name not in result.used
    assert "personnummer" in result.excluded["pnr"]
    assert "personnummer" in result.excluded["pnr_int"]
    assert "personnummer" in result.excluded["ward"]
    assert "identifier" in result.excluded["patient_no"]
    assert "free text" in result.excluded["note"]
    assert "single value" in result.excluded["same"]
    assert "time" in result.excluded["arrived"]
    assert {"arrival", "sex", "age", "priority"} <= used


def test_include_and_exclude_choose_attributes_but_never_admit_identifiers() -> None:
    cases, devs, attrs, _ = _planted(3, n=500)
    attrs = attrs.with_columns(pl.Series("pnr", ["19121212-1212"] * attrs.height))
    opts = CauseOptions(only_flagged=False, include=("arrival", "pnr", "hour_band"))
    result = causes(cases, devs, attrs, options=opts)
    assert set(result.used) == {"arrival", "hour_band"}
    assert "pnr" in result.excluded
    opts = CauseOptions(only_flagged=False, exclude=("arrival", "hour_band", "day_type"))
    result = causes(cases, devs, attrs, options=opts)
    assert set(result.used) == {"sex", "age", "priority"}
    assert result.excluded["arrival"] == "excluded by the options"


def test_small_cells_are_never_reported() -> None:
    n = 200
    cases = pl.DataFrame({"case": [f"c{i}" for i in range(n)]})
    # "rare": 4 cases, all deviating; "few": 30 cases, 3 deviating; the rest never deviate
    group = ["rare"] * 4 + ["few"] * 30 + ["other"] * (n - 34)
    deviating = (
        [f"c{i}" for i in range(4)]
        + [f"c{i}" for i in range(4, 7)]
        + [f"c{i}" for i in range(100, 110)]
    )
    devs = pl.DataFrame({"case": deviating, "kind": "skipped", "activity": "A"})
    attrs = pl.DataFrame({"case": cases["case"], "group": group})
    table = causes(cases, devs, attrs, options=CauseOptions(only_flagged=False)).table
    assert set(table["value"]) == {"other"}  # the only value with >= 5 cases and >= 5 deviating
    assert (table["deviating"] >= MIN_CELL).all()
    with pytest.raises(ValueError, match="small-count"):
        CauseOptions(min_cases=3)


def test_allowed_deviations_do_not_count_and_missing_values_are_a_value() -> None:
    cases, devs, attrs, _ = _planted(4, n=600)
    allowed = devs.with_columns(pl.lit(True).alias("allowed"))
    assert causes(cases, allowed, attrs).table.is_empty()
    counted = causes(cases, allowed, attrs, options=CauseOptions(count_allowed=True)).table
    assert not counted.is_empty()
    holes = attrs.with_columns(
        pl.when(pl.int_range(pl.len()) < 50).then(None).otherwise(pl.col("sex")).alias("sex")
    )
    table = causes(cases, devs, holes, options=CauseOptions(only_flagged=False)).table
    sex = table.filter((pl.col("attribute") == "sex") & (pl.col("activity") == "A"))
    assert dict(sex.select("value", "cases").rows())[MISSING] == 50


def test_activity_names_and_json() -> None:
    cases, devs, attrs, _ = _planted(5, n=2000)
    result = causes(cases, devs, attrs, activity_names={"A": "Triage"})
    assert result.table["activity_name"].to_list()[0] == "Triage"
    import json

    data = json.loads(json.dumps(result.to_dict()))
    assert data["causes"][0]["value"] == "ambulans"
    assert "used" in data and "excluded" in data


def test_case_attributes_take_the_first_event_value_of_extra_columns() -> None:
    events = pl.DataFrame(
        {
            "case": ["1", "1", "2"],
            "activity": ["A", "B", "A"],
            "timestamp": [datetime(2025, 1, 1, tzinfo=UTC)] * 3,
            "unit": ["U"] * 3,
            "row": [0, 1, 2],
            "triage": ["röd", "gul", None],
        }
    )
    out = case_attributes(events)
    assert out.columns == ["case", "triage"]
    assert out.rows() == [("1", "röd"), ("2", None)]
