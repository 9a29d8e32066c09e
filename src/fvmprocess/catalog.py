"""The catalogue of standard care processes: ``models/<id>.bpmn`` plus ``models/<id>.yaml``.

Each standard process is a BPMN 2.0 model with metadata (names, owner, sources, activities with
their codes, time limits and approved variations). The metadata is validated with pydantic when
the catalogue is loaded; the BPMN model itself is read lazily on first use of
:attr:`StandardProcess.model`.

Example:
    >>> from fvmprocess.catalog import catalog
    >>> ed = catalog()["akutmottagning"]
    >>> ed.name("en")
    'Emergency department patient flow'
    >>> [t.max_duration for t in ed.time_limits][:2]
    ['PT10M', 'PT60M']
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fvmprocess._shared.durations import parse_duration
from fvmprocess._shared.vocab import ACTIVITY_TYPES, TASK_TYPES
from fvmprocess.errors import CatalogError

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel

__all__ = [
    "ActivityInfo",
    "Catalog",
    "LocalizedText",
    "ProcessMetadata",
    "Source",
    "StandardProcess",
    "TimeLimit",
    "Variation",
    "catalog",
    "default_models_dir",
]

Lang = Literal["sv", "en"]

_SEMVER = r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Model):
    """A text in Swedish and English."""

    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang = "sv") -> str:
        """The text in ``lang`` ("sv" or "en")."""
        if lang not in ("sv", "en"):
            raise ValueError(f"lang must be 'sv' or 'en', not {lang!r}")
        return self.sv if lang == "sv" else self.en


class Source(_Model):
    """A public source a model or a time limit rests on."""

    title: str = Field(min_length=1)
    url: str | None = None
    section: str | None = None


class ActivityInfo(_Model):
    """An activity of the model (a BPMN task or sub-process) with its names and codes."""

    id: str = Field(min_length=1)
    name: LocalizedText
    codes: tuple[str, ...] = ()


class TimeLimit(_Model):
    """A per-case deadline between two activities, with a population target.

    ``max_duration`` keeps the ISO 8601 text; :attr:`duration` is the parsed
    :class:`~datetime.timedelta`. With ``counting="calendar_days"`` the limit counts calendar
    days (``P0D`` = the same day, ``P3D`` = by the third day after), as SVF and the care
    guarantee do; use :meth:`is_within` to apply either rule.
    """

    id: str = Field(min_length=1)
    from_activity: str = Field(min_length=1)
    to_activity: str = Field(min_length=1)
    max_duration: str
    counting: Literal["elapsed", "calendar_days"] = "elapsed"
    target_share: float | None = Field(default=None, ge=0.0, le=1.0)
    target_note: str | None = None
    applies_if: tuple[str, ...] = ()
    applies_unless: tuple[str, ...] = ()
    source: str = Field(min_length=1)
    description: LocalizedText

    @field_validator("max_duration")
    @classmethod
    def _check_duration(cls, v: str) -> str:
        parse_duration(v)
        return v

    @model_validator(mode="after")
    def _check_positive(self) -> TimeLimit:
        d = self.duration
        if d < timedelta(0) or (d == timedelta(0) and self.counting != "calendar_days"):
            raise ValueError(
                f"max_duration must be positive (zero only with counting: calendar_days), "
                f"got {self.max_duration}"
            )
        if self.counting == "calendar_days" and d % timedelta(days=1):
            raise ValueError(f"calendar_days limits must be whole days, got {self.max_duration}")
        return self

    @property
    def duration(self) -> timedelta:
        """``max_duration`` as a :class:`datetime.timedelta`."""
        return parse_duration(self.max_duration)

    def is_within(self, start: datetime, end: datetime) -> bool:
        """Whether an interval from ``start`` to ``end`` meets this limit.

        Args:
            start: when ``from_activity`` happened.
            end: when ``to_activity`` happened.

        Returns:
            ``True`` when within the limit (calendar days compare dates, not hours).

        Example:
            >>> tl = catalog()["remiss_vardgaranti"].time_limit("TL_Kontakt")
            >>> tl.is_within(datetime(2025, 3, 1, 8), datetime(2025, 3, 1, 23))
            True
        """
        if self.counting == "calendar_days":
            return (end.date() - start.date()).days <= self.duration.days
        return end - start <= self.duration


class Variation(_Model):
    """An approved variation: activities some units may skip."""

    id: str = Field(min_length=1)
    description: LocalizedText
    allowed_skips: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


class ProcessMetadata(_Model):
    """The metadata of a standard process (``models/<id>.yaml``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=_SEMVER)
    status: Literal["draft", "approved", "retired"]
    valid_from: date
    name: LocalizedText
    description: LocalizedText
    owner: str = Field(min_length=1)
    sources: tuple[Source, ...] = Field(min_length=1)
    activities: tuple[ActivityInfo, ...] = Field(min_length=1)
    time_limits: tuple[TimeLimit, ...] = ()
    variations: tuple[Variation, ...] = ()

    @model_validator(mode="after")
    def _check_references(self) -> ProcessMetadata:
        ids = [a.id for a in self.activities]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"activity ids are not unique: {', '.join(dup)}")
        tl_ids = [t.id for t in self.time_limits]
        dup = sorted({i for i in tl_ids if tl_ids.count(i) > 1})
        if dup:
            raise ValueError(f"time limit ids are not unique: {', '.join(dup)}")
        known = set(ids)
        for t in self.time_limits:
            # from_activity may also be a start event of the model (checked against the BPMN)
            for ref in (t.to_activity, *t.applies_if, *t.applies_unless):
                if ref not in known:
                    raise ValueError(f"time limit {t.id} refers to unknown activity {ref!r}")
        for v in self.variations:
            for ref in v.allowed_skips:
                if ref not in known:
                    raise ValueError(f"variation {v.id} allows skipping unknown activity {ref!r}")
        return self




