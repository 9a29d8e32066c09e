"""The public surface: every exported name resolves, and `import fvmprocess` stays light."""

from __future__ import annotations

import subprocess
import sys

import fvmprocess


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert fvmprocess.__all__ == sorted(fvmprocess.__all__)
    for name in fvmprocess.__all__:
        assert getattr(fvmprocess, name) is not None, name


def test_front_door_is_small_and_complete() -> None:
    """At most 35 root names (issue 9), each lazily mapped, none defined twice."""
    assert len(fvmprocess.__all__) <= 35
    lazy = set(fvmprocess._LAZY)
    assert lazy | {"__version__"} == set(fvmprocess.__all__)
    # one way to draw: the drawing engine's names are not at the root
    assert not {"to_svg", "Overlay", "render", "auto_layout"} & set(fvmprocess.__all__)


def test_errors_have_stable_codes() -> None:
    from fvmprocess import errors

    codes = set(errors.ErrorCode.__args__)  # type: ignore[attr-defined]
    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.FvmProcessError):
            assert cls.default_code in codes, name
    e = errors.StateLimitError("too many", limit=10)
    assert e.code == "state_limit" and isinstance(e, errors.ConformanceError) and e.limit == 10
    assert errors.LogError("x", code="log_invalid").code == "log_invalid"


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
