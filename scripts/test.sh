#!/usr/bin/env bash
# The test suite: installs what it needs (Debian packages, the package with its dev extra,
# bpmn-js from npm),
# then runs ruff, mypy and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
FVM_EXTRAS=dev ./scripts/bootstrap.sh
# bpmn-js (pinned by tests/browser/package-lock.json) for the label comparison in
# tests/test_browser.py; without the npm registry that one test skips and says so
[ -d tests/browser/node_modules/bpmn-js ] || npm ci --prefix tests/browser --no-audit --no-fund --silent \
  || echo "npm ci failed: tests/test_browser.py will skip its bpmn-js comparison" >&2
"${PYTHON:-python3}" -m ruff check src tests
"${PYTHON:-python3}" -m mypy
"${PYTHON:-python3}" -m pytest -q -p no:cacheprovider "$@"
