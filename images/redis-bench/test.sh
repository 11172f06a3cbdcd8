#!/usr/bin/env bash
# Starts redis-server on a free port, runs `redis-benchmark -q -t set,get
# -n N` (N = $WL_REQUESTS, default 20000) against it, checks that every key
# it wrote is there, then SHUTDOWN NOSAVE (exit status 0). The metric is the
# rate of all 2N requests: 2 / (1/SET rate + 1/GET rate).
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init redis-server redis-cli redis-benchmark timeout awk
n=${WL_REQUESTS:-20000}

cli() { timeout 20 redis-cli -p "$PORT" "$@"; }
pong() { [ "$(timeout 3 redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]; }
wl_serve pong "PONG from redis-server"

redis-benchmark -p "$PORT" -q -n "$n" -t set,get >bench.raw 2>&1 ||
    wl_fail "redis-benchmark: exit status $?: $(tail -c 300 bench.raw)"
# -q redraws a progress line with \r: keep the final lines.
tr '\r' '\n' <bench.raw | grep ' requests per second' >bench.out
rate() { sed -n "s/^$1: \([0-9.]*\) requests per second.*/\1/p" bench.out | tail -n 1; }
set_rps=$(rate SET)
get_rps=$(rate GET)
[ -n "$set_rps" ] && [ -n "$get_rps" ] || wl_fail "no SET and GET rates in: $(cat bench.out)"
wl_note "SET $set_rps/s, GET $get_rps/s"
[ "$(cli EXISTS key:__rand_int__)" = 1 ] || wl_fail "the key redis-benchmark set is missing"
[ "$(cli STRLEN key:__rand_int__)" = 3 ] || wl_fail "the value redis-benchmark set is not 3 bytes"

out=$(cli SHUTDOWN NOSAVE 2>&1) || wl_fail "redis-cli SHUTDOWN NOSAVE: exit status $?: $out"
wl_stop none 30
wl_metric "$(awk -v s="$set_rps" -v g="$get_rps" 'BEGIN { if (s > 0 && g > 0) printf "%.1f\n", 2 / (1 / s + 1 / g); else print 0 }')"
wl_pass
