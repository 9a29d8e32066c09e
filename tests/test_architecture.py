"""The import rule of docs/architecture.md, read from the source with ``ast``.

Every module of ``src/fvmprocess`` belongs to one layer and imports only from layers below it
or from its own layer without a cycle. Imports inside functions count as much as those at the
top of a file (a lazy import is still a dependency), and so do ``TYPE_CHECKING`` imports. The
one exception: a notebook hook (``_repr_svg_``, ``_repr_html_``…) may import
``fvmprocess._notebook``, the module built to render data objects for Jupyter.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "fvmprocess"

#: (module or package prefix, layer); the longest matching prefix wins. Keep in step with the
#: table in docs/architecture.md.
LAYERS: dict[str, int] = {
    "fvmprocess.errors": 0,
    "fvmprocess._shared": 0,
    "fvmprocess.bpmn": 1,
    "fvmprocess.petri": 1,
    "fvmprocess.eventlog": 1,
    "fvmprocess.timelimit": 1,
    "fvmprocess.scoring": 1,
    "fvmprocess.catalog": 2,
    "fvmprocess.compile": 3,
    "fvmprocess.validate": 3,
    "fvmprocess.process": 4,
    "fvmprocess.conformance": 5,
    "fvmprocess.engines": 5,
    "fvmprocess.mining": 5,
    "fvmprocess.trends": 5,
    "fvmprocess.causes": 5,
    "fvmprocess.practice": 5,
    "fvmprocess.simulate": 6,
    "fvmprocess.render": 6,
    "fvmprocess.report": 7,
    "fvmprocess._notebook": 7,
    "fvmprocess.cli": 8,
    "fvmprocess.demo": 8,
    "fvmprocess.__main__": 8,
    "fvmprocess": 9,
}
NOTEBOOK = "fvmprocess._notebook"


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for f in sorted(PKG.rglob("*.py")):
        parts = f.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


MODULES = _modules()


def layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _hooks(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside notebook hooks (``_repr_*_`` functions)."""
    lines: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name.startswith("_repr_"):
            lines.update(
                n.lineno for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)
            )
    return lines


def imports(module: str, path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported fvmprocess module, line, inside a notebook hook) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hooks = _hooks(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "fvmprocess":
                    yield a.name, node.lineno, node.lineno in hooks
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            if target.split(".")[0] != "fvmprocess":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                yield (sub if sub in MODULES else target), node.lineno, node.lineno in hooks


def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for module, path in MODULES.items():
        g.add_node(module)
        for target, line, hook in imports(module, path):
            if target == module or target not in MODULES:
                continue
            if hook and target == NOTEBOOK:
                continue
            g.add_edge(module, target, line=line)
    return g


def test_every_module_has_a_layer_and_at_most_two_package_levels() -> None:
    for module in MODULES:
        assert any(module == p or module.startswith(p + ".") for p in LAYERS), module
        assert module.count(".") <= 2, f"{module}: more than two package levels"


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)}) at line {d['line']}"
        for a, b, d in graph().edges(data=True)
        if layer(b) > layer(a)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    g = graph()
    # a package's __init__ re-exporting its own modules is not a cycle of concepts
    for a, b in list(g.edges):
        if b.startswith(a + "."):
            g.remove_edge(a, b)
    cycles = list(nx.simple_cycles(g))
    assert cycles == [], cycles[:5]


def test_the_rule_catches_an_upward_edge(tmp_path: Path) -> None:
    """The checker itself: a layer-1 module importing the report is flagged."""
    bad = tmp_path / "model.py"
    bad.write_text("def f():\n    from fvmprocess.report import render_report\n")
    found = list(imports("fvmprocess.bpmn.model", bad))
    assert found == [("fvmprocess.report", 2, False)]
    assert layer("fvmprocess.report") > layer("fvmprocess.bpmn.model")


@pytest.mark.parametrize("name", ["_repr_svg_", "_repr_html_"])
def test_notebook_hooks_may_delegate(tmp_path: Path, name: str) -> None:
    ok = tmp_path / "m.py"
    ok.write_text(f"class M:\n    def {name}(self):\n        from fvmprocess._notebook import x\n")
    assert list(imports("fvmprocess.bpmn.model", ok)) == [(NOTEBOOK, 3, True)]
