#!/usr/bin/env bash
# Start-up, whole processes side by side on one dump in one run: kdive, Debian's drgn 0.0.22
# (python3-drgn) and upstream drgn (bench/drgn-setup.sh builds it; DRGN_SRC names its source, as
# this script downloads nothing), each running sys, bt, ps and kmem -s, with and without the
# debug vmlinux, alternately (one run of every tool and command, then the next round), so a busy
# moment of the machine falls on all of them alike.
#   bench/startup.sh [SCENARIO] [RUNS]     (default: slab-uaf, 7 runs)
# Prints a Markdown table: wall time and peak RSS, median (min-max), and drgn / kdive ratios.
#   kdive:         kdive DUMP -c CMD (and --vmlinux VMLINUX); its symbol and BTF indexes and AOT cache warm
#   drgn 0.2.0:    drgn -c DUMP -s VMLINUX running crash's command (drgn.commands run_command "crash CMD"),
#                  and for bt also prog.crashed_thread().stack_trace(); it cannot start without a vmlinux
#   drgn 0.0.22:   the same questions in Python (it has no crash commands): init_uts_ns, the crashed
#                  thread's stack trace, each task's pid and comm; kmem -s has no 0.0.22 equivalent
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
runs=${2:-7}
. "$home/bench/common.sh"
bench_setup "$scenario" python3-drgn time

upstream=${DRGN_UPSTREAM:-/opt/drgn-upstream/venv/bin/drgn}
if [ ! -x "$upstream" ] && [ -n "${DRGN_SRC:-}" ]; then
	upstream=$("$home/bench/drgn-setup.sh" "$DRGN_SRC")
fi
[ -x "$upstream" ] || { echo "bench: no upstream drgn at $upstream (bench/drgn-setup.sh DRGN_SRC builds it); measuring without it" >&2; upstream=; }
upstream_version=$([ -n "$upstream" ] && "$upstream" --version 2>&1 | awk 'NR==1{sub(/\+.*/, "", $2); print $2}')
debian_version=$(drgn --version 2>&1 | awk 'NR==1{print $2}')

scripts=$(mktemp -d)
trap 'rm -rf "$scripts" /tmp/kdive-startup.$$' EXIT
echo 'print(prog["init_uts_ns"].name.release.string_().decode())' >"$scripts/sys.py"
echo 'print(prog.crashed_thread().stack_trace())' >"$scripts/bt.py"
cat >"$scripts/ps.py" <<'EOF'
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    print(t.pid.value_(), t.comm.string_().decode())
EOF
for c in sys bt ps "kmem -s"; do
	printf 'from drgn.commands import run_command\nrun_command(prog, "crash %s")\n' "$c" >"$scripts/crash-${c// /}.py"
done

# one RUN: wall milliseconds and peak RSS in KiB of a command, its output discarded; a failure is fatal
measure() {
	local t0 t1 rss
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o /tmp/kdive-startup.$$ "$@" >/dev/null 2>&1 </dev/null || { echo "bench: failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	rss=$(tail -n1 /tmp/kdive-startup.$$)
	echo "$(((t1 - t0) / 1000000)) $rss"
}

# kdive as a user installs it ("kdive install DIR": no source checks at start-up), its caches (AOT,
# symbol and BTF indexes) made by a first run. The cases: "label|tool|command line".
"$home/kdive" install "$scripts/kdive" 2>/dev/null
kdive=$scripts/kdive/kdive
prime() {
	"$kdive" "$@" >/dev/null
	local i
	for i in $(seq 120); do
		[ -n "$(ls -d "$scripts/kdive/lib/"aot*.lock 2>/dev/null)" ] || return 0
		sleep 0.5
	done
}
cases=()
for c in sys bt ps "kmem -s"; do
	cases+=("$c|kdive|$kdive $dump -c '$c'")
	cases+=("$c|kdive --vmlinux|$kdive --vmlinux $vmlinux $dump -c '$c'")
	[ -n "$upstream" ] && cases+=("$c|drgn $upstream_version crash $c|$upstream -q -c $dump -s $vmlinux $scripts/crash-${c// /}.py")
	[ -n "$upstream" ] && [ "$c" = bt ] && cases+=("$c|drgn $upstream_version stack_trace()|$upstream -q -c $dump -s $vmlinux $scripts/bt.py")
	[ "$c" != "kmem -s" ] && cases+=("$c|drgn $debian_version Python|drgn -q -c $dump -s $vmlinux $scripts/${c}.py")
done

prime "$dump" -c sys
prime --vmlinux "$vmlinux" "$dump" -c sys
declare -A wall rss
for _ in $(seq "$runs"); do
	for i in "${!cases[@]}"; do
		IFS='|' read -r _ _ cmd <<<"${cases[$i]}"
		read -r w r < <(measure bash -c "$cmd")
		wall[$i]+="$w "
		rss[$i]+="$r "
	done
done

stats() { tr ' ' '\n' | awk 'NF' | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d %d %d\n", m, a[1], a[NR]}'; }
printf '| command | tool | wall ms, median (min-max) | peak RSS MiB, median (min-max) | wall / kdive |\n|---|---|---|---|---|\n'
declare -A base
for i in "${!cases[@]}"; do
	IFS='|' read -r label tool _ <<<"${cases[$i]}"
	read -r wm wl wh < <(echo "${wall[$i]}" | stats)
	read -r rm rl rh < <(echo "${rss[$i]}" | stats)
	if [ "$tool" = kdive ] || [ "$tool" = "kdive --vmlinux" ]; then
		base[$label|$tool]=$wm
	fi
	ref=${base[$label|kdive]}
	case $tool in drgn*) ref=${base[$label|kdive --vmlinux]} ;; esac
	printf '| `%s` | %s | %d (%d-%d) | %d (%d-%d) | %s |\n' "$label" "$tool" "$wm" "$wl" "$wh" \
		$((rm / 1024)) $((rl / 1024)) $((rh / 1024)) "$(awk "BEGIN{printf \"%.2f\", $wm/$ref}")"
done
printf '\n%d alternating runs each on %s (%s), %s, %s; drgn rows compare with kdive --vmlinux.\n' \
	"$runs" "$(basename "$dump")" "$rel" "$(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GB" "$(date -u +%F)"
