#!/usr/bin/env bash
# Runs the test suite on two servers; the tests start (and stop) their own server processes.
#  1. Redis 7.0.15 (Debian's redis-server): every target and the doc tests.
#  Module tests (JSON, Bloom, Search) start their own servers with the Redis Stack modules
#  loaded (scripts/ensure-modules.sh); Search always runs on Valkey, the others on both passes.
#  2. Valkey 9.1.2 (fetched into .servers/ by ensure-valkey.sh): the integration tests again,
#     with OXREDIS_SERVER_BIN pointing at valkey-server.
# Tests that need a newer server print `SKIP <test>: needs ... (server ...)`; the summary counts
# passed tests and skips per server, and skips by reason. Extra arguments go to the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
VALKEY_BIN=$(bash scripts/ensure-valkey.sh)
# The Redis Stack module libraries for the module tests (fetched once into .servers/); without
# them those tests print SKIP lines instead of failing.
bash scripts/ensure-modules.sh >/dev/null || echo "ensure-modules: no module libraries; module tests will skip"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
suite_start=$(date +%s)

# run <log> <command...>: runs the command, copying its output to the log; failures are kept.
run() {
  local log=$1
  shift
  "$@" 2>&1 | tee -a "$log" || status=1
}

# Build every test binary first (both servers' passes run the same ones), then the doc tests.
start=$(date +%s)
run "$logs/build" cargo test --all-targets --no-run "$@"
# The `tracing` feature's spans (the feature is off by default, so the other targets skip them).
run "$logs/build" cargo test -p oxredis --features tracing --test tracing --no-run
run "$logs/redis" cargo test --doc
echo "build and doc tests: $(( $(date +%s) - start )) s"

# pass <server> <command...>: runs one server's pass in the background, into its own log.
pass() {
  local server=$1
  shift
  (
    begin=$(date +%s)
    "$@" >"$logs/$server.out" 2>&1 || touch "$logs/$server.failed"
    echo $(( $(date +%s) - begin )) >"$logs/$server.secs"
  ) &
}
# The two passes run at the same time: most of their time is spent waiting on servers
# (failovers, sentinels, timeouts), not on the CPU. Each test starts its own servers on free
# ports, so the passes do not meet.
pass redis sh -c 'cargo test --all-targets --no-fail-fast "$@"; a=$?
  cargo test -p oxredis --features tracing --test tracing; b=$?
  [ $a -eq 0 ] && [ $b -eq 0 ]' sh "$@"
pass valkey env OXREDIS_SERVER_BIN="$VALKEY_BIN" cargo test -p oxredis --test '*' --no-fail-fast
wait
for server in redis valkey; do
  echo
  echo "== $server pass"
  cat "$logs/$server.out"
  cat "$logs/$server.out" >>"$logs/$server"
  [ ! -e "$logs/$server.failed" ] || status=1
done
redis_secs=$(cat "$logs/redis.secs")
valkey_secs=$(cat "$logs/valkey.secs")

# count <log> <word>: sums "N <word>" over cargo's "test result:" lines.
count() {
  grep -E '^test result:' "$1" | grep -oE "[0-9]+ $2" | awk '{s += $1} END {print s + 0}'
}

echo
echo "== Summary"
total_passed=0 total_failed=0 total_skipped=0
for server in redis valkey; do
  log="$logs/$server"
  passed=$(count "$log" passed)
  failed=$(count "$log" failed)
  skipped=$(grep -c '^SKIP ' "$log" || true)
  secs=${server}_secs
  echo "$server: $passed passed, $failed failed, $skipped skipped (${!secs} s)"
  if [ "$skipped" -gt 0 ]; then
    sed -n 's/^SKIP .*: \(needs .*\)$/\1/p' "$log" | sort | uniq -c | sed 's/^/  skipped: /'
  fi
  total_passed=$(( total_passed + passed ))
  total_failed=$(( total_failed + failed ))
  total_skipped=$(( total_skipped + skipped ))
done
echo "wall time $(( $(date +%s) - suite_start )) s"
echo "suite: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
