#!/usr/bin/env bash
# compare.sh - run a command natively and under hyperloupe, and compare.
#
# usage: compare.sh [OPTIONS] HYPERLOUPE -- CMD [ARGS...]
#
# Runs CMD natively and as `HYPERLOUPE run -- CMD ARGS...`, in the same working
# directory, with the same stdin and environment, and fails (with a diff) when
# stdout, stderr or the exit status differ.
#
# Options (all before `--`):
#   --stdin FILE         feed FILE to both runs (default: /dev/null)
#   --fresh-dir          run each side in a fresh, empty working directory; both
#                        sides see the same path (for programs that create files,
#                        e.g. a sqlite database)
#   --clearenv           run both sides under `env -i` (plus --setenv values);
#                        CMD is resolved to an absolute path first
#   --setenv NAME=VALUE  set NAME for both sides (repeatable)
#   --expect-status N    the native exit status must also be N (e.g. 139 for a
#                        SIGSEGV test), so a test cannot pass by accident; in
#                        --vmm-only mode, the status the VMM run must have
#   --stats              the VMM run also writes `--stats FILE`; check that the
#                        JSON parses, its exit_status matches the observed
#                        status, and it counts syscalls (a write-family call when
#                        stdout is non-empty)
#   --expect-syscall S   with --stats: syscall S must be counted (count > 0);
#                        "S:errors" also requires errors > 0 (repeatable)
#   --expect-syscall-min S=N
#                        with --stats: syscall S must be counted at least N
#                        times (N >= 1; repeatable)
#   --expect-no-syscall S
#                        with --stats: syscall S must not be counted at all
#                        (e.g. a call the vDSO serves; repeatable)
#   --run-option OPT     pass OPT to `HYPERLOUPE run` on the VMM side, after
#                        $HL_RUN_FLAGS (e.g. --no-vdso; repeatable)
#   --summary            the VMM run uses -c: stdout and status must match, and
#                        stderr must be the native stderr followed by a table
#   --vmm-only           run only under the VMM; pass iff it exits 0 (or with
#                        --expect-status); output is shown
#   --expect-stderr-prefix STR
#                        with --vmm-only: stderr must be exactly one line that
#                        starts with STR (for hyperloupe's own error messages)
#   --retries N          re-run up to N more times when the outputs differ (only
#                        for commands whose output depends on live system state)
#   --hang-limit S       the VMM side is killed (its whole process group) after
#                        S seconds, so that a hang is a difference (for a
#                        known intermittent hang, with --retries)
#
# Exit status: 0 pass, 1 fail, 2 usage error, 77 skip (no usable /dev/kvm).
#
# Stray file descriptors (> 2, not close-on-exec) inherited from whatever runs
# this script are closed first, so neither side inherits them.

set -u

