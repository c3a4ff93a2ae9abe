#!/usr/bin/env bash
# Fuzzes every target of the nested Fuzz package for a bounded time each and
# fails if any of them finds a crash. FUZZ_SECONDS sets the time per target
# (default 60); the other scripts/fuzz.sh variables apply.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
failed=()
for target in FuzzJSONReader FuzzDocumentLoader FuzzConditions FuzzRequestHandler; do
  "$root/scripts/fuzz.sh" "$target" "$seconds" || failed+=("$target")
done
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz-ci: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-ci: no crashes in 4 targets ($seconds s each)"
