#!/usr/bin/env bash
# Set up a fresh machine for finmodel, safe to run again (it skips what is there):
# - Debian packages the tests use to recalculate the exported workbook in two
#   engines: headless LibreOffice Calc (libreoffice-calc-nogui) and Gnumeric
#   (gnumeric, for ssconvert); and, for venv, python3-venv;
# - a virtual environment .venv with the package and its test tools
#   (pip install -e ".[test]"). Stock Debian's python3 refuses a system-wide
#   pip install (PEP 668), so finmodel always lives in .venv:
#   run it as .venv/bin/finmodel, its tests as .venv/bin/python -m pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
if ! command -v soffice >/dev/null 2>&1 && [ ! -x /usr/lib/libreoffice/program/soffice ]; then
  missing+=(libreoffice-calc-nogui)
fi
if ! command -v ssconvert >/dev/null 2>&1; then
  missing+=(gnumeric)
fi
if [ ! -x .venv/bin/python ] && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the virtual environment .venv" >&2
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
