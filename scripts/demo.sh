#!/usr/bin/env bash
# The main job: installs what it needs, then validates and draws the catalogue, checks the
# shipped unit logs against the standard processes and writes the reports to ./out.
set -euo pipefail
cd "$(dirname "$0")/.."
FVM_EXTRAS=${FVM_EXTRAS:-render} ./scripts/bootstrap.sh
exec "${PYTHON:-python3}" -m fvmprocess.cli demo -o "${1:-out}"
