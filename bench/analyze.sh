#!/usr/bin/env bash
# kdive analyze against corelens (drgn-tools) and crash on the same dump, in the same run.
#   bench/analyze.sh [SCENARIO] [RUNS]     (default: slab-uaf, 5 runs; crash runs 3 times)
# kdive: `analyze` without the debug package, and with --vmlinux. corelens: its standard module
# set (-a) into a fresh directory, with the debug vmlinux (it needs one), built by
# bench/corelens-setup.sh into /opt/corelens (CORELENS to point elsewhere; skipped when absent).
# crash: the listings an engineer types to reach the same answer (sys, bt, log, kmem -s, ps).
# Needs hyperfine.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-5}
. "$home/bench/common.sh"
bench_setup "$scenario" crash hyperfine
corelens=${CORELENS:-/opt/corelens/bin/corelens}
md1=$(mktemp) md2=$(mktemp) out=$(mktemp -d)
trap 'rm -rf "$md1" "$md2" "$out"' EXIT
kdive_prime analyze "$dump" # build, AOT cache, page cache
cmds=(-n 'kdive analyze' "$home/kdive analyze $dump"
	-n 'kdive analyze --vmlinux' "$home/kdive analyze --vmlinux $vmlinux $dump")
if [ -x "$corelens" ]; then
	cmds+=(-n 'corelens -a' "env CORELENS_DEBUGINFO_DIR=$(dirname "$vmlinux") $corelens $dump -a -o $out/corelens")
else
	echo "bench: no corelens at $corelens (bench/corelens-setup.sh builds it); left out" >&2
fi
# corelens exits 1 when one of its modules fails (scsiinfo, md on Debian's kernels): -i keeps the timing.
hyperfine -N -i -w 1 -r "$runs" --export-markdown "$md1" "${cmds[@]}"
hyperfine -N -r 3 --export-markdown "$md2" \
	-n 'crash sys; bt; log; kmem -s; ps' "bash -c \"printf 'sys\\nbt\\nlog\\nkmem -s\\nps\\nquit\\n' | crash -s $vmlinux $dump\""
cat "$md1" "$md2"
echo "peak RSS (KiB), one run each:"
/usr/bin/time -f "  kdive analyze %M" "$home/kdive" analyze "$dump" >/dev/null
/usr/bin/time -f "  kdive analyze --vmlinux %M" "$home/kdive" analyze --vmlinux "$vmlinux" "$dump" >/dev/null
if [ -x "$corelens" ]; then
	CORELENS_DEBUGINFO_DIR=$(dirname "$vmlinux") /usr/bin/time -o "$out/rss.txt" -f "  corelens -a %M" "$corelens" "$dump" -a -o "$out/rss" \
		>/dev/null 2>&1 || true
	cat "$out/rss.txt"
fi
/usr/bin/time -f "  crash %M" bash -c "printf 'sys\\nbt\\nlog\\nkmem -s\\nps\\nquit\\n' | crash -s $vmlinux $dump" >/dev/null
