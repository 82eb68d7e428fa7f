#!/usr/bin/env bash
# Installs what the browser checks of tests/render.rs need, and nothing else:
#   - Debian's Chromium (/usr/bin/chromium), to open the HTML handbook headless;
#   - a CJK font (fonts-noto-cjk), so screenshots of Chinese pages show the text and the PDFs
#     of `sopctl render --format pdf|cards` can set Chinese;
#   - poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm) and zbar-tools (zbarimg), which
#     tests/pdf.rs reads the PDFs and decodes the QR codes of the task cards with;
#   - Mermaid, playwright-core and axe-core from npm, into target/npm (never into the
#     repository); the page tests (tests/pages_browser.rs) run axe-core on every page.
# Idempotent and quiet: a second run only checks that everything is there. Run as root
# (CI and the developer machines are). Prints one line with what it did and how long it took.
set -euo pipefail

cd "$(dirname "$0")/.."
start=$SECONDS
MERMAID_VERSION=12.3.0
PLAYWRIGHT_VERSION=1.65.1
AXE_VERSION=4.14.1
NPM_DIR="${CARGO_TARGET_DIR:-target}/npm"
did=()

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Runs a command with its output kept in $log, shown only if it fails.
quiet() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-render-tools: failed: $*" >&2
        exit 1
    fi
}

if ! [ -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update -qq
    quiet apt-get install -y -qq --no-install-recommends chromium
    did+=("chromium")
fi

if ! fc-list 2>/dev/null | grep -qi 'cjk'; then
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update -qq
    quiet apt-get install -y -qq --no-install-recommends fonts-noto-cjk
    did+=("fonts-noto-cjk")
fi

missing_debs=()
for tool in pdftotext:poppler-utils zbarimg:zbar-tools; do
    command -v "${tool%%:*}" >/dev/null || missing_debs+=("${tool##*:}")
done
if [ ${#missing_debs[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update -qq
    quiet apt-get install -y -qq --no-install-recommends "${missing_debs[@]}"
    did+=("${missing_debs[@]}")
fi

have_npm_pkg() { # name version
    [ -f "$NPM_DIR/node_modules/$1/package.json" ] &&
        grep -q "\"version\": \"$2\"" "$NPM_DIR/node_modules/$1/package.json"
}

if ! have_npm_pkg mermaid "$MERMAID_VERSION" || ! have_npm_pkg playwright-core "$PLAYWRIGHT_VERSION" ||
    ! have_npm_pkg axe-core "$AXE_VERSION"; then
    command -v npm >/dev/null || { echo "install-render-tools: npm is missing" >&2; exit 1; }
    mkdir -p "$NPM_DIR"
    [ -f "$NPM_DIR/package.json" ] || echo '{ "private": true }' >"$NPM_DIR/package.json"
    quiet npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error \
        "mermaid@$MERMAID_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" "axe-core@$AXE_VERSION"
    did+=("mermaid@$MERMAID_VERSION playwright-core@$PLAYWRIGHT_VERSION axe-core@$AXE_VERSION")
fi

if [ ${#did[@]} -eq 0 ]; then
    echo "install-render-tools: already installed ($((SECONDS - start))s)"
else
    echo "install-render-tools: installed ${did[*]} in $((SECONDS - start))s"
fi
