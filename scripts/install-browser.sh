#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test
# (reports/html.browser.test.ts drives it with playwright-core, which
# downloads no browser of its own). Idempotent: does nothing when
# /usr/bin/chromium is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium
/usr/bin/chromium --version
