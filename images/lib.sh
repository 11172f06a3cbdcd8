# shellcheck shell=bash
# lib.sh - what every workload's test script shares (sourced by bash; the
# format is in README.md here). It is part of every workload's hash.
#
#   wl_init TOOL...        parse $HL_RUN, skip (77) without a TOOL, make $WORK
#                          (private to this run), install the cleanup trap
#   wl_run OUT             run `$HL_RUN <run>` in the foreground, stdout to
#                          OUT, stderr to OUT.err; returns its exit status
#   wl_serve READY WHAT    start `$HL_RUN <run>` in the background (own
#                          session, log $WORK/app.log) on a free $PORT and
#                          wait until the command READY succeeds; retried on
#                          another port when the first is taken meanwhile
#   wl_stop SIGNAL SECS    send SIGNAL to the application (none: it is
#                          already stopping) and wait for it: it must exit 0
#   wl_expect FILE OUT     OUT must equal FILE (shows a diff otherwise)
#   wl_get PATH OUT        curl: GET PATH on $PORT, prints the HTTP status
#   wl_wrk PATH            wrk against the server: $rps, its Requests/sec
#   wl_note, wl_fail, wl_skip MESSAGE;  wl_metric VALUE;  wl_pass
#
# <run> is the workload.conf `run` line, split as sh words after $PORT, $WORK,
# $IMAGE and $HL_BUILD are expanded. Notes go to stderr; stdout carries only
# the metric, so that it is the last line.

set -u
IMAGE=$(cd "$(dirname "$0")" && pwd)
NAME=${IMAGE##*/}
HL_BUILD=${HL_BUILD:-$IMAGE/../../build}
# Absolute (the test runs in $WORK) and without "..", as argv[0] shows it.
HL_BUILD=$(cd "$HL_BUILD" 2>/dev/null && pwd || echo "$HL_BUILD")
export LC_ALL=C TZ=UTC
# Debian's directories first: the workload runs what its packages install,
# not a pyenv shim or a local build that happens to come first in PATH.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
WORK=
PORT=
app_pid=
app_pgid=
hl_run=()
app=()
reserved=()

wl_note() { printf '%s: %s\n' "$NAME" "$*" >&2; }

# Before failing, show the end of the application's log: the test's stderr
# is all a caller keeps of a failed run.
wl_fail() {
    printf '%s: FAIL: %s\n' "$NAME" "$*" >&2
    if [ -n "$WORK" ] && [ -s "$WORK/app.log" ]; then
        tail -n 30 "$WORK/app.log" | sed 's/^/| /' >&2
    fi
    exit 1
}

wl_skip() {
    printf '%s: SKIP: %s\n' "$NAME" "$*" >&2
    exit 77
}

# wl_words WORD...: the words as one line a shell would read back.
wl_words() {
    local w out=
    for w in "$@"; do
        case $w in ''|*[!A-Za-z0-9_./:=,+@%^-]*) w="'${w//\'/\'\\\'\'}'" ;; esac
        out+=" $w"
    done
    printf '%s\n' "${out# }"
}

wl_metric() { printf '%s\n' "$1"; }

wl_pass() { wl_note "PASS"; exit 0; }

