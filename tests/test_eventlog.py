"""Tests for fvmprocess.eventlog: readers, timestamps, mapping and row accounting."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from fvmprocess.errors import FvmProcessError, LogError
from fvmprocess.eventlog import (
    Accounting,
    ActivityMapping,
    EventLog,
    LogSchema,
    ReadLimits,
    ReadOptions,
    SourceInfo,
    read_log,
    variant_table,
)

DATA = Path(__file__).resolve().parent / "data" / "eventlog"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def assert_balanced(log: EventLog, rows: int) -> None:
    acc = log.accounting
    assert acc.rows_read == rows
    assert acc.rows_read == acc.rows_used + acc.rows_rejected
    assert acc.rows_rejected == sum(acc.reasons.values())
    merged = acc.warnings.get("lifecycle_start_merged", 0)
    assert len(log) == acc.rows_used - merged


# --------------------------------------------------------------------------- Swedish export


def test_swedish_export_cp1252_semicolon() -> None:
    log = read_log(DATA / "swedish_export.csv", duplicates="reject")
    assert log.metadata["encoding"] == "cp1252"
    assert log.metadata["delimiter"] == ";"
    assert log.schema.case == "Vårdkontakt"
    assert log.schema.activity == "Aktivitet"
    assert log.schema.timestamp == "Tidpunkt"
    assert log.schema.unit == "Enhet"
    assert_balanced(log, 13)
    acc = log.accounting
    assert acc.rows_used == 7
    assert acc.reasons == {
        "malformed_row": 1,
        "missing_case": 1,
        "missing_activity": 1,
        "missing_timestamp": 1,
        "unparseable_timestamp": 1,
        "duplicate_event": 1,
    }
    assert acc.examples == {
        "malformed_row": [12],
        "missing_case": [8],
        "missing_activity": [9],
        "missing_timestamp": [10],
        "unparseable_timestamp": [11],
        "duplicate_event": [13],
    }
    # 05/03/2024 cannot tell day from month: read day-first, counted; every row is cp1252
    assert acc.warnings == {"assumed_dayfirst": 1, "decoded_as_cp1252": 13}
    assert acc.warning_examples["decoded_as_cp1252"] == [2, 3, 4, 5, 6]
    ev = log.events
    assert ev.columns == [
        "case",
        "activity",
        "timestamp",
        "unit",
        "original_activity",
        "row",
        "Kostnad",
    ]
    assert ev["timestamp"].dtype == pl.Datetime("us", "UTC")
    assert ev.select("case", "activity", "timestamp", "row").rows() == [
        ("K1", "Inskrivning", utc(2024, 3, 5, 13, 30), 2),
        ("K1", "Läkarbedömning", utc(2024, 3, 5, 13, 45), 3),
        ("K1", "Utskrivning", utc(2024, 3, 6, 8, 15), 4),
        ("K2", "Inskrivning", utc(2024, 3, 5, 13, 30), 5),
        ("K2", "Röntgen", utc(2024, 3, 5, 15, 0), 6),
        ("K2", "Utskrivning", utc(2024, 3, 7, 7, 0), 7),
        ("K3", "Inskrivning", utc(2024, 3, 6, 10, 0), 14),
    ]
    # decimal comma column converted to float
    assert ev["Kostnad"].dtype == pl.Float64
    assert ev["Kostnad"].to_list() == [1200.5, 850.0, 0.0, 1200.5, 2300.75, 0.0, 300.25]
    assert log.units == ["Avd 12 Östra", "Avd 14 Västra"]
    assert log.cases == 3
    assert log.activities == {"Inskrivning", "Läkarbedömning", "Utskrivning", "Röntgen"}
    assert len(log) == 7
    assert log.unmapped_activities == {}


def test_swedish_export_variants() -> None:
    log = read_log(DATA / "swedish_export.csv", duplicates="reject")
    v = log.variants()
    assert v.columns == ["variant", "cases"]
    assert v.rows() == [
        (["Inskrivning"], 1),
        (["Inskrivning", "Läkarbedömning", "Utskrivning"], 1),
        (["Inskrivning", "Röntgen", "Utskrivning"], 1),
    ]
    cv = log.case_variants()
    assert cv.sort("case").rows() == [
        ("K1", 1, "Avd 12 Östra"),
        ("K2", 2, "Avd 14 Västra"),
        ("K3", 0, "Avd 12 Östra"),
    ]


def test_strict_names_first_rejected_row() -> None:
    with pytest.raises(LogError) as ei:
        read_log(DATA / "swedish_export.csv", strict=True)
    msg = str(ei.value)
    assert "swedish_export.csv" in msg
    assert "line 8" in msg
    assert "missing_case" in msg
    assert ei.value.place == "line 8"


def test_strict_does_not_leak_personnummer(tmp_path: Path) -> None:
    p = tmp_path / "pnr.csv"
    p.write_text("personnummer,aktivitet,tidpunkt\n19121212-1212,Besök,inte ett datum\n")
    with pytest.raises(LogError) as ei:
        read_log(p, schema=LogSchema(case="personnummer"), strict=True)
    assert "19121212" not in str(ei.value)
    assert "line 2" in str(ei.value)
    assert "unparseable_timestamp" in str(ei.value)
    assert "tidpunkt" in str(ei.value)


def test_strict_passes_clean_file() -> None:
    log = read_log(DATA / "utf8_bom.csv", strict=True)
    assert len(log) == 3


# --------------------------------------------------------------------------- encodings, delimiters


def test_utf8_bom_and_zone_aware_timestamps() -> None:
    log = read_log(DATA / "utf8_bom.csv")
    assert log.metadata["encoding"] == "utf-8-sig"
    assert log.schema.case == "case_id"  # the BOM did not stick to the first column name
    assert log.schema.resource == "resource"
    assert_balanced(log, 3)
    assert log.events.select("activity", "timestamp", "resource").rows() == [
        ("Triage", utc(2024, 6, 1, 6, 0), "Sjuksköterska"),
        ("Hemgång", utc(2024, 6, 1, 8, 0, 0, 250000), "Läkare"),
        ("Läkarbesök", utc(2024, 6, 1, 9, 0), "Läkare"),
    ]


def test_tab_delimiter_tsv_and_sniffed(tmp_path: Path) -> None:
    log = read_log(DATA / "tabbed.tsv")
    assert log.metadata["delimiter"] == "\t"
    assert log.schema.case == "ärende"
    assert_balanced(log, 3)
    assert log.cases == 2
    txt = tmp_path / "export.txt"
    txt.write_bytes((DATA / "tabbed.tsv").read_bytes())
    log2 = read_log(txt)
    assert log2.metadata["delimiter"] == "\t"
    assert log2.events.equals(log.events)


def test_gzip_csv(tmp_path: Path) -> None:
    p = tmp_path / "export.csv.gz"
    p.write_bytes(gzip.compress((DATA / "swedish_export.csv").read_bytes()))
    log = read_log(p, duplicates="reject")
    assert log.metadata["encoding"] == "cp1252"
    assert_balanced(log, 13)
    assert log.accounting.rows_used == 7


def test_trailing_delimiter_and_blank_lines(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("case;activity;timestamp\n\nc1;a;2024-01-01 10:00;\n\nc1;b;2024-01-01 11:00;\n")
    log = read_log(p)
    assert_balanced(log, 2)
    assert log.events["row"].to_list() == [3, 5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05 14:30", utc(2024, 3, 5, 13, 30)),
        ("2024-03-05 14.30", utc(2024, 3, 5, 13, 30)),
        ("2024-03-05T14:30:15", utc(2024, 3, 5, 13, 30, 15)),
        ("2024-03-05T14:30:15.5", utc(2024, 3, 5, 13, 30, 15, 500000)),
        ("2024-03-05", utc(2024, 3, 4, 23, 0)),
        ("20240305 1430", utc(2024, 3, 5, 13, 30)),
        ("20240305143000", utc(2024, 3, 5, 13, 30)),
        ("5.3.2024 14:30", utc(2024, 3, 5, 13, 30)),
        ("05-03-2024 14:30", utc(2024, 3, 5, 13, 30)),
        ("2024/03/05 14:30", utc(2024, 3, 5, 13, 30)),
        ("25/03/2024 14:30", utc(2024, 3, 25, 13, 30)),
        ("2024-03-05T14:30:00Z", utc(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:00-05:00", utc(2024, 3, 5, 19, 30)),
        ("2024-07-05 14:30", utc(2024, 7, 5, 12, 30)),
    ],
)
def test_timestamp_formats(tmp_path: Path, text: str, expected: datetime) -> None:
    p = tmp_path / "t.csv"
    p.write_text(f"case;activity;timestamp\nc;a;{text}\n")
    log = read_log(p)
    assert log.accounting.rows_used == 1, log.accounting
    assert log.events["timestamp"].to_list() == [expected]


def test_dayfirst_inferred_and_forced(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("case;activity;timestamp\nc;a;03/25/2024 10:00\nc;b;04/05/2024 10:00\n")
    log = read_log(p)  # 25 cannot be a month: month first
    assert log.events["timestamp"].to_list() == [utc(2024, 3, 25, 9, 0), utc(2024, 4, 5, 8, 0)]
    assert "assumed_dayfirst" not in log.accounting.warnings
    p.write_text("case;activity;timestamp\nc;a;04/05/2024 10:00\n")
    assert read_log(p, dayfirst=False).events["timestamp"].to_list() == [utc(2024, 4, 5, 8, 0)]
    assert read_log(p, dayfirst=True).events["timestamp"].to_list() == [utc(2024, 5, 4, 8, 0)]


# --------------------------------------------------------------------------- DST


def test_dst_gap_and_overlap() -> None:
    log = read_log(DATA / "dst.csv")
    assert_balanced(log, 6)
    acc = log.accounting
    assert acc.reasons == {"nonexistent_local_time": 1}
    assert acc.examples == {"nonexistent_local_time": [3]}
    assert acc.warnings == {"ambiguous_local_time": 1}
    assert log.events.select("case", "activity", "timestamp").rows() == [
        ("A", "a", utc(2024, 3, 31, 0, 30)),
        ("A", "c", utc(2024, 3, 31, 1, 30)),
        ("B", "a", utc(2024, 10, 26, 23, 30)),
        ("B", "b", utc(2024, 10, 27, 0, 30)),  # earlier offset (+02:00)
        ("B", "c", utc(2024, 10, 27, 2, 30)),
    ]


def test_other_timezone() -> None:
    log = read_log(DATA / "dst.csv", timezone="UTC")
    assert log.accounting.rows_rejected == 0
    assert log.accounting.warnings == {}
    assert log.events["timestamp"][0] == utc(2024, 3, 31, 1, 30)


# --------------------------------------------------------------------------- mapping


@pytest.mark.parametrize("name", ["mapping.yaml", "mapping.csv"])
def test_mapping_files(name: str) -> None:
    m = ActivityMapping.load(DATA / name)
    assert dict(m.mapping) == {
        "Inskrivning": "admission",
        "INSKR": "admission",
        "Utskrivning": "discharge",
    }
    assert m.ignore == frozenset({"Röntgen"})
    log = read_log(DATA / "swedish_export.csv", mapping=m, duplicates="reject")
    assert_balanced(log, 13)
    assert log.accounting.reasons["ignored_activity"] == 1
    assert log.accounting.examples["ignored_activity"] == [6]
    assert log.unmapped_activities == {"Läkarbedömning": 1}
    assert log.activities == {"admission", "discharge", "Läkarbedömning"}
    k2 = log.events.filter(pl.col("case") == "K2")
    assert k2["activity"].to_list() == ["admission", "discharge"]
    assert k2["original_activity"].to_list() == ["Inskrivning", "Utskrivning"]


def test_mapping_many_to_one_from_dict() -> None:
    frame = pl.DataFrame(
        {
            "case": ["1", "1", "2"],
            "activity": ["INSKR", "Utskrivning", "Inskrivning"],
            "timestamp": ["2024-01-01 10:00", "2024-01-02 10:00", "2024-01-01 11:00"],
        }
    )
    log = read_log(frame, mapping={"INSKR": "admission", "Inskrivning": "admission"})
    assert log.events["activity"].to_list() == ["admission", "Utskrivning", "admission"]
    assert log.unmapped_activities == {"Utskrivning": 1}
    assert log.variants().rows() == [(["admission"], 1), (["admission", "Utskrivning"], 1)]


def test_mapping_errors(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="does not exist"):
        ActivityMapping.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\nx;y\n")
    with pytest.raises(LogError, match="'local' and 'standard'"):
        ActivityMapping.load(bad)


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle_pairs_start_and_rejects_others() -> None:
    log = read_log(DATA / "lifecycle.csv")
    acc = log.accounting
    assert_balanced(log, 5)
    assert acc.rows_used == 3
    assert acc.reasons == {"lifecycle_not_complete": 2}
    assert acc.examples == {"lifecycle_not_complete": [4, 6]}
    assert acc.warnings == {"lifecycle_start_merged": 1}
    assert log.events.select("activity", "start_timestamp", "timestamp").rows() == [
        ("Triage", utc(2024, 1, 10, 7, 0), utc(2024, 1, 10, 7, 10)),
        ("Lab", None, utc(2024, 1, 10, 8, 30)),
    ]


# --------------------------------------------------------------------------- frames and parquet


def test_pandas_frame_pm4py_names() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "case:concept:name": [1, 1, 2],
            "concept:name": ["a", "b", "a"],
            "time:timestamp": pd.to_datetime(
                ["2024-01-01 10:00+01:00", "2024-01-01 11:00+01:00", "2024-01-01 12:00+01:00"],
                utc=True,
            ),
            "org:resource": ["x", "y", None],
        }
    )
    log = read_log(df)
    assert log.source == "<pandas.DataFrame>"
    assert_balanced(log, 3)
    assert log.events.select("case", "activity", "timestamp", "resource").rows() == [
        ("1", "a", utc(2024, 1, 1, 9), "x"),
        ("1", "b", utc(2024, 1, 1, 10), "y"),
        ("2", "a", utc(2024, 1, 1, 11), None),
    ]
    back = log.to_pandas()
    assert list(back["activity"]) == ["a", "b", "a"]


def test_polars_frame_naive_datetimes_localised() -> None:
    frame = pl.DataFrame(
        {
            "case:concept:name": ["c", "c", "c", None],
            "concept:name": ["a", "b", "c", "a"],
            "time:timestamp": [
                datetime(2024, 3, 31, 2, 30),
                datetime(2024, 10, 27, 2, 30),
                None,
                datetime(2024, 1, 1),
            ],
        }
    )
    log = EventLog.from_frame(frame)
    assert_balanced(log, 4)
    assert log.accounting.reasons == {
        "missing_case": 1,
        "missing_timestamp": 1,
        "nonexistent_local_time": 1,
    }
    assert log.accounting.examples["missing_case"] == [4]
    assert log.accounting.warnings == {"ambiguous_local_time": 1}
    assert log.events["timestamp"].to_list() == [utc(2024, 10, 27, 0, 30)]


def test_parquet_round_trip(tmp_path: Path) -> None:
    log = read_log(DATA / "swedish_export.csv", duplicates="reject")
    p = tmp_path / "log.parquet"
    log.events.write_parquet(p)
    back = read_log(p)
    assert back.metadata["format"] == "parquet"
    assert_balanced(back, 7)
    cols = ["case", "activity", "timestamp", "unit"]
    assert back.events.select(cols).equals(log.events.select(cols))
    assert back.variants().equals(log.variants())


def test_duplicates_kept_by_default_as_a_warning() -> None:
    log = read_log(DATA / "swedish_export.csv")
    acc = log.accounting
    assert "duplicate_event" not in acc.reasons
    assert acc.warnings["duplicate_event"] == 1
    assert acc.warning_examples["duplicate_event"] == [13]
    assert len(log) == 8
    assert log.events.filter(pl.col("row") == 13).height == 1  # the repeat is an event
    assert_balanced(log, 13)
    keep = read_log(DATA / "swedish_export.csv", duplicates="keep")
    assert keep.accounting == acc


def test_duplicates_reject_drops_them() -> None:
    log = read_log(DATA / "swedish_export.csv", duplicates="reject")
    acc = log.accounting
    assert acc.reasons["duplicate_event"] == 1
    assert acc.examples["duplicate_event"] == [13]
    assert "duplicate_event" not in acc.warnings
    assert "duplicate_event" not in acc.warning_examples
    assert len(log) == 7
    with pytest.raises(ValueError, match="duplicates"):
        read_log(DATA / "swedish_export.csv", duplicates="drop")  # type: ignore[arg-type]


def test_kept_duplicate_that_is_rejected_otherwise_is_not_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "lc.csv"
    p.write_text(
        "case,activity,timestamp,lifecycle\n"
        "c1,a,2024-01-01 10:00,complete\n"
        "c1,a,2024-01-01 10:00,complete\n"
        "c1,b,2024-01-01 11:00,suspend\n"
        "c1,b,2024-01-01 11:00,suspend\n"
    )
    acc = read_log(p).accounting
    assert acc.warnings == {"duplicate_event": 1}
    assert acc.warning_examples == {"duplicate_event": [3]}
    assert acc.reasons == {"lifecycle_not_complete": 2}


# --------------------------------------------------------------------------- XES

XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <string key="concept:name" value="unit log"/>
  <trace>
    <string key="concept:name" value="T1"/>
    <string key="enhet" value="Avd 7"/>
    <event>
      <string key="concept:name" value="Inskrivning"/>
      <date key="time:timestamp" value="2024-03-05T14:30:00.000+01:00"/>
      <int key="prio" value="2"/>
      <string key="lifecycle:transition" value="complete"/>
    </event>
    <event>
      <string key="concept:name" value="Utskrivning"/>
      <date key="time:timestamp" value="2024-03-06T10:00:00"/>
      <int key="prio" value="3"/>
      <string key="lifecycle:transition" value="complete"/>
      <list key="items"><values><string key="x" value="y"/></values></list>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="T2"/>
    <event>
      <string key="concept:name" value="Inskrivning"/>
      <string key="lifecycle:transition" value="complete"/>
    </event>
    <event>
      <string key="concept:name" value="Inskrivning"/>
      <date key="time:timestamp" value="2024-03-05T09:00:00Z"/>
      <string key="lifecycle:transition" value="complete"/>
    </event>
  </trace>
</log>
"""


