#!/usr/bin/env bash
# Installs what building and testing Tailor needs on a Debian-like machine:
# PCRE2's development files (pkg-config libpcre2-8). Safe to run repeatedly.
set -euo pipefail
if pkg-config --exists libpcre2-8 2>/dev/null && [ -f "$(pkg-config --variable=includedir libpcre2-8)/pcre2.h" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends libpcre2-dev pkg-config >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null
    $SUDO apt-get install -y --no-install-recommends libpcre2-dev pkg-config >/dev/null
  }
elif command -v brew >/dev/null 2>&1; then
  brew install pcre2 pkg-config
else
  echo "bootstrap: install PCRE2's development files (libpcre2-dev or pcre2) and pkg-config" >&2
  exit 1
fi
