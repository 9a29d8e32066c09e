"""A catalogue folder is read as needed: one lookup reads one metadata file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import fvmprocess.catalog.store as store
from fvmprocess.catalog import Catalog, default_models_dir
from fvmprocess.errors import CatalogError
from fvmprocess.process import resolve_process


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    models = default_models_dir()
    for stem in ("akutmottagning", "hoftfraktur"):
        for suffix in (".bpmn", ".yaml"):
            shutil.copy(models / f"{stem}{suffix}", tmp_path / f"{stem}{suffix}")
    shutil.copy(models / "sepsis_akut.bpmn", tmp_path / "yy.bpmn")  # no metadata
    shutil.copy(models / "sepsis_akut.bpmn", tmp_path / "zz.bpmn")  # unreadable metadata
    (tmp_path / "zz.yaml").write_text("id: zz\n  bad: [indent\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = store.read_yaml

    def counting(path: Path) -> object:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(store, "read_yaml", counting)
    return seen


def test_one_lookup_reads_one_file(folder: Path, reads: list[Path]) -> None:
    cat = Catalog.from_directory(folder)
    assert reads == []
    assert cat["akutmottagning"].id == "akutmottagning"
    assert resolve_process("akutmottagning", catalog=cat).id == "akutmottagning"
    assert "hoftfraktur" in cat and cat.get("nothing") is None
    assert [p.name for p in reads] == ["akutmottagning.yaml", "hoftfraktur.yaml"]


def test_everything_else_as_when_all_files_are_read(folder: Path, reads: list[Path]) -> None:
    cat = Catalog.from_directory(folder)
    with pytest.raises(CatalogError, match="cannot read metadata") as e:
        cat["zz"]  # the broken file's own error
    assert e.value.source == str(folder / "zz.yaml")
    with pytest.raises(
        CatalogError, match=r"no standard process 'yy'; known: akutmottagning, hoft"
    ):
        cat["yy"]
    assert [(f.code, Path(f.file).name) for f in cat.problems] == [
        ("bpmn-without-metadata", "yy.bpmn"),
        ("unreadable", "zz.yaml"),
    ]
    assert cat.ids() == ["akutmottagning", "hoftfraktur"] and len(cat) == 2
    assert [p.id for p in cat] == cat.ids()
    assert sorted(p.name for p in reads) == ["akutmottagning.yaml", "hoftfraktur.yaml", "zz.yaml"]
    fresh = Catalog.from_directory(folder)  # problems first: the same, in file order
    assert fresh.problems == cat.problems and fresh.ids() == cat.ids()
