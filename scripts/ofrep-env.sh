#!/usr/bin/env bash
# Creates (once) a Python virtual environment with the OpenFeature SDK and its OFREP provider
# from PyPI, outside the clone, and prints its python. Later runs reuse it; a changed pin makes
# a new one.
#
#   TAILOR_OFREP_CACHE   where the environment lives
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/tailor-ofrep)
#   PYTHON               the interpreter that creates it (default python3; the SDK needs 3.9+)
set -euo pipefail
sdk_version="0.10.0"
provider_version="0.3.0"
cache="${TAILOR_OFREP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tailor-ofrep}"
environment="$cache/openfeature-$sdk_version-ofrep-$provider_version"
python="${PYTHON:-python3}"

if [ ! -f "$environment/.complete" ]; then
  echo "ofrep-env: creating $environment (openfeature-sdk $sdk_version," \
    "openfeature-provider-ofrep $provider_version from PyPI)" >&2
  rm -rf "$environment"
  mkdir -p "$cache"
  "$python" -m venv "$environment"
  "$environment/bin/python" -m pip install --quiet --disable-pip-version-check \
    "openfeature-sdk==$sdk_version" "openfeature-provider-ofrep==$provider_version" >&2
  touch "$environment/.complete"
fi
echo "$environment/bin/python"
