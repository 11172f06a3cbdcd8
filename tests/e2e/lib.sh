# shellcheck shell=bash disable=SC2154,SC2034
# Helpers of the e2e scripts (agent.sh, policy.sh, syscount.sh): sourced
# after they set $prog (their name) and, for vmm, $hl (the hyperloupe binary).

fail() {
    printf '%s: FAIL: %s\n' "$prog" "$*" >&2
    exit 1
}

skip() {
    echo "$prog: SKIP: $*"
    exit 77
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
