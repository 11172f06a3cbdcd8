# shellcheck shell=bash
# lib.sh - helpers shared by the application tests (sourced by bash).
#
# A test script sets nothing before sourcing this file, then calls
#   apps_init HYPERLOUPE PROGRAM...   resolve HYPERLOUPE, skip (77) without a
#                                     usable /dev/kvm or without PROGRAMs,
#                                     make $work (under $TMPDIR) and cd there
#   start_server LOG CMD...           run CMD in the background in its own
#                                     session; $server_pid is its pid
#   fail MESSAGE                      print MESSAGE and the logs, exit 1
# and registers every log file to show on failure with `logs+=(FILE)`.
# On exit, whatever remains of the server (its whole process group, and the
# pids in $extra_pids) is killed with SIGKILL; $work is removed if the test
# passed and kept (for inspection) if it failed.

# Variables the scripts read or set (exit_status, waited, passed, ...).
# shellcheck disable=SC2034
set -u

prog=${0##*/}
hl=
work=
server_pid=
server_pgid=
extra_pids=()
logs=()
passed=0

note() { printf '%s: %s\n' "$prog" "$*"; }

show_logs() {
    local f
    for f in "${logs[@]}"; do
        [ -e "$f" ] || continue
        printf -- '----- %s (last 60 lines) -----\n' "$f" >&2
        tail -n 60 "$f" | sed 's/^/| /' >&2
    done
}

fail() {
    printf '%s: FAIL: %s\n' "$prog" "$*" >&2
    show_logs
    exit 1
}

skip() {
    printf '%s: SKIP: %s\n' "$prog" "$*"
    exit 77
}

# proc_alive PID: PID exists and is not a zombie (a child that exited but was
# not waited for yet still answers kill -0). A zombie thread-group leader
# whose other threads still run (its main thread ended with SYS_exit, e.g.
# pthread_exit or a cancelled main thread) is alive: `wait` blocks until
# they end, and cleanup must still kill it.
proc_alive() {
    local s t
    { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
    s=${s##*) }
    case ${s%% *} in
        Z|X)
            t=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
            [ "${t:-0}" -gt 1 ] 2>/dev/null ;;
        *) return 0 ;;
    esac
}

# proc_field PID N: field N of /proc/PID/stat (1-based: 3 is the state, 4
# the parent pid, 5 the process group).
proc_field() {
    local s f
    { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
    read -r -a f <<<"${s##*) }"
    printf '%s\n' "${f[$2 - 3]}"
}

# pids_where N VALUE: the live (not zombie) processes whose stat field N is
# VALUE. No subshell per process: this runs in a polling loop.
pids_where() {
    local p s f
    for p in /proc/[0-9]*/stat; do
        { read -r s <"$p"; } 2>/dev/null || continue
        read -r -a f <<<"${s##*) }"
        [ "${f[$1 - 3]}" = "$2" ] || continue
        case ${f[0]} in Z|X) continue ;; esac
        p=${p#/proc/}
        echo "${p%/stat}"
    done
}
children_of() { pids_where 4 "$1"; }
in_group() { pids_where 5 "$1"; }

# wait_exit PID SECONDS: wait for the child PID to exit; sets $exit_status.
# Returns 1 (leaving the process alone) when it is still running after SECONDS.
wait_exit() {
    local pid=$1 ticks=$(($2 * 10))
    while proc_alive "$pid"; do
        [ "$ticks" -gt 0 ] || return 1
        ticks=$((ticks - 1))
        sleep 0.1
    done
    wait "$pid"
    exit_status=$?
    return 0
}

# now_ms: milliseconds since the epoch.
now_ms() {
    local t=${EPOCHREALTIME:-}
    if [ -n "$t" ]; then
        t=${t//[.,]/}
        echo $((10#$t / 1000))
    else
        echo $(($(date +%s%N) / 1000000))
    fi
}

# wait_until SECONDS WHAT CMD...: run CMD every 0.1 s until it succeeds; fail
# (WHAT, e.g. "PONG from redis-server") after SECONDS of wall-clock time, or
# as soon as the server process is gone. CMD must bound its own run time.
# Sets $waited (e.g. "0.3 s").
wait_until() {
    local secs=$1 limit=$(($1 * 1000)) what=$2 t0 dt st
    shift 2
    t0=$(now_ms)
    until "$@"; do
        if [ -n "$server_pid" ] && ! proc_alive "$server_pid"; then
            wait "$server_pid"
            st=$?
            fail "the server exited (status $st) before: $what"
        fi
        dt=$(($(now_ms) - t0))
        [ "$dt" -lt "$limit" ] || fail "no $what within $secs s"
        sleep 0.1
    done
    dt=$(($(now_ms) - t0))
    waited="$((dt / 1000)).$((dt % 1000 / 100)) s"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    local py p i
    for py in /usr/bin/python3 python3; do
        command -v "$py" >/dev/null 2>&1 || continue
        p=$("$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) && [ -n "$p" ] && { echo "$p"; return 0; }
    done
    # No python: probe random ports until a connection is refused.
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 30000))
        if ! { exec 9<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
            echo "$p"
            return 0
        fi
        exec 9>&-
    done
    return 1
}

cleanup() {
    local st=$? pid
    trap - EXIT INT TERM
    if [ -n "$server_pgid" ]; then
        for pid in $(in_group "$server_pgid"); do kill -KILL "$pid" 2>/dev/null; done
    fi
    if [ -n "$server_pid" ] && proc_alive "$server_pid"; then
        kill -KILL "$server_pid" 2>/dev/null
    fi
    for pid in "${extra_pids[@]}"; do
        proc_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    done
    [ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null
    if [ -n "$work" ]; then
        if [ "$passed" = 1 ]; then
            cd / && rm -rf "$work"
        else
            printf '%s: files kept in %s\n' "$prog" "$work" >&2
        fi
    fi
    exit "$st"
}

apps_init() {
    [ $# -ge 1 ] || { echo "usage: $prog [OPTIONS] HYPERLOUPE" >&2; exit 2; }
    hl=$1
    shift
    case $hl in
        */*) ;;
        *) hl=$(command -v -- "$hl") || fail "hyperloupe binary not found: $1" ;;
    esac
    case $hl in /*) ;; *) hl=$PWD/$hl ;; esac
    if [ ! -f "$hl" ] || [ ! -x "$hl" ]; then
        fail "hyperloupe binary missing or not executable: $hl"
    fi

    # Skip (77) without a usable /dev/kvm (it must open read-write), like
    # tests/e2e/compare.sh, or without the programs under test.
    bash "$(dirname "${BASH_SOURCE[0]}")/../e2e/engine_check.sh" "$hl" || exit $?
    local p
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || skip "$p not installed (sh scripts/deps.sh)"
    done
    command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) not installed"

    # Close inherited stray fds (make jobserver, CI runners, ...): the server
    # must not hold them open.
    local fdpath fd flags
    for fdpath in "/proc/$$/fd/"*; do
        fd=${fdpath##*/}
        case $fd in ''|*[!0-9]*) continue ;; esac
        [ "$fd" -gt 2 ] || continue
        flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$$/fdinfo/$fd" 2>/dev/null) || continue
        [ -n "$flags" ] || continue
        if [ $((8#$flags & 8#2000000)) -eq 0 ]; then
            eval "exec $fd>&-"
        fi
    done

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # Temporary files go under $TMPDIR, which CTest points into the build tree.
    work=$(mktemp -d "${TMPDIR:-/tmp}/hl-apps.${prog%.sh}.XXXXXX") ||
        fail "cannot create a temporary directory in ${TMPDIR:-/tmp}"
    cd "$work" || fail "cannot cd to $work"
}

# start_server LOG CMD...: CMD in the background, stdout and stderr to LOG, in
# a session of its own (so that cleanup can kill it and everything it forked).
start_server() {
    local log=$1
    shift
    logs+=("$log")
    if command -v setsid >/dev/null 2>&1; then
        # Not a process group leader (bash without job control): setsid does
        # not fork, $! is CMD's pid and its process group.
        setsid "$@" </dev/null >"$log" 2>&1 &
        server_pid=$!
        server_pgid=$server_pid
    else
        "$@" </dev/null >"$log" 2>&1 &
        server_pid=$!
    fi
}

# hl_is_fake: the hyperloupe under test is tests/e2e/fake-hyperloupe.sh, which
# runs programs natively (and with --stats, under strace in a child process).
hl_is_fake() {
    case ${hl##*/} in fake-hyperloupe*) return 0 ;; esac
    return 1
}
