#!/usr/bin/env bash
# Lints the Swift sources against .swift-format, strictly (any finding fails).
# `scripts/format.sh` fixes what can be fixed mechanically.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive Sources Tests Benchmarks examples Package.swift HTTP/Sources HTTP/Package.swift
