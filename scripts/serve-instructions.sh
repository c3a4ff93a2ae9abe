#!/usr/bin/env bash
# Instructions per request line of `tailor serve` (callgrind; deterministic, unlike
# wall time on a shared VM): a run on the requests minus a run on empty input,
# divided by the number of lines, and the start-up's instructions.
#
#   scripts/serve-instructions.sh TAILOR RULES REQUESTS
#
# Both runs use one thread and --skip-analysis. Keep REQUESTS to some 20,000
# lines: callgrind runs about fifty times slower than the program.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,9p' "$0"; exit 2; }
tailor=$1 rules=$2 requests=$3
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$tailor" serve --rules "$rules" --skip-analysis --threads 1 < "$1" 2>&1 >/dev/null |
    awk '/refs:/ { gsub(",", "", $4); print $4 }'
}
empty=$(count /dev/null)
full=$(count "$requests")
lines=$(wc -l < "$requests")
echo "$(basename "$rules"): $(((full - empty) / lines)) instructions per line," \
  "start-up $((empty / 1000000)) M instructions ($lines lines)"
