"""The aligner's on-the-fly path uses the exact process-tree aligner where it applies.

When the reachability graph does not fit (here: forced by ``max_states``), an ``Aligner`` of a
block-structured net with unique labels aligns every trace exactly through
:mod:`fvmprocess.conformance.blocks`: the costs equal those of the graph aligner on the same
net (an independent, exhaustive search), and every result is flagged exact — where the bounded
search alone, under a tiny state budget, would have flagged bounds.
"""

from __future__ import annotations

import random

from fvmprocess.conformance.align import Aligner, Budget
from test_blocks_align import mutate, net_of, play_out, random_tree


def test_on_the_fly_aligner_is_exact_on_block_structured_nets() -> None:
    rng = random.Random(11)
    checked = 0
    for _ in range(12):
        alphabet = [chr(ord("A") + k) for k in range(8)]
        net = net_of(random_tree(rng, list(alphabet)))
        exact = Aligner(net, method="graph")
        # 1 marking allowed: the graph cannot be built, so the net is aligned on the fly, and
        # a 1-state search budget would leave the bounded search unable to prove anything
        fly = Aligner(net, max_states=1, budget=Budget(states=1))
        assert fly.method == "net" and fly._blocks is not None
        traces = [mutate(play_out(net, rng), rng, alphabet) for _ in range(6)]
        for got, want in zip(fly.align_variants(traces), exact.align_variants(traces), strict=True):
            assert got.exact and got.cost_lower is None
            assert got.cost == want.cost and got.worst_cost == want.worst_cost
            checked += 1
    assert checked == 72


def test_traces_too_long_for_the_tables_go_to_the_bounded_search() -> None:
    tree = ("seq", ("leaf", "A"), ("and", ("leaf", "B"), ("leaf", "C")), ("leaf", "D"))
    net = net_of(tree)
    fly = Aligner(net, max_states=1, budget=Budget(memory=8192))
    assert fly._blocks is not None
    long = ("A", "B", "C", "D") * 30  # 120 known events: 16 tables of 121² floats > 4 kB
    assert not fly._fits_blocks(long) and fly._fits_blocks(("A", "C", "B", "D"))
    got, want = fly.align(long), Aligner(net, method="graph").align(long)
    assert want.cost == 116  # hand: one A, B, C, D synchronised, the other 116 events log moves
    if got.exact:
        assert got.cost == want.cost
    else:  # the bounded search's flags bracket the optimum
        assert got.cost_lower is not None and got.cost_lower <= want.cost <= got.cost
