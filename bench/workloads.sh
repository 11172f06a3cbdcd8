#!/bin/sh
# workloads.sh [--strict] [-- COMMAND [ARGS...]] - the wall time of whole
# syscall-heavy programs, natively and traced.
#
# Runs each workload (WORKLOADS, default "dd sqlite tar"):
#   dd       dd if=/dev/zero of=/dev/null bs=1 count=COUNT (COUNT default
#            300000: a 1-byte read and a 1-byte write per byte)
#   sqlite   sqlite3 -bail DB '.read FILE': CREATE TABLE and ROWS (default
#            800) separate INSERTs outside any transaction (autocommit: each
#            insert is a transaction of its own, with its journal and its
#            fdatasync calls), into a fresh database file under TMPDIR for
#            every run
#   tar      tar -cf /dev/null TAR_DIR (default /usr/share)
# or the COMMAND given after `--` instead (no target then), each
#   natively                              COMMAND
#   under each engine E that `hyperloupe engines --check E` accepts here:
#     kvm                                 hyperloupe run --engine kvm -- COMMAND
#     sud (rewriting)                     hyperloupe run --engine sud -- COMMAND
#     sud, no rewriting                   hyperloupe run --engine sud --no-rewrite -- COMMAND
#   under strace                          strace -f -qq -o /dev/null COMMAND
#   under perf trace                      perf trace -o /dev/null -- COMMAND
# and times each from start to end (date +%s%N around it, so start-up and
# the tracer's set-up count). Each workload first runs once natively, not
# timed (it warms the caches and shows that the workload works here; one
# whose program is missing or fails is skipped, and said so). Native and the
# engines are measured in ROUNDS interleaved rounds (default 3), strace -f
# and perf trace in the first TRACER_ROUNDS of them (default 1: with dd they
# take 30-50 s each on the development machines); each figure is the median
# of its rounds and ratios are ratios of medians. A run that fails is
# skipped (and said so). Prints, per workload, the wall times, the ratio of
# each run to native, strace -f and perf trace, for sud the gain of
# rewriting (--no-rewrite / rewritten), and checks, printing PASS/FAIL:
#   sud: each of dd, sqlite and tar <= 1.3 x native's wall time, rewriting
# (the --no-rewrite ratios are printed beside it, without a target). Exits 0
# whatever the result unless --strict (then 1 when a target is not met or
# cannot be measured on a machine with sud).
#
# Environment: HYPERLOUPE (default build/hyperloupe, then
# build/vmm/hyperloupe), WORKLOADS, COUNT, ROWS, TAR_DIR, ROUNDS,
# TRACER_ROUNDS, PERF_TRACE (0: no perf trace run), TMPDIR (the sqlite
# databases go there: a tmpfs makes fdatasync free).
set -u

strict=0
while [ $# -gt 0 ]; do
    case $1 in
        --strict) strict=1; shift ;;
        -h|--help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        --) shift; break ;;
        *) echo "workloads.sh: bad argument: $1" >&2; exit 2 ;;
    esac
done
count=${COUNT:-300000}
rows=${ROWS:-800}
tar_dir=${TAR_DIR:-/usr/share}
rounds=${ROUNDS:-3}
tracer_rounds=${TRACER_ROUNDS:-1}
case $count$rows$rounds$tracer_rounds in
    *[!0-9]*|'') echo "workloads.sh: COUNT, ROWS, ROUNDS and TRACER_ROUNDS must be numbers" >&2; exit 2 ;;
esac
[ "$rounds" -ge 1 ] || { echo "workloads.sh: ROUNDS must be at least 1" >&2; exit 2; }
[ "$rows" -ge 1 ] || { echo "workloads.sh: ROWS must be at least 1" >&2; exit 2; }

# quote ARG...: the arguments as one line of shell words (for eval).
quote() {
    for a in "$@"; do
        printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
    done
}

if [ $# -gt 0 ]; then
    workloads=custom
    custom=$(quote "$@")
else
    workloads=${WORKLOADS:-dd sqlite tar}
    custom=
    for w in $workloads; do
        case $w in
            dd|sqlite|tar) ;;
            *) echo "workloads.sh: unknown workload in WORKLOADS: $w (dd, sqlite, tar)" >&2; exit 2 ;;
        esac
    done
fi

root=$(cd "$(dirname "$0")/.." && pwd)
hl=${HYPERLOUPE:-}
if [ -z "$hl" ]; then
    hl=$root/build/hyperloupe
    [ -x "$hl" ] || [ ! -x "$root/build/vmm/hyperloupe" ] || hl=$root/build/vmm/hyperloupe
