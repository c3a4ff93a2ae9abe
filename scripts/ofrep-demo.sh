#!/usr/bin/env bash
# `make ofrep-demo`: builds tailor-http (HTTP/), serves examples/homepage on loopback,
# evaluates `homepage-hero` for two users through the Python OpenFeature SDK with the
# OFREP provider (scripts/ofrep-env.sh, cached outside the clone), and stops the server.
#
#   OFREP_DEMO_PORT  the port (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/ofrep-env.sh)"
swift build -c release --package-path HTTP --product tailor-http >&2
binary="$(swift build -c release --package-path HTTP --show-bin-path)/tailor-http"
port="${OFREP_DEMO_PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
log="$(mktemp "${TMPDIR:-/tmp}/tailor-http-demo.XXXXXX")"
"$binary" --rules examples/homepage/rules.json --port "$port" 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  if "$python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    echo "ofrep-demo: tailor-http did not start" >&2
    exit 1
  fi
  sleep 0.1
done
echo "== tailor-http on 127.0.0.1:$port, examples/homepage/rules.json"
"$python" scripts/ofrep_demo.py "http://127.0.0.1:$port"