@dataclass(frozen=True, eq=False)
class StandardProcess:
    """One standard care process: its metadata and the path of its BPMN model.

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

    def name(self, lang: Lang = "sv") -> str:
        """The process name in ``lang`` ("sv" or "en")."""
        return self.metadata.name.get(lang)

    def activity(self, activity_id: str) -> ActivityInfo:
        """The metadata of one activity.

        Raises:
            CatalogError: if the process has no such activity.
        """
        for a in self.metadata.activities:
            if a.id == activity_id:
                return a
        known = ", ".join(a.id for a in self.metadata.activities)
        raise CatalogError(
            f"process {self.id!r} has no activity {activity_id!r}; known: {known}",
            source=str(self.metadata_path),
        )

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
    def time_limits(self) -> tuple[TimeLimit, ...]:
        """The declared time limits."""
        return self.metadata.time_limits

    @property
    def variations(self) -> tuple[Variation, ...]:
        """The approved variations."""
        return self.metadata.variations

    @functools.cached_property
    def model(self) -> BpmnModel:
        """The BPMN model, read on first use with :func:`fvmprocess.bpmn.read_bpmn`."""
        from fvmprocess.bpmn import read_bpmn

        return read_bpmn(self.path)

    def problems(self) -> list[str]:
        """Mismatches between the metadata and the BPMN file (empty when consistent).

        Checks, with a plain XML scan: every BPMN task is listed as an activity, every listed
        activity is a task or sub-process in the BPMN, and time limits refer to activities or
        start events of the model.
        """
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.parse(str(self.path), parser).getroot()
        except (OSError, etree.XMLSyntaxError) as e:
            return [f"{self.path}: cannot be read: {e}"]
        kinds: dict[str, str] = {}
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("id"):
                kinds[el.get("id", "")] = etree.QName(el).localname
        listed = {a.id for a in self.metadata.activities}
        out = [
            f"BPMN {kind} {i} is not listed in the metadata"
            for i, kind in kinds.items()
            if kind in TASK_TYPES and i not in listed
        ]
        out += [
            f"activity {i} is not a task or sub-process in the BPMN"
            for i in sorted(listed)
            if kinds.get(i) not in ACTIVITY_TYPES
        ]
        for t in self.metadata.time_limits:
            if kinds.get(t.from_activity) not in (*ACTIVITY_TYPES, "startEvent"):
                out.append(f"time limit {t.id}: from_activity {t.from_activity} not in the BPMN")
            if kinds.get(t.to_activity) not in ACTIVITY_TYPES:
                out.append(f"time limit {t.id}: to_activity {t.to_activity} not in the BPMN")
        return out

    def __repr__(self) -> str:
        return f"StandardProcess({self.id!r}, version={self.version!r}, path={str(self.path)!r})"


class Catalog:
    """The standard processes of one models directory, looked up by id.

    Iterating yields :class:`StandardProcess` objects sorted by id; :meth:`ids` gives the ids.

    Example:
        >>> cat = Catalog.from_directory(default_models_dir())
        >>> "sepsis_akut" in cat
        True
    """

    def __init__(
        self, processes: dict[str, StandardProcess], directory: Path | None = None
    ) -> None:
        self._processes = dict(sorted(processes.items()))
        self.directory = directory

    @classmethod
    def from_directory(cls, directory: str | Path) -> Catalog:
        """Load every ``<id>.yaml`` (with its ``<id>.bpmn``) in ``directory``.

        Raises:
            CatalogError: if the directory is missing, a YAML file is invalid (the message names
                the file and the field path) or its BPMN file is missing.
        """
        d = Path(directory)
        if not d.is_dir():
            raise CatalogError("models directory not found", source=str(d))
        processes: dict[str, StandardProcess] = {}
        for yml in sorted(d.glob("*.yaml")):
            md = load_metadata(yml)
            bpmn = yml.with_suffix(".bpmn")
            if not bpmn.is_file():
                raise CatalogError(f"BPMN model {bpmn.name} is missing", source=str(yml))
            processes[md.id] = StandardProcess(md, bpmn)
        return cls(processes, d)

    def __getitem__(self, process_id: str) -> StandardProcess:
        try:
            return self._processes[process_id]
        except KeyError:
            known = ", ".join(self._processes) or "none"
            raise CatalogError(
                f"no standard process {process_id!r}; known: {known}",
                source=str(self.directory) if self.directory else None,
            ) from None

    def get(
        self, process_id: str, default: StandardProcess | None = None
    ) -> StandardProcess | None:
        """The process ``process_id``, or ``default``."""
        return self._processes.get(process_id, default)

    def ids(self) -> list[str]:
        """The process ids, sorted."""
        return list(self._processes)

    def __iter__(self) -> Iterator[StandardProcess]:
        return iter(self._processes.values())

    def __len__(self) -> int:
        return len(self._processes)

    def __contains__(self, process_id: object) -> bool:
        return process_id in self._processes

    def __repr__(self) -> str:
        return f"Catalog({len(self)} processes from {str(self.directory)!r})"


def load_metadata(path: str | Path) -> ProcessMetadata:
    """Read and validate one metadata YAML file.

    Raises:
        CatalogError: naming the file and the field path of the first problem (all problems are
            listed in the message).
    """
    p = Path(path)
    try:
        data: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise CatalogError(f"cannot read metadata: {e}", source=str(p)) from e
    if not isinstance(data, dict):
        raise CatalogError("metadata must be a mapping at the top level", source=str(p))
    try:
        md = ProcessMetadata.model_validate(data)
    except ValidationError as e:
        errors = e.errors()
        lines = [f"{_loc(err['loc'], data) or '<root>'}: {err['msg']}" for err in errors]
        raise CatalogError(
            "invalid metadata: " + "; ".join(lines),
            source=str(p),
            place=_loc(errors[0]["loc"], data) or None,
        ) from e
    if md.id != p.stem:
        raise CatalogError(
            f"id {md.id!r} does not match the file name {p.name!r}", source=str(p), place="id"
        )
    return md


def _loc(loc: tuple[int | str, ...], data: Any) -> str:
    """A readable field path: ``time_limits[0].max_duration`` (with the item id when known)."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            ident = (
                node[part].get("id")
                if isinstance(node, list) and isinstance(node[part], dict)
                else None
            )
            out += f"[{part}]" + (f"({ident})" if ident else "")
            node = node[part] if isinstance(node, list) else None
        else:
            out += ("." if out else "") + part
            node = node.get(part) if isinstance(node, dict) else None
    return out


def default_models_dir() -> Path:
    """Where the shipped models are: ``fvmprocess/models`` in a wheel, else the repo's ``models/``."""
    here = Path(__file__).resolve()
    packaged = here.parent / "models"
    if packaged.is_dir():
        return packaged
    return here.parents[2] / "models"


@functools.lru_cache(maxsize=8)
def _cached(directory: Path) -> Catalog:
    return Catalog.from_directory(directory)


def catalog(path: str | Path | None = None) -> Catalog:
    """The catalogue of standard processes (cached per directory).

    Args:
        path: a models directory; default: the shipped models (:func:`default_models_dir`).

    Returns:
        The :class:`Catalog`.

    Raises:
        CatalogError: if the directory or a metadata file is invalid.

    Example:
        >>> catalog()["hoftfraktur"].time_limits[0].duration
        datetime.timedelta(days=1)
    """
    d = Path(path) if path is not None else default_models_dir()
    return _cached(d.resolve())
