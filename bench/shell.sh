#!/usr/bin/env bash
# The interactive shell as a user feels it, measured through a real terminal (tmux):
#   - start to the first prompt: `kdive DUMP` (no vmlinux) until "kdive> " is on the screen,
#     beside crash (`crash -s vmlinux DUMP` until "crash> ") on the same dump, in the same run;
#   - completion: `sym schedule_tim<TAB>` (symbol names) and `struct kmem_c<TAB>` (type names) until the
#     screen shows the completed word, the first TAB of a session and a later one. The words are
#     typed a key at a time from the moment the prompt shows, at a fast typist's pace: the prompt
#     reads the names while the user types.
#   bench/shell.sh [SCENARIO] [RUNS]     (default: slab-uaf, 7 runs)
# Times include tmux's own round trip (send-keys, then capture-pane every 5 ms): an upper bound.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-7}
. "$home/bench/common.sh"
bench_setup "$scenario" crash tmux
sock=kdive-bench-$$
work=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
t() { tmux -L "$sock" "$@"; }
now() { date +%s%N; }
# wait_for TEXT: polls the screen until it shows TEXT (60 s at most); prints nothing
wait_for() {
	local end=$(($(date +%s) + 60))
	until t capture-pane -p -t b | grep -qF -- "$1"; do
		[ "$(date +%s)" -lt "$end" ] || { echo "bench: no \"$1\" on the screen:" >&2; t capture-pane -p -t b >&2; exit 1; }
		sleep 0.005
	done
}
# to_prompt PROMPT CMD...: milliseconds from starting CMD in a fresh window to PROMPT on its screen
to_prompt() {
	local prompt=$1 t0
	shift
	t kill-session -t b 2>/dev/null || true
	t0=$(now)
	t new-session -d -s b -x 160 -y 50 "env XDG_CACHE_HOME=$work $*; sleep 600"
	wait_for "$prompt"
	echo $((($(now) - t0) / 1000000))
}
# tab TYPED EXPECTED: types TYPED as a fast typist does (a key every 80 ms, ~150 words a minute),
# then prints the milliseconds from TAB to EXPECTED on the screen; clears the line
tab() {
	local i
	for ((i = 0; i < ${#1}; i++)); do
		t send-keys -t b -l "${1:i:1}"
		sleep 0.08
	done
	local t0
	t0=$(now)
	t send-keys -t b Tab
	wait_for "kdive> $2"
	echo $((($(now) - t0) / 1000000))
	t send-keys -t b C-u
	sleep 0.1
}
stats() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d | %d | %d", m, a[1], a[NR]}'; }

kdive_prime "$dump" -c sys
t new-session -d -s warm "true" 2>/dev/null || true # the tmux server, started before any timing
r=$work/results
mkdir -p "$r"
for _ in $(seq "$runs"); do
	to_prompt "crash>" crash -s "$vmlinux" "$dump" >>"$r/crash"
	to_prompt "kdive>" "$home/kdive" "$dump" >>"$r/kdive"
	tab "sym schedule_tim" "sym schedule_timeout" >>"$r/sym1"
	tab "sym schedule_tim" "sym schedule_timeout" >>"$r/sym2"
	tab "struct kmem_c" "struct kmem_cache" >>"$r/struct1"
	tab "struct kmem_c" "struct kmem_cache" >>"$r/struct2"
done
printf '| what (%s, %d runs, through tmux) | median ms | min ms | max ms |\n|---|---|---|---|\n' "$scenario" "$runs"
printf '| `kdive DUMP` to the first `kdive>` prompt (no vmlinux) | %s |\n' "$(stats <"$r/kdive")"
printf '| `crash -s vmlinux DUMP` to the first `crash>` prompt | %s |\n' "$(stats <"$r/crash")"
printf '| `sym schedule_tim<TAB>`, first in the session (the names were read while it was typed) | %s |\n' "$(stats <"$r/sym1")"
printf '| `sym schedule_tim<TAB>`, again | %s |\n' "$(stats <"$r/sym2")"
printf '| `struct kmem_c<TAB>`, first in the session | %s |\n' "$(stats <"$r/struct1")"
printf '| `struct kmem_c<TAB>`, again | %s |\n' "$(stats <"$r/struct2")"
