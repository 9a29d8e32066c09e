"""The catalogue as Camunda Modeler sees it: bpmn-moddle parses, bpmnlint:recommended is clean."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "bpmn-check"
CACHE = Path.home() / ".cache" / "fvmprocess" / "bpmn-check"


@pytest.fixture(scope="module")
def checker() -> Path:
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to run bpmnlint")
    CACHE.mkdir(parents=True, exist_ok=True)
    for f in ("package.json", "check.mjs"):
        shutil.copy2(TOOL / f, CACHE / f)
    if not (CACHE / "node_modules" / "bpmnlint").is_dir():
        r = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if r.returncode != 0:
            pytest.skip(f"npm install of bpmnlint failed (no registry?): {r.stderr[-300:]}")
    return CACHE / "check.mjs"


def run(checker: Path, files: list[Path]) -> list[dict[str, str]]:
    out = subprocess.run(
        ["node", str(checker), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout.splitlines()
    header = out[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in out[1:]]


def test_catalogue_models_are_clean_under_bpmnlint_recommended(checker: Path) -> None:
    models = sorted((ROOT / "models").glob("*.bpmn"))
    assert len(models) >= 12
    rows = run(checker, models)
    assert len(rows) == len(models)
    for r in rows:
        name = Path(r["file"]).name
        assert r["parse"] == "ok", (name, r)
        assert r["moddle_warnings"] == "0", (name, r["first_warning"])
        assert r["lint_errors"] == "0", name
        assert r["lint_warnings"] == "0", name
        assert r["crashed_rules"] == "", name


def test_our_written_files_parse_in_bpmn_moddle(checker: Path, tmp_path: Path) -> None:
    from fvmprocess.bpmn import read_bpmn, write_bpmn

    src = ROOT / "tests" / "data" / "bpmn" / "tool_export.bpmn"
    out = write_bpmn(read_bpmn(src), tmp_path / "out.bpmn")
    (row,) = run(checker, [out])
    assert row["parse"] == "ok" and row["moddle_warnings"] == "0", row
