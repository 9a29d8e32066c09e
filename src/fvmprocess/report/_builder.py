"""Build the comparison documents (HTML, PDF, Markdown) from a conformance result."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess.errors import RenderError
from fvmprocess.overlay import deviation_overlay, fmt_count, fmt_share
from fvmprocess.report._charts import BarRow, StripRow, ranking_chart, time_limit_chart
from fvmprocess._shared.privacy import redact, redact_deep, scan
from fvmprocess.report._text import KIND_LABELS, LABELS, MOVE_LABELS

if TYPE_CHECKING:
    import jinja2

    from fvmprocess.conformance import ConformanceResult

__all__ = ["ReportBuilder", "ReportOptions", "render_report"]

Format = Literal["html", "pdf", "md"]
Lang = Literal["sv", "en"]
_FORMATS: dict[str, Format] = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md"}
_TEMPLATES = Path(__file__).parent / "templates"
_DEV_KINDS = ("skipped", "inserted", "moved", "repeated", "unknown_activity", "late")
_HEAT = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c")


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Settings of a comparison document.

    Attributes:
        lang: ``"sv"`` (default) or ``"en"`` for every fixed text.
        template_dir: a directory whose templates override the package's (same file names).
        generated: the generation time shown in the header; None means now, False omits it
            (for byte-identical documents).
        top_variants: how many of the most frequent variants are shown move by move.
        max_pairs: most unit pairs in *unit vs unit*; with more units only pairs of
            neighbouring ranks are shown.
        min_case_id_length: case identifiers at least this long are searched for in the
            output (shorter ones such as ``"a"`` would match ordinary text).
    """

    lang: Lang = "sv"
    template_dir: str | Path | None = None
    generated: datetime | Literal[False] | None = None
    top_variants: int = 10
    max_pairs: int = 45
    min_case_id_length: int = 4

    def __post_init__(self) -> None:
        if self.lang not in ("sv", "en"):
            raise ValueError(f"lang is {self.lang!r}; expected 'sv' or 'en'")
        if self.top_variants < 1 or self.max_pairs < 0:
            raise ValueError("top_variants must be ≥ 1 and max_pairs ≥ 0")


