#!/usr/bin/env bash
# Oops parsing throughput, one core (JMH): bench/oops.sh
# Data: the lab's slab-uaf console.log (boot messages and one oops) and, as the worst case, the
# oops corpus of kdive-core's tests concatenated (nothing but reports). Prints JMH's table and MB/s.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
lab=${KDIVE_LAB_DIR:-$HOME/.cache/kdive/lab}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
console=$(ls "$lab"/*/slab-uaf/console.log | head -1)
cp "$console" "$data/console.log"
cat "$home"/kdive-core/src/test/resources/oops/corpus/*.log "$home"/kdive-core/src/test/resources/oops/syzbot/*.log "$home"/kdive-core/src/test/resources/oops/*.log > "$data/reports.log"
(cd "$home" && ./mvnw -q -Pbench package -pl kdive-bench -am -DskipTests)
cp="$home/kdive-bench/target/kdive-bench-0.1.0-SNAPSHOT.jar:$(ls "$home"/kdive-bench/target/lib/*.jar | tr '\n' ':')"
taskset -c 0 "$java" -Dkdive.bench.data="$data" -cp "$cp" org.openjdk.jmh.Main OopsParseBenchmark \
	-jvmArgsAppend "-Dkdive.bench.data=$data -XX:+UseSerialGC -Xms1g -Xmx1g" -rf text -rff "$data/result.txt" | tee "$data/out.txt" | grep -E 'bytes per operation|^Benchmark|^OopsParse' | sort -u
awk '/bytes per operation/ {gsub(":", "", $1); size[$1] = $2}
     /^OopsParseBenchmark.parse/ {printf "%s: %.0f MB/s\n", $2, size[$2] / ($5 / 1e6) / 1e6}' "$data/out.txt"
