"""Comparison documents: HTML, PDF and Markdown reports and workshop diagrams.

Example:
    >>> from fvmprocess.report import render_report  # doctest: +SKIP
    >>> render_report(result, "akutmottagning.html")  # doctest: +SKIP
"""

from __future__ import annotations

from fvmprocess.report._builder import ReportBuilder, ReportOptions, render_report
from fvmprocess.report._diagram import render_diagram
from fvmprocess._shared.privacy import redact

__all__ = ["ReportBuilder", "ReportOptions", "redact", "render_diagram", "render_report"]
