#!/usr/bin/env bash
# Throughput and idle latency of `tailor serve` (release build).
#
#   scripts/bench-serve.sh                 # 1M requests, 1k rules, 1 and 3 decisions, threads 1 and 2
#   LINES=3000000 PER_REQUEST=1 THREADS="1 2 4" RUNS=5 scripts/bench-serve.sh
#
# Inputs come from a seeded generator (scripts/bench_data.py), so runs are
# comparable; input is read from a file and output written to a file. Each
# figure is end to end (process start, rules load, every line, exit); the
# rate after start-up subtracts the time of a run on empty input. Each
# configuration runs RUNS times (default 3), after `sync` so that writing back
# the previous run's output does not overlap; the summary line gives the
# median and the slowest run.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${LINES:-1000000}
RULES=${RULES:-1000}
SEED=${SEED:-1}
THREADS=${THREADS:-"1 2"}
PER_REQUEST=${PER_REQUEST:-"1 3"}
ROUNDTRIPS=${ROUNDTRIPS:-5000}
RUNS=${RUNS:-3}
OUT=.build/bench

scripts/bootstrap.sh
swift build -c release --product tailor >/dev/null
TAILOR=$(swift build -c release --show-bin-path)/tailor

for per in $PER_REQUEST; do
  python3 scripts/bench_data.py --out "$OUT" --lines "$LINES" --rules "$RULES" --seed "$SEED" \
    --decisions-per-request "$per"
  bytes=$(wc -c < "$OUT/requests.jsonl")
  # Start-up (reading, checking and compiling the rules) is timed alone, so
  # the steady rate can be shown beside the end-to-end one.
  start=$(date +%s%N)
  "$TAILOR" serve --rules "$OUT/rules.json" < /dev/null > /dev/null 2>&1
  startup=$(( $(date +%s%N) - start ))
  echo "input: $LINES requests, $((bytes / LINES)) bytes per line on average; $RULES rules;" \
    "$per decisions per request (0 = all); $(nproc) cores; start-up $((startup / 1000000)) ms"

  for threads in $THREADS; do
    times=()
    for run in $(seq "$RUNS"); do
      sync
      start=$(date +%s%N)
      "$TAILOR" serve --rules "$OUT/rules.json" --threads "$threads" \
        < "$OUT/requests.jsonl" > "$OUT/responses.jsonl" 2>/dev/null
      end=$(date +%s%N)
      answered=$(wc -l < "$OUT/responses.jsonl")
      [ "$answered" -eq "$LINES" ] || { echo "expected $LINES responses, got $answered" >&2; exit 1; }
      errors=$(grep -c '"error"' "$OUT/responses.jsonl" || true)
      out_bytes=$(wc -c < "$OUT/responses.jsonl")
      times+=("$((end - start))")
      awk -v n="$LINES" -v b="$bytes" -v o="$out_bytes" -v ns="$((end - start))" -v up="$startup" -v t="$threads" -v e="$errors" -v r="$run" \
        'BEGIN { s = ns / 1e9; w = (ns - up) / 1e9;
          printf "threads %d run %d: %.2f s  %.0f lines/s  %.1f MB/s in  %.1f MB/s out  (%.0f lines/s after start-up; %d errors)\n", t, r, s, n / s, b / s / 1e6, o / s / 1e6, n / w, e }'
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v n="$LINES" -v b="$bytes" -v t="$threads" -v up="$startup" \
      '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; w = v[NR];
        printf "threads %d summary: median %.0f lines/s (%.1f MB/s in; %.0f lines/s after start-up), slowest %.0f lines/s\n", t, n / (m / 1e9), b / (m / 1e9) / 1e6, n / ((m - up) / 1e9), n / (w / 1e9) }'
  done
done

python3 scripts/bench_roundtrip.py "$TAILOR" "$OUT/rules.json" "$OUT/requests.jsonl" "$ROUNDTRIPS"
