#!/usr/bin/env bash
# The Python package: lint the binding crate, build and install the package from source into a
# fresh venv (`pip install ./bindings/python`, maturin's release build), and run its pytest suite
# (the tests start their own redis-server; OXREDIS_SERVER_BIN picks another binary, e.g. Valkey).
set -euo pipefail
cd "$(dirname "$0")/.."
(cd bindings/python && cargo fmt --check && cargo clippy --all-targets --quiet -- -D warnings)
venv="${OXREDIS_PY_VENV:-target/python-venv}"
python3 -m venv --clear "$venv"
start=$(date +%s)
"$venv/bin/pip" install --quiet ./bindings/python pytest trustme  # trustme: TLS test certificates
echo "python package built and installed in $(( $(date +%s) - start )) s"
"$venv/bin/python" -m pytest -q bindings/python/tests "$@"
