#!/usr/bin/env bash
# Installs schemathesis (from PyPI, in a virtualenv of its own under target/) for
# tests/schemathesis.rs, which fuzzes a running `sopctl serve` against schemas/openapi.json.
# Idempotent: with schemathesis in place it does nothing. Prints the folder to put on PATH
# (nothing else goes to stdout). Usage (as .ci/run does):
#   PATH="$(bash .ci/install-schemathesis.sh):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${SOPCTL_SCHEMATHESIS_DIR:-$PWD/target/schemathesis-venv}"
bin="$dir/bin"
version="4.32.5"

if ! "$bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$dir" >&2
  "$bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
  "$bin/schemathesis" --version >/dev/null
fi
echo "$bin"
