"""The reader's fast paths give what the general paths give (issue 12.1).

Timestamps: one detected form over the whole column, the rest per value, and localising
by hour against polars localising every value; events: the integer case key and the
already-in-order check against a plain sort of every row; the CSV byte scan (line count,
control characters) against a byte-by-byte reading; variants grouped by runs of the sorted
case id against a plain per-case grouping.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

import fvmprocess.eventlog.csv as csv_reader
from fvmprocess.eventlog.build import _event_order, duplicate_mask
from fvmprocess.eventlog.columns import REJECT, ROW
from fvmprocess.eventlog.timestamps import (
    _localise,
    _parse_trimmed,
    _strict_local,
    parse_timestamps,
)
from fvmprocess.eventlog.variants import variant_table

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
        assert got.positions.to_list() == expected
        assert not got.identity or expected == list(range(n))
        keys = [(cases[i], ts[i]) for i in expected]
        same = [i > 0 and keys[i] == keys[i - 1] for i in range(len(keys))]
        assert got.same.to_list() == same


def test_duplicate_mask_matches_brute_force() -> None:
    # cases grouped or not, rows in time order or not, rejected rows, a unit in the key
    rng = random.Random(11)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(600):
        n = rng.randint(1, 30)
        rows = [
            (
                rng.choice("abc"),
                rng.choice("xy"),
                t0 + timedelta(minutes=rng.randint(0, 2)),
                rng.choice(["u", "v"]),
            )
            for _ in range(n)
        ]
        layout = rng.random()
        if layout < 0.3:
            rows.sort(key=lambda r: r[0])  # grouped by case
        elif layout < 0.6:
            rows.sort(key=lambda r: (r[0], r[2]))  # grouped and in time order
        rej = [None if rng.random() < 0.8 else "x" for _ in range(n)]
        work = pl.DataFrame(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": pl.Series([r[2] for r in rows], dtype=pl.Datetime("us", "UTC")),
                "unit": [r[3] for r in rows],
                ROW: list(range(2, n + 2)),
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


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Stockholm",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Europe/Dublin",
        "UTC",
    ],
)
def test_localising_by_hour_matches_polars(zone: str) -> None:
    # times around the DST transitions of several years (Lord Howe shifts by 30 min, Dublin's
    # winter time is the "negative" one, Kathmandu changed from +05:30 to +05:45 in 1986),
    # with many values per hour so the hour table is used, nulls and microseconds
    rng = random.Random(5)
    anchors = [
        datetime(y, m, d)
        for y in (1986, 2024, 2025)
        for m, d in (
            (1, 1),
            (3, 9),
            (3, 30),
            (3, 31),
            (4, 6),
            (10, 5),
            (10, 26),
            (10, 27),
            (11, 2),
            (11, 3),
        )
    ]
    values: list[datetime | None] = []
    for _ in range(4000):
        a = rng.choice(anchors)
        values.append(
            a
            + timedelta(
                hours=rng.randint(0, 4),
                minutes=rng.randint(0, 59),
                seconds=rng.randint(0, 59),
                microseconds=rng.choice([0, 1, 999_999]),
            )
        )
    values[::97] = [None] * len(values[::97])
    naive = pl.Series("t", values, dtype=pl.Datetime("us"))
    expected = naive.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
    assert _strict_local(naive, zone).equals(expected, null_equal=True)
    few = naive.head(30)  # too few repeats: the per-value path
    assert _strict_local(few, zone).equals(
        few.dt.replace_time_zone(zone, ambiguous="null", non_existent="null"), null_equal=True
    )


def _scan_by_hand(data: bytes, start: int) -> tuple[int, list[int]]:
    lines = data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))
    control = []
    for i in range(start, len(data)):
        b = data[i]
        if b == 13:
            if i + 1 < len(data) and data[i + 1] != 10:
                control.append(i)
        elif (b < 32 and b not in (9, 10)) or b == 127:
            control.append(i)
    return lines, control


def test_byte_scan_matches_a_byte_by_byte_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(9)
    alphabet = [10, 13, 9, 0, 1, 27, 31, 32, 65, 127, 0xC3, 0xA4]
    for trial in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(data))
        # slices of a few bytes: a CR at the end of one slice, its LF in the next
        monkeypatch.setattr(csv_reader, "_SCAN_CHUNK", rng.choice([1, 2, 3, 5, 8, 1 << 18]))
        scan = csv_reader._scan(data, start)
        assert (scan.lines, scan.control.tolist()) == _scan_by_hand(data, start), (trial, data)


def test_variants_by_case_runs_match_a_plain_grouping() -> None:
    rng = random.Random(13)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(200):
        n = rng.randint(1, 40)
        rows = sorted(
            (rng.choice(["a", "b", "c", "d", "e"]), rng.randint(0, 9), rng.choice("xyz"))
            for _ in range(n)
        )
        events = pl.DataFrame(
            {
                "case": [r[0] for r in rows],
                "activity": [r[2] for r in rows],
                "timestamp": pl.Series(
                    [t0 + timedelta(minutes=r[1]) for r in rows], dtype=pl.Datetime("us", "UTC")
                ),
                "unit": [rng.choice([None, "u1", "u2"]) for _ in rows],
            }
        )
        table = variant_table(events)
        by_case: dict[str, list[str]] = {}
        for c, a in zip(events["case"], events["activity"], strict=True):
            by_case.setdefault(c, []).append(a)
        counts: dict[tuple[str, ...], int] = {}
        for seq in by_case.values():
            counts[tuple(seq)] = counts.get(tuple(seq), 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], "\x1f".join(kv[0])))
        assert table.variants.rows() == [(i, list(k), v) for i, (k, v) in enumerate(ranked)]
        index = {k: i for i, (k, _) in enumerate(ranked)}
        assert table.cases["case"].to_list() == list(by_case)
        assert table.cases["variant"].to_list() == [index[tuple(v)] for v in by_case.values()]
        units = [
            next(
                (
                    u
                    for c, u in zip(events["case"], events["unit"], strict=True)
                    if c == k and u is not None
                ),
                None,
            )
            for k in by_case
        ]
        assert table.cases["unit"].to_list() == units
        assert table.cases["events"].to_list() == [len(v) for v in by_case.values()]
        # the same events with the cases interleaved (each case's events in their order):
        # the plain grouping, the same variants
        queues = {c: events.filter(pl.col("case") == c) for c in by_case}
        order: list[pl.DataFrame] = []
        while queues:
            c = rng.choice(sorted(queues))
            order.append(queues[c].head(1))
            queues[c] = queues[c].slice(1)
            if not queues[c].height:
                del queues[c]
        mixed = variant_table(pl.concat(order))
        assert mixed.variants.rows() == table.variants.rows()
        assert sorted(mixed.cases.rows()) == sorted(table.cases.rows())


def test_raw_values_first_matches_trimming_every_value() -> None:
    # the detected form on the raw values, the rest trimmed, against trimming every value
    # first: padded values (ASCII and Unicode white space), empty, blank, null, other forms,
    # slash dates, offsets, the spring gap and the autumn overlap
    forms = [
        "2025-04-27 14:30:15",
        "2025-04-27T14:30:15",
        "27.04.2025 14:30",
        "2025-04-27 14:30:15.250",
        "2025-04-27 14:30:15Z",
        "27.04.2025 14.30",
        "03/04/2025 10:00",
        "13/04/2025 10:00",
        "2025-03-30 02:30:00",
        "2025-10-26 02:30:00",
        "2025-02-30 10:00:00",
        "tomorrow",
        "",
    ]
    pads = ["", "", "", " ", "\t", "\u00a0", "\u3000", "  "]
    rng = random.Random(17)
    for _ in range(150):
        bulk = rng.choice(forms[:3])
        values: list[str | None] = []
        for _ in range(rng.randint(1, 60)):
            v = bulk if rng.random() < 0.7 else rng.choice(forms)
            values.append(rng.choice(pads) + v + rng.choice(pads) if rng.random() > 0.05 else None)
        s = pl.Series(values, dtype=pl.String)
        got = parse_timestamps(s, timezone=TZ, dayfirst=None)
        want = _localise(_parse_trimmed(s, None), TZ)
        assert got.utc.equals(want.utc, null_equal=True), values
        assert got.reason.equals(want.reason, null_equal=True), values
        assert dict(got.warnings) == dict(want.warnings), values
