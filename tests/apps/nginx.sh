#!/usr/bin/env bash
# nginx.sh HYPERLOUPE - nginx (a master and two workers) under `HYPERLOUPE run`.
#
# Writes a minimal nginx.conf in a work directory (daemon off, master_process
# on, worker_processes 2, pid/logs/temp paths inside the work directory,
# listen 127.0.0.1:P, a root with index.html and a 100 KB random file), runs
#   HYPERLOUPE run -- nginx -c CONF -p DIR -e DIR/error.log
# waits for HTTP 200, then checks: the pid file holds the pid `run` was started
# as; the two workers the master logs ("start worker process N") are its
# children; index.html and the 100 KB file come back byte for byte (sha256),
# also on one keep-alive connection; a missing file is a 404; `wrk -t2 -c8
# -d2s` reports Requests/sec > 0, no non-2xx/3xx responses and at most 3 socket
# errors. Then SIGQUIT (graceful shutdown) to the master: it must exit with
# status 0 within 20 s, log each worker's exit with code 0, remove its pid
# file, and leave no process behind in its process group.
#
# As root, the configuration says `user root root;`: nginx's default (nobody)
# would need the work directory readable by nobody.
#
# Exit status: 0 pass, 1 fail, 2 usage, 77 skip (no /dev/kvm, no nginx, curl,
# wrk or sha256sum). Environment: TMPDIR (the work directory is made there;
# CTest sets it to the build tree).