def test_xes_read(tmp_path: Path) -> None:
    p = tmp_path / "log.xes"
    p.write_text(XES, encoding="utf-8")
    log = read_log(p)
    assert log.metadata["format"] == "xes"
    assert_balanced(log, 4)
    assert log.accounting.reasons == {"missing_timestamp": 1}
    assert log.accounting.examples == {"missing_timestamp": [25]}  # line of the <event>
    assert log.schema.unit == "case:enhet"
    ev = log.events
    assert ev.select("case", "activity", "timestamp", "unit").rows() == [
        ("T1", "Inskrivning", utc(2024, 3, 5, 13, 30), "Avd 7"),
        ("T1", "Utskrivning", utc(2024, 3, 6, 9, 0), "Avd 7"),
        ("T2", "Inskrivning", utc(2024, 3, 5, 9, 0), None),
    ]
    assert ev["prio"].dtype == pl.Int64
    assert ev["prio"].to_list() == [2, 3, None]
    gz = tmp_path / "log.xes.gz"
    gz.write_bytes(gzip.compress(XES.encode()))
    assert read_log(gz).events.drop("row").equals(ev.drop("row"))


def test_xes_without_timestamps_and_names(tmp_path: Path) -> None:
    p = tmp_path / "plain.xes"
    p.write_text(
        "<log><trace><event><string key='concept:name' value='a'/></event>"
        "<event><string key='concept:name' value='b'/></event>"
        "<event><string key='concept:name' value='a'/></event></trace>"
        "<trace><event><string key='concept:name' value='a'/></event></trace></log>"
    )
    log = read_log(p)
    assert_balanced(log, 4)
    assert log.accounting.warnings == {"generated_case_id": 2, "no_timestamps": 4}
    assert log.events.select("case", "activity").rows() == [
        ("trace-1", "a"),
        ("trace-1", "b"),
        ("trace-1", "a"),  # a repetition, not a duplicate: no timestamps to compare
        ("trace-2", "a"),
    ]
    assert log.variants().rows() == [(["a"], 1), (["a", "b", "a"], 1)]


