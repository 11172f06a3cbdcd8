#!/usr/bin/env bash
# syscount.sh - hyperloupe's profile counts the same system calls as strace
# sees natively.
#
# usage: syscount.sh --syscalls NAME[,NAME...] HYPERLOUPE -- CMD [ARGS...]
#
# Runs CMD natively under `strace -f -c -e trace=NAMES` and as
# `HYPERLOUPE run [$HL_RUN_FLAGS] --stats FILE -- CMD ARGS...`, and fails
# unless both runs exit with the same status and stdout, and for every NAME
# the count in the stats JSON (syscalls.NAME.count, 0 when absent) is
# strace's count (0 when strace lists none). Meant for the calls the vDSO
# serves (clock_gettime, gettimeofday, time, getcpu): natively only the
# clocks it does not handle are system calls, and the guest, which has the
# host's vDSO, must make exactly those.
#
# Exit status: 0 pass, 1 fail, 2 usage error, 77 skip (no strace, strace
# cannot trace here, or no usable /dev/kvm).

set -u

prog=${0##*/}
# shellcheck source=tests/e2e/lib.sh
. "$(dirname -- "$0")/lib.sh"

die_usage() {
    printf '%s: %s\n' "$prog" "$1" >&2
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

names=
hl=
while [ $# -gt 0 ]; do
    case $1 in
        --syscalls) [ $# -ge 2 ] || die_usage "--syscalls needs a list"
                    names=$2; shift 2 ;;
        --)         shift; break ;;
        -*)         die_usage "unknown option: $1" ;;
        *)          [ -z "$hl" ] || die_usage "unexpected argument: $1"
                    hl=$1; shift ;;
    esac
done
[ -n "$names" ] || die_usage "missing --syscalls"
[ -n "$hl" ] || die_usage "missing HYPERLOUPE"
[ $# -ge 1 ] || die_usage "missing -- CMD"
case $names in
    *[!a-z0-9_,]*|,*|*,|*,,*) die_usage "--syscalls: not a comma-separated list of names: $names" ;;
esac
[ -x "$hl" ] || fail "hyperloupe binary missing or not executable: $hl"

strace=$(command -v strace) || skip "strace not installed"
py=${HL_E2E_PYTHON:-$(command -v python3)} || fail "python3 needed"
bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
# ptrace may be forbidden (containers, yama): that is not a failure of ours.
"$strace" -qq -o /dev/null -- true 2>/dev/null || skip "strace cannot trace here"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-syscount.XXXXXX") || fail "mktemp failed"
trap 'rm -rf -- "$tmp"' EXIT

# The native counts: strace -c writes nothing at all when none was made.
"$strace" -f -qq -c -U name,calls -e "trace=$names" -o "$tmp/strace" -- "$@" \
    </dev/null >"$tmp/native.out" 2>"$tmp/native.err"
nst=$?
# shellcheck disable=SC2086
"$hl" run ${HL_RUN_FLAGS:-} --stats "$tmp/stats.json" -- "$@" \
    </dev/null >"$tmp/vmm.out" 2>"$tmp/vmm.err"
vst=$?

echo "command: $*"
if [ "$nst" != "$vst" ] || ! cmp -s "$tmp/native.out" "$tmp/vmm.out"; then
    echo "--- native: status $nst, stderr:"; cat "$tmp/native.err"
    echo "--- hyperloupe: status $vst, stderr:"; cat "$tmp/vmm.err"
    diff -u --label native --label hyperloupe "$tmp/native.out" "$tmp/vmm.out" | head -n 50
    fail "native and hyperloupe runs differ (status $nst vs $vst, or stdout)"
fi

"$py" - "$tmp/strace" "$tmp/stats.json" "$names" <<'PY' || fail "the counts differ"
import json, sys

strace_path, stats_path, names = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
native = {}
for line in open(strace_path):
    f = line.split()
    # "syscall  calls" header, "----" rules, "total" line, then the rows
    if len(f) == 2 and f[1].isdigit() and f[0] != "total":
        native[f[0]] = int(f[1])
with open(stats_path) as f:
    sc = json.load(f).get("syscalls", {})
bad = 0
print("%-16s %8s %10s" % ("syscall", "native", "hyperloupe"))
for n in names:
    got = sc.get(n, {}).get("count", 0)
    want = native.get(n, 0)
    print("%-16s %8d %10d%s" % (n, want, got, "" if got == want else "   <- differs"))
    bad += got != want
sys.exit(1 if bad else 0)
PY
echo "PASS"
