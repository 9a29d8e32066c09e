"""`fvmprocess models …`: a region's catalogue kept in its modelling tool (issue 10).

The catalogue folder is the users' work: a model edited and saved in Camunda Modeler, a
foreign BPMN file dropped in without metadata. `models check` finds the drift, `models sync`
and `models new` write metadata (never the BPMN), `models diff` compares versions.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fvmprocess.catalog import default_models_dir
from fvmprocess.cli import main

DATA = Path(__file__).resolve().parent / "data" / "catalog"
CAMUNDA = DATA / "camunda"
MODELS = default_models_dir()


@pytest.fixture()
def run() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def region(tmp_path: Path) -> Path:
    """A region's catalogue: hoftfraktur as Camunda Modeler saved it (a renamed task, a new
    task with flows and DI) with the shipped metadata, and a foreign BPMN without metadata."""
    folder = tmp_path / "region"
    folder.mkdir()
    shutil.copy(CAMUNDA / "hoftfraktur.bpmn", folder / "hoftfraktur.bpmn")
    shutil.copy(MODELS / "hoftfraktur.yaml", folder / "hoftfraktur.yaml")
    shutil.copy(CAMUNDA / "ortopedremiss.bpmn", folder / "ortopedremiss.bpmn")
    return folder


def _ok(r: object, code: int = 0) -> str:
    out = r.output  # type: ignore[attr-defined]
    assert r.exit_code == code, out  # type: ignore[attr-defined]
    assert "Traceback" not in out
    return str(out)


# ---- the "done when" ------------------------------------------------------------------


def test_a_camunda_edit_goes_through_check_sync_check(run: CliRunner, region: Path) -> None:
    # models list, with --catalog and with the environment variable; the foreign file is named
    for args, env in (
        (["--catalog", str(region), "models", "list", "--format", "json"], {}),
        (["models", "list", "--format", "json"], {"FVMPROCESS_CATALOG": str(region)}),
    ):
        r = run.invoke(main, args, env=env)
        _ok(r)
        rows = json.loads(r.stdout)
        assert [x["id"] for x in rows] == ["hoftfraktur"]
        assert rows[0]["activities"] == 13
        assert "ortopedremiss.bpmn" in r.stderr and "models new" in r.stderr
    cat = ["--catalog", str(region)]
    # models check: exit 1, naming the new task and the foreign file (file and element id)
    r = run.invoke(main, [*cat, "models", "check", "--no-soundness"])
    out = _ok(r, 1)
    new_task = [ln for ln in out.splitlines() if "Activity_0x3fj2" in ln]
    assert new_task == [
        f"{region / 'hoftfraktur.yaml'}: Activity_0x3fj2: [activity-without-metadata] userTask "
        "'Trycksårsbedömning' is in the BPMN but not in the metadata "
        "(run: fvmprocess models sync hoftfraktur)"
    ]
    foreign = [ln for ln in out.splitlines() if "ortopedremiss.bpmn" in ln]
    assert len(foreign) == 1 and "Process_0d5yq8r" in foreign[0]
    assert "bpmn-without-metadata" in foreign[0]
    # models sync, then models check ID: exit 0
    yml = region / "hoftfraktur.yaml"
    before = yml.read_text(encoding="utf-8")
    out = _ok(run.invoke(main, [*cat, "models", "sync", "hoftfraktur"]))
    assert "Activity_0x3fj2: added a metadata stub" in out
    after = yml.read_text(encoding="utf-8")
    assert after.startswith(before.split("  Activity_Utskrivning", 1)[0])  # comments, order kept
    assert (
        "  Activity_0x3fj2:  # added by models sync: 'Trycksårsbedömning'\n    codes: []\n" in after
    )
    assert (region / "hoftfraktur.bpmn").read_bytes() == (CAMUNDA / "hoftfraktur.bpmn").read_bytes()
    out = _ok(run.invoke(main, [*cat, "models", "check", "hoftfraktur"]))
    assert out.strip().endswith("hoftfraktur: no problems")
    # models show prints the new labels
    out = _ok(run.invoke(main, [*cat, "models", "show", "hoftfraktur"]))
    assert "Röntgen höft och bäcken" in out and "Trycksårsbedömning" in out
    assert "Röntgen höft /" not in out
    # and the whole catalogue is still not clean: the foreign file
    _ok(run.invoke(main, [*cat, "models", "check", "--no-soundness"]), 1)
    # NOTE (item 7, names in results): `simulate` and `check` on the edited model and a report
    # from the saved JSON showing the new labels are tested once results carry activity_name.


def test_simulate_and_check_use_the_edited_labels(
    run: CliRunner, region: Path, tmp_path: Path
) -> None:
    """The simulated log names activities by the new labels; check maps them back to the ids.

    (Labels in the result JSON itself — ``activity_name`` — are item 7 of issue 10.)
    """
    cat = ["--catalog", str(region)]
    _ok(run.invoke(main, [*cat, "models", "sync", "hoftfraktur"]))
    log = tmp_path / "log.csv"
    args = ["simulate", "--process", "hoftfraktur", "--cases", "30", "--unit", "NÄL=0.3"]
    _ok(run.invoke(main, [*cat, *args, "-o", str(log)]))
    text = log.read_text(encoding="utf-8")
    assert "Trycksårsbedömning" in text and "Röntgen höft och bäcken" in text
    assert ",Röntgen höft," not in text
    result = tmp_path / "result.json"
    _ok(
        run.invoke(
            main,
            [*cat, "check", "--process", "hoftfraktur", "--log", str(log), "-q", "-o", str(result)],
        )
    )
    rows = {r["activity"]: r for r in json.loads(result.read_text(encoding="utf-8"))["activities"]}
    assert rows["Activity_0x3fj2"]["in_model"] and rows["Activity_0x3fj2"]["cases"] == 30
    data = json.loads(result.read_text(encoding="utf-8"))
    outside = json.dumps(data["unmapped_activities"], ensure_ascii=False)
    assert "Trycksårsbedömning" not in outside and "Röntgen höft" not in outside


def test_models_new_adds_the_foreign_file(run: CliRunner, region: Path) -> None:
    cat = ["--catalog", str(region)]
    src = region / "ortopedremiss.bpmn"
    out = _ok(run.invoke(main, [*cat, "models", "new", "ortopedremiss", "--from", str(src)]))
    assert "ortopedremiss.yaml" in out
    assert src.read_bytes() == (CAMUNDA / "ortopedremiss.bpmn").read_bytes()  # never rewritten
    text = (region / "ortopedremiss.yaml").read_text(encoding="utf-8")
    assert "Activity_1bedm7x:  # added by models sync: 'Bedöm remiss'" in text
    _ok(run.invoke(main, [*cat, "models", "check", "ortopedremiss", "--no-soundness"]))
    out = _ok(run.invoke(main, [*cat, "models", "show", "ortopedremiss"]))
    assert "Remiss till ortopeden" in out and "Kalla patient" in out
    # a second time: refused, naming the file
    r = run.invoke(main, [*cat, "models", "new", "ortopedremiss", "--from", str(src)])
    assert r.exit_code == 2 and "already has ortopedremiss.yaml" in r.output
    r = run.invoke(main, [*cat, "models", "new", "Bad-Id", "--from", str(src)])
    assert r.exit_code == 2 and "Bad-Id" in r.output
    # from a file elsewhere: copied byte for byte
    other = region.parent / "export.bpmn"
    shutil.copy(src, other)
    _ok(run.invoke(main, [*cat, "models", "new", "remiss2", "--from", str(other)]))
    assert (region / "remiss2.bpmn").read_bytes() == other.read_bytes()


# ---- models check ---------------------------------------------------------------------------------


def _one(folder: Path, pid: str = "hoftfraktur") -> Path:
    folder.mkdir(exist_ok=True)
    for ext in (".bpmn", ".yaml"):
        shutil.copy(MODELS / f"{pid}{ext}", folder / f"{pid}{ext}")
    return folder


def test_check_clean_shipped_catalogue(run: CliRunner) -> None:
    out = _ok(run.invoke(main, ["models", "check", "--no-soundness"]))
    assert "(12 processes): no problems" in out
    out = _ok(run.invoke(main, ["models", "check", "akutmottagning", "--format", "json"]))
    assert json.loads(out)["problems"] == []


def test_check_finds_drift_each_line_naming_file_and_element(
    run: CliRunner, tmp_path: Path
) -> None:
    folder = _one(tmp_path / "c")
    yml = folder / "hoftfraktur.yaml"
    text = yml.read_text(encoding="utf-8")
    text = text.replace(
        "  Activity_Utskrivning: {}\n",
        "  Activity_Utskrivning: {}\n  Activity_Gone: {}\n  Gateway_Operation: {}\n",
    )
    text = text.replace("to_activity: Activity_Operation\n", "to_activity: Activity_Borta\n")
    text = text.replace(
        "variations:\n",
        "variations:\n- id: VAR_X\n  description: {sv: x, en: x}\n  allowed_skips: [Activity_Saknas]\n",
    )
    yml.write_text(text, encoding="utf-8")
    bpmn = folder / "hoftfraktur.bpmn"
    bpmn.write_text(
        bpmn.read_text(encoding="utf-8").replace('name="Utskrivning"', 'name="Smärtlindring"'),
        encoding="utf-8",
    )
    (folder / "orphan.yaml").write_text(
        (MODELS / "sepsis_akut.yaml")
        .read_text(encoding="utf-8")
        .replace("id: sepsis_akut", "id: orphan"),
        encoding="utf-8",
    )
    r = run.invoke(main, ["--catalog", str(folder), "models", "check", "--format", "json"])
    rows = json.loads(_ok(r, 1))["problems"]
    found = {(Path(x["file"]).name, x["element"], x["code"]) for x in rows}
    assert {
        ("orphan.yaml", "orphan", "metadata-without-bpmn"),
        ("hoftfraktur.yaml", "Activity_Gone", "metadata-not-in-bpmn"),
        ("hoftfraktur.yaml", "Gateway_Operation", "metadata-not-an-activity"),
        ("hoftfraktur.yaml", "TL_Operation24h", "time-limit-missing-activity"),
        ("hoftfraktur.yaml", "VAR_X", "variation-missing-activity"),
        ("hoftfraktur.bpmn", "Activity_Utskrivning", "duplicate-label"),
    } <= found
    assert all(x["element"] and x["file"] for x in rows)
    # --prune deletes metadata of removed elements; time limits are reported, never changed
    out = _ok(
        run.invoke(main, ["--catalog", str(folder), "models", "sync", "hoftfraktur", "--prune"])
    )
    assert "Activity_Gone: no longer an activity in the BPMN; metadata deleted" in out
    assert "time limit TL_Operation24h names Activity_Borta" in out
    after = yml.read_text(encoding="utf-8")
    assert "Activity_Gone" not in after and "Gateway_Operation" not in after
    assert "Activity_Borta" in after


def test_check_validation_problems_and_exit_2_when_unreadable(
    run: CliRunner, tmp_path: Path
) -> None:
    folder = _one(tmp_path / "c")
    bpmn = folder / "hoftfraktur.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    # a half-finished flow, as Camunda Modeler keeps it open: read leniently, reported strictly
    bpmn.write_text(text.replace('targetRef="Activity_Utskrivning"', ""), encoding="utf-8")
    out = _ok(run.invoke(main, ["--catalog", str(folder), "models", "check"]), 1)
    assert f"{bpmn}: Flow_Mobilisering_Utskrivning: [" in out
    bpmn.write_text(text[: len(text) // 2], encoding="utf-8")
    out = _ok(run.invoke(main, ["--catalog", str(folder), "models", "check"]), 2)
    assert f"{bpmn}: " in out and "[unreadable]" in out
    bpmn.write_text(text, encoding="utf-8")
    (folder / "hoftfraktur.yaml").write_text("id: [", encoding="utf-8")
    out = _ok(run.invoke(main, ["--catalog", str(folder), "models", "check"]), 2)
    assert "hoftfraktur.yaml: line " in out
    r = run.invoke(main, ["--catalog", str(folder), "models", "check", "nope"])
    assert r.exit_code == 2 and "nope" in r.output


def test_sync_keeps_comments_order_and_quoting(run: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copy(CAMUNDA / "ortopedremiss.bpmn", folder / "remiss.bpmn")
    yml = folder / "remiss.yaml"
    yml.write_text(
        "# Remiss till ortopeden — ägs av NSK ortopedi\n"
        "id: remiss\n"
        "owner: 'NSK ortopedi'   # byts 2026\n"
        "version: 0.2.0\n"
        "status: draft\n"
        "valid_from: 2025-06-01\n"
        "activities:\n"
        "  # kallelsen först i listan, med sin kod\n"
        "  Activity_0kall2v:\n"
        "    codes: [XS001]  # lokal kod\n"
        "  Activity_Old: {}\n",
        encoding="utf-8",
    )
    out = _ok(run.invoke(main, ["--catalog", str(folder), "models", "sync", "remiss", "--dry-run"]))
    assert "would change" in out and "Activity_1bedm7x: added" in out
    assert "Activity_Old: no longer an activity in the BPMN; metadata kept" in out
    assert "Activity_1bedm7x" not in yml.read_text(encoding="utf-8")
    _ok(run.invoke(main, ["--catalog", str(folder), "models", "sync", "remiss"]))
    assert yml.read_text(encoding="utf-8") == (
        "# Remiss till ortopeden — ägs av NSK ortopedi\n"
        "id: remiss\n"
        "owner: 'NSK ortopedi'   # byts 2026\n"
        "version: 0.2.0\n"
        "status: draft\n"
        "valid_from: 2025-06-01\n"
        "activities:\n"
        "  Activity_1bedm7x:  # added by models sync: 'Bedöm remiss'\n"
        "    codes: []\n"
        "  # kallelsen först i listan, med sin kod\n"
        "  Activity_0kall2v:\n"
        "    codes: [XS001]  # lokal kod\n"
        "  Activity_Old: {}\n"
    )
    out = _ok(run.invoke(main, ["--catalog", str(folder), "models", "sync", "remiss"]))
    assert "up to date" in out


# ---- models diff on constructed changes ----------------------------------------------------------

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _bpmn(path: Path, nodes: dict[str, str], flows: list[tuple[str, str]], *, gw: str = "") -> Path:
    """A small process: ``nodes`` id -> task name (``S``/``E`` start and end, ``G…`` gateways
    of type ``gw``), ``flows`` as (source, target)."""
    ids = {f"f{i}": f for i, f in enumerate(flows)}
    out = [f'<definitions {NS} id="d" targetNamespace="t"><process id="p" name="P">']
    for nid, name in nodes.items():
        tag = {"S": "startEvent", "E": "endEvent"}.get(nid, gw if nid.startswith("G") else "task")
        inc = "".join(f"<incoming>{k}</incoming>" for k, (_, t) in ids.items() if t == nid)
        outg = "".join(f"<outgoing>{k}</outgoing>" for k, (s, _) in ids.items() if s == nid)
        out.append(f'<{tag} id="{nid}" name="{name}">{inc}{outg}</{tag}>')
    out += [
        f'<sequenceFlow id="{k}" sourceRef="{s}" targetRef="{t}"/>' for k, (s, t) in ids.items()
    ]
    out.append("</process></definitions>")
    path.write_text("".join(out), encoding="utf-8")
    return path


def _line(ids: list[str]) -> list[tuple[str, str]]:
    return list(itertools.pairwise(ids))


BASE = {"S": "", "A": "Ankomst", "B": "Bedömning", "C": "Behandling", "E": ""}


def _diff(run: CliRunner, old: Path, new: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    r = run.invoke(main, ["models", "diff", str(old), str(new), "--format", "json", *extra])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_diff_same_model_is_empty(run: CliRunner, tmp_path: Path) -> None:
    old = _bpmn(tmp_path / "a.bpmn", BASE, _line(list(BASE)))
    r = run.invoke(main, ["models", "diff", str(old), str(old)])
    assert r.exit_code == 0 and "no differences" in r.output
    r = run.invoke(main, ["models", "diff", "akutmottagning", "akutmottagning"])
    assert r.exit_code == 0, r.output


def test_diff_added_removed_renamed_and_new_id(run: CliRunner, tmp_path: Path) -> None:
    old = _bpmn(tmp_path / "old.bpmn", BASE, _line(list(BASE)))
    new_nodes = {"S": "", "A": "Ankomst och triage", "B2": "Bedömning", "D": "Uppföljning", "E": ""}
    new = _bpmn(tmp_path / "new.bpmn", new_nodes, _line(list(new_nodes)))
    d = _diff(run, old, new)
    kinds = {(c["kind"], c["old_id"], c["new_id"]) for c in d["activities"]}
    assert kinds == {
        ("renamed", "A", "A"),
        ("new-id", "B", "B2"),  # matched by label
        ("added", None, "D"),
        ("removed", "C", None),
    }
    renamed = next(c for c in d["activities"] if c["kind"] == "renamed")
    assert (renamed["old_label"], renamed["new_label"]) == ("Ankomst", "Ankomst och triage")
    follows = {(f["kind"], f["source"], f["target"]) for f in d["follows"]}
    # B (now B2) kept its predecessor: no change there; C was replaced by D
    assert ("added", "B2", "D") in follows and ("removed", "B2", "C") in follows
    assert ("added", "A", "B2") not in follows


def test_diff_changed_order_and_branching(run: CliRunner, tmp_path: Path) -> None:
    old = _bpmn(tmp_path / "old.bpmn", BASE, _line(list(BASE)))
    swapped = _bpmn(tmp_path / "swap.bpmn", BASE, _line(["S", "B", "A", "C", "E"]))
    d = _diff(run, old, swapped)
    assert d["activities"] == [] and d["order_compared"]
    follows = {(f["kind"], f["source"], f["target"]) for f in d["follows"]}
    assert follows == {
        ("added", "(start)", "B"),
        ("added", "B", "A"),
        ("added", "A", "C"),
        ("removed", "(start)", "A"),
        ("removed", "A", "B"),
        ("removed", "B", "C"),
    }
    # A and B in parallel: both orders possible
    par = {
        "S": "",
        "G1": "",
        "A": "Ankomst",
        "B": "Bedömning",
        "G2": "",
        "C": "Behandling",
        "E": "",
    }
    flows = [
        ("S", "G1"),
        ("G1", "A"),
        ("G1", "B"),
        ("A", "G2"),
        ("B", "G2"),
        ("G2", "C"),
        ("C", "E"),
    ]
    parallel = _bpmn(tmp_path / "par.bpmn", par, flows, gw="parallelGateway")
    d = _diff(run, old, parallel)
    follows = {(f["kind"], f["source"], f["target"]) for f in d["follows"]}
    assert {("added", "B", "A"), ("added", "(start)", "B"), ("added", "A", "C")} <= follows
    assert ("removed", "A", "B") not in follows
    text = _ok(run.invoke(main, ["models", "diff", str(old), str(parallel)]), 1)
    assert "order and branching: 3 directly-follows pair(s) added, 0 removed" in text
    assert "+ B -> A  ('Bedömning' -> 'Ankomst')" in text


def test_diff_changed_time_limits_and_drawing(run: CliRunner, tmp_path: Path) -> None:
    folder = _one(tmp_path / "v2", "akutmottagning")
    yml = folder / "akutmottagning.yaml"
    yml.write_text(
        yml.read_text(encoding="utf-8").replace("max_duration: PT10M", "max_duration: PT15M"),
        encoding="utf-8",
    )
    bpmn = folder / "akutmottagning.bpmn"
    bpmn.write_text(
        bpmn.read_text(encoding="utf-8").replace('name="Ombedömning"', 'name="Förnyad bedömning"'),
        encoding="utf-8",
    )
    svg = tmp_path / "diff.svg"
    d = _diff(run, Path("akutmottagning"), bpmn, "-o", str(svg))
    (tl,) = d["time_limits"]
    assert tl["kind"] == "changed" and tl["id"] == "TL_Triage" and tl["fields"] == ["max_duration"]
    assert tl["old"]["max_duration"] == "PT10M" and tl["new"]["max_duration"] == "PT15M"
    assert [c["kind"] for c in d["activities"]] == ["renamed"] and d["follows"] == []
    drawing = svg.read_text(encoding="utf-8")
    assert "#fde0b8" in drawing and "Förnyad" in drawing and "renamed" in drawing
    out = _ok(run.invoke(main, ["models", "diff", "akutmottagning", str(bpmn)]), 1)
    assert "~ TL_Triage: max_duration 'PT10M' -> 'PT15M'" in out
    assert "~ Activity_Ombedomning 'Ombedömning' -> 'Förnyad bedömning'" in out


def test_diff_of_the_camunda_edit_draws_added_and_removed(
    run: CliRunner, region: Path, tmp_path: Path
) -> None:
    png = tmp_path / "diff.png"
    out = _ok(
        run.invoke(
            main,
            [
                "--catalog",
                str(region),
                "models",
                "diff",
                str(MODELS / "hoftfraktur.bpmn"),
                "hoftfraktur",
                "-o",
                str(png),
            ],
        ),
        1,
    )
    assert "+ Activity_0x3fj2 'Trycksårsbedömning'" in out
    assert "+ Activity_Mobilisering -> Activity_0x3fj2" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "back.svg"
    _ok(
        run.invoke(
            main,
            [
                "--catalog",
                str(region),
                "models",
                "diff",
                "hoftfraktur",
                str(MODELS / "hoftfraktur.bpmn"),
                "-o",
                str(svg),
            ],
        ),
        1,
    )
    assert "− Trycksårsbedömning" in svg.read_text(encoding="utf-8")  # removed: a note


def test_diff_unreadable_exits_2(run: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<definitions", encoding="utf-8")
    r = run.invoke(main, ["models", "diff", "akutmottagning", str(bad)])
    assert r.exit_code == 2 and "bad.bpmn" in r.output and "Traceback" not in r.output


def test_help_on_every_models_command(run: CliRunner) -> None:
    for cmd in ("list", "show", "check", "sync", "new", "diff"):
        r = run.invoke(main, ["models", cmd, "--help"])
        assert r.exit_code == 0 and "Usage:" in r.output, (cmd, r.output)
