#!/usr/bin/env bash
# The tailor-http test: builds tailor-http (HTTP/) and tailor, then Tests/HTTP/test_http.py runs
# the OpenFeature Python SDK with its OFREP provider (scripts/ofrep-env.sh, from PyPI, cached
# outside the clone) and raw HTTP against the server on loopback.
#
#   TAILOR_HTTP  the tailor-http binary (default: a debug build of HTTP/)
#   TAILOR       the tailor binary (default: a debug build of the root package)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TAILOR_HTTP:-}" ]; then
  swift build --package-path HTTP --product tailor-http >&2
  TAILOR_HTTP="$(swift build --package-path HTTP --show-bin-path)/tailor-http"
fi
if [ -z "${TAILOR:-}" ]; then
  swift build --product tailor >&2
  TAILOR="$(swift build --show-bin-path)/tailor"
fi
python="$(scripts/ofrep-env.sh)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tailor-http-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$python" Tests/HTTP/test_http.py "$TAILOR_HTTP" "$TAILOR" "$work"
