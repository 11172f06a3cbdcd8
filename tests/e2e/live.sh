#!/bin/bash
# live.sh HYPERLOUPE: a second process reads a run's live statistics
# (`hyperloupe live --once PID`) while it runs and sees its counters move;
# once the run ends its shared memory is gone.
# Exits 77 when /dev/kvm cannot be used.
# `A && B || fail` is intended (fail exits); the guest script is single-quoted on purpose.
# shellcheck disable=SC2015,SC2016
set -u
hl=$1
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-live.XXXXXX") || exit 2
trap 'kill "$run" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "live.sh: FAIL: $*" >&2; exit 1; }

# One openat of /proc/self/status every 0.2 s, for about 6 s.
"$hl" run --live-stats -- /bin/sh -c \
    'i=0; while [ $i -lt 30 ]; do cat /proc/self/status >/dev/null; sleep 0.2; i=$((i+1)); done' \
    2>"$tmp/err" &
run=$!
# The run names its statistics on stderr (--live-stats).
for _ in $(seq 100); do
    grep -q 'live statistics: /dev/shm/hyperloupe-' "$tmp/err" && break
    sleep 0.1
done
pid=$(sed -n 's/.*live statistics: \/dev\/shm\/hyperloupe-\([0-9]*\) .*/\1/p' "$tmp/err")
[ "$pid" = "$run" ] || fail "--live-stats named pid '$pid', the run is $run"

count() {   # openat calls in a snapshot
    "$hl" live --once "$pid" | awk '$NF == "openat" { print $4 }'
}
sleep 1
a=$(count)
sleep 2
b=$(count)
echo "openat calls seen: $a, then $b"
[ -n "$a" ] && [ -n "$b" ] || fail "no openat line in the live snapshots"
[ "$b" -gt "$a" ] || fail "the counters did not move ($a, then $b)"

wait "$run" || fail "the run failed"
run=
[ ! -e "/dev/shm/hyperloupe-$pid" ] || fail "/dev/shm/hyperloupe-$pid is still there after the run"
"$hl" live --once "$pid" >/dev/null 2>&1 && fail "hyperloupe live still reads an ended run"
echo "live.sh: ok"
