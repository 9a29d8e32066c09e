"""The ``fvmprocess`` command.

Exit codes: 0 success; 1 problems found (``validate``); 2 input that cannot be read or, with
``--strict``, a rejected log row (one line naming the file, the place and what was expected —
never a traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

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
    """The catalogue of standard care processes (--catalog DIR, default the shipped models/).

    Each process is <id>.bpmn (structure and labels, edited in Camunda Modeler, Signavio…)
    plus <id>.yaml (version, owner, sources, codes, time limits, variations by element id).
    """


def _warn_problems(cat: Any) -> None:
    """Name the files the catalogue could not load (stderr), so none is skipped silently."""
    for f in cat.problems:
        click.echo(f"fvmprocess: warning: {f}", err=True)
    if cat.problems:
        click.echo("fvmprocess: run `fvmprocess models check` for the details", err=True)


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
    """List the standard processes: id, version, Swedish and English names.

    Files that do not make a process (a .bpmn without its .yaml, invalid metadata) are named
    on stderr.
    """
    with _errors():
        cat = _catalog()
        rows = [
            {
                "id": p.id,
                "version": p.version,
                "status": p.metadata.status,
                "name_sv": p.name("sv"),
                "name_en": p.name("en"),
                "path": str(p.path),
                "activities": len(p.activities),
                "time_limits": len(p.time_limits),
            }
            for p in cat
        ]
        _warn_problems(cat)
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        from rich.table import Table

        t = Table("id", "version", "namn", "name", "activities", "time limits")
        for r in rows:
            t.add_row(
                *(str(r[k]) for k in ("id", "version", "name_sv", "name_en", "activities")),
                str(r["time_limits"]),
            )
        _console().print(t)


def _show_json(p: Any) -> str:
    data = p.metadata.model_dump(mode="json")
    data["name"] = {"sv": p.name("sv"), "en": p.name("en")}
    data["description"] = (
        {"sv": p.description("sv"), "en": p.description("en")} if p.description() else None
    )
    data["activities"] = [
        {"id": a.id, "type": a.type, "name": a.name.model_dump(), "codes": list(a.codes)}
        for a in p.activities
    ]
    data["path"] = str(p.path)
    return json.dumps(data, ensure_ascii=False, indent=2)


@models.command("show")
@click.argument("process_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def models_show(process_id: str, fmt: str) -> None:
    """Show one standard process: labels (from the BPMN), metadata, time limits."""
    with _errors():
        p = _catalog()[process_id]
        if fmt == "json":
            click.echo(_show_json(p))
            return
        md = p.metadata
        click.echo(f"{p.id} {md.version} ({md.status})  {p.name('sv')} / {p.name('en')}")
        click.echo(f"owner: {md.owner}, valid from {md.valid_from.isoformat()}")
        click.echo(f"files: {p.path} + {p.metadata_path.name}")
        if p.description():
            click.echo(p.description())
        click.echo("\nactivities:")
        for a in p.activities:
            codes = f" [{', '.join(a.codes)}]" if a.codes else ""
            missing = "" if a.id in md.activities else "  (no metadata: models sync)"
            click.echo(f"  {a.id:<34} {a.name.sv} / {a.name.en}{codes}{missing}")
        if md.time_limits:
            click.echo("\ntime limits:")
            for tl in md.time_limits:
                share = f", target {tl.target_share:.0%}" if tl.target_share else ""
                start = p.label(tl.from_activity) if tl.from_activity else "(first event)"
                click.echo(
                    f"  {tl.id}: {start} -> {p.label(tl.to_activity)} <= {tl.max_duration}"
                    f" ({tl.counting}{share})  [{tl.source}]"
                )
        if md.variations:
            click.echo("\napproved variations:")
            for v in md.variations:
                skips = ", ".join(p.label(s) for s in v.allowed_skips) or "-"
                click.echo(f"  {v.id}: {v.description.sv} (may skip: {skips})")
        if md.sources:
            click.echo("\nsources:")
            for s in md.sources:
                click.echo(f"  - {s.title}" + (f" <{s.url}>" if s.url else ""))


def _validate_findings(cat: Any, process_id: str | None, soundness: bool) -> list[Any]:
    """The BPMN's own validate() problems (errors and warnings) as catalogue findings."""
    from fvmprocess.catalog import Finding
    from fvmprocess.errors import FvmProcessError
    from fvmprocess.validate import validate as run

    out: list[Any] = []
    for p in cat:
        if process_id is not None and p.id != process_id:
            continue
        try:
            model = p.model
        except FvmProcessError:
            continue  # reported as unreadable by the drift check
        for prob in run(model, soundness=soundness):
            if prob.severity in ("error", "warning"):
                element = prob.element or p.text.id
                out.append(Finding(str(p.path), element, prob.code, prob.message))
    return out


