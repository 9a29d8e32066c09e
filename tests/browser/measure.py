"""Measure diagram labels in headless Chromium: ours and bpmn-js's, on the same files.

Every text line's box is measured in the browser (``measure.js``); this module counts, per
diagram:

* ``outside``: lines not inside the canvas;
* ``crossing``: lines that cut a shape's border (partly inside its box, partly outside);
* ``overlap``: pairs of lines of different labels whose boxes intersect;
* ``unhyphenated``: line breaks inside a word of the element's name with no hyphen.

Run as a script to print the side-by-side table (and optionally write screenshots)::

    python tests/browser/measure.py [--screenshots docs/img]

bpmn-js is loaded from ``tests/browser/node_modules`` (``npm ci --prefix tests/browser``);
without it only our side is measured.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BPMNJS = HERE / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
#: Boxes touching by less than this (px) do not count as crossing or overlapping.
TOLERANCE = 1.0
#: Element types whose text belongs on or over their outline by design.
_EXEMPT = frozenset({"group", "textAnnotation"})


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class Source:
    """One file to measure: a name, its BPMN text and our SVGs (one per diagram)."""

    name: str
    xml: str
    svgs: tuple[str, ...]
    names: Mapping[str, str]
    types: Mapping[str, str]


@dataclass(frozen=True)
class Counts:
    """Problem counts of one rendering of one diagram."""

    lines: int
    outside: int
    crossing: int
    overlap: int
    unhyphenated: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, int, int, int, int]:
        return (self.lines, self.outside, self.crossing, self.overlap, self.unhyphenated)


ZERO = Counts(0, 0, 0, 0, 0)


def source(name: str, path: Path) -> Source:
    """Our drawing of every diagram of a BPMN file, with the names and types by id."""
    from fvmprocess.bpmn.reader import read_bpmn
    from fvmprocess.render.export import render_diagram
    from fvmprocess.render.options import DrawOptions

    model = read_bpmn(path)
    svgs = tuple(
        render_diagram(model, options=DrawOptions(diagram=i))
        for i in range(max(1, len(model.diagrams)))
    )
    return Source(name, path.read_text(encoding="utf-8"), svgs, _names(model), _types(model))


def catalogue_source(process_id: str) -> Source:
    """Our drawing of a catalogue process (through its id, as users draw it)."""
    from fvmprocess.catalog import catalog
    from fvmprocess.render.export import render_diagram

    std = catalog()[process_id]
    model = std.model
    path = Path(std.path)
    svg = render_diagram(process_id)
    return Source(
        process_id, path.read_text(encoding="utf-8"), (svg,), _names(model), _types(model)
    )


def _names(model: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for collection in (model.nodes, model.flows, model.lanes):
        for k, v in collection.items():
            if v.name:
                names[k] = v.name
    for group in (model.participants, model.data, model.message_flows):
        for v in group:
            if v.name:
                names[v.id] = v.name
    for a in model.artifacts:
        if a.text:
            names[a.id] = a.text
    return names


def _types(model: Any) -> dict[str, str]:
    types = {k: v.type for k, v in model.nodes.items()}
    types.update({a.id: a.type for a in model.artifacts})
    return types


def run(sources: Sequence[Source], *, timeout: float = 240.0) -> dict[str, Any]:
    """Measure every source in one headless Chromium: ``{"ours": [...], "bpmnjs": [...]}``."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    data = {
        "ours": [
            {"name": s.name, "diagram": i, "svg": svg}
            for s in sources
            for i, svg in enumerate(s.svgs)
        ],
        "xml": [{"name": s.name, "xml": s.xml} for s in sources],
    }
    with tempfile.TemporaryDirectory() as tmp:
        page = _page(Path(tmp), data)
        out = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--allow-file-access-from-files",
                "--virtual-time-budget=600000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    m = re.search(r'<pre id="result">(.*)</pre>', out.stdout, re.S)
    if m is None:
        raise RuntimeError(f"no measurement from chromium: {out.stderr[-2000:]}")
    import html

    result: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return result


def _page(tmp: Path, data: Mapping[str, Any]) -> Path:
    (tmp / "data.js").write_text("const DATA = " + json.dumps(data) + ";", encoding="utf-8")
    shutil.copy(HERE / "measure.js", tmp / "measure.js")
    viewer = f'<script src="{BPMNJS.as_uri()}"></script>' if BPMNJS.exists() else ""
    page = tmp / "page.html"
    page.write_text(
        '<!doctype html><meta charset="utf-8"><body style="margin:0">'
        f'{viewer}<script src="data.js"></script><script src="measure.js"></script>',
        encoding="utf-8",
    )
    return page


# -- counting --------------------------------------------------------------------------------
Box = Sequence[float]


def _inter(a: Box, b: Box) -> tuple[float, float]:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w, h


def _inside(a: Box, b: Box, tol: float = TOLERANCE) -> bool:
    """``a`` lies in ``b``."""
    return (
        a[0] >= b[0] - tol
        and a[1] >= b[1] - tol
        and a[0] + a[2] <= b[0] + b[2] + tol
        and a[1] + a[3] <= b[1] + b[3] + tol
    )


