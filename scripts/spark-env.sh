#!/usr/bin/env bash
# Creates (once) a Python virtual environment with PySpark from PyPI, outside the clone,
# and prints its python. Later runs reuse it; a changed pin makes a new one.
#
#   TAILOR_SPARK_CACHE   where the environment lives
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/tailor-spark)
#   PYTHON               the interpreter that creates it (default python3; PySpark 3.5 needs 3.8+)
#
# Spark itself runs on the JVM: Java 17 must be on PATH (or JAVA_HOME set).
set -euo pipefail
pyspark_version="3.5.7"
cache="${TAILOR_SPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tailor-spark}"
environment="$cache/pyspark-$pyspark_version"
python="${PYTHON:-python3}"

if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  echo "spark-env: Java is missing: install a JDK 17 (Debian: apt-get install openjdk-17-jre-headless)" >&2
  exit 2
fi
if [ ! -f "$environment/.complete" ]; then
  echo "spark-env: creating $environment (PySpark $pyspark_version from PyPI)" >&2
  rm -rf "$environment"
  mkdir -p "$cache"
  "$python" -m venv "$environment"
  "$environment/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pyspark==$pyspark_version" >&2
  touch "$environment/.complete"
fi
echo "$environment/bin/python"
