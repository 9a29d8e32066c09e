#!/usr/bin/env bash
# Installs everything fvmprocess needs on a fresh Debian machine: system packages
# (graphviz, poppler-utils for PDF checks, chromium for the browser test, fonts, weasyprint's
# libraries) and the Python package with its extras in editable mode.
# Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || need_apt+=(libharfbuzz-subset0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
dpkg -s libcairo2 >/dev/null 2>&1 || need_apt+=(libcairo2)
# Java for the Spark engine tests (pyspark runs on a JVM)
case "${FVM_EXTRAS:-dev}" in *dev*|*spark*) command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless) ;; esac
case "${FVM_EXTRAS:-dev}" in *dev*) command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm) ;; esac
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # wait for another apt/dpkg run (unattended upgrades on a fresh machine) instead of failing
  lock=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need_apt[@]}"
fi
extras=${FVM_EXTRAS:-dev}
if true; then
  $PY -m pip install -q --disable-pip-version-check -e ".[${extras}]"
fi
