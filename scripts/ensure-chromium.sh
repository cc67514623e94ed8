#!/usr/bin/env bash
# Find a Chromium for the browser tests; install Debian's if we can. Never fails the build:
# the tests themselves skip loudly (or fail, with PLAZA_REQUIRE_BROWSER=1) when none exists.
set -u
found() { for c in "${PLAZA_CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium 2>/dev/null)" "$(command -v chromium-browser 2>/dev/null)"; do
  [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }; done; return 1; }

if path=$(found); then echo "Chromium for browser tests: $path"; exit 0; fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/plaza-chromium-install.log 2>&1 \
    || echo "apt-get could not install chromium (see /tmp/plaza-chromium-install.log)."
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/plaza-chromium-install.log 2>&1 || true
fi
if path=$(found); then echo "Chromium for browser tests: $path"; exit 0; fi

# Last resort: a Playwright-managed Chromium (needs access to Playwright's download host).
if [ -x .venv/bin/playwright ]; then .venv/bin/playwright install chromium >/dev/null 2>&1 && { echo "Using Playwright's Chromium."; exit 0; }; fi

echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
echo "!! No Chromium could be found or installed: the browser tests will be SKIPPED.  !!"
echo "!! Install Debian's 'chromium' package (apt-get install chromium) to run them. !!"
echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
exit 0
