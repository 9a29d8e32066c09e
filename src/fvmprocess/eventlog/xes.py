"""Reading a log from XES (IEEE 1849), streaming, with unsafe XML refused.

Row numbers are the source line of each ``<event>``. Trace attributes become ``case:<key>``
columns; a trace without ``concept:name`` gets ``trace-<n>`` (its 1-based position). An
``<event>`` outside a ``<trace>`` is a row too, rejected as ``event_outside_trace``. ``int``,
``float`` and ``boolean`` attributes are typed; a key with a value that does not convert stays
text, its values counted in ``warnings["unconvertible_value"]`` with example rows. Internal:
used by :mod:`fvmprocess.eventlog.load`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.columns import MAX_EXAMPLES, ROW
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog, SourceInfo
from fvmprocess.eventlog.source import open_binary

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["read_xes"]

#: XES attribute elements; ``list`` and ``container`` values are not read.
_XES_ATTRS = {"string", "date", "int", "float", "boolean", "id", "list", "container"}
_NESTED = ("list", "container")
_CASE_ID = "case:concept:name"

_Record = dict[str, str | None]


@dataclass
class _Parsed:
    """What the streaming pass collected (mutable while the pass runs)."""

    rows: list[_Record] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)  # lines of events outside a trace
    types: dict[str, set[str]] = field(default_factory=dict)
    traces: int = 0
    generated: int = 0  # traces given a generated case id
    root_seen: bool = False


def read_xes(path: Path, limits: ReadLimits) -> RawLog:
    """The events of an XES file, with their trace's attributes.

    Raises:
        LogError: the file is empty, binary, unsafe (DTD/entities), not well-formed, not an
            XES ``<log>``, or has too many events.
    """
    src = str(path)
    _check_head(path, src)
    parsed = _parse(path, limits, src)
    warnings = {"generated_case_id": parsed.generated} if parsed.generated else {}
    typed = _to_frame(parsed)
    warnings.update(typed.warnings)
    return RawLog(
        frame=typed.frame,
        source=src,
        info=SourceInfo(format="xes", traces=parsed.traces),
        rejected={"event_outside_trace": parsed.orphans} if parsed.orphans else {},
        warnings=warnings,
        warning_examples=typed.examples,
        timestamps_optional=True,
    )


def _check_head(path: Path, src: str) -> None:
    try:
        with open_binary(path) as f:
            head = f.read(4096)
    except (OSError, EOFError) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if not head.strip():
        raise LogError("empty file: expected an XES <log>", source=src)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LogError("binary data (NUL byte): expected XES XML", source=src, place="line 1")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise LogError(
            "XES with a DTD or entities is refused (unsafe XML)", source=src, place="prolog"
        )


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _attributes(el: etree._Element, prefix: str, types: dict[str, set[str]]) -> _Record:
    """The simple attributes (``key`` -> ``value``) of ``el``, noting each key's XES types."""
    out: _Record = {}
    for child in el:
        ctag = _local(child.tag)
        key = child.get("key")
        if ctag in _XES_ATTRS and key is not None and ctag not in _NESTED:
            out[prefix + key] = child.get("value")
            types.setdefault(prefix + key, set()).add(ctag)
    return out


def _parse(path: Path, limits: ReadLimits, src: str) -> _Parsed:
    from lxml import etree

    parsed = _Parsed()
    trace_rows: list[_Record] = []
    try:
        with open_binary(path) as f:
            ctx = etree.iterparse(
                f,
                events=("end",),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                dtd_validation=False,
                huge_tree=False,
                remove_comments=True,
            )
            for _ev, el in ctx:
                tag = _local(el.tag)
                if tag == "event":
                    parent = el.getparent()
                    if parent is not None and _local(parent.tag) == "trace":
                        rec: _Record = {ROW: str(el.sourceline or 0)}
                        rec.update(_attributes(el, "", parsed.types))
                        trace_rows.append(rec)
                    else:
                        parsed.orphans.append(el.sourceline or 0)
                    if limits.max_rows is not None:
                        n = len(parsed.rows) + len(trace_rows) + len(parsed.orphans)
                        limits.check_rows(n, source=src)
                    el.clear()
                elif tag == "trace":
                    _end_trace(el, trace_rows, parsed)
                    trace_rows = []
                elif tag == "log":
                    parsed.root_seen = True
    except etree.XMLSyntaxError as e:
        raise LogError(f"not well-formed XML: {e.msg}", source=src, place=f"line {e.lineno}") from e
    except (OSError, EOFError) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if not parsed.root_seen:
        raise LogError("expected an XES <log> root element", source=src, place="line 1")
    return parsed


def _end_trace(el: etree._Element, trace_rows: list[_Record], parsed: _Parsed) -> None:
    """Give the trace's events its attributes, then free the trace's elements."""
    parsed.traces += 1
    attrs = _attributes(el, "case:", parsed.types)
    if attrs.get(_CASE_ID) in (None, ""):
        attrs[_CASE_ID] = f"trace-{parsed.traces}"
        parsed.generated += len(trace_rows) > 0
    for r in trace_rows:
        r.update(attrs)
    parsed.rows.extend(trace_rows)
    el.clear()
    while el.getprevious() is not None:
        parent = el.getparent()
        if parent is None:
            break
        del parent[0]


@dataclass(frozen=True)
class _Typed:
    frame: pl.DataFrame
    warnings: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)


def _typed(s: pl.Series, types: set[str]) -> pl.Series:
    """``s`` (text) as its XES type when the type is unanimous, else unchanged."""
    if types == {"int"}:
        return s.str.strip_chars().cast(pl.Int64, strict=False)
    if types == {"float"}:
        return s.str.strip_chars().cast(pl.Float64, strict=False)
    if types == {"boolean"}:
        return (
            s.str.strip_chars()
            .str.to_lowercase()
            .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
        )
    return s


def _to_frame(parsed: _Parsed) -> _Typed:
    """One column per attribute key (case id first), typed by its XES type when unanimous.

    A key whose values do not all convert stays text (nothing is lost); the values that did not
    convert are counted in ``unconvertible_value`` with their rows.
    """
    keys = [k for k in dict.fromkeys([_CASE_ID, *parsed.types]) if k != ROW]
    rows = parsed.rows
    row = pl.Series(ROW, [int(r[ROW] or 0) for r in rows], dtype=pl.Int64)
    cols: list[pl.Series] = []
    failed: list[pl.Series] = []
    for k in keys:
        s = pl.Series(k, [r.get(k) for r in rows], dtype=pl.String)
        t = _typed(s, parsed.types.get(k, {"string"}))
        bad = s.is_not_null() & t.is_null()
        if bad.any():
            failed.append(row.filter(bad))
            t = s
        cols.append(t)
    cols.append(row)
    if not failed:
        return _Typed(pl.DataFrame(cols))
    rows_failed = pl.concat(failed).sort()
    return _Typed(
        pl.DataFrame(cols),
        {"unconvertible_value": rows_failed.len()},
        {"unconvertible_value": rows_failed.unique().head(MAX_EXAMPLES).to_list()},
    )
