#!/usr/bin/env bash
# Set up linewise on a fresh machine: Graphviz (system package), a virtual
# environment in .venv, and every pinned Python dependency. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  echo "setup: installing Graphviz (the 'dot' binary)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    echo "setup: cannot install Graphviz: run 'apt-get install graphviz' as root" >&2
    exit 1
  fi
fi

# Debian's chromium, for the real-browser tests of the console and the portal (Playwright
# drives it; it never downloads a browser of its own).
if ! command -v chromium >/dev/null 2>&1 && [ "${LINEWISE_NO_BROWSER:-}" != 1 ]; then
  echo "setup: installing chromium (browser tests)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: cannot install chromium: run 'apt-get install chromium' as root" >&2
    exit 1
  fi
fi

# The real Mermaid parser that tests/test_mermaid.py checks the Mermaid output with:
# Node.js and npm (Debian's packages when missing), then the pinned npm packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing Node.js and npm (for the Mermaid parser used by the tests)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "setup: cannot install Node.js: run 'apt-get install nodejs npm' as root" >&2
    exit 1
  fi
fi
js_stamp=tests/mermaid/node_modules/.linewise-installed
js_want=$(cat tests/mermaid/package.json tests/mermaid/package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$js_stamp" ] || [ "$(cat "$js_stamp")" != "$js_want" ]; then
  echo "setup: installing the Mermaid parser (npm ci in tests/mermaid)" >&2
  (cd tests/mermaid && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$js_want" > "$js_stamp"
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: linewise needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python" -m venv .venv
fi

# Reinstall only when the lock or the project metadata changed.
stamp=.venv/.linewise-installed
want=$(cat requirements.lock pyproject.toml scripts/install-python-deps | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv" >&2
  bash scripts/install-python-deps .venv
  echo "$want" > "$stamp"
fi
