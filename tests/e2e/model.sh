#!/usr/bin/env bash
# model.sh - `hyperloupe model` on the statistics of real runs.
#
# usage: model.sh HYPERLOUPE MODE
#
# Runs a program under `HYPERLOUPE run [$HL_RUN_FLAGS] --stats FILE` and
# checks what `HYPERLOUPE model` makes of FILE (with python3: $HL_E2E_PYTHON,
# else /usr/bin/python3). Modes:
#   ls        `ls -l /usr`: the JSON has p, C_ns, sum_g_ns, S_n, S_r (and
#             they agree with the stats file: C = user_ns, sum g = host_ns,
#             p as the file's); S_r = S_n with --forward none --fc 0 and
#             with --fc 0; S_r < S_n when calls are forwarded at 10 us;
#             more forwarded or a higher f_c, a lower S_r; least:20% >=
#             random:20% >= most:20%; --order ends at the S_r of none, each
#             step raising it; --features splits ioctl/mmap; the text
#             report; --sweep writes the 7 CSV+SVG pairs
#   policy    `ls` run with `--local openat,close --stub getrandom`: the
#             model's `policy` set keeps openat and close local (b = 0)
#             and getrandom free, so it is above `all`
#   sqlite3   sqlite3 on the e2e SQL file: the same invariants as ls (skipped
#             without sqlite3)
#   errors    a missing file, a directory, not JSON, a JSON array, version 2,
#             a bad --forward, --gamma, --fc, --format, a missing database:
#             status 1 (input) or 2 (usage) and one `hyperloupe: model:` line
#
# Exit status: 0 pass, 1 fail, 2 usage error, 77 skip (no usable /dev/kvm,
# or a program the mode needs is missing).

# shellcheck disable=SC2086
set -u

prog=${0##*/}
# shellcheck source=tests/e2e/lib.sh
. "$(dirname -- "$0")/lib.sh"
here=$(cd "$(dirname -- "$0")" && pwd)

[ $# -eq 2 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
hl=$1 mode=$2
need_hl_and_python

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-model.XXXXXX") || fail "mktemp failed"
trap 'rm -rf -- "$tmp"' EXIT
cd "$tmp" || fail "cd $tmp"

need_kvm() {
    bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
}

# model NAME ARGS...: `hyperloupe model ARGS` into NAME.json (JSON), status
# must be 0
model() {
    local name=$1
    shift
    "$hl" model "$@" >"$name" 2>"$name.err" || fail "model $*: status $?: $(cat "$name.err")"
}

# check PYTHON-CODE: the code sees the stats file as s and every model
# output m[NAME] (the JSON files of this directory).
check() {
    "$py" - "$1" <<'EOF' || fail "check failed (see above)"
import glob, json, os, sys
s = json.load(open("stats.json"))
m = {}
for f in glob.glob("*.json"):
    if f != "stats.json":
        m[f[:-5]] = json.load(open(f))
def close(a, b, rel=1e-8):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)
try:
    exec(sys.argv[1])
except AssertionError as e:
    print("assertion failed:", e, file=sys.stderr)
    sys.exit(1)
EOF
}

# invariants: the model of stats.json as the mode's runs left it.
invariants() {
    model base.json stats.json --format json
    model none0.json stats.json --format json --forward none --fc 0
    model all0.json stats.json --format json --forward all --fc 0
    model all.json stats.json --format json --forward all --fc 10us
    model all1ms.json stats.json --format json --forward all --fc 1ms
    model least.json stats.json --format json --forward least:20%
    model most.json stats.json --format json --forward most:20%
    model random.json stats.json --format json --forward random:20%:3
    model order.json stats.json --format json --forward all --order
    model none.json stats.json --format json --forward none
    model feat.json stats.json --format json --features
    check '
b = m["base"]
for k in ("p", "C_ns", "sum_g_ns", "S_n", "S_r", "S_r_vm", "E_ns", "calls"):
    assert k in b, ("missing key", k)
assert b["C_ns"] == s["user_ns"], (b["C_ns"], s["user_ns"])
assert b["sum_g_ns"] == s["host_ns"], (b["sum_g_ns"], s["host_ns"])
assert abs(b["p"] - s["p"]) < 1e-5, (b["p"], s["p"])
assert 0 < b["p"] < 1, b["p"]
assert close(b["S_n"], 1 / (b["p"] + (1 - b["p"]) / 10)), b["S_n"]
# nothing forwarded, or nothing to pay for it: the refined model is the naive one
for k in ("none0", "all0", "none"):
    assert close(m[k]["S_r"], m[k]["S_n"]), (k, m[k]["S_r"], m[k]["S_n"])
assert m["all"]["S_r"] < m["all"]["S_n"], m["all"]
assert m["all1ms"]["S_r"] < m["all"]["S_r"], (m["all1ms"]["S_r"], m["all"]["S_r"])
assert m["least"]["S_r"] >= m["random"]["S_r"] >= m["most"]["S_r"], \
    (m["least"]["S_r"], m["random"]["S_r"], m["most"]["S_r"])
assert m["least"]["S_r"] > m["most"]["S_r"]
assert m["least"]["forwarded_units"] == m["most"]["forwarded_units"] == round(0.2 * b["used_units"])
assert 1 <= b["S_r_vm"] <= b["S_r"], (b["S_r_vm"], b["S_r"])
o = m["order"]["order"]
assert len(o) == m["order"]["forwarded_units"] == b["used_units"], len(o)
assert all(o[i]["S_r"] >= o[i - 1]["S_r"] for i in range(1, len(o)))
assert close(o[-1]["S_r"], m["none"]["S_r"], 1e-6), (o[-1], m["none"]["S_r"])
assert o[0]["name"] == max(m["order"]["calls"], key=lambda c: c["count"])["name"], o[0]
f = m["feat"]
names = [c["name"] for c in f["calls"]]
assert any(n.startswith("mmap:") for n in names), names
assert close(sum(c["host_ns"] for c in f["calls"]), b["sum_g_ns"]), "features lose host time"
assert sum(c["count"] for c in f["calls"]) == sum(v["count"] for v in s["syscalls"].values()), \
    "features lose calls"
'
    "$hl" model stats.json --order --fc 1us >text 2>&1 || fail "text report: $(cat text)"
    for w in "^C  " "^sum g" "^p  " "^S_n" "^S_r  " "implement locally first"; do
        grep -q "$w" text || fail "text report: no '$w': $(cat text)"
    done
    "$hl" model stats.json --sweep sweep --forward least:20% >list 2>list.err ||
        fail "--sweep: $(cat list.err)"
    for f in sn_p_gamma gamma fc gamma_fc fc_fraction gamma_fraction profile; do
        grep -qx "sweep/$f.svg" list || fail "--sweep did not list $f.svg: $(cat list)"
        head -c 200 "sweep/$f.svg" | grep -q "<svg" || fail "sweep/$f.svg is not SVG"
        [ "$(wc -l <"sweep/$f.csv")" -gt 2 ] || fail "sweep/$f.csv is too short"
    done
    head -n 1 sweep/gamma.csv | grep -qx 'gamma,S_n,S_r (least:20%),S_r (most:20%),S_r (random:20%:1)' ||
        fail "sweep/gamma.csv header: $(head -n 1 sweep/gamma.csv)"
}

run_ls() {
    local extra=("$@")
    vmm --stats stats.json "${extra[@]}" -- /bin/ls -l /usr
    [ "$st" = 0 ] || fail "ls under the VMM: status $st: $(cat err)"
}

case $mode in
ls)
    need_kvm
    run_ls
    invariants
    ;;