def _num(v: float | None, lang: str, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{v:.{digits}f}"
    return s.replace(".", ",") if lang == "sv" else s


def _interval(lo: float | None, hi: float | None, lang: str) -> str:
    if lo is None or hi is None or lo != lo or hi != hi:
        return "–"
    return f"{fmt_share(lo, lang)} – {fmt_share(hi, lang)}"


def _duration(seconds: float | None, t: Mapping[str, str], lang: str) -> str:
    if seconds is None or seconds != seconds:
        return "–"
    if seconds >= 2 * 86400:
        return f"{_num(seconds / 86400, lang, 1)} {t['days']}"
    if seconds >= 2 * 3600:
        return f"{_num(seconds / 3600, lang, 1)} {t['hours']}"
    return f"{_num(seconds / 60, lang, 0)} {t['minutes']}"


def _strip_xml(svg: str) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


class ReportBuilder:
    """Builds the documents of one result; :func:`render_report` is the short path.

    Example:
        >>> b = ReportBuilder(result, ReportOptions(lang="en", generated=False))  # doctest: +SKIP
        >>> html = b.html()  # doctest: +SKIP
    """

    def __init__(self, result: ConformanceResult, options: ReportOptions | None = None) -> None:
        self.result = result
        self.options = options or ReportOptions()
        self._context: dict[str, Any] | None = None
        self._diagrams: dict[str, str] = {}

    # -- environment ----------------------------------------------------------------------
    def environment(self) -> jinja2.Environment:
        """The Jinja2 environment: the user's template directory first, then the package's."""
        import jinja2

        loaders: list[jinja2.BaseLoader] = []
        if self.options.template_dir is not None:
            d = Path(self.options.template_dir)
            if not d.is_dir():
                raise RenderError("the template directory does not exist", source=str(d))
            loaders.append(jinja2.FileSystemLoader(str(d)))
        loaders.append(jinja2.FileSystemLoader(str(_TEMPLATES)))
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=lambda name: name is not None and not name.endswith(".md.j2"),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["cell"] = _md_cell
        return env

    # -- diagrams -------------------------------------------------------------------------
    def diagram(self, unit: str | None = None) -> str | None:
        """The standard diagram as SVG (without the XML declaration), with all units' or one
        unit's deviations, or None when the result has no model."""
        key = "*" if unit is None else unit
        if key in self._diagrams:
            return self._diagrams[key]
        model = self.result.model
        if model is None:
            return None
        from fvmprocess.bpmn.draw import to_svg

        lang = self.options.lang
        ov = deviation_overlay(self.result, unit=unit, lang=lang, redact=self._red)
        svg = redact(_strip_xml(to_svg(model, overlay=ov)), lang)
        self._diagrams[key] = svg
        return svg

    def _red(self, s: str) -> str:
        return redact(s, self.options.lang)

    # -- context --------------------------------------------------------------------------
    def context(self) -> dict[str, Any]:
        """Everything the templates see, already redacted and formatted."""
        if self._context is not None:
            return self._context
        import polars as pl
        from markupsafe import Markup

        r = self.result
        lang = self.options.lang
        t = LABELS[lang]
        kinds = KIND_LABELS[lang]
        names = {aid: (n.get(lang) or n.get("sv") or aid) for aid, n in r.activity_names.items()}

        def aname(a: str | None) -> str:
            return "–" if a is None else names.get(a, a)

        s = r.summary()
        units = r.units.sort(["rank", "unit"], nulls_last=True)
        unit_names = [str(u) for u in units["unit"].to_list()]
        unit_rows = []
        bars = []
        for i, ur in enumerate(units.iter_rows(named=True)):
            label = self._red(str(ur["unit"]))
            unit_rows.append(
                {
                    "anchor": f"enhet-{i + 1}",
                    "rank": ur["rank"],
                    "unit": label,
                    "cases": fmt_count(ur["cases"]),
                    "conforming": fmt_count(ur["conforming"]),
                    "conforming_share": fmt_share(ur["conforming_share"], lang),
                    "conforming_interval": _interval(
                        ur["conforming_share_low"], ur["conforming_share_high"], lang
                    ),
                    "mean_fitness": _num(ur["mean_fitness"], lang),
                    "fitness_interval": f"{_num(ur['mean_fitness_low'], lang)} – "
                    f"{_num(ur['mean_fitness_high'], lang)}",
                    "deviations": fmt_count(ur["deviations"]),
                    "time_limit_compliance": fmt_share(ur.get("time_limit_compliance"), lang),
                }
            )
            bars.append(
                BarRow(
                    label,
                    ur["conforming_share"],
                    ur["conforming_share_low"],
                    ur["conforming_share_high"],
                    f"{fmt_share(ur['conforming_share'], lang)} (n={fmt_count(ur['cases'])})",
                )
            )
        anchors = {u: row["anchor"] for u, row in zip(unit_names, unit_rows, strict=True)}
        # heatmap ------------------------------------------------------------------------
        acts_df = r.activities
        in_model = (
            acts_df.filter(pl.col("in_model"))["activity"].unique().sort().to_list()
            if "in_model" in acts_df.columns
            else sorted(acts_df["activity"].unique().to_list())
        )
        outside = sorted(set(acts_df["activity"].unique().to_list()) - set(in_model))
        order = self._activity_order(in_model) + outside
        acts_by = {(row["unit"], row["activity"]): row for row in acts_df.iter_rows(named=True)}
        heat_rows = []
        for un in ["*", *unit_names]:
            cells = []
            for a in order:
                row = acts_by.get((un, a))
                n_cases = int(row["cases"]) if row else 0
                k = sum(int(row.get(kd) or 0) for kd in _DEV_KINDS) if row else 0
                rate = k / n_cases if n_cases else 0.0
                level = min(len(_HEAT) - 1, int(rate * 2 * (len(_HEAT) - 1) + 0.5))
                cells.append(
                    {
                        "text": "0" if k == 0 else ("<5" if k < 5 else fmt_share(rate, lang, 0)),
                        "colour": _HEAT[level],
                        "dark": level >= 5,
                        "title": ", ".join(
                            f"{kinds[kd]} {fmt_count(int(row.get(kd) or 0))}"
                            for kd in _DEV_KINDS
                            if row and row.get(kd)
                        ),
                    }
                )
            heat_rows.append(
                {"unit": t["all_units"] if un == "*" else self._red(un), "cells": cells}
            )
        # unit sections and pairs ---------------------------------------------------------
        counts = r.cases.group_by("unit", "variant").len().sort(["unit", "variant"]).iter_rows()
        per_unit_var: dict[str, dict[int, int]] = {}
        for u, v, n in counts:
            per_unit_var.setdefault(str(u), {})[int(v)] = int(n)
        var_acts = {
            int(row["variant"]): [aname(a) for a in row["activities"] or []]
            for row in r.variants.iter_rows(named=True)
        }
        unit_secs = []
        for un, urow in zip(unit_names, unit_rows, strict=True):
            unit_secs.append({**urow, "svg": Markup(self.diagram(un) or "")})
        pairs_src = list(itertools.combinations(unit_names, 2))
        if len(pairs_src) > self.options.max_pairs:
            pairs_src = list(itertools.pairwise(unit_names))[: self.options.max_pairs]
        pairs = []
        for i, (a, b) in enumerate(pairs_src):
            pairs.append(
                {
                    "id": f"par-{i + 1}",
                    "a": unit_secs[unit_names.index(a)],
                    "b": unit_secs[unit_names.index(b)],
                    "diffs": self._variant_diffs(
                        per_unit_var.get(a, {}), per_unit_var.get(b, {}), var_acts
                    ),
                }
            )
        # time limits ------------------------------------------------------------------
        limits: list[dict[str, Any]] = []
        tl = r.time_limits
        if tl.height:
            for lim_id in sorted(set(tl["limit"].to_list())):
                rows = tl.filter(pl.col("limit") == lim_id)
                first = rows.row(0, named=True)
                max_s = float(first["max_seconds"])
                unit_s = 86400.0 if max_s >= 2 * 86400 else 3600.0 if max_s >= 7200 else 60.0
                unit_label = (
                    t["days"] if unit_s == 86400 else t["hours"] if unit_s == 3600 else t["minutes"]
                )
                by_unit = {row["unit"]: row for row in rows.iter_rows(named=True)}
                table = []
                strips = []
                for un in ["*", *unit_names]:
                    row = by_unit.get(un)
                    if row is None:
                        continue
                    label = t["all_units"] if un == "*" else self._red(un)
                    ev = int(row["evaluated"] or 0)
                    table.append(
                        {
                            "unit": label,
                            "evaluated": fmt_count(ev),
                            "within": fmt_count(row["within"]),
                            "share": fmt_share(row["share"], lang),
                            "interval": _interval(row["share_low"], row["share_high"], lang),
                            "median": _duration(row["median_s"], t, lang),
                            "meets": "–"
                            if row["meets_target"] is None
                            else t["yes"]
                            if row["meets_target"]
                            else t["no"],
                        }
                    )
                    strips.append(
                        StripRow(
                            label,
                            list(row.get("durations_s") or []),
                            f"{fmt_share(row['share'], lang)} (n={fmt_count(ev)})",
                            note=f"n {fmt_count(ev)}" if ev < 5 else None,
                        )
                    )
                target = first.get("target_share")
                limit_label = f"{t['limit_line']} {_duration(max_s, t, lang)}" + (
                    f", {t['target'].lower()} {fmt_share(target, lang, 0)}"
                    if target is not None
                    else ""
                )
                frm = first.get("from_activity")
                limits.append(
                    {
                        "id": lim_id,
                        "anchor": f"grans-{len(limits) + 1}",
                        "from": t["case_start"] if frm is None else aname(frm),
                        "to": aname(first.get("to_activity")),
                        "max": _duration(max_s, t, lang),
                        "target": fmt_share(target, lang, 0) if target is not None else "–",
                        "rows": table,
                        "svg": Markup(
                            self._red(
                                time_limit_chart(
                                    [
                                        StripRow(self._red(x.label), x.durations, x.text, x.note)
                                        for x in strips
                                    ],
                                    limit_s=max_s,
                                    unit_s=unit_s,
                                    unit_label=unit_label,
                                    limit_label=limit_label,
                                    title=f"{t['limit']} {lim_id}",
                                )
                            )
                        ),
                    }
                )
        # variants ---------------------------------------------------------------------
        total = r.cases.height
        top = r.variants.sort(["cases", "variant"], descending=[True, False]).head(
            self.options.top_variants
        )
        variants = []
        for i, row in enumerate(top.iter_rows(named=True)):
            moves = []
            for m in row["moves"] or []:
                kind = m["kind"]
                act = m["log"] if kind in ("sync", "log") else m["model"]
                moves.append(
                    {
                        "kind": kind,
                        "label": aname(act),
                        "sign": {"sync": "✓", "log": "+", "model": "−"}.get(kind, "?"),
                        "title": MOVE_LABELS[lang].get(kind, kind),
                    }
                )
            variants.append(
                {
                    "rank": i + 1,
                    "cases": fmt_count(row["cases"]),
                    "share": fmt_share(row["cases"] / total if total else None, lang),
                    "fitness": _num(row["fitness"], lang),
                    "moves": moves,
                }
            )
        # accounting -------------------------------------------------------------------
        acc = r.accounting or {}
        reasons = sorted((acc.get("reasons") or {}).items())
        warnings = sorted((acc.get("warnings") or {}).items())
        ctx: dict[str, Any] = {
            "lang": lang,
            "t": t,
            "kinds": kinds,
            "moves_legend": MOVE_LABELS[lang],
            "process": {
                "name": self._red(
                    str(
                        r.process.get(f"name_{lang}")
                        or r.process.get("name_sv")
                        or r.process.get("id")
                        or "–"
                    )
                ),
                "id": self._red(str(r.process.get("id") or "–")),
                "version": self._red(str(r.process.get("version") or "–")),
            },
            "period": " – ".join(str(p)[:10] for p in r.log_period if p) or "–",
            "generated": self._generated(),
            "summary": {
                "cases": fmt_count(s["cases"]),
                "units": str(s["units"]),
                "variants": str(s["variants"]),
                "conforming": fmt_count(s["conforming"]),
                "conforming_share": fmt_share(s["conforming_share"], lang),
                "mean_fitness": _num(s["mean_fitness"], lang),
                "deviations": [
                    {"kind": kinds.get(k, k), "count": fmt_count(v)}
                    for k, v in sorted(s["deviations"].items())
                ],
            },
            "units": unit_rows,
            "anchors": anchors,
            "ranking_svg": Markup(ranking_chart(bars, title=t["ranking"])) if bars else "",
            "heat_columns": [aname(a) for a in order],
            "heat_outside": len(outside),
            "heat_rows": heat_rows,
            "standard_svg": Markup(self.diagram(None) or ""),
            "unit_sections": unit_secs,
            "pairs": pairs,
            "limits": limits,
            "variants": variants,
            "accounting": {
                "rows_read": fmt_count(acc.get("rows_read")),
                "rows_used": fmt_count(acc.get("rows_used")),
                "rows_rejected": fmt_count(acc.get("rows_rejected")),
                "reasons": [{"reason": k, "count": fmt_count(v)} for k, v in reasons],
                "warnings": [{"reason": k, "count": fmt_count(v)} for k, v in warnings],
            },
            "unmapped": [
                {"activity": k, "count": fmt_count(v)} for k, v in sorted(r.unmapped.items())
            ],
        }
        self._context = _redact_context(ctx, lang)
        return self._context

    def _activity_order(self, acts: Sequence[str]) -> list[str]:
        """Model activities left to right by their diagram position (then by id)."""
        model = self.result.model
        if model is None or not model.diagrams:
            return list(acts)
        pos: dict[str, tuple[float, float]] = {}
        for sh in model.diagrams[0].shapes:
            pos[sh.element] = (sh.bounds.x, sh.bounds.y)
        return sorted(acts, key=lambda a: (*pos.get(a, (math.inf, math.inf)), a))

    def _variant_diffs(
        self, a: Mapping[int, int], b: Mapping[int, int], acts: Mapping[int, list[str]]
    ) -> list[dict[str, str]]:
        """Variants with ≥ 10 % of one unit's cases and at most half that share in the other."""
        lang = self.options.lang
        na, nb = sum(a.values()), sum(b.values())
        out = []
        for v in sorted(set(a) | set(b)):
            sa = a.get(v, 0) / na if na else 0.0
            sb = b.get(v, 0) / nb if nb else 0.0
            hi, lo = max(sa, sb), min(sa, sb)
            if hi >= 0.10 and lo <= hi / 2:
                out.append(
                    (
                        -(hi - lo),
                        v,
                        {
                            "variant": " → ".join(acts.get(v, [])),
                            "a": f"{fmt_share(sa, lang)} ({fmt_count(a.get(v, 0))})",
                            "b": f"{fmt_share(sb, lang)} ({fmt_count(b.get(v, 0))})",
                        },
                    )
                )
        out.sort(key=lambda x: (x[0], x[1]))
        return [d for _, _, d in out[:8]]

    def _generated(self) -> str | None:
        g = self.options.generated
        if g is False:
            return None
        when = g if isinstance(g, datetime) else datetime.now().astimezone()
        return when.strftime("%Y-%m-%d %H:%M")

    # -- documents ------------------------------------------------------------------------
    def _forbidden(self) -> list[str]:
        n = self.options.min_case_id_length
        return sorted({str(c) for c in self.result.cases["case"].to_list() if len(str(c)) >= n})

    def _check(self, text: str, source: str) -> str:
        scan(text, self._forbidden(), source=source)
        return text

    def html(self) -> str:
        """The self-contained HTML document (screen and print stylesheets, tiny script)."""
        text = self.environment().get_template("report.html.j2").render(**self.context())
        return self._check(text, "report.html")

    def markdown(self, files_dir: str) -> tuple[str, dict[str, str]]:
        """The Markdown document and its SVG files (name -> SVG text) for ``files_dir``."""
        ctx = self.context()
        files: dict[str, str] = {}
        if ctx["standard_svg"]:
            files["standard.svg"] = str(ctx["standard_svg"])
        for u in ctx["unit_sections"]:
            if u["svg"]:
                files[f"{u['anchor']}.svg"] = str(u["svg"])
        if ctx["ranking_svg"]:
            files["ranking.svg"] = str(ctx["ranking_svg"])
        for lim in ctx["limits"]:
            files[f"{lim['anchor']}.svg"] = str(lim["svg"])
        text = (
            self.environment()
            .get_template("report.md.j2")
            .render(**ctx, files_dir=files_dir, files=files)
        )
        self._check(text, "report.md")
        for name, svg in files.items():
            self._check(svg, name)
        return text, files

    def pdf(self) -> bytes:
        """The PDF (A4, running header, "Sida N av M"), rendered by weasyprint from the HTML."""
        html = self.html()
        try:
            import weasyprint
        except ImportError as e:  # pragma: no cover - weasyprint is a dependency
            raise RenderError("PDF output needs weasyprint") from e
        try:
            data: bytes = weasyprint.HTML(string=html).write_pdf()
        except Exception as e:  # weasyprint raises assorted errors
            raise RenderError(f"weasyprint could not render the PDF: {e}") from e
        return data

    def write(self, path: str | Path, format: Format | None = None) -> Path:
        """Write the document; the format defaults to the suffix (.html, .pdf, .md)."""
        out = Path(path)
        fmt = format or _FORMATS.get(out.suffix.lower())
        if fmt not in ("html", "pdf", "md"):
            raise RenderError(
                f"cannot tell the format from the suffix {out.suffix or '(none)'!r}; "
                "expected .html, .pdf or .md, or pass format=",
                source=str(out),
            )
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "html":
                out.write_text(self.html(), encoding="utf-8")
            elif fmt == "pdf":
                out.write_bytes(self.pdf())
            else:
                files_dir = f"{out.stem}_files"
                text, files = self.markdown(files_dir)
                d = out.parent / files_dir
                d.mkdir(parents=True, exist_ok=True)
                for name, svg in sorted(files.items()):
                    (d / name).write_text(svg, encoding="utf-8")
                out.write_text(text, encoding="utf-8")
        except OSError as e:
            raise RenderError(f"cannot write the document ({e.strerror})", source=str(out)) from e
        return out


def _redact_context(value: Any, lang: str) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(redact(str(value), lang))
    if isinstance(value, dict):
        return {k: _redact_context(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_context(v, lang) for v in value]
    if isinstance(value, str):
        return redact(value, lang)
    return redact_deep(value, lang)


def _md_cell(value: Any) -> str:
    s = str(value).replace("\n", " ").replace("|", "\\|")
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", s)


def render_report(
    result: ConformanceResult,
    path: str | Path,
    *,
    format: Format | None = None,
    lang: Lang = "sv",
    template_dir: str | Path | None = None,
    generated: datetime | Literal[False] | None = None,
) -> Path:
    """Write a comparison document (HTML, PDF or Markdown) for a conformance result.

    The HTML is one self-contained file (inline SVG and CSS, no external URL); the PDF is
    the same HTML printed on A4 with a running header and page numbers; Markdown is written
    with its diagrams as SVG files in ``<stem>_files/``. No case identifiers are written,
    counts below 5 are shown as ``<5`` and anything that looks like a personnummer or
    samordningsnummer is replaced; a final scan refuses to write a document that still
    contains one.

    Args:
        result: from :func:`fvmprocess.conformance.check` (or ``ConformanceResult.from_json``;
            without a model the diagrams are left out).
        path: the output file.
        format: ``"html"``, ``"pdf"`` or ``"md"``; default from the suffix.
        lang: ``"sv"`` (default) or ``"en"``.
        template_dir: templates that override the package's (e.g. a region's header).
        generated: the generation time to print; None for now, False to omit it (then the
            same result gives the same bytes).

    Returns:
        The path written.

    Raises:
        RenderError: unknown format, a template or weasyprint error, the privacy scan found
            an identity number, or the file cannot be written.
        ValueError: an unknown ``lang``.

    Example:
        >>> render_report(result, "akut.html", generated=False)  # doctest: +SKIP
        PosixPath('akut.html')
    """
    opts = ReportOptions(lang=lang, template_dir=template_dir, generated=generated)
    return ReportBuilder(result, opts).write(path, format)