prog=${0##*/}

die_usage() {
    printf '%s: %s\n' "$prog" "$1" >&2
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

fail() {
    printf '%s: FAIL: %s\n' "$prog" "$*" >&2
    exit 1
}

stdin_file=/dev/null
fresh_dir=0
clearenv=0
setenv=()
expect_status=
stats=0
expect_syscalls=()   # S, S:errors, S:min=N, S:none
run_opts=()
summary=0
vmm_only=0
stderr_prefix=
retries=0
hang_limit=
hl=

while [ $# -gt 0 ]; do
    case $1 in
        --stdin)          [ $# -ge 2 ] || die_usage "--stdin needs a file"
                          stdin_file=$2; shift 2 ;;
        --fresh-dir)      fresh_dir=1; shift ;;
        --clearenv)       clearenv=1; shift ;;
        --setenv)         [ $# -ge 2 ] || die_usage "--setenv needs NAME=VALUE"
                          case $2 in
                              [A-Za-z_]*=*) ;;
                              *) die_usage "--setenv: not NAME=VALUE: $2" ;;
                          esac
                          setenv+=("$2"); shift 2 ;;
        --expect-status)  [ $# -ge 2 ] || die_usage "--expect-status needs N"
                          case $2 in
                              ''|*[!0-9]*) die_usage "--expect-status: not a number: $2" ;;
                          esac
                          expect_status=$2; shift 2 ;;
        --stats)          stats=1; shift ;;
        --expect-syscall) [ $# -ge 2 ] || die_usage "--expect-syscall needs a name"
                          expect_syscalls+=("$2"); stats=1; shift 2 ;;
        --expect-syscall-min)
                          [ $# -ge 2 ] || die_usage "--expect-syscall-min needs NAME=COUNT"
                          case $2 in
                              [a-z_]*=[1-9]*) ;;
                              *) die_usage "--expect-syscall-min: not NAME=COUNT (COUNT >= 1): $2" ;;
                          esac
                          case ${2#*=} in
                              *[!0-9]*) die_usage "--expect-syscall-min: not a number: ${2#*=}" ;;
                          esac
                          expect_syscalls+=("${2%%=*}:min=${2#*=}"); stats=1; shift 2 ;;
        --expect-no-syscall)
                          [ $# -ge 2 ] || die_usage "--expect-no-syscall needs a name"
                          expect_syscalls+=("$2:none"); stats=1; shift 2 ;;
        --run-option)     [ $# -ge 2 ] || die_usage "--run-option needs an option"
                          run_opts+=("$2"); shift 2 ;;
        --summary)        summary=1; shift ;;
        --vmm-only)       vmm_only=1; shift ;;
        --expect-stderr-prefix)
                          [ $# -ge 2 ] || die_usage "--expect-stderr-prefix needs a string"
                          stderr_prefix=$2; shift 2 ;;
        --hang-limit)     [ $# -ge 2 ] || die_usage "--hang-limit needs S"
                          case $2 in
                              ''|*[!0-9]*) die_usage "--hang-limit: not a number: $2" ;;
                          esac
                          hang_limit=$2; shift 2 ;;
        --retries)        [ $# -ge 2 ] || die_usage "--retries needs N"
                          case $2 in
                              ''|*[!0-9]*) die_usage "--retries: not a number: $2" ;;
                          esac
                          retries=$2; shift 2 ;;
        --)               shift; break ;;
        -*)               die_usage "unknown option: $1" ;;
        *)                [ -z "$hl" ] || die_usage "unexpected argument: $1"
                          hl=$1; shift ;;
    esac
done
[ -n "$hl" ] || die_usage "missing HYPERLOUPE"
[ $# -ge 1 ] || die_usage "missing -- CMD"
[ "$summary" = 0 ] || [ "$vmm_only" = 0 ] || die_usage "--summary and --vmm-only exclude each other"
[ -z "$stderr_prefix" ] || [ "$vmm_only" = 1 ] || die_usage "--expect-stderr-prefix needs --vmm-only"

case $hl in
    */*) ;;
    *) hl_path=$(command -v -- "$hl") || fail "hyperloupe binary not found: $hl"
       hl=$hl_path ;;
esac
[ -f "$hl" ] && [ -x "$hl" ] || fail "hyperloupe binary missing or not executable: $hl"
[ -r "$stdin_file" ] || fail "stdin file not readable: $stdin_file"

# Skip (77) only when the engine under test ($HL_ENGINE) is absent here.
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?

# Absolute paths, as we may change directory and clear PATH.
case $hl in /*) ;; *) hl=$PWD/$hl ;; esac
case $stdin_file in /*) ;; *) stdin_file=$PWD/$stdin_file ;; esac

cmd=("$@")
if [ "$clearenv" = 1 ]; then
    case ${cmd[0]} in
        */*) ;;
        *) resolved=$(command -v -- "${cmd[0]}") || fail "command not found: ${cmd[0]}"
           cmd[0]=$resolved ;;
    esac
    env_bin=$(command -v env) || fail "env(1) not found"
    env_prefix=("$env_bin" -i ${setenv[@]+"${setenv[@]}"})
else
    for kv in ${setenv[@]+"${setenv[@]}"}; do
        export "${kv%%=*}=${kv#*=}"
    done
    env_prefix=()
fi

if [ "$stats" = 1 ]; then
    py=${HL_E2E_PYTHON:-$(command -v python3)} || fail "python3 needed for --stats"
fi

# Close inherited stray fds (make jobserver, CI runners, ...): the guests must
# see only 0, 1 and 2 on both sides (vmmfd relies on it). Close-on-exec fds,
# such as bash's own script fd, are left alone: no child sees them.
for fdpath in /proc/$$/fd/*; do
    fd=${fdpath##*/}
    case $fd in ''|*[!0-9]*) continue ;; esac
    [ "$fd" -gt 2 ] || continue
    flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$$/fdinfo/$fd" 2>/dev/null) || continue
    [ -n "$flags" ] || continue
    # O_CLOEXEC is 02000000 (octal)
    if [ $(( 0$flags & 02000000 )) -eq 0 ]; then
        eval "exec $fd>&-"
    fi
