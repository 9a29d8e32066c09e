"""The catalogue: a folder of ``<id>.bpmn`` + ``<id>.yaml`` pairs, looked up by process id.

The ``.bpmn`` file is the source of truth for structure and labels (see
:mod:`fvmprocess.catalog.labels`); the ``.yaml`` holds what BPMN cannot
(:mod:`fvmprocess.catalog.metadata`). Loading is lenient: a file without its partner or with
invalid metadata does not stop the catalogue — it is listed in :attr:`Catalog.problems`, and
looking its id up raises the error naming the file and field.

Example:
    >>> from fvmprocess.catalog import catalog
    >>> ed = catalog()["akutmottagning"]
    >>> ed.name("en")
    'Emergency department patient flow'
    >>> ed.label("Activity_Triage", "en")
    'Triage (RETTS)'
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from fvmprocess._shared.labels import Lang, LocalizedText
from fvmprocess.catalog.findings import Finding
from fvmprocess.catalog.labels import ProcessText, element_labels, process_text
from fvmprocess.catalog.metadata import (
    ProcessMetadata,
    Variation,
    parse_metadata,
    read_yaml,
)
from fvmprocess.errors import CatalogError
from fvmprocess.timelimit import TimeLimit

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel

__all__ = [
    "ENV_VAR",
    "Activity",
    "Catalog",
    "StandardProcess",
    "catalog",
    "default_catalog_dir",
    "default_models_dir",
]

#: The environment variable that points fvmprocess at a region's catalogue folder.
ENV_VAR = "FVMPROCESS_CATALOG"


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity of a standard process: from the BPMN (id, type, labels) and the YAML (codes).

    Attributes:
        id: the BPMN element id.
        type: the BPMN tag (``"userTask"``, ``"subProcess"``…).
        name: the Swedish and English labels.
        codes: local codes from the metadata (empty when the activity has no metadata yet).
    """

    id: str
    type: str
    name: LocalizedText
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class StandardProcess:
    """One standard care process: its metadata and its BPMN model (read on first use).

    Attributes:
        metadata: the validated metadata.
        path: the ``.bpmn`` file.
    """

    metadata: ProcessMetadata
    path: Path

    @property
    def id(self) -> str:
        """The process id (the file stem)."""
        return self.metadata.id

    @property
    def version(self) -> str:
        """The semantic version of the model."""
        return self.metadata.version

    @property
    def metadata_path(self) -> Path:
        """The ``.yaml`` metadata file."""
        return self.path.with_suffix(".yaml")

    @functools.cached_property
    def model(self) -> BpmnModel:
        """The BPMN model, read on first use with :func:`fvmprocess.bpmn.read_bpmn`."""
        from fvmprocess.bpmn import read_bpmn

        return read_bpmn(self.path)

    @functools.cached_property
    def text(self) -> ProcessText:
        """The process's name and description from the BPMN."""
        return process_text(self.model)

    def name(self, lang: Lang = "sv") -> str:
        """The process name in ``lang`` ("sv" or "en"), from the BPMN."""
        return self.text.name.get(lang)

    def description(self, lang: Lang = "sv") -> str | None:
        """The process description in ``lang`` from the BPMN's documentation, if any."""
        return self.text.description.get(lang) if self.text.description else None

    @functools.cached_property
    def labels(self) -> Mapping[str, LocalizedText]:
        """Element id -> labels, for every activity and named flow node of the BPMN."""
        return MappingProxyType(element_labels(self.model))

    def label(self, element_id: str, lang: Lang = "sv") -> str:
        """The label of an element in ``lang``; the id itself for an element without one.

        Example:
            >>> catalog()["sepsis_akut"].label("Activity_Antibiotika", "en")  # doctest: +SKIP
            'Intravenous antibiotics'
        """
        found = self.labels.get(element_id)
        return found.get(lang) if found is not None else element_id

    @functools.cached_property
    def activities(self) -> tuple[Activity, ...]:
        """Every activity of the BPMN (tasks, sub-processes, call activities), document order."""
        out = []
        for node in self.model.nodes.values():
            if node.is_activity:
                md = self.metadata.activities.get(node.id)
                codes = md.codes if md is not None else ()
                out.append(Activity(node.id, node.type, self.labels[node.id], codes))
        return tuple(out)

    def activity(self, activity_id: str) -> Activity:
        """One activity by element id.

        Raises:
            CatalogError: the BPMN has no such activity (the message lists the known ids).
        """
        for a in self.activities:
            if a.id == activity_id:
                return a
        known = ", ".join(a.id for a in self.activities)
        raise CatalogError(
            f"process {self.id!r} has no activity {activity_id!r}; known: {known}",
            source=str(self.path),
        )

    @property
    def time_limits(self) -> tuple[TimeLimit, ...]:
        """The declared time limits."""
        return self.metadata.time_limits

    def time_limit(self, limit_id: str) -> TimeLimit:
        """One time limit by id.

        Raises:
            CatalogError: if the process has no such time limit.
        """
        for t in self.metadata.time_limits:
            if t.id == limit_id:
                return t
        known = ", ".join(t.id for t in self.metadata.time_limits) or "none"
        raise CatalogError(
            f"process {self.id!r} has no time limit {limit_id!r}; known: {known}",
            source=str(self.metadata_path),
        )

    @property
    def variations(self) -> tuple[Variation, ...]:
        """The approved variations."""
        return self.metadata.variations

    def __repr__(self) -> str:
        return f"StandardProcess({self.id!r}, version={self.version!r}, path={str(self.path)!r})"


