#!/usr/bin/env bash
# Mutation testing of the reply conversions and the command declarations: `cargo mutants` over
# crates/oxredis/src/{reply,convert,types}.rs and src/commands/ (the module groups aside), tested
# by the library's unit tests and the command tests (tests/commands/, on Debian's redis-server).
#
# The whole run takes hours on 2 cores (~500 mutants, each a rebuild and a test run), longer than
# a working session, so it is resumable: the outcomes so far are checked in under mutation/, and
# each run skips the mutants already caught or unviable (cargo-mutants' --iterate) and merges its
# own outcomes back into mutation/ as it goes (also when it is stopped: the lists are written as
# each mutant finishes). A mutant is named by file:line:column, so editing a file makes its old
# entries stale: `bash scripts/mutants.sh --summary` counts only the mutants that exist now.
#
#   bash scripts/mutants.sh              # test the mutants not yet caught (Ctrl-C stops; outcomes kept)
#   bash scripts/mutants.sh --summary    # counts over today's mutants, and the survivors
#   bash scripts/mutants.sh -- ARGS      # extra cargo-mutants arguments (e.g. --shard 0/4)
set -euo pipefail
cd "$(dirname "$0")/.."
src=crates/oxredis/src
filters=(
  -f "$src/reply.rs" -f "$src/convert.rs" -f "$src/types.rs" -f "$src/commands/*.rs"
  -e "$src/commands/json.rs" -e "$src/commands/bloom.rs" -e "$src/commands/search.rs"
  -e "$src/commands/timeseries.rs"
)
lists=(caught unviable missed timeout)
out=target/mutants

# merge: folds the run's lists in $out/mutants.out into mutation/ (a mutant caught now leaves
# the missed and timeout lists).
merge() {
  local run=$out/mutants.out
  [ -d "$run" ] || return 0
  for list in "${lists[@]}"; do
    cat "mutation/$list.txt" "$run/$list.txt" 2>/dev/null | sed '/^$/d' | sort -u >"$out/$list.merged" || true
  done
  for list in missed timeout; do
    comm -23 "$out/$list.merged" <(sort -u "$out/caught.merged" "$out/unviable.merged") >"$out/$list.tmp"
    mv "$out/$list.tmp" "$out/$list.merged"
  done
  for list in "${lists[@]}"; do mv "$out/$list.merged" "mutation/$list.txt"; done
}

summary() {
  local now=$out/now.txt
  cargo mutants --list "${filters[@]}" -p oxredis | sort -u >"$now"
  local total
  total=$(wc -l <"$now")
  echo "mutants today: $total"
  for list in "${lists[@]}"; do
    printf '%-9s %s\n' "$list:" "$(sort -u "mutation/$list.txt" | comm -12 - "$now" | wc -l)"
  done
  local done_count
  done_count=$(sort -u mutation/*.txt | comm -12 - "$now" | wc -l)
  echo "not yet tested: $(( total - done_count ))"
  echo "survivors (missed):"
  sort -u mutation/missed.txt | comm -12 - "$now" | sed 's/^/  /'
}

mkdir -p mutation "$out"
for list in "${lists[@]}"; do touch "mutation/$list.txt"; done
if [ "${1:-}" = --summary ]; then
  summary
  exit 0
fi
[ "${1:-}" = -- ] && shift
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked

# A run stopped without its merge (the machine went away) left its lists: keep them. Then seed
# the run's output with what is known, so --iterate skips it.
merge
rm -rf "$out/mutants.out" "$out/mutants.out.old"
mkdir -p "$out/mutants.out"
cp mutation/caught.txt "$out/mutants.out/caught.txt" 2>/dev/null || true
cp mutation/unviable.txt "$out/mutants.out/unviable.txt" 2>/dev/null || true
trap merge EXIT
# Line tables only: a mutant's rebuild writes less; the baseline is skipped (the suite passes on
# main) and each job starts from a copy of target/ already built for these tests.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
cargo test -p oxredis --lib --test commands --no-run
cargo mutants --iterate --baseline skip --copy-target true --shuffle -j 2 --timeout 300 \
  -o "$out" "${filters[@]}" -p oxredis --cargo-arg=--lib --cargo-arg=--test=commands "$@"
