#!/usr/bin/env bash
# Runs the demo: installs redis-server if needed; the example starts its own throwaway server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
cargo run --quiet -p oxredis --example demo
