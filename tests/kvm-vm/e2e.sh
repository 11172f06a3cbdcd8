#!/bin/bash
# e2e.sh BUILD HYPERLOUPE - the kvm engine's end-to-end tests on SVM
# semantics (CTest: kvm-svm.e2e).  On the host, it boots the emulated
# machine once (run.sh) and runs itself inside it with --inside, which runs
#   - the e2e tests of BUILD selected below (ctest: each compares a program
#     run natively in the machine with the same program under `hyperloupe
#     run`, with sites rewritten and with --no-rewrite),
#   - tests/apps/redis.sh (redis-server under the VMM, redis-benchmark and
#     redis-cli natively), natively first (fake-hyperloupe.sh), then with
#     rewriting on and off.
# Exit: 0 all passed, 1 a test failed (or there is no /dev/kvm in the
# machine), 77 not asked for (HL_KVM_SVM is not 1) or no machine here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

# Which e2e tests run in the machine (docs/kvm-svm.md says why not the
# others): the software CPU makes each test take 5-10 s, so one or two per
# kind of guest behaviour, each with its .no-rewrite twin - programs
# (glibc/musl, static/dynamic/PIE), coreutils, busybox and its shell
# (pipes, fork, wait, traps), threads, fork/exec, signals, time calls and
# the vDSO, crashes, exit codes, bad pointers and bad programs, rewriting,
# and the policies.  Left out: the other modes of the same guests (their
# `all` mode runs them all), the tests of commands that run no guest
# (model, plan-report, explore, images, tui, live), the larger programs
# (python3, sqlite3, make, the agent's scripts) and the harness selftests.
INCLUDE='^e2e\.kvm\.(hello-[a-z-]+|hello-glibc-static\.stats|badptr|crash-[a-z0-9]+|exitcode-[0-9]+|error\.[a-z-]+'
INCLUDE+='|coreutils\.(cat|sort|sha256sum)|busybox\.(echo|sort)|sh\.busybox\.(pipeline|exit-codes|trap-usr1|background)'
INCLUDE+='|threads(-musl-static)?\.all|forkexec\.all|signals\.all|timecalls\.(agree|monotonic)|rewrite\.[a-z-]+|policy\.[a-z-]+)(\.no-rewrite)?$'
EXCLUDE=''

inside() {
	local build=$1 hl=$2 fail=0
	[ -c /dev/kvm ] || { echo "e2e.sh: no /dev/kvm in the emulated machine" >&2; exit 1; }
	step e2e ctest --test-dir "$build" -L '^kvm$' -R "$INCLUDE" ${EXCLUDE:+-E "$EXCLUDE"} \
		-j2 --timeout 240 --output-on-failure || fail=1
	redis "$hl" || fail=1
	return $fail
}

# redis.sh natively (the reference), then under the VMM both ways.
redis() {
	local hl=$1 fail=0 work
	work=$(mktemp -d) || return 1
	export TMPDIR=$work
	step redis.native bash "$src/tests/apps/redis.sh" "$src/tests/e2e/fake-hyperloupe.sh" || fail=1
	step redis bash "$src/tests/apps/redis.sh" "$hl" || fail=1
	HL_REAL=$hl HL_RUN_FLAGS=--no-rewrite \
		step redis.no-rewrite bash "$src/tests/apps/redis.sh" "$here/hl-flags.sh" || fail=1
	rm -rf "$work"
	return $fail
}

# One named step, its time and its verdict, so the CTest log says which.
step() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	echo "=== kvm-svm: $name"
	"$@"
	rc=$?
	echo "=== kvm-svm: $name: $([ $rc = 0 ] && echo passed || echo "FAILED ($rc)") in $(($(date +%s) - t0)) s"
	return $rc
}

if [ "${1:-}" = --inside ]; then
	shift
	inside "$@"
	exit
fi
[ $# = 2 ] || { echo "usage: $0 BUILD HYPERLOUPE" >&2; exit 2; }
if [ "${HL_KVM_SVM:-0}" != 1 ]; then
	echo "e2e.sh: skipped: set HL_KVM_SVM=1 to boot the emulated SVM machine (about 10 minutes)"
	exit 77
fi
exec bash "$here/run.sh" bash "$here/e2e.sh" --inside "$@"