def _text_box(box: Box) -> Box:
    """A line's box without the font's internal leading (ascent/descent padding)."""
    pad = box[3] * 0.12
    return (box[0], box[1] + pad, box[2], box[3] - 2 * pad)


def count(m: Mapping[str, Any], src: Source) -> tuple[Counts, list[str]]:
    """Problem counts of one measured diagram, and a description of each problem."""
    canvas = (0.0, 0.0, float(m["width"]), float(m["height"]))
    lines = m["lines"]
    shapes = [s for s in m["shapes"] if src.types.get(s["id"]) not in _EXEMPT]
    problems: list[str] = []
    outside = [ln for ln in lines if not _inside(ln["box"], canvas)]
    problems += [f"outside: {ln['text']!r}" for ln in outside]
    crossing = 0
    for ln in lines:
        box = _text_box(ln["box"])
        for s in shapes:
            w, h = _inter(box, s["box"])
            if w > TOLERANCE and h > TOLERANCE and not _inside(box, s["box"]):
                crossing += 1
                problems.append(f"crossing: {ln['text']!r} / {s['id']}")
                break
    overlap = 0
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            if a["label"] == b["label"]:
                continue
            w, h = _inter(_text_box(a["box"]), _text_box(b["box"]))
            if w > TOLERANCE and h > TOLERANCE:
                overlap += 1
                problems.append(f"overlap: {a['text']!r} / {b['text']!r}")
    broken = _unhyphenated(lines, src.names)
    problems += [f"unhyphenated: {b}" for b in broken]
    return Counts(len(lines), len(outside), crossing, overlap, len(broken)), problems


def _unhyphenated(lines: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> list[str]:
    """Breaks between consecutive lines of a label that split a word of its name unmarked:
    the last piece of a line and the first of the next make (part of) one word of the name,
    and are not both words of it themselves."""
    by_label: dict[int, list[Mapping[str, Any]]] = {}
    for ln in lines:
        by_label.setdefault(ln["label"], []).append(ln)
    out = []
    for group in by_label.values():
        words = set(names.get(group[0]["id"], "").split())
        for a, b in itertools.pairwise(group):
            head, tail = a["text"].split(), b["text"].split()
            if not head or not tail:
                continue
            x, y = head[-1], tail[0]
            if x.endswith(("-", "/", "…")) or y.startswith("…") or (x in words and y in words):
                continue
            if any(x + y in w for w in words):
                out.append(f"{x}|{y}")
    return out


def table(
    sources: Sequence[Source], result: Mapping[str, Any]
) -> tuple[dict[str, tuple[Counts, Counts | None]], dict[str, list[str]]]:
    """Per file: (ours, bpmn-js) summed over its diagrams, and our problems listed."""
    by_name = {s.name: s for s in sources}
    rows: dict[str, tuple[Counts, Counts | None]] = {}
    problems: dict[str, list[str]] = {}
    for side in ("ours", "bpmnjs"):
        for m in result.get(side, []):
            src = by_name[m["name"]]
            if "error" in m:
                continue
            c, p = count(m, src)
            ours, theirs = rows.get(src.name, (ZERO, None))
            if side == "ours":
                rows[src.name] = (ours + c, theirs)
                problems.setdefault(src.name, []).extend(p)
            else:
                rows[src.name] = (ours, (theirs or ZERO) + c)
    return rows, problems


def miwg_sources(real: Path) -> list[Source]:
    ref = real / "bpmn" / "miwg-reference"
    return [source(p.stem, p) for p in sorted(ref.glob("*.bpmn"))]


def catalogue_sources() -> list[Source]:
    from fvmprocess.catalog import catalog

    return [catalogue_source(p.id) for p in catalog()]


def markdown(rows: Mapping[str, tuple[Counts, Counts | None]]) -> str:
    head = (
        "| file | lines | outside | crossing | overlap | unhyphenated |\n"
        "|---|---|---|---|---|---|\n"
    )
    body = []
    total_o, total_t = ZERO, ZERO
    for name, (o, t) in rows.items():
        t = t or ZERO
        total_o, total_t = total_o + o, total_t + t
        cells = [f"{a} / {b}" for a, b in zip(o.astuple(), t.astuple(), strict=True)]
        body.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [f"{a} / {b}" for a, b in zip(total_o.astuple(), total_t.astuple(), strict=True)]
    body.append("| **total** | " + " | ".join(f"**{c}**" for c in cells) + " |")
    return head + "\n".join(body) + "\n"


def main(argv: Sequence[str]) -> int:
    real = ROOT.parent / "shared" / "real"
    sources = catalogue_sources() + (miwg_sources(real) if real.is_dir() else [])
    result = run(sources)
    rows, problems = table(sources, result)
    print(markdown(rows))
    if "-v" in argv:
        for name, p in problems.items():
            for line in p:
                print(name, line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
