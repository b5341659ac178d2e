#!/usr/bin/env bash
# geoplan set-up for the tests (make test, make qgis): QGIS 3.40 LTR (Debian bookworm-backports: the Python bindings, the desktop and
# qgis_process), a venv made from Debian's Python with
# the system site-packages (so `qgis` imports), and geoplan with locked versions.
# The command line alone (make demo) needs none of this: scripts/setup_cli.sh makes a wheel-only venv.
# Idempotent: quick when everything is already in place. Usage: scripts/setup.sh
SETUP_TAG=setup
# shellcheck source=scripts/setup_common.sh
. "$(dirname "$0")/setup_common.sh"
VENV="$ROOT/.venv"

need_apt=0
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || need_apt=1
[ -d /usr/share/qgis/python/plugins/processing ] || need_apt=1
command -v qgis_process >/dev/null 2>&1 || need_apt=1
/usr/bin/python3 -c "import ensurepip" >/dev/null 2>&1 || need_apt=1
# strace: tests/core/test_gpkg_syncs.py counts a GeoPackage write's fsync calls with it
for tool in gdal-config geos-config proj strace; do command -v $tool >/dev/null 2>&1 || need_apt=1; done
if [ "$need_apt" = 1 ]; then
    log "installing QGIS 3.40 LTR from bookworm-backports (about 1-2 minutes, 2 GB)"
    if [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
        $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        -t bookworm-backports python3-qgis qgis-providers qgis-common qgis python3-venv \
        qttools5-dev-tools \
        libgdal-dev libproj-dev libgeos-dev proj-bin pkg-config strace >/dev/null
    /usr/bin/python3 -c "import qgis.core" || { log "QGIS did not install: see messages above"; exit 1; }
fi

if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV from Debian's Python (with system site-packages for qgis)"
    /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi

STAMP="$VENV/.geoplan-installed"
WANT=$(cat pyproject.toml scripts/build-constraints.txt $(ls requirements.lock 2>/dev/null) | sha256sum | cut -c1-64)
# shapely, pyproj, pyogrio and rasterio are compiled against Debian's GEOS/PROJ/GDAL, the copies
# QGIS itself links: a second copy from a binary wheel crashes inside the QGIS executable.
# pyproj needs an older Cython to build (scripts/build-constraints.txt); shapely needs a new one.
# No wheel cache: pip keys cached wheels by version, not by the build constraints.
LOCK=(); [ -f requirements.lock ] && LOCK=(-c requirements.lock)
pip_pyproj() {
    "$VENV/bin/python" -m pip install -q --no-cache-dir --no-binary pyproj \
        --build-constraint scripts/build-constraints.txt "${LOCK[@]}" "$@" pyproj
}
pip_geo() {
    "$VENV/bin/python" -m pip install -q --no-cache-dir --no-binary shapely,pyogrio,rasterio \
        "${LOCK[@]}" "$@"
}
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    log "installing geoplan and its locked dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade "pip>=25.3" >/dev/null
    pip_pyproj
    pip_geo -e ".[dev]"
    if ! "$VENV/bin/python" scripts/check_system_libs.py >/dev/null; then
        log "rebuilding shapely, pyproj, pyogrio, rasterio against Debian's GEOS/PROJ/GDAL (~3 min)"
        pip_pyproj --force-reinstall --no-deps
        pip_geo --force-reinstall --no-deps shapely pyogrio rasterio
        "$VENV/bin/python" scripts/check_system_libs.py
    fi
    echo "$WANT" > "$STAMP"
fi

# Wheels for the plugin's offline install test (tests/plugin/test_plugin_install.py): the pure-Python
# dependencies a stock QGIS lacks, in the locked versions, for QGIS's own Python.
WHEELHOUSE="$ROOT/.cache/wheelhouse"
WH_STAMP="$WHEELHOUSE/.stamp"
WH_WANT=$(cat scripts/plugin_wheelhouse.txt $(ls requirements.lock 2>/dev/null) | sha256sum | cut -c1-64)
if [ ! -f "$WH_STAMP" ] || [ "$(cat "$WH_STAMP")" != "$WH_WANT" ]; then
    log "downloading the plugin's dependency wheels into $WHEELHOUSE"
    mkdir -p "$WHEELHOUSE"
    "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps \
        --only-binary :all: -d "$WHEELHOUSE" "${LOCK[@]}" -r scripts/plugin_wheelhouse.txt
    echo "$WH_WANT" > "$WH_STAMP"
fi
