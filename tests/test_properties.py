"""Property-based tests: readers on random and mutated input, accounting, optimal alignments.

* Readers (BPMN, PNML, CSV, XES) never raise anything but :class:`FvmProcessError`.
* CSV row accounting always balances.
* Alignment costs equal a brute-force optimum on small random block-structured nets, built from
  random process trees, and a trace played out from the net always costs 0.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.conformance.align import Aligner
from fvmprocess.errors import FvmProcessError
from fvmprocess.eventlog import read_log
from fvmprocess.petri import PetriNet, Transition, read_pnml

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
VALID_BPMN = (HOSTILE / "valid.bpmn").read_bytes()
VALID_PNML = (HOSTILE / "valid.pnml").read_bytes()
VALID_XES = (HOSTILE / "log_valid.xes").read_bytes()
VALID_CSV = (
    b"case,activity,timestamp,unit\n"
    b"c1,Registrering,2024-03-05 14:30,Akuten A\n"
    b"c1,Triage,2024-03-05T15:00:00+01:00,Akuten A\n"
    b"c2,L\xc3\xa4karbes\xc3\xb6k,05/03/2024 16:00,Akuten B\n"
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def _mutations(valid: bytes) -> st.SearchStrategy[bytes]:
    """Valid bytes with a few random edits: cut, delete, insert, replace, duplicate a slice."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 4))):
            op = draw(st.sampled_from(["cut", "delete", "insert", "replace", "dup"]))
            i = draw(st.integers(0, len(data)))
            j = draw(st.integers(i, min(len(data), i + 40)))
            if op == "cut":
                del data[i:]
            elif op == "delete":
                del data[i:j]
            elif op == "insert":
                data[i:i] = draw(
                    st.one_of(
                        st.binary(max_size=8),
                        st.sampled_from(
                            [
                                b"<",
                                b">",
                                b"&",
                                b'"',
                                b",",
                                b";",
                                b"\n",
                                b"\x00",
                                b"\xff",
                                b"&x;",
                                b"<!DOCTYPE x>",
                                b"]]>",
                                b"<!--",
                                b"\r",
                                b"\xc3",
                            ]
                        ),
                    )
                )
            elif op == "replace":
                data[i:j] = draw(st.binary(max_size=j - i + 2))
            else:
                data[i:i] = data[i:j]
        return bytes(data)

    return mutate()


def _inputs(valid: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), _mutations(valid))


# -- readers never raise anything but FvmProcessError -----------------------------------------


@FAST
@given(data=_inputs(VALID_BPMN))
def test_bpmn_reader_only_raises_fvm_errors(data: bytes) -> None:
    with contextlib.suppress(FvmProcessError):
        read_bpmn(data)


@FAST
@given(data=_inputs(VALID_PNML))
def test_pnml_reader_only_raises_fvm_errors(data: bytes) -> None:
    with contextlib.suppress(FvmProcessError):
        read_pnml(data)


@FAST
@given(data=_inputs(VALID_XES))
def test_xes_reader_only_raises_fvm_errors(scratch: Path, data: bytes) -> None:
    path = scratch / "fuzz.xes"
    path.write_bytes(data)
    try:
        log = read_log(path)
    except FvmProcessError:
        return
    a = log.accounting
    assert a.rows_read == a.rows_used + a.rows_rejected


@FAST
@given(data=_inputs(VALID_CSV))
def test_csv_reader_only_raises_fvm_errors_and_balances(scratch: Path, data: bytes) -> None:
    path = scratch / "fuzz.csv"
    path.write_bytes(data)
    try:
        log = read_log(path)
    except FvmProcessError:
        return
    a = log.accounting
    assert a.rows_read == a.rows_used + a.rows_rejected
    assert a.rows_rejected == sum(a.reasons.values())
    assert len(log) == a.rows_used - a.warnings.get("lifecycle_start_merged", 0)


_CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "c1",
            "c2",
            "A",
            "B",
            "Läkarbesök",
            "2024-03-05 14:30",
            "2024-03-31 02:30",
            "2024-10-27 02:30",
            "05/03/2024",
            "13/13/2024",
            "2024-03-05T14:30:00Z",
            "nonsense",
            '"',
            "a,b",
            "x;y",
        ]
    ),
    st.text(max_size=6),
)


