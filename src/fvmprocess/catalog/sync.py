"""Keep a process's metadata in step with its BPMN (``models sync``) and add a tool export to the
catalogue (``models new``).

Only the ``.yaml`` file is ever written, and it is written with a round-tripping YAML library
(ruamel.yaml), so comments, key order and quoting stay as the process developer left them. The
``.bpmn`` file is never rewritten: it belongs to the modelling tool.

* A BPMN activity without metadata gets a stub ``Activity_X: {codes: []}`` in BPMN order, with
  a comment giving its label at the time (labels themselves live in the BPMN only).
* A metadata entry whose element is no longer an activity of the BPMN is reported and kept;
  ``prune=True`` deletes it. Time limits and variations are never changed: those naming a
  missing activity are reported (``models check`` reports them too).

Example:
    >>> result = sync_metadata(Path("region/remiss.bpmn"), Path("region/remiss.yaml"))  # doctest: +SKIP
    >>> result.added  # doctest: +SKIP
    ('Activity_0x3fj2',)
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fvmprocess.catalog.health import missing_references
from fvmprocess.catalog.labels import element_labels
from fvmprocess.errors import CatalogError

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from fvmprocess.bpmn.model import BpmnModel

__all__ = [
    "SyncResult",
    "dump_yaml",
    "load_yaml",
    "new_process",
    "sync_metadata",
    "yaml_round_trip",
]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def yaml_round_trip() -> YAML:
    """The YAML reader/writer the catalogue writes with: round-trip, 2-space block style."""
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap: long texts (URLs) stay on their key's line
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def load_yaml(path: Path) -> CommentedMap:
    """A metadata file as a round-trip mapping (comments and order kept).

    Raises:
        CatalogError: the file cannot be read, is not YAML or not a mapping.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        data = yaml_round_trip().load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise CatalogError(f"cannot read metadata ({e.strerror})", source=str(path)) from e
    except YAMLError as e:
        raise CatalogError(f"cannot read metadata: {e}", source=str(path)) from e
    if not isinstance(data, CommentedMap):
        raise CatalogError("metadata must be a mapping at the top level", source=str(path))
    return data


