# shellcheck shell=sh
# Shared by the benchmarks (sourced with `.`; POSIX sh).
#
#   bench_engines HYPERLOUPE INDENT   set $engines to the engines this
#                                     machine offers (`hyperloupe engines
#                                     --check E` exits 0), saying for each
#                                     whether it is measured and why not
#   bench_tools                       set have_strace and have_perf (1/0);
#                                     PERF_TRACE=0 leaves perf trace out
#   bench_status STATUS               "exit status STATUS", with the signal's
#                                     name when it is 128 + a signal
#   bench_median FILE DECIMALS        the median of FILE's numbers (one a
#                                     line); fails when FILE is empty
#   bench_range FILE DECIMALS         their smallest and largest, "LO-HI"
#   bench_ratio A B                   A / B to three places, or "n/a" when
#                                     either is missing or B is not above 0

now_ns() { date +%s%N; }

bench_engines() {
    engines=
    for e in kvm sud; do
        if [ ! -x "$1" ]; then
            echo "  engine $e:$2not measured: no executable at $1 (set HYPERLOUPE)"
        elif why=$("$1" engines --check "$e" 2>&1); then
            engines="$engines $e"
            echo "  engine $e:$2measured"
        else
            echo "  engine $e:$2not measured: $(echo "$why" | head -n 1 | sed "s/^$e engine: //")"
        fi
    done
}

# shellcheck disable=SC2034  # (the callers read have_strace and have_perf)
bench_tools() {
    have_strace=0 have_perf=0
    command -v strace >/dev/null 2>&1 && have_strace=1
    [ "${PERF_TRACE:-1}" = 0 ] || ! command -v perf >/dev/null 2>&1 || have_perf=1
}

bench_status() {
    if [ "$1" -gt 128 ] && sig=$(kill -l "$1" 2>/dev/null) && [ -n "$sig" ]; then
        echo "exit status $1 (SIG$sig)"
    else
        echo "exit status $1"
    fi
}

bench_median() {
    [ -s "$1" ] && sort -g "$1" | awk -v f="%.$2f\n" \
        '{ v[NR] = $1 } END { printf f, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_range() {
    [ -s "$1" ] && sort -g "$1" | awk -v f="%.$2f-%.$2f\n" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f, lo, hi }'
}

bench_ratio() {
    { [ -n "$1" ] && [ -n "$2" ] &&
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f\n", a / b; else exit 1 }'; } || echo "n/a"
}