class Catalog:
    """The standard processes of one catalogue folder, looked up by id.

    Iterating yields :class:`StandardProcess` objects sorted by id; :meth:`ids` gives the ids;
    :attr:`problems` lists the files that could not be loaded. A folder's files are read as
    they are needed: looking one id up reads that process's metadata only; iterating,
    :meth:`ids`, ``len`` and :attr:`problems` read them all.

    Example:
        >>> cat = Catalog.from_directory(default_models_dir())
        >>> "sepsis_akut" in cat, cat.problems
        (True, ())
    """

    def __init__(
        self,
        processes: Mapping[str, StandardProcess],
        directory: Path | None = None,
        *,
        problems: tuple[Finding, ...] = (),
        broken: Mapping[str, CatalogError] | None = None,
    ) -> None:
        self._processes = dict(sorted(processes.items()))
        self.directory = directory
        self._given_problems = problems
        self._broken = dict(broken or {})
        self._pending: dict[str, tuple[Path, Path]] = {}  # stems whose files are not read yet
        self._found: dict[str, Finding] = {}  # problems of the stems read so far

    @classmethod
    def from_directory(cls, directory: str | Path) -> Catalog:
        """The ``<id>.bpmn`` + ``<id>.yaml`` pairs of ``directory`` (each read on first use).

        A ``.bpmn`` without metadata, metadata without its ``.bpmn`` and metadata that cannot be
        read or is invalid are not loaded; each is a :class:`Finding` in :attr:`problems`.

        Raises:
            CatalogError: the directory does not exist.
        """
        d = Path(directory)
        if not d.is_dir():
            raise CatalogError("catalogue folder not found", source=str(d))
        cat = cls({}, d)
        stems = sorted({p.stem for p in (*d.glob("*.bpmn"), *d.glob("*.yaml"))})
        cat._pending = {stem: (d / f"{stem}.bpmn", d / f"{stem}.yaml") for stem in stems}
        return cat

    def _load(self, stem: str) -> None:
        """Read the files of ``stem`` if they are not read yet."""
        files = self._pending.pop(stem, None)
        if files is None:
            return
        try:
            self._processes[stem] = _load_pair(*files)
        except _Unloaded as e:
            self._found[stem] = e.finding
            if e.error is not None:
                self._broken[stem] = e.error

    def _load_all(self) -> None:
        """Read every file not read yet; the processes sorted by id."""
        if self._pending:
            for stem in sorted(self._pending):
                self._load(stem)
            self._processes = dict(sorted(self._processes.items()))

    @property
    def problems(self) -> tuple[Finding, ...]:
        """The files that could not be loaded (by file name)."""
        self._load_all()
        return self._given_problems + tuple(self._found[k] for k in sorted(self._found))

    def __getitem__(self, process_id: str) -> StandardProcess:
        self._load(process_id)
        try:
            return self._processes[process_id]
        except KeyError:
            if process_id in self._broken:
                raise self._broken[process_id] from None
            known = ", ".join(self.ids()) or "none"
            raise CatalogError(
                f"no standard process {process_id!r}; known: {known}",
                source=str(self.directory) if self.directory else None,
            ) from None

    def get(
        self, process_id: str, default: StandardProcess | None = None
    ) -> StandardProcess | None:
        """The process ``process_id``, or ``default``."""
        self._load(process_id)
        return self._processes.get(process_id, default)

    def ids(self) -> list[str]:
        """The ids of the loaded processes, sorted."""
        self._load_all()
        return list(self._processes)

    def __iter__(self) -> Iterator[StandardProcess]:
        self._load_all()
        return iter(self._processes.values())

    def __len__(self) -> int:
        self._load_all()
        return len(self._processes)

    def __contains__(self, process_id: object) -> bool:
        if isinstance(process_id, str):
            self._load(process_id)
        return process_id in self._processes

    def __repr__(self) -> str:
        return f"Catalog({len(self)} processes from {str(self.directory)!r})"


