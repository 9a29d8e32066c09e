"""The `fvmprocess` command: exit codes, messages naming file and place, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from fvmprocess.cli import main

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture()
def run() -> CliRunner:
    return CliRunner()


def test_help_on_every_command(run: CliRunner) -> None:
    for args in (
        [],
        ["models"],
        ["models", "list"],
        ["models", "show"],
        ["validate"],
        ["render"],
        ["convert"],
        ["check"],
        ["report"],
        ["simulate"],
        ["demo"],
    ):
        r = run.invoke(main, [*args, "--help"])
        assert r.exit_code == 0, (args, r.output)
        assert "Usage:" in r.output


def test_models_list_json(run: CliRunner) -> None:
    r = run.invoke(main, ["models", "list", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert len(rows) >= 12
    assert {"id", "version", "name_sv", "name_en", "path"} <= set(rows[0])
    assert "akutmottagning" in {x["id"] for x in rows}
    assert all(Path(x["path"]).exists() for x in rows)


def _one_process_catalogue(tmp_path: Path, pid: str = "sepsis_akut") -> Path:
    import shutil

    from fvmprocess.catalog import default_models_dir

    folder = tmp_path / "region"
    folder.mkdir()
    for ext in (".bpmn", ".yaml"):
        shutil.copy(default_models_dir() / f"{pid}{ext}", folder / f"{pid}{ext}")
    return folder


def test_catalog_option_and_environment_variable(run: CliRunner, tmp_path: Path) -> None:
    folder = _one_process_catalogue(tmp_path)
    r = run.invoke(main, ["--catalog", str(folder), "models", "list", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert [x["id"] for x in json.loads(r.output)] == ["sepsis_akut"]
    r = run.invoke(
        main, ["models", "list", "--format", "json"], env={"FVMPROCESS_CATALOG": str(folder)}
    )
    assert r.exit_code == 0, r.output
    assert [x["id"] for x in json.loads(r.output)] == ["sepsis_akut"]
    # a process id resolves in the chosen catalogue only
    r = run.invoke(main, ["--catalog", str(folder), "validate", "akutmottagning"])
    assert r.exit_code == 2 and "akutmottagning" in r.output
    r = run.invoke(main, ["--catalog", str(folder), "validate", "sepsis_akut", "--no-xsd"])
    assert r.exit_code in (0, 1), r.output
    r = run.invoke(main, ["--catalog", str(tmp_path / "nope"), "models", "list"])
    assert r.exit_code == 2 and "nope" in r.output


def test_models_show(run: CliRunner) -> None:
    r = run.invoke(main, ["models", "show", "akutmottagning"])
    assert r.exit_code == 0, r.output
    assert "akutmottagning" in r.output and "time limits" in r.output
    r = run.invoke(main, ["models", "show", "finns_inte"])
    assert r.exit_code == 2 and "finns_inte" in r.output and "Traceback" not in r.output


def test_validate_exit_codes(run: CliRunner, tmp_path: Path) -> None:
    r = run.invoke(main, ["validate", "akutmottagning"])
    assert r.exit_code == 0, r.output
    broken = tmp_path / "broken.bpmn"
    broken.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="t"><process id="p"><startEvent id="S"/><task id="T"/>'
        '<sequenceFlow id="f" sourceRef="S" targetRef="Nowhere"/></process></definitions>'
    )
    r = run.invoke(main, ["validate", str(broken)])
    assert r.exit_code == 1
    assert str(broken) in r.output and "Nowhere" in r.output
    r = run.invoke(main, ["validate", str(DATA / "bpmn" / "truncated.bpmn")])
    assert r.exit_code == 2 and "truncated.bpmn" in r.output and "line" in r.output
    assert "Traceback" not in r.output


def test_validate_says_not_proven_beyond_the_state_limit(run: CliRunner) -> None:
    """A soundness check cut short is not a clean bill of health: exit 1, 'not proven'."""
    r = run.invoke(main, ["validate", "akutmottagning", "--max-states", "3", "--no-xsd"])
    assert r.exit_code == 1, r.output
    assert "soundness-not-proven" in r.output and "not proven" in r.output


def test_render_and_convert(run: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "akut.svg"
    r = run.invoke(main, ["render", "akutmottagning", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml"))
    png = tmp_path / "akut.png"
    assert run.invoke(main, ["render", "akutmottagning", "-o", str(png)]).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    conv = tmp_path / "c.bpmn"
    r = run.invoke(main, ["convert", str(DATA / "bpmn" / "tool_export.bpmn"), "-o", str(conv)])
    assert r.exit_code == 0 and conv.exists()
    r = run.invoke(main, ["render", "akutmottagning", "-o", str(tmp_path / "x.gif")])
    assert r.exit_code == 2 and "x.gif" in r.output


def _sample_log(tmp_path: Path) -> Path:
    """A Swedish-style export of two units for the ED process, built from its model."""
    from fvmprocess.simulate import simulate_log

    frame = simulate_log(
        "akutmottagning", cases=60, units={"Akuten A": 0.0, "Akuten B": 0.5}, seed=3
    )
    path = tmp_path / "akut.csv"
    frame.write_csv(path)
    return path


def test_check_writes_json_and_summary(run: CliRunner, tmp_path: Path) -> None:
    log = _sample_log(tmp_path)
    out = tmp_path / "r.json"
    r = run.invoke(
        main, ["check", "--process", "akutmottagning", "--log", str(log), "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "fvmprocess.conformance"
    assert {u["unit"] for u in data["units"]} == {"Akuten A", "Akuten B"}
    assert data["accounting"]["rows_read"] == pl.read_csv(log).height
    assert "Akuten A" in r.output and "rows read" in r.output


def test_check_bad_inputs_exit_2(run: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x;y\n1;2\n", encoding="utf-8")
    r = run.invoke(
        main,
        ["check", "--process", "akutmottagning", "--log", str(bad), "-o", str(tmp_path / "r.json")],
    )
    assert r.exit_code == 2 and "bad.csv" in r.output and "Traceback" not in r.output
    r = run.invoke(
        main,
        [
            "check",
            "--process",
            "akutmottagning",
            "--log",
            str(bad),
            "--col",
            "nonsense=x",
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert r.exit_code == 2 and "nonsense" in r.output


def test_report_and_render_from_a_saved_result(run: CliRunner, tmp_path: Path) -> None:
    log = _sample_log(tmp_path)
    res = tmp_path / "r.json"
    assert (
        run.invoke(
            main, ["check", "--process", "akutmottagning", "--log", str(log), "-o", str(res), "-q"]
        ).exit_code
        == 0
    )
    html = tmp_path / "rapport.html"
    r = run.invoke(
        main,
        [
            "report",
            "--result",
            str(res),
            "--process",
            "akutmottagning",
            "-o",
            str(html),
            "--no-date",
        ],
    )
    assert r.exit_code == 0, r.output
    text = html.read_text(encoding="utf-8")
    assert "Akuten A" in text and "Akuten B" in text
    case_ids = {c["case"] for c in json.loads(res.read_text(encoding="utf-8"))["cases"]}
    assert not any(c in text for c in case_ids)
    svg = tmp_path / "b.svg"
    r = run.invoke(
        main,
        ["render", "akutmottagning", "--result", str(res), "--unit", "Akuten B", "-o", str(svg)],
    )
    assert r.exit_code == 0, r.output
    assert "Akuten B" in svg.read_text(encoding="utf-8")
    md = tmp_path / "rapport.md"
    r = run.invoke(
        main,
        ["report", "--process", "akutmottagning", "--log", str(log), "-o", str(md), "--lang", "en"],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rapport_files").is_dir()


# -- check: inputs against the standard, and the options the API has (issue 14) ----------------


def _check(run: CliRunner, tmp_path: Path, log: Path, *extra: str) -> Result:
    out = tmp_path / "r.json"
    return run.invoke(
        main, ["check", "--process", "akutmottagning", "--log", str(log), "-o", str(out), *extra]
    )


def test_check_names_unknown_mapping_targets_and_their_line(run: CliRunner, tmp_path: Path) -> None:
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "local,standard\nTriage,Activity_Triage\nAntibiotika,Activity_Antibiotics\n", "utf-8"
    )
    r = _check(run, tmp_path, _sample_log(tmp_path), "--mapping", str(mapping))
    assert r.exit_code == 2, r.output
    line = r.output.strip().splitlines()[-1]
    assert line.startswith(f"fvmprocess: error: {mapping}, line 3: ")
    assert "'Activity_Antibiotics'" in line and "Traceback" not in r.output
    assert "rows read" not in r.output  # before the log is read


def test_check_warns_loudly_when_nothing_matches(run: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "other.csv"
    rows = [f"k{i},{a},2025-03-03 08:0{j}" for i in range(5) for j, a in enumerate("XYZ")]
    log.write_text("case,activity,timestamp\n" + "\n".join(rows) + "\n", "utf-8")
    r = _check(run, tmp_path, log, "-q")
    assert r.exit_code == 0, r.output
    assert "WARNING: only 0.0 % of the events (0 of 15)" in r.output
    assert "unmapped activities (events): X (5), Y (5), Z (5)" in r.output
    r = _check(run, tmp_path, log, "-q", "--strict")
    assert r.exit_code == 2 and "0.0 % of the events" in r.output


def test_check_takes_allow_duplicates_timezone_and_unit_assignment(
    run: CliRunner, tmp_path: Path
) -> None:
    log = _sample_log(tmp_path)
    out = tmp_path / "r.json"
    r = _check(run, tmp_path, log, "-q")
    base = json.loads(out.read_text(encoding="utf-8"))
    skipped = sum(1 for c in base["cases"] for d in c["deviations"] if d["kind"] == "skipped")
    assert skipped > 0
    r = _check(
        run,
        tmp_path,
        log,
        "-q",
        "--allow",
        "skipped:*@Akuten B",
        "--duplicates",
        "reject",
        "--timezone",
        "UTC",
        "--unit-assignment",
        "most",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"kind": "skipped", "activity": None, "unit": "Akuten B", "reason": "--allow"} in data[
        "options"
    ]["allow"]
    allowed = [
        d["allowed"]
        for c in data["cases"]
        for d in c["deviations"]
        if d["kind"] == "skipped" and c["unit"] == "Akuten B"
    ]
    assert allowed and all(allowed)
    r = _check(run, tmp_path, log, "-q", "--allow", "nonsense")
    assert r.exit_code == 2 and "KIND:ACTIVITY" in r.output
    r = _check(run, tmp_path, log, "-q", "--timezone", "Mars/Olympus")
    assert r.exit_code == 2 and "Mars/Olympus" in r.output


def test_check_help_documents_the_mapping_format(run: CliRunner) -> None:
    text = " ".join(run.invoke(main, ["check", "--help"]).output.split())
    for phrase in ("local,standard", "ignore", "docs/eventlogs.md", "--allow", "--timezone"):
        assert phrase in text
