#!/usr/bin/env bash
# The command-line set-up (make demo): a plain venv with binary wheels only, no QGIS, nothing
# compiled. The CLI never runs inside QGIS, so shapely/pyproj/pyogrio/rasterio may bring their own
# GEOS/PROJ/GDAL here. Versions: requirements-wheels.lock (numpy 2; CI runs the core suite in it).
# Idempotent: quick when everything is in place. Usage: scripts/setup_cli.sh [VENV]  (.venv-cli)
SETUP_TAG=setup-cli
# shellcheck source=scripts/setup_common.sh
. "$(dirname "$0")/setup_common.sh"
VENV="${1:-$ROOT/.venv-cli}"

# a Python >= 3.11 that can make venvs: python3 on PATH, else Debian's (python3-venv if needed)
ok_python() { "$1" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
PY=""
for cand in python3 /usr/bin/python3 python3.13 python3.12 python3.11; do
    if command -v "$cand" >/dev/null 2>&1 && ok_python "$(command -v "$cand")"; then
        PY=$(command -v "$cand"); break
    fi
done
if [ -z "$PY" ]; then
    log "installing python3 and python3-venv (Debian)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        python3 python3-venv >/dev/null
    PY=/usr/bin/python3
fi

if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV (wheels only, no QGIS)"
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.geoplan-installed"
WANT=$(cat pyproject.toml requirements-wheels.lock | sha256sum | cut -c1-64)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    log "installing geoplan and its locked dependencies (binary wheels only) into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip>=25.3"
    # only geoplan itself is built (pure Python); every dependency must be a binary wheel
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary :all: \
        -c requirements-wheels.lock -e ".[test]"
    echo "$WANT" > "$STAMP"
fi
