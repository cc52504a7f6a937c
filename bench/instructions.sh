#!/bin/sh
# Client-side instructions per operation (GET, LRANGE, pipeline, decode...), oxredis and redis-rs, under
# valgrind --tool=callgrind (see bench/README.md). Arguments go to the benchmark binary,
# e.g. `bench/instructions.sh --case get --small 1000 --large 41000`.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p oxredis-bench
exec target/release/oxredis-bench --instructions "$@"
