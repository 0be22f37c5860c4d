#!/usr/bin/env bash
# kmem over every slab cache, whole process, against crash and drgn on the same dump in the same run.
#   bench/kmem.sh [SCENARIO] [RUNS]     (default: panic, 5 runs; crash runs 3 times)
# kdive: `kmem -V` (walk and check every freelist) and `kmem -s`, no vmlinux. crash: `kmem -s` and
# `kmem -S` (every cache, every slab). drgn 0.0.22: every allocated object of every cache with its
# slab helpers (slab_cache_for_each_allocated_object), the walk its Python does. Needs hyperfine.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-panic}
runs=${2:-5}
. "$home/bench/common.sh"
bench_setup "$scenario" crash python3-drgn hyperfine
drgn_script=$(mktemp --suffix=.py)
md1=$(mktemp) md2=$(mktemp)
trap 'rm -f "$drgn_script" "$md1" "$md2"' EXIT
cat >"$drgn_script" <<'PY'
from drgn.helpers.linux.slab import for_each_slab_cache, slab_cache_for_each_allocated_object
n = 0
for s in for_each_slab_cache(prog):
    try:
        for _ in slab_cache_for_each_allocated_object(s, "void"):
            n += 1
    except Exception as e:  # drgn stops a cache at the first bad pointer
        print(s.name.string_().decode(), e)
print(n, "allocated objects")
PY
kdive_prime "$dump" -c 'kmem -s' # build, AOT cache, page cache
# --export-markdown to files: /dev/stdout redirected to a file would be truncated by the second run.
hyperfine -N -w 1 -r "$runs" --export-markdown "$md1" \
	-n 'kdive kmem -V' "$home/kdive $dump -c 'kmem -V'" \
	-n 'kdive kmem -s' "$home/kdive $dump -c 'kmem -s'" \
	-n 'drgn: every allocated object' "drgn -q -c $dump -s $vmlinux $drgn_script"
hyperfine -N -r 3 --export-markdown "$md2" \
	-n 'crash kmem -s' "bash -c \"printf 'kmem -s\\nquit\\n' | crash -s $vmlinux $dump\"" \
	-n 'crash kmem -S' "bash -c \"printf 'kmem -S\\nquit\\n' | crash -s $vmlinux $dump\""
cat "$md1" "$md2"
