#!/usr/bin/env bash
# The synthetic guest (tests/guest/synthetic.c, built by CMake into
# $HL_BUILD) at gain 1: its one line of output is fixed by its arguments.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_app
wl_init "${app[0]}"
echo "pi 3.141595 points 400000000 phases 10 calls 1384" >expected.txt
wl_run out.txt || wl_fail "exit status $?: $(head -c 300 out.txt.err)"
wl_expect expected.txt out.txt
wl_pass
