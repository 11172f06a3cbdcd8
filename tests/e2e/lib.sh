# shellcheck shell=bash disable=SC2154,SC2034,SC2015
# Helpers of the e2e scripts (agent.sh, model.sh, policy.sh, syscount.sh): sourced
# after they set $prog (their name) and, for vmm, $hl (the hyperloupe binary).

fail() {
    printf '%s: FAIL: %s\n' "$prog" "$*" >&2
    exit 1
}

skip() {
    echo "$prog: SKIP: $*"
    exit 77
}

# Makes $hl absolute (the scripts cd into scratch directories), fails if it
# is not an executable file, and sets $py: $HL_E2E_PYTHON, else
# /usr/bin/python3 (skips without it).
need_hl_and_python() {
    case $hl in /*) ;; *) hl=$PWD/$hl ;; esac
    [ -f "$hl" ] && [ -x "$hl" ] || fail "hyperloupe binary missing or not executable: $hl"
    py=${HL_E2E_PYTHON:-/usr/bin/python3}
    [ -x "$py" ] || skip "python3 not found (set HL_E2E_PYTHON)"
}

# vmm [RUN OPTIONS...] -- CMD...: under the VMM, stdout in ./out, stderr in
# ./err, status in $st; $HL_RUN_FLAGS (e.g. --no-rewrite) goes first.
vmm() {
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    # shellcheck disable=SC2086
    "$hl" run ${HL_RUN_FLAGS:-} "${opts[@]}" -- "$@" >out 2>err
    st=$?
}
