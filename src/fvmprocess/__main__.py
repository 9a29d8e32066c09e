"""``python -m fvmprocess``: the command line, as the ``fvmprocess`` script runs it."""

from __future__ import annotations

from fvmprocess.cli import main

if __name__ == "__main__":
    main(prog_name="fvmprocess")
