"""Shared vocabulary: deviation kinds, BPMN task types and labels used across layers."""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACTIVITY_TYPES",
    "DEVIATION_KINDS",
    "EVENT_TYPES",
    "GATEWAY_TYPES",
    "NO_UNIT",
    "STRUCTURAL_KINDS",
    "SUBPROCESS_TYPES",
    "TASK_TYPES",
    "DeviationKind",
]

#: What a deviation of a case from the standard can be (``docs/conformance.md``).
DeviationKind = Literal["skipped", "inserted", "moved", "repeated", "unknown_activity", "late"]
#: The deviation kinds, in the order reports list them.
DEVIATION_KINDS: tuple[DeviationKind, ...] = (
    "skipped",
    "inserted",
    "moved",
    "repeated",
    "unknown_activity",
    "late",
)
#: The kinds an alignment shows (all but ``late``, which comes from time limits).
STRUCTURAL_KINDS: tuple[DeviationKind, ...] = DEVIATION_KINDS[:-1]

#: The unit label of cases whose events name no unit.
NO_UNIT = "(ingen enhet)"

#: BPMN element types (local names) that are tasks.
TASK_TYPES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
    }
)
SUBPROCESS_TYPES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
#: Everything a log's activity can correspond to.
ACTIVITY_TYPES = TASK_TYPES | SUBPROCESS_TYPES | {"callActivity"}

EVENT_TYPES = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
GATEWAY_TYPES = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
