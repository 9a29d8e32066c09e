"""The metadata of a standard process (``<id>.yaml``): only what a BPMN file cannot hold.

Structure and labels live in ``<id>.bpmn``. The YAML holds the id, version, status, owner,
validity date and sources, the local codes of each activity, the time limits and the approved
variations, all keyed by BPMN element id and without labels::

    id: svf_brostcancer
    version: 1.0.0
    status: approved
    valid_from: '2024-01-01'
    owner: RCC
    sources:
    - title: 'RCC: SVF bröstcancer'
    activities:
      Activity_ValgrundadMisstanke:
        codes: [VG910]
      Activity_Mammografi: {}
    time_limits: [...]
    variations: [...]

Example:
    >>> md = load_metadata("models/hoftfraktur.yaml")  # doctest: +SKIP
    >>> md.time_limits[0].max_duration  # doctest: +SKIP
    'PT24H'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fvmprocess._shared.labels import LocalizedText
from fvmprocess.errors import CatalogError
from fvmprocess.timelimit import TimeLimit

__all__ = [
    "ActivityMetadata",
    "ProcessMetadata",
    "Source",
    "Status",
    "Variation",
    "load_metadata",
    "parse_metadata",
    "read_yaml",
]

_SEMVER = r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
#: A process's stage: drafted, approved for use, or retired.
Status = Literal["draft", "approved", "retired"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """A public source a model or a time limit rests on."""

    title: str = Field(min_length=1)
    url: str | None = None
    section: str | None = None


class ActivityMetadata(_Model):
    """What the catalogue knows of one activity beyond the BPMN: its local codes (KVÅ, …)."""

    codes: tuple[str, ...] = ()


class Variation(_Model):
    """An approved variation: activities some units (or all) may skip."""

    id: str = Field(min_length=1)
    description: LocalizedText
    allowed_skips: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


class ProcessMetadata(_Model):
    """The metadata of a standard process (``<id>.yaml``).

    Attributes:
        id: the process id, equal to the file stem.
        version: semantic version of the standard.
        status: ``draft``, ``approved`` or ``retired``.
        valid_from: the date from which the standard applies.
        owner: who owns the standard.
        sources: public sources it rests on.
        activities: element id -> :class:`ActivityMetadata`, one entry per BPMN activity.
        time_limits: the declared time limits (activities named by element id).
        variations: approved variations (activities named by element id).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=_SEMVER)
    status: Status
    valid_from: date
    owner: str = Field(min_length=1)
    sources: tuple[Source, ...] = ()
    activities: dict[str, ActivityMetadata] = Field(default_factory=dict)
    time_limits: tuple[TimeLimit, ...] = ()
    variations: tuple[Variation, ...] = ()

    @field_validator("activities", mode="before")
    @classmethod
    def _empty_entries(cls, value: Any) -> Any:
        """``Activity_X:`` with nothing after it is an activity without codes."""
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _check_ids(self) -> ProcessMetadata:
        for what, ids in (
            ("time limit", [t.id for t in self.time_limits]),
            ("variation", [v.id for v in self.variations]),
        ):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{what} ids are not unique: {', '.join(dup)}")
        for t in self.time_limits:
            if t.source is None or t.description is None:
                raise ValueError(f"time limit {t.id} needs a source and a description")
        return self


def read_yaml(path: Path) -> Any:
    """The plain data of a YAML file (safe loader; duplicate keys are an error).

    Raises:
        CatalogError: the file cannot be read or is not YAML (naming the line).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise CatalogError(f"cannot read metadata ({e.strerror})", source=str(path)) from e
    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        place = f"line {mark.line + 1}" if mark is not None else None
        problem = e.problem or e.context or "not YAML"
        raise CatalogError(f"cannot read metadata: {problem}", source=str(path), place=place) from e
    except YAMLError as e:
        raise CatalogError(f"cannot read metadata: {e}", source=str(path)) from e


def load_metadata(path: str | Path) -> ProcessMetadata:
    """Read and validate one metadata YAML file.

    Raises:
        CatalogError: naming the file and the field path of the first problem (all problems are
            listed in the message); ``code`` is ``"catalog_lookup"``.
    """
    p = Path(path)
    return parse_metadata(read_yaml(p), p)


def parse_metadata(data: Any, p: Path) -> ProcessMetadata:
    """Validate the data of metadata file ``p`` (see :func:`load_metadata`).

    Raises:
        CatalogError: naming the file and the field path (``place="id"`` when the id does not
            match the file name).
    """
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
    """A readable field path: ``time_limits[0](TL_Triage).max_duration``."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{part}]" + (f"({ident})" if ident else "")
            node = item
        else:
            out += ("." if out else "") + part
            node = node.get(part) if isinstance(node, dict) else None
    return out
