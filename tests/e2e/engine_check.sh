#!/bin/bash
# engine_check.sh HYPERLOUPE: exit 0 when the engine under test ($HL_ENGINE,
# default auto) runs here; 77 (the tests' skip) with the reason when this
# machine lacks what it needs; 1 when it is missing from the build.  The
# e2e and application scripts call it before anything else.  With
# HL_NEED_PAGE0 set (a sud test with zpoline's form on), the machine must
# also let a process map page 0: vm.mmap_min_addr=0, or CAP_SYS_RAWIO.
page0() {
    local min cap
    min=$(cat /proc/sys/vm/mmap_min_addr 2>/dev/null) || return 1
    [ "$min" = 0 ] && return 0
    cap=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    [ -n "$cap" ] && (( (0x$cap >> 17) & 1 ))
}
if [ -n "${HL_NEED_PAGE0:-}" ] && ! page0; then
    echo "SKIP: zpoline needs page 0: vm.mmap_min_addr is not 0 and there is no CAP_SYS_RAWIO"
    exit 77
fi
why=$("$1" engines --check "${HL_ENGINE:-auto}" 2>&1) && exit 0
est=$?
if [ "$est" = 77 ]; then
    echo "SKIP: $why"
else
    echo "$why" >&2
fi
exit "$est"
