"""Log reduction for exports with hundreds of local codes (issue 11, point 5).

Two ways to make a real unit log fit a standard, each accounted for row by row:
- ``unmapped="ignore"`` on the activity mapping drops every activity neither the mapping nor the
  standard names (reason ``unmapped_activity``);
- :meth:`EventLog.filter_activities` drops activities seen in too few cases (reason
  ``infrequent_activity``), e.g. before discovery.

The expected counts below are worked out by hand from the small CSVs written in each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fvmprocess.cli import main
from fvmprocess.conformance.check import check_mapping
from fvmprocess.eventlog import ActivityMapping, EventLog, read_log
from fvmprocess.process import resolve_process

HEADER = "case,activity,timestamp\n"


def write(tmp_path: Path, rows: list[tuple[str, str, str]], name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{c},{a},{t}\n" for c, a, t in rows), encoding="utf-8")
    return path


def balanced(log: EventLog) -> None:
    acc = log.accounting
    assert acc.rows_read == acc.rows_used + acc.rows_rejected
    assert acc.rows_rejected == sum(acc.reasons.values())


# rows 2..9 of the file (line 1 is the header)
ROWS = [
    ("c1", "REG", "2024-03-01 08:00"),  # row 2: mapped
    ("c1", "LAB17", "2024-03-01 08:10"),  # row 3: unmapped local code
    ("c1", "Triage enligt RETTS", "2024-03-01 08:20"),  # row 4: the standard's own name
    ("c1", "Fika", "2024-03-01 08:30"),  # row 5: on the ignore list
    ("c2", "REG", "2024-03-02 09:00"),  # row 6: mapped
    ("c2", "LAB17", "2024-03-02 09:05"),  # row 7: unmapped
    ("c2", "RTG02", "2024-03-02 09:10"),  # row 8: unmapped
    ("c2", "Activity_Triage", "2024-03-02 09:20"),  # row 9: the standard's id
]


def test_unmapped_ignore_drops_only_what_nobody_names(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    mapping = ActivityMapping.from_dict(
        {"REG": "Activity_Registrering"}, ignore=["Fika"], unmapped="ignore"
    )
    checked = check_mapping(mapping, resolve_process("akutmottagning"))
    log = read_log(path, mapping=checked)
    balanced(log)
    acc = log.accounting
    assert acc.reasons == {"ignored_activity": 1, "unmapped_activity": 3}
    assert acc.examples["unmapped_activity"] == [3, 7, 8]
    assert sorted(log.events["row"].to_list()) == [2, 4, 6, 9]


def test_unmapped_keep_is_the_default(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, ROWS), mapping={"REG": "Activity_Registrering"})
    assert log.accounting.rows_rejected == 0
    assert log.unmapped_activities["LAB17"] == 2


def test_unmapped_policy_from_mapping_files(tmp_path: Path) -> None:
    yaml = tmp_path / "m.yaml"
    yaml.write_text("mapping:\n  REG: Activity_Registrering\nunmapped: ignore\n", encoding="utf-8")
    csv = tmp_path / "m.csv"
    csv.write_text("local,standard\nREG,Activity_Registrering\n*,-\n", encoding="utf-8")
    for path in (yaml, csv):
        m = ActivityMapping.load(path)
        assert m.unmapped == "ignore" and m.mapping == {"REG": "Activity_Registrering"}
        assert "*" not in m.ignore
    bad = tmp_path / "bad.yaml"
    bad.write_text("mapping: {}\nunmapped: drop\n", encoding="utf-8")
    with pytest.raises(Exception, match="unmapped") as err:
        ActivityMapping.load(bad)
    assert "bad.yaml" in str(err.value)


def test_cli_unmapped_ignore_counts_the_rows(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    out = tmp_path / "r.json"
    args = ["check", "--process", "akutmottagning", "--log", str(path), "--unmapped", "ignore"]
    r = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert r.exit_code in (0, 1), r.output
    # no mapping file: only the standard's own name (row 4) and id (row 9) are named, so
    # REG x2, LAB17 x2, RTG02 and Fika are dropped
    assert "8 rows read, 2 used, 6 rejected (unmapped_activity 6)" in r.output
    acc = json.loads(out.read_text(encoding="utf-8"))["accounting"]
    assert acc["reasons"] == {"unmapped_activity": 6}


def test_filter_activities_by_cases(tmp_path: Path) -> None:
    rows = [(f"c{i}", "A", f"2024-01-0{i} 08:00") for i in range(1, 6)]  # A in 5 cases
    rows += [(f"c{i}", "B", f"2024-01-0{i} 09:00") for i in range(1, 3)]  # B in 2 cases
    rows += [("c1", "C", "2024-01-01 10:00"), ("c1", "C", "2024-01-01 11:00")]  # C in 1 case
    log = read_log(write(tmp_path, rows))
    kept = log.filter_activities(min_cases=2)
    balanced(kept)
    assert kept.accounting.reasons == {"infrequent_activity": 2}
    assert kept.accounting.examples["infrequent_activity"] == [9, 10]
    assert kept.activities == {"A", "B"} and log.activities == {"A", "B", "C"}
    # 40 % of 5 cases = 2 cases: B stays; 41 % needs 3 cases: B goes
    assert kept.activities == log.filter_activities(min_share=0.4).activities
    assert log.filter_activities(min_share=0.41).activities == {"A"}
    assert log.filter_activities(min_cases=1) is log
    with pytest.raises(ValueError, match="min_share"):
        log.filter_activities(min_share=1.5)


def test_filter_activities_counts_merged_start_rows(tmp_path: Path) -> None:
    path = tmp_path / "lc.csv"
    path.write_text(
        "case,activity,timestamp,lifecycle\n"
        "c1,A,2024-01-01 08:00,complete\n"
        "c2,A,2024-01-02 08:00,complete\n"
        "c1,B,2024-01-01 09:00,start\n"  # merged into the next row's event
        "c1,B,2024-01-01 09:30,complete\n",
        encoding="utf-8",
    )
    log = read_log(path)
    assert log.accounting.warnings.get("lifecycle_start_merged") == 1 and len(log) == 3
    kept = log.filter_activities(min_cases=2)
    balanced(kept)
    assert kept.accounting.reasons == {"infrequent_activity": 2}  # the event and its start row
    assert kept.accounting.rows_used == 2 and len(kept) == 2
