#!/usr/bin/env bash
# Installs Debian's Chromium for the web app's browser tests (apps/web/e2e, driven by
# playwright-core, which downloads no browser of its own).
#
# Idempotent: when /usr/bin/chromium is there it exits without touching apt. Must run as root.
set -euo pipefail

log() { printf 'install-chromium: %s\n' "$*"; }

if [[ -x /usr/bin/chromium ]]; then
  log "present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  printf 'install-chromium: error: must run as root (try: sudo %s)\n' "$0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log 'installing chromium from apt'
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
log "installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
