#!/usr/bin/env bash
# Runs every example twice on the embedded default, then twice again over HTTP against the
# emulator (started here on a free port with a random key, stopped on exit): each example must
# succeed on both backends and on a second run (the examples start over or detect their state).
# `migrate` is run with `--fresh`, then again, and the second run must find nothing pending.
#
# Environment: CARGO (default cargo), EXAMPLES (names to run, default every examples/*.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
# Every example: each must run without arguments, on both backends, twice.
EXAMPLES="${EXAMPLES:-$(cd examples && ls -- *.rs | sed 's/\.rs$//' | tr '\n' ' ')}"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT INT TERM

echo "== building the examples and the emulator"
"$CARGO" build --quiet --examples
"$CARGO" build --quiet -p appwrite-orm-emulator --bin appwrite-emulator

# run_example BACKEND NAME: two runs; the output of each goes to the log, shown on failure.
run_example() {
    local backend="$1" name="$2" log="$work/$1-$2.log" started=$SECONDS
    if [[ ! -f "examples/$name.rs" ]]; then
        echo "   $name: no examples/$name.rs, skipped"
        return 0
    fi
    local first=() second=()
    if [[ "$name" == migrate ]]; then
        first=(-- --fresh)
    fi
    if ! "$CARGO" run --quiet --example "$name" "${first[@]}" >"$log" 2>&1 ||
        ! "$CARGO" run --quiet --example "$name" "${second[@]}" >"$log.2" 2>&1; then
        echo "   $name ($backend): FAILED; its output:" >&2
        cat "$log" "$log.2" 2>/dev/null >&2 || true
        return 1
    fi
    if [[ "$name" == migrate ]] && ! grep -q "nothing pending" "$log.2"; then
        echo "   migrate ($backend): the second run did not find nothing pending:" >&2
        cat "$log.2" >&2
        return 1
    fi
    echo "   $name: ok, two runs in $((SECONDS - started)) s ($(wc -l <"$log") lines of output)"
}

status=0
echo "== examples on the embedded default"
(
    unset APPWRITE_ENDPOINT APPWRITE_PROJECT_ID APPWRITE_API_KEY APPWRITE_DATABASE_ID
    for name in $EXAMPLES; do
        run_example embedded "$name" || exit 1
    done
) || status=1

echo "== examples over HTTP against the emulator"
fifo="$work/stdout.fifo"
mkfifo "$fifo"
key="ci-$RANDOM$RANDOM$RANDOM"
"${CARGO_TARGET_DIR:-target}/debug/appwrite-emulator" --port 0 --project ci --key "$key" >"$fifo" 2>"$work/emulator.log" &
server_pid=$!
# The first stdout line is the endpoint; keep the pipe open afterwards so the server never
# meets a closed stdout.
exec 3<"$fifo"
endpoint=""
if ! IFS= read -r -t 60 endpoint <&3; then
    echo "the emulator did not print its endpoint; its log:" >&2
    cat "$work/emulator.log" >&2 || true
    exit 1
fi
echo "   emulator at $endpoint"
(
    unset APPWRITE_DATABASE_ID
    export APPWRITE_ENDPOINT="$endpoint" APPWRITE_PROJECT_ID=ci APPWRITE_API_KEY="$key"
    for name in $EXAMPLES; do
        run_example http "$name" || exit 1
    done
) || status=1
if [[ "$status" != 0 ]]; then
    echo "== emulator log (last 40 lines)" >&2
    tail -n 40 "$work/emulator.log" >&2 || true
fi
exit "$status"
