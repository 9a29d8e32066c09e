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
