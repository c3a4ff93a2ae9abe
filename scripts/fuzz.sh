#!/usr/bin/env bash
# Builds one libFuzzer target of the nested Fuzz package and fuzzes it for a bounded time.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#
# TARGET is FuzzJSONReader, FuzzDocumentLoader, FuzzConditions or FuzzRequestHandler.
# The seed corpus Fuzz/Corpus/TARGET is copied to a temporary directory, so the
# repository is never modified. Prints the number of executions and the final
# coverage; exits non-zero when libFuzzer finds a crash, a timeout or an
# out-of-memory input, and keeps the work directory (with the crashing input under
# artifacts/) for inspection. Needs a swift.org toolchain (Xcode's has no libFuzzer).
#
# Environment: FUZZ_TIMEOUT (seconds per input, default 25), FUZZ_RSS_MB (default 2048).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
usage="usage: scripts/fuzz.sh FuzzJSONReader|FuzzDocumentLoader|FuzzConditions|FuzzRequestHandler SECONDS [libFuzzer flags...]"
target="${1:?$usage}"
seconds="${2:?$usage}"
shift 2
case "$target" in
  FuzzJSONReader) dictionaries=(json.dict) ;;
  FuzzDocumentLoader | FuzzConditions) dictionaries=(json.dict tailor.dict) ;;
  FuzzRequestHandler) dictionaries=(json.dict protocol.dict) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

cd "$root/Fuzz"
echo "== building $target" >&2
swift build -c release --product "$target" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
binary="$root/Fuzz/.build/release/$target"

work="$(mktemp -d "${TMPDIR:-/tmp}/tailor-$target.XXXXXX")"
mkdir -p "$work/corpus" "$work/artifacts"
cp Corpus/"$target"/* "$work/corpus/"
for dictionary in "${dictionaries[@]}"; do cat "Dictionaries/$dictionary"; done > "$work/fuzz.dict"

echo "== fuzzing $target for $seconds s in $work" >&2
status=0
# Swift packs enum tags into spare pointer bits, which hides references from
# LeakSanitizer and makes it report reachable objects as leaks: leaks are off.
# The Swift runtime's backtracer would race ASan's own report: it is off.
SWIFT_BACKTRACE="enable=no" ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$binary" \
  -max_total_time="$seconds" \
  -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
  -timeout="${FUZZ_TIMEOUT:-25}" \
  -detect_leaks=0 \
  -print_final_stats=1 \
  -dict="$work/fuzz.dict" \
  -artifact_prefix="$work/artifacts/" \
  "$@" "$work/corpus" > "$work/fuzz.log" 2>&1 || status=$?

executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)"
elapsed="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/fuzz.log" | tail -n 1)"
corpus="$(find "$work/corpus" -type f | wc -l | tr -d ' ')"
coverage="$(sed -n 's/^#[0-9].* \(cov: [0-9]* ft: [0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)"
if [ "$status" -ne 0 ]; then
  grep -E "^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|artifact_prefix|Test unit written)" "$work/fuzz.log" >&2 || tail -n 40 "$work/fuzz.log" >&2
  echo "$target: FAILED after ${executions:-?} executions (exit $status); log and input kept in $work" >&2
  exit "$status"
fi
echo "$target: ${executions:-?} executions in ${elapsed:-$seconds} s, no crash (${coverage:-cov: ?}; corpus grew to $corpus inputs)"
rm -rf "$work"