def dump_yaml(data: Any) -> str:
    """The YAML text of round-trip data."""
    buf = io.StringIO()
    yaml_round_trip().dump(data, buf)
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What :func:`sync_metadata` found and did.

    Attributes:
        process: the process id (the file stem).
        metadata_path: the ``.yaml`` file.
        added: activity ids that got a metadata stub, in BPMN order.
        removed: metadata entries whose element is no longer an activity of the BPMN.
        pruned: whether ``removed`` were deleted (``prune=True``).
        references: time limits and variations naming activities not in the BPMN (unchanged).
        written: whether the file was written.
    """

    process: str
    metadata_path: Path
    added: tuple[str, ...]
    removed: tuple[str, ...]
    pruned: bool
    references: tuple[str, ...]
    written: bool


def _activity_ids(model: BpmnModel) -> list[str]:
    return [n.id for n in model.nodes.values() if n.is_activity]


def _stub(label: str) -> tuple[Any, str]:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    codes = CommentedSeq()
    codes.fa.set_flow_style()
    return CommentedMap([("codes", codes)]), f"added by models sync: {label!r}"


def _activities_map(data: CommentedMap) -> CommentedMap:
    """The ``activities`` mapping, created (after ``sources``/``owner``) if absent."""
    from ruamel.yaml.comments import CommentedMap

    acts = data.get("activities")
    if isinstance(acts, CommentedMap):
        return acts
    if acts is not None:
        raise CatalogError("activities must be a mapping of element id to metadata")
    keys = list(data)
    after = next((k for k in ("sources", "owner", "valid_from") if k in keys), None)
    pos = keys.index(after) + 1 if after is not None else len(keys)
    acts = CommentedMap()
    data.insert(pos, "activities", acts)
    return acts


def _add_stubs(
    data: CommentedMap, acts: CommentedMap, model: BpmnModel, order: list[str]
) -> list[str]:
    """Insert a stub for each activity of ``order`` missing from ``acts``, in BPMN order."""
    labels = element_labels(model)
    added = []
    for i, act in enumerate(order):
        if act in acts:
            continue
        before = [a for a in order[:i] if a in acts]
        pos = list(acts).index(before[-1]) + 1 if before else 0
        if pos == 0 and acts:
            _keep_lead_comment(data, acts)
        value, comment = _stub(labels[act].sv)
        acts.insert(pos, act, value, comment=comment)
        added.append(act)
    return added


def _keep_lead_comment(data: CommentedMap, acts: CommentedMap) -> None:
    """Keep a comment above the first activity with that activity when a stub goes first.

    ruamel.yaml stores it as the mapping's leading comment, which would stay at the top.
    """
    lead = acts.ca.comment[1] if acts.ca.comment and len(acts.ca.comment) > 1 else None
    if not lead:
        return
    text = "".join(tok.value for tok in lead)
    acts.ca.comment[1] = []
    item = data.ca.items.get("activities")
    if item is not None and len(item) > 3:
        item[3] = None
    lines = [ln.strip().removeprefix("#").strip() for ln in text.splitlines()]
    acts.yaml_set_comment_before_after_key(next(iter(acts)), before="\n".join(lines), indent=2)


def sync_metadata(
    bpmn: str | Path, metadata: str | Path, *, prune: bool = False, write: bool = True
) -> SyncResult:
    """Bring ``metadata`` in step with the activities of ``bpmn``.

    Args:
        bpmn: the process's ``.bpmn`` file (read, never written).
        metadata: its ``.yaml`` file.
        prune: delete metadata entries of activities no longer in the BPMN.
        write: write the file when something changed (False: only report).

    Returns:
        A :class:`SyncResult`.

    Raises:
        CatalogError: the metadata cannot be read or its ``activities`` is not a mapping.
        BpmnError: the BPMN cannot be read.
    """
    from fvmprocess.bpmn import read_bpmn

    yml = Path(metadata)
    model = read_bpmn(Path(bpmn))
    data = load_yaml(yml)
    try:
        acts = _activities_map(data)
    except CatalogError as e:
        raise CatalogError(e.message, source=str(yml), place="activities") from e
    order = _activity_ids(model)
    added = _add_stubs(data, acts, model, order)
    removed = [k for k in acts if k not in set(order)]
    if prune:
        for k in removed:
            del acts[k]
    refs = [f"{kind} {i} names {act}" for kind, i, act in missing_references(data, model)]
    changed = bool(added) or (prune and bool(removed))
    if changed and write:
        yml.write_text(dump_yaml(data), encoding="utf-8")
    return SyncResult(
        yml.stem, yml, tuple(added), tuple(removed), prune, tuple(refs), changed and write
    )


def new_process(
    directory: str | Path,
    process_id: str,
    source: str | Path,
    *,
    owner: str = "ej angiven",
    version: str = "0.1.0",
    today: date | None = None,
) -> tuple[Path, Path]:
    """Add a BPMN file from a modelling tool to a catalogue, with a metadata stub.

    The BPMN is copied byte for byte to ``<directory>/<process_id>.bpmn`` (or used where it is
    when it already is that file); ``<process_id>.yaml`` gets the id, version, ``draft`` status,
    ``valid_from`` today, the owner, empty sources, time limits and variations, and a stub per
    activity.

    Returns:
        The ``.bpmn`` and ``.yaml`` paths.

    Raises:
        CatalogError: a bad id, a missing source, or a process of that id already exists.
        BpmnError: the source cannot be read as BPMN.
    """
    from fvmprocess.bpmn import read_bpmn

    d, src = Path(directory), Path(source)
    if not _ID.match(process_id):
        raise CatalogError(
            f"process id {process_id!r} must be lower-case letters, digits and _ "
            "(starting with a letter)"
        )
    bpmn, yml = d / f"{process_id}.bpmn", d / f"{process_id}.yaml"
    if yml.exists():
        raise CatalogError(f"the catalogue already has {yml.name}", source=str(yml))
    same = bpmn.exists() and src.exists() and bpmn.resolve() == src.resolve()
    if bpmn.exists() and not same:
        raise CatalogError(f"the catalogue already has {bpmn.name}", source=str(bpmn))
    model = read_bpmn(src)  # refuse what is not BPMN before writing anything
    if not same:
        bpmn.write_bytes(src.read_bytes())
    yml.write_text(_stub_metadata(process_id, model, owner, version, today), encoding="utf-8")
    return bpmn, yml


def _stub_metadata(
    process_id: str, model: BpmnModel, owner: str, version: str, today: date | None
) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def empty() -> CommentedSeq:
        seq = CommentedSeq()
        seq.fa.set_flow_style()
        return seq

    data = CommentedMap(
        [
            ("id", process_id),
            ("version", version),
            ("status", "draft"),
            ("valid_from", (today or date.today()).isoformat()),
            ("owner", owner),
            ("sources", empty()),
            ("activities", CommentedMap()),
            ("time_limits", empty()),
            ("variations", empty()),
        ]
    )
    _add_stubs(data, data["activities"], model, _activity_ids(model))
    data.yaml_set_start_comment(
        f"Metadata of {process_id} (structure and labels: {process_id}.bpmn).\n"
        "Added by `fvmprocess models new`: fill in owner, sources, codes, time limits."
    )
    return dump_yaml(data)
