#!/usr/bin/env bash
# Set up a fresh machine for finmodel: the Python package with its test tools, and
# headless LibreOffice Calc (Debian's libreoffice-calc-nogui), which the tests use to
# recalculate the exported workbook. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1 && [ ! -x /usr/lib/libreoffice/program/soffice ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libreoffice-calc-nogui >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
