#!/usr/bin/env bash
# Random-page read throughput per dump format, one core: bench/throughput.sh [SCENARIO]
# Runs bench/PageThroughput.java against the lab's dumps; prints a Markdown table.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-slab-uaf}
"$home/kdive" lab build "$scenario" >&2
lab=${KDIVE_LAB_DIR:-$HOME/.cache/kdive/lab}
dir=$lab/$("$home/samples/lab.sh" release)/$scenario
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
cp="$home/kdive-core/target/classes:$(ls "$home"/kdive-cli/target/lib/*.jar | tr '\n' ':')"
printf '| dump | pages | MB/s decompressed (1 core) |\n|---|---|---|\n'
for f in vmcore.kdump-zlib vmcore.d31-zlib vmcore.d31-lzo vmcore.d31-snappy vmcore.d31-zstd vmcore.d31-raw; do
	[ -f "$dir/$f" ] || continue
	taskset -c 0 "$java" --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -cp "$cp" "$home/bench/PageThroughput.java" "$dir/$f" |
		awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
done
