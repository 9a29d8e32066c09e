"""The public surface: every exported name resolves, and `import fvmprocess` stays light."""

from __future__ import annotations

import subprocess
import sys

import fvmprocess


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert fvmprocess.__all__ == sorted(fvmprocess.__all__)
    for name in fvmprocess.__all__:
        assert getattr(fvmprocess, name) is not None, name


def test_no_private_names_exported() -> None:
    assert not [n for n in fvmprocess.__all__ if n.startswith("_") and n != "__version__"]


def test_import_is_light() -> None:
    code = (
        "import sys, fvmprocess; "
        "heavy = [m for m in ('polars', 'lxml', 'pandas', 'pm4py', 'numpy', 'networkx', "
        "'pydantic', 'jinja2') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_errors_subclass_builtins() -> None:
    from fvmprocess.errors import BpmnError, CatalogError, FvmProcessError, LogError

    assert issubclass(BpmnError, ValueError) and issubclass(LogError, ValueError)
    assert issubclass(CatalogError, LookupError)
    e = LogError("missing column 'case'", source="a.csv", place="line 1")
    assert str(e) == "a.csv, line 1: missing column 'case'" and isinstance(e, FvmProcessError)
