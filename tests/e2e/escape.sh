#!/bin/bash
# escape.sh HYPERLOUPE ESCAPE: under the sud engine, a program that tries
# to disarm, unmap, unprotect, replace or move the monitor, take %gs, or
# unmap or unprotect the stubs of its rewritten call sites,
# gets the errors README "Engines" documents and stays traced: its 100
# getppid calls after the attempts are in the statistics.  Skips (77)
# where the sud engine is absent.
set -u
hl=$1 prog=$2
HL_ENGINE=sud bash "$(dirname "$0")/engine_check.sh" "$hl" || exit $?
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$("$hl" run --engine sud --stats "$dir/s.json" -- "$prog") || { echo "escape.sh: FAIL: status $?: $out"; exit 1; }
expect="prctl(PR_SET_SYSCALL_USER_DISPATCH, OFF): -1 EINVAL
munmap(monitor): -1 EINVAL
mprotect(monitor, PROT_NONE): -1 EINVAL
mmap(MAP_FIXED over monitor): -1 ENOMEM
mremap(monitor): -1 EINVAL
madvise(monitor, MADV_DONTNEED): -1 EINVAL
arch_prctl(ARCH_SET_GS): -1 EPERM
munmap(stubs): -1 EINVAL
mprotect(stubs, PROT_READ | PROT_WRITE): -1 EINVAL
still here"
[ "$out" = "$expect" ] || { echo "escape.sh: FAIL: got"; echo "$out"; exit 1; }
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["syscalls"]["getppid"]["count"])' "$dir/s.json")
[ "$n" -ge 100 ] || { echo "escape.sh: FAIL: $n getppid calls counted after the attempts, want >= 100"; exit 1; }
echo "escape.sh: PASS"
