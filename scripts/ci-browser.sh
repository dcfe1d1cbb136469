#!/usr/bin/env bash
# The browser check of the notebook app (make test-browser; called by .ci/run).
#   1. Debian's chromium, when /usr/bin/chromium is missing (Playwright never downloads a browser);
#   2. the notebook extra (voila, playwright, nbclient, ipykernel) into .venv;
#   3. pytest tests/browser with HUBFRAME_BROWSER=1 (plain pytest runs skip those tests).
# Screenshot: tests/artifacts/app_result.png (ignored by git); Voilà's log: tests/artifacts/voila.log.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
NOTEBOOK_PACKAGES=(nbclient ipykernel voila playwright)

if [ ! -x /usr/bin/chromium ]; then
    echo "ci-browser: installing Debian's chromium"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x "$PY" ]; then
    make "$VENV/.installed"
fi
if ! "$PY" -c "import voila, playwright, nbclient, ipykernel" 2>/dev/null; then
    echo "ci-browser: installing the notebook extra"
    if grep -Eq '^notebook *= *\[' pyproject.toml; then
        "$PY" -m pip install --quiet -e ".[notebook]"
    else
        "$PY" -m pip install --quiet "${NOTEBOOK_PACKAGES[@]}"
    fi
fi

export HUBFRAME_BROWSER=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
start=$(date +%s)
"$PY" -m pytest tests/browser -m browser -q -s -p no:cacheprovider "$@"
echo "ci-browser: browser check took $(( $(date +%s) - start )) s"
