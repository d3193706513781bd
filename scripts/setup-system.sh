#!/usr/bin/env bash
# Installs the Debian packages the tests need (servers they start on loopback, a browser for
# the UI test) when they are missing. Safe to run again. Needs root (or sudo) to install.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "sluice setup: missing ${need[*]}; install them with apt-get (needs root)." >&2; exit 0
  fi
fi
echo "sluice setup: installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