@models.command("check")
@click.argument("process_id", required=False)
@click.option("--no-soundness", is_flag=True, help="Skip the control-flow soundness check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def models_check(process_id: str | None, no_soundness: bool, fmt: str) -> None:
    """Drift and health of the catalogue (or of one process).

    Lists BPMN activities without metadata, metadata of elements no longer in the BPMN, .bpmn
    files without metadata and the reverse, time limits or variations naming missing
    activities, duplicate labels, and the BPMN's own validation problems. Every line names the
    file and the element id. Exit 0 clean, 1 problems, 2 unreadable.
    """
    with _errors():
        from fvmprocess.catalog.health import check_catalog

        cat = _catalog()
        findings = check_catalog(cat, process_id)
        findings += _validate_findings(cat, process_id, not no_soundness)
        if fmt == "json":
            rows = [
                {"file": f.file, "element": f.element, "code": f.code, "message": f.message}
                for f in findings
            ]
            click.echo(json.dumps({"catalog": str(cat.directory), "problems": rows}, indent=2))
        else:
            for f in findings:
                click.echo(str(f))
            n = len(cat)
            what = process_id or f"{cat.directory} ({n} process{'es' if n != 1 else ''})"
            click.echo(f"{what}: " + (f"{len(findings)} problem(s)" if findings else "no problems"))
        if any(f.unreadable for f in findings):
            sys.exit(2)
        if findings:
            sys.exit(1)


@models.command("sync")
@click.argument("process_id")
@click.option("--prune", is_flag=True, help="Delete metadata of elements no longer in the BPMN.")
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
def models_sync(process_id: str, prune: bool, dry_run: bool) -> None:
    """Bring <id>.yaml in step with <id>.bpmn: a stub for every new activity (keeping the
    YAML's comments and order); metadata of removed elements is reported, and deleted only
    with --prune. The .bpmn is never written."""
    with _errors():
        from fvmprocess.catalog.sync import sync_metadata

        cat = _catalog()
        bpmn = Path(cat.directory) / f"{process_id}.bpmn"
        yml = bpmn.with_suffix(".yaml")
        if not bpmn.is_file() or not yml.is_file():
            cat[process_id]  # the catalogue's own error names the files
            missing = yml if not yml.is_file() else bpmn
            raise click.UsageError(
                f"{missing} is missing"
                + (
                    f" (add it: fvmprocess models new {process_id} --from {bpmn})"
                    if missing == yml
                    else ""
                )
            )
        res = sync_metadata(bpmn, yml, prune=prune, write=not dry_run)
        for a in res.added:
            click.echo(f"{yml}: {a}: added a metadata stub")
        verb = "deleted" if prune and not dry_run else "kept (use --prune to delete)"
        for a in res.removed:
            click.echo(f"{yml}: {a}: no longer an activity in the BPMN; metadata {verb}")
        for ref in res.references:
            click.echo(f"{yml}: {ref}, which is not an activity in the BPMN (edit it by hand)")
        state = (
            "wrote"
            if res.written
            else (
                "would change"
                if dry_run and (res.added or (prune and res.removed))
                else "up to date:"
            )
        )
        click.echo(f"{state} {yml}")


@models.command("new")
@click.argument("process_id")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The BPMN file exported by the modelling tool.",
)
@click.option("--owner", default="ej angiven", show_default=True, help="Who owns the standard.")
def models_new(process_id: str, source: str, owner: str) -> None:
    """Add a BPMN file to the catalogue as <id>.bpmn with a metadata stub <id>.yaml."""
    with _errors():
        from fvmprocess.catalog.sync import new_process

        cat = _catalog()
        bpmn, yml = new_process(Path(cat.directory), process_id, source, owner=owner)
        click.echo(
            f"wrote {yml}" + ("" if Path(source).resolve() == bpmn.resolve() else f" and {bpmn}")
        )
        click.echo(
            f"next: fill in owner, sources, codes and time limits; "
            f"fvmprocess models check {process_id}"
        )