fi

# The same messages (dd's "records out") and the same work in every mode.
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-workloads.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

# The workloads' commands, as shell words. $db is the run's database file.
db=
runs=0
wl_cmd() {   # wl_cmd WORKLOAD
    case $1 in
        dd) quote dd if=/dev/zero of=/dev/null bs=1 count="$count" ;;
        sqlite) quote sqlite3 -bail "$db" ".read $tmp/inserts.sql" ;;
        tar) quote tar -cf /dev/null "$tar_dir" ;;
        custom) printf '%s' "$custom" ;;
    esac
}
wl_prog() {   # wl_prog WORKLOAD: the program it needs
    case $1 in
        dd) echo dd ;;
        sqlite) echo sqlite3 ;;
        tar) echo tar ;;
        custom) eval "set -- $custom"; echo "$1" ;;
    esac
}
wl_title() {   # wl_title WORKLOAD: the command, for people
    case $1 in
        sqlite) echo "sqlite3: $rows INSERTs in autocommit mode into a fresh database" ;;
        *) eval "set -- $(wl_cmd "$1")"; echo "$*" ;;
    esac
}
# wl_check WORKLOAD ERRFILE: after a run that exited 0, whether it did its
# work; $why says what is wrong when not.
wl_check() {
    case $1 in
        dd)
            grep -q "^$count+0 records out" "$2" && return 0
            why="dd did not copy $count records" ;;
        sqlite)
            n=$(sqlite3 "$db" 'SELECT count(*) FROM t;' 2>&1)
            [ "$n" = "$rows" ] && return 0
            why="the table has $n rows, not $rows" ;;
        *) return 0 ;;
    esac
    return 1
}

# run WORKLOAD KEY LABEL [WRAPPER...]: time `WRAPPER... COMMAND` (not timed
# when KEY is empty), append its wall time (s) to $tmp/WORKLOAD.KEY.s, or say
# why it was skipped.
run() {
    wl=$1 key=$2 label=$3
    shift 3
    runs=$((runs + 1))
    db=$tmp/sqlite.$runs.db
    eval "set -- \"\$@\" $(wl_cmd "$wl")"
    printf '  %-26s ... ' "$label"
    t0=$(now_ns)
    "$@" </dev/null >"$tmp/run.out" 2>"$tmp/run.err"
    st=$?
    t1=$(now_ns)
    ok=1
    if [ "$st" -ne 0 ]; then
        echo "SKIPPED: $(bench_status "$st")"
        ok=0
    elif ! wl_check "$wl" "$tmp/run.err"; then
        echo "SKIPPED: $why"
        ok=0
    fi
    rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
    if [ "$ok" = 0 ]; then
        sed -n '1,5s/^/    | /p' "$tmp/run.err"
        return 1
    fi
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }')
    if [ -n "$key" ]; then
        echo "$s" >>"$tmp/$wl.$key.s"
        echo "$s s"
    else
        echo "ok ($s s, not counted)"
    fi
}

skip() {   # skip LABEL REASON
    printf '  %-26s ... SKIPPED: %s\n' "$1" "$2"
}

echo "workloads: $workloads"
echo "  $rounds rounds (strace -f and perf trace: $tracer_rounds)"
echo "  hyperloupe: $hl"
bench_engines "$hl" "  "
bench_tools
for w in $workloads; do
    echo "  $w: $(wl_title "$w")"
done
echo

# The sqlite workload's statements: one table, ROWS inserts, no BEGIN.
case " $workloads " in
    *" sqlite "*)
        {
            echo 'CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);'
            awk -v n="$rows" 'BEGIN { for (i = 1; i <= n; i++) printf "INSERT INTO t(v) VALUES (%c%08d %s%c);\n", 39, i, "row of the autocommit benchmark", 39 }'
        } >"$tmp/inserts.sql" ;;
esac

# Each workload once natively, not timed: the caches, and whether it works.
echo "warm-up"
ready=
for w in $workloads; do
    p=$(wl_prog "$w")
    if ! command -v "$p" >/dev/null 2>&1; then
        case $p in dd) pkg=coreutils ;; *) pkg=$p ;; esac
        skip "$w" "$p not installed (apt-get install $pkg)"
    elif [ "$w" = tar ] && [ ! -d "$tar_dir" ]; then
        skip "$w" "no directory $tar_dir (set TAR_DIR)"
    elif run "$w" "" "$w (native)"; then
        ready="$ready $w"
    fi