@FAST
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=5), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_csv_accounting_always_balances(
    scratch: Path, rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    lines = [delimiter.join(["case", "activity", "timestamp"])]
    lines += [delimiter.join(r) for r in rows]
    text = "\n".join(lines) + "\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path = scratch / "rows.csv"
    path.write_bytes(data)
    try:
        log = read_log(path)
    except FvmProcessError:
        return
    a = log.accounting
    assert a.rows_read == a.rows_used + a.rows_rejected
    assert a.rows_rejected == sum(a.reasons.values())
    # a bare CR is a line break too (old Mac exports); never more rows than line breaks
    assert a.rows_read <= text.replace("\r\n", "\n").replace("\r", "\n").count("\n")


# -- alignments are optimal -------------------------------------------------------------------

Tree = tuple  # ("leaf", label) | (op, (child, ...)) with op in seq/xor/and/loop


@st.composite
def process_trees(draw: st.DrawFn, leaves: int | None = None) -> Tree:
    """A random block-structured process tree over 2–5 leaves labelled A–D."""
    n = leaves if leaves is not None else draw(st.integers(2, 5))
    if n == 1:
        return ("leaf", draw(st.sampled_from("ABCD")))
    op = draw(st.sampled_from(["seq", "xor", "and", "loop"]))
    if op == "loop":
        k = draw(st.integers(1, n - 1))
        return ("loop", (draw(process_trees(k)), draw(process_trees(n - k))))
    parts = draw(st.integers(2, min(3, n)))
    cuts = sorted(
        draw(st.lists(st.integers(1, n - 1), min_size=parts - 1, max_size=parts - 1, unique=True))
    )
    sizes = [b - a for a, b in itertools.pairwise([0, *cuts, n])]
    return (op, tuple(draw(process_trees(s)) for s in sizes))


@dataclass
class _Builder:
    places: list[str]
    transitions: list[Transition]
    arcs: list[tuple[str, str, int]]

    def place(self) -> str:
        p = f"p{len(self.places)}"
        self.places.append(p)
        return p

    def trans(self, label: str | None, pre: list[str], post: list[str]) -> None:
        t = f"t{len(self.transitions)}"
        self.transitions.append(Transition(t, label))
        self.arcs += [(p, t, 1) for p in pre] + [(t, p, 1) for p in post]

    def build(self, tree: Tree, src: str, dst: str) -> None:
        op, body = tree
        if op == "leaf":
            self.trans(body, [src], [dst])
        elif op == "seq":
            cur = src
            for i, child in enumerate(body):
                nxt = dst if i == len(body) - 1 else self.place()
                self.build(child, cur, nxt)
                cur = nxt
        elif op == "xor":
            for child in body:  # τ entry/exit so children never share places
                a, b = self.place(), self.place()
                self.trans(None, [src], [a])
                self.build(child, a, b)
                self.trans(None, [b], [dst])
        elif op == "and":
            ins = [self.place() for _ in body]
            outs = [self.place() for _ in body]
            self.trans(None, [src], ins)
            for child, a, b in zip(body, ins, outs, strict=True):
                self.build(child, a, b)
            self.trans(None, outs, [dst])
        else:  # loop: do once, then (redo, do)*
            a, b = self.place(), self.place()
            self.trans(None, [src], [a])
            self.build(body[0], a, b)
            self.build(body[1], b, a)
            self.trans(None, [b], [dst])


def tree_to_net(tree: Tree) -> PetriNet:
    b = _Builder(["i", "o"], [], [])
    b.build(tree, "i", "o")
    return PetriNet(
        name="tree",
        places=tuple(b.places),
        transitions=tuple(b.transitions),
        arcs=tuple(b.arcs),
        initial_marking={"i": 1},
        final_marking={"o": 1},
    )


Marking = tuple[tuple[str, int], ...]


def language(net: PetriNet, max_len: int) -> set[tuple[str, ...]]:
    """Every visible label sequence of a complete run with at most ``max_len`` labels."""
    pre: dict[str, dict[str, int]] = {t.id: {} for t in net.transitions}
    post: dict[str, dict[str, int]] = {t.id: {} for t in net.transitions}
    for s, t, w in net.arcs:
        if t in pre:
            pre[t][s] = w
        else:
            post[s][t] = w
    final: Marking = tuple(sorted(net.final_marking.items()))
    start: Marking = tuple(sorted(net.initial_marking.items()))
    out: set[tuple[str, ...]] = set()
    seen: set[tuple[Marking, tuple[str, ...]]] = set()
    stack = [(start, ())]
    while stack:
        m, seq = stack.pop()
        if (m, seq) in seen:
            continue
        seen.add((m, seq))
        if m == final:
            out.add(seq)
        md = dict(m)
        for t in net.transitions:
            if all(md.get(p, 0) >= w for p, w in pre[t.id].items()):
                seq2 = seq if t.label is None else (*seq, t.label)
                if len(seq2) > max_len:
                    continue
                m2 = dict(md)
                for p, w in pre[t.id].items():
                    m2[p] -= w
                for p, w in post[t.id].items():
                    m2[p] = m2.get(p, 0) + w
                stack.append((tuple(sorted((p, c) for p, c in m2.items() if c)), seq2))
    return out


@cache
def _lcs(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def brute_force_cost(net: PetriNet, trace: tuple[str, ...]) -> int:
    shortest = min(len(r) for r in language(net, 12))
    # a run longer than 2·|trace| + shortest costs more than log-moving all and taking the shortest
    runs = language(net, 2 * len(trace) + shortest)
    return min(len(trace) + len(r) - 2 * _lcs(trace, r) for r in runs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=process_trees(),
    trace=st.lists(st.sampled_from("ABCDE"), max_size=5).map(tuple),
    method=st.sampled_from(["auto", "net"]),
)
def test_alignment_cost_is_optimal(tree: Tree, trace: tuple[str, ...], method: str) -> None:
    net = tree_to_net(tree)
    result = Aligner(net, method=method).align(list(trace))  # type: ignore[arg-type]
    assert result.cost == brute_force_cost(net, trace), (tree, trace)
    assert result.trace == trace
    assert sum(m.kind in ("log", "model") for m in result.moves) == result.cost


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=process_trees(), pick=st.integers(0, 10_000))
def test_played_out_trace_costs_zero(tree: Tree, pick: int) -> None:
    net = tree_to_net(tree)
    runs = sorted(language(net, 8))
    assume(runs)
    trace = runs[pick % len(runs)]
    result = Aligner(net).align(list(trace))
    assert result.cost == 0
    assert result.fitness == 1.0
    assert all(m.kind in ("sync", "silent") for m in result.moves)


def test_builder_sanity() -> None:
    net = tree_to_net(("seq", (("leaf", "A"), ("loop", (("leaf", "B"), ("leaf", "C"))))))
    assert language(net, 5) == {("A", "B"), ("A", "B", "C", "B")}
    assert brute_force_cost(net, ("A", "C")) == 2  # log C, model B
    assert brute_force_cost(net, ("A", "B", "C")) == 1
    par = tree_to_net(("and", (("leaf", "A"), ("leaf", "B"))))
    assert language(par, 3) == {("A", "B"), ("B", "A")}


# -- figures over random logs: every rate a share in [0, 1], no NaN anywhere (issue 14) --------

_ABC = PetriNet(
    "abc",
    ("i", "p1", "p2", "o"),
    (Transition("tA", "A"), Transition("tB", "B"), Transition("tC", "C")),
    (
        ("i", "tA", 1),
        ("tA", "p1", 1),
        ("p1", "tB", 1),
        ("tB", "p2", 1),
        ("p2", "tC", 1),
        ("tC", "o", 1),
    ),
    {"i": 1},
    {"o": 1},
)
_EVENT = st.tuples(
    st.sampled_from(["A", "B", "C", "X"]),
    st.integers(min_value=0, max_value=600),  # minutes after 08:00, in any order
    st.sampled_from(["U1", "U2", "U3", None]),
)


def _bounded(column: str) -> bool:
    """Columns that are shares of cases (or fitness): they must lie in [0, 1]."""
    return column.endswith(("_rate", "share", "_low", "_high", "fitness", "compliance"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases=st.lists(st.lists(_EVENT, min_size=1, max_size=6), min_size=1, max_size=12),
    target=st.sampled_from([None, 0.8]),
    assignment=st.sampled_from(["first", "most", "split"]),
)
def test_no_rate_above_one_and_no_nan(
    cases: list[list[tuple[str, int, str | None]]], target: float | None, assignment: str
) -> None:
    import json
    import math
    from datetime import datetime, timedelta

    import polars as pl

    from fvmprocess.conformance import check
    from fvmprocess.timelimit import TimeLimit

    t0 = datetime(2025, 3, 3, 8)
    rows = [
        {"case": f"k{i}", "activity": a, "timestamp": t0 + timedelta(minutes=m), "unit": u}
        for i, evs in enumerate(cases)
        for a, m, u in evs
    ]
    limits = [
        TimeLimit(
            id="ab", from_activity="A", to_activity="B", max_duration="PT2H", target_share=target
        ),
        TimeLimit(id="c", to_activity="C", max_duration="PT4H"),
    ]
    result = check(
        _ABC, pl.DataFrame(rows), time_limits=limits, unit_assignment=assignment,
        min_match_share=0.0,
    )  # fmt: skip
    tables = {
        "units": result.units,
        "activities": result.activities,
        "time_limits": result.time_limits,
        "cases": result.cases,
        "variants": result.variants,
    }
    for name, table in tables.items():
        for column, dtype in table.schema.items():
            if not dtype.is_float():
                continue
            values = [v for v in table[column].to_list() if v is not None]
            assert not any(math.isnan(v) for v in values), (name, column)
            if _bounded(column):
                assert all(0.0 <= v <= 1.0 for v in values), (name, column, values)
    for row in result.time_limits.iter_rows(named=True):
        if row["target_share"] is None:
            assert row["meets_target"] is None
    text = json.dumps(result.to_dict(), allow_nan=False)  # raises on NaN or infinity
    assert "nan" not in text.lower().replace("nanosecond", "")