def test_xes_refuses_dtd(tmp_path: Path) -> None:
    p = tmp_path / "evil.xes"
    p.write_text('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x "boom">]><log>&x;</log>')
    with pytest.raises(LogError, match="DTD"):
        read_log(p)


def test_xes_malformed(tmp_path: Path) -> None:
    p = tmp_path / "broken.xes"
    p.write_text("<log>\n<trace>\n<event>\n</trace></log>")
    with pytest.raises(LogError) as ei:
        read_log(p)
    assert "line" in str(ei.value.place)


# --------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="does not exist"):
        read_log(tmp_path / "nope.csv")


def test_missing_columns_names_found_and_expected(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("patient;vad;när\n1;a;2024-01-01\n")
    with pytest.raises(LogError) as ei:
        read_log(p)
    msg = str(ei.value)
    assert "'patient'" in msg and "'när'" in msg
    assert "case" in msg and "activity" in msg and "timestamp" in msg
    assert "case_id" in msg
    with pytest.raises(LogError, match="'Tid'"):
        read_log(p, schema=LogSchema(case="patient", activity="vad", timestamp="Tid"))
    log = read_log(p, schema=LogSchema(case="patient", activity="vad", timestamp="NÄR"))
    assert len(log) == 1


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(LogError, match="empty"):
        read_log(p)
    x = tmp_path / "empty.xes"
    x.write_bytes(b"  \n")
    with pytest.raises(LogError, match="empty"):
        read_log(x)


def test_header_only_is_empty_log(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("case,activity,timestamp\n")
    log = read_log(p)
    assert len(log) == 0
    assert log.accounting == Accounting(0, 0, 0)
    assert log.variants().height == 0


def test_binary_data(tmp_path: Path) -> None:
    p = tmp_path / "bin.csv"
    p.write_bytes(b"case,activity,timestamp\nc,a,2024\x00\x01\x02\n")
    log = read_log(p)  # text with one bad row: that row is rejected, not the file
    assert_balanced(log, 1)
    assert log.accounting.examples == {"control_character": [2]}
    binary = tmp_path / "bin.xlsx.csv"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\n")
    with pytest.raises(LogError) as ei:
        read_log(binary)
    assert ei.value.place == "line 1"
    assert "NUL" in str(ei.value)


# ----------------------------------------------------------------------- one bad row, one row


def _export(rows: int) -> list[str]:
    """A UTF-8 export of ``rows`` rows, Swedish activity names, quoted fields on some rows."""
    acts = ["Läkarbesök", '"Utredning: lab, bild"', "Åtgärd", "Hemgång"]
    return [
        f"K{i // 4:05d},{acts[i % 4]},2024-03-{1 + (i // 4) % 28:02d} {8 + i % 4:02d}:00,Avd 12"
        for i in range(rows)
    ]


def test_stray_cp1252_byte_flags_only_its_row(tmp_path: Path) -> None:
    lines = _export(400)
    p = tmp_path / "stray.csv"
    body = "\n".join(lines).encode("utf-8").replace(b"Avd 12", "Avd 12 Östra".encode(), 1)
    # one cp1252 byte in row 301 (line 302): "Läkarbesök" written by another program
    cut = body.index(lines[300].encode())
    body = body[:cut] + lines[300].encode("cp1252") + body[cut + len(lines[300].encode()) :]
    p.write_bytes(b"case,activity,timestamp,unit\n" + body + b"\n")
    log = read_log(p)
    assert_balanced(log, 400)
    acc = log.accounting
    assert acc.rows_rejected == 0
    assert acc.warnings["decoded_as_cp1252"] == 1
    assert acc.warning_examples["decoded_as_cp1252"] == [302]
    assert log.source_info.encoding == "utf-8"
    # every row intact, the stray one decoded as cp1252 (the same text)
    assert log.events.filter(pl.col("activity").str.starts_with("L"))[
        "activity"
    ].unique().to_list() == ["Läkarbesök"]
    assert log.events.filter(pl.col("row") == 302)["activity"].to_list() == ["Läkarbesök"]
    assert "Avd 12 Östra" in log.units
    # declared UTF-8: the row is rejected instead
    strict = read_log(p, encoding="utf-8")
    assert_balanced(strict, 400)
    assert strict.accounting.examples == {"invalid_encoding": [302]}
    # a declared encoding is used for every line
    cp = tmp_path / "cp.csv"
    cp.write_bytes("case;activity;timestamp\nK1;Läkarbesök;2024-03-05 10:00\n".encode("cp1252"))
    declared = read_log(cp, encoding="cp1252")
    assert declared.events["activity"].to_list() == ["Läkarbesök"]
    assert declared.accounting.warnings == {}
    assert declared.source_info.encoding == "cp1252"
    with pytest.raises(ValueError, match="encoding"):
        read_log(cp, encoding="no-such-codec")


def test_nul_byte_rejects_only_its_row(tmp_path: Path) -> None:
    lines = _export(21_000)
    lines[700] = lines[700].replace("Avd 12", "Avd\x0012")  # row 701, line 702
    lines[900] = lines[900].replace("Avd 12", "Avd\x0712")  # a bell character
    p = tmp_path / "nul.csv"
    p.write_text("case,activity,timestamp,unit\n" + "\n".join(lines) + "\n", encoding="utf-8")
    log = read_log(p)
    assert_balanced(log, 21_000)
    assert log.accounting.reasons == {"control_character": 2}
    assert log.accounting.examples == {"control_character": [702, 902]}
    assert log.events["row"].max() == 21_001
    with pytest.raises(LogError) as ei:
        read_log(p, strict=True)
    assert ei.value.place == "line 702" and "control_character" in str(ei.value)


def test_broken_quoting_rejects_only_its_row(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text(
        "case,activity,timestamp,note\n"
        'c1,"Besök, akut,2024-01-01 10:00,unterminated\n'  # line 2: never closed
        'c1,Skärm 24" bred,2024-01-01 10:30,x\n'  # line 3: a quote inside a field is text
        'c1,"B"x,2024-01-01 11:00,"y"\n'  # line 4: irregular, read as csv does
        'c2,"Besök, akut",2024-01-01 11:00,"två\nrader"\n'  # lines 5-6: one record
        "c2,C,2024-01-01 12:00,z\n",  # line 7
        encoding="utf-8",
    )
    log = read_log(p)
    assert_balanced(log, 5)
    assert log.accounting.examples == {"malformed_row": [2]}
    got = log.events.sort("row").select("activity", "row", "note").rows()
    assert got == [
        ('Skärm 24" bred', 3, "x"),
        ("Bx", 4, "y"),
        ("Besök, akut", 5, "två\nrader"),
        ("C", 7, "z"),
    ]


def test_extra_numbers_that_do_not_convert_stay_text(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text(
        "case,activity,timestamp,id,cost\n"
        "c1,A,2024-01-01 10:00,12,1.5\n"
        "c1,B,2024-01-01 11:00,123456789012345678901234,2.5\n",
        encoding="utf-8",
    )
    log = read_log(p)
    assert log.events["id"].to_list() == ["12", "123456789012345678901234"]  # nothing lost
    assert log.events["cost"].to_list() == [1.5, 2.5]
    assert log.accounting.warnings["unconvertible_value"] == 1
    assert log.accounting.warning_examples["unconvertible_value"] == [3]


def test_limits(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="max_rows"):
        read_log(DATA / "swedish_export.csv", limits=ReadLimits(max_rows=5))
    with pytest.raises(LogError, match="max_bytes"):
        read_log(DATA / "swedish_export.csv", limits=ReadLimits(max_bytes=100))


def test_bad_source_type() -> None:
    with pytest.raises(FvmProcessError):
        read_log(42)  # type: ignore[arg-type]


def test_accounting_to_dict() -> None:
    log = read_log(DATA / "dst.csv")
    d = log.accounting.to_dict()
    assert d == {
        "rows_read": 6,
        "rows_used": 5,
        "rows_rejected": 1,
        "reasons": {"nonexistent_local_time": 1},
        "examples": {"nonexistent_local_time": [3]},
        "warnings": {"ambiguous_local_time": 1},
        "warning_examples": {},
    }
    with pytest.raises(ValueError):
        Accounting(3, 1, 1)


def test_schema_pm4py_and_detect_off() -> None:
    assert LogSchema.pm4py().case == "case:concept:name"
    frame = pl.DataFrame(
        {"case": ["1"], "activity": ["a"], "timestamp": ["2024-01-01"], "enhet": ["u"]}
    )
    assert read_log(frame).schema.unit == "enhet"
    assert read_log(frame, schema=LogSchema(detect=False)).schema.unit is None


# --------------------------------------------------------------------------- real files


def test_real_receipt_csv(shared_real: Path) -> None:
    log = read_log(shared_real / "logs" / "receipt.csv.gz")
    assert_balanced(log, 8577)
    assert log.accounting.rows_rejected == 0
    assert len(log) == 8577
    assert log.cases == 1434
    assert log.variants().height == 116
    assert log.variants()["cases"].sum() == 1434


def test_real_running_example(shared_real: Path) -> None:
    xes = read_log(shared_real / "logs" / "running-example.xes")
    csv = read_log(shared_real / "logs" / "running-example.csv")
    assert len(xes) == len(csv) == 42
    assert xes.cases == csv.cases == 6
    assert xes.variants().equals(csv.variants())


def test_real_sepsis(shared_real: Path) -> None:
    sepsis = shared_real / "logs" / "13_SEPSIS_1t_per_variant.xes.gz"
    log = read_log(sepsis, duplicates="reject")
    assert_balanced(log, 13775)
    assert log.cases == 846
    # the file repeats 7 lab events with identical case/activity/timestamp
    assert log.accounting.reasons == {"duplicate_event": 7}
    kept = read_log(sepsis)  # kept by default, as pm4py does, and counted
    assert len(kept) == 13775
    assert kept.variants().height == 846
    assert kept.accounting.warnings["duplicate_event"] == 7
    assert len(kept.accounting.warning_examples["duplicate_event"]) == 5


def test_real_roadtraffic_no_timestamps(shared_real: Path) -> None:
    log = read_log(shared_real / "logs" / "19_roadtraffic_1t_per_variant.xes.gz")
    assert_balanced(log, 1891)
    assert log.accounting.rows_rejected == 0
    assert log.accounting.warnings == {"generated_case_id": 231, "no_timestamps": 1891}
    assert log.cases == 231
    assert log.variants().height == 231
    assert log.events["timestamp"].null_count() == 1891


def test_quoted_fields_use_csv_rules(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text(
        "case,activity,timestamp,note\n"
        'c1,"Besök, akut",2024-01-01 10:00,"två\nrader"\n'
        "c1,Hemgång,2024-01-01 12:00\n"
        'c2,"Besök, akut",2024-01-01 11:00,"1,5"\n'
    )
    log = read_log(p)
    assert_balanced(log, 3)
    assert log.accounting.examples == {"malformed_row": [4]}
    assert log.events.select("case", "activity", "row", "note").rows() == [
        ("c1", "Besök, akut", 2, "två\nrader"),
        ("c2", "Besök, akut", 5, "1,5"),  # comma-delimited: "1,5" stays text
    ]


def test_mapping_may_be_given_as_a_file_path(tmp_path: Path) -> None:
    mapping = tmp_path / "koder.csv"
    mapping.write_text("local;standard\nLB01;visit\n", encoding="utf-8")
    frame = pl.DataFrame({"case": ["c1"], "activity": ["LB01"], "timestamp": ["2024-03-05 10:00"]})
    log = read_log(frame, mapping=str(mapping))
    assert log.events["activity"].to_list() == ["visit"]
    assert log.events["original_activity"].to_list() == ["LB01"]


# --------------------------------------------------------------------------- options, typed facts


def test_read_options_object_and_keyword_overrides() -> None:
    opts = ReadOptions(timezone="UTC", duplicates="keep")
    assert ReadOptions().duplicates == "keep"
    log = read_log(DATA / "swedish_export.csv", options=opts)
    assert log.timezone == "UTC"
    assert "duplicate_event" not in log.accounting.reasons
    # a keyword overrides that field only; the given options object is not changed
    over = read_log(DATA / "swedish_export.csv", options=opts, duplicates="reject")
    assert over.accounting.reasons["duplicate_event"] == 1
    assert over.timezone == "UTC"
    assert opts.duplicates == "keep"
    assert read_log(DATA / "swedish_export.csv", limits=None).accounting.rows_read == 13


def test_read_options_validated() -> None:
    with pytest.raises(ValueError, match="duplicates"):
        ReadOptions(duplicates="drop")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        ReadOptions(timezone="Mars/Olympus")
    with pytest.raises(TypeError, match="unknown read option"):
        ReadOptions().update(timezon="UTC")  # type: ignore[call-arg]
    assert ReadOptions().timezone == "Europe/Stockholm"


def test_timezone_and_source_info_are_typed() -> None:
    log = read_log(DATA / "swedish_export.csv")
    assert log.timezone == "Europe/Stockholm"
    assert log.source_info == SourceInfo(
        format="csv", encoding="cp1252", delimiter=";", header_line=1
    )
    assert read_log(DATA / "dst.csv", timezone="UTC").timezone == "UTC"
    frame = read_log(pl.DataFrame({"case": ["a"], "activity": ["x"], "timestamp": ["2024-01-01"]}))
    assert frame.source_info.format == "polars"
    assert frame.metadata == {"format": "polars", "timezone": "Europe/Stockholm"}


def test_variant_table_is_the_one_behind_variants() -> None:
    log = read_log(DATA / "swedish_export.csv")
    table = variant_table(log.events)
    assert table.variants.columns == ["variant", "activities", "cases"]
    assert table.cases.columns == [
        "case",
        "unit",
        "variant",
        "events",
        "start",
        "end",
        "duration_s",
    ]
    assert table.variants.select(pl.col("activities").alias("variant"), "cases").equals(
        log.variants()
    )
    assert table.cases["case"].to_list() == log.events["case"].unique(maintain_order=True).to_list()
    assert table.cases.select("case", "variant", "unit").equals(log.case_variants())
    no_unit = variant_table(log.events.drop("unit")).cases
    assert no_unit["unit"].null_count() == no_unit.height


def test_to_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    log = read_log(DATA / "swedish_export.csv")
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'fvmprocess\[pandas\]'"):
        log.to_pandas()