done

ulimit -c 0 2>/dev/null   # crash tests: no core files

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-compare.XXXXXX") || fail "mktemp failed"
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# quote_cmd ARGS...: shell-quoted command line, for messages
quote_cmd() {
    local out= a
    for a in "$@"; do
        out+=" $(printf '%q' "$a")"
    done
    printf '%s' "${out# }"
}

# run_side native|vmm: run the command, leave out, err and status in $tmp/SIDE
run_side() {
    local side=$1 dir=$tmp/$1 cwd=$PWD st
    local -a argv
    rm -rf -- "$dir"
    mkdir -p -- "$dir"
    if [ "$fresh_dir" = 1 ]; then
        cwd=$tmp/work
        rm -rf -- "$cwd"
        mkdir -- "$cwd"
    fi
    argv=(${env_prefix[@]+"${env_prefix[@]}"})
    if [ "$side" = vmm ]; then
        # timeout(1) signals its whole process group: forked VMMs too.
        [ -n "$hang_limit" ] && argv+=(timeout --kill-after=5 "$hang_limit")
        argv+=("$hl" run)
        # Extra options for the VMM side (e.g. --no-rewrite), word-split.
        # shellcheck disable=SC2206
        [ -n "${HL_RUN_FLAGS:-}" ] && argv+=(${HL_RUN_FLAGS})
        argv+=(${run_opts[@]+"${run_opts[@]}"})
        [ "$stats" = 1 ] && argv+=(--stats "$dir/stats.json")
        [ "$summary" = 1 ] && argv+=(-c)
        argv+=(--)
    fi
    argv+=("${cmd[@]}")
    printf '%s\n' "$(quote_cmd "${argv[@]}")" >"$dir/cmdline"
    # The outer redirection catches bash's own notice ("... Segmentation
    # fault ...") printed when the child is killed by a signal (not for
    # SIGINT/SIGPIPE): it tells a death by signal 11 from an exit(139).
    { ( cd -- "$cwd" && exec "${argv[@]}" ) <"$stdin_file" >"$dir/out" 2>"$dir/err"; } 2>"$dir/shell-notice"
    st=$?
    echo "$st" >"$dir/status"
    if [ -s "$dir/shell-notice" ]; then
        echo "killed by a signal" >"$dir/how"
    else
        echo "exited" >"$dir/how"
    fi
}

describe_status() {   # describe_status STATUS [SIDE]
    local st=$1 side=${2:-}
    if [ -n "$side" ] && [ "$(cat "$tmp/$side/how")" = exited ]; then
        printf '%s' "$st"
    elif [ "$st" -gt 128 ] && [ "$st" -lt 160 ]; then
        printf '%s (signal %s%s)' "$st" "$((st - 128))" \
            "$(s=$(kill -l "$((st - 128))" 2>/dev/null) && printf ', SIG%s' "$s")"
    else
        printf '%s' "$st"
    fi
}

show_file() {   # show_file LABEL FILE: dump a (small part of a) capture
    local label=$1 f=$2 n
    n=$(wc -c <"$f")
    printf -- '--- %s (%s bytes)%s\n' "$label" "$n" "$([ "$n" -gt 4096 ] && echo ', first 4096 shown')"
    head -c 4096 "$f"
    [ "$n" -gt 0 ] && [ -n "$(tail -c 1 "$f")" ] && printf '\n[no newline at end]\n'
    return 0
}

show_diff() {   # show_diff WHAT: explain how native/WHAT and vmm/WHAT differ
    local what=$1 a=$tmp/native/$1 b=$tmp/vmm/$1
    printf '=== %s differs: native %s bytes, hyperloupe %s bytes\n' \
        "$what" "$(wc -c <"$a")" "$(wc -c <"$b")"
    cmp -- "$a" "$b" 2>&1 | sed 's/^/    /'
    diff -u -a --label "native $what" --label "hyperloupe $what" -- "$a" "$b" |
        head -n 200
    echo
}

