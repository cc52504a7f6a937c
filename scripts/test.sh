#!/usr/bin/env bash
# Runs the whole test suite; the tests start (and stop) their own redis-server processes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
cargo test --all-targets --no-fail-fast "$@"
cargo test --doc