def _diff_side(arg: str, label: str) -> Any:
    """A catalogue id or a .bpmn file (with its sibling .yaml, if valid) as one diff side."""
    from fvmprocess.bpmn.reader import read_bpmn
    from fvmprocess.catalog import load_metadata
    from fvmprocess.catalog.diff import DiffSide
    from fvmprocess.compile import to_petri_net
    from fvmprocess.errors import CatalogError, FvmProcessError

    cat = _catalog()
    path = Path(arg)
    limits: tuple[Any, ...] = ()
    if path.suffix.lower() in (".bpmn", ".xml") or path.exists():
        model, source = read_bpmn(path), str(path)
        if path.with_suffix(".yaml").is_file():
            try:
                limits = load_metadata(path.with_suffix(".yaml")).time_limits
            except CatalogError as e:
                click.echo(f"fvmprocess: warning: {label}: time limits not read: {e}", err=True)
    else:
        sp = cat[arg]
        model, source, limits = sp.model, f"{sp.id} {sp.version} ({sp.path})", sp.time_limits
    try:
        return DiffSide(model, source, to_petri_net(model, label="id", catalog=cat), limits)
    except FvmProcessError as e:
        return DiffSide(model, source, None, limits, note=f"{label}: {e}")


def _diff_overlay(diff: Any, model: Any) -> Any:
    """NEW painted with the changes: added green, renamed orange, new order blue, removed as
    notes (colour-blind-safe Okabe–Ito hues)."""
    from fvmprocess.render.overlay import Overlay

    ov = Overlay()
    first = next((n.id for n in model.nodes.values() if n.is_activity), None)
    for c in diff.activities:
        if c.kind == "added":
            ov = ov.with_element(
                c.new_id,
                fill="#c7e9c0",
                stroke="#009e73",
                stroke_width=3,
                badge="+",
                badge_colour="#009e73",
                tooltip="added",
            )
        elif c.kind in ("renamed", "new-id"):
            was = c.old_label.sv if c.kind == "renamed" else c.old_id
            ov = ov.with_element(
                c.new_id,
                fill="#fde0b8",
                stroke="#e69f00",
                stroke_width=3,
                badge="~",
                badge_colour="#b36b00",
                tooltip=f"was: {was}",
            )
        elif first is not None:
            near = _removed_neighbour(diff, c.old_id) or first
            ov = ov.add_note(near, f"− {c.old_label.sv}", "#d55e00")
    for f in diff.follows:
        if f.kind == "added" and f.source in model.nodes:
            ov = ov.with_element(f.source, stroke="#0072b2", stroke_width=3)
    return ov.with_legend(
        [
            ("#c7e9c0", "added"),
            ("#fde0b8", "renamed / new id"),
            ("#0072b2", "new successor (order)"),
            ("#d55e00", "removed"),
        ]
    )


def _removed_neighbour(diff: Any, old_id: str) -> str | None:
    """A NEW activity that directly preceded a removed one in OLD (where its note goes)."""
    for f in diff.follows:
        if f.kind == "removed" and f.target == old_id and f.source not in (old_id, "(start)"):
            return str(f.source)
    return None


@models.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Also draw NEW with the changes coloured: OUT.svg, OUT.png or OUT.pdf.",
)
def models_diff(old: str, new: str, fmt: str, lang: str, output: str | None) -> None:
    """Differences between two versions (catalogue ids or .bpmn files): activities added,
    removed or renamed (matched by id, then by label), changed order and branching
    (directly-follows relation of the two nets), changed time limits.

    Exit 0 same, 1 different, 2 unreadable (like diff).
    """
    with _errors():
        from fvmprocess._shared.labels import Lang
        from fvmprocess.catalog.diff import diff_processes

        lang_: Lang = "en" if lang == "en" else "sv"
        new_side = _diff_side(new, "NEW")
        diff = diff_processes(_diff_side(old, "OLD"), new_side)
        if fmt == "json":
            click.echo(json.dumps(diff.to_dict(lang_), ensure_ascii=False, indent=2))
        else:
            for line in diff.to_text(lang_):
                click.echo(line)
        if output:
            from fvmprocess.render.export import render_diagram
            from fvmprocess.render.options import DrawOptions

            title = f"{diff.old_source} → {diff.new_source}"
            render_diagram(
                new_side.model,
                output,
                overlay=_diff_overlay(diff, new_side.model),
                options=DrawOptions(title=title, lang=lang_),
            )
            click.echo(f"wrote {output}", err=fmt == "json")
        if not diff.is_empty:
            sys.exit(1)


def _resolve(process: str) -> Any:
    """A catalogue id (in --catalog), a .bpmn or a .pnml file, resolved once for every command."""
    from fvmprocess.process import resolve_process

    return resolve_process(process, catalog=_catalog())