policy)
    need_kvm
    run_ls --local openat,close --stub getrandom
    model pol.json stats.json --format json
    model all.json stats.json --format json --forward all
    check '
p, a = m["pol"], m["all"]
c = {x["name"]: x for x in p["calls"]}
assert c["openat"]["b"] == 0 and c["close"]["b"] == 0, (c["openat"], c["close"])
assert c["openat"]["run"] == "local", c["openat"]
assert "openat" not in p["forwarded"] and "read" in p["forwarded"], p["forwarded"]
if "getrandom" in c:
    assert c["getrandom"]["run"] == "stub" and c["getrandom"]["cost_ns"] == 0, c["getrandom"]
assert p["S_r"] > a["S_r"], (p["S_r"], a["S_r"])
assert p["forwarded_units"] < a["forwarded_units"]
'
    ;;
sqlite3)
    need_kvm
    sq=$(command -v sqlite3) || skip "sqlite3 not installed"
    vmm --stats stats.json -- "$sq" -batch test.db ".read $here/data/sqlite.sql"
    [ "$st" = 0 ] || fail "sqlite3 under the VMM: status $st: $(cat err)"
    invariants
    ;;
errors)
    printf '{"version": 2, "syscalls": {}}' >v2.json
    printf 'not json' >bad.json
    printf '[1, 2]' >array.json
    printf '{"version": 3, "user_ns": 5, "exit_overhead_ns": 0, "syscalls": {"read": {"nr": 0, "count": 1, "host_ns": 5}}}' >ok.json
    # expect STATUS WORDS ARGS...: exit status and one line naming WORDS
    expect() {
        local want=$1 words=$2
        shift 2
        "$hl" model "$@" >out 2>err
        st=$?
        [ "$st" = "$want" ] || fail "model $*: status $st, expected $want; stderr: $(cat err)"
        [ ! -s out ] || fail "model $*: printed on stdout: $(head -c 300 out)"
        [ "$(wc -l <err)" = 1 ] && grep -q "^hyperloupe: model: .*$words" err ||
            fail "model $*: expected one 'hyperloupe: model: ...$words' line, got: $(cat err)"
    }
    expect 1 "missing.json: No such file" missing.json
    expect 1 "Is a directory" .
    expect 1 "not JSON" bad.json
    expect 1 "a JSON array" array.json
    expect 1 "version 2, expected 3" v2.json
    expect 2 "least:x" --forward least:x ok.json
    expect 2 "nosuchcall" --forward read,nosuchcall ok.json
    expect 2 "gamma" --gamma -1 ok.json
    expect 2 "fc" --fc fast ok.json
    expect 2 "format" --format xml ok.json
    expect 1 "no-such.db: No such file" db:wl@no-such.db
    "$hl" model ok.json --fc 0 --format json >out 2>err || fail "ok.json: $(cat err)"
    "$hl" model >out 2>err
    [ $? = 2 ] && grep -q '^usage: hyperloupe model' err || fail "no SOURCE: not a usage error"
    ;;
*)
    fail "unknown mode '$mode'"
    ;;
esac
echo "$prog $mode: PASS"
