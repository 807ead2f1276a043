#!/usr/bin/env bash
# Runs the product locally: the central server on its embedded SQLite with the
# demo city, and a client logged in as a district reporting user. Ctrl+C stops
# the server; the data stays in DATA for the next run.
set -euo pipefail
addr=${1:-127.0.0.1:8080}
data=${2:-.data}
bin=$(cd "$(dirname "$0")/.." && pwd)/bin
mkdir -p "$data"

if [ ! -f "$data/server/server.db" ]; then
	echo "== 创建演示城市 (seeding the demo city) =="
	"$bin/yiwangtong-server" demo --data "$data/server" >"$data/accounts.tsv"
fi
echo "== 演示账号 (demo accounts: username, role, unit, password) in $data/accounts.tsv =="
column -t -s "$(printf '\t')" "$data/accounts.tsv" 2>/dev/null || cat "$data/accounts.tsv"

"$bin/yiwangtong-server" serve --addr "$addr" --data "$data/server" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 100); do
	if curl -fsS "http://$addr/healthz" >/dev/null 2>&1; then break; fi
	sleep 0.1
done

# A district reporting user's client, connected to the server.
read -r user _ _ password < <(awk -F'\t' '$2 == "reporter" { print; exit }' "$data/accounts.tsv")
client=(--data "$data/client-$user")
echo "== 客户端登录 (client login as $user) =="
printf '%s\n' "$password" | "$bin/yiwangtong" "${client[@]}" login --server "http://$addr" --username "$user" --password-stdin
"$bin/yiwangtong" "${client[@]}" sync
"$bin/yiwangtong" "${client[@]}" tasks >"$data/tasks-$user.tsv"
sed -n 1,15p "$data/tasks-$user.tsv"
echo
echo "服务器运行中 (server running) at http://$addr — 客户端数据 (client data) in $data/client-$user"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	echo "== 打开桌面客户端 (opening the desktop client): 用户名 $user，密码 $password =="
	"$bin/yiwangtong" "${client[@]}" --server "http://$addr" &
else
	echo "没有图形显示，桌面客户端未打开 (no display: the window is not opened)；"
	echo "在有桌面的电脑上运行 (on a desktop run): bin/yiwangtong ${client[*]} --server http://$addr"
	echo "命令行示例 (try): bin/yiwangtong ${client[*]} show TASK-ID"
fi
wait $server
