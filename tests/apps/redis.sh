#!/usr/bin/env bash
# redis.sh [--stats] HYPERLOUPE - redis-server under `HYPERLOUPE run`.
#
# Starts `HYPERLOUPE run -- redis-server --port P --save '' --appendonly no
# --daemonize no --bind 127.0.0.1` on a free port, waits for PONG, checks the
# replies to a set of commands (strings, counters, an error reply, lists,
# hashes, expiry, a 100 KB value, several commands on one connection), runs
# `redis-benchmark -q -n 2000 -t set,get`, then `SHUTDOWN NOSAVE`: the server
# must exit with status 0 and log a clean shutdown.
#
# --stats: run with `--stats FILE` and check the JSON: exit_status 0; the
# top-level syscalls count epoll_wait (or epoll_pwait/epoll_pwait2), accept or
# accept4 (at least 50: redis-benchmark opens 50 connections per test), read
# and write; a "processes" entry whose "exe" is redis-server (by name, or
# /usr/bin/redis-server's target, redis-check-rdb on Debian).
# With tests/e2e/fake-hyperloupe.sh as HYPERLOUPE the "processes" check and
# the pid check (the pid redis logs must be the one `run` was started as) are
# left out under --stats: the fake runs the server under strace, which writes
# no "processes".
#
# Exit status: 0 pass, 1 fail, 2 usage, 77 skip (no /dev/kvm, no redis).
# Environment: TMPDIR (the work directory is made there; CTest sets it to the
# build tree), HL_APPS_PYTHON (default /usr/bin/python3).

# shellcheck source=tests/apps/lib.sh
. "$(dirname "$0")/lib.sh"

stats=0
while [ $# -gt 0 ]; do
    case $1 in
        --stats) stats=1; shift ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "$prog: unknown option: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $prog [--stats] HYPERLOUPE" >&2; exit 2; }
apps_init "$1" redis-server redis-cli redis-benchmark

py=${HL_APPS_PYTHON:-/usr/bin/python3}
if [ "$stats" = 1 ]; then
    [ -x "$py" ] || py=$(command -v python3) || skip "python3 needed for --stats"
fi

port=$(free_port) || fail "no free TCP port found"
note "hyperloupe: $hl"
note "work dir:   $work"
note "port:       $port"

run_opts=()
[ "$stats" = 1 ] && run_opts=(--stats "$work/stats.json")
start_server "$work/server.log" "$hl" run "${run_opts[@]}" -- \
    redis-server --port "$port" --save '' --appendonly no --daemonize no --bind 127.0.0.1

cli() { timeout 20 redis-cli -p "$port" "$@"; }

