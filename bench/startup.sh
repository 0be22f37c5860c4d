#!/usr/bin/env bash
# Whole-process timing of kdive against crash and drgn on the same dump, in the same run.
#   bench/startup.sh [SCENARIO] [RUNS]     (default: slab-uaf, 7 runs)
# Each tool opens the lab's makedumpfile -d 31 (zlib) dump, which all three can read: kdive and
# crash run `sys`, drgn (no sys command) reads init_uts_ns; then each exits. Prints median, min and max wall time per tool and
# the ratios, as a Markdown table ready for docs/benchmarks.md.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-7}
. "$home/bench/common.sh"
bench_setup "$scenario" crash python3-drgn

# time_ms CMD...: wall milliseconds of one run (output discarded, failure fatal)
time_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 </dev/null || { echo "bench: failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
crash_run() { printf 'sys\nquit\n' | crash -s "$vmlinux" "$dump" >/dev/null 2>&1; }
drgn_script=$(mktemp --suffix=.py)
trap 'rm -f "$drgn_script"' EXIT
echo 'print(prog["init_uts_ns"].name.release.string_().decode())' >"$drgn_script" # drgn 0.0.22 has no -e
drgn_run() { drgn -q -c "$dump" -s "$vmlinux" "$drgn_script" >/dev/null 2>&1; }
kdive_run() { "$home/kdive" "$dump" -c sys; }

stats() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d %d %d\n", m, a[1], a[NR]}'; }

kdive_prime "$dump" -c sys # build, make the AOT cache and warm the page cache once
declare -A med
printf '| tool | task | median ms | min ms | max ms |\n|---|---|---|---|---|\n'
for tool in kdive crash drgn; do
	for _ in $(seq "$runs"); do time_ms "${tool}_run"; done | stats >/tmp/kdive-bench.$$
	read -r m lo hi </tmp/kdive-bench.$$
	med[$tool]=$m
	case $tool in
	kdive) task='`kdive DUMP -c sys` (no vmlinux: kallsyms, page tables, printk log)' ;;
	crash) task='`crash -s vmlinux DUMP` + `sys`' ;;
	drgn) task='`drgn -c DUMP -s vmlinux` + read init_uts_ns' ;;
	esac
	printf '| %s | %s | %d | %d | %d |\n' "$tool" "$task" "$m" "$lo" "$hi"
done
rm -f /tmp/kdive-bench.$$
printf '\ncrash / kdive = %s, drgn / kdive = %s (median wall time, %d runs each, %s, %s)\n' \
	"$(awk "BEGIN{printf \"%.1f\", ${med[crash]}/${med[kdive]}}")" \
	"$(awk "BEGIN{printf \"%.1f\", ${med[drgn]}/${med[kdive]}}")" "$runs" "$(basename "$dump")" "$rel"
