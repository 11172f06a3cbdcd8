#!/bin/sh
# fake-hyperloupe.sh - stands in for `hyperloupe` to test the e2e harness
# itself (compare.sh) without a VMM. It runs PROGRAM natively.
#
#   fake-hyperloupe.sh run [--stats FILE] [-c|--summary] -- PROGRAM [ARGS...]
#
# --stats and -c are emulated with `strace -f -qq -c` (syscall counts and
# errors are real, the timing fields are made up). With HL_FAKE_MODE=extra-byte
# it appends one byte to stdout, i.e. it is deliberately wrong: every compare
# test must then fail. A guest killed by a signal kills this script with the
# same signal, like the real VMM.
set -u

# sh exports PWD even when it was not in our environment: undo that, the
# guest must get exactly the environment we were given. (No cd below.)
if ! tr '\0' '\n' </proc/$$/environ | grep -q '^PWD='; then
    unset PWD
fi

# Runs natively on every machine: every engine is "present".
[ "${1:-}" = engines ] && exit 0
[ "${1:-}" = run ] || { echo "hyperloupe: fake: only 'run' is emulated" >&2; exit 2; }
shift
stats=
summary=0
while [ $# -gt 0 ]; do
    case $1 in
        --stats) stats=$2; shift 2 ;;
        -c|--summary) summary=1; shift ;;
        --) shift; break ;;
        *) echo "hyperloupe: fake: unknown option $1" >&2; exit 2 ;;
    esac
done

mode=${HL_FAKE_MODE:-exact}
if [ -z "$stats" ] && [ "$summary" = 0 ] && [ "$mode" = exact ]; then
    exec "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-fake.XXXXXX") || exit 125
if [ -n "$stats" ] || [ "$summary" = 1 ]; then
    strace -f -qq -c -U name,calls,errors,time-total -o "$tmp/strace" -- "$@"
    st=$?
else
    "$@"
    st=$?
fi
[ "$mode" = extra-byte ] && printf 'X'
if [ -n "$stats" ]; then
    python3 - "$tmp/strace" "$st" "$stats" <<'PY'
import json, re, sys
src, status, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
nrs = {}
for hdr in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"):
    try:
        for line in open(hdr):
            m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
            if m:
                nrs[m.group(1)] = int(m.group(2))
        break
    except OSError:
        pass
sc = {}
for line in open(src):
    f = line.split()
    if len(f) < 3 or f[0] in ("syscall", "total") or f[0].startswith("-"):
        continue
    name, calls = f[0], int(f[1])
    errors = int(f[2]) if len(f) == 4 else 0
    secs = float(f[-1])
    sc[name] = {"nr": nrs.get(name, -1), "count": calls, "errors": errors,
                "host_ns": int(secs * 1e9)}
sc.pop("execve", None)
out = {"exit_status": status, "syscalls": sc, "user_ns": 0,
       "exit_overhead_ns": 0, "wall_ns": 1}
json.dump(out, open(dst, "w"), indent=1, sort_keys=True)
PY
fi
[ "$summary" = 1 ] && cat "$tmp/strace" >&2
rm -rf "$tmp"
if [ "$st" -gt 128 ] && [ "$st" -lt 160 ]; then
    sig=$((st - 128))
    trap - "$sig" 2>/dev/null
    kill -s "$(kill -l "$sig")" $$
fi
exit "$st"
