#!/bin/sh
# explore_parallel.sh [--strict] [WORKLOAD...]: the wall time of one explore
# campaign with -j 2 against -j 1 on the same workload, in one run (fresh
# databases each time, ROUNDS rounds alternating the order, medians).
#
#   target:  wall(-j 2) / wall(-j 1) <= 0.65   (the runs are independent)
#
# Workloads: hello-glibc-dyn and coreutils by default (REPLICAS=2 each).
# HYPERLOUPE: the build to use (default build/hyperloupe). Exits 0 whatever
# the result unless --strict (then 1 when the target is missed).
set -u
strict=0
[ "${1:-}" = --strict ] && { strict=1; shift; }
[ "${1:-}" = -h ] && { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
hl=${HYPERLOUPE:-build/hyperloupe}
rounds=${ROUNDS:-3}
replicas=${REPLICAS:-2}
[ $# -gt 0 ] || set -- hello-glibc-dyn coreutils
[ -x "$hl" ] || { echo "explore_parallel.sh: no hyperloupe at $hl (HYPERLOUPE=...)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-bench-explore.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# campaign J WORKLOAD: wall seconds of one campaign into a new database.
campaign() {
    rm -f "$tmp"/db*
    t0=$(date +%s.%N)
    "$hl" explore -q --db "$tmp/db" --replicas "$replicas" -j "$1" "$2" >"$tmp/out" 2>"$tmp/err" ||
        { echo "explore -j $1 $2 failed: $(tail -3 "$tmp/err")" >&2; echo nan; return; }
    t1=$(date +%s.%N)
    runs=$(sqlite3 "$tmp/db" 'SELECT count(*) FROM runs' 2>/dev/null || echo '?')
    echo "$t0 $t1 $runs" | awk '{ printf "%.3f %s\n", $2 - $1, $3 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "explore campaign wall time, -j 1 vs -j 2 ($rounds rounds, --replicas $replicas, $(nproc) CPUs)"
printf '%-18s %6s %10s %10s %8s %8s\n' workload runs "-j 1 (s)" "-j 2 (s)" ratio target
missed=0
for w in "$@"; do
    : >"$tmp/j1"
    : >"$tmp/j2"
    for r in $(seq "$rounds"); do
        # Alternate the order, so that a slow phase of the host hits both.
        if [ $((r % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
        for j in $order; do
            res=$(campaign "$j" "$w")
            echo "${res%% *}" >>"$tmp/j$j"
            runs=${res#* }
        done
    done
    a=$(median <"$tmp/j1")
    b=$(median <"$tmp/j2")
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0 && b == b) printf "%.3f", b / a; else print "nan" }')
    ok=$(awk -v x="$ratio" 'BEGIN { print (x == x && x + 0 <= 0.65 && x != "nan") ? "PASS" : "FAIL" }')
    [ "$ok" = PASS ] || missed=1
    printf '%-18s %6s %10s %10s %8s %8s\n' "$w" "$runs" "$a" "$b" "$ratio" "<=0.65 $ok"
done
[ "$strict" = 1 ] && exit "$missed"
exit 0