class _Unloaded(Exception):
    """A pair of files that does not make a standard process (internal)."""

    def __init__(self, finding: Finding, error: CatalogError | None = None) -> None:
        super().__init__(str(finding))
        self.finding = finding
        self.error = error


def _load_pair(bpmn: Path, yml: Path) -> StandardProcess:
    if not yml.is_file():
        raise _Unloaded(
            Finding(
                str(bpmn),
                "-",
                "bpmn-without-metadata",
                f"has no metadata file {yml.name} (run: fvmprocess models new {bpmn.stem} "
                f"--from {bpmn})",
            )
        )
    if not bpmn.is_file():
        error = CatalogError(f"its BPMN model {bpmn.name} is missing", source=str(yml))
        raise _Unloaded(Finding(str(yml), yml.stem, "metadata-without-bpmn", error.message), error)
    try:
        data = read_yaml(yml)
    except CatalogError as e:
        raise _Unloaded(
            Finding(str(yml), e.place or "-", "unreadable", e.message, unreadable=True), e
        ) from e
    try:
        md = parse_metadata(data, yml)
    except CatalogError as e:
        code = "id-mismatch" if e.place == "id" else "invalid-metadata"
        raise _Unloaded(Finding(str(yml), e.place or "-", code, e.message), e) from e
    return StandardProcess(md, bpmn)


def default_models_dir() -> Path:
    """Where the shipped example models are: ``fvmprocess/models`` in a wheel, else the
    repository's ``models/``."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "models"
    if packaged.is_dir():
        return packaged
    return here.parents[3] / "models"


def default_catalog_dir() -> Path:
    """The catalogue used when none is given: ``$FVMPROCESS_CATALOG``, else the shipped models."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env) if env else default_models_dir()


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """What the cache keys on besides the folder: each model file's name, mtime and size."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return ()
    out = []
    for e in entries:
        if e.name.endswith((".bpmn", ".yaml")):
            st = e.stat()
            out.append((e.name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


@functools.lru_cache(maxsize=16)
def _cached(directory: Path, resolved: Path, stamp: tuple[tuple[str, int, int], ...]) -> Catalog:
    return Catalog.from_directory(directory)


def catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """The catalogue of standard processes (cached per folder until one of its files changes).

    File names in the catalogue (and in its problems) keep the folder as it was given, so a
    relative ``--catalog region`` gives ``region/<id>.bpmn`` in messages.

    Args:
        path: a catalogue folder; default: ``$FVMPROCESS_CATALOG`` if set, else the shipped
            example models (:func:`default_catalog_dir`).

    Returns:
        The :class:`Catalog`.

    Raises:
        CatalogError: the folder does not exist.

    Example:
        >>> catalog()["hoftfraktur"].time_limits[0].duration
        datetime.timedelta(days=1)
    """
    d = Path(path) if path is not None else default_catalog_dir()
    return _cached(d, d.resolve(), _stamp(d))  # files are named as the folder was given