def _load_model(file_or_id: str) -> Any:
    """The BPMN model of a file or catalogue id (a Petri net has none: a usage error)."""
    model = _resolve(file_or_id).model
    if model is None:
        raise click.UsageError(f"{file_or_id}: a Petri net has no BPMN diagram to use here")
    return model


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
    type=click.Path(exists=True),
    help="A saved result from `fvmprocess check` (RESULT.json or its folder): paint its "
    "deviations.",
)
@click.option("--unit", help="With --result: paint this unit's deviations only.")
@click.option(
    "--practice",
    "practice_unit",
    metavar="UNIT",
    help="Draw this unit's practice as a difference on the standard (flows it takes, never "
    "takes, steps and transitions it adds), from --log or a --result checked with --practice.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(exists=True, dir_okay=False),
    help="With --practice: the event log (CSV, XES or Parquet) to take the practice from.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="With --log: the activity mapping file (as for check).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option(
    "--workshop",
    is_flag=True,
    help="Preset for projection: the whole drawing enlarged 2x (shapes and text), a title.",
)
@click.option(
    "--scale",
    type=float,
    default=None,
    help="Size factor of the whole drawing [default: 1.5, 2 with --workshop].",
)
@click.option(
    "--font-size",
    type=float,
    default=None,
    help="Label size in diagram pixels [default: follows the diagram, 11 at 100x80 tasks].",
)
@click.option(
    "--layout",
    type=click.Choice(["auto", "di"]),
    default=None,
    help="auto: lay the model out anew; di: draw the file's layout as it is "
    "[default: the file's layout unless it is missing or unreadable].",
)
def render(
    file_or_id: str,
    output: str,
    result_path: str | None,
    unit: str | None,
    practice_unit: str | None,
    log_path: str | None,
    mapping: str | None,
    lang: str,
    workshop: bool,
    scale: float | None,
    font_size: float | None,
    layout: str | None,
) -> None:
    """Draw a BPMN file or catalogue process as SVG, PNG or PDF (optionally with deviations,
    or with a unit's practice)."""
    with _errors():
        from fvmprocess.render.export import render_diagram
        from fvmprocess.render.options import DrawOptions

        res = None
        if result_path:
            from fvmprocess.conformance import ConformanceResult

            res = ConformanceResult.load(result_path, find_model=False)
        base = DrawOptions.workshop() if workshop else DrawOptions(scale=1.5, title=True)
        opts = base.update(lang=lang, font_size=font_size, layout=layout)
        if scale is not None:
            opts = opts.update(scale=scale)
        from fvmprocess.process import resolve_process

        process = resolve_process(file_or_id, catalog=_catalog())  # catalogue labels for --lang
        if practice_unit is not None or log_path is not None:
            _render_practice(process, output, res, practice_unit, log_path, mapping, opts)
            return
        render_diagram(process, output, result=res, unit=unit, options=opts)
        click.echo(f"wrote {output}")


def _render_practice(
    process: Any,
    output: str,
    res: Any,
    unit: str | None,
    log_path: str | None,
    mapping: str | None,
    opts: Any,
) -> None:
    """``render --practice UNIT``: the unit's practice from a saved result or checked from
    ``--log`` (``check(..., practice=True)``), drawn on the standard."""
    from fvmprocess.render.practice import render_practice

    if unit is None:
        raise click.UsageError("--log draws a unit's practice: give --practice UNIT")
    if (res is None) == (log_path is None):
        raise click.UsageError("--practice needs either --log LOG or --result RESULT")
    if res is None:
        from fvmprocess.conformance import check
        from fvmprocess.eventlog import read_log

        log = read_log(log_path, mapping=_cli_mapping(mapping, None, process))
        _echo_rows(str(log_path), log.accounting)
        res = check(process, log, practice=True)
    try:
        render_practice(process, res, output, unit=unit, options=opts)
    except ValueError as e:
        from fvmprocess.errors import FvmProcessError

        if isinstance(e, FvmProcessError):
            raise
        raise click.BadParameter(str(e), param_hint="--practice") from e
    click.echo(f"wrote {output}")


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


_MAPPING_HELP = (
    "Mapping of the log's activity names or codes to the process's activity ids: CSV with "
    "columns local,standard (',' or ';'), or YAML {mapping: {local: standard}, ignore: "
    "[local]}. An empty standard, '-' or an ignore column of 1/ja/yes drops that activity's "
    "events. Every standard must be an activity id or name of the process (else exit 2 "
    "naming the line). See docs/eventlogs.md."
)
#: Where the check options that only :func:`_run_check` reads are kept during one command
#: (click ``ctx.meta``), so commands taking :func:`_log_options` need no extra parameters.
_CHECK_META = "fvmprocess.check_options"


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_CHECK_META, {})[param.name] = value
    return value


