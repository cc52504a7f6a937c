#!/usr/bin/env bash
# The Python package: lint the binding crate, build and install the package from source into a
# fresh venv (`pip install ./bindings/python`, maturin's release build), and run its pytest suite
# twice: on Debian's redis-server, then on Valkey 9.1 (the tests start their own servers;
# OXREDIS_SERVER_BIN picks the binary).
# The module tests (tests/test_modules.py) load the Redis Stack libraries from .servers/ (fetched
# once by ensure-modules.sh; CI's scripts/test.sh has already done it, so this returns at once)
# and run Search on Valkey 9.1 (ensure-valkey.sh); without them those tests skip, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-modules.sh >/dev/null || echo "ensure-modules: no module libraries; the module tests will skip"
valkey=$(bash scripts/ensure-valkey.sh) || { valkey=""; echo "ensure-valkey: no Valkey; the Search tests and the Valkey pass will skip"; }
(cd bindings/python && cargo fmt --check && cargo clippy --all-targets --quiet -- -D warnings)
venv="${OXREDIS_PY_VENV:-target/python-venv}"
python3 -m venv --clear "$venv"
start=$(date +%s)
"$venv/bin/pip" install --quiet ./bindings/python pytest trustme  # trustme: TLS test certificates
echo "python package built and installed in $(( $(date +%s) - start )) s"
echo "== pytest on $(redis-server --version | cut -d' ' -f1-3)"
"$venv/bin/python" -m pytest -q bindings/python/tests "$@"
# The same tests on Valkey 9.1 (the tests start whichever server OXREDIS_SERVER_BIN names).
if [ -n "$valkey" ]; then
  echo "== pytest on Valkey ($valkey)"
  OXREDIS_SERVER_BIN="$valkey" "$venv/bin/python" -m pytest -q bindings/python/tests "$@"
fi
