"""Hostile inputs: every reader gives a correct result or one clear :class:`FvmProcessError`.

The corpus is ``tests/data/hostile/`` (small files only); the big inputs (a 100 000-element
model, a 100 000-event case, a gzip bomb) are generated here. Each table row names a file and
what it must produce: an exception class and the message fragments (always the file name and the
place), or for event logs the accounting. ``docs/hardening.md`` lists the same table in prose.
"""

from __future__ import annotations

import gzip
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.cli import main
from fvmprocess.conformance.align import Aligner
from fvmprocess.errors import BpmnError, FvmProcessError, LogError, PnmlError, UnsafeXmlError
from fvmprocess.eventlog import EventLog, ReadLimits, read_log
from fvmprocess.petri import PetriNet, Transition, read_pnml
from fvmprocess.validate import validate

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
PERSONNUMMER = ("19121212-1212", "201212121212")


@dataclass(frozen=True)
class Refused:
    """The reader must raise ``error`` with all ``fragments`` in the message."""

    error: type[FvmProcessError]
    fragments: tuple[str, ...] = ()


def _assert_refused(exc: pytest.ExceptionInfo[FvmProcessError], file: str, want: Refused) -> None:
    assert type(exc.value) is want.error, (type(exc.value), str(exc.value))
    message = str(exc.value)
    assert file in message
    assert exc.value.source is not None and file in exc.value.source
    for fragment in want.fragments:
        assert fragment in message, (fragment, message)
    assert "Traceback" not in message


# -- BPMN ---------------------------------------------------------------------------------------

_UNSAFE = Refused(UnsafeXmlError, ("line 2", "DOCTYPE"))

BPMN_REFUSED: dict[str, Refused] = {
    "xxe_file.bpmn": _UNSAFE,
    "xxe_network.bpmn": _UNSAFE,
    "xxe_parameter.bpmn": _UNSAFE,
    "billion_laughs.bpmn": _UNSAFE,
    "quadratic.bpmn": _UNSAFE,
    "dtd_only.bpmn": _UNSAFE,
    "dtd_external.bpmn": _UNSAFE,
    "doctype_lowercase.bpmn": _UNSAFE,
    "dtd_only_utf16.bpmn": Refused(UnsafeXmlError, ("line 2", "DOCTYPE")),
    "truncated.bpmn": Refused(BpmnError, ("line 6", "not well-formed XML")),
    "not_bpmn.bpmn": Refused(BpmnError, ("line 2", "root element is <svg>", "<definitions>")),
    "no_namespace.bpmn": Refused(BpmnError, ("line 2", "without namespace")),
    "binary.bpmn": Refused(BpmnError, ("line 1", "binary data")),
    "empty.bpmn": Refused(BpmnError, ("empty",)),
    "whitespace.bpmn": Refused(BpmnError, ("empty",)),
    "wrong_encoding.bpmn": Refused(BpmnError, ("line 1", "not well-formed XML")),
    "unknown_encoding.bpmn": Refused(BpmnError, ("line 1", "klingon-8")),
    "latin1_undeclared.bpmn": Refused(BpmnError, ("line 5", "encoding")),
    "bad_number.bpmn": Refused(BpmnError, ("line 12", "not a number")),
}

#: Read leniently (as Camunda Modeler and bpmn-moddle open them), refused by validation and by
#: translation, each naming the element and line.
BPMN_KEPT_BUT_INVALID: dict[str, tuple[str, str, str]] = {
    "duplicate_ids.bpmn": ("duplicate-id", "t1", "line 6"),
    "process_no_id.bpmn": ("missing-id", "<process line 3>", "line 3"),
}


