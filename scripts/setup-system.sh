#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (servers the tests start on
# loopback, a browser for the UI test). Safe to run again; needs root (or sudo) to install.
# Redis and PostgreSQL for the connector tests (started by the tests on loopback ports),
# Chromium for the web UI test (driven by playwright-core).
set -euo pipefail
NEEDED=(redis-server postgresql-15 chromium)
missing=()
for pkg in "${NEEDED[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "sluice setup: missing ${missing[*]}; install them with apt-get as root." >&2; exit 1
  fi
fi
echo "sluice setup: installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