# wl_alive PID: PID runs and is not a zombie. A zombie leader whose other
# threads still run (its main thread called SYS_exit) is alive: it must still
# be waited for and killed.
wl_alive() {
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

# The application runs in a session of its own, so its whole process group
# goes, whatever it forked, even when the test dies of timeout's SIGTERM.
wl_cleanup() {
    local st=$?
    trap - EXIT INT TERM
    [ -z "$app_pgid" ] || kill -KILL -- "-$app_pgid" 2>/dev/null
    if [ -n "$app_pid" ]; then
        kill -KILL "$app_pid" 2>/dev/null
        wait "$app_pid" 2>/dev/null
    fi
    [ ${#reserved[@]} = 0 ] || rm -f "${reserved[@]}"
    if [ -n "$WORK" ] && [ -z "${WL_KEEP:-}" ]; then
        cd / && rm -rf "$WORK"
    elif [ -n "$WORK" ]; then
        printf '%s: files kept in %s\n' "$NAME" "$WORK" >&2
    fi
    exit "$st"
}

wl_init() {
    local t
    # HL_RUN is a list of sh words (quoted as in sh); no globbing, so that a
    # policy spec such as /proc/* reaches hyperloupe as written.
    set -f
    eval "hl_run=(${HL_RUN:-})" || { set +f; echo "$NAME: bad HL_RUN: $HL_RUN" >&2; exit 2; }
    set +f
    # The test runs in $WORK: a relative hyperloupe path must still work.
    case ${hl_run[0]:-/} in /*) ;; */*) hl_run[0]=$PWD/${hl_run[0]} ;; esac
    for t in "$@"; do
        case $t in
            */*) [ -x "$t" ] || wl_skip "$t not found (not built? HL_BUILD=$HL_BUILD)" ;;
            *) command -v "$t" >/dev/null 2>&1 || wl_skip "$t not installed (hyperloupe images install $NAME)" ;;
        esac
    done
    trap wl_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/hl-$NAME.XXXXXX") || wl_fail "cannot create a temporary directory"
    cd "$WORK" || wl_fail "cannot cd to $WORK"
}

# wl_app: the array $app, from the `run` line of workload.conf.
wl_app() {
    local run
    run=$(sed -n 's/^[[:space:]]*run[[:space:]]*=[[:space:]]*//p' "$IMAGE/workload.conf")
    [ -n "$run" ] || wl_fail "no 'run' line in $IMAGE/workload.conf"
    set -f
    eval "app=($run)" || { set +f; wl_fail "cannot split the run line: $run"; }
    set +f
}

wl_run() {
    wl_app
    wl_note "running: $(wl_words "${hl_run[@]}" "${app[@]}")"
    "${hl_run[@]}" "${app[@]}" </dev/null >"$1" 2>"$1.err"
}

wl_expect() {
    cmp -s "$1" "$2" && return 0
    diff -u "$1" "$2" | head -n 40 >&2
    wl_fail "the output differs from $1"
}

# wl_reserve PORT: claim PORT among the tests of this machine: a symbolic
# link /tmp/hl-ports/PORT -> the test's pid, made atomically, so that
# parallel runs (-j N replicas) never pick the same port even before the
# server binds it. A claim whose test is gone is taken over.
wl_reserve() {
    local dir=${WL_PORTS:-/tmp/hl-ports} pid
    # Every user's tests share the ports, so they share the claims too.
    [ -d "$dir" ] || { mkdir -p "$dir" && chmod 1777 "$dir"; } 2>/dev/null
    if ! ln -s "$$" "$dir/$1" 2>/dev/null; then
        pid=$(readlink "$dir/$1" 2>/dev/null) || return 1
        [ ! -d "/proc/$pid" ] || return 1
        rm -f "$dir/$1"
        ln -s "$$" "$dir/$1" 2>/dev/null || return 1
    fi
    reserved+=("$dir/$1")
}

# wl_port: a TCP port on 127.0.0.1, free right now and claimed, below the
# ephemeral range (32768 and up) so that no client's outgoing connection
# takes it meanwhile.
wl_port() {
    local p
    for p in $(wl_candidates); do
        wl_reserve "$p" && { PORT=$p; return 0; }
    done
    wl_fail "no free TCP port found"
}

wl_candidates() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import random, socket
for p in random.sample(range(20000, 32768), 200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(p)
    except OSError:
        pass
    finally:
        s.close()' && return 0
    fi
    for _ in $(seq 1 50); do echo $((20000 + RANDOM % 12768)); done
}

# wl_ready READY SECS: poll READY every 0.1 s. Status 0 ready, 1 the
# application exited (status in $app_status), 2 still not ready after SECS.
wl_ready() {
    local ticks=$(($2 * 10))
    # Alive after READY too: what answered must not be another run's server.
    until "$1" && wl_alive "$app_pid"; do
        if ! wl_alive "$app_pid"; then
            wait "$app_pid"
            app_status=$?
            app_pid=
            return 1
        fi
        [ "$ticks" -gt 0 ] || return 2
        ticks=$((ticks - 1))
        sleep 0.1
    done
}

# A workload may define wl_prepare (called with $PORT set, before each start)
# to write the application's configuration.
wl_serve() {
    local try r
    for try in 1 2 3 4 5; do
        wl_port
        if declare -F wl_prepare >/dev/null; then wl_prepare; fi
        wl_app
        wl_note "starting: $(wl_words "${hl_run[@]}" "${app[@]}")"
        setsid "${hl_run[@]}" "${app[@]}" </dev/null >"$WORK/app.log" 2>&1 &
        app_pid=$!
        app_pgid=$app_pid
        r=0
        wl_ready "$1" "${WL_READY_TIMEOUT:-60}" || r=$?
        [ "$r" = 0 ] && return 0
        [ "$r" = 2 ] && wl_fail "no $2 within ${WL_READY_TIMEOUT:-60} s"
        grep -qi 'address already in use' "$WORK/app.log" ||
            wl_fail "the application exited (status $app_status) before: $2"
        wl_note "port $PORT was taken (try $try), trying another"
    done
    wl_fail "no free port after 5 tries"
}

# Whatever the application forked (nginx's workers) must be gone too, a few
# moments after it: a leftover would hold the port for the next run.
wl_stop() {
    local sig=$1 ticks=$(($2 * 10)) st what="SIG$1"
    [ "$sig" = none ] && what="being told to stop"
    [ "$sig" = none ] || kill -"$sig" "$app_pid" 2>/dev/null || wl_fail "kill -$sig $app_pid"
    while wl_alive "$app_pid"; do
        [ "$ticks" -gt 0 ] || wl_fail "the application still runs $2 s after $what"
        ticks=$((ticks - 1))
        sleep 0.1
    done
    wait "$app_pid"
    st=$?
    app_pid=
    [ "$st" = 0 ] || wl_fail "the application exited with status $st after $what"
    ticks=50
    while [ -n "$(pgrep -g "$app_pgid")" ]; do
        [ "$ticks" -gt 0 ] || wl_fail "processes left in the application's group: $(pgrep -g "$app_pgid" | paste -sd' ')"
        ticks=$((ticks - 1))
        sleep 0.1
    done
    wl_note "the application exited with status 0"
}

# wl_get PATH OUT: the HTTP status of GET http://127.0.0.1:$PORT/PATH, the
# body in OUT ("000": no answer).
wl_get() {
    timeout 20 curl -s -o "$2" -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT$1"
}

# wl_wrk PATH: `wrk -t2 -c8 -d${WL_SECONDS:-3}s` on http://127.0.0.1:$PORT/PATH;
# no non-2xx/3xx answer and at most 3 socket errors. Sets $rps.
wl_wrk() {
    timeout 60 wrk -t2 -c8 -d"${WL_SECONDS:-3}"s "http://127.0.0.1:$PORT$1" >wrk.out 2>&1 ||
        wl_fail "wrk: exit status $?: $(cat wrk.out)"
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' wrk.out)
    [ -n "$rps" ] || wl_fail "wrk printed no Requests/sec: $(cat wrk.out)"
    ! grep -q 'Non-2xx or 3xx' wrk.out || wl_fail "wrk: $(grep 'Non-2xx' wrk.out)"
    errors=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p' wrk.out)
    [ $((${errors:-0})) -le 3 ] || wl_fail "wrk: $(grep 'Socket errors' wrk.out)"
    wl_note "wrk: $rps requests/s, socket errors ${errors:-none}"
}