def _log_options(f: F) -> F:
    """The options of every command that checks a log (``check``, ``report``)."""
    extra: list[Callable[[F], F]] = [
        click.option(
            "--allow",
            multiple=True,
            metavar="KIND:ACTIVITY[@UNIT]",
            expose_value=False,
            callback=_keep,
            help="An approved deviation that does not count (KIND or ACTIVITY '*' = any), "
            'e.g. --allow "skipped:Activity_Xray@Akuten Borås"; repeatable.',
        ),
        click.option(
            "--duplicates",
            type=click.Choice(["keep", "reject"]),
            default="keep",
            show_default=True,
            expose_value=False,
            callback=_keep,
            help="Exact repeats of an event: keep them, or reject them as duplicate_event.",
        ),
        click.option(
            "--unmapped",
            type=click.Choice(["keep", "ignore"]),
            default=None,
            expose_value=False,
            callback=_keep,
            help="Activities neither the mapping nor the standard names: keep them (default; "
            "they become inserted steps) or ignore them, counted as unmapped_activity.",
        ),
        click.option(
            "--timezone",
            default=None,
            expose_value=False,
            callback=_keep,
            help="IANA zone of timestamps without an offset [default: Europe/Stockholm].",
        ),
        click.option(
            "--encoding",
            default=None,
            expose_value=False,
            callback=_keep,
            help="Text encoding of a CSV log, for every line (e.g. cp1252); lines invalid in it "
            "are rejected. [default: UTF-8; lines that are not UTF-8 are read as cp1252 and "
            "counted]",
        ),
        click.option(
            "--unit-assignment",
            type=click.Choice(["first", "most", "split"]),
            default="first",
            show_default=True,
            expose_value=False,
            callback=_keep,
            help="A case whose events name several units counts for its first event's unit, "
            "the unit with most of its events, or is split into one case per unit episode.",
        ),
        click.option(
            "--min-match-share",
            type=click.FloatRange(0, 1),
            default=0.5,
            show_default=True,
            expose_value=False,
            callback=_keep,
            help="Warn (with --strict: exit 2) when fewer of the events are activities of "
            "the process.",
        ),
        click.option(
            "--period",
            type=click.Choice(["week", "month", "quarter"]),
            default=None,
            expose_value=False,
            callback=_keep,
            help="Also score each unit per period and find changes in its conforming share.",
        ),
        click.option(
            "--milestone",
            multiple=True,
            metavar="[UNIT@]DATE=LABEL",
            expose_value=False,
            callback=_keep,
            help='Before/after per unit, e.g. --milestone 2025-06-01="Workshop" or '
            '"Akut Borås@2025-09-01=Go-live"; repeatable.',
        ),
        click.option(
            "--causes",
            is_flag=True,
            expose_value=False,
            callback=_keep,
            help="Also find the case attributes under which a deviation is much more frequent.",
        ),
        click.option(
            "--cause-attribute",
            multiple=True,
            metavar="NAME",
            expose_value=False,
            callback=_keep,
            help="Use only these attributes for --causes (log columns, hour_band, day_type).",
        ),
        click.option(
            "--cause-exclude",
            multiple=True,
            metavar="NAME",
            expose_value=False,
            callback=_keep,
            help="Never use this attribute for --causes; repeatable.",
        ),
        click.option(
            "--practice",
            is_flag=True,
            expose_value=False,
            callback=_keep,
            help="Also compare each unit's practice (directly-follows) with the standard.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Fail (exit 2) if any input row is rejected or too few events match.",
        ),
        click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help=_MAPPING_HELP),
        click.option(
            "--col",
            "cols",
            multiple=True,
            metavar="FIELD=COLUMN",
            help=f"Log column for a field ({', '.join(LOG_COLUMNS)}); repeatable.",
        ),
        click.option(
            "--log",
            "log_path",
            type=click.Path(dir_okay=False),
            help="Event log: CSV, XES (.xes/.xes.gz) or Parquet.",
        ),
        click.option("--process", "process", help="Catalogue id, FILE.bpmn or FILE.pnml."),
        click.option(
            "--processes",
            type=int,
            default=1,
            show_default=True,
            help="Worker processes for alignments.",
        ),
    ]
    for option in extra:
        f = option(f)
    return f


