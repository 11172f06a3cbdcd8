#!/bin/bash
# tui_tmux.sh HYPERLOUPE: the real TUI in an 80x24 tmux pane, on a live run
# of a real program (`hyperloupe run --tui`: busybox-free /bin/sh opening
# /proc/self/status in a loop): the screen shows the run live with its
# openat row counting up, the filter and the what-if keys work, the guest's
# output went to the log and not to the screen, and `q` ends the run and
# gives the terminal back. A second case watches an explore campaign
# (`explore --tui`) from the results database.
# Exits 77 when tmux or /dev/kvm is missing.
# shellcheck disable=SC2016
set -u
hl=$1
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
command -v tmux >/dev/null || { echo "tui_tmux.sh: tmux not installed" >&2; exit 77; }
case $hl in /*) ;; *) hl=$PWD/$hl ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-tui.XXXXXX") || exit 2
sock=$tmp/tmux.sock
t() { tmux -S "$sock" "$@"; }
trap 't kill-server 2>/dev/null; tmux -S "$tmp/tmux2.sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail() {
    echo "tui_tmux.sh: FAIL: $*" >&2
    t capture-pane -p -t hl 2>/dev/null | sed 's/^/| /' >&2
    [ ! -s "$tmp/hyperloupe-explore.log" ] || tail -5 "$tmp/hyperloupe-explore.log" | sed 's/^/log| /' >&2
    exit 1
}
screen() { t capture-pane -p -t hl; }
# wait_for TEXT SECS: until the screen shows TEXT.
wait_for() {
    for _ in $(seq $(($2 * 10))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    fail "no '$1' on the screen after $2 s"
}
cd "$tmp" || exit 2

# --------------------------------------------------------------- run --tui
t new-session -d -s hl -x 80 -y 24 \
    "TERM=xterm-256color $hl run --tui --tui-log $tmp/guest.log -- /bin/sh -c 'echo guest-says-hello; i=0; while [ \$i -lt 300 ]; do cat /proc/self/status >/dev/null; i=\$((i+1)); sleep 0.05; done'; echo \$? >$tmp/status; sleep 30"
wait_for "hyperloupe tui | live, run" 15
wait_for "openat" 15
a=$(screen | awk '$1 == "openat" || $2 == "openat" { print }')
sleep 2.5
b=$(screen | awk '$1 == "openat" || $2 == "openat" { print }')
[ -n "$a" ] && [ "$a" != "$b" ] || fail "the openat row did not change: '$a' then '$b'"
screen | grep -q "running" || fail "the header does not say running"
screen | grep -qx "guest-says-hello *" && fail "the guest's output is on the TUI's screen"
grep -q guest-says-hello guest.log || fail "the guest's output is not in the log: $(cat guest.log)"
# The filter keeps the openat row alone among the calls.
t send-keys -t hl / o p e n a t Enter
wait_for "filter: openat" 5
rows=$(screen | sed -n '5,20p' | grep -c '^[ +-] [a-z]')
[ "$rows" = 1 ] || fail "the filter left $rows call rows"
# gamma x2 and a what-if on openat change the header's projection.
t send-keys -t hl '>'
wait_for "gamma=4" 5
t send-keys -t hl p
wait_for "*forward" 5
t send-keys -t hl ?
wait_for "keys (any key returns)" 5
t send-keys -t hl x
wait_for "S_r vs gamma" 5
t send-keys -t hl q
for _ in $(seq 100); do [ -s status ] && break; sleep 0.1; done
[ -s status ] || fail "q did not end the TUI"
st=$(cat status)
# The run was still going: q stopped it (SIGTERM, 143).
[ "$st" = 143 ] || fail "exit status after q: $st"
t kill-server 2>/dev/null

# ----------------------------------------------------------- explore --tui
sock=$tmp/tmux2.sock
t new-session -d -s hl -x 80 -y 24 \
    "TERM=xterm $hl explore --tui --db $tmp/t.db --replicas 1 -j 2 hello-glibc-static; echo \$? >$tmp/status2; sleep 30"
wait_for "hyperloupe tui | database" 30
wait_for "campaign" 20
wait_for "done" 120
screen | grep -q "write .*required" || fail "write is not shown as required"
t send-keys -t hl q
for _ in $(seq 100); do [ -s status2 ] && break; sleep 0.1; done
[ "$(cat status2 2>/dev/null)" = 0 ] || fail "explore --tui: exit status $(cat status2 2>/dev/null)"
grep -q "explored with 1 replicas" hyperloupe-explore.log || fail "explore's log: $(cat hyperloupe-explore.log)"
echo "tui_tmux.sh: ok"
