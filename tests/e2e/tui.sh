#!/bin/bash
# tui.sh HYPERLOUPE SRCDIR [update]: the TUI's screens, headless, as text
# (as tig's tests do): each line of tests/tui/cases is a screen size and a
# key script applied to tests/tui/stats.json (a real run's statistics, the
# program renamed so that no static analysis runs); the screen must equal
# tests/tui/expected/NAME.txt. With "update", writes the files instead.
set -u
hl=$1
src=$2
update=${3:-}
dir=$src/tests/tui
fails=0
while IFS='|' read -r name size keys; do
    name=$(echo "$name" | tr -d ' ')
    case $name in ''|'#'*) continue ;; esac
    size=$(echo "$size" | tr -d ' ')
    keys=$(echo "$keys" | sed 's/^ *//; s/ *$//')
    out=$("$hl" tui --headless --size "$size" --keys "$keys" --stats "$dir/stats.json" 2>&1)
    st=$?
    if [ "$update" = update ]; then
        printf '%s\n' "$out" >"$dir/expected/$name.txt"
        continue
    fi
    if [ "$st" != 0 ]; then
        echo "tui.sh: $name: status $st: $out" >&2
        fails=$((fails + 1))
    elif ! diff -u "$dir/expected/$name.txt" <(printf '%s\n' "$out") >&2; then
        echo "tui.sh: $name: the screen differs (keys '$keys', $size)" >&2
        fails=$((fails + 1))
    fi
done <"$dir/cases"
[ "$fails" = 0 ] || { echo "tui.sh: $fails screen(s) differ" >&2; exit 1; }
echo "tui.sh: every screen as expected"
