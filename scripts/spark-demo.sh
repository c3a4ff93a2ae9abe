#!/usr/bin/env bash
# `make spark-demo`: installs PySpark (scripts/spark-env.sh, once), generates 200,000 customer
# profiles with a few bad lines among them, decides them all with examples/spark/decide.py on
# every core (local[*]) and prints the per-decision, per-variant summary.
# The profiles and the Parquet output stay in .build/spark-demo/ to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${SPARK_DEMO_PROFILES:-200000}"
swift build -c release --product tailor >&2
tailor="$(swift build -c release --show-bin-path)/tailor"
python="$(scripts/spark-env.sh)"
demo=.build/spark-demo
rm -rf "$demo"
mkdir -p "$demo"
echo "== $profiles profiles (and $((profiles / 1000)) bad lines) in $demo/profiles" >&2
"$python" examples/spark/generate_profiles.py "$profiles" "$demo/profiles" \
  --bad "$((profiles / 1000))" --files 8
echo "== examples/spark/decide.py on local[*]" >&2
export PYSPARK_SUBMIT_ARGS="${PYSPARK_SUBMIT_ARGS:---conf spark.ui.showConsoleProgress=false pyspark-shell}"
"$python" examples/spark/decide.py "$demo/profiles" --rules examples/spark/rules.json \
  --tailor "$tailor" --now 2026-12-06T18:00:00Z --output "$demo/decisions"
echo "== rows in $demo/decisions (Parquet, partitioned by decision)" >&2
