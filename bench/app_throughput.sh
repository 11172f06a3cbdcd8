#!/bin/sh
# app_throughput.sh [--strict] [N] - whole-application throughput: redis.
#
# Measures, in one run, what redis-benchmark (always native) gets from
# redis-server running
#   natively                        redis-server ...
#   under each engine E that `hyperloupe engines --check E` accepts here:
#     kvm                           hyperloupe run --engine kvm -- redis-server ...
#     kvm, no rewriting             hyperloupe run --engine kvm --no-rewrite -- ...
#     sud (rewriting)               hyperloupe run --engine sud -- redis-server ...
#     sud, no rewriting             hyperloupe run --engine sud --no-rewrite -- ...
#   under strace                    strace -f -qq -o /dev/null redis-server ...
#   under perf trace                perf trace -o /dev/null -- redis-server ...
#                                   (when perf is installed; PERF_TRACE=0: not)
# with `redis-benchmark -q -t set,get -n N -P 1 -c CLIENTS` (N requests per
# test, default 20000; CLIENTS default 4; no pipelining: every request is a
# round trip through the server's epoll_wait/read/write). All are measured
# in ROUNDS interleaved rounds (default 5) and each figure is the median of
# its rounds; ratios are ratios of medians. A configuration that fails is
# skipped (and said so, with its log).
# Prints a table of requests per second for SET and GET, the ratios of each
# run to native, strace -f and perf trace, for each engine the gain of
# rewriting (rewriting / --no-rewrite throughput), and checks, printing
# PASS/FAIL for SET and GET:
#   sud:  throughput >= 0.9 x native's,  >= 5 x strace -f's
#   kvm:  throughput >= 2.5 x strace -f's
# (each on the engine's default, rewriting run; the --no-rewrite runs have
# no target) for each engine present. Exits 0 whatever the result unless --strict
# (then 1 when a target of a present engine is not met or cannot be
# measured, or when no engine is present).
#
# Environment: HYPERLOUPE or HL (default build/hyperloupe, then
# build/vmm/hyperloupe), N, ROUNDS, CLIENTS, PERF_TRACE, TMPDIR.
# With HYPERLOUPE=tests/e2e/fake-hyperloupe.sh only the native, strace -f
# and perf trace rows run (the fake takes no --engine: the engine rows are
# skipped); a check of this script, not of hyperloupe.
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
rounds=${ROUNDS:-5}
clients=${CLIENTS:-4}
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

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

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
    printf '%-28s ... ' "$label"
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
            if alive "$server"; then
                echo "SKIPPED: no PONG within 20 s"
            else
                wait "$server"
                echo "SKIPPED: the server exited, $(bench_status $?)"
            fi
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
        echo "SKIPPED: redis-benchmark $(bench_status "$bst")$( [ -z "$set_rps$get_rps" ] && echo ', no requests per second')"
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
    printf '%-28s ... SKIPPED: %s\n' "$1" "$2"
}

echo "app throughput: redis-server, redis-benchmark -q -t set,get -n $n -P 1 -c $clients, $rounds rounds"
echo "  hyperloupe:   $hl"
echo "  redis-server: $(command -v redis-server) ($(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
bench_engines "$hl" "   "
bench_tools
echo

# Noisy hosts: interleaved rounds, medians.
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds"
    run_redis native "native"
    for e in $engines; do
        case $e in
            kvm)
                run_redis kvm "hyperloupe kvm" "$hl" run --engine kvm --
                run_redis kvmnr "hyperloupe kvm --no-rewrite" "$hl" run --engine kvm --no-rewrite --
                ;;
            sud)
                run_redis sud "hyperloupe sud (rewriting)" "$hl" run --engine sud --
                run_redis sudnr "hyperloupe sud --no-rewrite" "$hl" run --engine sud --no-rewrite --
                ;;
        esac
    done
    if [ "$have_strace" = 1 ]; then
        run_redis strace "strace -f" strace -f -qq -o /dev/null
    else
        skip "strace -f" "strace not installed (apt-get install strace)"
    fi
    if [ "$have_perf" = 1 ]; then
        run_redis perf "perf trace" perf trace -o /dev/null --
    elif [ "${PERF_TRACE:-1}" != 0 ]; then
        skip "perf trace" "perf not installed (apt-get install linux-perf)"
    fi