# shellcheck source=tests/apps/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
[ $# -eq 1 ] || { echo "usage: $prog HYPERLOUPE" >&2; exit 2; }
# nginx is in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
apps_init "$1" nginx curl wrk sha256sum

port=$(free_port) || fail "no free TCP port found"
note "hyperloupe: $hl"
note "work dir:   $work"
note "port:       $port"

mkdir -p www tmp || fail "mkdir"
printf '<html><body><h1>hyperloupe</h1><p>nginx under hyperloupe</p></body></html>\n' >www/index.html
head -c 102400 /dev/urandom >www/blob.bin || fail "cannot make www/blob.bin"
user_line=
[ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
cat >nginx.conf <<EOF
daemon off;
master_process on;
worker_processes 2;
$user_line
pid $work/nginx.pid;
error_log $work/error.log notice;

events {
    worker_connections 128;
}

http {
    access_log $work/access.log;
    client_body_temp_path $work/tmp/client_body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    types {
        text/html html;
        application/octet-stream bin;
    }
    default_type application/octet-stream;
    keepalive_timeout 30;

    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        root $work/www;
        index index.html;
    }
}
EOF
logs+=("$work/error.log")

start_server "$work/nginx.out" "$hl" run -- nginx -c "$work/nginx.conf" -p "$work" -e "$work/error.log"
master=$server_pid

url=http://127.0.0.1:$port
# http_code PATH [CURL OPTIONS]: the status of GET PATH, "000" on no answer.
http_code() {
    local path=$1
    shift
    timeout 20 curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url$path"
}

# ---------------------------------------------------------------- startup
ok200() { [ "$(http_code / --max-time 2 2>/dev/null)" = 200 ]; }
wait_until 20 "HTTP 200 from nginx" ok200
note "HTTP 200 after $waited"

[ "$(cat nginx.pid 2>/dev/null)" = "$master" ] ||
    fail "pid file says '$(cat nginx.pid 2>/dev/null)', but nginx was started as pid $master"

# The workers: the master logs their pids; wait for both (the second may
# still be starting), then they must be live children of the master.
logged_workers() {
    workers=$(sed -n 's/.*start worker process \([0-9]*\)$/\1/p' error.log | sort -u)
    [ "$(echo "$workers" | grep -c .)" -ge 2 ]
}
wait_until 10 "2 'start worker process' lines in the log" logged_workers
[ "$(echo "$workers" | grep -c .)" = 2 ] || fail "expected 2 workers, the log names: ${workers//$'\n'/ }"
for w in $workers; do
    extra_pids+=("$w")
    proc_alive "$w" || fail "worker $w is not running"
    ppid=$(proc_field "$w" 4)
    [ "$ppid" = "$master" ] || fail "worker $w has parent ${ppid:-?}, not the master $master"
done
note "master $master, workers ${workers//$'\n'/ }"

# -------------------------------------------------------------- responses
checks=0
# expect_body PATH FILE: GET PATH is 200 and its body is FILE's content.
expect_body() {
    local code
    code=$(timeout 20 curl -s -o body.out -w '%{http_code}' --max-time 10 "$url$1") ||
        fail "curl $1: exit status $?"
    [ "$code" = 200 ] || fail "GET $1: status $code, expected 200"
    [ "$(sha256sum <body.out)" = "$(sha256sum <"$2")" ] ||
        fail "GET $1: body differs from $2 ($(wc -c <body.out) bytes, expected $(wc -c <"$2"))"
    checks=$((checks + 1))
}
expect_body / www/index.html
expect_body /index.html www/index.html
expect_body /blob.bin www/blob.bin

code=$(http_code /no-such-file) || fail "curl /no-such-file: exit status $?"
[ "$code" = 404 ] || fail "GET /no-such-file: status $code, expected 404"
checks=$((checks + 1))

hdrs=$(timeout 20 curl -s -I --max-time 10 "$url/blob.bin" | tr -d '\r') || fail "curl -I /blob.bin: exit status $?"
echo "$hdrs" | grep -qx 'Content-Length: 102400' ||
    fail "HEAD /blob.bin: no 'Content-Length: 102400' in: $hdrs"
echo "$hdrs" | grep -qx 'Content-Type: application/octet-stream' ||
    fail "HEAD /blob.bin: no 'Content-Type: application/octet-stream' in: $hdrs"
checks=$((checks + 1))

# Three requests on one keep-alive connection.
timeout 20 curl -s --max-time 10 -o ka1.out "$url/blob.bin" -o ka2.out "$url/index.html" \
    -o ka3.out "$url/blob.bin" -w '%{num_connects}\n' >ka.connects 2>&1 ||
    fail "curl (keep-alive): exit status $?"
if ! cmp -s ka1.out www/blob.bin || ! cmp -s ka2.out www/index.html || ! cmp -s ka3.out www/blob.bin; then
    fail "keep-alive: a body differs"
fi
[ "$(awk '{ s += $1 } END { print s }' ka.connects)" = 1 ] ||
    fail "keep-alive: curl connected $(paste -sd' ' ka.connects) times, expected one connection"
checks=$((checks + 1))
note "$checks responses checked"

# ------------------------------------------------------------------- wrk
logs+=("$work/wrk.out")
timeout 60 wrk -t2 -c8 -d2s "$url/index.html" >wrk.out 2>&1 || fail "wrk: exit status $?"
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' wrk.out)
[ -n "$rps" ] || fail "wrk printed no 'Requests/sec:'"
awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || fail "wrk: $rps requests/sec"
! grep -q 'Non-2xx or 3xx responses' wrk.out || fail "wrk: $(grep 'Non-2xx' wrk.out)"
sockerr=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' wrk.out)
nerr=0
for n in $sockerr; do nerr=$((nerr + n)); done
[ "$nerr" -le 3 ] || fail "wrk: $nerr socket errors ($(grep 'Socket errors' wrk.out))"
note "wrk: $rps requests/sec, $nerr socket errors"

# --------------------------------------------------------------- shutdown
for w in $workers; do
    proc_alive "$w" || fail "worker $w died during the test"
done
kill -QUIT "$master" || fail "kill -QUIT $master"
wait_exit "$master" 20 || fail "nginx master still running 20 s after SIGQUIT"
[ "$exit_status" = 0 ] || fail "nginx master exited with status $exit_status"
for w in $workers; do
    ! proc_alive "$w" || fail "worker $w still running after the master exited"
    grep -q "worker process $w exited with code 0" error.log ||
        fail "the log has no 'worker process $w exited with code 0'"
done
if [ -n "$server_pgid" ]; then
    left=$(in_group "$server_pgid")
    [ -z "$left" ] || fail "processes left in nginx's process group: $left"
fi
[ ! -e nginx.pid ] || fail "nginx did not remove its pid file"
grep -q 'gracefully shutting down' error.log || fail "the log has no 'gracefully shutting down'"
note "nginx exited with status 0, no worker left"

passed=1
note "PASS"
