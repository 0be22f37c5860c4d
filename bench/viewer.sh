#!/usr/bin/env bash
# kdive serve's pages as a browser gets them: each page's first request (made then, or by the
# warm-up that runs while the user opens the browser), timed by curl, on the lab dump without
# the debug package and with it (stacks and disassembly with source lines).
#   bench/viewer.sh [SCENARIO] [RUNS]     (default: slab-uaf, 5 runs)
# Each run starts a new server, waits 2 s (a user opening the URL), then asks for every page once.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-5}
. "$home/bench/common.sh"
bench_setup "$scenario"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
"$home/kdive" "$dump" -c sys >/dev/null # built
fn=$("$home/kdive" "$dump" -c "bt" | sed -n 's/^ *#[0-9]* \[[0-9a-f]*\] \([a-z_0-9.]*\) at \([0-9a-f]*\).*/\1 \2/p' | sed -n 7p)
pages=("/" "/tasks" "/task" "/task?pid=1" "/dis?fn=${fn% *}&at=${fn#* }" "/slabs" "/slab?name=kmalloc-192" "/log" "/modules" "/sym?q=schedule")
for mode in plain vmlinux; do
	for _ in $(seq "$runs"); do
		args=("$dump")
		[ $mode = vmlinux ] && args+=(--vmlinux "$vmlinux")
		"$home/kdive" serve "${args[@]}" >"$work/out" 2>&1 &
		server=$!
		for _ in $(seq 600); do grep -q 'http://' "$work/out" && break; sleep 0.1; done
		url=$(grep -o 'http://[0-9.:]*/' "$work/out")
		sleep 2
		for p in "${pages[@]}"; do
			curl -s -o /dev/null -w "%{time_total}\n" "${url%/}$p" | awk -v p="$p" -v m=$mode '{printf "%s %s %d\n", m, p, $1 * 1000}'
		done >>"$work/times"
		kill "$server"
		wait "$server" 2>/dev/null || true
		server=
	done
done
printf '| page (%s, first request, %d runs) | median ms, no vmlinux | max ms | median ms, --vmlinux | max ms |\n|---|---|---|---|---|\n' "$scenario" "$runs"
for p in "${pages[@]}"; do
	row=$(for mode in plain vmlinux; do
		awk -v p="$p" -v m=$mode '$1 == m && $2 == p {print $3}' "$work/times" | sort -n |
			awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d | %d | ", m, a[NR]}'
	done)
	printf '| `%s` | %s\n' "$p" "$row"
done
