"""Labels measured in a real browser: our drawings of the catalogue and the MIWG references
against bpmn-js's rendering of the same files (issue 13).

One headless Chromium loads every SVG (ours, and bpmn-js's export of the same BPMN) and
measures every text line's box (``tests/browser/measure.js``); ``tests/browser/measure.py``
counts lines outside the canvas, lines cutting a shape's border, overlapping lines of
different labels and words broken without a hyphen. Skips without Chromium; the bpmn-js
comparison skips without ``tests/browser/node_modules`` (``npm ci --prefix tests/browser``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent / "browser"
_spec = importlib.util.spec_from_file_location("fvm_browser_measure", _HERE / "measure.py")
assert _spec is not None and _spec.loader is not None
measure = importlib.util.module_from_spec(_spec)
sys.modules["fvm_browser_measure"] = measure
_spec.loader.exec_module(measure)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(measure.chromium() is None, reason="chromium is not installed"),
]


@pytest.fixture(scope="module")
def measured(request: pytest.FixtureRequest) -> tuple[list[Any], dict[str, Any]]:
    """One browser session for every file: the catalogue, and the MIWG references if present."""
    sources = measure.catalogue_sources()
    real = measure.ROOT.parent / "shared" / "real"
    miwg = real / "bpmn" / "miwg-reference"
    if miwg.is_dir():
        sources += measure.miwg_sources(real)
    return sources, measure.run(sources)


def test_measurement_counts_what_it_claims() -> None:
    """The counting rules on hand-made boxes (independent of the browser)."""
    src = measure.Source("t", "", (), {"a": "Ankomstregistrering", "b": "Röntgen"}, {})
    m = {
        "width": 300.0,
        "height": 200.0,
        "shapes": [{"id": "a", "box": [10, 10, 100, 80]}],
        "lines": [
            {"id": "a", "label": 0, "text": "Ankomstregi", "box": [20, 20, 80, 12]},
            {"id": "a", "label": 0, "text": "strering", "box": [20, 34, 60, 12]},  # no hyphen
            {"id": "b", "label": 1, "text": "Röntgen", "box": [90, 30, 60, 12]},  # cuts a
            {"id": "b", "label": 2, "text": "Röntgen", "box": [95, 32, 60, 12]},  # overlaps
            {"id": "b", "label": 3, "text": "Röntgen", "box": [280, 150, 60, 12]},  # outside
        ],
    }
    counts, problems = measure.count(m, src)
    assert (counts.outside, counts.crossing, counts.overlap, counts.unhyphenated) == (1, 2, 1, 1)
    assert any("Ankomstregi|strering" in p for p in problems)


def test_no_label_outside_the_canvas(measured: tuple[list[Any], dict[str, Any]]) -> None:
    sources, result = measured
    rows, problems = measure.table(sources, result)
    assert len(rows) == len(sources)
    outside = {name: o.outside for name, (o, _) in rows.items() if o.outside}
    assert not outside, [p for name in outside for p in problems[name]]
    assert sum(o.lines for o, _ in rows.values()) > 500  # the labels were found


def test_no_more_problems_than_bpmn_js(measured: tuple[list[Any], dict[str, Any]]) -> None:
    if not measure.BPMNJS.exists():
        pytest.skip("bpmn-js is not installed (npm ci --prefix tests/browser)")
    sources, result = measured
    rows, problems = measure.table(sources, result)
    worse = {}
    for name, (ours, theirs) in rows.items():
        assert theirs is not None, f"bpmn-js did not render {name}"
        for field in ("crossing", "overlap", "unhyphenated"):
            if getattr(ours, field) > getattr(theirs, field):
                worse[(name, field)] = (getattr(ours, field), getattr(theirs, field))
    assert not worse, (worse, {name: problems[name] for name, _ in worse})
    assert sum(o.unhyphenated for o, _ in rows.values()) == 0
