#!/usr/bin/env bash
# Starts memcached on a free port (`-u root` only matters as root, where
# memcached insists on a user); stores two files with memccp and checks them
# with memccat, memcexist and memcrm; runs memcslap's set then get tests (4
# threads, $WL_OPS (default 2500) keys each); then SIGUSR1, memcached's
# graceful stop: exit status 0. The metric is set and get operations per
# second over both tests.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init memcached memcping memccp memccat memcexist memcrm memcslap timeout awk cmp
ops=${WL_OPS:-2500}

srv() { printf -- '--servers=127.0.0.1:%s' "$PORT"; }
ping() { timeout 3 memcping "$(srv)" >/dev/null 2>&1; }
wl_serve ping "a ping answer from memcached"

printf 'hello from hyperloupe\n' >small.txt
head -c 200000 /dev/urandom | base64 >big.txt
timeout 20 memccp "$(srv)" small.txt big.txt || wl_fail "memccp: exit status $?"
for f in small.txt big.txt; do
    timeout 20 memccat "$(srv)" "$f" >"$f.back" || wl_fail "memccat $f: exit status $?"
    # memccat ends each value with a newline of its own.
    { cat "$f"; echo; } | cmp -s - "$f.back" || wl_fail "memccat $f: the value differs from what memccp stored"
done
timeout 20 memcrm "$(srv)" small.txt || wl_fail "memcrm: exit status $?"
! timeout 20 memcexist "$(srv)" small.txt || wl_fail "small.txt still exists after memcrm"
timeout 20 memcexist "$(srv)" big.txt || wl_fail "big.txt is gone"

# slap TEST: memcslap's time for the TEST part, in seconds.
slap() {
    timeout 120 memcslap "$(srv)" -t "$1" -c 4 -e "$ops" >"slap.$1" 2>&1 ||
        wl_fail "memcslap -t $1: exit status $?: $(tail -c 300 "slap.$1")"
    sed -n "s/^Time to $1 *[0-9]* keys by *4 threads: *\([0-9.]*\) seconds.*/\1/p" "slap.$1"
}
t_set=$(slap set)
t_get=$(slap get)
[ -n "$t_set" ] && [ -n "$t_get" ] || wl_fail "no times in memcslap's output: $(cat slap.set slap.get)"
wl_note "memcslap: $((4 * ops)) sets in $t_set s, $((4 * ops)) gets in $t_get s"

wl_stop USR1 30
grep -q 'Gracefully stopping' app.log || wl_fail "no 'Gracefully stopping' in the log"
wl_metric "$(awk -v n=$((8 * ops)) -v a="$t_set" -v b="$t_get" 'BEGIN { t = a + b; printf "%.1f\n", (t > 0 ? n / t : 0) }')"
wl_pass
