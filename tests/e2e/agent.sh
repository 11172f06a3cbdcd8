#!/usr/bin/env bash
# agent.sh - the guest agent's reports end up in the --stats JSON.
#
# usage: agent.sh HYPERLOUPE HL_AGENT MODE
#
# Runs workloads as `HYPERLOUPE run [$HL_RUN_FLAGS] --stats FILE -- HL_AGENT
# run ...` (a /bin/sh script that calls `hl-agent mark` and `hl-agent metric`,
# found through PATH) and checks the JSON with python3. Modes:
#   report     agent events (started with the workload's pid, ready, exited
#              with its status 3), the phases in order with times in order,
#              the metrics (a repeated name keeps its last value), no
#              hypercall counted as a syscall (unknown_syscalls == 0)
#   phase      5 `cat`s, mark measure, 3 `cat` files, mark cooldown, 3 `cat`s:
#              fadvise64 (one per file cat reads) counts 11 without --phase,
#              3 with --phase measure, none with --phase of an unmarked
#              phase (and no call at all)
#   ready-file --ready-file: ready only once the file exists; not ready at
#              all when the workload exits first
#   ready-tcp  --ready-tcp: ready only once the port accepts connections
#   forward    SIGTERM sent to the agent reaches the workload (natively and
#              under the VMM); reaped orphans do not disturb the status
#   native     the same script natively: it runs, and the agent exits with
#              the workload's status, reports skipped (`probe` says native)
#
# Exit status: 0 pass, 1 fail, 2 usage error, 77 skip (no usable /dev/kvm).

set -u

prog=${0##*/}
# shellcheck source=tests/e2e/lib.sh
. "$(dirname -- "$0")/lib.sh"

[ $# -eq 3 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
hl=$1 agent=$2 mode=$3
[ -x "$hl" ] || fail "hyperloupe binary missing or not executable: $hl"
[ -x "$agent" ] || fail "hl-agent missing or not executable: $agent"
py=${HL_E2E_PYTHON:-$(command -v python3)} || fail "python3 needed"

if [ "$mode" != native ]; then
    bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-agent.XXXXXX") || fail "mktemp failed"
trap 'rm -rf -- "$tmp"' EXIT
cd "$tmp" || fail "cd $tmp"
# The scripts call hl-agent by name, and only standard tools.
PATH="$(dirname -- "$agent"):/usr/bin:/bin"
export PATH
agent_name=$(basename -- "$agent")
[ "$agent_name" = hl-agent ] || fail "the agent must be called hl-agent: $agent"

# check FILE PYTHON-CODE: the code sees the JSON as d; failed asserts fail
check() {
    "$py" - "$1" "$2" <<'EOF' || fail "JSON check failed (see above); stderr of the run: $(cat err 2>/dev/null)"
import json, sys
d = json.load(open(sys.argv[1]))
try:
    exec(sys.argv[2], {"d": d})
except AssertionError as e:
    print("assertion failed:", e, file=sys.stderr)
    print(json.dumps({k: d.get(k) for k in ("agent", "phases", "metrics", "exit_status",
                                             "calls", "unknown_syscalls")}, indent=1),
          file=sys.stderr)
    sys.exit(1)
EOF
}

report_script='echo workload
hl-agent mark warmup
cat /etc/hostname >/dev/null
hl-agent mark measure
hl-agent metric requests_per_s 1000
hl-agent metric requests_per_s 1234.5
hl-agent metric latency_ms 0.25
hl-agent mark teardown
exit 3'

case $mode in
report)
    vmm --stats r.json -- "$agent" run -- /bin/sh -c "$report_script"
    [ "$st" = 3 ] || fail "status $st, expected 3; stderr: $(cat err)"
    [ "$(cat out)" = workload ] || fail "stdout: $(cat out)"
    check r.json '
a = d["agent"]
assert d["exit_status"] == 3, d["exit_status"]
assert a["phase_filter"] is None and a["recording"] is True, a
assert a["phase"] == "teardown", a["phase"]
assert a["started"] and a["ready"] and a["exited"], a
assert a["exited"]["exit_status"] == 3 and a["exited"]["term_signal"] == 0, a["exited"]
assert a["exited"]["wait_status"] == 3 << 8, a["exited"]
images = [p for p in d["processes"] if p["pid"] == a["started"]["pid"]]
assert images and images[-1]["argv"][0] == "/bin/sh", [p["argv"] for p in images]
assert a["marks_dropped"] == 0
assert [p["name"] for p in d["phases"]] == ["warmup", "measure", "teardown"], d["phases"]
times = [a["started"]["t_ns"], a["ready"]["t_ns"]] + [p["t_ns"] for p in d["phases"]] + [a["exited"]["t_ns"]]
assert times == sorted(times), times
assert d["metrics"] == {"requests_per_s": 1234.5, "latency_ms": 0.25}, d["metrics"]
assert d["unknown_syscalls"] == 0, d["unknown_syscalls"]
assert all(not k.startswith("syscall_") for k in d["syscalls"]), list(d["syscalls"])
'
    # A run without the agent has the keys too, empty.
    vmm --stats n.json -- /bin/true
    [ "$st" = 0 ] || fail "true: status $st"
    check n.json '
a = d["agent"]
assert a["started"] is None and a["ready"] is None and a["exited"] is None, a
assert a["phase"] is None and d["phases"] == [] and d["metrics"] == {}, (a, d["phases"], d["metrics"])
'
    ;;
phase)
    script='for i in 1 2 3 4 5
do cat /etc/hostname
done >/dev/null
hl-agent mark measure
cat /etc/hostname /etc/hostname >/dev/null
cat /etc/hostname >/dev/null
hl-agent mark cooldown
for i in 1 2 3
do cat /etc/hostname
done >/dev/null'
    vmm --stats all.json -- "$agent" run -- /bin/sh -c "$script"
    [ "$st" = 0 ] || fail "status $st; stderr: $(cat err)"
    check all.json '
