"""One resolver for every way a process can be named: :data:`ProcessLike` → :class:`ResolvedProcess`.

``check``, the simulator, the renderer and the command line all accept a process as a catalogue
id, a ``.bpmn`` or ``.pnml`` path, a :class:`~fvmprocess.bpmn.model.BpmnModel`, a
:class:`~fvmprocess.catalog.StandardProcess` or a :class:`~fvmprocess.petri.PetriNet`;
:func:`resolve_process` turns each into the same object: the model (if there is one), the
catalogue entry (if there is one), the activity labels, the time limits and the workflow net
(compiled once, on first use, so drawing a model never needs a translatable one).

Example:
    >>> p = resolve_process("akutmottagning")
    >>> p.id, p.standard is not None, len(p.time_limits) > 0
    ('akutmottagning', True, True)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypeAlias

from fvmprocess._shared.labels import Lang, LocalizedText
from fvmprocess.bpmn.model import BpmnModel
from fvmprocess.catalog import Catalog, StandardProcess, element_labels
from fvmprocess.petri import PetriNet
from fvmprocess.timelimit import TimeLimit

__all__ = ["ProcessKind", "ProcessLike", "ResolvedProcess", "resolve_process"]

#: Everything a process can be given as (a ``str`` is a path if it names a ``.bpmn``, ``.xml``
#: or ``.pnml`` file or an existing file, else a catalogue id).
ProcessLike: TypeAlias = (
    "str | os.PathLike[str] | BpmnModel | StandardProcess | PetriNet | ResolvedProcess"
)
#: Where a resolved process came from.
ProcessKind = Literal["standard", "bpmn", "petri"]

_BPMN_SUFFIXES = (".bpmn", ".xml")


@dataclass(frozen=True, eq=False)
class ResolvedProcess:
    """A process in the one shape every layer above uses.

    Attributes:
        id: the catalogue id, the BPMN process id, the PNML file stem or the net's name.
        kind: ``"standard"`` (catalogue entry), ``"bpmn"`` (a model) or ``"petri"`` (a net).
        name: the Swedish name (catalogue) or the BPMN process name, if any.
        name_en: the English name (catalogue only).
        version: the catalogue version (catalogue only).
        source: the file the process was read from (a model's ``source``; a PNML file's name).
        model: the BPMN model (None for a Petri net).
        standard: the catalogue entry (None unless ``kind == "standard"``).
        labels: activity id -> names (the model's activities, then the catalogue's names).
        time_limits: the catalogue's time limits; a limit from a start event is one from the
            case's first event (``from_activity=None``).
        start_events: ids of the model's start events.
        catalog: the catalogue call activities are resolved in when the net is compiled.
    """

    id: str
    kind: ProcessKind
    name: str | None = None
    name_en: str | None = None
    version: str | None = None
    source: str | None = None
    model: BpmnModel | None = field(default=None, repr=False)
    standard: StandardProcess | None = field(default=None, repr=False)
    labels: Mapping[str, LocalizedText] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    time_limits: tuple[TimeLimit, ...] = ()
    start_events: frozenset[str] = frozenset()
    catalog: Catalog | None = field(default=None, repr=False)
    given_net: PetriNet | None = field(default=None, repr=False)

    @functools.cached_property
    def net(self) -> PetriNet:
        """The workflow net, visible transitions labelled with activity ids (compiled once).

        Raises:
            TranslationError: the model has a construct without a translation.
        """
        if self.given_net is not None:
            return self.given_net
        from fvmprocess.compile import to_petri_net

        assert self.model is not None  # every kind but "petri" has a model
        return to_petri_net(self.model, label="id", catalog=self.catalog)

    def label(self, activity: str, lang: Lang = "sv") -> str:
        """The name of ``activity`` in ``lang`` (the id when unknown)."""
        found = self.labels.get(activity)
        return found.get(lang) if found is not None else activity


def resolve_process(process: ProcessLike, *, catalog: Catalog | None = None) -> ResolvedProcess:
    """Resolve a catalogue id, a path, a model, a catalogue entry or a net.

    Args:
        process: a catalogue id (``"akutmottagning"``), a ``.bpmn``/``.xml``/``.pnml`` path (a
            ``str`` naming an existing file is a path), a :class:`BpmnModel`, a
            :class:`StandardProcess`, a :class:`PetriNet`, or an already resolved process
            (returned as it is).
        catalog: the catalogue ids and call activities are looked up in (default: the shipped
            one, :func:`fvmprocess.catalog.catalog`).

    Returns:
        The :class:`ResolvedProcess`; its :attr:`~ResolvedProcess.net` is compiled on first use.

    Raises:
        CatalogError: an id that is not in the catalogue.
        BpmnError: a BPMN file that cannot be read.
        PnmlError: a PNML file that cannot be read.
        TypeError: ``process`` is none of the accepted types.

    Example:
        >>> resolve_process("sepsis_akut").kind
        'standard'
    """
    if isinstance(process, ResolvedProcess):
        return process
    if isinstance(process, PetriNet):
        return ResolvedProcess(id=process.name, kind="petri", given_net=process)
    if isinstance(process, StandardProcess):
        return _from_standard(process, catalog)
    if isinstance(process, BpmnModel):
        return _from_model(process, catalog)
    if isinstance(process, str | os.PathLike):
        return _from_name(process, catalog)
    raise TypeError(
        f"cannot resolve a process from {type(process).__name__}; expected a catalogue id, a "
        ".bpmn or .pnml path, a BpmnModel, a StandardProcess or a PetriNet"
    )


def _from_name(process: str | os.PathLike[str], catalog: Catalog | None) -> ResolvedProcess:
    """A path (``.pnml``, ``.bpmn``/``.xml`` or an existing file) or a catalogue id."""
    path = Path(process)
    suffix = path.suffix.lower()
    if suffix == ".pnml":
        from fvmprocess.petri import read_pnml

        net = read_pnml(path)
        return ResolvedProcess(id=path.stem, kind="petri", source=path.name, given_net=net)
    if suffix in _BPMN_SUFFIXES or not isinstance(process, str) or path.exists():
        from fvmprocess.bpmn.reader import read_bpmn

        return _from_model(read_bpmn(path), catalog)
    if catalog is None:
        from fvmprocess.catalog import catalog as shipped

        catalog = shipped()
    return _from_standard(catalog[process], catalog)


def _from_model(model: BpmnModel, catalog: Catalog | None) -> ResolvedProcess:
    proc = model.process()
    return ResolvedProcess(
        id=proc.id,
        kind="bpmn",
        name=proc.name,
        source=model.source,
        model=model,
        labels=MappingProxyType(_model_labels(model)),
        start_events=_start_events(model),
        catalog=catalog,
    )


def _from_standard(sp: StandardProcess, catalog: Catalog | None) -> ResolvedProcess:
    model = sp.model
    md = sp.metadata
    labels = _model_labels(model)  # the BPMN owns the labels (catalogue or not)
    starts = _start_events(model)
    limits = tuple(
        tl.model_copy(update={"from_activity": None}) if tl.from_activity in starts else tl
        for tl in sp.time_limits
    )
    return ResolvedProcess(
        id=md.id,
        kind="standard",
        name=sp.name("sv"),
        name_en=sp.name("en"),
        version=md.version,
        source=str(sp.path),
        model=model,
        standard=sp,
        labels=MappingProxyType(labels),
        time_limits=limits,
        start_events=starts,
        catalog=catalog,
    )


def _model_labels(model: BpmnModel) -> dict[str, LocalizedText]:
    """Activity id -> labels from the BPMN: ``name``, and ``fvm:label`` as English."""
    return {k: v for k, v in element_labels(model).items() if model.nodes[k].is_activity}


def _start_events(model: BpmnModel) -> frozenset[str]:
    return frozenset(n.id for n in model.nodes.values() if n.type == "startEvent")
