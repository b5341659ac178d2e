# Sourced first by scripts/setup.sh and scripts/setup_cli.sh (not run on its own): strict mode,
# the checkout root as working folder ($ROOT), $SUDO for apt when not root, and log() that
# prefixes each message with $SETUP_TAG on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
log() { printf '[%s] %s\n' "$SETUP_TAG" "$*" >&2; }