done
echo

# Noisy hosts: interleaved rounds, medians.
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds"
    for w in $ready; do
        run "$w" native "$w: native"
        for e in $engines; do
            case $e in
                sud)
                    run "$w" sud "$w: sud (rewriting)" "$hl" run --engine sud --
                    run "$w" sudnr "$w: sud --no-rewrite" "$hl" run --engine sud --no-rewrite --
                    ;;
                *)
                    run "$w" "$e" "$w: $e" "$hl" run --engine "$e" --
                    ;;
            esac
        done
        [ "$round" -le "$tracer_rounds" ] || continue
        if [ "$have_strace" = 1 ]; then
            run "$w" strace "$w: strace -f" strace -f -qq -o /dev/null
        else
            skip "$w: strace -f" "strace not installed (apt-get install strace)"
        fi
        if [ "$have_perf" = 1 ]; then
            run "$w" perf "$w: perf trace" perf trace -o /dev/null --
        elif [ "${PERF_TRACE:-1}" != 0 ]; then
            skip "$w: perf trace" "perf not installed (apt-get install linux-perf)"
        fi
    done
done

val() { bench_median "$tmp/$1.s" 3; }    # the median of KEY's rounds
range() { bench_range "$tmp/$1.s" 3; }   # the range of KEY's rounds
ratio() { bench_ratio "$(val "$1")" "$(val "$2")"; }
has() {   # has ENGINE: ENGINE is measured here
    case " $engines " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

fmt='%-28s %6s %10s %15s %10s %12s %12s\n'
row() {   # row WORKLOAD KEY LABEL
    v=$(val "$1.$2") || v="skipped"
    k=0
    [ ! -s "$tmp/$1.$2.s" ] || k=$(wc -l <"$tmp/$1.$2.s")
    # shellcheck disable=SC2059  # (the format is $fmt)
    printf "$fmt" "$3" "$k" "$v" "$(range "$1.$2")" \
        "$(ratio "$1.$2" "$1.native")" "$(ratio "$1.$2" "$1.strace")" "$(ratio "$1.$2" "$1.perf")"
}
for w in $workloads; do
    echo
    echo "$w: $(wl_title "$w")"
    case " $ready " in
        *" $w "*) ;;
        *) echo "  not measured (see the warm-up above)"; continue ;;
    esac
    echo "median wall time:"
    # shellcheck disable=SC2059
    printf "$fmt" "run" "rounds" "seconds" "(range)" "/ native" "/ strace -f" "/ perf trace"
    # shellcheck disable=SC2059
    printf "$fmt" "----------------------------" "------" "----------" "---------------" "----------" "------------" "------------"
    row "$w" native "native"
    for e in $engines; do
        case $e in
            sud)
                row "$w" sud "hyperloupe sud (rewriting)"
                row "$w" sudnr "hyperloupe sud --no-rewrite"
                ;;
            *) row "$w" "$e" "hyperloupe $e" ;;
        esac
    done
    row "$w" strace "strace -f"
    [ "$have_perf" = 1 ] && row "$w" perf "perf trace"
    if has sud; then
        printf '%-28s --no-rewrite / rewriting = %s\n' "sud: gain of rewriting" "$(ratio "$w.sudnr" "$w.sud")"
    fi
done

failed=0
echo
if [ "$workloads" = custom ]; then
    echo "target: none for a workload of your own"
elif has sud; then
    echo "targets (sud, rewriting):"
    for w in $workloads; do
        label="$w: sud <= 1.3 x native"
        r=$(ratio "$w.sud" "$w.native")
        if [ "$r" = "n/a" ]; then
            printf '%-44s SKIP (not measured)\n' "$label:"
            failed=1
        elif awk -v r="$r" 'BEGIN { exit !(r <= 1.3) }'; then
            printf '%-44s PASS (%s <= 1.3)\n' "$label:" "$r"
        else
            printf '%-44s FAIL (%s > 1.3)\n' "$label:" "$r"
            failed=1
        fi
    done
    for w in $workloads; do
        printf '%-44s %s x native, %s x strace -f (no target)\n' "$w: sud --no-rewrite, for comparison:" \
            "$(ratio "$w.sudnr" "$w.native")" "$(ratio "$w.sudnr" "$w.strace")"
    done
else
    echo "targets: not measured (no sud engine here)"
fi

if [ "$strict" = 1 ] && [ "$failed" = 1 ]; then
    exit 1
fi
exit 0
