"""Comparison documents: HTML, PDF and Markdown reports.

Example:
    >>> from fvmprocess.report import render_report  # doctest: +SKIP
    >>> render_report(result, "akutmottagning.html")  # doctest: +SKIP
"""

from __future__ import annotations

from fvmprocess._shared.privacy import redact
from fvmprocess.report._builder import ReportBuilder, ReportOptions, render_report
from fvmprocess.report._context import ReportContext

__all__ = ["ReportBuilder", "ReportContext", "ReportOptions", "redact", "render_report"]
