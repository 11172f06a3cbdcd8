#!/bin/bash
# rewrite_stats.sh HYPERLOUPE SYSLOOP: the sud engine rewrites a hot call
# site: 20000 getppid calls through one site trap a handful of times (the
# program's start, and the site's first call), and the run's statistics
# say the site was rewritten; with --no-rewrite every call traps.  Both
# runs count every call.
set -u
hl=$1 loop=$2 n=20000
export HL_ENGINE=sud
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

# field FILE NAME: the number after "NAME": in the statistics JSON.
field() { grep -o "\"$2\": [0-9][0-9]*" "$1" | head -1 | grep -o '[0-9]*$'; }

fail=0
for mode in rewrite no-rewrite; do
    flags=()
    [ "$mode" = no-rewrite ] && flags=(--no-rewrite)
    "$hl" run "${flags[@]}" --stats "$tmp/$mode.json" -- "$loop" "$n" > /dev/null || {
        echo "FAIL: $mode: the run failed"; fail=1; continue; }
    calls=$(field "$tmp/$mode.json" syscall) traps=$(field "$tmp/$mode.json" trampoline)
    sites=$(field "$tmp/$mode.json" rewritten_sites)
    echo "$mode: $calls calls, $traps through SIGSYS, $sites sites rewritten"
    if [ "${calls:-0}" -lt "$n" ]; then
        echo "FAIL: $mode: fewer calls counted than made"; fail=1
    elif [ "$mode" = rewrite ] && { [ "${sites:-0}" -lt 1 ] || [ "$traps" -gt 1000 ]; }; then
        echo "FAIL: rewrite: the loop's site was not rewritten"; fail=1
    elif [ "$mode" = no-rewrite ] && { [ "$sites" != 0 ] || [ "$traps" != "$calls" ]; }; then
        echo "FAIL: no-rewrite: a site was rewritten"; fail=1
    fi
done
exit $fail
