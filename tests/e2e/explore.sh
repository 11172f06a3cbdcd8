#!/bin/bash
# explore.sh HYPERLOUPE MODE: `hyperloupe explore` on the hello workloads of
# images/ (real glibc and musl start-up code), checked in the results
# database with the sqlite3 CLI.
#
#   verdicts   hello-glibc-static, 2 replicas: write and exit_group required
#              (a stubbed exit_group passes only by falling back to exit),
#              every feature judged, static >= traced, a rerun makes no run
#   resume     hello-glibc-dyn interrupted by SIGINT mid-campaign: exit 130,
#              what finished is kept, the same command completes it with no
#              run made twice, and the verdicts equal an uninterrupted one's
#   errors     bad input: an unknown workload, a bad option, a file that is
#              not a results database, a workload that fails or hangs with
#              no policy; each a clear error, and nothing recorded as passed
#
# Exits 77 when /dev/kvm cannot be used or a tool is missing.
# shellcheck disable=SC2015
set -u
hl=$1
mode=$2
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
command -v sqlite3 >/dev/null || { echo "explore.sh: sqlite3 not installed" >&2; exit 77; }
case $hl in /*) ;; *) hl=$PWD/$hl ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-explore-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail() { echo "explore.sh: $mode: FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }
class() { q "$1" "SELECT class FROM features WHERE name = '$2'"; }

explore() {   # explore DB ARGS...: status in $st, stderr in err
    local db=$1
    shift
    "$hl" explore -q --db "$db" "$@" >out 2>err
    st=$?
}

case $mode in
verdicts)
    explore v.db --replicas 2 -j 2 hello-glibc-static
    [ "$st" = 0 ] || fail "status $st: $(cat err)"
    [ "$(class v.db write)" = required ] || fail "write: $(class v.db write)"
    [ "$(class v.db exit_group)" = required ] || fail "exit_group: $(class v.db exit_group)"
    why=$(q v.db "SELECT reason FROM runs JOIN features f ON f.id = feature WHERE f.name = 'exit_group'
                  AND runs.kind = 'stub' LIMIT 1")
    case $why in *"never made: exit"*) ;; *) fail "stubbed exit_group: '$why'" ;; esac
    [ "$(q v.db "SELECT count(*) FROM features WHERE class IN ('pending', 'unused')")" = 0 ] ||
        fail "features left unjudged: $(q v.db "SELECT name FROM features WHERE class = 'pending'")"
    used=$(q v.db "SELECT count(*) FROM features WHERE kind = 'call'")
    [ "$used" -ge 5 ] || fail "only $used calls used"
    runs=$(q v.db "SELECT count(*) FROM runs WHERE kind IN ('stub', 'fake')")
    feats=$(q v.db "SELECT count(*) FROM features")
    [ "$runs" = $((feats * 4)) ] || fail "$runs stub/fake runs for $feats features x 2 x 2 replicas"
    [ "$(q v.db "SELECT state FROM workloads")" = done ] || fail "state $(q v.db "SELECT state FROM workloads")"
    # Every traced call is among those the static analysis finds.
    nrs=" $(q v.db "SELECT static FROM workloads") "
    for nr in $(q v.db "SELECT nr FROM features WHERE kind = 'call'"); do
        case $nrs in *" $nr "*) ;; *) fail "traced call $nr not in the static set" ;; esac
    done
    all=$(q v.db "SELECT count(*) FROM runs")
    explore v.db --replicas 2 -j 2 hello-glibc-static
    [ "$st" = 0 ] || fail "rerun: status $st: $(cat err)"
    [ "$(q v.db "SELECT count(*) FROM runs")" = "$all" ] || fail "the rerun made runs again"
    grep -q "system calls *$used used" out || fail "rerun summary: $(cat out)"
    ;;

resume)
    "$hl" explore --db r.db --replicas 2 -j 2 hello-glibc-dyn >out 2>err &
    pid=$!
    # Interrupt once some feature runs are recorded, well before the end.
    for _ in $(seq 600); do
        n=$(q r.db "SELECT count(*) FROM runs WHERE kind = 'stub'" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge 6 ] && break
        sleep 0.1
    done
    kill -INT "$pid"
    wait "$pid"
    st=$?
    [ "$st" = 130 ] || fail "interrupted: status $st: $(tail -3 err)"
    grep -q "the same command resumes" err || fail "no resume hint: $(tail -3 err)"
    kept=$(q r.db "SELECT count(*) FROM runs")
    [ "$(q r.db "SELECT state FROM workloads")" = exploring ] || fail "state $(q r.db "SELECT state FROM workloads")"
    explore r.db --replicas 2 -j 2 hello-glibc-dyn
    [ "$st" = 0 ] || fail "resumed: status $st: $(cat err)"
    total=$(q r.db "SELECT count(*) FROM runs")
    [ "$total" -gt "$kept" ] || fail "the resumed campaign made no run ($kept, then $total)"
    feats=$(q r.db "SELECT count(*) FROM features")
    [ "$(q r.db "SELECT count(*) FROM runs WHERE kind IN ('stub', 'fake')")" = $((feats * 4)) ] ||
        fail "stub/fake runs: $(q r.db "SELECT count(*) FROM runs WHERE kind IN ('stub', 'fake')") for $feats features"
    explore u.db --replicas 2 -j 2 hello-glibc-dyn
    [ "$st" = 0 ] || fail "uninterrupted: status $st: $(cat err)"
    a=$(q r.db "SELECT name || '=' || class FROM features ORDER BY name")
    b=$(q u.db "SELECT name || '=' || class FROM features ORDER BY name")
    [ "$a" = "$b" ] || fail "resumed and uninterrupted verdicts differ: $(diff <(echo "$a") <(echo "$b"))"
    ;;

errors)
    explore e.db no-such-workload
    [ "$st" = 1 ] && grep -q "no-such-workload" err || fail "unknown workload: status $st: $(cat err)"
    explore e.db --replicas 0 hello-glibc-static
    [ "$st" = 2 ] || fail "--replicas 0: status $st"
    explore e.db --check-metric lots hello-glibc-static
    [ "$st" = 2 ] || fail "--check-metric lots: status $st"
    echo "not a database, but long enough to look like the start of one....." >bad.db
    explore bad.db hello-glibc-static
    [ "$st" = 1 ] && grep -q "not a hyperloupe results database" err || fail "bad db: status $st: $(cat err)"
    grep -q "^not a database" bad.db || fail "the bad file was changed"
    # Workloads that fail, and hang, without any policy.
    mkdir -p img/broken img/hangs
    cp "$(dirname "$0")/../../images/lib.sh" img/
    for w in broken hangs; do
        printf 'description = %s\npackages =\nbinaries = sleep\ntimeout = 3\nmetric = none\nrun = sleep 60\ntest = test.sh\n' \
            "$w" >img/$w/workload.conf
    done
    printf '#!/bin/bash\n. "$(dirname "$0")/../lib.sh"\nwl_init\nwl_fail "this workload is broken"\n' >img/broken/test.sh
    printf '#!/bin/bash\n. "$(dirname "$0")/../lib.sh"\nwl_init sleep\nwl_run out\nwl_pass\n' >img/hangs/test.sh
    chmod +x img/*/test.sh
    explore e.db --images img --replicas 1 broken
    [ "$st" = 1 ] && grep -q "broken fails with no policy (exit status 1: .*this workload is broken" err ||
        fail "broken workload: status $st: $(cat err)"
    start=$(date +%s)
    explore e.db --images img --replicas 1 hangs
    [ "$st" = 1 ] && grep -q "hangs fails with no policy (timed out" err || fail "hanging workload: status $st: $(cat err)"
    [ $(($(date +%s) - start)) -lt 30 ] || fail "the hanging workload was not stopped at its timeout"
    [ "$(q e.db "SELECT count(*) FROM runs WHERE ok")" = 0 ] || fail "a failed run was recorded as passed"
    pgrep -f "sleep 60" >/dev/null && fail "the hanging workload's sleep is still running"
    ;;
*)
    echo "explore.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
echo "explore.sh: $mode: ok"
