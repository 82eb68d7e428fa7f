#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the shipped SOPs (idempotent: files are named by their
# content's hash). Run from anywhere; then e.g.
#   RUSTC_BOOTSTRAP=1 cargo fuzz run load_check -- -max_total_time=900
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sops="$here/../sops"
put() {
  local dir="$here/corpus/$1" tmp sum
  mkdir -p "$dir"
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -s "$tmp" ]; then
    sum=$(sha1sum "$tmp" | cut -c1-16)
    mv "$tmp" "$dir/seed-$sum"
  else
    rm -f "$tmp"
  fi
}
find "$sops" -name '*.yaml' -not -path '*/scenarios/*' -not -name roles.yaml -print0 |
  while IFS= read -r -d '' f; do put load_check <"$f"; done
find "$sops/scenarios" -name '*.yaml' -print0 |
  while IFS= read -r -d '' f; do put scenario <"$f"; done
{ grep -rhoP '\b(when|if):\s*"\K[^"]+' "$sops" || true; grep -rhoP "\\b(when|if):\\s*'\\K[^']+" "$sops" || true;
  printf '%s\n' "amount >= 1000 and not (paid == true)" "date_due < '2026-01-05'" "a in ['x', 'y'] or b != 3.5" "-(n * 2 + 1) / 3 > 0"; } | sort -u |
  while IFS= read -r e; do printf '%s' "$e" | put expr; done
grep -rhoP '^\s*(due|remind|escalate|after|every|within):\s*\K.+' "$sops" | sed 's/^"\(.*\)"$/\1/' | sort -u |
  while IFS= read -r e; do printf '%s' "$e" | put due_duration; done
for t in load_check scenario expr due_duration; do
  printf '%-13s %s files\n' "$t" "$(find "$here/corpus/$t" -type f | wc -l)"
done
