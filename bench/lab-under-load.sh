#!/usr/bin/env bash
# The lab's determinism under load: runs the whole suite (./kdive test, as CI does) ROUNDS times,
# each on a lab built from nothing in a fresh folder, while another QEMU guest keeps both cores
# busy (samples/init.sh's "load" scenario: two spinning processes on two vCPUs, no crash).
#   bench/lab-under-load.sh [ROUNDS]     (default 3)
# Prints one line per round: status, wall time, tests run and failed; exits non-zero if any failed.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/kdive-load.XXXXXX")
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# The load: the lab's own guest, booted with kdive_scenario=load.
"$home/samples/lab.sh" prepare "$work/guest" >&2
qemu-system-x86_64 -machine q35,accel=tcg -cpu max,la57=off -m 512M -smp 2 \
	-kernel "$work/guest/vmlinuz" -initrd "$work/guest/initramfs.cpio.gz" \
	-append "console=ttyS0 loglevel=4 kdive_scenario=load" -display none -monitor none \
	-serial "file:$work/load-console.log" &
qemu_pid=$!
sleep 20
echo "load: QEMU pid $qemu_pid, $(ps -o %cpu= -p "$qemu_pid" | tr -d ' ')% CPU after 20 s" >&2

failed=0
for round in $(seq 1 "$rounds"); do
	lab=$(mktemp -d "${TMPDIR:-/tmp}/kdive-load-lab.XXXXXX")
	log=$work/round-$round.log
	start=$(date +%s)
	if KDIVE_LAB_DIR=$lab "$home/kdive" test >"$log" 2>&1; then status=green; else status=RED; failed=1; fi
	took=$(($(date +%s) - start))
	kill -0 "$qemu_pid" 2>/dev/null || { echo "load: the load QEMU stopped" >&2; failed=1; }
	# Surefire's per-module totals: "Tests run: N, Failures: F, Errors: E, Skipped: S"
	totals=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" \
		| awk -F'[:,]' '{r += $2; f += $4; e += $6; s += $8} END {printf "%d tests, %d failed, %d errors, %d skipped", r, f, e, s}')
	retries=$(grep -c 'attempt [0-9] failed' "$log" || true)
	echo "round $round: $status in ${took} s; $totals; boots retried: $retries"
	[ "$status" = green ] || { grep -E 'FAIL|ERROR\]   ' "$log" | head -20 || true; cp "$log" "${TMPDIR:-/tmp}/kdive-load-round-$round.log"; }
	rm -rf "$lab"
done
exit $failed
