#!/usr/bin/env bash
# Starts redis-server on a free port, checks the replies to a few commands
# (redis-cli, native), then SHUTDOWN NOSAVE: it must exit with status 0.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init redis-server redis-cli timeout

cli() { timeout 20 redis-cli -p "$PORT" "$@"; }
pong() { [ "$(timeout 3 redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]; }
wl_serve pong "PONG from redis-server"

# expect WANT CMD...: the reply (lines joined with |) must be WANT.
expect() {
    local want=$1 got
    shift
    got=$(cli "$@" 2>&1) || wl_fail "redis-cli $*: exit status $?: $got"
    got=${got//$'\n'/|}
    [ "$got" = "$want" ] || wl_fail "redis-cli $*: expected '$want', got '$got'"
}
expect OK SET greeting "hello world"
expect "hello world" GET greeting
expect "" GET no-such-key
expect 42 INCRBY counter 42
expect "ERR value is not an integer or out of range" INCR greeting
expect 3 RPUSH list a b c
expect "a|b|c" LRANGE list 0 -1
expect 2 HSET hash f1 v1 f2 "value two"
expect "value two" HGET hash f2
expect 1 EXPIRE greeting 100
expect 2 DEL greeting list
expect 2 DBSIZE
wl_note "12 replies checked"

out=$(cli SHUTDOWN NOSAVE 2>&1) || wl_fail "redis-cli SHUTDOWN NOSAVE: exit status $?: $out"
wl_stop none 30
grep -q 'ready to exit' app.log || wl_fail "no 'ready to exit' in the log"
wl_pass
