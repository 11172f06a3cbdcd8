#!/usr/bin/env bash
# Starts lighttpd (lighttpd.conf.in: static files from $WORK/www) on a free
# port; checks index.html and a 100 KB file byte for byte and a 404 with
# curl; runs `wrk -t2 -c8 -d${WL_SECONDS:-3}s`; then SIGINT, lighttpd's
# graceful shutdown: exit status 0. The metric is wrk's Requests/sec.
# shellcheck source=images/lib.sh
. "$(dirname "$0")/../lib.sh"
wl_init lighttpd curl wrk timeout cmp sed
mkdir -p www
printf '<html><body><h1>hyperloupe</h1><p>lighttpd</p></body></html>\n' >www/index.html
head -c 102400 /dev/urandom >www/blob.bin || wl_fail "cannot write www/blob.bin"

wl_prepare() {
    sed -e "s|@WORK@|$WORK|g" -e "s|@PORT@|$PORT|g" "$IMAGE/lighttpd.conf.in" >lighttpd.conf
}
ok200() { [ "$(wl_get / /dev/null 2>/dev/null)" = 200 ]; }
wl_serve ok200 "HTTP 200 from lighttpd"

[ "$(wl_get / body1)" = 200 ] && cmp -s body1 www/index.html || wl_fail "GET / is not index.html"
[ "$(wl_get /blob.bin body2)" = 200 ] && cmp -s body2 www/blob.bin || wl_fail "GET /blob.bin differs"
[ "$(wl_get /no-such-file /dev/null)" = 404 ] || wl_fail "GET /no-such-file is not a 404"

wl_wrk /index.html
wl_stop INT 30
wl_metric "$rps"
wl_pass
