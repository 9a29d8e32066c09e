#!/usr/bin/env bash
# The test suite: installs what it needs (Debian packages, the package with its dev extra),
# then runs ruff, mypy and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
FVM_EXTRAS=dev ./scripts/bootstrap.sh
"${PYTHON:-python3}" -m ruff check src tests
"${PYTHON:-python3}" -m mypy
"${PYTHON:-python3}" -m pytest -q -p no:cacheprovider "$@"
