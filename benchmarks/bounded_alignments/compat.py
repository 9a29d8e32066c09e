"""Import the fvmprocess aligner wherever it lives this hour (align or conformance.align).

FVM_SNAPSHOT=1 puts the frozen copy in _snapshot/ first on sys.path (stable baseline while
the main tree is being refactored)."""
import importlib, os, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if os.environ.get("FVM_SNAPSHOT") == "1":
    sys.path.insert(0, str(HERE / "_snapshot"))


def aligner_module():
    for name in ("fvmprocess.conformance.align", "fvmprocess.align"):
        try:
            mod = importlib.import_module(name)
            if hasattr(mod, "Aligner"):
                return mod
        except ImportError:
            continue
    raise ImportError("no fvmprocess aligner module found")


def read_pnml(path):
    try:
        from fvmprocess import read_pnml as r
    except ImportError:
        from fvmprocess.petri import read_pnml as r
    return r(path)