# ---------------------------------------------------------------- startup
pong() { [ "$(timeout 3 redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; }
wait_until 20 "PONG from redis-server" pong
note "PONG after $waited"

grep -q 'Ready to accept connections' server.log ||
    fail "server log has no 'Ready to accept connections'"
if [ "$stats" = 0 ] || ! hl_is_fake; then
    logged_pid=$(sed -n 's/.*Redis version=.* pid=\([0-9]*\),.*/\1/p' server.log | head -n 1)
    [ "$logged_pid" = "$server_pid" ] ||
        fail "redis logged pid=${logged_pid:-?}, but it was started as pid $server_pid"
fi

# ---------------------------------------------------------------- replies
checks=0
# expect WANT CMD...: the reply of `redis-cli CMD...` (raw mode: one line per
# element, lines joined with |) must be WANT.
expect() {
    local want=$1 got
    shift
    got=$(cli "$@" 2>&1) || fail "redis-cli $*: exit status $?: $got"
    got=${got//$'\n'/|}
    [ "$got" = "$want" ] || fail "redis-cli $*: expected '$want', got '$got'"
    checks=$((checks + 1))
}
# expect_range LO HI CMD...: an integer reply in [LO, HI].
expect_range() {
    local lo=$1 hi=$2 got
    shift 2
    got=$(cli "$@" 2>&1) || fail "redis-cli $*: exit status $?: $got"
    case $got in ''|*[!0-9-]*) fail "redis-cli $*: expected an integer, got '$got'" ;; esac
    if [ "$got" -lt "$lo" ] || [ "$got" -gt "$hi" ]; then
        fail "redis-cli $*: expected $lo..$hi, got $got"
    fi
    checks=$((checks + 1))
}

expect OK SET greeting "hello world"
expect "hello world" GET greeting
expect "" GET no-such-key
expect OK SET counter 41
expect 42 INCR counter
expect 50 INCRBY counter 8
expect "ERR value is not an integer or out of range" INCR greeting
expect 3 LPUSH list a b c
expect 4 RPUSH list z
expect "c|b|a|z" LRANGE list 0 -1
expect 4 LLEN list
expect 2 HSET hash f1 v1 f2 "value two"
expect "f1|v1|f2|value two" HGETALL hash
expect "value two" HGET hash f2
expect "WRONGTYPE Operation against a key holding the wrong kind of value" GET hash
expect 1 EXPIRE greeting 100
expect_range 95 100 TTL greeting
expect -1 TTL counter
expect -2 TTL no-such-key
expect 2 DEL greeting list no-such-key
expect 0 EXISTS greeting
expect 2 DBSIZE

# A 100 KB value: many reads and writes on both sides of the connection.
head -c 75000 /dev/urandom | base64 -w 0 >big.txt
expect OK -x SET big <big.txt
expect 100000 STRLEN big
cli GET big >big.out 2>&1 || fail "redis-cli GET big: exit status $?"
{ cat big.txt; echo; } | cmp -s - big.out || fail "GET big: the value differs from what was SET"
checks=$((checks + 1))

# Several commands on one connection.
got=$(printf 'SET pipe 1\nINCR pipe\nAPPEND pipe 0\nGET pipe\nDEL pipe\n' | cli 2>&1) ||
    fail "redis-cli (commands on stdin): exit status $?: $got"
got=${got//$'\n'/|}
[ "$got" = "OK|2|2|20|1" ] || fail "commands on one connection: expected 'OK|2|2|20|1', got '$got'"
checks=$((checks + 1))
note "$checks replies checked"

# -------------------------------------------------------------- benchmark
logs+=("$work/benchmark.out")
timeout 120 redis-benchmark -p "$port" -q -n 2000 -t set,get >benchmark.raw 2>&1
st=$?
# -q redraws a progress line with \r; keep the final lines.
tr '\r' '\n' <benchmark.raw | grep -v '^ *$' | grep -v 'rps=' >benchmark.out
[ "$st" = 0 ] || fail "redis-benchmark: exit status $st"
for t in SET GET; do
    rps=$(sed -n "s/^$t: \([0-9.]*\) requests per second.*/\1/p" benchmark.out | tail -n 1)
    [ -n "$rps" ] || fail "redis-benchmark printed no '$t: N requests per second'"
    awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || fail "redis-benchmark $t: $rps requests per second"
    note "benchmark $t: $rps requests per second"
done

# --------------------------------------------------------------- shutdown
out=$(cli SHUTDOWN NOSAVE 2>&1) || fail "redis-cli SHUTDOWN NOSAVE: exit status $?: $out"
wait_exit "$server_pid" 20 || fail "redis-server still running 20 s after SHUTDOWN NOSAVE"
[ "$exit_status" = 0 ] || fail "redis-server exited with status $exit_status"
grep -q 'Redis is now ready to exit' server.log ||
    fail "server log has no 'Redis is now ready to exit'"
if [ -n "$server_pgid" ]; then
    left=$(in_group "$server_pgid")
    [ -z "$left" ] || fail "processes left in the server's group: $left"
fi
note "redis-server exited with status 0"

# ------------------------------------------------------------------ stats
if [ "$stats" = 1 ]; then
    logs+=("$work/stats.json")
    [ -s stats.json ] || fail "no --stats file written"
    check_processes=1
    hl_is_fake && check_processes=0
    "$py" - stats.json "$check_processes" "$(command -v redis-server)" <<'PY' || fail "--stats JSON check failed"
import json, os, sys
path, check_processes, server = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
try:
    d = json.load(open(path))
except ValueError as e:
    sys.exit("stats: not JSON: %s" % e)
errors = []
if d.get("exit_status") != 0:
    errors.append("exit_status is %r, not 0" % d.get("exit_status"))
sc = d.get("syscalls")
if not isinstance(sc, dict):
    sys.exit("stats: no 'syscalls' object")
def count(names):
    return sum(int(sc.get(n, {}).get("count", 0)) for n in names)
need = [("epoll_wait", ("epoll_wait", "epoll_pwait", "epoll_pwait2"), 1),
        ("accept", ("accept", "accept4"), 50),
        ("read", ("read",), 1),
        ("write", ("write",), 1)]
for label, names, least in need:
    n = count(names)
    print("stats: %-10s %d  (%s)" % (label, n, "/".join(names)))
    if n < least:
        errors.append("%s: %d calls, expected at least %d" % ("/".join(names), n, least))
if check_processes:
    procs = d.get("processes")
    if not isinstance(procs, list) or not procs:
        errors.append("no 'processes' array")
    else:
        target = os.path.realpath(server)
        exes = [p.get("exe", "") for p in procs if isinstance(p, dict)]
        print("stats: processes:", ", ".join(map(str, exes)))
        if not any(isinstance(e, str) and (e.endswith("redis-server") or
                   os.path.realpath(e) == target) for e in exes):
            errors.append("no process with exe redis-server (or %s)" % target)
else:
    print("stats: 'processes' not checked (fake hyperloupe)")
for e in errors:
    print("stats: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
fi

passed=1
note "PASS"