# check_stats STATUS STDOUT_NONEMPTY: validate the --stats JSON
check_stats() {
    "$py" - "$tmp/vmm/stats.json" "$1" "$2" ${expect_syscalls[@]+"${expect_syscalls[@]}"} <<'PY'
import json, sys

path, status, stdout_nonempty = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
expected = sys.argv[4:]
errors = []

def err(msg):
    errors.append(msg)

try:
    with open(path) as f:
        data = json.load(f)
except (OSError, ValueError) as e:
    print("stats: cannot load %s: %s" % (path, e))
    sys.exit(1)

def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0

if not isinstance(data, dict):
    err("top level is not an object")
    data = {}

es = data.get("exit_status")
sig = data.get("signal")
if not isinstance(es, int) or isinstance(es, bool):
    err("exit_status missing or not an integer: %r" % (es,))
elif es != status and not (status > 128 and sig == status - 128):
    err("exit_status %r but the VMM run exited with status %d" % (es, status))

for key in ("user_ns", "exit_overhead_ns", "wall_ns"):
    if not is_count(data.get(key)):
        err("%s missing or not a non-negative integer: %r" % (key, data.get(key)))

# Well-known x86-64 numbers, to catch a shifted name/number table.
known_nr = {"read": 0, "write": 1, "open": 2, "close": 3, "fstat": 5,
            "mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12,
            "rt_sigaction": 13, "ioctl": 16, "writev": 20, "getppid": 110,
            "arch_prctl": 158, "exit_group": 231, "openat": 257,
            "newfstatat": 262, "getrandom": 318, "statx": 332}

sc = data.get("syscalls")
if not isinstance(sc, dict) or not sc:
    err("syscalls missing or empty")
    sc = {}
total = 0
for name, e in sorted(sc.items()):
    if not isinstance(e, dict):
        err("syscalls[%s] is not an object" % name)
        continue
    for key in ("nr", "count", "errors", "host_ns"):
        if not is_count(e.get(key)):
            err("syscalls[%s].%s missing or not a non-negative integer: %r"
                % (name, key, e.get(key)))
    if is_count(e.get("count")):
        total += e["count"]
        if is_count(e.get("errors")) and e["errors"] > e["count"]:
            err("syscalls[%s]: errors %d > count %d" % (name, e["errors"], e["count"]))
    if name in known_nr and e.get("nr") != known_nr[name]:
        err("syscalls[%s].nr is %r, expected %d" % (name, e.get("nr"), known_nr[name]))
if sc and total == 0:
    err("no syscall has count > 0")

def counted(name):
    e = sc.get(name)
    return isinstance(e, dict) and is_count(e.get("count")) and e["count"] > 0

writers = ("write", "writev", "pwrite64", "pwritev", "pwritev2", "sendfile",
           "copy_file_range", "splice")
if stdout_nonempty and not any(counted(w) for w in writers):
    err("stdout is non-empty but no write-family syscall is counted (%s)"
        % ", ".join(writers))

for spec in expected:
    name, _, what = spec.partition(":")
    if what == "none":
        if counted(name):
            err("expected no %s syscall, counted %d" % (name, sc[name]["count"]))
    elif what.startswith("min="):
        want = int(what[4:])
        got = sc[name]["count"] if counted(name) else 0
        if got < want:
            err("expected syscall %s with count >= %d, counted %d" % (name, want, got))
    elif not counted(name):
        err("expected syscall %s with count > 0" % name)
    elif what == "errors" and not (is_count(sc[name].get("errors")) and sc[name]["errors"] > 0):
        err("expected syscall %s with errors > 0" % name)
    elif what not in ("", "errors"):
        err("bad --expect-syscall spec %r" % spec)

if errors:
    print("stats: %s is not right:" % path)
    for m in errors:
        print("  - " + m)
    print("stats JSON (first 3000 chars):")
    print(json.dumps(data, indent=1, sort_keys=True)[:3000])
    sys.exit(1)
print("stats: ok (%d syscall names, %d calls)" % (len(sc), total))
PY
}

echo "command: $(quote_cmd "${cmd[@]}")"

# ---------------------------------------------------------------- vmm-only
if [ "$vmm_only" = 1 ]; then
    run_side vmm
    st=$(cat "$tmp/vmm/status")
    echo "hyperloupe run: $(cat "$tmp/vmm/cmdline")"
    echo "status: $(describe_status "$st" vmm), $(cat "$tmp/vmm/how")"
    show_file stdout "$tmp/vmm/out"
    show_file stderr "$tmp/vmm/err"
    want=${expect_status:-0}
    [ "$st" = "$want" ] || fail "hyperloupe run: status $(describe_status "$st" vmm), expected $want"
    if [ -n "$stderr_prefix" ]; then
        lines=$(wc -l <"$tmp/vmm/err")
        first=$(head -c "${#stderr_prefix}" "$tmp/vmm/err")
        [ "$lines" -eq 1 ] && [ -z "$(tail -c 1 "$tmp/vmm/err")" ] ||
            fail "stderr should be exactly one line, it has $lines newline(s)"
        [ "$first" = "$stderr_prefix" ] ||
            fail "stderr should start with '$stderr_prefix'"
    fi
    if [ "$stats" = 1 ]; then
        check_stats "$st" "$([ -s "$tmp/vmm/out" ] && echo 1 || echo 0)" ||
            fail "--stats JSON check failed"
    fi
    echo "PASS"
    exit 0
