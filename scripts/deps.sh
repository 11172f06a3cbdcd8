#!/bin/sh
# Install the Debian packages hyperloupe needs to build, test and compare
# with its peers.  Idempotent: does nothing when everything is present.
set -eu
PKGS="build-essential cmake clang libclang-rt-14-dev libcmocka-dev libcapstone-dev libsqlite3-dev libncurses-dev linux-libc-dev
musl-tools busybox-static python3 sqlite3 coreutils strace linux-perf
redis-server redis-tools nginx wrk curl dash make procps tmux"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
