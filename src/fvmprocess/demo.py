"""The main job (``fvmprocess demo``): the whole loop on the shipped catalogue and sample logs.

1. every standard process in the catalogue is validated (structure, soundness, OMG XSD) and
   drawn to ``OUT/catalog/<id>.svg``;
2. every unit log in ``event_logs/`` (``<process id>.csv``, with an optional
   ``<process id>.mapping.csv|yaml``) is checked against its standard process; the result is
   written to ``OUT/results/<id>.json``;
3. a comparison report per process is written to ``OUT/reports/<id>.html`` (and ``.pdf``), and
   ``OUT/index.html`` links everything.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["find_event_logs", "run_demo"]


def find_event_logs(folder: Path | None = None) -> Path:
    """The sample logs folder: ``./event_logs`` or the repository's, next to ``src/``."""
    if folder is not None:
        return folder
    here = Path.cwd() / "event_logs"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "event_logs"


def _logs(folder: Path, known: set[str]) -> list[tuple[str, Path, Path | None]]:
    out = []
    for f in sorted(folder.glob("*")):
        if f.suffix.lower() not in (".csv", ".xes", ".gz", ".parquet") or ".mapping." in f.name:
            continue
        stem = f.name.split(".")[0]
        if stem not in known:
            continue
        mapping = next(
            (
                m
                for m in (folder / f"{stem}.mapping.csv", folder / f"{stem}.mapping.yaml")
                if m.exists()
            ),
            None,
        )
        out.append((stem, f, mapping))
    return out


def run_demo(
    out: Path,
    *,
    lang: str = "sv",
    pdf: bool = True,
    logs: Path | None = None,
    echo: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Run the main job; returns what was written and found (also used by the tests)."""
    from fvmprocess.bpmn.schema import validate_xsd
    from fvmprocess.catalog import catalog
    from fvmprocess.conformance import check
    from fvmprocess.eventlog import ActivityMapping, read_log
    from fvmprocess.render.export import render_diagram
    from fvmprocess.render.options import DrawOptions
    from fvmprocess.report import render_report
    from fvmprocess.validate import validate

    out.mkdir(parents=True, exist_ok=True)
    (out / "catalog").mkdir(exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    (out / "reports").mkdir(exist_ok=True)
    cat = catalog()
    summary: dict[str, Any] = {"catalog": {}, "checks": {}}
    echo(f"Catalogue: {len(cat)} standard processes")
    for p in cat:
        problems = [x for x in validate(p.model) if x.severity == "error"]
        xsd = validate_xsd(p.model.xml)
        svg = out / "catalog" / f"{p.id}.svg"
        render_diagram(p, svg, options=DrawOptions.workshop().update(scale=1.0, lang=lang))
        summary["catalog"][p.id] = {
            "errors": len(problems),
            "xsd_errors": len(xsd),
            "svg": str(svg),
        }
        status = "ok" if not problems and not xsd else f"{len(problems) + len(xsd)} errors"
        echo(f"  {p.id:<28} {p.version:<8} {status:<10} {svg}")
    folder = find_event_logs(logs)
    entries = _logs(folder, set(cat.ids())) if folder.is_dir() else []
    echo(f"Unit logs in {folder}: {len(entries)}")
    for pid, path, mapping in entries:
        log = read_log(path, mapping=ActivityMapping.load(mapping) if mapping else None)
        # the whole check a region runs: trends per month, what explains deviations, practice
        result = check(cat[pid], log, period="month", causes=True, practice=True)
        result.to_json(out / "results" / f"{pid}.json")
        report = render_report(result, out / "reports" / f"{pid}.html", lang=lang)  # type: ignore[arg-type]
        written = [str(report)]
        if pdf:
            written.append(str(render_report(result, out / "reports" / f"{pid}.pdf", lang=lang)))  # type: ignore[arg-type]
        s = result.summary()
        acc = log.accounting
        summary["checks"][pid] = {
            "summary": s,
            "reports": written,
            "rows_read": acc.rows_read,
            "rows_rejected": acc.rows_rejected,
        }
        echo(
            f"  {pid}: {s['cases']} cases in {s['units']} units, conforming "
            f"{100 * (s['conforming_share'] or 0):.1f} %, mean fitness {s['mean_fitness']}, "
            f"rows {acc.rows_read} read / {acc.rows_rejected} rejected"
        )
        for r in result.units.iter_rows(named=True):
            echo(
                f"      {r['rank']:>2}. {r['unit']:<40} {100 * r['conforming_share']:5.1f} %  "
                f"fitness {r['mean_fitness']:.3f}"
            )
    _index(out, cat, summary)
    echo(f"Index: {out / 'index.html'}")
    return summary


def _index(out: Path, cat: Any, summary: dict[str, Any]) -> None:
    rows = []
    for p in cat:
        check = summary["checks"].get(p.id)
        reports = (
            " · ".join(
                f'<a href="{html.escape(Path(r).relative_to(out).as_posix())}">'
                f"{Path(r).suffix[1:].upper()}</a>"
                for r in check["reports"]
            )
            if check
            else "–"
        )
        rows.append(
            f"<tr><td>{html.escape(p.id)}</td><td>{html.escape(p.name('sv'))}</td>"
            f"<td>{html.escape(p.version)}</td>"
            f'<td><a href="catalog/{html.escape(p.id)}.svg">diagram</a></td><td>{reports}</td></tr>'
        )
    (out / "index.html").write_text(
        "<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>fvmprocess</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;text-align:left}"
        "</style></head><body><h1>fvmprocess – standardprocesser och avvikelser</h1>"
        "<table><tr><th>id</th><th>Process</th><th>Version</th><th>Bild</th><th>Rapport</th></tr>"
        + "".join(rows)
        + "</table></body></html>\n",
        encoding="utf-8",
    )