def _allow_rules(specs: tuple[str, ...]) -> list[Any]:
    """``--allow KIND:ACTIVITY[@UNIT]`` as :class:`Allow` rules (``*`` matches anything)."""
    from fvmprocess.conformance import Allow

    rules = []
    for spec in specs:
        kind, sep, rest = spec.partition(":")
        activity, _, unit = rest.partition("@")
        if not sep or not kind.strip() or not activity.strip():
            raise click.BadParameter(
                f"{spec!r}: expected KIND:ACTIVITY[@UNIT], e.g. skipped:Activity_Xray",
                param_hint="--allow",
            )
        fields = [None if v.strip() in ("", "*") else v.strip() for v in (kind, activity, unit)]
        try:
            rules.append(Allow(fields[0], fields[1], unit=fields[2], reason="--allow"))
        except ValueError as e:
            raise click.BadParameter(f"{spec!r}: {e}", param_hint="--allow") from e
    return rules


def _milestones(specs: tuple[str, ...]) -> dict[Any, str]:
    """``--milestone [UNIT@]DATE=LABEL`` as the ``milestones`` option."""
    from fvmprocess.trends import parse_milestone

    marks: dict[Any, str] = {}
    for spec in specs:
        try:
            key, label = parse_milestone(spec)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--milestone") from e
        marks[key] = label
    return marks


def _analysis_options(extra: dict[str, Any]) -> dict[str, Any]:
    """The check options of ``--period``, ``--milestone``, ``--causes`` and ``--practice``."""
    attributes = tuple(extra.get("cause_attribute", ()))
    return {
        "period": extra.get("period"),
        "milestones": _milestones(tuple(extra.get("milestone", ()))),
        "causes": bool(extra.get("causes")),
        "cause_attributes": attributes or None,
        "cause_exclude": tuple(extra.get("cause_exclude", ())),
        "practice": bool(extra.get("practice")),
    }


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
    return _resolve(process)


def _cli_mapping(mapping: str | None, unmapped: str | None, target: Any) -> Any:
    """The ``--mapping`` file (if any) with ``--unmapped`` applied, checked against ``target``."""
    import dataclasses

    from fvmprocess.conformance.check import check_mapping
    from fvmprocess.eventlog import ActivityMapping

    loaded = ActivityMapping.load(mapping) if mapping else None
    if unmapped is not None:
        policy: Literal["keep", "ignore"] = "ignore" if unmapped == "ignore" else "keep"
        loaded = dataclasses.replace(loaded or ActivityMapping(), unmapped=policy)
    return check_mapping(loaded, target) if loaded is not None else None


def _run_check(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    strict: bool,
    processes: int,
    quiet: bool = False,
    budget: dict[str, Any] | None = None,
) -> Any:
    """Read the log (row summary on stderr), check it, then name its unmatched activities.

    The process and the mapping's targets are checked before the log is read; the options
    of :func:`_log_options` that have no parameter are read from the click context.
    """
    if not process or not log_path:
        raise click.UsageError("--process and --log are required (or give --result)")
    import logging

    from fvmprocess.conformance import check
    from fvmprocess.eventlog import read_log

    # the library logs its warnings; the command line prints its own (_echo_findings)
    logging.getLogger("fvmprocess").addHandler(logging.NullHandler())
    extra = click.get_current_context().meta.get(_CHECK_META, {})
    rules = _allow_rules(tuple(extra.get("allow", ())))
    analyses = _analysis_options(extra)
    target = _load_process(process)  # a bad process file fails before the log is read
    activity_mapping = _cli_mapping(mapping, extra.get("unmapped"), target)
    read_kw: dict[str, Any] = {"duplicates": extra.get("duplicates", "keep")}
    if extra.get("timezone"):
        read_kw["timezone"] = extra["timezone"]
    if extra.get("encoding"):
        read_kw["encoding"] = extra["encoding"]
    try:
        log = read_log(
            log_path, schema=_schema(cols), mapping=activity_mapping, strict=strict, **read_kw
        )
    except ValueError as e:  # an unknown --timezone
        from fvmprocess.errors import FvmProcessError

        if isinstance(e, FvmProcessError):
            raise
        hint = "--encoding" if "encoding" in str(e) else "--timezone"
        raise click.BadParameter(str(e), param_hint=hint) from e
    _echo_rows(log_path, log.accounting)
    result = _check_with_progress(
        check,
        target,
        log,
        quiet=quiet,
        processes=processes,
        allow=rules,
        unit_assignment=extra.get("unit_assignment", "first"),
        min_match_share=extra.get("min_match_share", 0.5),
        strict=strict,
        **analyses,
        **(budget or {}),
    )
    _echo_findings(result)
    return result