@pytest.mark.parametrize("name", sorted(BPMN_KEPT_BUT_INVALID))
def test_bpmn_kept_but_invalid(name: str) -> None:
    from fvmprocess.compile import to_petri_net
    from fvmprocess.errors import TranslationError

    code, element, line = BPMN_KEPT_BUT_INVALID[name]
    model = read_bpmn(HOSTILE / name)
    errors = [p for p in validate(model) if p.severity == "error"]
    assert any(p.code == code and p.element == element for p in errors), errors
    with pytest.raises(TranslationError) as exc:
        to_petri_net(model)
    assert line in str(exc.value) and element in str(exc.value) and name in str(exc.value)


@pytest.mark.parametrize("name", sorted(BPMN_REFUSED))
def test_bpmn_refused(name: str) -> None:
    with pytest.raises(FvmProcessError) as exc:
        read_bpmn(HOSTILE / name)
    _assert_refused(exc, name, BPMN_REFUSED[name])


@pytest.mark.parametrize("name", ["xxe_file.bpmn", "billion_laughs.bpmn", "truncated.bpmn"])
def test_bpmn_refused_from_bytes_names_bytes(name: str) -> None:
    with pytest.raises(BpmnError) as exc:
        read_bpmn((HOSTILE / name).read_bytes())
    assert exc.value.source == "<bytes>"


def test_bpmn_xxe_utf16_is_unsafe() -> None:
    with pytest.raises(FvmProcessError) as exc:
        read_bpmn(HOSTILE / "xxe_utf16.bpmn")
    _assert_refused(exc, "xxe_utf16.bpmn", Refused(UnsafeXmlError, ("DOCTYPE",)))


def test_bpmn_xxe_utf16_never_reads_the_file() -> None:
    # whatever the class, the entity is never expanded
    with pytest.raises(BpmnError) as exc:
        read_bpmn(HOSTILE / "xxe_utf16.bpmn")
    assert "root:" not in str(exc.value)


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("valid.bpmn", set()),
        ("latin1_declared.bpmn", set()),
        ("xinclude.bpmn", set()),
        ("dangling_refs.bpmn", {"dangling-reference"}),
        ("cycle_no_start.bpmn", {"no-start-event", "no-end-event"}),
    ],
)
def test_bpmn_read_ok_validate_reports(name: str, codes: set[str]) -> None:
    model = read_bpmn(HOSTILE / name)
    found = {p.code for p in validate(model)}
    assert codes <= found
    if not codes:
        assert not {p.code for p in validate(model) if p.severity == "error"}


def test_bpmn_latin1_declared_reads_names() -> None:
    model = read_bpmn(HOSTILE / "latin1_declared.bpmn")
    assert "Läkarbesök" in {t.name for t in model.tasks}


def test_bpmn_xinclude_is_not_processed() -> None:
    model = read_bpmn(HOSTILE / "xinclude.bpmn")
    assert model._tree is not None
    text = "".join(model._tree.getroot().itertext())
    assert "root:" not in text


def test_bpmn_dangling_reference_names_element() -> None:
    problems = [p for p in validate(read_bpmn(HOSTILE / "dangling_refs.bpmn"))]
    dangling = [p for p in problems if p.code == "dangling-reference"]
    assert dangling and any("ghost" in p.message for p in dangling)
    assert all("dangling_refs.bpmn" in p.source for p in dangling)


def _big_model(n: int) -> bytes:
    ns = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    parts = [f'<definitions xmlns="{ns}" id="d" targetNamespace="t"><process id="p">']
    parts.append('<startEvent id="s"/>')
    prev = "s"
    tasks = (n - 2) // 2
    for i in range(tasks):
        parts.append(f'<task id="t{i}" name="Aktivitet {i}"/>')
        parts.append(f'<sequenceFlow id="f{i}" sourceRef="{prev}" targetRef="t{i}"/>')
        prev = f"t{i}"
    parts.append(f'<endEvent id="e"/><sequenceFlow id="fe" sourceRef="{prev}" targetRef="e"/>')
    parts.append("</process></definitions>")
    return "".join(parts).encode()


