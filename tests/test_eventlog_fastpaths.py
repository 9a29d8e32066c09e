"""The reader's fast paths give what the general paths give (issue 12.1).

Timestamps: one detected form over the whole column, the rest per value; events: the
integer case key and the already-in-order check against a plain sort of every row.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from fvmprocess.eventlog.build import _event_order, duplicate_mask
from fvmprocess.eventlog.columns import REJECT, ROW
from fvmprocess.eventlog.timestamps import parse_timestamps

TZ = "Europe/Stockholm"


def _utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


@pytest.mark.parametrize("bulk", ["2025-04-27 14:30:15", "27.04.2025 14:30", "2025-04-27T14:30:15"])
def test_detected_form_and_stragglers(bulk: str) -> None:
    # the bulk in one form, stragglers in others: each value as its own form says (hand-worked,
    # Stockholm is UTC+2 in summer, +1 in winter)
    values = [bulk] * 50 + [
        "2025-04-27 14:30:15.250",  # fractional seconds
        "2025-04-27 14:30:15Z",  # an offset
        "27.04.2025 14.30",  # Swedish time with a dot
        "2025-03-30 02:30:00",  # spring gap
        "2025-10-26 02:30:00",  # autumn overlap: the earlier offset
        "tomorrow",
        "",
        None,
    ]
    ts = parse_timestamps(pl.Series(values, dtype=pl.String), timezone=TZ, dayfirst=None)
    utc, reason = ts.utc.to_list(), ts.reason.to_list()
    bulk_utc = _utc(2025, 4, 27, 12, 30, 15) if bulk.count(":") == 2 else _utc(2025, 4, 27, 12, 30)
    assert utc[:50] == [bulk_utc] * 50
    assert utc[50] == _utc(2025, 4, 27, 12, 30, 15, 250000)
    assert utc[51] == _utc(2025, 4, 27, 14, 30, 15)
    assert utc[52] == _utc(2025, 4, 27, 12, 30)
    assert utc[53] is None and reason[53] == "nonexistent_local_time"
    assert utc[54] == _utc(2025, 10, 26, 0, 30)
    assert reason[55:] == ["unparseable_timestamp", "missing_timestamp", "missing_timestamp"]
    assert reason[:53] == [None] * 53 and reason[54] is None
    assert dict(ts.warnings) == {"ambiguous_local_time": 1}


def test_event_order_matches_a_full_sort() -> None:
    rng = random.Random(7)
    for _ in range(400):
        n = rng.randint(1, 25)
        cases = rng.choices("abcd", k=n)
        if rng.random() < 0.6:
            cases.sort()  # grouped, as exports usually are
        t0 = datetime(2025, 1, 1, tzinfo=UTC)
        ts = [t0 + timedelta(minutes=rng.randint(0, 4)) for _ in range(n)]
        if rng.random() < 0.3:
            pairs = sorted(zip(cases, ts, strict=True))
            cases, ts = [p[0] for p in pairs], [p[1] for p in pairs]
        rej = [None if rng.random() < 0.8 else "x" for _ in range(n)]
        work = pl.DataFrame(
            {
                "case": cases,
                "timestamp": pl.Series(ts, dtype=pl.Datetime("us", "UTC")),
                ROW: list(range(2, n + 2)),
                REJECT: pl.Series(rej, dtype=pl.String),
            }
        )
        expected = (
            work.with_row_index("_pos")
            .filter(pl.col(REJECT).is_null())
            .sort(["case", "timestamp", ROW], maintain_order=True)["_pos"]
            .to_list()
        )
        got = _event_order(work)
        assert (list(range(n)) if got is None else got.to_list()) == expected


def test_duplicate_mask_matches_brute_force() -> None:
    rng = random.Random(11)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(200):
        n = rng.randint(1, 30)
        rows = [
            (rng.choice("ab"), rng.choice("xy"), t0 + timedelta(minutes=rng.randint(0, 2)))
            for _ in range(n)
        ]
        rej = [None if rng.random() < 0.8 else "x" for _ in range(n)]
        work = pl.DataFrame(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": pl.Series([r[2] for r in rows], dtype=pl.Datetime("us", "UTC")),
                REJECT: pl.Series(rej, dtype=pl.String),
            }
        )
        seen: set[tuple[object, ...]] = set()
        expected = []
        for r, bad in zip(rows, rej, strict=True):
            expected.append(bad is None and r in seen)
            if bad is None:
                seen.add(r)
        assert duplicate_mask(work).to_list() == expected
