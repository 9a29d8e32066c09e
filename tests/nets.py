"""Small Petri nets for the tests, built from a compact description."""

from __future__ import annotations

from fvmprocess.petri import PetriNet, Transition


def make_net(
    name: str,
    spec: dict[str, tuple[str | None, list[str], list[str]]],
    *,
    initial: dict[str, int] | None = None,
    final: dict[str, int] | None = None,
) -> PetriNet:
    """Build a net from ``{transition id: (label, input places, output places)}``."""
    places: list[str] = []
    arcs: list[tuple[str, str, int]] = []
    for tid, (_, ins, outs) in spec.items():
        for p in [*ins, *outs]:
            if p not in places:
                places.append(p)
        arcs += [(p, tid, 1) for p in ins] + [(tid, p, 1) for p in outs]
    return PetriNet(
        name=name,
        places=tuple(places),
        transitions=tuple(Transition(t, lab) for t, (lab, _, _) in spec.items()),
        arcs=tuple(arcs),
        initial_marking=initial or {"i": 1},
        final_marking=final or {"o": 1},
    )


def parallel_net(branches: int, length: int, *, tree: bool = True) -> PetriNet:
    """``branches`` sequences of ``length`` activities in parallel: (length + 1) ** branches
    reachable markings in the middle. ``tree=False`` adds a second
    transition labelled like branch 1's first task beside branch 0's first task: a label on
    two transitions is not a process tree, so only the bounded search can align the net."""
    places, trans = ["i", "o"], [Transition("s", None), Transition("j", None)]
    arcs = [("i", "s", 1), ("j", "o", 1)]
    if not tree:
        trans.append(Transition("dup", "A10"))
        arcs += [("b0_0", "dup", 1), ("dup", "b0_1", 1)]
    for b in range(branches):
        prev = f"b{b}_0"
        places.append(prev)
        arcs.append(("s", prev, 1))
        for a in range(length):
            t, nxt = f"t{b}_{a}", f"b{b}_{a + 1}"
            places.append(nxt)
            trans.append(Transition(t, f"A{b}{a}"))
            arcs += [(prev, t, 1), (t, nxt, 1)]
            prev = nxt
        arcs.append((prev, "j", 1))
    return PetriNet("par", tuple(places), tuple(trans), tuple(arcs), {"i": 1}, {"o": 1})