done

val() { bench_median "$tmp/$1" 0; }     # val KEY.OP: the median of its rounds
range() { bench_range "$tmp/$1" 0; }    # range KEY.OP: the range of its rounds
has() {   # has ENGINE: ENGINE is measured here
    case " $engines " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}
tools() {   # tools FN: FN KEY LABEL for each measured run but native
    for e in kvm sud; do
        has "$e" || continue
        "$1" "$e" "hyperloupe $e (rewriting)"
        "$1" "${e}nr" "hyperloupe $e --no-rewrite"
    done
    "$1" strace "strace -f"
    [ "$have_perf" = 0 ] || "$1" perf "perf trace"
}

echo
echo "median of $rounds rounds (requests per second):"
printf '%-32s %10s %13s   %10s %13s\n' "server" "SET" "(range)" "GET" "(range)"
printf '%-32s %10s %13s   %10s %13s\n' "--------------------------------" "----------" "-------------" "----------" "-------------"
row() {   # row KEY LABEL
    s=$(val "$1.set") || s="skipped"
    g=$(val "$1.get") || g="skipped"
    printf '%-32s %10s %13s   %10s %13s\n' "$2" "$s" "$(range "$1.set")" "$g" "$(range "$1.get")"
}
row native "native"
tools row

ratio() { bench_ratio "$(val "$1")" "$(val "$2")"; }   # A/B or "n/a"
echo
printf '%-32s %10s %10s %10s   %10s %10s %10s\n' "throughput ratio" "SET/nat" "/strace" "/perf" "GET/nat" "/strace" "/perf"
printf '%-32s %10s %10s %10s   %10s %10s %10s\n' "--------------------------------" "----------" "----------" "----------" "----------" "----------" "----------"
# shellcheck disable=SC2317  # (called through tools)
rrow() {   # rrow KEY LABEL
    printf '%-32s %10s %10s %10s   %10s %10s %10s\n' "$2" \
        "$(ratio "$1.set" native.set)" "$(ratio "$1.set" strace.set)" "$(ratio "$1.set" perf.set)" \
        "$(ratio "$1.get" native.get)" "$(ratio "$1.get" strace.get)" "$(ratio "$1.get" perf.get)"
}
tools rrow
for e in kvm sud; do
    has "$e" || continue
    printf '%-32s SET %s  GET %s\n' "gain of rewriting ($e / no-rw)" \
        "$(ratio "$e.set" "${e}nr.set")" "$(ratio "$e.get" "${e}nr.get")"
done

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
[ -n "$engines" ] || { echo "targets: no engine measured"; failed=1; }
if has sud; then
    echo "targets (sud, rewriting):"
    target "sud SET >= 0.9 x native" "$(ratio sud.set native.set)" 0.9
    target "sud GET >= 0.9 x native" "$(ratio sud.get native.get)" 0.9
    target "sud SET >= 5 x strace -f" "$(ratio sud.set strace.set)" 5
    target "sud GET >= 5 x strace -f" "$(ratio sud.get strace.get)" 5
    for op in set get; do
        [ "$op" = set ] && label=SET || label=GET
        printf '%-40s %s x native, %s x strace -f (no target)\n' "sud --no-rewrite $label, for comparison:" \
            "$(ratio "sudnr.$op" "native.$op")" "$(ratio "sudnr.$op" "strace.$op")"
    done
    # A traced server is at best as fast as a native one: when native itself
    # is less than 5 x strace -f, the last two targets need sud to beat it.
    for op in set get; do
        ns=$(ratio native.$op strace.$op)
        if [ "$ns" != "n/a" ] && awk -v r="$ns" 'BEGIN { exit !(r < 5) }'; then
            echo "note: here native $op is only $ns x strace -f (< 5): sud would have to be faster than native"
        fi
    done
fi
if has kvm; then
    echo "targets (kvm, rewriting):"
    target "kvm SET >= 2.5 x strace -f" "$(ratio kvm.set strace.set)" 2.5
    target "kvm GET >= 2.5 x strace -f" "$(ratio kvm.get strace.get)" 2.5
fi

if [ "$strict" = 1 ] && [ "$failed" = 1 ]; then
    exit 1
fi
exit 0