def _echo_rows(log_path: str, acc: Any) -> None:
    """The log's one-line row summary on stderr."""
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(acc.reasons.items()))
    click.echo(
        f"{log_path}: {acc.rows_read} rows read, {acc.rows_used} used, {acc.rows_rejected} "
        f"rejected{(' (' + reasons + ')') if reasons else ''}",
        err=True,
    )


def _check_with_progress(check: Any, target: Any, log: Any, *, quiet: bool, **kw: Any) -> Any:
    """``check(target, log, **kw)`` with a progress bar and ETA on stderr when it is a
    terminal (variants done / total, search states explored); nothing otherwise."""
    if quiet or not sys.stderr.isatty():  # no bar: rich.progress is not even imported
        return check(target, log, **kw)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[states]} states"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("aligning variants", total=None, states=0)

        def progress(done: int, total: int, states: int = 0) -> None:
            bar.update(task, completed=done, total=total, states=f"{states:,}")

        return check(target, log, progress=progress, **kw)


def _exactness_line(summary: Mapping[str, Any]) -> str | None:
    """``alignments: …`` — how many cases are exact, how many bounded and by how much."""
    share, bounded = summary.get("exact_share"), summary.get("bounded_cases")
    if share is None or bounded is None:
        return None
    if not bounded:
        return f"alignments: all {summary['cases']} cases exact (optimal costs)"
    return (
        f"alignments: {100 * share:.1f} % of cases exact; {bounded} bounded (a budget ran "
        f"out: cost is an upper bound, gap to the proven lower bound mean "
        f"{summary['gap_mean']:g}, max {summary['gap_max']:g}; --variant-seconds, --memory)"
    )


