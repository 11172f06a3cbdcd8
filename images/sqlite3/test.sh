#!/usr/bin/env bash
# sqlite3 executes workload.sql (tables, a transaction of 2000 inserts, an
# index, aggregates, a join, integrity_check) on a database in $WORK; its
# output must be expected.txt.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init sqlite3
wl_run out.txt || wl_fail "exit status $?: $(head -c 300 out.txt.err)"
wl_expect "$IMAGE/expected.txt" out.txt
[ -s test.db ] || wl_fail "no database written"
wl_pass
