"""Build the comparison documents (HTML, PDF, Markdown) from a conformance result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.optional import import_optional
from fvmprocess._shared.privacy import redact, scan
from fvmprocess.errors import RenderError
from fvmprocess.render.options import DrawOptions, LayoutMode
from fvmprocess.render.overlay import deviation_overlay
from fvmprocess.report._context import ContextOptions, ReportContext, build_context
from fvmprocess.report._format import hyphenated
from fvmprocess.report._paged import HEAT_COLUMNS, print_heading, print_parts
from fvmprocess.report._sections import UnitChoice

if TYPE_CHECKING:
    import jinja2

    from fvmprocess.conformance import ConformanceResult

__all__ = ["ReportBuilder", "ReportOptions", "render_report"]

Format = Literal["html", "pdf", "md"]
_FORMATS: dict[str, Format] = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md"}
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Settings of a comparison document.

    Attributes:
        lang: ``"sv"`` (default) or ``"en"`` for every fixed text.
        template_dir: a directory whose templates override the package's (same file names).
        generated: the generation time shown in the header; None means now, False omits it
            (for byte-identical documents).
        top_variants: how many of the most frequent variants are shown move by move.
        units: the units shown in full — with their diagrams, and the rows a PDF prints of
            the heatmap and time-limit tables: unit names, ``N`` for the N best and N worst
            ranked, or None (all of up to 12 units, else the 5 best and the 5 worst). Every
            unit stays in the ranking, the heatmap and *unit vs unit*.
        title: the document's title (None: the process name, else the model's file name).
        pair_variants: how many of the most frequent variants *unit vs unit* compares.
        min_case_id_length: case identifiers at least this long are searched for in the
            output (shorter ones such as ``"a"`` would match ordinary text).
        layout: how the diagrams are laid out: ``"auto"`` anew, ``"di"`` the file's layout
            as it is, None (default) the file's layout unless it is missing or unusable
            (:class:`~fvmprocess.render.options.DrawOptions`).
    """

    lang: Lang = "sv"
    template_dir: str | Path | None = None
    generated: datetime | Literal[False] | None = None
    top_variants: int = 10
    units: UnitChoice = None
    title: str | None = None
    pair_variants: int = 20
    min_case_id_length: int = 4
    layout: LayoutMode | None = None

    def __post_init__(self) -> None:
        if self.lang not in ("sv", "en"):
            raise ValueError(f"lang is {self.lang!r}; expected 'sv' or 'en'")
        if self.layout not in (None, "auto", "di"):
            raise ValueError(f"layout is {self.layout!r}; expected 'auto', 'di' or None")
        if self.top_variants < 1 or self.pair_variants < 1:
            raise ValueError("top_variants and pair_variants must be ≥ 1")
        if isinstance(self.units, int) and self.units < 0:
            raise ValueError(f"units is {self.units}; expected a number ≥ 0 or unit names")


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
        self._context: ReportContext | None = None
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
        env.filters["hyphenate"] = hyphenated
        env.filters["most_first"] = _most_first
        env.filters["print_heading"] = print_heading
        env.globals["heat_columns"] = HEAT_COLUMNS
        env.filters["print_parts"] = lambda svg: print_parts(str(svg), self.options.lang)
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
        from fvmprocess.render.svg import to_svg

        lang = self.options.lang
        view = self.result if unit is None else _unit_view(self.result, unit)
        ov = deviation_overlay(view, unit=unit, lang=lang, redact=self._red)
        opts = DrawOptions(lang=lang, layout=self.options.layout)
        svg = redact(_strip_xml(to_svg(model, overlay=ov, options=opts)), lang)
        self._diagrams[key] = svg
        return svg

    def _red(self, s: str) -> str:
        return redact(s, self.options.lang)

    # -- context --------------------------------------------------------------------------
    def context(self) -> ReportContext:
        """Everything the templates see, already redacted and formatted."""
        if self._context is None:
            opts = ContextOptions(
                lang=self.options.lang,
                generated=self._generated(),
                top_variants=self.options.top_variants,
                units=self.options.units,
                title=self.options.title,
                pair_variants=self.options.pair_variants,
            )
            self._context = build_context(self.result, opts, self.diagram)
        return self._context

    def _generated(self) -> str | None:
        g = self.options.generated
        if g is False:
            return None
        when = g if isinstance(g, datetime) else datetime.now().astimezone()
        return when.strftime("%Y-%m-%d %H:%M")

    # -- documents ------------------------------------------------------------------------
    def _forbidden(self) -> list[str]:
        n = self.options.min_case_id_length
        ids = self.result.cases["case"].cast(pl.String).drop_nulls().unique()
        return sorted(ids.filter(ids.str.len_chars() >= n).to_list())

    def _check(self, text: str, source: str) -> str:
        scan(text, _present(text, self._forbidden()), source=source)
        return text

    def html(self, *, for_print: bool = False) -> str:
        """The self-contained HTML document (screen and print stylesheets, tiny script).

        Args:
            for_print: the HTML the PDF is made from: diagrams also cut into page-sized parts
                with text of at least 6 pt, wide tables split into column groups
                (:mod:`~fvmprocess.report._paged`).
        """
        template = self.environment().get_template("report.html.j2")
        text = template.render(**self.context().template_vars(), for_print=for_print)
        return self._check(text, "report.html")

    def markdown(self, files_dir: str) -> tuple[str, dict[str, str]]:
        """The Markdown document and its SVG files (name -> SVG text) for ``files_dir``."""
        ctx = self.context()
        files = ctx.svg_files()
        text = (
            self.environment()
            .get_template("report.md.j2")
            .render(**ctx.template_vars(), files_dir=files_dir, files=files)
        )
        self._check(text, "report.md")
        for name, svg in files.items():
            self._check(svg, name)
        return text, files

    def pdf(self) -> bytes:
        """The PDF (A4, running header, "Sida N av M"), rendered by weasyprint from the HTML.

        Raises:
            ImportError: weasyprint is not installed (``pip install 'fvmprocess[render]'``).
            RenderError: weasyprint failed, or the privacy scan refused the HTML.
        """
        html = self.html(for_print=True)
        weasyprint = import_optional("weasyprint", extra="render", purpose="PDF reports")
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