def _echo_findings(result: Any) -> None:
    """On stderr: a loud warning when few events match, multi-unit cases, and the most
    frequent activities that are not the process's, with their event counts."""
    acc = result.accounting
    warnings = acc.warnings
    if "low_match_share" in warnings and acc.rows_used:
        matched = acc.rows_used - warnings["low_match_share"]
        click.echo(
            f"fvmprocess: WARNING: only {100 * matched / acc.rows_used:.1f} % of the events "
            f"({matched} of {acc.rows_used}) are activities of {result.process.id}, fewer "
            "than --min-match-share; map the others with --mapping (see --help)",
            err=True,
        )
    if "multi_unit_cases" in warnings:
        episodes = warnings.get("unit_episodes")
        split = f", split into {episodes} unit episodes" if episodes else ""
        click.echo(
            f"fvmprocess: warning: {warnings['multi_unit_cases']} cases name several units"
            f"{split} (--unit-assignment)",
            err=True,
        )
    if result.unmapped:
        from fvmprocess._shared.privacy import redact

        top = sorted(result.unmapped.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{redact(a)} ({n})" for a, n in top[:10])
        more = f" and {len(top) - 10} more" if len(top) > 10 else ""
        click.echo(f"unmapped activities (events): {shown}{more}", err=True)


def _summary_table(result: Any) -> None:
    from rich.table import Table

    s = result.summary()
    t = Table(
        title=f"{result.process.id}: {s['cases']} cases, {s['variants']} variants",
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
    line = _exactness_line(s)
    if line:
        click.echo(line)


def _check_on_spark(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    output: str,
) -> None:
    """``check --engine spark``: read, check and write the result folder on Spark."""
    if not process or not log_path:
        raise click.UsageError("--process and --log are required")
    from fvmprocess.conformance.check import check_spark

    target = _load_process(process)
    extra = click.get_current_context().meta.get(_CHECK_META, {})
    checked = _cli_mapping(mapping, extra.get("unmapped"), target)
    result = check_spark(target, log_path, schema=_schema(cols), mapping=checked)
    acc = result.accounting
    reasons = ", ".join(f"{k} {v}" for k, v in acc.reasons.items())
    click.echo(
        f"{log_path}: {acc.rows_read} rows read, {acc.rows_used} used, {acc.rows_rejected} "
        f"rejected{(' (' + reasons + ')') if reasons else ''}",
        err=True,
    )
    click.echo(f"wrote {result.write(output)}/")


@main.command("check")
@_log_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="RESULT.json (one file), or a folder (DIR/ or an existing folder): one Parquet file "
    "per table and summary.json.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary table.")
@click.option(
    "--memory",
    default="2GiB",
    show_default=True,
    help="Memory budget of the alignments (shared by --processes): beyond it no "
    "reachability graph is built and traces are aligned on the fly.",
)
@click.option(
    "--variant-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="CPU seconds per distinct variant; when they run out the variant gets a valid "
    "alignment with a proven lower bound (flagged exact=false).",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Wall seconds for all alignments; once spent, the remaining variants get a "
    "minimal budget (flagged) [default: none].",
)
@click.option(
    "--engine",
    type=click.Choice(["embedded", "spark"]),
    default="embedded",
    show_default=True,
    help="spark: read and check on Apache Spark (FVM_SPARK_MASTER, default local[2]); --log "
    "may be a glob ('exports/*.csv', 'DIR/*/*.parquet'); -o is a folder written by Spark.",
)
def check_cmd(
    process: str | None,
    log_path: str | None,
    cols: tuple[str, ...],
    mapping: str | None,
    strict: bool,
    processes: int,
    output: str,
    quiet: bool,
    memory: str,
    variant_seconds: float,
    time_budget: float | None,
    engine: str,
) -> None:
    """Check a unit event log against a standard process; write the result (JSON or Parquet).

    Alignments run within --memory and --variant-seconds (and --time-budget): every case is
    costed, and cases whose optimum was not proven are flagged with a lower bound. Ctrl-C
    stops cleanly (exit code 130, nothing written).
    """
    with _errors(), _interruptible():
        if engine == "spark":
            _check_on_spark(process, log_path, cols, mapping, output)
            return
        try:
            from fvmprocess.conformance.options import parse_bytes

            budget: dict[str, Any] = {"memory": parse_bytes(memory)}
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--memory") from e
        budget.update(variant_seconds=variant_seconds, time_budget=time_budget)
        result = _run_check(
            process, log_path, cols, mapping, strict, processes, quiet, budget=budget
        )
        written = result.write(output)
        if not quiet:
            _summary_table(result)
        click.echo(f"wrote {written}{'/' if written.is_dir() else ''}")


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C: a clear message and exit code 130, no traceback (workers are stopped by the
    aligner)."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("fvmprocess: interrupted (Ctrl-C); stopped, nothing written", err=True)
        sys.exit(130)


@main.command()
@_log_options
@click.option(
    "--result",
    "result_path",
    type=click.Path(exists=True),
    help="Use a saved result (RESULT.json or its folder) instead of --process/--log; a "
    "catalogue process's model is found again by its id (--process overrides).",
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
@click.option(
    "--units",
    "units_choice",
    metavar="N|NAME,NAME…",
    help="Units shown in full (diagrams; the rows a PDF prints): N best and N worst, or names "
    "[default: all up to 12 units, else 5 + 5].",
)
@click.option("--title", help="The document's title [default: the process name, else file name].")
@click.option(
    "--layout",
    type=click.Choice(["auto", "di"]),
    default=None,
    help="Diagrams: auto lays the model out anew; di draws the file's layout as it is "
    "[default: the file's layout unless it is missing or unreadable].",
)
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
    units_choice: str | None,
    title: str | None,
    layout: str | None,
) -> None:
    """Write a comparison report (HTML, PDF or Markdown) for a log or a saved result."""
    with _errors():
        from fvmprocess.report import render_report

        if result_path:
            from fvmprocess.conformance import ConformanceResult

            result = ConformanceResult.load(result_path, find_model=not process, catalog=_catalog())
            if process:
                result = _attach_model(result, _load_model(process))
        else:
            result = _run_check(process, log_path, cols, mapping, strict, processes, True)
        kw: dict[str, Any] = {
            "lang": lang,
            "template_dir": template_dir,
            "title": title,
            "layout": layout,
        }
        if no_date:
            kw["generated"] = False
        if units_choice:
            kw["units"] = (
                int(units_choice)
                if units_choice.strip().isdigit()
                else [u.strip() for u in units_choice.split(",") if u.strip()]
            )
        try:
            out = render_report(result, output, **kw)
        except ValueError as e:
            from fvmprocess.errors import FvmProcessError

            if isinstance(e, FvmProcessError) or "units" not in str(e):
                raise
            raise click.BadParameter(str(e), param_hint="--units") from e
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
        frame = simulate_log(_load_process(process), cases=cases, units=rates or None, seed=seed)
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
