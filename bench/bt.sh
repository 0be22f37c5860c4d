#!/usr/bin/env bash
# bt of the panic task with the debug vmlinux, cold and warm, against crash and drgn in the same run.
#   bench/bt.sh [SCENARIO] [RUNS]     (default: slab-uaf, 5 runs; crash 3)
# Cold: kdive started without its AOT cache (KDIVE_AOT=off), its DWARF, symbol and BTF indexes removed, and the dump and vmlinux dropped from the
# page cache (needs root; otherwise only kdive's own caches are removed). Warm: repeated runs.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-5}
. "$home/bench/common.sh"
bench_setup "$scenario" crash python3-drgn hyperfine
drgn_script=$(mktemp --suffix=.py) md1=$(mktemp) md2=$(mktemp)
trap 'rm -f "$drgn_script" "$md1" "$md2"' EXIT
echo 'print(prog.crashed_thread().stack_trace())' >"$drgn_script"
cold_prepare="rm -rf $HOME/.cache/kdive/dwarf/*.types $HOME/.cache/kdive/symbols $HOME/.cache/kdive/btf; sync; [ \$(id -u) = 0 ] && echo 3 >/proc/sys/vm/drop_caches || true"
kdive_prime "$dump" --vmlinux "$vmlinux" -c bt # build once, make the AOT cache
hyperfine -w 1 -r "$runs" --export-markdown "$md1" \
	-n 'kdive bt (cold)' --prepare "$cold_prepare" "env KDIVE_AOT=off $home/kdive $dump --vmlinux $vmlinux -c bt" \
	-n 'kdive bt (warm)' "$home/kdive $dump --vmlinux $vmlinux -c bt" \
	-n 'drgn crashed_thread().stack_trace()' "drgn -q -c $dump -s $vmlinux $drgn_script"
hyperfine -r 3 --export-markdown "$md2" \
	-n 'crash bt' "bash -c \"printf 'bt\\nquit\\n' | crash -s $vmlinux $dump\""
cat "$md1" "$md2"
