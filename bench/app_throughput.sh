#!/bin/sh
# app_throughput.sh [--strict] [N] - whole-application throughput: redis.
#
# Measures, in one run, what redis-benchmark (always native) gets from
# redis-server running
#   natively                        redis-server ...
#   under hyperloupe                hyperloupe run -- redis-server ...
#   under hyperloupe, no rewriting  hyperloupe run --no-rewrite -- redis-server ...
#   under strace                    strace -f -qq -o /dev/null redis-server ...
# with `redis-benchmark -q -t set,get -n N -P 1 -c CLIENTS` (N requests per
# test, default 20000; no pipelining: every request is a round trip through
# the server's epoll_wait/read/write). The four are measured in ROUNDS
# interleaved rounds (default 3) and each figure is the median of its rounds.
# A configuration that fails is skipped (and said so, with its log).
# Prints a table of requests per second for SET and GET, the ratios of
# hyperloupe (default and --no-rewrite) to native and to strace -f, the gain
# of rewriting (default / --no-rewrite), and checks
#   hyperloupe's throughput >= 2.5 x strace -f's   (default run; SET and GET)
# printing PASS/FAIL for each. Exits 0 whatever the result unless --strict
# (then 1 when a target is not met or cannot be measured).
#
# Environment: HYPERLOUPE or HL (default build/hyperloupe, then
# build/vmm/hyperloupe), N, ROUNDS, CLIENTS (default 50), TMPDIR.
# With HYPERLOUPE=tests/e2e/fake-hyperloupe.sh "hyperloupe" runs natively
# (a check of this script, not of hyperloupe; the fake has no --no-rewrite,
# so that row is skipped).
set -u

strict=0
n=
for arg in "$@"; do
    case $arg in
        --strict) strict=1 ;;
        -h|--help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        ''|*[!0-9]*) echo "app_throughput.sh: bad argument: $arg" >&2; exit 2 ;;
        *) n=$arg ;;
    esac
done
n=${n:-${N:-20000}}
rounds=${ROUNDS:-3}
clients=${CLIENTS:-50}
case $n$rounds$clients in *[!0-9]*) echo "app_throughput.sh: N, ROUNDS and CLIENTS must be numbers" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] || { echo "app_throughput.sh: ROUNDS must be at least 1" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
hl=${HYPERLOUPE:-${HL:-}}
if [ -z "$hl" ]; then
    hl=$root/build/hyperloupe
    [ -x "$hl" ] || [ ! -x "$root/build/vmm/hyperloupe" ] || hl=$root/build/vmm/hyperloupe
fi
case $hl in /*) ;; */*) hl=$PWD/$hl ;; esac

for p in redis-server redis-cli redis-benchmark; do
    if ! command -v "$p" >/dev/null 2>&1; then
        echo "app_throughput.sh: $p not installed (sh scripts/deps.sh)" >&2
        exit 2
    fi
done
py=/usr/bin/python3
[ -x "$py" ] || py=python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-appbench.XXXXXX") || exit 2
server=
# shellcheck disable=SC2317  # (called by the EXIT trap)
cleanup() {
    # The server runs in a session of its own: kill its whole process group
    # (strace and its tracee, the fake's shell, ...).
    [ -z "$server" ] || kill -KILL "-$server" 2>/dev/null || kill -KILL "$server" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }

free_port() {
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

alive() {   # alive PID: exists and is not a zombie
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) \([A-Z]\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# run_redis KEY LABEL [WRAPPER...]: start `WRAPPER redis-server ...` on a free
# port, benchmark it, shut it down; append SET and GET requests per second to
# $tmp/KEY.set and $tmp/KEY.get, or say why it was skipped.
run_redis() {
    key=$1 label=$2
    shift 2
    printf '%-24s ... ' "$label"
    log=$tmp/$key.log
    port=$(free_port) || { echo "SKIPPED: no free port"; return 1; }
    if command -v setsid >/dev/null 2>&1; then
        # Not a process group leader: setsid does not fork, $! is the server.
        setsid "$@" redis-server --port "$port" --save '' --appendonly no \
            --daemonize no --bind 127.0.0.1 </dev/null >"$log" 2>&1 &
    else
        "$@" redis-server --port "$port" --save '' --appendonly no \
            --daemonize no --bind 127.0.0.1 </dev/null >"$log" 2>&1 &
    fi
    server=$!
    i=0
    until [ "$(timeout 3 redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; do
        i=$((i + 1))
        if ! alive "$server" || [ "$i" -ge 200 ]; then
            if alive "$server"; then echo "SKIPPED: no PONG within 20 s"; else echo "SKIPPED: the server exited"; fi
            sed -n '1,8s/^/    | /p' "$log" | grep -v 'WARNING Memory overcommit'
            stop_server
            return 1
        fi
        sleep 0.1
    done
    t0=$(now_ns)
    timeout 600 redis-benchmark -p "$port" -q -t set,get -n "$n" -P 1 -c "$clients" \
        >"$tmp/$key.raw" 2>&1
    bst=$?
    t1=$(now_ns)
    tr '\r' '\n' <"$tmp/$key.raw" | grep 'requests per second' >"$tmp/$key.out"
    set_rps=$(sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' "$tmp/$key.out" | tail -n 1)
    get_rps=$(sed -n 's/^GET: \([0-9.]*\) requests per second.*/\1/p' "$tmp/$key.out" | tail -n 1)
    timeout 20 redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    stop_server
    if [ "$bst" -ne 0 ] || [ -z "$set_rps" ] || [ -z "$get_rps" ]; then
        echo "SKIPPED: redis-benchmark exit status $bst$( [ -z "$set_rps$get_rps" ] && echo ', no requests per second')"
        tr '\r' '\n' <"$tmp/$key.raw" | grep -v 'rps=' | sed -n '1,5s/^/    | /p'
        return 1
    fi
    echo "$set_rps" >>"$tmp/$key.set"
    echo "$get_rps" >>"$tmp/$key.get"
    printf 'SET %10.0f  GET %10.0f  requests/s  (%.1f s)\n' "$set_rps" "$get_rps" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
}

# stop_server: wait up to 20 s for the server to exit (after SHUTDOWN), then
# kill what is left of it.
stop_server() {
    i=0
    while alive "$server" && [ "$i" -lt 200 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    kill -KILL "-$server" 2>/dev/null || kill -KILL "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    server=
}

skip() {   # skip LABEL REASON
    printf '%-24s ... SKIPPED: %s\n' "$1" "$2"
}

echo "app throughput: redis-server, redis-benchmark -q -t set,get -n $n -P 1 -c $clients, $rounds rounds"
echo "  hyperloupe:   $hl"
echo "  redis-server: $(command -v redis-server) ($(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
echo

# Noisy hosts: interleaved rounds, medians.
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds"
    run_redis native "native"
    if [ -x "$hl" ]; then
        run_redis hl "hyperloupe run" "$hl" run --
        run_redis hlnr "hyperloupe --no-rewrite" "$hl" run --no-rewrite --
    else
        skip "hyperloupe run" "no executable at $hl (set HYPERLOUPE)"
        skip "hyperloupe --no-rewrite" "no hyperloupe"
    fi
    if command -v strace >/dev/null 2>&1; then
        run_redis strace "strace -f" strace -f -qq -o /dev/null
    else
        skip "strace -f" "strace not installed"
    fi
done

val() {   # val KEY.OP: the median of its rounds
    [ -s "$tmp/$1" ] && sort -g "$tmp/$1" |
        awk '{ v[NR] = $1 } END { printf "%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "median of $rounds rounds:"
printf '%-36s %14s %14s\n' "server" "SET req/s" "GET req/s"
printf '%-36s %14s %14s\n' "------------------------------------" "--------------" "--------------"
row() {   # row KEY LABEL
    s=$(val "$1.set") || s="skipped"
    g=$(val "$1.get") || g="skipped"
    printf '%-36s %14s %14s\n' "$2" "$s" "$g"
}
row native "native"
row hl "hyperloupe run (rewriting)"
row hlnr "hyperloupe run --no-rewrite"
row strace "strace -f"

ratio() {   # ratio A B: A/B or "n/a"
    a=$(val "$1") && b=$(val "$2") &&
        awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f\n", a / b; else exit 1 }' ||
        echo "n/a"
}
ratios() {   # ratios LABEL A B: SET and GET of A/B
    printf '%-36s %14s %14s\n' "$1" "$(ratio "$2.set" "$3.set")" "$(ratio "$2.get" "$3.get")"
}
echo
printf '%-36s %14s %14s\n' "ratio" "SET" "GET"
printf '%-36s %14s %14s\n' "------------------------------------" "--------------" "--------------"
ratios "hyperloupe / strace -f" hl strace
ratios "hyperloupe / native" hl native
ratios "hyperloupe --no-rewrite / strace -f" hlnr strace
ratios "hyperloupe --no-rewrite / native" hlnr native
ratios "gain of rewriting (hl / no-rewrite)" hl hlnr

failed=0
target() {   # target LABEL RATIO LIMIT: RATIO >= LIMIT
    if [ "$2" = "n/a" ]; then
        printf '%-40s SKIP (not measured)\n' "$1:"
        failed=1
    elif awk -v r="$2" -v l="$3" 'BEGIN { exit !(r >= l) }'; then
        printf '%-40s PASS (%s >= %s)\n' "$1:" "$2" "$3"
    else
        printf '%-40s FAIL (%s < %s)\n' "$1:" "$2" "$3"
        failed=1
    fi
}
echo
echo "targets (hyperloupe run, rewriting):"
target "hyperloupe SET >= 2.5 x strace -f" "$(ratio hl.set strace.set)" 2.5
target "hyperloupe GET >= 2.5 x strace -f" "$(ratio hl.get strace.get)" 2.5

if [ "$strict" = 1 ] && [ "$failed" = 1 ]; then
    exit 1
fi
exit 0
