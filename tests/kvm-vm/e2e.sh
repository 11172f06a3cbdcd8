#!/bin/bash
# e2e.sh BUILD HYPERLOUPE [BATCH] - the kvm engine's end-to-end tests on SVM
# semantics (CTest: kvm-svm.e2e.BATCH).  On the host, it boots the emulated
# machine (run.sh) and runs itself inside it with --inside, which runs
#   - the e2e tests of BUILD in BATCH (ctest: each compares a program run
#     natively in the machine with the same program under `hyperloupe run`,
#     with sites rewritten and with --no-rewrite),
#   - or, for the batch `redis`, tests/apps/redis.sh (redis-server under the
#     VMM, redis-benchmark and redis-cli natively), natively first
#     (fake-hyperloupe.sh), then with rewriting on and off.
# One boot per batch: the emulated machine locks up after a few minutes of
# load (docs/kvm-svm.md), so each batch is kept to about a minute in it, and
# run.sh boots again, once, when it sees a lockup.  BATCH `all` (the
# default) runs every batch in one boot, for use by hand.
# Exit: 0 all passed, 1 a test failed (or there is no /dev/kvm in the
# machine), 77 not asked for (HL_KVM_SVM is not 1) or no machine here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

# Which e2e tests run in the machine, by batch (docs/kvm-svm.md says why
# not the others): the software CPU makes each test take 5-10 s, so one or
# two per kind of guest behaviour, each with its .no-rewrite twin - programs
# (glibc/musl, static/dynamic/PIE), coreutils, busybox and its shell
# (pipes, fork, wait, traps), threads, fork/exec, signals, time calls and
# the vDSO, crashes, exit codes, bad pointers and bad programs, rewriting,
# and the policies.  Left out: the other modes of the same guests (their
# `all` mode runs them all), the tests of commands that run no guest
# (model, plan-report, explore, images, tui, live), the larger programs
# (python3, sqlite3, make, the agent's scripts) and the harness selftests.
# The batch names are also in CMakeLists.txt.
BATCHES='hello crash error shell procs rewrite policy-a policy-b redis'
batch_regex() {
	local r
	case $1 in
	hello) r='hello-[a-z-]+|hello-glibc-static\.stats|badptr' ;;
	crash) r='crash-[a-z0-9]+|exitcode-[0-9]+' ;;
	error) r='error\.[a-z-]+' ;;
	shell) r='coreutils\.(cat|sort|sha256sum)|busybox\.(echo|sort)|sh\.busybox\.(pipeline|exit-codes|trap-usr1|background)' ;;
	procs) r='threads(-musl-static)?\.all|forkexec\.all|signals\.all|timecalls\.(agree|monotonic)' ;;
	rewrite) r='rewrite\.[a-z-]+' ;;
	policy-a) r='policy\.(getrandom|affinity|tcgets|maps-[a-z]+)' ;;
	policy-b) r='policy\.(only-scope|fsync|delay|errors|local-star|stub-star|policy-file)' ;;
	*) return 1 ;;
	esac
	echo "^e2e\.kvm\.($r)(\.no-rewrite)?\$"
}
EXCLUDE=''

inside() {
	local build=$1 hl=$2 batch=$3 fail=0 b
	[ -c /dev/kvm ] || { echo "e2e.sh: no /dev/kvm in the emulated machine" >&2; exit 1; }
	if [ "$batch" = all ]; then
		for b in $BATCHES; do
			inside "$build" "$hl" "$b" || fail=1
		done
		return $fail
	fi
	if [ "$batch" = redis ]; then
		redis "$hl"
		return
	fi
	step "e2e.$batch" ctest --test-dir "$build" -L '^kvm$' -R "$(batch_regex "$batch")" \
		${EXCLUDE:+-E "$EXCLUDE"} --no-tests=error -j2 --timeout 150 --output-on-failure
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
[ $# = 2 ] || [ $# = 3 ] || { echo "usage: $0 BUILD HYPERLOUPE [BATCH]" >&2; exit 2; }
batch=${3:-all}
case " all $BATCHES " in
*" $batch "*) ;;
*) echo "e2e.sh: no batch $batch (batches: all $BATCHES)" >&2; exit 2 ;;
esac
if [ "${HL_KVM_SVM:-0}" != 1 ]; then
	echo "e2e.sh: skipped: set HL_KVM_SVM=1 to boot the emulated SVM machine (about 10 minutes)"
	exit 77
fi
exec bash "$here/run.sh" bash "$here/e2e.sh" --inside "$1" "$2" "$batch"
