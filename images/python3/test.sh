#!/usr/bin/env bash
# python3 runs script.py (deterministic: primes, sha256, zlib, json, files in
# $WORK, a thread pool); its output must be expected.txt.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init python3
wl_run out.txt || wl_fail "exit status $?: $(head -c 300 out.txt.err)"
wl_expect "$IMAGE/expected.txt" out.txt
wl_pass