def _unit_view(result: ConformanceResult, unit: str) -> ConformanceResult:
    """The result with only ``unit``'s cases, deviations and variants: the unit's overlay is
    the same, and it walks the unit's variants instead of the whole region's."""
    import dataclasses

    cases = result.cases.filter(pl.col("unit") == unit)
    variants = result.variants.filter(pl.col("variant").is_in(cases["variant"].unique()))
    deviations = result.deviations.filter(pl.col("unit") == unit)
    return dataclasses.replace(result, cases=cases, variants=variants, deviations=deviations)


#: Characters of the identifiers :func:`_present` finds through the text's words.
_WORD = re.compile(r"[\w.:/+#-]+")


def _present(text: str, ids: list[str]) -> list[str]:
    """The identifiers that occur in ``text`` (for the privacy scan of a large document).

    Searching the document once per identifier costs cases × document length; instead the
    distinct words of the document are collected once and each identifier is looked up among
    their substrings of its length. Identifiers with other characters are searched directly.
    """
    plain = [i for i in ids if _WORD.fullmatch(i)]
    found = [i for i in ids if not _WORD.fullmatch(i) and i in text]
    if not plain:
        return found
    wanted = set(plain)
    lengths = sorted({len(i) for i in plain})
    for word in set(_WORD.findall(text)):
        for n in lengths:
            if n > len(word):
                break
            for k in range(len(word) - n + 1):
                if word[k : k + n] in wanted:
                    found.append(word[k : k + n])
    return sorted(set(found))


def _most_first(rows: Any) -> list[Any]:
    """Rows with a ``count`` text, largest count first (``"<5"`` counts as 0; then by label),
    so a truncated list shows the most frequent."""

    def key(row: Any) -> tuple[int, str]:
        digits = str(row.count).replace(" ", "").replace("\u00a0", "")
        return (-int(digits) if digits.isdigit() else 0, str(row.label))

    return sorted(rows, key=key)


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
    units: UnitChoice = None,
    title: str | None = None,
    layout: LayoutMode | None = None,
) -> Path:
    """Write a comparison document (HTML, PDF or Markdown) for a conformance result.

    The HTML is one self-contained file (inline SVG and CSS, no external URL); the PDF is
    the same HTML printed on A4 with a running header and page numbers; Markdown is written
    with its diagrams as SVG files in ``<stem>_files/``. No case identifiers are written;
    counts below :data:`~fvmprocess._shared.privacy.MIN_CELL` are shown as ``<5``, and the
    shares, intervals, means and medians computed from such a count as ``×``
    (:func:`~fvmprocess._shared.privacy.is_suppressed`); anything that looks like a
    personnummer or samordningsnummer is replaced, and a final scan refuses to write a
    document that still contains one.

    Args:
        result: from :func:`fvmprocess.conformance.check` (or ``ConformanceResult.from_json``;
            without a model the diagrams are left out).
        path: the output file.
        format: ``"html"``, ``"pdf"`` or ``"md"``; default from the suffix.
        lang: ``"sv"`` (default) or ``"en"``.
        template_dir: templates that override the package's (e.g. a region's header).
        generated: the generation time to print; None for now, False to omit it (then the
            same result gives the same bytes).
        units: the units shown in full (:class:`ReportOptions`; the PDF prints these).
        title: the title (default: the process name, else the model's file name).
        layout: the diagrams' layout: ``"auto"`` anew, ``"di"`` the file's as it is, None
            the file's unless it is missing or unusable.

    Returns:
        The path written.

    Raises:
        RenderError: unknown format, a template or weasyprint error, the privacy scan found
            an identity number, or the file cannot be written.
        ValueError: an unknown ``lang``.
        ImportError: PDF output without weasyprint (the message names
            ``pip install 'fvmprocess[render]'``).

    Example:
        >>> render_report(result, "akut.html", generated=False)  # doctest: +SKIP
        PosixPath('akut.html')
    """
    opts = ReportOptions(
        lang=lang,
        template_dir=template_dir,
        generated=generated,
        units=units,
        title=title,
        layout=layout,
    )
    return ReportBuilder(result, opts).write(path, format)
