#!/usr/bin/env bash
# plan_report.sh - `hyperloupe plan` and `hyperloupe report` on the test
# results database (tests/unit/rdb_fixture.h, written by hl-mkrdb): their
# output against the expected files in data/plan-report/, and their errors.
# No guest runs: /dev/kvm is not needed.
#
# usage: plan_report.sh HYPERLOUPE HL-MKRDB
set -u
prog=plan_report.sh
hl=$1
mkrdb=$2
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data/plan-report
# shellcheck source=lib.sh
. "$here/lib.sh"

dir=$(mktemp -d "${TMPDIR:-/tmp}/hl-plan-report.XXXXXX") || fail "mktemp"
trap 'rm -rf "$dir"' EXIT
cd "$dir" || fail "cd $dir"
cp "$data"/*.txt "$data"/*.csv . || fail "cannot copy $data"
"$mkrdb" t.db || fail "hl-mkrdb failed"

# run CMD...: stdout in ./out, stderr in ./err, status in $st
run() {
    "$@" >out 2>err
    st=$?
}

expect() { # STATUS STDERR-LINE: what the last run did
    [ "$st" = "$1" ] || fail "$2: exit status $st, expected $1 (stderr: $(cat err))"
    [ "$(cat err)" = "$2" ] || fail "stderr: '$(cat err)', expected '$2'"
}

same() { # EXPECTED ACTUAL
    diff -u "$1" "$2" >&2 || fail "$2 differs from $1"
}

# ---- plan
run "$hl" plan --os os.txt --db t.db
expect 0 "hyperloupe: plan: gamma: campaign exploring, not done: left out (--partial plans it)"
same expected-plan.txt out
same expected-plan-curve.csv plan.csv
grep -q '<path class="series"' plan.svg || fail "plan.svg has no curve"
run "$hl" plan --os os.txt --db t.db --partial --format csv --out curves alpha gamma
expect 0 ""
[ "$(sed -n 4p out)" = "2,gamma,mmap,,,1,2" ] || fail "--partial: $(cat out)"
if [ ! -s curves.csv ] || [ ! -s curves.svg ]; then
    fail "--out curves: no curves.csv or curves.svg"
fi
run "$hl" plan --os none --db t.db --format csv alpha
expect 0 ""
[ "$(sed -n 3p out)" = "1,alpha,read write,clock_gettime openat getrandom,futex,2,1" ] ||
    fail "--os none: $(cat out)"
run "$hl" plan --os os-bad.txt --db t.db
expect 2 "hyperloupe: plan: os-bad.txt:2: unknown system call 'wirte'"
run "$hl" plan --os no-such.txt --db t.db
expect 2 "hyperloupe: plan: no-such.txt: No such file or directory"
run "$hl" plan --db t.db
expect 2 "hyperloupe: plan: --os FILE is required (--os none: an OS with no system call)"
run "$hl" plan --os os.txt --db t.db --format xml
expect 2 "hyperloupe: plan: --format 'xml': text, csv, json or md"
run "$hl" plan --os os.txt --db t.db delta
expect 1 "hyperloupe: plan: t.db: no workload 'delta' in the results database"

# ---- report
run "$hl" report --db t.db --compare loupe-alpha.csv alpha
expect 0 ""
sed 's/^row 3, created [^,]*,/row 3, created TIME,/' out >out.text
same expected-report.txt out.text
run "$hl" report --db t.db --format csv beta
expect 0 ""
same expected-report-beta.csv out
run "$hl" report --db t.db --format json
expect 0 ""
if command -v python3 >/dev/null; then
    python3 -c 'import json, sys; w = json.load(open("out")); assert [x["name"] for x in w] == ["alpha", "beta", "gamma"], w' ||
        fail "report --format json: not the JSON expected"
fi
run "$hl" report --db t.db --compare loupe-bad.csv
expect 2 "hyperloupe: report: loupe-bad.csv:3: 4 fields, expected 5 (syscall,used,works_faked,works_stubbed,works_both)"
run "$hl" report --db t.db delta
expect 1 "hyperloupe: report: t.db: no workload 'delta' in the results database"

# ---- a missing database is an error, and is not created
for cmd in "plan --os os.txt" report; do
    # shellcheck disable=SC2086
    run "$hl" $cmd --db missing.db
    expect 1 "hyperloupe: ${cmd%% *}: missing.db: No such file or directory (no results database: run \`hyperloupe explore\`, or give --db FILE)"
    [ ! -e missing.db ] || fail "$cmd created missing.db"
done
echo "$prog: ok"
