#!/usr/bin/env bash
# The Spark test: PySpark from PyPI (scripts/spark-env.sh, cached outside the clone) runs
# examples/spark/decide.py in local mode over generated profiles with bad lines among them,
# and Tests/Spark/check_job.py holds its answers and rows to a direct `tailor serve` run.
#
#   SPARK_TEST_PROFILES  good profiles (default 300000)   SPARK_TEST_BAD  bad lines (default 300)
#   SPARK_TEST_MASTER    Spark master (default local[2])   TAILOR  the binary (default: release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
profiles="${SPARK_TEST_PROFILES:-300000}"
bad="${SPARK_TEST_BAD:-300}"
master="${SPARK_TEST_MASTER:-local[2]}"
now="2026-12-06T18:00:00Z"
if [ -z "${TAILOR:-}" ]; then
  swift build -c release --product tailor >&2
  TAILOR="$(swift build -c release --show-bin-path)/tailor"
fi
python="$(scripts/spark-env.sh)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tailor-spark-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== generating $profiles profiles and $bad bad lines in 8 files"
"$python" examples/spark/generate_profiles.py "$profiles" "$work/profiles" --bad "$bad" --files 8

echo "== direct: one tailor serve process"
began=$(date +%s.%N)
cat "$work"/profiles/*.jsonl |
  "$TAILOR" serve --rules examples/spark/rules.json --profile-lines --now "$now" >"$work/direct.jsonl"
ended=$(date +%s.%N)
awk -v n="$((profiles + bad))" -v a="$began" -v b="$ended" \
  'BEGIN { printf "direct: %d lines in %.2f s (%.0f lines/s)\n", n, b - a, n / (b - a) }'

echo "== Spark ($master): examples/spark/decide.py"
export PYSPARK_SUBMIT_ARGS="--conf spark.ui.showConsoleProgress=false pyspark-shell"
"$python" examples/spark/decide.py "$work/profiles" --master "$master" \
  --rules examples/spark/rules.json --tailor "$TAILOR" --now "$now" \
  --output "$work/decisions" --answers "$work/answers"

echo "== checking the job against the direct run"
check() {
  "$python" Tests/Spark/check_job.py "$work/profiles" "$work/direct.jsonl" "$1" \
    "$work/decisions" examples/spark/rules.json "$TAILOR" "$now" "$work"
}
check "$work/answers"

# The check must see a lost answer and a changed one.
mkdir "$work/lost" "$work/changed"
for part in "$work"/answers/part-*; do
  cp "$part" "$work/lost/" && cp "$part" "$work/changed/"
done
first="$(ls "$work"/lost/part-* | head -1)"
sed -i '1d' "$first"
sed -i '0,/"reason":"match"/s//"reason":"default"/' "$(ls "$work"/changed/part-* | head -1)"
for broken in lost changed; do
  if check "$work/$broken" 2>/dev/null; then
    echo "FAIL: the check passed answers with one $broken" >&2
    exit 1
  fi
done
echo "ok: the check refuses a lost answer and a changed one"
