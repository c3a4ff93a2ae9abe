#!/usr/bin/env bash
# Throughput and idle latency of `tailor serve` (release build).
#
#   scripts/bench-serve.sh                 # 1M requests, 1k rules, 1 and 3 decisions, threads 1 and 2
#   LINES=3000000 PER_REQUEST=1 THREADS="1 2 4" RUNS=5 scripts/bench-serve.sh
#   WORKLOAD=campaign scripts/bench-serve.sh   # narrow campaign rules: 100k requests at
#                                              # RULES="10 1000 10000", one thread, one decision
#
# Inputs come from a seeded generator (scripts/bench_data.py), so runs are
# comparable; input is read from a file and output written to a file. Each
# figure is end to end (process start, rules load, every line, exit); the
# rate after start-up subtracts the time of a run on empty input. Each
# configuration runs RUNS times (default 3), after `sync` so that writing back
# the previous run's output does not overlap; the summary line gives the
# median and the slowest run.
#
# WORKLOAD=campaign takes its inputs from the narrow-campaign generator
# (CampaignWorkload, seed 42, through `tailor-profile emit-campaign`): one
# decision whose rules each have their own thresholds, dates and e-mail
# domains, about 60 % of the profiles matching none. It runs every count in
# RULES (default "10 1000 10000") on LINES requests (default 100,000) with one
# thread, and prints each rate beside the rate at the first count.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKLOAD=${WORKLOAD:-default}
if [ "$WORKLOAD" = campaign ]; then
  LINES=${LINES:-100000}
  RULES=${RULES:-"10 1000 10000"}
  RUNS=${RUNS:-3}
  OUT=.build/bench/campaign
  scripts/bootstrap.sh
  swift build -c release --product tailor >/dev/null
  TAILOR=$(swift build -c release --show-bin-path)/tailor
  (cd Benchmarks && swift build -c release --product tailor-profile >/dev/null)
  PROFILE=$(cd Benchmarks && swift build -c release --show-bin-path)/tailor-profile
  summary=()
  base_rules=""
  base_total=""
  base_steady=""
  for rules in $RULES; do
    dir="$OUT/$rules"
    mkdir -p "$dir"
    "$PROFILE" emit-campaign "$rules" "$LINES" "$dir" >/dev/null
    bytes=$(wc -c < "$dir/requests.jsonl")
    start=$(date +%s%N)
    "$TAILOR" serve --rules "$dir/rules.json" < /dev/null > /dev/null 2>&1
    startup=$(( $(date +%s%N) - start ))
    echo "campaign: $rules rules; $LINES requests, $((bytes / LINES)) bytes per line on average;" \
      "1 decision per request; 1 thread; start-up $((startup / 1000000)) ms"
    times=()
    for run in $(seq "$RUNS"); do
      sync
      start=$(date +%s%N)
      "$TAILOR" serve --rules "$dir/rules.json" --threads 1 \
        < "$dir/requests.jsonl" > "$dir/responses.jsonl" 2>/dev/null
      end=$(date +%s%N)
      answered=$(wc -l < "$dir/responses.jsonl")
      [ "$answered" -eq "$LINES" ] || { echo "expected $LINES responses, got $answered" >&2; exit 1; }
      errors=$(grep -c '"error"' "$dir/responses.jsonl" || true)
      [ "$errors" -eq 0 ] || { echo "$errors error responses" >&2; exit 1; }
      defaults=$(grep -c '"reason":"default"' "$dir/responses.jsonl" || true)
      times+=("$((end - start))")
      awk -v n="$LINES" -v ns="$((end - start))" -v up="$startup" -v r="$run" -v d="$defaults" \
        'BEGIN { printf "  run %d: %.2f s  %.0f lines/s  (%.0f lines/s after start-up; %.0f %% default)\n",
          r, ns / 1e9, n / (ns / 1e9), n / ((ns - up) / 1e9), 100 * d / n }'
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    total=$(awk -v n="$LINES" -v m="$median" 'BEGIN { printf "%.0f", n / (m / 1e9) }')
    steady=$(awk -v n="$LINES" -v m="$median" -v up="$startup" 'BEGIN { printf "%.0f", n / ((m - up) / 1e9) }')
    if [ -z "$base_rules" ]; then base_rules=$rules; base_total=$total; base_steady=$steady; fi
    line=$(awk -v r="$rules" -v t="$total" -v s="$steady" -v bt="$base_total" -v bs="$base_steady" -v b="$base_rules" \
      'BEGIN { printf "%6d rules: %9d lines/s, %.4f of the %d-rule rate (after start-up: %9d lines/s, %.4f)", r, t, t / bt, b, s, s / bs }')
    echo "$line"
    summary+=("$line")
  done
  echo "campaign summary (median of $RUNS runs, $LINES lines, 1 thread):"
  printf '%s\n' "${summary[@]}"
  exit 0
fi

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
