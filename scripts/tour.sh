#!/bin/sh
# Runs the desktop client's tour in a real window under Xvfb (1366×768)
# against a real yiwangtong-server seeded with the demo city: both roles go
# through the full cycle and every area is captured into the folder given
# (docs/screenshots by default). Needs bin/yiwangtong and
# bin/yiwangtong-server (make build).
set -eu
out=${1:-docs/screenshots}
tmp=$(mktemp -d)
srv=""
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

bin/yiwangtong-server demo --data "$tmp/server" >"$tmp/accounts.tsv"
bin/yiwangtong-server serve --data "$tmp/server" --addr 127.0.0.1:0 2>"$tmp/server.log" &
srv=$!
addr=""
for _ in $(seq 1 100); do
	addr=$(sed -n 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$tmp/server.log" | head -n 1)
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || { echo "yiwangtong-server did not start:" >&2; cat "$tmp/server.log" >&2; exit 1; }
curl -fsS "http://$addr/healthz" >/dev/null

account() { awk -F'\t' -v u="$1" '$1 == u { print $1 ":" $4 }' "$tmp/accounts.tsv"; }
export YW_TOUR_SERVER="http://$addr"
YW_TOUR_REPORTER=$(account dongchengqu)
YW_TOUR_REVIEWER=$(account shenhe1)
export YW_TOUR_REPORTER YW_TOUR_REVIEWER
mkdir -p "$out"
rm -f "$out"/[0-9][0-9]-*.png
# Mesa's softpipe renderer: llvmpipe under Xvfb reads the front buffer
# back as zeros, so the window's own capture would be empty.
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 HOME="$tmp/home" GALLIUM_DRIVER=softpipe \
	xvfb-run -a -s "-screen 0 1366x768x24" bin/yiwangtong --data "$tmp/client" --tour "$out"
echo "screenshots in $out:" >&2
ls "$out" >&2