@pytest.mark.slow
def test_bpmn_100k_elements_bounded_memory() -> None:
    data = _big_model(100_000)
    tracemalloc.start()
    try:
        model = read_bpmn(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(model.nodes) >= 49_000
    assert len(model.flows) >= 49_000
    assert peak < 1024**3


def test_bpmn_max_bytes() -> None:
    with pytest.raises(BpmnError) as exc:
        read_bpmn(HOSTILE / "valid.bpmn", max_bytes=100)
    assert "max_bytes" in str(exc.value) and "valid.bpmn" in str(exc.value)


# -- PNML ---------------------------------------------------------------------------------------

PNML_REFUSED: dict[str, Refused] = {
    "xxe.pnml": Refused(UnsafeXmlError, ("DOCTYPE",)),
    "xxe_network.pnml": Refused(UnsafeXmlError, ("line 2", "DOCTYPE")),
    "billion_laughs.pnml": Refused(UnsafeXmlError, ("DOCTYPE",)),
    "truncated.pnml": Refused(PnmlError, ("line 4", "not well-formed")),
    "empty.pnml": Refused(PnmlError, ("empty",)),
    "binary.pnml": Refused(PnmlError, ("line 1",)),
    "not_pnml.pnml": Refused(PnmlError, ("<definitions>", "<pnml>")),
    "unknown_encoding.pnml": Refused(PnmlError, ("klingon-8",)),
    "bad_weight.pnml": Refused(PnmlError, ("arc a1", "'lots'")),
    "dangling_arc.pnml": Refused(PnmlError, ("'nowhere'",)),
    "bad_marking.pnml": Refused(PnmlError, ("-3",)),
}


@pytest.mark.parametrize("name", sorted(PNML_REFUSED))
def test_pnml_refused(name: str) -> None:
    with pytest.raises(FvmProcessError) as exc:
        read_pnml(HOSTILE / name)
    _assert_refused(exc, name, PNML_REFUSED[name])


def test_pnml_valid_reads() -> None:
    net = read_pnml(HOSTILE / "valid.pnml")
    assert net.labels == frozenset({"A"})


# -- event logs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """The log reads; accounting must be exactly this (warnings: these keys at least)."""

    read: int
    used: int
    reasons: dict[str, int]
    warnings: tuple[str, ...] = ()


LOG_REFUSED: dict[str, Refused] = {
    "log_empty.csv": Refused(LogError, ("empty file",)),
    "log_missing_columns.csv": Refused(LogError, ("header", "timestamp")),
    "log_binary.csv": Refused(LogError, ("line 1", "NUL")),
    "log_bad.parquet": Refused(LogError, ("Parquet",)),
    "log_empty.xes": Refused(LogError, ("empty file",)),
    "log_truncated.xes": Refused(LogError, ("line 2", "not well-formed")),
    "log_binary.xes": Refused(LogError, ("line 1", "NUL")),
    "log_not_xes.xes": Refused(LogError, ("line 1", "<log>")),
    "log_xxe.xes": Refused(LogError, ("prolog", "DTD")),
    "log_xxe_late.xes": Refused(LogError, ("line 4", "entity")),
    "log_billion_laughs_late.xes": Refused(LogError, ("line 4", "amplification")),
}

LOG_COUNTED: dict[str, Counted] = {
    "log_header_only.csv": Counted(0, 0, {}),
    "log_mixed_delimiters.csv": Counted(4, 2, {"malformed_row": 2}),
    "log_ragged.csv": Counted(4, 2, {"malformed_row": 2}),
    "log_unterminated_quote.csv": Counted(2, 1, {"malformed_row": 1}),  # only its own line
    "log_nul_bytes.csv": Counted(2, 1, {"control_character": 1}),
    "log_quoted_newline.csv": Counted(2, 2, {}),
    "log_unparseable_dates.csv": Counted(
        4, 1, {"missing_timestamp": 1, "unparseable_timestamp": 2}
    ),
    "log_ambiguous_dates.csv": Counted(2, 2, {}, ("assumed_dayfirst",)),
    "log_mixed_timezones.csv": Counted(4, 4, {}),
    "log_dst_gap.csv": Counted(3, 2, {"nonexistent_local_time": 1}),
    "log_dst_overlap.csv": Counted(3, 3, {}, ("ambiguous_local_time",)),
    "log_duplicates.csv": Counted(4, 4, {}, ("duplicate_event",)),  # kept, counted
    "log_missing_cells.csv": Counted(4, 1, {"missing_case": 1, "missing_activity": 2}),
    "log_personnummer.csv": Counted(3, 2, {"unparseable_timestamp": 1}),
    "log_cp1252.csv": Counted(2, 2, {}, ("decoded_as_cp1252",)),
    "log_invalid_utf8.csv": Counted(2, 2, {}, ("decoded_as_cp1252",)),
    "log_utf16.csv": Counted(1, 1, {}),
    "log_valid.xes": Counted(2, 2, {}),
    "log_stray_byte.csv": Counted(6, 6, {}, ("decoded_as_cp1252",)),
    "log_orphan_event.xes": Counted(3, 2, {"event_outside_trace": 1}, ("unconvertible_value",)),
}


def _balanced(log: EventLog) -> None:
    a = log.accounting
    assert a.rows_read == a.rows_used + a.rows_rejected
    assert a.rows_rejected == sum(a.reasons.values())
    assert len(log) == a.rows_used - a.warnings.get("lifecycle_start_merged", 0)


@pytest.mark.parametrize("name", sorted(LOG_REFUSED))
def test_log_refused(name: str) -> None:
    with pytest.raises(FvmProcessError) as exc:
        read_log(HOSTILE / name)
    _assert_refused(exc, name, LOG_REFUSED[name])


def test_log_corrupt_gzip() -> None:
    with pytest.raises(LogError) as exc:
        read_log(HOSTILE / "log_corrupt.csv.gz")
    assert "log_corrupt.csv.gz" in str(exc.value)


@pytest.mark.parametrize("name", sorted(LOG_COUNTED))
@pytest.mark.parametrize("strict", [False, True])
def test_log_counted(name: str, strict: bool) -> None:
    want = LOG_COUNTED[name]
    if strict and want.read != want.used:
        with pytest.raises(LogError) as exc:
            read_log(HOSTILE / name, strict=True)
        assert name in str(exc.value) and "line " in str(exc.value)
        for pnr in PERSONNUMMER:
            assert pnr not in str(exc.value)
        return
    log = read_log(HOSTILE / name, strict=strict)
    _balanced(log)
    a = log.accounting
    assert (a.rows_read, a.rows_used, a.reasons) == (want.read, want.used, want.reasons)
    for w in want.warnings:
        assert a.warnings.get(w, 0) > 0, a.warnings


def test_log_duplicates_rejected_on_request() -> None:
    log = read_log(HOSTILE / "log_duplicates.csv", duplicates="reject")
    _balanced(log)
    a = log.accounting
    assert (a.rows_read, a.rows_used, a.reasons) == (4, 2, {"duplicate_event": 2})
    kept = read_log(HOSTILE / "log_duplicates.csv").accounting
    assert kept.warnings["duplicate_event"] == 2
    assert kept.warning_examples["duplicate_event"] == a.examples["duplicate_event"]


def test_log_values() -> None:
    cp = read_log(HOSTILE / "log_cp1252.csv")
    assert cp.events["activity"].to_list() == ["Läkarbesök", "Åtgärd"]
    assert cp.metadata["encoding"] == "cp1252"
    u16 = read_log(HOSTILE / "log_utf16.csv")
    assert u16.events["activity"].to_list() == ["Läkarbesök"]
    bad = read_log(HOSTILE / "log_invalid_utf8.csv")  # bytes cp1252 leaves undefined: C1
    assert bad.metadata["encoding"] == "cp1252"
    assert bad.events["activity"].to_list() == ["A\x81\x8dÿ", "B"]
    nul = read_log(HOSTILE / "log_nul_bytes.csv")
    assert nul.accounting.examples == {"control_character": [3]}
    stray = read_log(HOSTILE / "log_stray_byte.csv")  # one cp1252 row in a UTF-8 export
    assert stray.events["activity"].unique().to_list() == ["Läkarbesök"]
    assert stray.accounting.warning_examples["decoded_as_cp1252"] == [5]
    orphan = read_log(HOSTILE / "log_orphan_event.xes")
    assert orphan.accounting.examples == {"event_outside_trace": [3]}
    assert orphan.events["prio"].to_list() == ["2", "hög"]  # kept as text, counted
    assert orphan.accounting.warning_examples["unconvertible_value"] == [14]
    amb = read_log(HOSTILE / "log_ambiguous_dates.csv")  # day first: 3 April, 4 May
    assert [t.month for t in amb.events["timestamp"].to_list()] == [4, 5]


def test_log_time_zones_and_dst() -> None:
    tz = read_log(HOSTILE / "log_mixed_timezones.csv").events.sort("row")
    got = [t.strftime("%Y-%m-%d %H:%M") for t in tz["timestamp"].to_list()]
    # Z, +01:00, naive Stockholm winter time (+01:00), -05:00
    assert got == ["2024-01-01 10:00", "2024-01-01 10:30", "2024-01-01 11:00", "2024-07-01 17:00"]
    gap = read_log(HOSTILE / "log_dst_gap.csv")
    assert gap.accounting.examples["nonexistent_local_time"] == [3]
    over = read_log(HOSTILE / "log_dst_overlap.csv").events.sort("row")
    # 02:30 in the overlap is read with the earlier (summer, +02:00) offset
    assert over["timestamp"][1].strftime("%H:%M") == "00:30"


def test_log_personnummer_never_in_errors(tmp_path: Path) -> None:
    pnr = PERSONNUMMER[0]
    bad = tmp_path / "pnr.csv"
    bad.write_text(f"case,activity,timestamp\n{pnr},A,{pnr}\n{pnr},,2024-01-01\n", encoding="utf-8")
    with pytest.raises(LogError) as exc:
        read_log(bad, strict=True)
    assert pnr not in str(exc.value)
    log = read_log(bad)
    _balanced(log)
    assert pnr not in repr(log.accounting.to_dict())


def test_log_gzip_bomb_limited(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.csv.gz"
    payload = b"case,activity,timestamp\n" + b"c1,A,2024-01-01 10:00\n" * 1_000_000
    bomb.write_bytes(gzip.compress(payload, compresslevel=9))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(LogError) as exc:
        read_log(bomb, limits=ReadLimits(max_bytes=1_000_000))
    assert "bomb.csv.gz" in str(exc.value) and "max_bytes" in str(exc.value)


def test_log_max_rows(tmp_path: Path) -> None:
    with pytest.raises(LogError) as exc:
        read_log(HOSTILE / "log_duplicates.csv", limits=ReadLimits(max_rows=2))
    assert "max_rows=2" in str(exc.value)


def _small_net() -> PetriNet:
    # A, then B any number of times, then C
    return PetriNet(
        name="loop",
        places=("i", "p", "o"),
        transitions=(Transition("a", "A"), Transition("b", "B"), Transition("c", "C")),
        arcs=(
            ("i", "a", 1),
            ("a", "p", 1),
            ("p", "b", 1),
            ("b", "p", 1),
            ("p", "c", 1),
            ("c", "o", 1),
        ),
        initial_marking={"i": 1},
        final_marking={"o": 1},
    )


@pytest.mark.slow
def test_log_very_long_case(tmp_path: Path) -> None:
    n = 100_000
    start = pl.datetime(2024, 1, 1)
    frame = pl.DataFrame({"i": range(n)}).select(
        pl.lit("c1").alias("case"),
        pl.when(pl.col("i") == 0)
        .then(pl.lit("A"))
        .when(pl.col("i") == n - 1)
        .then(pl.lit("C"))
        .when(pl.col("i") == n // 2)
        .then(pl.lit("X"))
        .otherwise(pl.lit("B"))
        .alias("activity"),
        (start + pl.duration(seconds=pl.col("i")))
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias("timestamp"),
    )
    path = tmp_path / "long.csv"
    frame.write_csv(path)
    log = read_log(path)
    _balanced(log)
    assert (log.accounting.rows_read, log.cases) == (n, 1)
    trace = log.events["activity"].to_list()
    assert len(trace) == n
    result = Aligner(_small_net()).align(trace)
    assert result.cost == 1.0  # one log move on X


# -- CLI ------------------------------------------------------------------------------------------


def _one_error_line(result: object, name: str, *, after_log_summary: bool = False) -> None:
    """Exactly one ``fvmprocess: error:`` line naming the file, last on stderr, no traceback.

    ``check`` reads the log before the process, so when the process is the bad input its
    one-line row summary (``LOG: n rows read, ...``) precedes the error line.
    """
    stderr = getattr(result, "stderr", "")
    output = getattr(result, "output", "")
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("fvmprocess: error: ")]
    assert len(errors) == 1 and errors[0] == lines[-1], stderr
    assert len(lines) == (2 if after_log_summary else 1), stderr
    assert name in errors[0]
    assert "Traceback" not in output and "Traceback" not in stderr


@pytest.mark.parametrize(
    "name",
    ["xxe_file.bpmn", "billion_laughs.bpmn", "truncated.bpmn", "binary.bpmn", "empty.bpmn"],
)
def test_cli_validate_unreadable(name: str) -> None:
    r = CliRunner().invoke(main, ["validate", str(HOSTILE / name)])
    assert r.exit_code == 2
    _one_error_line(r, name)


def test_cli_validate_dangling_exit_1() -> None:
    r = CliRunner().invoke(main, ["validate", "--no-xsd", str(HOSTILE / "dangling_refs.bpmn")])
    assert r.exit_code == 1
    assert "dangling-reference" in r.output


@pytest.mark.parametrize(
    ("process", "log"),
    [
        ("valid.pnml", "log_empty.csv"),
        ("valid.pnml", "log_binary.csv"),
        ("valid.pnml", "log_missing_columns.csv"),
        ("valid.pnml", "log_xxe.xes"),
        ("xxe.pnml", "log_valid.xes"),
        ("truncated.pnml", "log_valid.xes"),
    ],
)
def test_cli_check_unreadable(process: str, log: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = CliRunner().invoke(
        main,
        [
            "check",
            "--process",
            str(HOSTILE / process),
            "--log",
            str(HOSTILE / log),
            "-o",
            str(out),
            "-q",
        ],
    )
    assert r.exit_code == 2, r.output
    bad = log if process == "valid.pnml" else process
    _one_error_line(r, bad, after_log_summary=False)
    assert not out.exists()


def test_cli_check_strict(tmp_path: Path) -> None:
    net = str(HOSTILE / "valid.pnml")
    log = str(HOSTILE / "log_personnummer.csv")
    out = tmp_path / "r.json"
    r = CliRunner().invoke(main, ["check", "--process", net, "--log", log, "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "1 rejected" in r.stderr
    r = CliRunner().invoke(
        main, ["check", "--process", net, "--log", log, "-o", str(out), "-q", "--strict"]
    )
    assert r.exit_code != 0
    _one_error_line(r, "log_personnummer.csv")
    assert "line 3" in r.stderr
    for pnr in PERSONNUMMER:
        assert pnr not in r.output and pnr not in r.stderr


# -- trust: what the check and the documents make of hostile content (issue 14) -----------------


def test_personnummer_in_a_label_is_never_drawn(tmp_path: Path) -> None:
    """The labels 'Triage19121212-1212' and 'Samtal 19121212-1212' (0.1 drew them split over
    <tspan> lines, past the redaction and the scan): every <text>, its lines joined, is clean."""
    import re
    import xml.etree.ElementTree as ET

    from fvmprocess._shared.privacy import PNR_PATTERN

    out = tmp_path / "d.svg"
    r = CliRunner().invoke(
        main, ["render", str(HOSTILE / "label_personnummer.bpmn"), "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    labels = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any("[dolt]" in label for label in labels)
    assert not any(PNR_PATTERN.search(re.sub(r"-", "", label)) for label in labels)


def test_three_case_unit_shows_no_derived_figure(tmp_path: Path) -> None:
    """A unit of 3 cases, none within the limit: 0.1 showed 33,3 % style shares and the Wilson
    interval 0,0–56,1 % (which gives n = 3 back). Every figure of that unit is suppressed."""
    from fvmprocess.conformance import check
    from fvmprocess.report import render_report
    from fvmprocess.timelimit import TimeLimit

    lim = TimeLimit(
        id="reg-doc", from_activity="Task_Reg", to_activity="Task_Doc", max_duration="PT60M",
        target_share=0.9,
    )  # fmt: skip
    result = check(
        HOSTILE / "label_personnummer.bpmn", HOSTILE / "log_three_case_unit.csv", time_limits=[lim]
    )
    small = result.units.filter(pl.col("unit") == "Liten enhet").row(0, named=True)
    assert small["cases"] == 3 and round(small["time_limit_compliance_high"], 3) == 0.561
    md = tmp_path / "r.md"
    render_report(result, md, generated=False)
    text = md.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|") and "Liten enhet" in line]
    assert rows
    for line in rows:
        assert "%" not in line, line
    assert "56,1" not in text and "33,3" not in text


def test_mapping_with_an_unknown_target() -> None:
    r = CliRunner().invoke(
        main,
        [
            "check", "--process", str(HOSTILE / "label_personnummer.bpmn"),
            "--log", str(HOSTILE / "log_local_names.csv"),
            "--mapping", str(HOSTILE / "mapping_unknown_target.csv"), "-o", "/dev/null",
        ],
    )  # fmt: skip
    assert r.exit_code == 2
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("fvmprocess: error: ") and "mapping_unknown_target.csv, line 4" in last
    assert "'Lab' -> 'Task_Labb'" in last and "Task_Lab'?" in last


def test_log_matching_nothing(tmp_path: Path) -> None:
    args = [
        "check", "--process", str(HOSTILE / "label_personnummer.bpmn"),
        "--log", str(HOSTILE / "log_matching_nothing.csv"), "-o", str(tmp_path / "r.json"), "-q",
    ]  # fmt: skip
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0
    assert "WARNING: only 0.0 % of the events (0 of 18)" in r.output
    assert "Inskrivning (6), Journalgenomgång (6), Rond (6)" in r.output
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 2 and "0.0 % of the events" in strict.output


def test_multi_unit_cases_are_counted() -> None:
    """3 of 8 cases move from Akuten to Avd 12 after their third event."""
    from fvmprocess.conformance import check

    model, log = HOSTILE / "label_personnummer.bpmn", HOSTILE / "log_multi_unit.csv"
    first = check(model, log)
    assert first.accounting.warnings["multi_unit_cases"] == 3
    assert first.cases.filter(pl.col("unit") == "Avd 12").height == 0
    most = check(model, log, unit_assignment="most")
    assert most.cases.filter(pl.col("unit") == "Akuten").height == 8  # 3 of 5 events there
    split = check(model, log, unit_assignment="split")
    assert split.accounting.warnings["unit_episodes"] == 6
    assert split.cases.filter(pl.col("unit") == "Avd 12")["case"].sort().to_list() == [
        "M0#2",
        "M1#2",
        "M2#2",
    ]
