"""Differences between two versions of a process (``models diff OLD NEW``).

Two versions of a standard, or a unit's own drawn process against the standard, are compared:

* **activities** added, removed or renamed: matched by element id first, then — for those left
  over — by Swedish label (a copy in a modelling tool often gets new ids); a label match is
  reported as ``new-id``;
* **order and branching**: the directly-follows relation of the two workflow nets (which
  activity can directly follow which, with ``(start)`` and ``(end)``), compared after mapping
  the old ids onto the new ones;
* **time limits** added, removed or changed (by limit id, field by field).

The nets are compiled by the caller (compilation sits above the catalogue); without nets the
order is not compared.

Example:
    >>> d = diff_processes(DiffSide(old_model), DiffSide(new_model))  # doctest: +SKIP
    >>> [(c.kind, c.new_id) for c in d.activities]  # doctest: +SKIP
    [('added', 'Activity_0x3fj2')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess._shared.labels import Lang, LocalizedText
from fvmprocess.catalog.labels import element_labels
from fvmprocess.petri import PetriNet, reachability_graph

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.timelimit import TimeLimit

__all__ = [
    "END",
    "START",
    "ActivityChange",
    "DiffSide",
    "FollowsChange",
    "LimitChange",
    "ModelDiff",
    "diff_processes",
    "directly_follows_relation",
]

#: The pseudo-activities before the first and after the last activity of a case.
START, END = "(start)", "(end)"
_STATE_LIMIT = 100_000
_LIMIT_KINDS = ("added", "removed", "changed")


@dataclass(frozen=True, slots=True)
class DiffSide:
    """One side of a comparison.

    Attributes:
        model: the BPMN model.
        source: what to call it in the output (file or catalogue id and version).
        net: its workflow net labelled by element id (``to_petri_net(model, label="id")``),
            or None to leave order and branching out.
        time_limits: its time limits (a catalogue process's; empty for a plain file).
        note: why ``net`` is missing, if it is (e.g. the translation error).
    """

    model: BpmnModel
    source: str = ""
    net: PetriNet | None = None
    time_limits: tuple[TimeLimit, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ActivityChange:
    """An activity added, removed, renamed, or kept under a new id.

    Attributes:
        kind: ``"added"``, ``"removed"``, ``"renamed"`` (same id, other label) or ``"new-id"``
            (same label, other id).
        old_id: the id in OLD (None when added).
        new_id: the id in NEW (None when removed).
        old_label: the labels in OLD, if any.
        new_label: the labels in NEW, if any.
    """

    kind: Literal["added", "removed", "renamed", "new-id"]
    old_id: str | None
    new_id: str | None
    old_label: LocalizedText | None
    new_label: LocalizedText | None


@dataclass(frozen=True, slots=True)
class FollowsChange:
    """A directly-follows pair that NEW has and OLD has not (``added``), or the reverse.

    Ids are NEW's where the activity exists in NEW, else OLD's.
    """

    kind: Literal["added", "removed"]
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class LimitChange:
    """A time limit added, removed or changed (``fields`` names what changed)."""

    kind: Literal["added", "removed", "changed"]
    id: str
    fields: tuple[str, ...] = ()
    old: TimeLimit | None = None
    new: TimeLimit | None = None


@dataclass(frozen=True)
class ModelDiff:
    """The differences between OLD and NEW.

    Attributes:
        old_source: OLD's name in the output.
        new_source: NEW's name in the output.
        activities: activity changes, in NEW's then OLD's document order.
        follows: directly-follows changes (empty when not compared).
        time_limits: time-limit changes.
        order_compared: whether both nets were there to compare order and branching.
        notes: why something could not be compared.
        labels: every label of both sides by id (NEW wins), for the output.
    """

    old_source: str
    new_source: str
    activities: tuple[ActivityChange, ...]
    follows: tuple[FollowsChange, ...]
    time_limits: tuple[LimitChange, ...]
    order_compared: bool
    notes: tuple[str, ...] = ()
    labels: Mapping[str, LocalizedText] = field(default_factory=dict, repr=False)

    @property
    def is_empty(self) -> bool:
        """Whether the two versions are the same in everything compared."""
        return not (self.activities or self.follows or self.time_limits)

    def label(self, element_id: str, lang: Lang = "sv") -> str:
        """The label of an id of either side (the id itself for ``(start)``/``(end)``)."""
        found = self.labels.get(element_id)
        return found.get(lang) if found is not None else element_id

    def to_dict(self, lang: Lang = "sv") -> dict[str, Any]:
        """The differences as JSON-ready data (ids with their labels in ``lang``)."""

        def lab(x: LocalizedText | None) -> str | None:
            return x.get(lang) if x is not None else None

        return {
            "old": self.old_source,
            "new": self.new_source,
            "same": self.is_empty,
            "activities": [
                {
                    "kind": c.kind,
                    "old_id": c.old_id,
                    "new_id": c.new_id,
                    "old_label": lab(c.old_label),
                    "new_label": lab(c.new_label),
                }
                for c in self.activities
            ],
            "order_compared": self.order_compared,
            "follows": [
                {
                    "kind": f.kind,
                    "source": f.source,
                    "source_label": self.label(f.source, lang),
                    "target": f.target,
                    "target_label": self.label(f.target, lang),
                }
                for f in self.follows
            ],
            "time_limits": [
                {
                    "kind": t.kind,
                    "id": t.id,
                    "fields": list(t.fields),
                    "old": t.old.model_dump(mode="json") if t.old is not None else None,
                    "new": t.new.model_dump(mode="json") if t.new is not None else None,
                }
                for t in self.time_limits
            ],
            "notes": list(self.notes),
        }

    def to_text(self, lang: Lang = "sv") -> list[str]:
        """The differences as lines of text for a terminal."""
        lines = [f"OLD {self.old_source}", f"NEW {self.new_source}"]
        if self.is_empty:
            return [*lines, "no differences", *self.notes]
        lines += _activity_lines(self.activities, lang)
        if self.follows:
            n_add = sum(f.kind == "added" for f in self.follows)
            lines.append(
                f"order and branching: {n_add} directly-follows pair(s) added, "
                f"{len(self.follows) - n_add} removed"
            )
            for f in self.follows:
                sign = "+" if f.kind == "added" else "-"
                lines.append(
                    f"  {sign} {f.source} -> {f.target}  "
                    f"({self.label(f.source, lang)!r} -> {self.label(f.target, lang)!r})"
                )
        if self.time_limits:
            counts = {k: sum(t.kind == k for t in self.time_limits) for k in _LIMIT_KINDS}
            lines.append("time limits: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
            lines += [f"  {_limit_line(t)}" for t in self.time_limits]
        return lines + list(self.notes)


def _activity_lines(changes: Sequence[ActivityChange], lang: Lang) -> list[str]:
    if not changes:
        return []
    counts = {k: sum(c.kind == k for c in changes) for k in ("added", "removed", "renamed")}
    counts["new id"] = sum(c.kind == "new-id" for c in changes)
    head = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    lines = [f"activities: {head}"]
    for c in changes:
        old = c.old_label.get(lang) if c.old_label else None
        new = c.new_label.get(lang) if c.new_label else None
        if c.kind == "added":
            lines.append(f"  + {c.new_id} {new!r}")
        elif c.kind == "removed":
            lines.append(f"  - {c.old_id} {old!r}")
        elif c.kind == "renamed":
            lines.append(f"  ~ {c.new_id} {old!r} -> {new!r}")
        else:
            lines.append(f"  = {c.old_id} -> {c.new_id} {new!r} (same label, new id)")
    return lines


def _limit_line(t: LimitChange) -> str:
    if t.kind == "added" and t.new is not None:
        return f"+ {t.id}: {t.new.from_activity} -> {t.new.to_activity} <= {t.new.max_duration}"
    if t.kind == "removed":
        return f"- {t.id}"
    parts = [
        f"{f} {getattr(t.old, f, None)!r} -> {getattr(t.new, f, None)!r}"
        for f in t.fields
        if f != "description"
    ]
    if "description" in t.fields:
        parts.append("description changed")
    return f"~ {t.id}: " + "; ".join(parts)


def directly_follows_relation(net: PetriNet) -> frozenset[tuple[str, str]]:
    """Which visible transition (by BPMN element) can directly follow which, in any run.

    Silent steps are skipped; ``(START, a)`` for activities that can come first and
    ``(a, END)`` for those that can come last.

    Raises:
        StateLimitError: the net has more than 100 000 reachable markings.
    """
    rg = reachability_graph(net, max_states=_STATE_LIMIT)
    names = [None if t.silent else (t.element or t.label) for t in net.transitions]
    nxt: dict[int, frozenset[str]] = {}

    def visible_next(state: int) -> frozenset[str]:
        if state not in nxt:
            found: set[str] = set()
            stack, seen = [state], {state}
            while stack:
                s = stack.pop()
                if s in rg.finals:
                    found.add(END)
                for t, s2 in rg.edges[s]:
                    name = names[t]
                    if name is not None:
                        found.add(name)
                    elif s2 not in seen:
                        seen.add(s2)
                        stack.append(s2)
            nxt[state] = frozenset(found)
        return nxt[state]

    pairs = {(START, b) for b in visible_next(rg.initial)}
    for s in range(rg.n_states):
        for t, s2 in rg.edges[s]:
            a = names[t]
            if a is not None:
                pairs |= {(a, b) for b in visible_next(s2)}
    return frozenset(pairs)


def _activities(model: BpmnModel) -> list[str]:
    return [n.id for n in model.nodes.values() if n.is_activity]


def _match(
    old: BpmnModel,
    new: BpmnModel,
    old_labels: Mapping[str, LocalizedText],
    new_labels: Mapping[str, LocalizedText],
) -> tuple[dict[str, str], list[ActivityChange]]:
    """Old id -> new id for matched activities, and the activity changes."""
    old_ids, new_ids = _activities(old), _activities(new)
    mapping = {i: i for i in old_ids if i in set(new_ids)}
    changes = [
        ActivityChange("renamed", i, i, old_labels[i], new_labels[i])
        for i in new_ids
        if i in mapping and old_labels[i] != new_labels[i]
    ]
    left_old = [i for i in old_ids if i not in mapping]
    by_label: dict[str, str] = {}
    for i in left_old:
        by_label.setdefault(old_labels[i].sv.casefold(), i)
    for i in new_ids:
        if i in mapping.values():
            continue
        o = by_label.pop(new_labels[i].sv.casefold(), None)
        if o is not None:
            mapping[o] = i
            changes.append(ActivityChange("new-id", o, i, old_labels[o], new_labels[i]))
        else:
            changes.append(ActivityChange("added", None, i, None, new_labels[i]))
    changes += [
        ActivityChange("removed", i, None, old_labels[i], None)
        for i in left_old
        if i not in mapping
    ]
    return mapping, changes


def _follows(
    old: DiffSide, new: DiffSide, mapping: Mapping[str, str]
) -> tuple[bool, list[FollowsChange], list[str]]:
    if old.net is None or new.net is None:
        notes = [f"order not compared: {s.note}" for s in (old, new) if s.note]
        return False, [], notes or ["order not compared: a workflow net is missing"]
    from fvmprocess.errors import StateLimitError

    try:
        before = {
            (mapping.get(a, a), mapping.get(b, b)) for a, b in directly_follows_relation(old.net)
        }
        after = set(directly_follows_relation(new.net))
    except StateLimitError as e:
        return False, [], [f"order not compared: {e.message}"]
    out = [FollowsChange("added", a, b) for a, b in sorted(after - before)]
    out += [FollowsChange("removed", a, b) for a, b in sorted(before - after)]
    return True, out, []


_LIMIT_FIELDS = (
    "from_activity",
    "to_activity",
    "max_duration",
    "counting",
    "target_share",
    "applies_if",
    "applies_unless",
    "description",
    "source",
)


def _limits(old: Sequence[TimeLimit], new: Sequence[TimeLimit]) -> list[LimitChange]:
    before = {t.id: t for t in old}
    after = {t.id: t for t in new}
    out: list[LimitChange] = []
    for tid, t in after.items():
        o = before.get(tid)
        if o is None:
            out.append(LimitChange("added", tid, new=t))
            continue
        changed = tuple(f for f in _LIMIT_FIELDS if getattr(o, f) != getattr(t, f))
        if changed:
            out.append(LimitChange("changed", tid, changed, o, t))
    out += [LimitChange("removed", tid, old=o) for tid, o in before.items() if tid not in after]
    return out


def diff_processes(old: DiffSide, new: DiffSide) -> ModelDiff:
    """Compare two versions of a process.

    Args:
        old: the earlier (or standard) version.
        new: the later (or unit's) version.

    Returns:
        A :class:`ModelDiff`.
    """
    old_labels, new_labels = element_labels(old.model), element_labels(new.model)
    mapping, changes = _match(old.model, new.model, old_labels, new_labels)
    compared, follows, notes = _follows(old, new, mapping)
    return ModelDiff(
        old_source=old.source or old.model.source,
        new_source=new.source or new.model.source,
        activities=tuple(changes),
        follows=tuple(follows),
        time_limits=tuple(_limits(old.time_limits, new.time_limits)),
        order_compared=compared,
        notes=tuple(notes),
        labels={**old_labels, **new_labels},
    )
