#!/usr/bin/env bash
# Installs Debian's redis-server, redis-sentinel and redis-tools when they are missing.
set -euo pipefail
if command -v redis-server >/dev/null && command -v redis-sentinel >/dev/null \
    && command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null
# The package may start a system service on port 6379; the tests never use it, but stop it
# so the demo's throwaway server and the machine stay quiet.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
fi
