"""Drift and health of a catalogue: where a BPMN file and its metadata no longer agree.

:func:`check_catalog` lists, as :class:`~fvmprocess.catalog.findings.Finding` objects:

* files that do not make a process: a ``.bpmn`` without its ``.yaml`` (and the reverse),
  unreadable or invalid metadata (from :attr:`Catalog.problems`);
* BPMN activities without metadata, metadata entries whose element is gone (or is no activity);
* time limits and variations naming activities that are not in the BPMN;
* activities sharing a label (a log could not tell them apart).

The BPMN's own :func:`fvmprocess.validate` problems are added by the command line (validation
sits above the catalogue in the layering).

Example:
    >>> from fvmprocess.catalog import catalog
    >>> check_catalog(catalog())
    []
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fvmprocess.catalog.findings import Finding
from fvmprocess.catalog.labels import element_labels, process_text
from fvmprocess.catalog.store import Catalog, StandardProcess
from fvmprocess.errors import BpmnError, CatalogError

__all__ = ["check_catalog", "check_process", "missing_references"]


def check_catalog(cat: Catalog, process_id: str | None = None) -> list[Finding]:
    """Everything wrong with a catalogue, or with one of its processes.

    Args:
        cat: the catalogue.
        process_id: only this process (its files' problems and its drift).

    Returns:
        The findings, file by file; empty when the catalogue is healthy.

    Raises:
        CatalogError: ``process_id`` names no file of the catalogue.
    """
    problems = [_named(f) for f in cat.problems]
    if process_id is None:
        out = list(problems)
        for sp in cat:
            out += check_process(sp)
        return out
    own = [f for f in problems if Path(f.file).stem == process_id]
    if process_id in cat:
        return own + check_process(cat[process_id])
    if own:
        return own
    cat[process_id]  # raises, listing the known ids
    raise CatalogError(f"no standard process {process_id!r}")  # pragma: no cover


def _named(f: Finding) -> Finding:
    """A ``.bpmn`` without metadata, named by its process id when the file can be read."""
    if f.code != "bpmn-without-metadata":
        return f
    from fvmprocess.bpmn import read_bpmn

    try:
        model = read_bpmn(f.file)
    except BpmnError as e:
        return Finding(f.file, e.place or "-", "unreadable", e.message, unreadable=True)
    text = process_text(model)
    message = f"process {text.name.sv!r} " + f.message
    return Finding(f.file, text.id, f.code, message)


def check_process(sp: StandardProcess) -> list[Finding]:
    """The drift between one process's BPMN and its metadata."""
    try:
        model = sp.model
    except BpmnError as e:
        return [Finding(str(sp.path), e.place or "-", "unreadable", e.message, unreadable=True)]
    yml = str(sp.metadata_path)
    labels = element_labels(model)
    activities = {n.id: n for n in model.nodes.values() if n.is_activity}
    out = [
        Finding(
            yml,
            aid,
            "activity-without-metadata",
            f"{node.type} {labels[aid].sv!r} is in the BPMN but not in the metadata "
            f"(run: fvmprocess models sync {sp.id})",
        )
        for aid, node in activities.items()
        if aid not in sp.metadata.activities
    ]
    for aid in sp.metadata.activities:
        if aid in activities:
            continue
        kind = model.element_type(aid)
        code, what = (
            ("metadata-not-an-activity", f"is a {kind} in the BPMN, not an activity")
            if kind is not None
            else ("metadata-not-in-bpmn", "is no longer in the BPMN")
        )
        out.append(
            Finding(yml, aid, code, f"metadata entry {what} (fvmprocess models sync --prune)")
        )
    data = sp.metadata.model_dump(mode="json")
    out += [
        Finding(
            yml,
            ident,
            f"{kind.replace(' ', '-')}-missing-activity",
            f"{kind} {ident} names {act}, which is not an activity in the BPMN",
        )
        for kind, ident, act in missing_references(data, model)
    ]
    return out + _duplicate_labels(str(sp.path), {k: labels[k] for k in activities})


def _duplicate_labels(bpmn: str, labels: Mapping[str, Any]) -> list[Finding]:
    out = []
    for lang in ("sv", "en"):
        seen: dict[str, str] = {}
        for aid, lab in labels.items():
            key = lab.get(lang).casefold()
            if key in seen:
                out.append(
                    Finding(
                        bpmn,
                        aid,
                        "duplicate-label",
                        f"label {lab.get(lang)!r} ({lang}) is also the label of {seen[key]}; "
                        "a log could not tell them apart",
                    )
                )
            else:
                seen[key] = aid
    return out


def missing_references(data: Any, model: Any) -> list[tuple[str, str, str]]:
    """``(kind, id, activity)`` for each time limit or variation naming a missing activity.

    Args:
        data: the metadata as plain data (a mapping as read from YAML).
        model: the process's :class:`~fvmprocess.bpmn.model.BpmnModel`.

    ``kind`` is ``"time limit"`` or ``"variation"``; a time limit may start at a start event.
    """
    acts = {n.id for n in model.nodes.values() if n.is_activity}
    starts = {n.id for n in model.nodes.values() if n.type == "startEvent"}
    out: list[tuple[str, str, str]] = []
    for tl in _items(data, "time_limits"):
        tid = str(tl.get("id", "?"))
        frm = tl.get("from_activity")
        if frm is not None and frm not in acts | starts:
            out.append(("time limit", tid, str(frm)))
        refs = [tl.get("to_activity"), *_list(tl, "applies_if"), *_list(tl, "applies_unless")]
        out += [("time limit", tid, str(r)) for r in refs if r is not None and r not in acts]
    for v in _items(data, "variations"):
        vid = str(v.get("id", "?"))
        out += [("variation", vid, str(r)) for r in _list(v, "allowed_skips") if r not in acts]
    return out


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list | tuple) else []


def _list(item: Any, key: str) -> list[Any]:
    value = item.get(key)
    return list(value) if isinstance(value, list | tuple) else []
