#!/usr/bin/env bash
# redis_profile.sh [--io-threads N] [--runs N] HYPERLOUPE - the set of system
# calls in hyperloupe's profile of redis-server under redis-benchmark must be
# the set `strace -f` records for the same workload natively.
#
# Each run starts redis-server on a free port with the same configuration
# (--save '' --appendonly no --daemonize no --bind 127.0.0.1 --io-threads N),
# once natively under `strace -f -qq -o TRACE` and once under
# `HYPERLOUPE run --stats FILE`, and drives both with the same workload:
# PING until it answers, SET/GET/INCR/INFO with redis-cli,
# `redis-benchmark -t set,get -n 2000 -c 10 -q`, then `SHUTDOWN NOSAVE` (so
# the exit path is the same: the server exits by itself with status 0, and
# every thread's calls up to exit_group are in both profiles).
#
# The native set is every syscall name in the strace output, from every
# thread (-f), whether it completed, was left unfinished at exit or failed,
# except the very first line: the execve by which strace's own child starts
# redis-server (the guest never makes that call: the VMM loads the ELF
# itself, and tests/e2e/fake-hyperloupe.sh drops it from its profile too).
# The hyperloupe set is every top-level "syscalls" entry with count > 0
# (all processes and threads of the run; failed and emulated calls count).
#
# With --runs N (default 2) each side runs N times (native and hyperloupe
# alternating) and the sets compared are the unions over the runs: a call
# seen in any run on one side and in no run on the other is a difference.
# Natively the set was the same in every run tried (over 20, io-threads 1,
# 2 and 4), so the unions are the sets; a call made in some runs only of
# one side is printed for information.
#
# The calls that failed at least once (strace: "= -1 E..."; the profile:
# "errors" > 0) are compared the same way, so that a call the VMM fails
# where it never fails natively (say an mmap) is a difference too.
#
# A difference fails the test unless the call is in the allow-lists below,
# with its side and reason. Counts are printed side by side for information
# (they differ legitimately: e.g. rseq is called by each thread natively but
# once under hyperloupe, which answers ENOSYS so that glibc stops trying;
# epoll_wait, futex and the /proc/self/stat reads (openat/read/close) of
# serverCron follow the timing and the run time).
#
# Exit status: 0 pass, 1 fail, 2 usage, 77 skip (no /dev/kvm, no redis-server,
# redis-cli, redis-benchmark, strace or python3).
# Environment: TMPDIR (the work directory is made there; CTest sets it to the
# build tree), HL_APPS_PYTHON (default /usr/bin/python3).

# shellcheck source=tests/apps/lib.sh
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------ allow-lists
# Entries are "NAME SIDE": SIDE is the side on which NAME may appear alone
# (native, hyperloupe or either). Each has its reason in a comment; keep
# them as short as the facts allow.
#
# allow: calls that may be in one set only. Empty: in every run tried the
# sets were equal. Candidates checked and NOT needed here (both sides make
# them in every run):
#   futex        bio threads and jemalloc's background thread wait on
#                condition variables from startup and the main thread wakes
#                them, whatever the timing;
#   epoll_wait   the event loop calls it every cycle;
#   rseq         hyperloupe records the call (it answers ENOSYS), so it is
#                in both sets; only the counts differ (see above);
#   mmap, munmap, mprotect, brk, madvise, arch_prctl, set_tid_address,
#   rt_sig*, prctl, readlink, clone3, exit_group
#                emulated by the VMM, and recorded all the same;
#   restart_syscall  never seen: no signal interrupts a call here.
# The launch execve is not listed: it is left out of the native set by
# position (the first trace line), not by name, so an execve made by
# redis-server itself would still be compared.
allow=(
)
# allow_errors: calls that may have failed (returned -1/-errno at least
# once) on one side only. This second comparison is not a set of names but
# catches calls the VMM fails that never fail natively (e.g. an mmap).
allow_errors=(
    # The VMM answers ENOSYS by design (README, "Calls the VMM handles
    # itself": the host kernel would restart critical sections from the VMM
    # thread's registers); natively rseq succeeds.
    "rseq hyperloupe"
    # FUTEX_WAIT fails with EAGAIN when another thread changed the futex
    # word between the waiter's check and its call: a race between threads,
    # seen in some runs only, natively and under hyperloupe.
    "futex either"
)

runs=2
io_threads=1
while [ $# -gt 0 ]; do
    case $1 in
        --io-threads) io_threads=${2:-}; shift 2 || break ;;
        --runs) runs=${2:-}; shift 2 || break ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "$prog: unknown option: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
case $io_threads$runs in ''|*[!0-9]*) echo "$prog: --io-threads and --runs take a number" >&2; exit 2 ;; esac
if [ "$runs" -lt 1 ] || [ "$io_threads" -lt 1 ]; then
    echo "$prog: --io-threads and --runs must be at least 1" >&2
    exit 2
