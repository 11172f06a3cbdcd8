#!/bin/sh
# hl-flags.sh run ARGS... - `$HL_REAL run $HL_RUN_FLAGS ARGS...`, for the
# scripts that call a hyperloupe binary but know no HL_RUN_FLAGS of their own
# (tests/apps/redis.sh), so that they can run with --no-rewrite too.
[ -n "${HL_REAL:-}" ] || { echo "hl-flags.sh: HL_REAL is not set" >&2; exit 2; }
if [ "${1:-}" = run ]; then
	shift
	# shellcheck disable=SC2086 # HL_RUN_FLAGS is a list of options
	exec "$HL_REAL" run ${HL_RUN_FLAGS:-} "$@"
fi
exec "$HL_REAL" "$@"
