#!/usr/bin/env bash
# Install Chromium for the browser test (test/report-browser.test.ts) if it is missing. Idempotent and quiet:
# does nothing when /usr/bin/chromium exists. Debian/Ubuntu (apt-get); needs root or sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: apt-get not found; install Chromium so that $CHROMIUM exists (or set BINWAVE_CHROMIUM)" >&2
  exit 1
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "install-chromium.sh: installing chromium failed" >&2
  exit 1
fi
rm -f "$log"
if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium.sh: chromium installed but $CHROMIUM is missing" >&2
  exit 1
fi
echo "install-chromium.sh: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
