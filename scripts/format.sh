#!/usr/bin/env bash
# Formats the Swift sources in place with the repository's .swift-format
# (swift-format ships with the Swift toolchain), then lints them strictly as
# CI does. Run from anywhere: scripts/format.sh
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Sources Tests Benchmarks examples Package.swift HTTP/Sources HTTP/Package.swift)
swift format format --in-place --recursive "${paths[@]}"
swift format lint --strict --recursive "${paths[@]}"
