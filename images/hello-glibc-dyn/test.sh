#!/usr/bin/env bash
# The hello guest (tests/guest/hello.c, built by CMake into $HL_BUILD) prints
# "hello, world" and its argument vector: the output must be exactly that.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_app
wl_init "${app[0]}"
{
    echo "hello, world"
    echo "argc=${#app[@]}"
    for i in "${!app[@]}"; do echo "argv[$i]=${app[$i]}"; done
} >expected.txt
wl_run out.txt || wl_fail "exit status $?: $(head -c 300 out.txt.err)"
wl_expect expected.txt out.txt
wl_pass