assert d["agent"]["phase_filter"] is None
assert d["syscalls"]["fadvise64"]["count"] == 11, d["syscalls"].get("fadvise64")
'
    vmm --phase measure --stats m.json -- "$agent" run -- /bin/sh -c "$script"
    [ "$st" = 0 ] || fail "--phase measure: status $st; stderr: $(cat err)"
    check m.json '
a = d["agent"]
assert a["phase_filter"] == "measure" and a["phase"] == "cooldown" and a["recording"] is False, a
assert d["syscalls"]["fadvise64"]["count"] == 3, d["syscalls"].get("fadvise64")
assert [p["name"] for p in d["phases"]] == ["measure", "cooldown"], d["phases"]
assert a["exited"]["exit_status"] == 0, a
'
    vmm --phase never --stats x.json -- "$agent" run -- /bin/sh -c "$script"
    [ "$st" = 0 ] || fail "--phase never: status $st; stderr: $(cat err)"
    check x.json '
assert d["agent"]["phase_filter"] == "never"
assert d["calls"] == 0 and d["syscalls"] == {}, (d["calls"], d["syscalls"])
assert d["agent"]["exited"]["exit_status"] == 0
'
    # Usage errors of the option itself.
    vmm --phase "" -- /bin/true
    [ "$st" = 2 ] || fail "--phase '': status $st, expected 2"
    vmm --phase "$(printf 'x%.0s' $(seq 64))" -- /bin/true
    [ "$st" = 2 ] || fail "--phase of 64 bytes: status $st, expected 2"
    ;;
ready-file)
    vmm --stats f.json -- "$agent" run --ready-file "$tmp/ready" -- /bin/sh -c \
        'sleep 0.5
hl-agent mark before-file
touch ready
sleep 0.5
hl-agent mark after-file'
    [ "$st" = 0 ] || fail "status $st; stderr: $(cat err)"
    check f.json '
a = d["agent"]
ph = {p["name"]: p["t_ns"] for p in d["phases"]}
assert a["ready"] is not None, a
assert ph["before-file"] < a["ready"]["t_ns"] < ph["after-file"], (ph, a)
assert a["ready"]["t_ns"] - a["started"]["t_ns"] >= 400000000, a
'
    # The workload ends before it is ready: no ready event.
    vmm --stats g.json -- "$agent" run --ready-file "$tmp/never" -- /bin/sh -c 'exit 4'
    [ "$st" = 4 ] || fail "status $st, expected 4; stderr: $(cat err)"
    check g.json '
a = d["agent"]
assert a["ready"] is None and a["exited"]["exit_status"] == 4, a
'
    ;;
ready-tcp)
    pyexe=$("$py" -c 'import sys; print(sys.executable)') || fail "python3 does not run"
    port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # The server listens after 0.5 s, then waits for the agent's probe.
    vmm --stats t.json -- "$agent" run --ready-tcp "$port" -- "$pyexe" -c '
import socket, subprocess, sys, time
time.sleep(0.5)
subprocess.run(["hl-agent", "mark", "listening"], check=True)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(30)
c, _ = s.accept()
c.close()
time.sleep(0.2)
' "$port"
    [ "$st" = 0 ] || fail "status $st; stderr: $(cat err)"
    check t.json '
a = d["agent"]
assert a["ready"] is not None, a
assert d["phases"][0]["name"] == "listening" and d["phases"][0]["t_ns"] < a["ready"]["t_ns"], (d["phases"], a)
'
    ;;
forward)
    script='trap '\''kill $! 2>/dev/null; echo got TERM; exit 5'\'' TERM
sh -c "sleep 0.1 &"
touch started
sleep 20 &
wait $!
echo not signalled'
    for side in native vmm; do
        rm -f started
        if [ $side = native ]; then
            "$agent" run -- /bin/sh -c "$script" >out 2>err &
        else
            # shellcheck disable=SC2086
            "$hl" run ${HL_RUN_FLAGS:-} -- "$agent" run -- /bin/sh -c "$script" >out 2>err &
        fi
        pid=$!
        for _ in $(seq 300); do
            [ -e started ] && break
            sleep 0.1
        done
        [ -e started ] || { kill -9 $pid; fail "$side: the workload did not start"; }
        sleep 0.3
        kill -TERM $pid
        wait $pid
        st=$?
        [ "$st" = 5 ] || fail "$side: status $st, expected 5; stdout: $(cat out); stderr: $(cat err)"
        [ "$(cat out)" = "got TERM" ] || fail "$side: stdout: $(cat out)"
    done
    ;;
native)
    out=$(/bin/sh -c 'hl-agent probe'; echo "probe=$?")
    [ "$out" = "native
probe=1" ] || fail "probe natively: $out"
    "$agent" run -- /bin/sh -c "$report_script" >out 2>err
    st=$?
    [ "$st" = 3 ] || fail "status $st, expected 3; stderr: $(cat err)"
    [ "$(cat out)" = workload ] && [ ! -s err ] || fail "stdout: $(cat out); stderr: $(cat err)"
    for n in 0 1 7 255; do
        "$agent" run -- /bin/sh -c "exit $n"
        st=$?
        [ "$st" = $n ] || fail "exit $n: status $st"
    done
    "$agent" run -- /bin/sh -c 'kill -TERM $$'
    st=$?
    [ "$st" = 143 ] || fail "SIGTERM: status $st, expected 143"
    ;;
*)
    fail "unknown mode: $mode"
    ;;
esac
echo "$prog: $mode: ok"
