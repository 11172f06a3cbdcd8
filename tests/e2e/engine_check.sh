#!/bin/bash
# engine_check.sh HYPERLOUPE: exit 0 when the engine under test ($HL_ENGINE,
# default auto) runs here; 77 (the tests' skip) with the reason when this
# machine lacks what it needs; 1 when it is missing from the build.  The
# e2e and application scripts call it before anything else.
why=$("$1" engines --check "${HL_ENGINE:-auto}" 2>&1) && exit 0
est=$?
if [ "$est" = 77 ]; then
    echo "SKIP: $why"
else
    echo "$why" >&2
fi
exit "$est"
