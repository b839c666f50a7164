#!/usr/bin/env bash
# Checks that the official SDKs accept the emulator's answers: installs node-appwrite 27.1.0
# and appwrite 27.0.0 (Python) into temporary directories, builds and starts the emulator on a
# free port, runs flow.mjs and flow.py against it, and stops it. Exits non-zero on any failure.
#
# Environment: NODE (default node), PYTHON (default python3), CARGO (default cargo),
# SDK_CACHE_DIR (reuse an install directory between runs instead of a fresh temporary one).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
NODE="${NODE:-node}"
PYTHON="${PYTHON:-python3}"
CARGO="${CARGO:-cargo}"
NODE_SDK_VERSION="27.1.0"
PYTHON_SDK_VERSION="27.0.0"
PROJECT="sdkcheck"
KEY="sdkcheck-$RANDOM$RANDOM"

if [[ -n "${SDK_CACHE_DIR:-}" ]]; then
  work="$SDK_CACHE_DIR"
  mkdir -p "$work"
  keep_work=1
else
  work="$(mktemp -d)"
  keep_work=0
fi
server_pid=""

cleanup() {
  local status=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "$keep_work" == 0 ]]; then
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

echo "== installing SDKs into $work"
mkdir -p "$work/node"
if [[ ! -d "$work/node/node_modules/node-appwrite" ]]; then
  (cd "$work/node" && npm install --silent --no-audit --no-fund "node-appwrite@$NODE_SDK_VERSION" >/dev/null)
fi
if [[ ! -x "$work/venv/bin/python" ]]; then
  "$PYTHON" -m venv "$work/venv"
fi
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "appwrite==$PYTHON_SDK_VERSION"

echo "== building the emulator"
(cd "$workspace" && "$CARGO" build --quiet -p appwrite-orm-emulator --bin appwrite-emulator)
bin="${CARGO_TARGET_DIR:-$workspace/target}/debug/appwrite-emulator"

echo "== starting the emulator"
fifo="$work/stdout.fifo"
rm -f "$fifo"
mkfifo "$fifo"
"$bin" --port 0 --project "$PROJECT" --key "$KEY" >"$fifo" 2>"$work/emulator.log" &
server_pid=$!
endpoint=""
# The first stdout line is the endpoint; keep the pipe open afterwards so the server never
# meets a closed stdout.
exec 3<"$fifo"
if ! IFS= read -r -t 60 endpoint <&3; then
  echo "the emulator did not print its endpoint; its log:" >&2
  cat "$work/emulator.log" >&2 || true
  exit 1
fi
echo "   listening at $endpoint"

status=0
echo "== node-appwrite $NODE_SDK_VERSION"
if ! SDK_NODE_DIR="$work/node" "$NODE" "$here/flow.mjs" "$endpoint" "$PROJECT" "$KEY"; then
  status=1
fi
echo "== appwrite (Python) $PYTHON_SDK_VERSION"
if ! "$work/venv/bin/python" "$here/flow.py" "$endpoint" "$PROJECT" "$KEY"; then
  status=1
fi
if [[ "$status" != 0 ]]; then
  echo "== emulator log (last 40 lines)" >&2
  tail -n 40 "$work/emulator.log" >&2 || true
fi
exit "$status"