fi
[ $# -eq 1 ] || { echo "usage: $prog [--io-threads N] [--runs N] HYPERLOUPE" >&2; exit 2; }
apps_init "$1" redis-server redis-cli redis-benchmark strace
if hl_is_fake; then
    # tests/e2e/fake-hyperloupe.sh profiles with `strace -c`, which counts a
    # call when it returns: exit_group never does (nor any call still
    # blocked when the process exits). Not the case for the real VMM, which
    # records a call when the guest makes it.
    allow+=("exit_group native")
fi

py=${HL_APPS_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=$(command -v python3) || skip "python3 not installed"

note "hyperloupe: $hl"
note "work dir:   $work"
note "io-threads: $io_threads, runs per side: $runs"

t_start=$(now_ms)

# run_fail MESSAGE: fail, saying which run; for a hyperloupe run, also what
# its profile says (it is written as the guest exits: a crashed server has
# one) and the crash lines of the server's log, which the log's tail may
# not show.
run_fail() {
    local msg="$side run $n: $*" prof=$work/hyperloupe.$n.json crash
    if [ "$side" = hyperloupe ]; then
        [ -z "$server_pid" ] || wait_exit "$server_pid" 5 || true
        crash=$(grep -h -m 4 -E 'crashed by signal|Accessing address|Guru Meditation|Out Of Memory' "$log" |
                sed 's/^/  log: /')
        [ -z "$crash" ] || msg+=$'\n'"$crash"
        [ -s "$prof" ] && msg+=$'\n  profile: '$("$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("exit_status %s term_signal %s; calls that failed (errors/calls): %s" % (
    d.get("exit_status"), d.get("term_signal"),
    " ".join("%s %d/%d" % (k, v["errors"], v["count"])
             for k, v in sorted(d["syscalls"].items()) if v.get("errors"))))' "$prof" 2>&1)
    fi
    fail "$msg"
}

# one_run SIDE N: start the server (SIDE native: under strace; hyperloupe:
# under `run --stats`), run the workload, shut it down, check it exited 0.
one_run() {
    local side=$1 n=$2 port log out st t0
    port=$(free_port) || fail "no free TCP port found"
    log=$work/$side.$n.log
    t0=$(now_ms)
    local server=(redis-server --port "$port" --save '' --appendonly no --daemonize no
                  --bind 127.0.0.1 --io-threads "$io_threads")
    if [ "$side" = native ]; then
        # Not a process group leader: setsid execs strace, whose pid is
        # $server_pid; strace exits with redis-server's status.
        start_server "$log" strace -f -qq -o "$work/native.$n.trace" -- "${server[@]}"
    else
        start_server "$log" "$hl" run --stats "$work/hyperloupe.$n.json" -- "${server[@]}"
    fi
    cli() { timeout 20 redis-cli -p "$port" "$@"; }
    pong() { [ "$(timeout 3 redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; }
    wait_until 30 "PONG from redis-server ($side run $n)" pong

    # expect WANT CMD...: the reply must be WANT (WANT '*': any reply with
    # redis_version: in it, for INFO).
    expect() {
        local want=$1
        shift
        out=$(cli "$@" 2>&1) || run_fail "redis-cli $*: exit status $?: ${out:0:200}"
        case $want in
            '*') [[ $out == *redis_version:* ]] || run_fail "redis-cli $*: '${out:0:200}'" ;;
            *) [ "$out" = "$want" ] || run_fail "redis-cli $*: expected '$want', got '$out'" ;;
        esac
    }
    expect OK SET greeting hello
    expect hello GET greeting
    expect 1 INCR counter
    expect '*' INFO

    logs+=("$work/$side.$n.bench")
    timeout 120 redis-benchmark -p "$port" -t set,get -n 2000 -c 10 -q >"$work/$side.$n.raw" 2>&1
    st=$?
    tr '\r' '\n' <"$work/$side.$n.raw" | grep -v '^ *$' | grep -v 'rps=' >"$work/$side.$n.bench"
    [ "$st" = 0 ] || run_fail "redis-benchmark: exit status $st"
    grep -q '^GET: .* requests per second' "$work/$side.$n.bench" ||
        run_fail "redis-benchmark printed no 'GET: N requests per second'"

    # The reply never comes: the server closes the connection as it exits.
    cli SHUTDOWN NOSAVE >/dev/null 2>&1
    wait_exit "$server_pid" 30 || run_fail "redis-server still running 30 s after SHUTDOWN NOSAVE"
    [ "$exit_status" = 0 ] || run_fail "exited with status $exit_status"
    grep -q 'Redis is now ready to exit' "$log" || run_fail "log has no 'Redis is now ready to exit'"
    if [ -n "$server_pgid" ]; then
        local left
        left=$(in_group "$server_pgid")
        [ -z "$left" ] || run_fail "processes left in the server's group: $left"
    fi
    server_pid='' server_pgid=''
    t0=$(($(now_ms) - t0))
    note "$side run $n: $((t0 / 1000)).$((t0 % 1000 / 100)) s; $(tr '\n' ' ' <"$work/$side.$n.bench")"
}

for n in $(seq 1 "$runs"); do
    one_run native "$n"
    one_run hyperloupe "$n"
done

# --------------------------------------------------------------- compare
logs+=("$work/compare.out")
allow_args=()
for a in "${allow[@]}"; do allow_args+=("set $a"); done
for a in "${allow_errors[@]}"; do allow_args+=("errors $a"); done
"$py" - "$runs" "$work" "${allow_args[@]}" >"$work/compare.out" 2>&1 <<'PY'
import json, os, re, sys

runs, work = int(sys.argv[1]), sys.argv[2]
allow = {"set": {}, "errors": {}}
for a in sys.argv[3:]:
    kind, name, side = a.split()
    allow[kind][name] = side

line_re = re.compile(r"^(\d+)\s+(?:(\w+)\(|<\.\.\. (\w+) resumed>|(\+\+\+|---) )")
# The result at the end of a finished call's line (strings are escaped by
# strace, so a ") = " inside an argument is never at the end).
error_re = re.compile(r"\) += -1 E[A-Z0-9]+(?: \([^()]*\))?$")

def native_profile(path):
    """{name: [calls, errors]} from `strace -f -o` output."""
    prof, launch, other = {}, None, []
    with open(path) as f:
        for i, line in enumerate(f):
            line = line.rstrip("\n")
            m = line_re.match(line)
            if not m:
                other.append(line)
                continue
            if i == 0 and m.group(2) == "execve":
                launch = line.split(",")[0]   # strace's launch of the program
                continue
            if m.group(2):                    # a call starts (maybe unfinished)
                prof.setdefault(m.group(2), [0, 0])[0] += 1
            name = m.group(2) or m.group(3)   # its result is on this line
            if name and error_re.search(line):
                prof[name][1] += 1
    if launch is None or "redis-server" not in launch:
        sys.exit("%s: the first line is not the execve of redis-server" % path)
    if other:
        print("%s: %d lines not understood, e.g. %r" % (path, len(other), other[0]))
    return prof

def hl_profile(path):
    """{name: [calls, errors]} from the --stats JSON (top level: every
    process and thread of the run)."""
    d = json.load(open(path))
    procs = d.get("processes")
    if isinstance(procs, list) and len(procs) != 1:
        print("%s: %d processes: %s" % (path, len(procs), [p.get("exe") for p in procs]))
    return {k: [int(v.get("count", 0)), int(v.get("errors", 0))]
            for k, v in d["syscalls"].items() if int(v.get("count", 0)) > 0}

native = [native_profile(os.path.join(work, "native.%d.trace" % n)) for n in range(1, runs + 1)]
hyper = [hl_profile(os.path.join(work, "hyperloupe.%d.json" % n)) for n in range(1, runs + 1)]

def union(profs, errors=False):
    return set(k for p in profs for k, v in p.items() if not errors or v[1])

def show(title, n, h):
    print("%s, native (%d): %s" % (title, len(n), " ".join(sorted(n))))
    print("%s, hyperloupe (%d): %s" % (title, len(h), " ".join(sorted(h))))

nset, hset = union(native), union(hyper)
nerr, herr = union(native, True), union(hyper, True)
show("calls", nset, hset)
show("failed calls", nerr, herr)
for side, profs in (("native", native), ("hyperloupe", hyper)):
    sets = [set(p) for p in profs]
    varies = set.union(*sets) - set.intersection(*sets)
    if varies:
        print("%s: calls made in some runs only: %s" % (side, " ".join(sorted(varies))))

print("%-18s %s | %s   (calls/errors)" % (
    "syscall", " ".join("%-11s" % ("native%d" % n) for n in range(1, runs + 1)),
    " ".join("%-11s" % ("hl%d" % n) for n in range(1, runs + 1))))
cell = lambda p, k: "%11s" % ("%d/%d" % tuple(p[k]) if k in p else "-")
for name in sorted(nset | hset):
    print("%-18s %s | %s" % (name, " ".join(cell(p, name) for p in native),
                             " ".join(cell(p, name) for p in hyper)))

bad = []
for kind, n, h in (("set", nset, hset), ("errors", nerr, herr)):
    what = "call" if kind == "set" else "failed call"
    for name in sorted(n ^ h):
        side = "native" if name in n else "hyperloupe"
        ok = allow[kind].get(name) in (side, "either")
        print("%s only %s: %s: %s" % (what, side, name, "allowed" if ok else "NOT EXPLAINED"))
        if not ok:
            bad.append("%s %s (%s only)" % (what, name, side))
if bad:
    print("unexplained differences: " + ", ".join(bad))
    sys.exit(1)
print("the sets of calls are equal" if nset == hset else "the sets of calls differ only by allowed calls")
PY
st=$?
cat "$work/compare.out"
[ "$st" = 0 ] || fail "the syscall sets differ (see above)"

t_start=$(($(now_ms) - t_start))
note "total $((t_start / 1000)).$((t_start % 1000 / 100)) s"
passed=1
note "PASS"
