#!/usr/bin/env bash
# Runs fuzz targets from fuzz/ on stable Rust: builds them with libFuzzer's coverage
# instrumentation (the flags cargo-fuzz passes, minus the nightly-only sanitizer) and runs each
# for the given time, starting from the checked-in corpus in fuzz/corpus/<target>/.
#   scripts/fuzz.sh [seconds per target] [target...]     (default: 20 s; decode reply url)
# New inputs go to a scratch folder (printed), never into the checked-in corpus; a crash leaves
# its input in fuzz/artifacts/<target>/ and fails the script. Memory is capped (-rss_limit_mb),
# so an input that makes the decoder allocate without bound counts as a crash too.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(decode reply url); fi
if ! command -v c++ >/dev/null; then
  # libfuzzer-sys compiles libFuzzer (C++).
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get install -y -qq g++ >/dev/null
fi
host=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps the flags off build scripts and proc macros, as cargo-fuzz does.
RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" \
  cargo build --quiet --release --target "$host" $(printf -- '--bin %s ' "${targets[@]}")
scratch=$(mktemp -d)
status=0
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target" "artifacts/$target" "corpus/$target"
  echo "== fuzz $target for ${secs} s (new inputs in $scratch/$target)"
  if ! "target/$host/release/$target" "$scratch/$target" "corpus/$target" \
      -max_total_time="$secs" -rss_limit_mb=1024 -max_len=4096 -timeout=10 \
      -artifact_prefix="artifacts/$target/" -print_final_stats=1 2>"$scratch/$target.log"; then
    status=1
    tail -40 "$scratch/$target.log"
  fi
  grep -E '^(stat::number_of_executed_runs|stat::peak_rss_mb|stat::new_units_added)' \
    "$scratch/$target.log" | sed "s/^/  $target /" || true
  grep -E '^#[0-9]+.*DONE' "$scratch/$target.log" | tail -1 | sed "s/^/  $target /" || true
done
exit $status
