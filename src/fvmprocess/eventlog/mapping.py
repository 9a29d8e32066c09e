"""Local activity names or codes mapped onto a standard's activity ids, plus an ignore list.

Internal: :class:`ActivityMapping` is re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from fvmprocess.errors import LogError
from fvmprocess.eventlog.source import decode

__all__ = ["ActivityMapping", "MappingLike", "as_mapping"]


@dataclass(frozen=True)
class ActivityMapping:
    """Local activity names or codes mapped to standard activity ids, plus an ignore list.

    Several local names may map to one standard id. Activities neither mapped nor ignored are
    kept under their own name and reported in :attr:`EventLog.unmapped_activities` — or, with
    ``unmapped="ignore"`` (for exports with hundreds of local codes of which a few matter),
    dropped and counted as ``unmapped_activity``.

    Attributes:
        mapping: local name -> standard activity id.
        ignore: local names whose events are dropped (reason ``ignored_activity``).
        source: the file it was loaded from (None when built in code).
        lines: local name -> the line of the file that maps it (for error messages).
        unmapped: ``"keep"`` (default) keeps activities the mapping does not name; ``"ignore"``
            drops their events (reason ``unmapped_activity``). An activity counts as named when
            it is a key or a target of the mapping, or one of :attr:`keep`.
        keep: further activity names kept under ``unmapped="ignore"``; the check fills it with
            the standard's activity ids and names, so a log that already uses them loses nothing.

    Example:
        >>> m = ActivityMapping.from_dict({"Läkarbesök": "visit", "LB01": "visit"}, ignore=["Fika"])
        >>> m.standard("LB01")
        'visit'
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    source: str | None = field(default=None, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    unmapped: Literal["keep", "ignore"] = "keep"
    keep: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.unmapped not in ("keep", "ignore"):
            raise ValueError(f"unmapped is {self.unmapped!r}; expected 'keep' or 'ignore'")

    def kept_names(self) -> frozenset[str]:
        """Activity names that survive ``unmapped="ignore"`` (exact, and case-folded)."""
        named = set(self.mapping) | set(self.mapping.values()) | set(self.keep)
        folded = {n.strip().casefold() for n in named} | {n.strip().lower() for n in named}
        return frozenset(named | folded)

    @classmethod
    def from_dict(
        cls,
        mapping: Mapping[str, str],
        *,
        ignore: Iterable[str] = (),
        unmapped: Literal["keep", "ignore"] = "keep",
    ) -> ActivityMapping:
        """Build a mapping from a dict ``{local: standard}``, an ignore list and the policy
        for activities it does not name."""
        clean = {str(k).strip(): str(v).strip() for k, v in mapping.items()}
        ignored = frozenset(str(i).strip() for i in ignore)
        return cls(mapping=clean, ignore=ignored, unmapped=unmapped)

    @classmethod
    def load(cls, path: str | Path) -> ActivityMapping:
        """Read a mapping from CSV (``local,standard``; ``,`` or ``;``) or YAML.

        The YAML form is ``{mapping: {local: standard, ...}, ignore: [local, ...],
        unmapped: keep|ignore}``. In CSV, a row with an empty ``standard`` cell, or a
        ``standard`` of ``-``, puts ``local`` on the ignore list; an optional ``ignore`` column
        with ``1``/``true``/``ja``/``yes`` does too; the row ``*,-`` ignores every activity the
        file does not name (``unmapped="ignore"``).

        Args:
            path: a ``.csv``, ``.txt``, ``.yaml`` or ``.yml`` file.

        Returns:
            The mapping.

        Raises:
            LogError: the file is missing or not in one of these forms.
        """
        p = Path(path)
        src = str(p)
        if not p.is_file():
            raise LogError("mapping file does not exist", source=src)
        if p.suffix.lower() in (".yaml", ".yml"):
            return cls._from_yaml(p)
        return cls._from_csv(p)

    @classmethod
    def _from_yaml(cls, p: Path) -> ActivityMapping:
        import yaml

        src = str(p)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise LogError(f"not valid UTF-8 YAML: {e}", source=src) from e
        if not isinstance(data, dict) or not isinstance(data.get("mapping", {}), dict):
            raise LogError(
                "expected a YAML mapping {mapping: {local: standard}, ignore: [local]}",
                source=src,
                place="top level",
            )
        ignore = data.get("ignore") or []
        if not isinstance(ignore, list):
            raise LogError("expected 'ignore' to be a list", source=src, place="ignore")
        unmapped = data.get("unmapped", "keep")
        if unmapped not in ("keep", "ignore"):
            raise LogError(
                f"expected 'unmapped' to be keep or ignore, not {unmapped!r}",
                source=src,
                place="unmapped",
            )
        built = cls.from_dict(data.get("mapping") or {}, ignore=ignore, unmapped=unmapped)
        return dataclasses.replace(built, source=src, lines=_yaml_lines(p))

    @classmethod
    def _from_csv(cls, p: Path) -> ActivityMapping:
        src = str(p)
        text = decode(p.read_bytes(), src).text
        first = text.splitlines()[0] if text.strip() else ""
        delim = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        header = [h.strip().lower() for h in next(reader, [])]
        if "local" not in header or "standard" not in header:
            raise LogError(
                f"expected columns 'local' and 'standard'; found {header}",
                source=src,
                place="line 1",
            )
        il, isd = header.index("local"), header.index("standard")
        iig = header.index("ignore") if "ignore" in header else None
        mapping: dict[str, str] = {}
        ignore: set[str] = set()
        unmapped: Literal["keep", "ignore"] = "keep"
        lines: dict[str, int] = {}
        for rec in reader:
            start = reader.line_num
            if not rec or not any(f.strip() for f in rec):
                continue
            if len(rec) < len(header):
                rec = rec + [""] * (len(header) - len(rec))
            local, std = rec[il].strip(), rec[isd].strip()
            if not local:
                raise LogError("empty 'local' cell", source=src, place=f"line {reader.line_num}")
            flagged = iig is not None and rec[iig].strip().lower() in (
                "1",
                "true",
                "ja",
                "yes",
                "x",
            )
            if local == "*" and std == "-":
                unmapped = "ignore"
            elif flagged or std in ("", "-"):
                ignore.add(local)
            else:
                mapping[local] = std
                lines[local] = start
        return cls(
            mapping=mapping, ignore=frozenset(ignore), source=src, lines=lines, unmapped=unmapped
        )

    def standard(self, local: str) -> str:
        """The standard id of ``local`` (itself when unmapped)."""
        return self.mapping.get(local, local)

    def is_ignored(self, local: str) -> bool:
        """Whether events of ``local`` are dropped."""
        return local in self.ignore or self.standard(local) in self.ignore


def _yaml_lines(p: Path) -> dict[str, int]:
    """Local name -> line of its entry under ``mapping:`` in a YAML mapping file."""
    import yaml

    root = yaml.compose(p.read_text(encoding="utf-8-sig"))
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "mapping" and isinstance(value, yaml.MappingNode):
            for k, _ in value.value:
                lines[str(k.value).strip()] = k.start_mark.line + 1
    return lines


#: Everything ``read_log(mapping=...)`` accepts.
MappingLike: TypeAlias = ActivityMapping | Mapping[str, str] | str | Path | None


def as_mapping(mapping: MappingLike) -> ActivityMapping | None:
    """The :class:`ActivityMapping` for ``mapping``: given, built from a dict, or loaded from a
    CSV/YAML file path.

    Raises:
        LogError: a mapping file is missing or not in one of the accepted forms.
    """
    if isinstance(mapping, str | Path):
        return ActivityMapping.load(mapping)
    if isinstance(mapping, ActivityMapping) or mapping is None:
        return mapping
    return ActivityMapping.from_dict(mapping)
