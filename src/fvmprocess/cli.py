"""The ``fvmprocess`` command.

Exit codes: 0 success; 1 problems found (``validate``); 2 input that cannot be read or, with
``--strict``, a rejected log row (one line naming the file, the place and what was expected —
never a traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LOG_COLUMNS = ("case", "activity", "timestamp", "unit", "resource", "start_timestamp", "lifecycle")


@contextmanager
def _errors() -> Iterator[None]:
    from fvmprocess.errors import FvmProcessError

    try:
        yield
    except FvmProcessError as e:
        click.echo(f"fvmprocess: error: {e}", err=True)
        sys.exit(2)
    except (KeyError, OSError) as e:
        click.echo(f"fvmprocess: error: {e}", err=True)
        sys.exit(2)


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fvmprocess")
@click.option(
    "--catalog",
    "catalog_dir",
    envvar="FVMPROCESS_CATALOG",
    show_envvar=True,
    type=click.Path(exists=True, file_okay=False),
    help="The region's catalogue folder (<id>.bpmn + <id>.yaml); default: the shipped examples.",
)
def main(catalog_dir: str | None) -> None:
    """fvmprocess: standard care processes, unit event logs, conformance and reports."""


def _catalog() -> Any:
    """The catalogue the command line was pointed at (--catalog / FVMPROCESS_CATALOG)."""
    from fvmprocess.catalog import catalog

    ctx = click.get_current_context(silent=True)
    path = ctx.find_root().params.get("catalog_dir") if ctx is not None else None
    return catalog(path)


# -- models -----------------------------------------------------------------------------------


@main.group()
def models() -> None:
    """The catalogue of standard care processes (--catalog DIR, default the shipped models/)."""


@models.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def models_list(fmt: str) -> None:
    """List the standard processes: id, version, Swedish and English names."""
    with _errors():
        rows = [
            {
                "id": p.id,
                "version": p.version,
                "name_sv": p.metadata.name.sv,
                "name_en": p.metadata.name.en,
                "path": str(p.path),
                "activities": len(p.metadata.activities),
                "time_limits": len(p.metadata.time_limits),
            }
            for p in _catalog()
        ]
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        from rich.table import Table

        t = Table("id", "version", "namn", "name", "activities", "time limits")
        for r in rows:
            t.add_row(
                str(r["id"]),
                str(r["version"]),
                str(r["name_sv"]),
                str(r["name_en"]),
                str(r["activities"]),
                str(r["time_limits"]),
            )
        _console().print(t)


@models.command("show")
@click.argument("process_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def models_show(process_id: str, fmt: str) -> None:
    """Show one standard process: metadata, activities and time limits."""
    with _errors():
        p = _catalog()[process_id]
        md = p.metadata
        if fmt == "json":
            click.echo(md.model_dump_json(indent=2))
            return
        click.echo(f"{md.id} {md.version}  {md.name.sv} / {md.name.en}")
        click.echo(f"owner: {md.owner}")
        click.echo(f"file:  {p.path}")
        click.echo(md.description.sv)
        click.echo("\nactivities:")
        for a in md.activities:
            codes = f" [{', '.join(a.codes)}]" if getattr(a, "codes", None) else ""
            click.echo(f"  {a.id:<34} {a.name.sv} / {a.name.en}{codes}")
        if md.time_limits:
            click.echo("\ntime limits:")
            for tl in md.time_limits:
                share = f", target {tl.target_share:.0%}" if tl.target_share else ""
                click.echo(
                    f"  {tl.id}: {tl.from_activity} -> {tl.to_activity} <= {tl.max_duration}"
                    f"{share}  ({getattr(tl.source, 'title', tl.source)})"
                )
        if md.sources:
            click.echo("\nsources:")
            for s in md.sources:
                click.echo(f"  - {getattr(s, 'title', s)}")


def _load_model(file_or_id: str) -> Any:
    from fvmprocess.bpmn.reader import read_bpmn

    p = Path(file_or_id)
    if p.suffix.lower() in (".bpmn", ".xml") or p.exists():
        return read_bpmn(p)
    return _catalog()[file_or_id].model


# -- validate / render / convert ---------------------------------------------------------------


@main.command()
@click.argument("file_or_id")
@click.option("--no-soundness", is_flag=True, help="Skip the control-flow soundness check.")
@click.option(
    "--xsd/--no-xsd",
    default=True,
    show_default=True,
    help="Also validate against the OMG BPMN 2.0 XSDs.",
)
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=None,
    help="Bound on the markings the soundness check plays out (beyond it: 'not proven').",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate(
    file_or_id: str, no_soundness: bool, xsd: bool, max_states: int | None, fmt: str
) -> None:
    """Validate a BPMN file or a catalogue process.

    Exit 0 clean, 1 problems (also when soundness is not proven within --max-states),
    2 unreadable.
    """
    with _errors():
        from fvmprocess.validate import DEFAULT_MAX_STATES
        from fvmprocess.validate import validate as run

        model = _load_model(file_or_id)
        problems = run(
            model, soundness=not no_soundness, max_states=max_states or DEFAULT_MAX_STATES
        )
        xsd_problems = []
        if xsd:
            from fvmprocess.bpmn.schema import validate_xsd

            xsd_problems = validate_xsd(model.xml)
        name = model.source
        items = [
            {"severity": p.severity, "code": p.code, "element": p.element, "message": p.message}
            for p in problems
        ] + [
            {"severity": "error", "code": "xsd", "element": None, "message": str(x)}
            for x in xsd_problems
        ]
        if fmt == "json":
            click.echo(json.dumps({"file": name, "problems": items}, ensure_ascii=False, indent=2))
        else:
            for it in items:
                click.echo(
                    f"{name}: {it['severity']}: [{it['code']}] "
                    f"{('element ' + it['element'] + ': ') if it['element'] else ''}{it['message']}"
                )
            if not items:
                click.echo(f"{name}: no problems")
        if any(i["severity"] in ("error", "warning") for i in items):
            sys.exit(1)


@main.command()
@click.argument("file_or_id")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="OUT.svg, OUT.png or OUT.pdf",
)
@click.option(
    "--result",
    "result_path",
    type=click.Path(exists=True, dir_okay=False),
    help="A result JSON from `fvmprocess check`: paint its deviations.",
)
@click.option("--unit", help="With --result: paint this unit's deviations only.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option(
    "--scale",
    type=float,
    default=1.5,
    show_default=True,
    help="Size factor (workshop projection: 1.5–2).",
)
def render(
    file_or_id: str, output: str, result_path: str | None, unit: str | None, lang: str, scale: float
) -> None:
    """Draw a BPMN file or catalogue process as SVG, PNG or PDF (optionally with deviations)."""
    with _errors():
        from fvmprocess.report import render_diagram

        target: Any = _load_model(file_or_id)
        if result_path:
            from fvmprocess.conformance import ConformanceResult

            res = ConformanceResult.from_json(result_path)
            target = _attach_model(res, target)
        out = render_diagram(target, output, unit=unit, lang=lang, scale=scale)  # type: ignore[arg-type]
        click.echo(f"wrote {out}")


def _attach_model(result: Any, model: Any) -> Any:
    from dataclasses import replace

    return replace(result, model=model)


@main.command()
@click.argument("input_path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--repair", is_flag=True, help="Also fix schema violations some tools write (listed on stderr)."
)
def convert(input_path: str, output: str, repair: bool) -> None:
    """Read a BPMN file and write it back (schema order, lossless)."""
    with _errors():
        from fvmprocess.bpmn.reader import read_bpmn
        from fvmprocess.bpmn.writer import write_bpmn

        model = read_bpmn(input_path)
        if repair:
            import copy

            from fvmprocess.bpmn.writer import repair as run_repair

            for fix in run_repair(copy.deepcopy(model.xml.getroot())):
                click.echo(f"{input_path}: repaired: {fix}", err=True)
        write_bpmn(model, output, repair_schema=repair)
        click.echo(f"wrote {output}")


# -- check / report / simulate --------------------------------------------------------------------


def _log_options(f: F) -> F:
    f = click.option("--strict", is_flag=True, help="Fail (exit 2) if any input row is rejected.")(
        f
    )
    f = click.option(
        "--mapping",
        type=click.Path(exists=True, dir_okay=False),
        help="CSV/YAML mapping of local activity names or codes to standard ids.",
    )(f)
    f = click.option(
        "--col",
        "cols",
        multiple=True,
        metavar="FIELD=COLUMN",
        help=f"Log column for a field ({', '.join(LOG_COLUMNS)}); repeatable.",
    )(f)
    f = click.option(
        "--log",
        "log_path",
        type=click.Path(dir_okay=False),
        help="Event log: CSV, XES (.xes/.xes.gz) or Parquet.",
    )(f)
    f = click.option("--process", "process", help="Catalogue id, FILE.bpmn or FILE.pnml.")(f)
    f = click.option(
        "--processes",
        type=int,
        default=1,
        show_default=True,
        help="Worker processes for alignments.",
    )(f)
    return f


def _schema(cols: tuple[str, ...]) -> Any:
    if not cols:
        return None
    from fvmprocess.eventlog import LogSchema

    kw: dict[str, str] = {}
    for c in cols:
        if "=" not in c:
            raise click.BadParameter(f"{c!r}: expected FIELD=COLUMN", param_hint="--col")
        k, v = c.split("=", 1)
        if k not in LOG_COLUMNS:
            raise click.BadParameter(
                f"{k!r}: expected one of {', '.join(LOG_COLUMNS)}", param_hint="--col"
            )
        kw[k] = v
    return LogSchema(**kw)  # type: ignore[arg-type]


def _load_process(process: str) -> Any:
    """A catalogue id, a .bpmn or a .pnml file, loaded (errors name the file and place)."""
    if Path(process).suffix.lower() == ".pnml":
        from fvmprocess.petri import read_pnml

        return read_pnml(process)
    p = Path(process)
    if p.suffix.lower() in (".bpmn", ".xml") or p.exists():
        return _load_model(process)
    return _catalog()[process]  # the StandardProcess: its metadata brings the time limits


def _run_check(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    strict: bool,
    processes: int,
    quiet: bool = False,
) -> Any:
    if not process or not log_path:
        raise click.UsageError("--process and --log are required (or give --result)")
    from fvmprocess.conformance import check
    from fvmprocess.eventlog import ActivityMapping, read_log

    target = _load_process(process)  # a bad process file fails before the log is read
    log = read_log(
        log_path,
        schema=_schema(cols),
        mapping=ActivityMapping.load(mapping) if mapping else None,
        strict=strict,
    )
    acc = log.accounting
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(acc.reasons.items()))
    click.echo(
        f"{log_path}: {acc.rows_read} rows read, {acc.rows_used} used, {acc.rows_rejected} "
        f"rejected{(' (' + reasons + ')') if reasons else ''}",
        err=True,
    )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        disable=quiet or not sys.stderr.isatty(),
        console=__import__("rich.console").console.Console(stderr=True),
    ) as bar:
        task = bar.add_task("aligning variants", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return check(target, log, processes=processes, progress=progress)


def _summary_table(result: Any) -> None:
    from rich.table import Table

    s = result.summary()
    t = Table(
        title=f"{result.process.get('id')}: {s['cases']} cases, {s['variants']} variants",
        title_justify="left",
    )
    for col in ("#", "unit", "cases", "conforming", "95 % CI", "mean fitness", "time limits"):
        t.add_column(col)
    for r in result.units.iter_rows(named=True):
        tl = r.get("time_limit_compliance")
        t.add_row(
            str(r["rank"]),
            str(r["unit"]),
            str(r["cases"]),
            f"{100 * r['conforming_share']:.1f} %",
            f"{100 * r['conforming_share_low']:.0f}–{100 * r['conforming_share_high']:.0f} %",
            f"{r['mean_fitness']:.3f}",
            "–" if tl is None else f"{100 * tl:.1f} %",
        )
    _console().print(t)
    devs = ", ".join(f"{k} {v}" for k, v in s["deviations"].items()) or "none"
    click.echo(f"deviations: {devs}")


@main.command("check")
@_log_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write RESULT.json.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary table.")
def check_cmd(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    strict: bool,
    processes: int,
    output: str,
    quiet: bool,
) -> None:
    """Check a unit event log against a standard process; write the result as JSON."""
    with _errors():
        result = _run_check(process, log_path, cols, mapping, strict, processes, quiet)
        result.to_json(output)
        if not quiet:
            _summary_table(result)
        click.echo(f"wrote {output}")


@main.command()
@_log_options
@click.option(
    "--result",
    "result_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Use a saved result JSON instead of --process/--log.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="OUT.html, OUT.pdf or OUT.md",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option(
    "--template-dir",
    type=click.Path(exists=True, file_okay=False),
    help="Your own Jinja2 templates (override the shipped ones by name).",
)
@click.option("--no-date", is_flag=True, help="Leave out the generation date (byte-identical).")
def report(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    strict: bool,
    processes: int,
    result_path: str | None,
    output: str,
    lang: str,
    template_dir: str | None,
    no_date: bool,
) -> None:
    """Write a comparison report (HTML, PDF or Markdown) for a log or a saved result."""
    with _errors():
        from fvmprocess.report import render_report

        if result_path:
            from fvmprocess.conformance import ConformanceResult

            result = ConformanceResult.from_json(result_path)
            if process:
                result = _attach_model(result, _load_model(process))
        else:
            result = _run_check(process, log_path, cols, mapping, strict, processes, True)
        kw: dict[str, Any] = {"lang": lang, "template_dir": template_dir}
        if no_date:
            kw["generated"] = False
        out = render_report(result, output, **kw)
        click.echo(f"wrote {out}")


@main.command()
@click.option("--process", required=True, help="Catalogue id or FILE.bpmn.")
@click.option("--cases", type=int, default=500, show_default=True)
@click.option(
    "--unit",
    "units",
    multiple=True,
    metavar="NAME=RATE",
    help="A unit and its deviation rate (0–1); repeatable.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="OUT.csv or OUT.parquet"
)
def simulate(process: str, cases: int, units: tuple[str, ...], seed: int, output: str) -> None:
    """Simulate a unit event log from a standard process, with injected deviations."""
    with _errors():
        from fvmprocess.simulate import simulate_log

        rates: dict[str, float] = {}
        for u in units:
            if "=" not in u:
                raise click.BadParameter(f"{u!r}: expected NAME=RATE", param_hint="--unit")
            name, rate = u.rsplit("=", 1)
            rates[name] = float(rate)
        frame = simulate_log(
            _load_process(process), cases=cases, units=rates or None, seed=seed
        )
        out = Path(output)
        if out.suffix == ".parquet":
            frame.write_parquet(out)
        else:
            frame.write_csv(out)
        click.echo(f"wrote {out}: {frame.height} events, seed {seed}")


@main.command()
@click.option(
    "-o",
    "--output",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the reports and diagrams.",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write PDF reports.")
def demo(output: str, lang: str, pdf: bool) -> None:
    """The main job: validate and draw the whole catalogue, check the shipped unit logs
    against their standard processes, and write the comparison reports."""
    with _errors():
        from fvmprocess.demo import run_demo

        run_demo(Path(output), lang=lang, pdf=pdf, echo=click.echo)


if __name__ == "__main__":  # pragma: no cover
    main()
