#!/bin/sh
# Set everything up on a fresh Debian machine and run the default workload:
# sqlite3 executing a real SQL script, every system call trapped by the
# engine this machine offers (kvm with a usable /dev/kvm, else sud), with
# the syscall summary on stderr and the run's statistics in
# hyperloupe-demo.json.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
# Which engine runs here, and why not the other.
./build/hyperloupe engines >&2
db=$(mktemp -d)/demo.db
./build/hyperloupe run -c --stats hyperloupe-demo.json -- \
	/usr/bin/sqlite3 "$db" < images/sqlite3/workload.sql
echo "statistics written to hyperloupe-demo.json" >&2
rm -rf "$(dirname "$db")"
