#!/usr/bin/env bash
# Counts the words of $WORK/words.txt (made here: 30000 lines, 101 distinct
# words with skewed counts, the same on every machine) and checks the five
# most frequent against expected.txt.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init sh sort uniq head awk
awk 'BEGIN { for (i = 1; i <= 30000; i++) print "word" int(sqrt((i * 7919) % 10007)) }' >words.txt ||
    wl_fail "cannot write words.txt"
wl_run out.txt || wl_fail "exit status $?: $(head -c 300 out.txt.err)"
wl_expect "$IMAGE/expected.txt" out.txt
wl_pass