fi

# ---------------------------------------------------------------- compare
attempt=0
while :; do
    run_side native
    run_side vmm
    nst=$(cat "$tmp/native/status")
    vst=$(cat "$tmp/vmm/status")
    bad=()
    [ "$nst" = "$vst" ] || bad+=(status)
    cmp -s -- "$tmp/native/how" "$tmp/vmm/how" || bad+=(termination)
    cmp -s -- "$tmp/native/out" "$tmp/vmm/out" || bad+=(stdout)
    if [ "$summary" = 1 ]; then
        # -c: the guest's stderr first, then the VMM's table.
        nlen=$(wc -c <"$tmp/native/err")
        head -c "$nlen" "$tmp/vmm/err" >"$tmp/vmm/err.guest"
        tail -c "+$((nlen + 1))" "$tmp/vmm/err" >"$tmp/vmm/err.table"
        cmp -s -- "$tmp/native/err" "$tmp/vmm/err.guest" || bad+=(stderr-prefix)
    else
        cmp -s -- "$tmp/native/err" "$tmp/vmm/err" || bad+=(stderr)
    fi
    [ ${#bad[@]} -eq 0 ] && break
    if [ "$attempt" -ge "$retries" ]; then
        break
    fi
    attempt=$((attempt + 1))
    echo "differs (${bad[*]}), retrying ($attempt/$retries)"
done

if [ ${#bad[@]} -ne 0 ]; then
    {
        echo "native:     $(cat "$tmp/native/cmdline")"
        echo "hyperloupe: $(cat "$tmp/vmm/cmdline")"
        echo "status: native $(describe_status "$nst" native), $(cat "$tmp/native/how");" \
             "hyperloupe $(describe_status "$vst" vmm), $(cat "$tmp/vmm/how")"
        for what in "${bad[@]}"; do
            case $what in
                stdout) show_diff out ;;
                stderr) show_diff err ;;
                stderr-prefix)
                    echo "=== with -c, hyperloupe's stderr does not start with the native stderr"
                    show_file "native stderr" "$tmp/native/err"
                    show_file "hyperloupe stderr" "$tmp/vmm/err" ;;
            esac
        done
        # A short stderr often explains a status/stdout difference.
        case " ${bad[*]} " in
            *" stderr"*) ;;
            *) [ -s "$tmp/vmm/err" ] && show_file "hyperloupe stderr" "$tmp/vmm/err" ;;
        esac
    } >&2
    fail "native and hyperloupe runs differ: ${bad[*]}"
fi

if [ -n "$expect_status" ] && [ "$nst" != "$expect_status" ]; then
    fail "native run: status $(describe_status "$nst" native), expected $expect_status (test is broken?)"
fi

if [ "$summary" = 1 ]; then
    if ! grep -qi 'total' "$tmp/vmm/err.table" || ! grep -qi 'calls' "$tmp/vmm/err.table"; then
        show_file "hyperloupe -c table" "$tmp/vmm/err.table" >&2
        fail "-c printed no syscall table (expected a 'calls' header and a 'total' line)"
    fi
    if [ -s "$tmp/native/out" ] && ! grep -Eq '(^|[[:space:]])write([[:space:]]|$)' "$tmp/vmm/err.table"; then
        show_file "hyperloupe -c table" "$tmp/vmm/err.table" >&2
        fail "-c table has no 'write' row although stdout is non-empty"
    fi
fi

if [ "$stats" = 1 ]; then
    check_stats "$vst" "$([ -s "$tmp/native/out" ] && echo 1 || echo 0)" ||
        fail "--stats JSON check failed"
fi

printf 'PASS: same status %s, stdout (%s bytes), stderr (%s bytes)\n' \
    "$(describe_status "$nst" native)" "$(wc -c <"$tmp/native/out" | tr -d ' ')" \
    "$(wc -c <"$tmp/native/err" | tr -d ' ')"
exit 0
