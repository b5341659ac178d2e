#!/usr/bin/env bash
# Open QGIS desktop with the geoplan plugin and geoplan's Python dependencies available.
# QGIS runs Debian's Python, not the venv: this puts the repository and the venv's site-packages
# on PYTHONPATH and the plugin folder on QGIS_PLUGINPATH. Usage: scripts/qgis.sh [qgis args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
if ! command -v qgis >/dev/null 2>&1; then
    echo "[qgis.sh] QGIS desktop is not installed: sudo apt-get install -t bookworm-backports qgis" >&2
    exit 1
fi
SITE="$("$ROOT/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
export PYTHONPATH="$ROOT:$SITE${PYTHONPATH:+:$PYTHONPATH}"
export QGIS_PLUGINPATH="$ROOT/qgis_plugin${QGIS_PLUGINPATH:+:$QGIS_PLUGINPATH}"
# a fresh profile has the plugin disabled (no menu, no provider): enable it in the profile QGIS
# opens (the default one, or the one given with --profile / QGIS_CUSTOM_CONFIG_PATH)
if ! QT_QPA_PLATFORM=offscreen qgis_process plugins enable geoplan_qgis >/dev/null 2>&1; then
    echo "[qgis.sh] could not enable the plugin: Plugins > Manage and Install Plugins > Installed > geoplan" >&2
fi
exec qgis "$@"
